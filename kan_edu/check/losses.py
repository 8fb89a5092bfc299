"""Checks for kan_edu.losses: a numerically stable softplus (chapter 1's warm-up), the Gaussian negative
log-likelihood, the binary cross-entropy from logits and softmax cross-entropy (chapter 5)."""

from __future__ import annotations

import math

import numpy as np

from .. import losses
from ._core import answer, close, is_float64, run
from ._core import is_number as _number
from ._core import scalar as _scalar

__all__ = ["softplus", "gaussian_nll", "binary_cross_entropy", "softmax_cross_entropy"]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def gaussian_nll(fn):
    """Check ``fn(y, mu, sigma)``: the summed negative log-likelihood of y under normal distributions."""
    rng = np.random.default_rng(21)
    y, mu = rng.normal(size=12), rng.normal(size=12)
    sigma = rng.uniform(0.3, 2.0, size=12)
    one = np.array([0.0])

    def nll(*args):
        return _scalar(answer(fn, *args))

    def reference():
        # an independent formula: the log of the normal density, written out
        density = np.exp(-((y - mu) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
        return close(nll(y, mu, sigma), -np.log(density).sum(), rtol=1e-7)

    return run(
        "gaussian_nll",
        [
            (
                "the answer is a single number",
                lambda: _number(answer(fn, y, mu, 1.0)),
                "add the negative log-likelihoods of all examples.",
            ),
            (
                "the answer is a double-precision (float64) number",
                lambda: is_float64(answer(fn, y, mu, sigma)),
                "keep numpy's float64: rounding the loss to float32 throws away about half of its digits.",
            ),
            (
                "y = mu with sigma = 1 gives 0.5 log(2 pi) = 0.919 for one example",
                lambda: close(nll(one, one, 1.0), _HALF_LOG_2PI),
                "keep the normalising constant of the density: it is what makes the probabilities integrate to one.",
            ),
            (
                "moving y two units from mu (sigma = 1) adds 2 to the loss",
                lambda: close(nll(one + 2.0, one, 1.0) - nll(one, one, 1.0), 2.0),
                "the distance enters as the squared difference divided by twice the variance.",
            ),
            (
                "a wider distribution costs log(sigma) at its centre",
                lambda: close(nll(one, one, math.e) - nll(one, one, 1.0), 1.0),
                "the density's height is 1 / sqrt(2 pi sigma^2); its negative log has a log(sigma) term.",
            ),
            (
                "sigma is the standard deviation: y one sigma away adds 1/2",
                lambda: close(nll(one + 3.0, one, 3.0) - nll(one, one, 3.0), 0.5),
                "divide the squared difference by sigma squared (the variance), not by sigma.",
            ),
            (
                "it adds over examples and accepts one sigma per example",
                reference,
                "sum the per-example values; sigma may be an array the same shape as y.",
            ),
        ],
    )


def binary_cross_entropy(fn):
    """Check ``fn(y, z)``: the summed -log Bernoulli(y | sigmoid(z)) over examples, from logits ``z``."""
    rng = np.random.default_rng(23)
    z = rng.normal(scale=2.0, size=15)
    y = (rng.uniform(size=15) < 0.5).astype(float)
    y[:2] = [0.0, 1.0]

    def bce(labels, logits):
        return _scalar(answer(fn, np.asarray(labels, dtype=float).copy(), np.asarray(logits, dtype=float).copy()))

    def reference():
        # independent: the Bernoulli probability of the observed label, written out, then -log (small logits only)
        lam = 1.0 / (1.0 + np.exp(-z))
        return close(bce(y, z), -np.log(np.where(y == 1, lam, 1 - lam)).sum(), rtol=1e-9)

    return run(
        "binary_cross_entropy",
        [
            (
                "the answer is a single number",
                lambda: _number(answer(fn, y.copy(), z.copy())),
                "add the losses of all examples.",
            ),
            (
                "a logit of 0 (probability 1/2) costs log 2 for either label",
                lambda: close(bce([0.0], [0.0]), math.log(2)) and close(bce([1.0], [0.0]), math.log(2)),
                "at z = 0 the sigmoid is 1/2, so either label has probability 1/2.",
            ),
            (
                "a positive logit makes y = 1 cheap and y = 0 expensive",
                lambda: (
                    close(bce([1.0], [3.0]), math.log1p(math.exp(-3.0)))
                    and close(bce([0.0], [3.0]), 3.0 + math.log1p(math.exp(-3.0)))
                ),
                "the sigmoid of z is the probability of y = 1; a label 0 pays minus the log of one minus it. Check "
                "which label goes with which term, and the sign of z.",
            ),
            (
                "it adds over examples (duplicating every example doubles it)",
                lambda: close(bce(np.r_[y, y], np.r_[z, z]), 2 * bce(y, z)),
                "the loss of eq. (5.11) is a sum over the examples, not a mean.",
            ),
            (
                "it matches the cross-entropy on 15 random examples with small logits",
                reference,
                "each example contributes minus the log of the probability the model gives its own label.",
            ),
            (
                "huge logits (z = 800 with y = 0, z = -1000 with y = 1) give finite, exact losses",
                lambda: close(bce([0.0, 1.0], [800.0, -1000.0]), 1800.0, rtol=1e-12),
                "never form the probability itself: 1 - sigmoid(800) rounds to 0 and exp(800) overflows. Write "
                "the loss in terms of z, as in the chapter, with an exponential that only sees negative numbers.",
            ),
        ],
    )


def softmax_cross_entropy(fn):
    """Check ``fn(labels, logits)``: the summed -log softmax(logits)[label] over examples."""
    rng = np.random.default_rng(22)
    N, K = 10, 4
    z = rng.normal(size=(N, K))
    labels = rng.integers(0, K, size=N)
    shift = rng.normal(scale=3.0, size=(N, 1))

    def ce(lab, logits):
        return _scalar(answer(fn, np.array(lab), np.array(logits, dtype=float)))  # copies: the data stay intact

    def leaves_logits():
        logits, lab = 5 * z + 1.0, labels.copy()
        answer(fn, lab, logits)
        return np.array_equal(logits, 5 * z + 1.0) and np.array_equal(lab, labels)

    far_rows = np.array([[1000.0, 999.0], [-1000.0, -1001.0]])  # each row needs its own maximum
    expected_far = 1.0 + 2 * math.log1p(math.exp(-1.0))

    def reference():
        # independent: probabilities by the naive formula (fine for these small logits), then -log
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return close(ce(labels, z), -np.log(p[np.arange(N), labels]).sum(), rtol=1e-7)

    huge = np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 799.0]])
    expected_huge = 1000.0 + (800.0 - 799.0 + math.log1p(math.exp(-1.0)))

    return run(
        "softmax_cross_entropy",
        [
            (
                "the answer is a single number",
                lambda: _number(answer(fn, labels.copy(), z.copy())),
                "add the losses of all examples.",
            ),
            (
                "equal logits over K classes cost log K per example",
                lambda: close(ce(labels, np.zeros((N, K))), N * math.log(K)),
                "with equal logits every class has probability 1/K; each example costs minus the log of its true "
                "class's probability, and the costs are added (not averaged) over the examples.",
            ),
            (
                "it matches the cross-entropy on small random logits",
                reference,
                "turn the logits into probabilities with the softmax, pick the entry of the true label in each row, "
                "and add minus their logs.",
            ),
            (
                "adding a constant to a row of logits changes nothing",
                lambda: close(ce(labels, z + shift), ce(labels, z), rtol=1e-7),
                "the softmax only sees differences between logits; a constant cancels between top and bottom.",
            ),
            (
                "huge logits (like 1000) give a finite, exact loss",
                lambda: close(ce(np.array([1, 2]), huge), expected_huge, rtol=1e-9),
                "exp(1000) overflows: subtract each row's largest logit before exponentiating (the log-sum-exp trick).",
            ),
            (
                "rows whose logits lie far apart (about 1000 and about -1000) each give an exact loss",
                lambda: close(ce(np.array([1, 0]), far_rows), expected_far, rtol=1e-9),
                "one shift for the whole array still makes exp underflow to 0 in a row far below the largest "
                "logit: shift every row by its own maximum (along the class axis, kept as a column).",
            ),
            (
                "the labels and logits passed in are left unchanged",
                leaves_logits,
                "do not subtract from the logits in place (-=): that changes the caller's array; build a new one.",
            ),
            (
                "the loss agrees with kan_edu.losses on a larger random problem",
                lambda: close(ce(labels, 5 * z), losses.categorical_nll(labels, 5 * z), rtol=1e-7),
                "work row by row: one softmax over the K logits of each example.",
            ),
        ],
    )


def softplus(fn):
    """Check a numerically stable softplus(z) = log(1 + exp(z)) written with numpy."""
    z = np.linspace(-30.0, 30.0, 121)
    ref = np.logaddexp(0.0, z)  # an independent, stable reference

    def values_match():
        out = np.asarray(answer(fn, z), dtype=float)
        return out.shape == z.shape and np.allclose(out, ref, rtol=1e-6, atol=1e-12)

    def double_precision_array():
        z_in = z.copy()
        out = answer(fn, z_in)
        return is_float64(out, array=True) and np.array_equal(z_in, z)

    def no_overflow():
        with np.errstate(over="raise", invalid="raise"):
            big = np.asarray(answer(fn, np.array([800.0, 1000.0])), dtype=float)
        return np.all(np.isfinite(big)) and np.allclose(big, [800.0, 1000.0])

    def tiny_for_negative():
        small = np.asarray(answer(fn, np.array([-800.0, -50.0])), dtype=float)
        # atol=0: an answer of 0 where the truth is 2e-22 is a total loss of precision, not a small error
        return np.all(small >= 0) and small[0] < 1e-300 and np.isclose(small[1], np.exp(-50.0), rtol=1e-6, atol=0.0)

    return run(
        "softplus",
        [
            (
                "softplus(z) equals log(1 + exp(z)) for z in [-30, 30], element-wise with the input's shape",
                values_match,
                "compute log(1 + exp(z)) with numpy functions applied element-wise to the array.",
            ),
            (
                "the result is a new float64 numpy array, and the input is left unchanged",
                double_precision_array,
                "keep numpy's double precision (no float32, no list), and do not overwrite the input in place.",
            ),
            (
                "large inputs (z = 800, 1000) give finite results close to z, without overflow",
                no_overflow,
                "exp(800) overflows. Use the identity of section 1.6 so that, for positive z, only the exponential "
                "of a negative number is ever computed.",
            ),
            (
                "very negative inputs give tiny non-negative results (about exp(z))",
                tiny_for_negative,
                "for z < 0, log(1 + exp(z)) is close to exp(z): 1 + 2e-22 rounds to exactly 1, so adding 1 before "
                "taking the log throws the answer away. numpy has a log that takes the small number itself.",
            ),
        ],
    )
