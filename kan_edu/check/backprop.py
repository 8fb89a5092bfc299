"""Checks for gradients and initialisation (chapter 7): the toy model's backward pass, a variance for leaky ReLU."""

from __future__ import annotations

import numpy as np

from .. import backprop
from ._core import answer, close, run

__all__ = ["toy_backward", "leaky_he_variance"]


def toy_backward(fn):
    """Check ``fn(x, y, phi)``: the gradient of the toy model's loss, in the order β₀, ω₀, β₁, ω₁, β₂, ω₂."""
    rng = np.random.default_rng(11)
    cases = [(float(rng.normal()), float(rng.normal()), rng.normal(size=6)) for _ in range(3)]
    xs, ys = rng.normal(size=5), rng.normal(size=5)

    def student(x, y, phi):
        return np.asarray(answer(fn, x, y, phi.copy()), dtype=float)

    def part(sl):
        return all(
            close(student(x, y, phi)[sl], backprop.toy_backward(x, y, phi)[sl], rtol=1e-6, atol=1e-9)
            for x, y, phi in cases
        )

    return run(
        "toy_backward",
        [
            (
                "the gradient has 6 entries, one per parameter",
                lambda: student(*cases[0]).shape == (6,),
                "return one derivative per entry of phi, in the same order.",
            ),
            (
                "the derivatives for beta2 and omega2 (the last stage) are right",
                lambda: part(slice(4, 6)),
                "start from dl/df = 2 (f - y); f = beta2 + omega2 * h2.",
            ),
            (
                "the derivatives for beta1 and omega1 are right",
                lambda: part(slice(2, 4)),
                "go back through h2 = sin(z1): multiply by omega2, then by the derivative of sin at the stored z1.",
            ),
            (
                "the derivatives for beta0 and omega0 are right",
                lambda: part(slice(0, 2)),
                "go back through z1 = beta1 + omega1 * h1 and h1 = tanh(z0); the derivative of tanh is 1 - tanh².",
            ),
            (
                "for arrays x and y the gradient is summed over the examples",
                lambda: close(student(xs, ys, cases[0][2]), backprop.toy_backward(xs, ys, cases[0][2]), rtol=1e-6),
                "the loss is a sum over examples, so its gradient is the sum of their gradients (np.sum).",
            ),
        ],
    )


def leaky_he_variance(fn):
    """Check ``fn(fan_in, slope)``: the weight variance that keeps pre-activations level through leaky ReLUs."""

    def value(D, a):
        return float(answer(fn, D, a))

    def keeps_level():
        D, a = 100, 0.3
        s2 = value(D, a)
        z = np.random.default_rng(0).normal(size=200_000)  # pre-activations of mean square 1
        h = np.where(z > 0, z, a * z)
        return np.isfinite(s2) and abs(s2 * D * np.mean(h * h) - 1) < 0.02  # next layer's mean square

    return run(
        "leaky_he_variance",
        [
            ("the answer is a positive number", lambda: value(64, 0.1) > 0, "a variance is positive."),
            (
                "with slope 0 (plain ReLU) it is He's 2 / D",
                lambda: np.isclose(value(64, 0.0), 2 / 64) and np.isclose(value(10, 0.0), 2 / 10),
                "half of the pre-activations are zeroed, so each layer halves the mean square.",
            ),
            (
                "with slope 1 (no nonlinearity) the variance is 1 / D",
                lambda: np.isclose(value(50, 1.0), 1 / 50),
                "a linear layer needs D * sigma² = 1.",
            ),
            (
                "it is right for any slope",
                lambda: all(
                    np.isclose(value(D, a), 2 / (D * (1 + a * a))) for D, a in [(32, 0.2), (100, 0.5), (7, -0.3)]
                ),
                "work out the mean of a(z)² for z ~ N(0, q): the positive half gives q/2, the negative half slope² · q/2.",
            ),
            (
                "a leaky ReLU layer initialised with it keeps the mean square of the pre-activations",
                keeps_level,
                "the next pre-activation sums D terms w * h, each of mean square sigma² times the mean of h².",
            ),
        ],
    )
