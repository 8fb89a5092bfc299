"""experiments/kan_bessel_error.py: where a KAN's error on the Bessel target lies (results for chapter 24).

    python experiments/kan_bessel_error.py   # about a minute on one core; writes kan_edu/data_files/kan_bessel_error.json

The scaling sweep (experiments/kan_scaling.py) finds that a [2, 2, 1] KAN on J_ν(10x), ν and x in [0, 1], stops
improving as the grid grows. Near x = 0, J_ν(10x) behaves like (5x)^ν / Γ(ν + 1), whose derivative in x is unbounded
there for 0 < ν < 1: the target is not smooth at that edge, and spline error bounds need smoothness. This script
trains the sweep's network with the sweep's data (1000 training and 1000 test points, float64, seed 0 for the data)
by grid extension G = 5, 10, 20 (LBFGS, 40 steps per grid, grids adapted at the start), for seeds 0 to 4, and
records the root mean squared test error in ten bins of x and the share of the squared error that falls in each.
"""

import json
from pathlib import Path

import numpy as np
import scipy.special as sp
import torch

from kan_edu.data import make_function_dataset
from kan_edu.kan import KAN

torch.set_num_threads(1)
OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "kan_bessel_error.json"
EDGES = np.linspace(0, 1, 11)


def bessel(v):
    return torch.tensor(sp.jv(v[:, 0].numpy(), 10 * v[:, 1].numpy()))


def main():
    data = make_function_dataset(bessel, 2, ranges=(0, 1), seed=0, dtype=torch.float64)
    x = data["test_input"][:, 1].numpy()
    bins = np.clip(np.digitize(x, EDGES) - 1, 0, len(EDGES) - 2)
    runs = []
    for seed in range(5):
        model = KAN([2, 2, 1], grid=5, seed=seed, grid_range=(0, 1), dtype=torch.float64)
        for G in (5, 10, 20):
            model = model if G == 5 else model.refine(G)
            model.fit(data, steps=40, update_grid=(G == 5), progress=False)
        with torch.no_grad():
            err = (model(data["test_input"]) - data["test_label"])[:, 0].numpy()
        sq = err**2
        rms = [float(np.sqrt(sq[bins == b].mean())) for b in range(len(EDGES) - 1)]
        share = [float(sq[bins == b].sum() / sq.sum()) for b in range(len(EDGES) - 1)]
        runs.append({"seed": seed, "test_rmse": float(np.sqrt(sq.mean())), "bin_rmse": rms, "bin_share": share})
        print(f"seed {seed}: test RMSE {runs[-1]['test_rmse']:.1e}; RMSE by x bin", [f"{r:.1e}" for r in rms])
    OUT.write_text(json.dumps({"edges": EDGES.tolist(), "grid": 20, "runs": runs}, indent=1))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
