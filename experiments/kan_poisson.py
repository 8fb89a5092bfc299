"""experiments/kan_poisson.py: the KAN paper's Poisson problem, a KAN against an MLP (results for chapter 24).

    python experiments/kan_poisson.py --jobs 2   # about 9 CPU minutes; writes kan_edu/data_files/kan_poisson.json

Section 3.4 of the paper (liu2024kan) solves u_xx + u_yy = f on [-1, 1]² with u = 0 on the boundary, where f is
chosen so that u = sin(πx) sin(πy²), by a physics-informed loss (kan_edu.kan.pde). This script trains a [2, 10, 1]
KAN (G = 5, k = 3, 300 parameters, the paper's shape) and a [2, 15, 15, 1] tanh MLP (301 parameters) on the same
collocation points (1000 inside, 200 on the boundary, seed 0; the paper uses 10 000 and 800), with the same loss
(α = 0.01, the paper's), the same optimiser (kan_edu.lbfgs, KAN.fit's settings) and the same number of steps
(60), in float64, for seeds 0 to 4 of each network. No grid updates (the domain is fixed and the first grid covers
it; adapting the grids to the points made the error slightly worse in a trial) and no grid extension. Per run it
records the final root mean squared error of u against the exact solution and of the residual ∇²u − f on a 41 × 41
test grid, and the loss and error every 2 steps; for seed 0 also the error map on the test grid.

Each run is one job of a process pool (--jobs N, one thread each), seeded by itself, so the file does not depend
on N. Shrunk to fit ten CPU minutes: fewer points than the paper, 60 steps, no grid extension.
"""

import json
import time
from pathlib import Path

import torch
from _pool import pooled

from kan_edu.kan import KAN
from kan_edu.kan.pde import fit_poisson, poisson_points, poisson_solution

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "kan_poisson.json"
SETTINGS = dict(
    n_interior=1000, n_boundary=200, points_seed=0, alpha=0.01, steps=60, every=2, test_grid=41, seeds=[0, 1, 2, 3, 4]
)


def build(name: str, seed: int) -> torch.nn.Module:
    """The KAN [2, 10, 1] (G = 5, k = 3) or the tanh MLP [2, 15, 15, 1] of the comparison, float64, seeded."""
    if name == "KAN":
        return KAN([2, 10, 1], grid=5, k=3, seed=seed, grid_range=(-1, 1), dtype=torch.float64)
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(2, 15), torch.nn.Tanh(), torch.nn.Linear(15, 15), torch.nn.Tanh(), torch.nn.Linear(15, 1)
    ).double()


def n_params(model: torch.nn.Module) -> int:
    """Trainable numbers: KAN.n_params (coefficients and two scales per edge) or every MLP weight and bias."""
    return model.n_params() if isinstance(model, KAN) else sum(p.numel() for p in model.parameters())


def test_grid(n: int) -> torch.Tensor:
    """The n × n grid of [-1, 1]², boundary included, row-major in x then y."""
    t = torch.linspace(-1, 1, n, dtype=torch.float64)
    X, Y = torch.meshgrid(t, t, indexing="ij")
    return torch.stack([X.reshape(-1), Y.reshape(-1)], 1)


def _job(args) -> dict:
    return run(*args)


def run(name: str, seed: int, steps: int | None = None) -> dict:
    """One training run; ``steps`` overrides the setting (the test replays the start of a run)."""
    torch.set_num_threads(1)
    s = SETTINGS
    steps = s["steps"] if steps is None else steps
    x_interior, x_boundary = poisson_points(s["n_interior"], s["n_boundary"], seed=s["points_seed"])
    x_test = test_grid(s["test_grid"])
    model = build(name, seed)
    start = time.process_time()
    history = fit_poisson(model, x_interior, x_boundary, steps=steps, alpha=s["alpha"], x_test=x_test)
    seconds = time.process_time() - start
    result = {
        "model": name,
        "seed": seed,
        "params": n_params(model),
        "l2": float(history["l2"][-1]),
        "residual": float(history["test_residual"][-1]),
        "cpu_seconds": round(seconds, 1),
        "steps": list(range(0, steps + 1, s["every"])),
        "loss": [float(f"{v:.6g}") for v in history["loss"][:: s["every"]]],
        "l2_curve": [float(f"{v:.6g}") for v in history["l2"][:: s["every"]]],
    }
    if seed == 0:
        with torch.no_grad():
            error = (model(x_test) - poisson_solution(x_test))[:, 0]
        result["error_map"] = [float(f"{v:.4g}") for v in error.tolist()]
    return result


def main():
    jobs = [(name, seed) for seed in SETTINGS["seeds"] for name in ("KAN", "MLP")]
    runs, _, _ = pooled(_job, jobs, __doc__, workers=1)
    for r in runs:
        print(
            f"{r['model']} seed {r['seed']}: {r['params']} parameters, L2 {r['l2']:.2e}, residual "
            f"{r['residual']:.2e}, {r['cpu_seconds']:.0f} CPU s"
        )
    data = {
        "source": "experiments/kan_poisson.py",
        "problem": "u_xx + u_yy = f on [-1, 1]^2, u = 0 on the boundary, u = sin(pi x) sin(pi y^2)",
        "fairness": {
            **SETTINGS,
            "optimizer": "kan_edu.lbfgs.LBFGS(lr=1, history_size=10, max_iter=20), full batch, for both",
            "dtype": "float64",
            "kan": "KAN [2, 10, 1], grid 5, k 3, grid_range (-1, 1), no grid updates",
            "mlp": "MLP [2, 15, 15, 1], tanh, torch's default initialisation",
            "kan_params": runs[0]["params"],
            "mlp_params": runs[1]["params"],
        },
        "runs": runs,
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")))
    print("wrote", OUT, f"({OUT.stat().st_size / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
