"""Checks for linear models: several linear functions in matrix form and the collapse of a stack of them
(chapter 1), the least-squares loss of a line, its closed-form fit and the fit with several inputs (chapter 2)."""

from __future__ import annotations

import numpy as np

from .. import regression
from ._core import answer, close, is_float64, run
from ._core import is_number as _number
from ._core import scalar as _scalar

__all__ = ["linear_map", "collapse_linear", "least_squares_loss", "fit_line", "fit_linear"]


def _apply(x, beta, Omega):
    """The reference: output d of example n is beta[d] + sum_i Omega[d, i] x[n, i], written as a loop-free einsum."""
    return beta[None, :] + np.einsum("di,ni->nd", Omega, x)


def linear_map(fn):
    """Check ``fn(x, beta, Omega)``: beta + Omega x for every row x of ``x`` (N, D_i); returns (N, D_o)."""
    rng = np.random.default_rng(31)
    x, beta, Omega = rng.normal(size=(5, 3)), rng.normal(size=2), rng.normal(size=(2, 3))
    square = (rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(3, 3)))  # a transpose fits the shapes
    one = (rng.normal(size=(1, 4)), rng.normal(size=1), rng.normal(size=(1, 4)))

    def out(*args):
        return np.asarray(answer(fn, *[a.copy() for a in args]), dtype=float)

    def matches(case):
        return close(out(*case), _apply(*case), rtol=1e-9, atol=1e-12)

    return run(
        "linear_map",
        [
            (
                "5 examples, 3 inputs and 2 outputs give an array of shape (5, 2)",
                lambda: out(x, beta, Omega).shape == (5, 2),
                "one row per example and one column per output: Omega has shape (D_o, D_i), and each example's "
                "D_i inputs must meet the D_i columns of Omega.",
            ),
            (
                "the result is a numpy array of float64 numbers",
                lambda: is_float64(answer(fn, x.copy(), beta.copy(), Omega.copy()), array=True),
                "keep the result a numpy array in double precision: do not turn it into a list, and do not round "
                "it to float32.",
            ),
            (
                "with Omega = 0 every example's output is beta",
                lambda: close(out(x, beta, 0 * Omega), np.tile(beta, (5, 1))),
                "the offsets are added to every example's outputs, with a plus sign.",
            ),
            (
                "with beta = 0, output d is the dot product of row d of Omega with the example",
                lambda: close(out(x, 0 * beta, Omega), _apply(x, 0 * beta, Omega), rtol=1e-9),
                "row d of Omega holds the slopes of output d, one per input; pair input i with column i.",
            ),
            (
                "a square Omega (3 inputs, 3 outputs) is not transposed",
                lambda: matches(square),
                "when Omega is square the shapes cannot tell Omega from its transpose: entry (d, i) multiplies "
                "input i and contributes to output d.",
            ),
            (
                "a single example and a single output still give shape (1, 1) and the right value",
                lambda: out(*one).shape == (1, 1) and matches(one),
                "keep the two axes even when N or D_o is 1: do not squeeze the result.",
            ),
        ],
    )


def _collapse(betas, Omegas):
    beta, Omega = betas[0], Omegas[0]
    for b, W in zip(betas[1:], Omegas[1:]):
        beta, Omega = b + W @ beta, W @ Omega
    return beta, Omega


def collapse_linear(fn):
    """Check ``fn(betas, Omegas) -> (beta, Omega)``: the one linear map equal to the stack of linear layers."""
    rng = np.random.default_rng(32)

    def stack(widths):
        return [rng.normal(size=d) for d in widths[1:]], [rng.normal(size=(o, i)) for i, o in zip(widths, widths[1:])]

    single = stack([3, 2])
    square = stack([3, 3, 3])  # order and transposes fit the shapes here
    two = stack([4, 3, 2])
    deep = stack([2, 5, 1, 4, 3])
    probes = rng.normal(size=(6, 4))

    def pair(layers):
        out = answer(fn, [b.copy() for b in layers[0]], [W.copy() for W in layers[1]])
        beta, Omega = out
        return np.asarray(beta, dtype=float), np.asarray(Omega, dtype=float)

    def same_function(layers):
        beta, Omega = pair(layers)
        x = probes[:, : layers[1][0].shape[1]]
        h = x
        for b, W in zip(*layers):
            h = _apply(h, b, W)
        return beta.shape == layers[0][-1].shape and close(_apply(x, beta, Omega), h, rtol=1e-9, atol=1e-12)

    def right_shapes():
        beta, Omega = pair(two)
        return beta.shape == (2,) and Omega.shape == (2, 4)

    def no_offsets_matrix_only():
        zeros = ([0 * b for b in two[0]], two[1])
        beta, Omega = pair(zeros)
        return close(beta, np.zeros(2)) and close(Omega, two[1][1] @ two[1][0], rtol=1e-9)

    return run(
        "collapse_linear",
        [
            (
                "the answer is a pair (beta, Omega); a single layer collapses to itself",
                lambda: same_function(single) and close(pair(single)[1], single[1][0]),
                "return two arrays: the offset vector first, then the matrix. With one layer there is nothing to "
                "combine.",
            ),
            (
                "two layers 4 -> 3 -> 2 give beta of shape (2,) and Omega of shape (2, 4)",
                right_shapes,
                "the collapsed map takes the inputs of the first layer and gives the outputs of the last: think "
                "about which of the two matrices must stand on the left of the product.",
            ),
            (
                "with all offsets zero, the matrix is right",
                no_offsets_matrix_only,
                "apply the layers in turn to a vector x: the first layer's matrix touches x first. With square "
                "matrices both orders have the right shape but not the right values.",
            ),
            (
                "two and three square layers (3 -> 3 -> 3) give the same outputs as the stack",
                lambda: same_function(square) and same_function(two),
                "write the second layer applied to the first layer's output and expand the brackets: the first "
                "offset is changed by the layers that come after it.",
            ),
            (
                "four layers of different widths (2 -> 5 -> 1 -> 4 -> 3) give the same outputs as the stack",
                lambda: same_function(deep),
                "fold in one layer at a time, in the order they are applied, and treat every offset the same way.",
            ),
        ],
    )


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
                "the loss is a double-precision (float64) number",
                lambda: is_float64(answer(fn, 0.1, 0.2, xr, yr)),
                "keep numpy's float64: rounding the loss to float32 throws away about half of its digits.",
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
                "both numbers are double precision (float64)",
                lambda: all(is_float64(v) for v in answer(fn, x, y)),
                "compute in numpy's float64: data or results rounded to float32 keep only about 7 digits.",
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


def fit_linear(fn):
    """Check ``fn(X, y) -> (phi0, phi)``: the least-squares offset and slopes of y ≈ phi0 + X @ phi, X of shape
    (N, D_i)."""
    rng = np.random.default_rng(33)
    X = rng.normal(size=(40, 3))
    y = 0.7 + X @ np.array([1.5, -2.0, 0.25]) + rng.normal(scale=0.3, size=40)
    X_exact = rng.uniform(-1, 1, size=(8, 2))
    y_exact = -1.0 + X_exact @ np.array([0.5, 3.0])
    X_far = 1000.0 + rng.uniform(0, 1, size=(30, 2))  # far from zero: X^T X is ill-conditioned (about 1e14)
    y_far = 2.0 + X_far @ np.array([-1.0, 0.5]) + rng.normal(scale=0.1, size=30)
    x1 = rng.uniform(-1, 2, size=15)
    y1 = 0.2 - 0.6 * x1 + rng.normal(scale=0.2, size=15)

    def fitted(A, b):
        out = answer(fn, A.copy(), b.copy())
        phi0, phi = out
        return _scalar(phi0), np.asarray(phi, dtype=float).reshape(-1)

    def shapes():
        out = answer(fn, X.copy(), y.copy())
        return len(out) == 2 and _number(out[0]) and np.shape(out[1]) == (3,)

    def normal_equations_hold(A, b, tol):
        phi0, phi = fitted(A, b)
        design = np.c_[np.ones(len(A)), A]
        r = phi0 + A @ phi - b  # at the minimum the residuals are orthogonal to every column of [1, X]
        return phi.shape == (A.shape[1],) and np.abs(design.T @ r).max() < tol * np.abs(design.T @ b).max()

    return run(
        "fit_linear",
        [
            (
                "the answer is a pair (phi0, phi): one number, then one slope per input (shape (D_i,))",
                shapes,
                "return the offset first, as a single number, and then the vector of slopes, one per column of X.",
            ),
            (
                "noise-free data y = -1 + 0.5 x1 + 3 x2 gives phi0 = -1 and phi = (0.5, 3)",
                lambda: (
                    close(fitted(X_exact, y_exact)[0], -1.0, atol=1e-8)
                    and close(fitted(X_exact, y_exact)[1], [0.5, 3.0], atol=1e-8)
                ),
                "the offset is a parameter too: give the design matrix a column of ones, so that the model can "
                "move up and down as well as tilt.",
            ),
            (
                "with one input it agrees with the best line",
                lambda: close(
                    np.r_[fitted(x1[:, None], y1)[0], fitted(x1[:, None], y1)[1]],
                    regression.fit_line(x1, y1),
                    rtol=1e-8,
                    atol=1e-10,
                ),
                "with a single column in X the answer must be the line of the previous exercise.",
            ),
            (
                "on noisy data with 3 inputs the residuals sum to zero and are orthogonal to every input column",
                lambda: normal_equations_hold(X, y, 1e-10),
                "the least-squares parameters make every partial derivative of the loss zero: solve the normal "
                "equations of the design matrix with a column of ones and one column per input.",
            ),
            (
                "it stays accurate for inputs far from zero (between 1000 and 1001)",
                lambda: normal_equations_hold(X_far, y_far, 1e-11),
                "forming the inverse of X^T X loses digits when the columns are nearly parallel: let numpy solve "
                "the least-squares problem, or centre the inputs and outputs first.",
            ),
        ],
    )
