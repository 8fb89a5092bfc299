"""experiments/kan_change_of_variables.py: how often a [2,1,1] KAN finds the change of variables (chapter 23).

    python experiments/kan_change_of_variables.py [--jobs N]   # about 2 CPU minutes; writes kan_edu/data_files/kan_change_of_variables.json

Chapter 23, section 23.4, trains a [2, 1, 1] KAN from network seed 0 on two functions that a change of variables
makes additive, and ranks the library functions on each of its three edges (suggest_symbolic, top 1):

- ``ratio``: x/y on [0.5, 2]², which is exp(log x − log y): log, log and exp;
- ``velocity``: (u + v)/(1 + uv) on [−0.9, 0.9]², which is tanh(arctanh u + arctanh v): arctanh, arctanh, tanh.

Each network has 500 training points (float64, data seed 0), a grid of 5 on the function's range and 30 LBFGS
steps. This script runs the same recipe from the network seeds 0 to 9 and keeps, per function and seed, the top
candidate and its R² on each edge, whether the three candidates are the expected ones, and the network's test
RMSE. Each run is seeded on its own, so the file does not depend on N.
"""

import json
from pathlib import Path

import torch
from _pool import pooled

from kan_edu.data import make_function_dataset
from kan_edu.kan import KAN

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "kan_change_of_variables.json"
SEEDS = tuple(range(10))
EDGES = [(0, 0, 0), (0, 1, 0), (1, 0, 0)]
RECIPE = {"width": [2, 1, 1], "grid": 5, "n_train": 500, "steps": 30, "edges": EDGES}
PROBLEMS = {
    "ratio": {"range": (0.5, 2.0), "expected": ["log", "log", "exp"]},
    "velocity": {"range": (-0.9, 0.9), "expected": ["arctanh", "arctanh", "tanh"]},
}


def target(problem: str):
    """The function of ``problem`` on (N, 2) inputs, as chapter 23 writes it."""
    if problem == "ratio":
        return lambda v: v[:, [0]] / v[:, [1]]
    return lambda v: (v[:, [0]] + v[:, [1]]) / (1 + v[:, [0]] * v[:, [1]])


def run(job: tuple[str, int]) -> dict:
    """Chapter 23's recipe for ``problem`` from network seed ``seed``."""
    problem, seed = job
    torch.set_num_threads(1)
    lo_hi = PROBLEMS[problem]["range"]
    data = make_function_dataset(
        target(problem), 2, ranges=lo_hi, n_train=RECIPE["n_train"], seed=0, dtype=torch.float64
    )
    net = KAN(RECIPE["width"], grid=RECIPE["grid"], seed=seed, grid_range=lo_hi, dtype=torch.float64)
    rmse = net.fit(data, steps=RECIPE["steps"], progress=False)["test_loss"][-1]
    best = [net.suggest_symbolic(*edge, topk=1)[0] for edge in EDGES]
    candidates = [name for name, _, _ in best]
    return {
        "problem": problem,
        "seed": seed,
        "candidates": candidates,
        "r2": [float(r2) for _, r2, _ in best],
        "found": candidates == PROBLEMS[problem]["expected"],
        "test_rmse": float(rmse),
    }


def main():
    jobs = [(problem, seed) for problem in PROBLEMS for seed in SEEDS]
    runs, workers, seconds = pooled(run, jobs, __doc__)
    for r in runs:
        print(f"{r['problem']:9s} seed {r['seed']}: {'ok' if r['found'] else 'NO'} {', '.join(r['candidates'])}")
    problems = {name: {**spec, "range": list(spec["range"])} for name, spec in PROBLEMS.items()}
    OUT.write_text(json.dumps({"recipe": RECIPE, "problems": problems, "runs": runs}, indent=1) + "\n")
    found = {p: sum(r["found"] for r in runs if r["problem"] == p) for p in PROBLEMS}
    print(f"wrote {OUT}: found on {found} of {len(SEEDS)} seeds each, in {seconds:.0f} s with {workers} workers")


if __name__ == "__main__":
    main()
