"""The isometry chapter's checks pass the reference answers, fail wrong ones, never raise, never tell."""

import math

import numpy as np
import pytest

from kan_edu import check
from kan_edu import isometry as iso
from tests.helpers import assert_check


def naive_gap(h):
    lam = np.linalg.eigvalsh(h @ h.T)
    return float(np.log(lam.mean()) - np.log(np.abs(lam)).mean())


def drop(h):
    r = (h**2).sum(axis=0)
    return float(np.log(r.mean()) - np.log(r).mean())


def chapter_gap(h):
    """The solution printed in chapter 25 (kept in step with it): it must pass the check."""
    h = np.asarray(h, dtype=float)
    n, d = h.shape
    if n > d:
        return math.inf
    s = np.linalg.svd(h, compute_uv=False)
    if s[-1] <= max(n, d) * np.finfo(float).eps * s[0]:
        return math.inf
    log_lam = 2 * np.log(s / s[0])
    return float(np.log(np.mean(np.exp(log_lam))) - np.mean(log_lam))


def log10_gap(h):  # right idea, wrong logarithm
    return iso.isometry_gap(h) / math.log(10)


def mean_only(h):  # forgets the geometric mean: not scale invariant
    return float(np.log(np.linalg.eigvalsh(h @ h.T).mean()))


def unsquared_drop(h):  # feature norms instead of squared norms
    r = np.sqrt((h**2).sum(axis=0))
    return float(np.log(r.mean()) - np.log(r).mean())


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.isometry_gap,
            iso.isometry_gap,
            [naive_gap, lambda h: naive_gap(h.T @ h), log10_gap, mean_only, lambda h: ..., lambda h: 1 / 0],
        ),
        (check.isometry_gap, chapter_gap, [naive_gap]),
        (check.gap_drop, drop, [lambda h: drop(h.T), lambda h: -drop(h), unsquared_drop, lambda h: ...]),
    ],
)
def test_function_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["svd", "np.log(r.mean())"], capsys)


def test_shaping_exponent_check(capsys):
    assert check.shaping_exponent(0.25)
    assert not check.shaping_exponent(0.2)  # still explodes
    assert not check.shaping_exponent(0.4)  # bounded, but not the smallest
    assert not check.shaping_exponent(0.33)  # off the grid
    assert not check.shaping_exponent(...)
    assert "0.25" not in capsys.readouterr().out
