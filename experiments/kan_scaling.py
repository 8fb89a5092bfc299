"""experiments/kan_scaling.py: test RMSE against parameter count, KANs against MLPs (results for chapter 24).

    python experiments/kan_scaling.py [--jobs N]   # about 40 CPU minutes; N worker processes (default: the cores)

It writes kan_edu/data_files/kan_scaling.json; each run is seeded on its own, so the file does not depend on N.

Targets on [0, 1]² or [-1, 1]² (1000 training and 1000 test points, float64, data seed 0):
- exp(sin(πx) + y²), the paper's toy function, with a [2, 1, 1] KAN;
- the Bessel function J_ν(x) = scipy.special.jv(ν, 10x) with ν, x in [0, 1], with a [2, 2, 1] KAN;
- the incomplete elliptic integral E(φ | m) = scipy.special.ellipeinc(φ, m), φ, m in [0, 1], [2, 2, 1] KAN.

A fair comparison: both kinds of network get the SAME optimiser (``kan_edu.lbfgs.LBFGS``, history 10, lr 1,
strong-Wolfe line search; torch's own LBFGS stalls at small losses), the same data and at most the same number
of optimiser steps, 400:
- KANs: grid extension G = 5, 10, 20, 50, 100 steps per grid (grids adapted at the start), so the point at
  G = 50 has had all 400 steps and the point at G = 5 its first 100;
- MLPs: [2, w, w, 1] with tanh for w = 4, 8, 16, 32, 64, 400 steps each.
Every network is trained from five seeds (0 to 4). The JSON keeps, for each point, the parameter count, the
median test RMSE over the seeds, the grid (KAN) or width (MLP), the smallest and the largest test RMSE, and
every seed's value: rows are [parameters, median, grid or width, min, max, [per-seed RMSE]].
"""

import json
import time
from pathlib import Path

import numpy as np
import scipy.special as sp
import torch
from _pool import pooled

from kan_edu.data import make_function_dataset
from kan_edu.kan import KAN
from kan_edu.lbfgs import LBFGS

torch.set_num_threads(1)
OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "kan_scaling.json"
SEEDS = (0, 1, 2, 3, 4)
GRIDS = (5, 10, 20, 50)
STEPS_PER_GRID = 100
MLP_STEPS = STEPS_PER_GRID * len(GRIDS)  # the KAN's whole budget
WIDTHS = (4, 8, 16, 32, 64)

TARGETS = {
    "exp(sin(pi x) + y^2)": (lambda v: torch.exp(torch.sin(torch.pi * v[:, [0]]) + v[:, [1]] ** 2), (-1, 1), [2, 1, 1]),
    "Bessel J_nu(10x)": (lambda v: torch.tensor(sp.jv(v[:, 0].numpy(), 10 * v[:, 1].numpy())), (0, 1), [2, 2, 1]),
    "elliptic E(phi|m)": (lambda v: torch.tensor(sp.ellipeinc(v[:, 0].numpy(), v[:, 1].numpy())), (0, 1), [2, 2, 1]),
}


def mlp_run(data, width, seed=0):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(2, width),
        torch.nn.Tanh(),
        torch.nn.Linear(width, width),
        torch.nn.Tanh(),
        torch.nn.Linear(width, 1),
    ).double()
    opt = LBFGS(net.parameters(), lr=1.0, history_size=10)  # the optimiser KAN.fit uses, same settings
    x, y = data["train_input"], data["train_label"]
    for _ in range(MLP_STEPS):

        def closure():
            opt.zero_grad()
            loss = torch.mean((net(x) - y) ** 2)
            loss.backward()
            return loss

        opt.step(closure)
    with torch.no_grad():
        rmse = float(torch.sqrt(torch.mean((net(data["test_input"]) - data["test_label"]) ** 2)))
    return sum(p.numel() for p in net.parameters()), rmse


def kan_run(data, width, box, seed):
    rows, model = [], KAN(width, grid=GRIDS[0], seed=seed, grid_range=box, dtype=torch.float64)
    for G in GRIDS:
        model = model if G == GRIDS[0] else model.refine(G)
        h = model.fit(data, steps=STEPS_PER_GRID, update_grid=(G == GRIDS[0]), progress=False)
        rows.append((model.n_params(), float(h["test_loss"][-1])))
    return rows


def summary(params, size, values):
    v = np.asarray(values)
    return [int(params), float(np.median(v)), int(size), float(v.min()), float(v.max()), [float(a) for a in v]]


def _job(args):
    """One seeded run, in a worker process: ("kan", target, seed) or ("mlp", target, seed, width)."""
    torch.set_num_threads(1)
    kind, name, seed, *width = args
    f, box, kan_width = TARGETS[name]
    data = make_function_dataset(f, 2, ranges=box, seed=0, dtype=torch.float64)
    start = time.process_time()
    out = kan_run(data, kan_width, box, seed) if kind == "kan" else mlp_run(data, width[0], seed)
    return args, out, time.process_time() - start


def main():
    todo = [("kan", name, seed) for name in TARGETS for seed in SEEDS]
    todo += [("mlp", name, seed, w) for name in TARGETS for w in WIDTHS for seed in SEEDS]
    runs, jobs, seconds = pooled(_job, todo, __doc__)
    done = {args: (out, cpu) for args, out, cpu in runs}
    results = {}
    for name, (_, _, width) in TARGETS.items():
        runs = [done[("kan", name, seed)][0] for seed in SEEDS]
        kan_rows = [summary(runs[0][i][0], G, [run[i][1] for run in runs]) for i, G in enumerate(GRIDS)]
        mlp_rows = []
        for w in WIDTHS:
            seeded = [done[("mlp", name, seed, w)][0] for seed in SEEDS]
            mlp_rows.append(summary(seeded[0][0], w, [r for _, r in seeded]))
        cpu = sum(c for args, (_, c) in done.items() if args[1] == name)
        results[name] = {"kan": kan_rows, "mlp": mlp_rows, "kan_width": width}
        print(
            name,
            "KAN",
            [(r[0], f"{r[1]:.1e}") for r in kan_rows],
            "MLP",
            [(r[0], f"{r[1]:.1e}") for r in mlp_rows],
            f"{cpu:.0f} CPU s",
            flush=True,
        )
    results["_settings"] = {
        "seeds": list(SEEDS),
        "grids": list(GRIDS),
        "steps_per_grid": STEPS_PER_GRID,
        "mlp_steps": MLP_STEPS,
        "mlp_widths": list(WIDTHS),
        "optimiser": "kan_edu.lbfgs.LBFGS",
    }
    OUT.write_text(json.dumps(results, indent=1))
    print(f"wrote {OUT} in {seconds:.0f} s with {jobs} workers")


if __name__ == "__main__":
    main()
