"""Checks for chapter 8 (measuring performance): the bias-variance split and the volume near a sphere's surface."""

from __future__ import annotations

import numpy as np

from .. import performance
from ._core import answer, close, run

__all__ = ["bias_variance", "shell_fraction"]


def _is_pair(out) -> bool:
    return isinstance(out, (tuple, list)) and len(out) == 2 and all(np.ndim(v) == 0 for v in out)


def _pair(out):
    if not _is_pair(out):
        return np.nan, np.nan  # fails every comparison; the first property already says what to return
    return float(out[0]), float(out[1])


def bias_variance(fn):
    """Check ``fn(predictions, f_true) -> (bias2, variance)``: predictions (K models, T inputs), f_true (T,)."""
    rng = np.random.default_rng(11)
    f = rng.normal(size=25)
    preds = f + 0.4 + rng.normal(scale=0.7, size=(40, 25))
    ref = performance.decompose(preds, f, 0.0)

    def shape_ok():
        return _is_pair(answer(fn, preds, f))

    def perfect():
        b, v = _pair(answer(fn, np.tile(f, (5, 1)), f))
        return abs(b) < 1e-12 and abs(v) < 1e-12

    def shifted():
        b, v = _pair(answer(fn, np.tile(f + 0.5, (6, 1)), f))
        return close(b, 0.25) and abs(v) < 1e-12

    def adds_up():
        b, v = _pair(answer(fn, preds, f))
        return close(b + v, np.mean((preds - f) ** 2), rtol=1e-8)

    def matches():
        b, v = _pair(answer(fn, preds, f))
        return close(b, ref["bias2"], rtol=1e-8) and close(v, ref["variance"], rtol=1e-8)

    return run(
        "bias_variance",
        [
            (
                "the function returns two numbers, (bias2, variance)",
                shape_ok,
                "average over the models (axis 0) first, then over the test inputs, so each answer is one number.",
            ),
            (
                "models that all equal the truth have zero bias and zero variance",
                perfect,
                "the bias compares the average model with f_true; the variance compares each model with the average model.",
            ),
            (
                "models that all equal f_true + 0.5 have bias2 = 0.25 and variance 0",
                shifted,
                "square the difference between the mean prediction and f_true, then average over the inputs.",
            ),
            (
                "bias2 + variance equals the mean squared difference between the models and f_true",
                adds_up,
                "use the population variance (divide by K, numpy's default ddof=0), and the same averages in both terms.",
            ),
            (
                "both numbers match the decomposition on a random example",
                matches,
                "bias2 = mean over inputs of (mean over models - f_true)^2; variance = mean over inputs of the variance "
                "over models.",
            ),
        ],
    )


def shell_fraction(fn):
    """Check ``fn(dim, eps)``: the fraction of a unit ball's volume within ``eps`` of its surface."""
    cases = [(1, 0.3), (2, 0.5), (3, 0.1), (10, 0.05), (100, 0.01), (1000, 0.001), (7, 0.9)]

    def val(d, e):
        return float(answer(fn, d, e))

    return run(
        "shell_fraction",
        [
            (
                "a shell of width 0 holds no volume, and a shell of width 1 holds all of it",
                lambda: close(val(5, 0.0), 0.0) and close(val(5, 1.0), 1.0),
                "the inner ball has radius 1 - eps; what fraction of the volume does it take?",
            ),
            (
                "in one dimension the shell fraction is eps itself",
                lambda: close(val(1, 0.3), 0.3),
                "in 1-D the 'ball' is the interval [-1, 1] and its 'shell' is the two ends of length eps.",
            ),
            (
                "in two dimensions, a shell of width 0.5 holds 3/4 of the disc",
                lambda: close(val(2, 0.5), 0.75),
                "the area of a disc grows like r^2.",
            ),
            (
                "the fraction is right in higher dimensions too",
                lambda: all(close(val(d, e), float(performance.shell_fraction(d, e)), rtol=1e-6) for d, e in cases),
                "the volume of a d-dimensional ball is proportional to r^d.",
            ),
        ],
    )
