"""Checks for chapter 9 (regularization): ridge regression and the Bayesian posterior predictive."""

from __future__ import annotations

import numpy as np

from .. import regularization
from ._core import answer, close, run

__all__ = ["ridge", "posterior_predictive"]


def _augmented(phi, y, lam):
    """An independent ridge solve: least squares on [phi; sqrt(lam) I] w = [y; 0]."""
    p = phi.shape[1]
    return np.linalg.lstsq(np.vstack([phi, np.sqrt(lam) * np.eye(p)]), np.r_[y, np.zeros(p)], rcond=None)[0]


def ridge(fn):
    """Check ``fn(phi, y, lam) -> w``, the minimiser of |phi w - y|^2 + lam |w|^2."""
    rng = np.random.default_rng(21)
    phi, y = rng.normal(size=(30, 5)), rng.normal(size=30)
    wide, y_wide = rng.normal(size=(6, 12)), rng.normal(size=6)

    def w(a, b, lam):
        return np.asarray(answer(fn, a, b, lam), dtype=float)

    return run(
        "ridge",
        [
            (
                "w has one entry per feature (shape (P,))",
                lambda: w(phi, y, 1.0).shape == (5,),
                "phi has shape (N, P): the weights live in the P-dimensional feature space.",
            ),
            (
                "with a tiny lambda, w is the ordinary least-squares solution",
                lambda: close(w(phi, y, 1e-10), np.linalg.lstsq(phi, y, rcond=None)[0], rtol=1e-5, atol=1e-7),
                "set the gradient of |phi w - y|^2 + lam |w|^2 to zero and solve the linear system for w.",
            ),
            (
                "w minimises |phi w - y|^2 + lam |w|^2 for lam = 0.5 and lam = 20",
                lambda: all(
                    close(w(phi, y, lam), _augmented(phi, y, lam), rtol=1e-6, atol=1e-9) for lam in (0.5, 20.0)
                ),
                "the penalty adds lam to every diagonal entry of phi^T phi (lam times the identity matrix).",
            ),
            (
                "with a huge lambda, w shrinks towards zero",
                lambda: close(1e9 * w(phi, y, 1e9), phi.T @ y, rtol=1e-4, atol=1e-6),
                "as lam grows the penalty dominates; w should shrink like phi^T y / lam, not vanish or blow up.",
            ),
            (
                "it also works with more features than data points (P > N) when lam > 0",
                lambda: close(w(wide, y_wide, 0.1), _augmented(wide, y_wide, 0.1), rtol=1e-6, atol=1e-9),
                "with P > N, phi^T phi alone is singular; solve the penalised P x P system instead of inverting it.",
            ),
        ],
    )


def posterior_predictive(fn):
    """Check ``fn(phi, y, phi_test, prior_std, noise_std) -> (mean, var)`` of Bayesian linear regression, where
    ``var`` is the variance of the function value (without the observation noise)."""
    rng = np.random.default_rng(22)
    phi, y, phi_test = rng.normal(size=(12, 4)), rng.normal(size=12), rng.normal(size=(7, 4))
    sp, sn = 0.9, 0.4
    mean_ref, cov_ref = regularization.bayes_posterior(phi, y, sp, sn)
    m_ref, v_ref = regularization.bayes_predictive(phi_test, mean_ref, cov_ref)

    def out(*args):
        res = answer(fn, *args)
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            raise ValueError("return a pair (mean, var)")
        return np.asarray(res[0], dtype=float), np.asarray(res[1], dtype=float)

    def no_data_is_prior():
        m, v = out(phi[:0], y[:0], phi_test, sp, sn)
        return close(m, np.zeros(7), atol=1e-10) and close(v, sp**2 * np.sum(phi_test**2, 1), rtol=1e-8)

    return run(
        "posterior_predictive",
        [
            (
                "mean and var have one entry per test input",
                lambda: all(a.shape == (7,) for a in out(phi, y, phi_test, sp, sn)),
                "phi_test has one row per test input; return the diagonal of the predictive covariance, not the matrix.",
            ),
            (
                "with no data, the prediction is the prior's: mean 0 and variance prior_std^2 |phi_test row|^2",
                no_data_is_prior,
                "with N = 0 rows the posterior equals the prior N(0, prior_std^2 I).",
            ),
            (
                "the predictive mean is the ridge prediction with lambda = noise_std^2 / prior_std^2",
                lambda: close(out(phi, y, phi_test, sp, sn)[0], m_ref, rtol=1e-6, atol=1e-9),
                "the posterior precision adds the data's precision to the prior's; compare your mean with section 9.5.",
            ),
            (
                "the predictive variance matches the posterior covariance of the weights",
                lambda: close(out(phi, y, phi_test, sp, sn)[1], v_ref, rtol=1e-6, atol=1e-9),
                "the variance at a test input phi* is phi*^T Sigma phi*, with Sigma the inverse of the posterior precision; "
                "do not add the noise variance here.",
            ),
        ],
    )
