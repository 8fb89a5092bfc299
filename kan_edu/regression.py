"""kan_edu.regression: linear regression in one input, for chapter 2 (supervised learning).

The model is the straight line (UDL chapter 2)

    f[x, φ] = φ₀ + φ₁ · x,

and the least-squares loss over a training set {(x_i, y_i)} is

    L[φ] = Σ_i (φ₀ + φ₁ x_i − y_i)².

L is a quadratic function of the two parameters, so it can be drawn as a surface (a bowl) over the
(φ₀, φ₁) plane and minimised in closed form: setting both partial derivatives to zero gives the *normal
equations* (XᵀX) φ = Xᵀy with the design matrix X = [1, x]. This module evaluates the loss (also on a whole
grid of parameters at once, from five sums of the data), solves the normal equations, and fits polynomials
for the first look at under- and overfitting.
"""

from __future__ import annotations

import numpy as np

from ._validate import array as _finite
from ._validate import number, size

__all__ = [
    "line",
    "least_squares_loss",
    "loss_surface",
    "loss_gradient",
    "fit_line",
    "design_matrix",
    "fit_polynomial",
    "polynomial",
]


def _data(x, y=None):
    """A 1-D data set: ``x`` non-empty and 1-D, ``y`` (when given) of the same shape, all finite."""
    x = _finite("x", x, 1, empty=False)
    if y is None:
        return x
    return x, _finite("y", y, shape=x.shape, like="x")


def line(x, phi0, phi1):
    """The model f[x, φ] = φ₀ + φ₁ x, for an array ``x`` of any shape and scalar parameters."""
    x = _finite("x", x)
    return number("phi0", phi0) + number("phi1", phi1) * x


def least_squares_loss(phi0, phi1, x, y):
    """L[φ] = Σ_i (φ₀ + φ₁ x_i − y_i)², the *sum* (not the mean) of squared residuals.

    ``phi0`` and ``phi1`` may be scalars or arrays of the same shape (one loss per pair); ``x`` and ``y`` are
    the training inputs and outputs, shape (N,).
    """
    x, y = _data(x, y)
    phi0, phi1 = np.broadcast_arrays(_finite("phi0", phi0), _finite("phi1", phi1))
    residual = phi0[..., None] + phi1[..., None] * x - y  # (..., N)
    out = np.sum(residual**2, axis=-1)
    return float(out) if out.ndim == 0 else out


def loss_surface(x, y, phi0_values, phi1_values):
    """The loss on the grid ``phi0_values × phi1_values``: an array of shape (len(phi1), len(phi0)).

    Rows follow φ₁ and columns φ₀, as ``matplotlib``'s ``contour(phi0_values, phi1_values, L)`` expects.
    Expanding the square, L = Σy² − 2φ₀Σy − 2φ₁Σxy + Nφ₀² + 2φ₀φ₁Σx + φ₁²Σx², so the grid costs five sums of
    the data whatever its size.
    """
    x, y = _data(x, y)
    p0 = _finite("phi0_values", phi0_values, 1)
    p1 = _finite("phi1_values", phi1_values, 1)
    P0, P1 = np.meshgrid(p0, p1)
    n, sx, sy, sxx, sxy, syy = len(x), x.sum(), y.sum(), x @ x, x @ y, y @ y
    L = syy - 2 * P0 * sy - 2 * P1 * sxy + n * P0**2 + 2 * P0 * P1 * sx + P1**2 * sxx
    return np.maximum(L, 0.0)  # rounding can dip a hair below zero at an exact fit


def loss_gradient(phi0, phi1, x, y):
    """(∂L/∂φ₀, ∂L/∂φ₁) = (2 Σ r_i, 2 Σ x_i r_i) with residuals r_i = φ₀ + φ₁ x_i − y_i."""
    x, y = _data(x, y)
    r = number("phi0", phi0) + number("phi1", phi1) * x - y
    return 2.0 * r.sum(), 2.0 * (x @ r)


def fit_line(x, y):
    """The least-squares line: ``(phi0, phi1)`` solving the normal equations.

    φ₁ = Σ(x_i − x̄)(y_i − ȳ) / Σ(x_i − x̄)² and φ₀ = ȳ − φ₁ x̄ (centring first keeps it accurate when the
    inputs sit far from zero). Raises ValueError when the inputs are all equal: then every line through
    (x̄, ȳ) fits equally well and the minimum is not unique.
    """
    x, y = _data(x, y)
    if len(x) < 2:
        raise ValueError("need at least two examples to fit a line")
    xc, yc = x - x.mean(), y - y.mean()
    sxx = xc @ xc
    if sxx <= 1e-12 * np.square(max(1.0, np.abs(x).max())) * len(x):  # (np.square: inf, not an OverflowError)
        raise ValueError("all inputs x are equal: the slope is not determined (the loss has a flat valley)")
    phi1 = (xc @ yc) / sxx
    return float(y.mean() - phi1 * x.mean()), float(phi1)


def design_matrix(x, degree: int = 1):
    """The matrix with columns 1, x, x², ..., x^degree, shape (N, degree + 1)."""
    x = _data(x)
    return _powers(x, size("degree", degree, minimum=0, maximum=1000))


def _powers(x, degree: int):
    """1, x, ..., x^degree as columns, refused where they overflow (a huge x to a high power)."""
    with np.errstate(over="ignore"):
        return _finite(f"x to the powers 0..degree={degree}", x[:, None] ** np.arange(degree + 1))


def fit_polynomial(x, y, degree: int):
    """Least-squares polynomial coefficients (c₀, c₁, ..., c_degree), lowest power first.

    Solved with an orthogonal factorisation (``numpy.linalg.lstsq``) rather than the normal equations, which
    square the condition number. With more coefficients than distinct inputs the minimum-norm fit is returned.
    """
    x, y = _data(x, y)
    X = _powers(x, size("degree", degree, minimum=0, maximum=1000))
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    return coef


def polynomial(x, coef):
    """Evaluate Σ_k coef[k] x^k (lowest power first) at ``x`` of any shape."""
    x = _finite("x", x)
    coef = _finite("coef", coef, 1, empty=False)
    return np.polynomial.polynomial.polyval(x, coef)
