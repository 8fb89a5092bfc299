"""experiments/isometry_depth.py: the measurements chapter 25 quotes, deeper than the chapter itself runs.

    .venv/bin/python experiments/isometry_depth.py [--jobs N]   # about 15 CPU minutes (N worker processes for
                                                                # part 4); writes kan_edu/data_files/isometry_depth.json

You are in the experiments folder: this script is not part of the test suite. It prints its measurements and
writes those that book/25-depth-without-limits.md states (parts 2 and 4) to the JSON file, which the chapter
reads and glues; tests/package/test_isometry.py recomputes one seed and compares. Everything is seeded, float64, one thread, width = batch
(n = d, the setting of the paper's theory, Meterez et al. 2024, arXiv 2310.02012). It prints

1. the isometry gap φ of an orthogonal + paper-BN linear chain (d = n = 32) at layers 0, 500 and 1000, and
   whether it fell at every layer; for Gaussian weights, φ's growth per layer and where it becomes infinite;
2. the change of the first layer's log-gradient norm from depth 10 to depth 1000, orthogonal against
   Gaussian weights, over five seeds;
3. the same for tanh and sin networks, unshaped (gain exponent 0) and shaped (0.4, the authors' value);
4. test accuracy on sklearn's digits after 150 SGD steps for 100-, 200- and 300-layer shaped tanh networks,
   orthogonal against Gaussian, over the five seeds (a seed draws the weights, the test digits and the
   batches), the cost per layer per step, and a standard-BN ReLU baseline.
"""

import json
import time
from pathlib import Path

import numpy as np
import torch
from _pool import pooled

from kan_edu import isometry as iso

torch.set_num_threads(1)
SEEDS = range(5)
OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "isometry_depth.json"


def forward_pass():
    phi = iso.gap_per_layer(width=32, batch=32, depth=1000, init="orthogonal")
    print("1. isometry gap, linear chain, paper BN, d = n = 32")
    print(
        f"   orthogonal: layer 0 {phi[0]:.3f}, layer 500 {phi[500]:.2e}, layer 1000 {phi[1000]:.2e}; "
        f"fell at every layer: {bool(np.all(np.diff(phi) <= 1e-12))}"
    )
    phi = iso.gap_per_layer(width=32, batch=32, depth=40, init="gaussian")
    first_inf = int(np.argmax(~np.isfinite(phi))) if not np.all(np.isfinite(phi)) else None
    finite = phi[np.isfinite(phi)]
    rate = np.polyfit(np.arange(len(finite)), finite, 1)[0]
    print(
        f"   gaussian:   layer 0 {phi[0]:.3f}, layer 5 {phi[5]:.2f}, growth {rate:+.2f} per layer while finite, "
        f"first infinite at layer {first_inf}"
    )


def gradients():
    print("2. first-layer log-gradient norm, depth 10 -> 1000, identity activation, paper BN, d = n = 32")
    out = {}
    for init in ("orthogonal", "gaussian"):
        runs = [iso.log_grad_norm_vs_depth([10, 1000], init=init, seed=s) for s in SEEDS]
        changes = [g[1] - g[0] for g in runs]
        out[init] = [float(c) for c in changes]
        print(
            f"   {init:10s} change per seed: "
            + ", ".join(f"{c:+.2f}" for c in changes)
            + f"  (depth 10 values {min(g[0] for g in runs):.2f} to {max(g[0] for g in runs):.2f})"
        )
    return {"log_grad_change_10_to_1000": out}


def shaping():
    print("3. activation shaping, orthogonal weights, paper BN, d = n = 32, seed 0")
    for act in ("tanh", "sin"):
        for gamma in (0.0, 0.4):
            g = iso.log_grad_norm_vs_depth([10, 1000], activation=act, gain_exponent=gamma)
            print(
                f"   {act:4s} gain exponent {gamma}: log-gradient {g[0]:6.2f} at depth 10, {g[1]:7.2f} at 1000, "
                f"change {g[1] - g[0]:+7.2f}"
            )


def _train(job):
    """One run of part 4, in a worker process: (final test accuracy, seconds per layer per step)."""
    torch.set_num_threads(1)
    depth, init, seed = job
    run = iso.train_deep_bn(depth=depth, init=init, steps=150, seed=seed)
    return float(run["final_accuracy"]), run["seconds"] / 150 / depth


def training():
    print("4. digits, shaped tanh (exponent 0.4), paper BN, width = batch = 64, 150 SGD steps, lr 0.05")
    todo = [(depth, init, seed) for depth in (300, 200, 100) for init in ("orthogonal", "gaussian") for seed in SEEDS]
    done = dict(zip(todo, pooled(_train, todo, __doc__)[0]))
    per_layer = [seconds for _, seconds in done.values()]
    accuracy = {}
    for depth in (100, 200, 300):
        row = accuracy[str(depth)] = {
            init: [done[(depth, init, s)][0] for s in SEEDS] for init in ("orthogonal", "gaussian")
        }
        ahead = sum(o > g for o, g in zip(row["orthogonal"], row["gaussian"]))
        print(
            f"   depth {depth}: "
            + ", ".join(f"{init} {', '.join(f'{100 * a:.1f}' for a in accs)}%" for init, accs in row.items())
            + f"; orthogonal ahead in {ahead} of {len(SEEDS)} seeds"
        )
    print(f"   cost: {1e3 * np.median(per_layer):.2f} ms per layer per step (median over runs, incl. evaluation)")
    print("   baseline, standard BN + ReLU, orthogonal, no shaping, same recipe:")
    for depth in (10, 100):
        run = iso.train_deep_bn(
            depth=depth, init="orthogonal", activation="relu", gain_exponent=0.0, norm="standard", steps=150
        )
        print(f"   depth {depth}: {100 * run['final_accuracy']:.1f}%")
    return {"digits_accuracy_by_depth": accuracy}


def main():
    start = time.perf_counter()
    results = {"seeds": list(SEEDS)}
    for part in (forward_pass, gradients, shaping, training):
        results.update(part() or {})
    OUT.write_text(json.dumps(results, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}; total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
