"""Checks for variational autoencoders: the KL term, the reparameterisation and score-function gradient
estimators, and the importance-sampled log-likelihood."""

from __future__ import annotations

import numpy as np

from .. import vae
from ._core import answer, close, run, unbiased

__all__ = ["kl_gaussian", "reparam_gradient", "score_gradient", "importance_log_likelihood"]


def _kl(mu, logvar):
    return 0.5 * (mu**2 + np.exp(logvar) - 1.0 - logvar).sum(axis=-1)


def kl_gaussian(fn):
    """Check ``fn(mu, logvar)``: KL(N(mu, diag exp(logvar)) || N(0, I)) of each row, shape (N,)."""
    rng = np.random.default_rng(17)
    mu, logvar = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    zeros = np.zeros((2, 3))

    def student(m, lv):
        return np.asarray(answer(fn, m.copy(), lv.copy()), dtype=float)

    return run(
        "kl_gaussian",
        [
            (
                "there is one KL per row (shape (N,)) for mu and logvar of shape (N, d)",
                lambda: student(mu, logvar).shape == (6,),
                "the KL of a diagonal Gaussian adds up the KL of each latent dimension: reduce over the last axis.",
            ),
            (
                "the KL is 0 when q is the prior (mu = 0, logvar = 0)",
                lambda: close(student(zeros, zeros), np.zeros(2), atol=1e-10),
                "at mu = 0 and logvar = 0 the variance is exp(0) = 1: check the constant term of each dimension.",
            ),
            (
                "with unit variance the KL is half the squared length of mu",
                lambda: close(student(mu, np.zeros_like(mu)), 0.5 * (mu**2).sum(-1)),
                "the mean's part of the KL of one dimension is mu^2 / 2, positive and summed over the dimensions "
                "(not averaged).",
            ),
            (
                "the KL matches the closed form for random mu and logvar",
                lambda: close(student(mu, logvar), _kl(mu, logvar)),
                "logvar is the log of the variance, not the variance itself and not the log of the standard "
                "deviation; and the KL is >= 0 for every row (check the sign).",
            ),
            (
                "the KL is finite and right for a very confident q (logvar = -30)",
                lambda: close(student(mu[:2], np.full((2, 3), -30.0)), _kl(mu[:2], np.full((2, 3), -30.0))),
                "work with logvar directly: taking log(exp(logvar)) or dividing by the variance loses it when it is "
                "tiny.",
            ),
        ],
    )


def _f(z):
    return np.sin(2 * z) + 0.5 * z**2


def _df(z):
    return 2 * np.cos(2 * z) + z


def _f_torch(z):
    import torch

    return torch.sin(2 * z) + 0.5 * z**2


def reparam_gradient(fn):
    """Check ``fn(df, mu, log_sigma, eps)``: one reparameterisation estimate of d/d(mu, log sigma) E[f(z)] per
    draw ``eps`` (n,), shape (n, 2), where ``df(z)`` is f'(z)."""
    eps = np.random.default_rng(11).standard_normal(20_000)
    few = eps[:5]
    mu, log_sigma = 0.3, -0.4
    exact = vae.expected_gradient(_f_torch, mu, log_sigma)

    def student(df, m, ls, e):
        return np.asarray(answer(fn, df, m, ls, e.copy()), dtype=float)

    def identity_derivative(z):
        return np.ones_like(z)

    sigma = np.exp(log_sigma)
    reference_few = np.stack([_df(mu + sigma * few), _df(mu + sigma * few) * sigma * few], axis=1)
    return run(
        "reparam_gradient",
        [
            (
                "there is one estimate (d/dmu, d/dlog sigma) per draw of eps (shape (n, 2))",
                lambda: student(_df, mu, log_sigma, few).shape == (5, 2),
                "stack the two derivatives as the two columns, one row per eps.",
            ),
            (
                "for f(z) = z the estimates are the derivatives of z itself by mu and by log sigma",
                lambda: close(
                    student(identity_derivative, mu, log_sigma, few), np.stack([np.ones(5), sigma * few], axis=1)
                ),
                "by the chain rule, d/dtheta f(z) = f'(z) dz/dtheta; the scale of eps in z is the standard "
                "deviation exp(log_sigma), not the variance, and d sigma / d log sigma is not 1.",
            ),
            (
                "the estimates for f(z) = sin(2z) + z^2/2 match the reference draw by draw",
                lambda: close(student(_df, mu, log_sigma, few), reference_few),
                "evaluate f' at the reparameterised sample, not at the mean mu: each eps gives its own z.",
            ),
            (
                "the average of 20,000 estimates is within 5 standard errors of the exact gradient",
                lambda: all(unbiased(student(_df, mu, log_sigma, eps)[:, j], exact[j]) for j in range(2)),
                "an unbiased estimator averages to the true gradient: check the sign and each factor of the chain "
                "rule.",
            ),
        ],
    )


def score_gradient(fn):
    """Check ``fn(f, mu, log_sigma, eps)``: one score-function (REINFORCE) estimate of d/d(mu, log sigma) E[f(z)]
    per draw ``eps`` (n,), shape (n, 2), using only values of ``f``."""
    eps = np.random.default_rng(12).standard_normal(100_000)
    few = eps[:5]
    mu, log_sigma = 0.3, -0.4
    sigma = np.exp(log_sigma)
    exact = vae.expected_gradient(_f_torch, mu, log_sigma)
    z = mu + sigma * few
    reference_few = np.stack([_f(z) * few / sigma, _f(z) * (few**2 - 1)], axis=1)

    def student(f, m, ls, e):
        return np.asarray(answer(fn, f, m, ls, e.copy()), dtype=float)

    def one(z):
        return np.ones_like(z)

    return run(
        "score_gradient",
        [
            (
                "there is one estimate (d/dmu, d/dlog sigma) per draw of eps (shape (n, 2))",
                lambda: student(_f, mu, log_sigma, few).shape == (5, 2),
                "stack the two derivatives as the two columns, one row per eps.",
            ),
            (
                "for f = 1 the estimates average to 0 (the score has mean zero)",
                lambda: all(unbiased(student(one, mu, log_sigma, eps)[:, j], 0.0) for j in range(2)),
                "write the derivative of log N(z; mu, sigma^2) by mu and by log sigma: the log sigma part has a "
                "constant from the normalising factor 1/sigma, which keeps its mean at zero.",
            ),
            (
                "the estimates for f(z) = sin(2z) + z^2/2 match the reference draw by draw",
                lambda: close(student(_f, mu, log_sigma, few), reference_few),
                "differentiate log N(z; mu, sigma^2) by mu, then write z - mu in terms of eps: mind the power of "
                "sigma; the sample's scale is the standard deviation, not the variance; and the score multiplies "
                "f(z), not f'(z).",
            ),
            (
                "the average of 100,000 estimates is within 5 standard errors of the exact gradient",
                lambda: all(unbiased(student(_f, mu, log_sigma, eps)[:, j], exact[j]) for j in range(2)),
                "check the sign of the score: raising the probability of samples with large f must raise E[f].",
            ),
        ],
    )


def importance_log_likelihood(fn):
    """Check ``fn(log_w)``: log of the mean of exp(log_w) over the K importance samples of each row, (N, K) → (N,)."""
    rng = np.random.default_rng(13)
    log_w = rng.normal(size=(4, 6))
    equal = np.full((3, 5), -2.5)
    far = log_w - 1500.0
    from scipy.special import logsumexp

    def reference(a):
        return logsumexp(a, axis=1) - np.log(a.shape[1])

    def student(a):
        return np.asarray(answer(fn, a.copy()), dtype=float)

    return run(
        "importance_log_likelihood",
        [
            (
                "there is one estimate per row (shape (N,) for log_w of shape (N, K))",
                lambda: student(log_w).shape == (4,),
                "the K importance samples of one data point lie along the last axis: reduce over that axis.",
            ),
            (
                "K equal weights give that weight back",
                lambda: close(student(equal), np.full(3, -2.5)),
                "the estimate is the log of the MEAN of the weights: with K equal weights it must not depend on K.",
            ),
            (
                "the estimate matches the reference for moderate log-weights",
                lambda: close(student(log_w), reference(log_w)),
                "average the weights themselves, then take the log; the mean of the log-weights is only a lower "
                "bound (the ELBO), not the estimate.",
            ),
            (
                "log-weights around -1500 (a 64-pixel image easily has them) give a finite, correct answer",
                lambda: close(student(far), reference(far), rtol=1e-9),
                "exp(-1500) is 0 in floating point: take the largest log-weight of each row out before "
                "exponentiating, and add it back after the log.",
            ),
        ],
    )
