"""Checks for diffusion models: the diffusion kernel, the posterior of the forward process and one DDIM step."""

from __future__ import annotations

import numpy as np

from .. import diffusion
from ._core import answer, close, run

__all__ = ["diffusion_kernel", "diffusion_posterior", "ddim_step"]

#: A schedule whose betas change from step to step (a constant one hides mistakes in the product).
BETAS = np.linspace(0.02, 0.3, 12)


def _pair(out):
    """The student's (mean, std) as two float arrays; a wrong structure fails the property that reads it."""
    mean, std = out
    return np.asarray(mean, dtype=float), np.asarray(std, dtype=float)


def diffusion_kernel(fn):
    """Check ``fn(x, t, betas)`` -> ``(mean, std)`` of q(z_t | x), steps t counted from 1."""
    rng = np.random.default_rng(18)
    x = rng.normal(size=(5, 2))
    ref = {t: diffusion.diffusion_kernel(x, t, BETAS) for t in (1, 4, 12)}

    def student(t):
        return _pair(answer(fn, x.copy(), t, BETAS.copy()))

    def matches(t):
        mean, std = student(t)
        return close(mean, ref[t][0]) and close(np.broadcast_to(std, x.shape), np.broadcast_to(ref[t][1], x.shape))

    def unit_total(t):
        mean, std = student(t)
        scale = mean / x
        return close(scale**2 + np.broadcast_to(std, x.shape) ** 2, np.ones_like(x), rtol=1e-6)

    return run(
        "diffusion_kernel",
        [
            (
                "it returns a pair (mean, std) with the mean shaped like x",
                lambda: student(4)[0].shape == x.shape,
                "return two things: the mean of z_t (one per entry of x) and the standard deviation.",
            ),
            (
                "(mean / x)^2 + std^2 = 1 at every step",
                lambda: unit_total(4) and unit_total(12),
                "the signal's share and the noise's share of the variance add up to one; if yours add to more "
                "or less, you may be returning the variance where the standard deviation is asked for, or the "
                "mean scaled by alpha_bar instead of its square root.",
            ),
            (
                "after one step (t = 1) the kernel is the single noising step itself",
                lambda: matches(1),
                "t counts steps from 1: at t = 1 exactly one beta, beta_1 = betas[0], has acted (check the "
                "range of your product or power for an off-by-one).",
            ),
            (
                "the mean and std match the forward process at t = 4 and t = 12 on a schedule whose betas change",
                lambda: matches(4) and matches(12),
                "alpha_bar_t multiplies (1 - beta_s) over every step s up to t, each with its own beta; "
                "(1 - beta_t) alone, or raised to the power t, is right only for one step or a constant schedule.",
            ),
        ],
    )


def diffusion_posterior(fn):
    """Check ``fn(x, z_t, t, betas)`` -> ``(mean, std)`` of q(z_(t-1) | z_t, x)."""
    rng = np.random.default_rng(81)
    x, z = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    x2, z2 = rng.normal(size=(6, 2)), 3 * rng.normal(size=(6, 2))

    def student(a, b, t):
        return _pair(answer(fn, a.copy(), b.copy(), t, BETAS.copy()))

    def std_matches(t):
        return close(
            np.broadcast_to(student(x, z, t)[1], x.shape), np.full(x.shape, diffusion.posterior_q(x, z, t, BETAS)[1])
        )

    return run(
        "diffusion_posterior",
        [
            (
                "it returns a pair (mean, std) with the mean shaped like x",
                lambda: student(x, z, 5)[0].shape == x.shape,
                "return two things: the mean of z_(t-1) (one per entry of x) and the standard deviation.",
            ),
            (
                "the std is the same for every x and z_t",
                lambda: close(
                    np.broadcast_to(student(x, z, 5)[1], x.shape), np.broadcast_to(student(x2, z2, 5)[1], x.shape)
                ),
                "the posterior of two Gaussians has a variance set by the schedule alone; x and z_t move only "
                "the mean.",
            ),
            (
                "at t = 1 the posterior is certain: mean x and std 0",
                lambda: close(student(x, z, 1)[0], x) and close(np.broadcast_to(student(x, z, 1)[1], x.shape), 0 * x),
                "z_0 is x itself, so given x nothing is uncertain; alpha_bar_0 = 1 (no step taken yet). Check "
                "which alpha_bar goes with t and which with t - 1.",
            ),
            (
                "the std matches the forward process at t = 5 and t = 12",
                lambda: std_matches(5) and std_matches(12),
                "the std is the square root of the posterior variance (not the variance itself), and the "
                "variance uses beta_t and the alpha_bars of steps t - 1 and t.",
            ),
            (
                "the mean matches the forward process at t = 5 and t = 12 on a schedule whose betas change",
                lambda: all(close(student(x, z, t)[0], diffusion.posterior_q(x, z, t, BETAS)[0]) for t in (5, 12)),
                "z_t is weighted with the square root of the one-step alpha_t = 1 - beta_t, x with the square root "
                "of alpha_bar_(t-1); the two weights are not interchangeable.",
            ),
        ],
    )


def ddim_step(fn):
    """Check ``fn(z_t, eps, t, s, betas)`` -> z_s, one deterministic DDIM step from t back to s < t."""
    rng = np.random.default_rng(1800)
    x, eps = rng.normal(size=(7, 2)), rng.normal(size=(7, 2))
    ab = diffusion.alpha_bars(BETAS)

    def forward(t):
        return np.sqrt(ab[t]) * x + np.sqrt(1 - ab[t]) * eps

    def student(t, s, e=eps):
        return np.asarray(answer(fn, forward(t), e.copy(), t, s, BETAS.copy()), dtype=float)

    other = rng.normal(size=eps.shape)
    return run(
        "ddim_step",
        [
            (
                "z_s has the shape of z_t",
                lambda: student(9, 4).shape == x.shape,
                "return the new state, one number per entry of z_t.",
            ),
            (
                "the step is deterministic: the same inputs give the same output",
                lambda: close(student(9, 4), student(9, 4)),
                "DDIM (with eta = 0) draws no new noise: it re-uses the predicted eps.",
            ),
            (
                "with the true noise, stepping to s = 0 returns x",
                lambda: close(student(9, 0), x) and close(student(12, 0), x),
                "first undo the noise to estimate x: subtract the noise's share and divide by the signal's "
                "scale, both taken from alpha_bar_t (not from the one-step alpha_t).",
            ),
            (
                "with the true noise, stepping from t to s lands on the forward process at s",
                lambda: close(student(9, 4), forward(4)) and close(student(12, 11), forward(11)),
                "after estimating x, put the same eps back at the noise level of step s; returning the estimate "
                "of x itself skips that, and alpha_bar_s is the alpha_bar of step s, not of s - 1 or s + 1.",
            ),
            (
                "with any noise estimate, the step is consistent: t to s equals the forward process of its own "
                "estimate of x",
                lambda: close(
                    student(9, 4, other),
                    np.sqrt(ab[4]) * (forward(9) - np.sqrt(1 - ab[9]) * other) / np.sqrt(ab[9])
                    + np.sqrt(1 - ab[4]) * other,
                ),
                "use the eps you are given both to estimate x and to re-noise it, not the true one.",
            ),
        ],
    )
