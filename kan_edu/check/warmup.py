"""Checks for the background-math warm-up (exp, log and numerical stability)."""
from __future__ import annotations

import numpy as np

from ._core import answer, run

__all__ = ["softplus"]


def softplus(fn):
    """Check a numerically stable softplus(z) = log(1 + exp(z)) written with numpy."""
    z = np.linspace(-30.0, 30.0, 121)
    ref = np.logaddexp(0.0, z)  # an independent, stable reference

    def values_match():
        out = np.asarray(answer(fn, z), dtype=float)
        return out.shape == z.shape and np.allclose(out, ref, rtol=1e-6, atol=1e-12)

    def no_overflow():
        with np.errstate(over="raise", invalid="raise"):
            big = np.asarray(answer(fn, np.array([800.0, 1000.0])), dtype=float)
        return np.all(np.isfinite(big)) and np.allclose(big, [800.0, 1000.0])

    def tiny_for_negative():
        small = np.asarray(answer(fn, np.array([-800.0, -50.0])), dtype=float)
        return np.all(small >= 0) and small[0] < 1e-300 and np.isclose(small[1], np.exp(-50.0), rtol=1e-6)

    return run("softplus", [
        ("softplus(z) equals log(1 + exp(z)) for z in [-30, 30], element-wise with the input's shape",
         values_match, "compute log(1 + exp(z)) with numpy functions applied element-wise to the array."),
        ("large inputs (z = 800, 1000) give finite results close to z, without overflow",
         no_overflow, "exp(800) overflows. For z > 0, log(1 + exp(z)) = z + log(1 + exp(-z)): only exp of a "
                      "negative number is ever needed (np.log1p helps too)."),
        ("very negative inputs give tiny non-negative results (about exp(z))",
         tiny_for_negative, "for z < 0, log(1 + exp(z)) is close to exp(z); np.log1p keeps that precision."),
    ])
