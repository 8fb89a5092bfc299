"""experiments/kan_scaling.py: test RMSE against parameter count, KANs against MLPs (results for chapter 24).

    python experiments/kan_scaling.py   # about ten minutes on one core; writes kan_edu/data_files/kan_scaling.json

Targets on [0, 1]² or [-1, 1]² (1000 training and 1000 test points, float64, seed 0):
- exp(sin(πx) + y²), the paper's toy function, with a [2, 1, 1] KAN;
- the Bessel function J_ν(x) = scipy.special.jv(ν, 10x) with ν, x in [0, 1], with a [2, 2, 1] KAN;
- the incomplete elliptic integral E(φ | m) = scipy.special.ellipeinc(φ, m), φ, m in [0, 1], [2, 2, 1] KAN.
KANs: grid extension G = 5, 10, 20, 50 (LBFGS, 100 steps per grid, grids adapted at the start).
MLPs: [2, w, w, 1] with tanh for w = 4, 8, 16, 32, 64 (LBFGS, 500 steps).
Both get three seeds (0, 1, 2) and the best test RMSE is kept: small networks of both kinds sometimes stall.
"""

import json
import time
from pathlib import Path

import scipy.special as sp
import torch

from kan_edu.data import make_function_dataset
from kan_edu.kan import KAN

torch.set_num_threads(1)
OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "kan_scaling.json"

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
    opt = torch.optim.LBFGS(net.parameters(), lr=1, history_size=10, line_search_fn="strong_wolfe", max_iter=20)
    x, y = data["train_input"], data["train_label"]
    for _ in range(500):

        def closure():
            opt.zero_grad()
            loss = torch.mean((net(x) - y) ** 2)
            loss.backward()
            return loss

        opt.step(closure)
    with torch.no_grad():
        rmse = float(torch.sqrt(torch.mean((net(data["test_input"]) - data["test_label"]) ** 2)))
    return sum(p.numel() for p in net.parameters()), rmse


def main():
    results = {}
    for name, (f, box, width) in TARGETS.items():
        start = time.process_time()
        data = make_function_dataset(f, 2, ranges=box, seed=0, dtype=torch.float64)
        runs = []
        for seed in (0, 1, 2):
            rows, model = [], KAN(width, grid=5, seed=seed, grid_range=box, dtype=torch.float64)
            for G in (5, 10, 20, 50):
                model = model if G == 5 else model.refine(G)
                h = model.fit(data, steps=100, update_grid=(G == 5), progress=False)
                rows.append((model.n_params(), float(h["test_loss"][-1]), G))
            runs.append(rows)
        kan_rows = [min((run[i] for run in runs), key=lambda r: r[1]) for i in range(4)]
        mlp_rows = []
        for w in (4, 8, 16, 32, 64):
            best = min((mlp_run(data, w, seed) for seed in (0, 1, 2)), key=lambda r: r[1])
            mlp_rows.append((*best, w))
        results[name] = {"kan": kan_rows, "mlp": mlp_rows, "kan_width": width}
        print(
            name,
            "KAN",
            [(p, f"{r:.1e}") for p, r, _ in kan_rows],
            "MLP",
            [(p, f"{r:.1e}") for p, r, _ in mlp_rows],
            f"{time.process_time() - start:.0f} CPU s",
        )
    OUT.write_text(json.dumps(results, indent=1))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
