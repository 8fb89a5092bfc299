"""experiments/isometry_depth.py: the isometry chapter's measurements, deeper and wider than the chapter runs.

    python experiments/isometry_depth.py          # about a minute on one core

Prints φ at layer 500 and 1000 (orthogonal + paper BN, d = n = 32, float64), the first-layer log-gradient
change from depth 10 to 1000 for orthogonal and Gaussian weights over five seeds, shaped against unshaped
tanh and sin at depth 1000, and the test accuracy of 100-, 200- and 300-layer networks trained on the digits.
"""
import time

import numpy as np
import torch

from kan_edu import isometry as iso

torch.set_num_threads(1)


def main():
    start = time.perf_counter()
    phi = iso.gap_per_layer(width=32, batch=32, depth=1000, init="orthogonal")
    print(f"phi, orthogonal + BN, d = n = 32: layer 0 {phi[0]:.3f}, layer 500 {phi[500]:.2e}, "
          f"layer 1000 {phi[1000]:.2e}, monotone {bool(np.all(np.diff(phi) <= 1e-12))}")
    for init in ("orthogonal", "gaussian"):
        changes = [np.ptp(iso.log_grad_norm_vs_depth([10, 1000], init=init, seed=s)) *
                   np.sign(np.diff(iso.log_grad_norm_vs_depth([10, 1000], init=init, seed=s))[0]) for s in range(5)]
        print(f"log-gradient change, depth 10 -> 1000, {init}: " + ", ".join(f"{c:+.2f}" for c in changes))
    for act in ("tanh", "sin"):
        for gamma in (0.0, 0.4):
            g = iso.log_grad_norm_vs_depth([10, 1000], activation=act, gain_exponent=gamma)
            print(f"{act} gamma {gamma}: log-gradient change depth 10 -> 1000 = {g[1] - g[0]:+.2f}")
    for depth in (100, 200, 300):
        for init in ("orthogonal", "gaussian"):
            run = iso.train_deep_bn(depth=depth, init=init, steps=150)
            print(f"depth {depth} {init}: test accuracy {run['final_accuracy']:.3f}")
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
