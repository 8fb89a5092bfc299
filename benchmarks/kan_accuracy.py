"""benchmarks/kan_accuracy.py: accuracy per CPU second and interpretability of kan_edu's KANs (one core).

    python benchmarks/kan_accuracy.py

1. exp(sin(πx) + y²), [2,5,1], 1000 training points, grid extension 3 → 5 → 10 → 20 (40, 40, 40 and 60
   LBFGS steps): test RMSE and CPU time (the target: 1e-4 within 30 s).
2. [2,1,1] on the same function: test RMSE at G = 5, 10, 20, 50 and the fitted exponent of RMSE ∝ G^−α.
3. The symbolic pipeline: sparsify, prune, auto-symbolic, polish, formula.
4. x/y with x, y in [0.5, 2]: which functions the first and last layers' edges prefer.
"""

import time

import numpy as np
import torch

from kan_edu.data import make_function_dataset
from kan_edu.kan import KAN, tidy

torch.set_num_threads(1)


def f(x):
    return torch.exp(torch.sin(torch.pi * x[:, [0]]) + x[:, [1]] ** 2)


def main():
    ds = make_function_dataset(f, 2, dtype=torch.float64)
    start = time.process_time()
    model = KAN([2, 5, 1], grid=3, seed=0, dtype=torch.float64)
    for G, steps in ((3, 40), (5, 40), (10, 40), (20, 60)):
        model = model if G == 3 else model.refine(G)
        h = model.fit(ds, steps=steps, update_grid=(G == 3), progress=False)
        print(f"[2,5,1] G={G:3d}: test RMSE {h['test_loss'][-1]:.2e} after {time.process_time() - start:5.1f} CPU s")

    grids, rmse = (5, 10, 20, 50), []
    model = KAN([2, 1, 1], grid=5, seed=0, dtype=torch.float64)
    for G in grids:
        model = model if G == 5 else model.refine(G)
        h = model.fit(ds, steps=200, update_grid=(G == 5), progress=False)
        rmse.append(h["test_loss"][-1])
        print(f"[2,1,1] G={G:3d}: test RMSE {rmse[-1]:.2e}")
    alpha = -np.polyfit(np.log(grids[:3]), np.log(rmse[:3]), 1)[0]
    print(
        f"[2,1,1] RMSE ∝ G^-{alpha:.2f} between G = 5 and 20; G = 5 -> 50 ratio {rmse[0] / rmse[-1]:.0f} "
        f"(G^-3 would give {10**3:.0f})"
    )

    t = time.process_time()
    model = KAN([2, 5, 1], grid=5, seed=0, dtype=torch.float64)
    model.fit(ds, steps=50, lamb=0.01, progress=False)
    small = model.prune()
    small.fit(ds, steps=50, progress=False)
    chosen = small.auto_symbolic()
    rmse_sym = small.fit_constants(ds)
    expr = small.symbolic_formula(["x", "y"])[0]
    print(
        f"symbolic: pruned to {small.width}, edges {chosen}, RMSE {rmse_sym:.1e}, "
        f"{time.process_time() - t:.1f} CPU s\n  formula: {tidy(expr)}"
    )

    ds2 = make_function_dataset(lambda x: x[:, [0]] / x[:, [1]], 2, ranges=(0.5, 2.0), dtype=torch.float64)
    model = KAN([2, 1, 1], grid=5, seed=0, grid_range=(0.5, 2.0), dtype=torch.float64)
    model.fit(ds2, steps=100, progress=False)
    for l, i, j in [(0, 0, 0), (0, 1, 0), (1, 0, 0)]:
        print(
            f"x/y edge ({l},{i},{j}): "
            + ", ".join(f"{n} {r2:.5f}" for n, r2, _ in model.suggest_symbolic(l, i, j, topk=3))
        )


if __name__ == "__main__":
    main()
