"""The checks of kan_edu.check.regularization (chapter 9) pass the reference answers, fail wrong ones, never
raise, never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_placeholders_and_errors_reported


def ridge_right(phi, y, lam):
    return np.linalg.solve(phi.T @ phi + lam * np.eye(phi.shape[1]), phi.T @ y)


def predictive_right(phi, y, phi_test, prior_std, noise_std):
    precision = phi.T @ phi / noise_std**2 + np.eye(phi.shape[1]) / prior_std**2
    cov = np.linalg.inv(precision)
    mean = cov @ phi.T @ y / noise_std**2
    return phi_test @ mean, np.einsum("ij,jk,ik->i", phi_test, cov, phi_test)


@pytest.mark.parametrize(
    "checker, right, wrongs, secrets",
    [
        (
            check.ridge,
            ridge_right,
            [
                lambda a, b, lam: ...,
                lambda a, b, lam: np.linalg.lstsq(a, b, rcond=None)[0],
                lambda a, b, lam: np.linalg.solve(a.T @ a + lam, a.T @ b),
                lambda a, b, lam: np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ b) / (1 + lam),
                lambda a, b, lam: np.linalg.solve(a.T @ a + np.sqrt(lam) * np.eye(a.shape[1]), a.T @ b),
                lambda a, b, lam: np.linalg.pinv(a.T @ a + lam * np.eye(a.shape[1])) @ a.T @ b.reshape(-1, 1),
                lambda a, b, lam: np.linalg.solve(a @ a.T + lam * np.eye(a.shape[0]), b),
            ],
            ["solve", "np.eye", "lstsq"],
        ),
        (
            check.posterior_predictive,
            predictive_right,
            [
                lambda *a: ...,
                lambda p, y, t, sp, sn: (
                    predictive_right(p, y, t, sp, sn)[0],
                    predictive_right(p, y, t, sp, sn)[1] + sn**2,
                ),
                lambda p, y, t, sp, sn: predictive_right(p, y, t, sn, sp),
                lambda p, y, t, sp, sn: (
                    (t @ np.linalg.lstsq(p, y, rcond=None)[0], np.zeros(len(t))) if len(p) else None
                ),
                lambda p, y, t, sp, sn: predictive_right(p, y, t, sp, sn)[0],
            ],
            ["inv(", "einsum", "precision"],
        ),
    ],
)
def test_regularization_checks(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.ridge, check.posterior_predictive], capsys)
