"""experiments/kan_classify.py: KANs against parameter-matched MLPs on a real data set (results for chapter 22).

    python experiments/kan_classify.py [--jobs N]   # about 5 CPU minutes; N worker processes (default: the cores)

It writes kan_edu/data_files/kan_classify.json; each run is seeded on its own, so the file does not depend on N.

The data: scikit-learn's 8×8 handwritten digits (1797 images, 64 pixels, 10 classes; shipped with scikit-learn,
nothing is downloaded), shuffled once with numpy's default_rng(0): the first 597 are the test set, the other 1200
train. Inputs are standardised with ONE mean and ONE standard deviation, those of all training pixels (a pixel by
pixel standardisation divides the near-constant border pixels by a tiny deviation and sends rare test values to
±80). The pixels' known range [0, 1] then maps to a known interval, about [-0.8, 1.9]; the KANs' first grids start
on [-1, 1] and ``KAN.fit``'s grid updates (``update_grid=True``, its default schedule: every 5 steps for the first
50) move every grid to the range of the values it sees in training, the first layer's to each pixel's, the hidden
layer's to the hidden nodes'.

The networks, one hidden layer each:
- KAN [64, h, 10], G = 5, k = 3 (the book's defaults), for h = 2, 4, 8: 10·(64h + 10h) parameters;
- MLP [64, w, 10] with silu (the function every KAN edge starts from) and w the width that matches the KAN's
  parameter count most closely: 75w + 10 parameters.
A fair comparison: both get the SAME optimiser (Adam, lr 1e-2, torch's defaults otherwise; KAN.fit's Adam), the
same full-batch steps (150), the same data and the same loss (cross-entropy, ``KAN.fit(loss_fn="cross_entropy")``);
the last step's accuracy counts (no early stopping on the test set). KAN.fit's own defaults stay on: the additive
warm start of its first 5 steps and the grid updates. Both networks are trained from five seeds (0 to 4), in
float64 on one thread.

Per run the JSON keeps: test and train accuracy, test loss after the last step, the parameter count, the CPU
seconds of the whole run (training plus the evaluation on the training and test sets after every step, which
``KAN.fit`` does for its history and the MLP loop does too), and the test accuracy and loss every 10 steps. Per size
it keeps the CPU seconds of one bare Adam step of each network on the full training set (forward, backward, update;
no grid update, no evaluation), the median of 30 steps after 5 unmeasured ones.
"""

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from _pool import pooled

from kan_edu.data import digits
from kan_edu.kan import KAN

torch.set_num_threads(1)
OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "kan_classify.json"

SEEDS = (0, 1, 2, 3, 4)
HIDDEN = (2, 4, 8)  # the KANs' hidden widths
GRID, K = 5, 3
STEPS = 150
OPT, LR = "Adam", 1e-2
N_TEST = 597
SPLIT_SEED = 0
RECORD_EVERY = 10
DTYPE = torch.float64
TIMED_STEPS, UNTIMED_STEPS = 30, 5


def dataset():
    """The split (fixed: numpy's default_rng(SPLIT_SEED)), standardised by the training pixels' mean and std."""
    x, labels = digits()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    test, train = order[:N_TEST], order[N_TEST:]
    mean, std = x[train].mean(), x[train].std()
    z = (x - mean) / std
    out = {}
    for part, idx in (("train", train), ("test", test)):
        out[f"{part}_input"] = torch.tensor(z[idx], dtype=DTYPE)
        out[f"{part}_label"] = torch.tensor(labels[idx], dtype=DTYPE)[:, None]  # class indices in one column
    return out, float(mean), float(std)


def kan_params(hidden):
    return (64 * hidden + hidden * 10) * (GRID + K + 2)


def mlp_width(hidden):
    """The width w of the MLP [64, w, 10] (75w + 10 parameters) closest to the KAN [64, hidden, 10]."""
    return round((kan_params(hidden) - 10) / 75)


def make_mlp(width, seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, width), torch.nn.SiLU(), torch.nn.Linear(width, 10)).to(DTYPE)


def train_mlp(data, width, seed, steps=STEPS):
    """The MLP trained as KAN.fit trains the KAN: full-batch Adam, cross-entropy, evaluated after every step."""
    net = make_mlp(width, seed)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    x, y = data["train_input"], data["train_label"][:, 0].long()
    x_test, y_test = data["test_input"], data["test_label"][:, 0].long()
    history = {key: [] for key in ("train_loss", "test_loss", "train_acc", "test_acc")}
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
        with torch.no_grad():
            for part, xs, ys in (("train", x, y), ("test", x_test, y_test)):
                pred = net(xs)
                history[f"{part}_loss"].append(float(F.cross_entropy(pred, ys)))
                history[f"{part}_acc"].append(float((pred.argmax(1) == ys).double().mean()))
    return net, {key: np.array(v) for key, v in history.items()}


def train_kan(data, hidden, seed, steps=STEPS):
    model = KAN([64, hidden, 10], grid=GRID, k=K, seed=seed, dtype=DTYPE)
    history = model.fit(data, steps=steps, opt=OPT, lr=LR, loss_fn="cross_entropy", progress=False)
    return model, history


def run(kind, hidden, seed, steps=STEPS):
    """One seeded run: a dict of the numbers the JSON keeps."""
    data, _, _ = dataset()
    start = time.process_time()
    if kind == "kan":
        model, h = train_kan(data, hidden, seed, steps)
        params = model.n_params()
    else:
        model, h = train_mlp(data, mlp_width(hidden), seed, steps)
        params = sum(p.numel() for p in model.parameters())
    cpu = time.process_time() - start
    every = slice(RECORD_EVERY - 1, None, RECORD_EVERY)
    return {
        "seed": seed,
        "params": int(params),
        "test_acc": float(h["test_acc"][-1]),
        "train_acc": float(h["train_acc"][-1]),
        "test_loss": float(h["test_loss"][-1]),
        "cpu_seconds": cpu,
        "test_acc_every_10": [float(v) for v in h["test_acc"][every]],
        "test_loss_every_10": [float(v) for v in h["test_loss"][every]],
    }


def step_seconds(hidden):
    """CPU seconds of one bare full-batch Adam step of each network (median of TIMED_STEPS)."""
    data, _, _ = dataset()
    x, y = data["train_input"], data["train_label"][:, 0].long()
    nets = {"kan": KAN([64, hidden, 10], grid=GRID, k=K, seed=0, dtype=DTYPE), "mlp": make_mlp(mlp_width(hidden), 0)}
    out = {}
    for kind, net in nets.items():
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        times = []
        for i in range(UNTIMED_STEPS + TIMED_STEPS):
            start = time.process_time()
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()
            if i >= UNTIMED_STEPS:
                times.append(time.process_time() - start)
        out[kind] = float(np.median(times))
    return out


def _job(args):
    torch.set_num_threads(1)
    out = step_seconds(args[1]) if args[0] == "time" else run(*args)
    print("done", args, flush=True)
    return args, out


def main():
    todo = [(kind, h, seed) for h in HIDDEN for kind in ("kan", "mlp") for seed in SEEDS]
    todo += [("time", h) for h in HIDDEN]  # last: timed while the other worker may still train
    runs, jobs, seconds = pooled(_job, todo, __doc__)
    done = dict(runs)
    data, mean, std = dataset()
    results = {"sizes": []}
    for h in HIDDEN:
        row = {"kan_width": [64, h, 10], "mlp_width": [64, mlp_width(h), 10], "step_seconds": done[("time", h)]}
        for kind in ("kan", "mlp"):
            row[kind] = [done[(kind, h, seed)] for seed in SEEDS]
            accs = [r["test_acc"] for r in row[kind]]
            print(
                f"{kind.upper()} {row[kind + '_width']}: {row[kind][0]['params']} parameters, test accuracy "
                f"median {np.median(accs):.3f} (range {min(accs):.3f}-{max(accs):.3f}), "
                f"{np.median([r['cpu_seconds'] for r in row[kind]]):.1f} CPU s per run, "
                f"{row['step_seconds'][kind] * 1e3:.2f} ms per bare step",
                flush=True,
            )
        results["sizes"].append(row)
    results["_settings"] = {
        "data": "sklearn load_digits via kan_edu.data.digits(), pixels in [0, 1]",
        "n_train": len(data["train_label"]),
        "n_test": len(data["test_label"]),
        "split_seed": SPLIT_SEED,
        "standardisation": {"mean": mean, "std": std, "note": "one mean and std over all training pixels"},
        "seeds": list(SEEDS),
        "hidden": list(HIDDEN),
        "grid": GRID,
        "k": K,
        "mlp_activation": "silu",
        "dtype": "float64",
        "record_every": RECORD_EVERY,
        "timed_steps": TIMED_STEPS,
        "kan": {"optimiser": OPT, "lr": LR, "steps": STEPS, "batch": "full", "loss": "cross_entropy"},
        "mlp": {"optimiser": OPT, "lr": LR, "steps": STEPS, "batch": "full", "loss": "cross_entropy"},
        "kan_fit_defaults": "update_grid=True (every 5 steps until step 50), warmup=5, lamb=0",
        "jobs": jobs,
    }
    OUT.write_text(json.dumps(results, indent=1))
    print(f"wrote {OUT} in {seconds:.0f} s with {jobs} workers")


if __name__ == "__main__":
    main()
