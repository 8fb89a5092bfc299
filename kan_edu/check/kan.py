"""Checks for the KAN chapters: B-splines by recursion, parameter counts, edge scores."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import BSpline

from ._core import answer, close, run

__all__ = ["bspline_recursion", "kan_param_count", "edge_score", "bspline_support"]


def bspline_recursion(fn):
    """Check ``fn(x, knots, k)``: all B-spline basis values, shape (len(x), len(knots) - k - 1), by recursion."""
    rng = np.random.default_rng(5)

    def matches(k, uniform):
        t = np.linspace(-1, 1, 11) if uniform else np.sort(rng.uniform(-1, 1, 11))
        x = np.linspace(t[k], t[len(t) - k - 1] - 1e-9, 37)
        ref = BSpline.design_matrix(x, t, k).toarray()  # scipy, an independent implementation
        return close(answer(fn, x, t, k), ref, rtol=1e-7, atol=1e-10)

    return run(
        "bspline_recursion",
        [
            (
                "order 0 gives the indicator of each knot interval",
                lambda: matches(0, True),
                "B_{i,0}(x) = 1 when t_i <= x < t_{i+1}, else 0; the output has len(knots) - 1 columns for k = 0.",
            ),
            (
                "order 1 gives the hat functions",
                lambda: matches(1, True),
                "raise the order with the Cox-de Boor formula: two neighbours of order k-1, weighted linearly in x.",
            ),
            (
                "orders 2 and 3 on a uniform grid",
                lambda: matches(2, True) and matches(3, True),
                "recurse from order 0 up to k; each order has one basis function fewer than the one before.",
            ),
            (
                "non-uniform knots",
                lambda: matches(3, False),
                "divide by the actual knot differences t_{i+k} - t_i and t_{i+k+1} - t_{i+1}, not by a constant spacing.",
            ),
        ],
    )


def _count(width, grid, k):
    return sum(a * b * (grid + k + 2) for a, b in zip(width[:-1], width[1:]))


def kan_param_count(fn):
    """Check ``fn(width, grid, k)``: the trainable numbers of a KAN (coefficients plus two scales per edge)."""
    cases = [([1, 1], 5, 3), ([2, 5, 1], 5, 3), ([2, 5, 1], 20, 3), ([4, 3, 2, 1], 10, 2), ([17, 1, 14], 3, 3)]
    return run(
        "kan_param_count",
        [
            (
                "a single edge [1, 1] is counted right",
                lambda: int(answer(fn, *cases[0])) == _count(*cases[0]),
                "one edge has G + k spline coefficients, plus its base scale w_b and spline scale w_s.",
            ),
            (
                "[2, 5, 1] at G = 5 and G = 20",
                lambda: all(int(answer(fn, *c)) == _count(*c) for c in cases[1:3]),
                "count the edges: every input of a layer connects to every output.",
            ),
            (
                "deeper and wider networks",
                lambda: all(int(answer(fn, *c)) == _count(*c) for c in cases[3:]),
                "sum over consecutive pairs of widths.",
            ),
        ],
    )


def edge_score(fn):
    """Check ``fn(phi)``: the paper's L1 score of each edge from its activations phi of shape (samples, in, out)."""
    rng = np.random.default_rng(9)
    phi = rng.normal(size=(50, 3, 2))

    return run(
        "edge_score",
        [
            (
                "the score has one number per edge, shape (in, out)",
                lambda: np.shape(answer(fn, phi)) == (3, 2),
                "average over the samples (axis 0), keep the edges.",
            ),
            (
                "scores are never negative and zero for a dead edge",
                lambda: (
                    np.all(np.asarray(answer(fn, phi)) >= 0)
                    and close(np.asarray(answer(fn, np.zeros((4, 2, 2)))), np.zeros((2, 2)))
                ),
                "take the absolute value before averaging: positive and negative parts must not cancel.",
            ),
            (
                "the score is the mean absolute activation",
                lambda: close(answer(fn, phi), np.abs(phi).mean(axis=0)),
                "|phi|_1 is the mean over samples of |phi(x_s)|, not the sum, and not the mean of squares.",
            ),
        ],
    )


def bspline_support(fn):
    """Check ``fn(x, G, k)``: indices of the B-splines non-zero at x, uniform grid of G intervals on [-1, 1]."""
    import torch

    from ..kan import bspline_basis, uniform_knots

    def matches(x, G, k):
        knots = uniform_knots(G, k, (-1, 1), dtype=torch.float64)[0]
        ref = torch.nonzero(bspline_basis(torch.tensor([x], dtype=torch.float64), knots, k)[0] > 0).flatten().tolist()
        got = sorted(int(i) for i in answer(fn, x, G, k))
        return got == ref

    return run(
        "bspline_support",
        [
            (
                "k + 1 bases are non-zero inside the grid",
                lambda: len(list(answer(fn, 0.3037, 10, 3))) == 4,
                "a B-spline of order k lives on k + 1 intervals, so k + 1 of them overlap at any point.",
            ),
            (
                "the indices are right for cubic splines",
                lambda: matches(0.3037, 200, 3) and matches(-0.7712, 10, 3),
                "find the interval j of the extended knot vector that contains x (mind the k extra knots on the left).",
            ),
            (
                "and for other orders and grids",
                lambda: matches(0.0531, 7, 1) and matches(0.5137, 5, 2),
                "the non-zero bases at interval j are numbers j - k up to j.",
            ),
        ],
    )
