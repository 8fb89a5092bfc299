"""kan_edu.shallow: shallow (one hidden layer) networks, in numpy, for chapter 3 and the comparisons later.

A shallow network with one input, D hidden units and activation a is (UDL chapter 3)

    y = φ₀ + Σ_d φ_d · a(θ_d0 + θ_d1 · x).

Each hidden unit contributes a *hinge* φ_d · a(θ_d0 + θ_d1 x); with ReLU the output is piecewise linear with
one joint per hidden unit, at x = −θ_d0 / θ_d1. This module computes the pieces that the chapter draws:
the hidden units' contributions, the joints, the linear regions of a 2-input network, the largest number
of regions D hyperplanes can make (Zaslavsky's count), and a network that interpolates a function with
evenly spaced hinges (a constructive view of universal approximation).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.special import erf

from ._validate import array, choice, function, number, ordered, size

__all__ = [
    "ACTIVATIONS",
    "activation",
    "shallow_1d",
    "joints_1d",
    "region_map_2d",
    "count_regions_2d",
    "max_regions",
    "hinge_interpolant",
]


def _relu(z):
    return np.maximum(z, 0.0)


#: Activation functions of the chapter, as numpy functions (names as used in the figures).
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": _relu,
    "leaky relu": lambda z: np.where(z > 0, z, 0.1 * z),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "softplus": lambda z: np.logaddexp(0.0, z),
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / math.sqrt(2.0))),
    "silu": lambda z: z / (1.0 + np.exp(-z)),
    "heaviside": lambda z: (z > 0).astype(float),
}


def activation(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The activation called ``name`` (see :data:`ACTIVATIONS`)."""
    return _activation(name, "name")


def _activation(value, argument: str = "act"):
    """:func:`activation` for a function whose argument ``argument`` names the activation."""
    return ACTIVATIONS[choice(argument, value, sorted(ACTIVATIONS))]


def _vector(name, v, length=None, like=None):
    return array(name, v, shape=(length,), like=like)


def shallow_1d(x, theta0, theta1, phi, act: str = "relu"):
    """Evaluate a 1-input shallow network and its parts.

    Parameters: ``x`` (N,), ``theta0`` and ``theta1`` (D,) the hidden units' offsets and slopes, ``phi``
    (D+1,) the output offset φ₀ followed by the output weights φ_1..φ_D.

    Returns ``(y, pre, h, contrib)``: the output (N,), the pre-activations θ_d0 + θ_d1 x (N, D), the
    activations a(pre) (N, D), and each unit's contribution φ_d · h_d (N, D); ``y = φ₀ + contrib.sum(1)``.
    """
    x = _vector("x", x)
    theta0 = _vector("theta0", theta0)
    theta1 = _vector("theta1", theta1, len(theta0), like="theta0")
    phi = _vector("phi", phi, len(theta0) + 1, like="theta0")
    pre = theta0[None, :] + x[:, None] * theta1[None, :]
    h = _activation(act)(pre)
    contrib = h * phi[None, 1:]
    return phi[0] + contrib.sum(axis=1), pre, h, contrib


def joints_1d(theta0, theta1) -> np.ndarray:
    """Where each ReLU unit switches on or off: x = −θ_d0/θ_d1 (NaN for a unit with zero slope)."""
    theta0 = _vector("theta0", theta0)
    theta1 = _vector("theta1", theta1, len(theta0), like="theta0")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(theta1 != 0, -theta0 / np.where(theta1 != 0, theta1, 1.0), np.nan)


def region_map_2d(W, b, lim: float = 2.0, res: int = 200):
    """Label every point of a res×res grid on [−lim, lim]² by its ReLU activation pattern.

    ``W`` (D, 2) and ``b`` (D,) are the hidden layer of a 2-input network. Points with the same pattern of
    active units lie in the same linear region (the regions of one layer are convex). Returns
    ``(labels (res, res) ints, xs (res,), ys (res,))`` with labels numbered 0, 1, ... by first appearance.
    """
    W = array("W", W, shape=(None, 2))
    b = _vector("b", b, W.shape[0], like="W")
    lim, res = number("lim", lim, low=0, low_open=True), size("res", res, minimum=2, maximum=4000)
    xs = np.linspace(-lim, lim, res)
    X, Y = np.meshgrid(xs, xs)
    active = (X[..., None] * W[:, 0] + Y[..., None] * W[:, 1] + b) > 0  # (res, res, D)
    codes = np.packbits(active, axis=-1, bitorder="little")
    codes = codes.reshape(res * res, -1)
    _, first, labels = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # renumber by first appearance, for stable colours
    return order[labels.ravel()].reshape(res, res), xs, xs


def count_regions_2d(W, b, lim: float = 2.0, res: int = 400) -> int:
    """How many linear regions of the 2-input ReLU layer (W, b) a res×res grid on [−lim, lim]² meets."""
    labels, _, _ = region_map_2d(W, b, lim, res)
    return int(labels.max()) + 1


def max_regions(n_hidden: int, n_inputs: int) -> int:
    """The most regions ``n_hidden`` hyperplanes can cut ℝ^``n_inputs`` into: Σ_{j=0}^{D_i} C(D, j).

    This is Zaslavsky's count for an arrangement in general position; it bounds the linear regions of a
    shallow ReLU network with that many hidden units and inputs (UDL section 3.3).
    """
    n_hidden, n_inputs = size("n_hidden", n_hidden, minimum=0, maximum=100_000), size("n_inputs", n_inputs)
    return sum(math.comb(n_hidden, j) for j in range(min(n_inputs, n_hidden) + 1))  # C(D, j) = 0 for j > D


def hinge_interpolant(f: Callable[[np.ndarray], np.ndarray], n_hidden: int, lo: float = 0.0, hi: float = 1.0):
    """A shallow ReLU network that interpolates ``f`` at n_hidden+1 evenly spaced points of [lo, hi].

    Unit d switches on at knot k_d (θ_d1 = 1, θ_d0 = −k_d) and its weight φ_d is the change of slope there,
    so the output is the piecewise-linear interpolant: more hidden units, smaller error (for a smooth f,
    the maximum error falls like 1/D²). Returns ``(theta0, theta1, phi)``.
    """
    f, n_hidden = function("f", f, "f(x) -> y"), size("n_hidden", n_hidden)
    lo, hi = ordered("lo", lo, "hi", hi)
    knots = np.linspace(lo, hi, int(n_hidden) + 1)
    values = np.asarray(f(knots), dtype=float).reshape(-1)
    if values.shape != knots.shape or not np.all(np.isfinite(values)):
        raise ValueError("f must return one finite value per input")
    slopes = np.diff(values) / np.diff(knots)
    theta0 = -knots[:-1]
    theta1 = np.ones(int(n_hidden))
    phi = np.concatenate([[values[0]], [slopes[0]], np.diff(slopes)])
    return theta0, theta1, phi
