"""Checks for chapter 2 (supervised learning): the least-squares loss of a line, and its closed-form fit."""

from __future__ import annotations

import numpy as np

from .. import regression
from ._core import answer, close, run
from ._core import is_number as _number
from ._core import scalar as _scalar

__all__ = ["least_squares_loss", "fit_line"]


def least_squares_loss(fn):
    """Check ``fn(phi0, phi1, x, y)``: the sum over examples of (phi0 + phi1 * x_i - y_i) ** 2."""
    rng = np.random.default_rng(11)
    x = np.linspace(-1.0, 2.0, 9)
    exact = 0.5 - 1.5 * x
    xr, yr = rng.uniform(-2, 2, 15), rng.normal(size=15)
    params = [tuple(rng.normal(size=2)) for _ in range(4)]

    def loss(p0, p1, xs, ys):
        return _scalar(answer(fn, p0, p1, xs, ys))

    return run(
        "least_squares_loss",
        [
            (
                "the loss is a single number",
                lambda: _number(answer(fn, 0.5, -1.5, x, exact)),
                "add up the squared residuals over all examples, so that many examples give one number.",
            ),
            (
                "the loss is zero for a line that passes through every point",
                lambda: close(loss(0.5, -1.5, x, exact), 0.0, atol=1e-9),
                "the residual of example i is the line's prediction at x_i minus y_i.",
            ),
            (
                "duplicating every example doubles the loss (it is a sum, not a mean)",
                lambda: close(loss(0.1, 0.2, np.r_[xr, xr], np.r_[yr, yr]), 2 * loss(0.1, 0.2, xr, yr)),
                "the chapter's loss adds the squared residuals; do not divide by the number of examples.",
            ),
            (
                "a line one unit too high everywhere has loss N (one per example)",
                lambda: close(loss(1.5, -1.5, x, exact), len(x)),
                "make the prediction phi0 + phi1 * x for every example before comparing it with y.",
            ),
            (
                "a line two units too high has loss 4N (residuals are squared)",
                lambda: close(loss(2.5, -1.5, x, exact), 4 * len(x)),
                "square each residual; absolute values or plain residuals give a different loss.",
            ),
            (
                "the loss is right for random data and random lines",
                lambda: all(
                    close(loss(p0, p1, xr, yr), regression.least_squares_loss(p0, p1, xr, yr)) for p0, p1 in params
                ),
                "phi0 is the offset and phi1 multiplies x; check the order of the arguments (phi0, phi1, x, y).",
            ),
        ],
    )


def fit_line(fn):
    """Check ``fn(x, y) -> (phi0, phi1)``: the least-squares line of a data set."""
    rng = np.random.default_rng(12)
    x_exact = np.linspace(-1.0, 3.0, 7)
    x = rng.uniform(-1, 3, 25)
    y = 0.3 + 0.8 * x + rng.normal(scale=0.5, size=25)
    x_far = rng.uniform(10.0, 12.0, 30)
    y_far = -4.0 + 0.5 * x_far + rng.normal(scale=0.2, size=30)

    def fitted(xs, ys):
        out = answer(fn, xs, ys)
        p0, p1 = (_scalar(v) for v in out)
        return p0, p1

    def two_numbers():
        out = answer(fn, x, y)
        return len(out) == 2 and all(_number(v) for v in out)

    def gradient_is_zero(xs, ys):
        p0, p1 = fitted(xs, ys)
        g0, g1 = regression.loss_gradient(p0, p1, xs, ys)
        scale = 1.0 + np.abs(ys).sum() + np.abs(xs * ys).sum()
        return abs(g0) < 1e-6 * scale and abs(g1) < 1e-6 * scale

    return run(
        "fit_line",
        [
            (
                "the answer is a pair of numbers (phi0, phi1)",
                two_numbers,
                "return the offset and the slope, in that order, for example as a tuple.",
            ),
            (
                "noise-free data on the line y = 2 - 0.5 x gives phi0 = 2 and phi1 = -0.5",
                lambda: close(fitted(x_exact, 2.0 - 0.5 * x_exact), (2.0, -0.5), atol=1e-8),
                "if the points lie exactly on a line, the best fit is that line (loss zero); return the offset "
                "first, then the slope.",
            ),
            (
                "on noisy data both partial derivatives of the loss vanish at your answer",
                lambda: gradient_is_zero(x, y),
                "set dL/dphi0 = 0 and dL/dphi1 = 0 and solve the two linear equations (the normal equations).",
            ),
            (
                "it also works for inputs far from zero (x between 10 and 12)",
                lambda: (
                    gradient_is_zero(x_far, y_far)
                    and close(fitted(x_far, y_far), regression.fit_line(x_far, y_far), rtol=1e-6)
                ),
                "centre the data first (subtract the means of x and y), then the slope is a ratio of two sums.",
            ),
        ],
    )
