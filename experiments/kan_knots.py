"""experiments/kan_knots.py: KAN against MLP on the knot signatures, over seeds (results for chapter 24).

    python experiments/kan_knots.py [--jobs N]   # about 1 CPU minute; writes kan_edu/data_files/kan_knots.json

Chapter 24 (section 24.3) predicts a knot's signature from six hyperbolic invariants (the sample that
kan_edu.data.knots() ships): 750 knots to train on, the rest to test, in an order drawn with numpy seed 0, the
inputs standardised with the training knots' mean and spread. A prediction counts when, rounded to the nearest
even integer, it is the signature. Both networks get kan_edu's LBFGS for 60 steps on the full training set:

- the KAN [6, 2, 1] through ``KAN.fit`` (grid 5 on (-3, 3), float64), as the chapter trains it;
- a [6, 32, 32, 1] tanh MLP (float64, torch's initialisation from the same seed), with LBFGS's default settings
  (those of KAN.fit: history 10, lr 1, 20 evaluations per step) on the mean squared error.

This script runs seeds 0 to 4 and keeps each one's test accuracies, and the KAN's input scores (its first-layer
edge scores on the training knots, summed over the hidden nodes, as the chapter ranks the invariants). The chapter
trains seed 0's KAN itself (it reads its edges) and takes the spread over seeds from this file. Each run is seeded
on its own, so the file does not depend on N.
"""

import json
import time
from pathlib import Path

import numpy as np
import torch
from _pool import pooled

from kan_edu import nn
from kan_edu.data import KNOT_FEATURES, knots
from kan_edu.kan import KAN
from kan_edu.lbfgs import LBFGS

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "kan_knots.json"
SEEDS = tuple(range(5))
RECIPE = {"n_train": 750, "split_seed": 0, "steps": 60, "kan_width": [6, 2, 1], "grid": 5, "grid_range": [-3, 3],
          "mlp_width": [6, 32, 32, 1]}  # fmt: skip


def knot_split():
    """The chapter's split: standardised invariants and signatures (float64), 750 knots to train on."""
    x, signature, _ = knots()
    order = np.random.default_rng(RECIPE["split_seed"]).permutation(len(signature))
    train, test = order[: RECIPE["n_train"]], order[RECIPE["n_train"] :]
    mean, std = x[train].mean(0), x[train].std(0)
    features = torch.tensor((x - mean) / std)
    target = torch.tensor(signature, dtype=torch.float64)[:, None]
    return {
        "train_input": features[train],
        "train_label": target[train],
        "test_input": features[test],
        "test_label": target[test],
    }


def accuracy(predict, split) -> float:
    """The fraction of test knots whose prediction, rounded to the nearest even integer, is their signature."""
    with torch.no_grad():
        guess = 2 * torch.round(predict(split["test_input"]) / 2)
    return float((guess == split["test_label"]).double().mean())


def train_kan(split, seed: int) -> KAN:
    net = KAN(RECIPE["kan_width"], grid=RECIPE["grid"], seed=seed, grid_range=tuple(RECIPE["grid_range"]),
              dtype=torch.float64)  # fmt: skip
    net.fit(split, steps=RECIPE["steps"], progress=False)
    return net


def train_mlp(split, seed: int) -> torch.nn.Module:
    mlp = nn.mlp(RECIPE["mlp_width"], "tanh", seed=seed).double()
    lbfgs = LBFGS(mlp.parameters(), history_size=10)

    def closure():
        lbfgs.zero_grad()
        loss = torch.mean((mlp(split["train_input"]) - split["train_label"]) ** 2)
        loss.backward()
        return loss

    for _ in range(RECIPE["steps"]):
        lbfgs.step(closure)
    return mlp


def run(seed: int) -> dict:
    """Both networks from seed ``seed``: their test accuracies, sizes and CPU seconds, and the KAN's input scores."""
    torch.set_num_threads(1)
    split = knot_split()
    start = time.process_time()
    kan = train_kan(split, seed)
    kan_cpu = time.process_time() - start
    # which inputs the KAN uses: its first-layer edge scores on the training knots, summed over the hidden nodes
    scores = kan.edge_scores(split["train_input"])[0].sum(1).detach().tolist()
    mlp = train_mlp(split, seed)
    return {
        "seed": seed,
        "kan_accuracy": accuracy(kan, split),
        "mlp_accuracy": accuracy(mlp, split),
        "kan_input_scores": dict(zip(KNOT_FEATURES, scores)),
        "kan_params": kan.n_params(),
        "mlp_params": sum(p.numel() for p in mlp.parameters()),
        "kan_cpu_seconds": round(kan_cpu, 1),
        "mlp_cpu_seconds": round(time.process_time() - start - kan_cpu, 1),
    }


def main():
    runs, jobs, seconds = pooled(run, SEEDS, __doc__)
    for r in runs:
        print(f"seed {r['seed']}: KAN {r['kan_accuracy']:.1%}, MLP {r['mlp_accuracy']:.1%}")
    OUT.write_text(json.dumps({"recipe": RECIPE, "runs": runs}, indent=1) + "\n")
    print(f"wrote {OUT} in {seconds:.0f} s with {jobs} workers")


if __name__ == "__main__":
    main()
