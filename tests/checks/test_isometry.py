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


def gram_of_features(h):  # the d×d Gram matrix h.T @ h instead of the samples' h @ h.T
    lam = np.linalg.eigvalsh(h.T @ h)
    return float(np.log(lam.mean()) - np.log(np.abs(lam)).mean())


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
            [
                naive_gap,
                lambda h: naive_gap(h.T @ h),
                gram_of_features,
                log10_gap,
                mean_only,
                lambda h: ...,
                lambda h: 1 / 0,
            ],
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


def test_isometry_gap_hints_name_the_mistake(capsys):
    """The orientation mistake gets the orientation hint, the wrong logarithm the logarithm hint."""
    check.isometry_gap(gram_of_features)
    assert "h.T @ h" in capsys.readouterr().out
    check.isometry_gap(log10_gap)
    assert "log10" in capsys.readouterr().out


def after_fixed(h, depth):  # the reference: one batch norm does all there is to do
    return iso.isometry_gap(iso.batch_norm(h))


def test_fixed_rotation_gap_check(capsys):
    wrongs = [
        lambda h, depth: iso.isometry_gap(h),  # forgets the first batch norm
        lambda h, depth: 0.0,  # believes the batch reaches isometry
        lambda h, depth: max(iso.isometry_gap(h) - depth * drop(h), 0.0),  # the same drop at every layer
        lambda h, depth: iso.isometry_gap(h) * math.exp(-depth / 50),  # keeps falling, as with Haar rotations
        lambda h, depth: ...,
    ]
    assert_check(check.fixed_rotation_gap, after_fixed, wrongs, ["batch_norm"], capsys)
    check.fixed_rotation_gap(wrongs[2])
    assert "what is left" in capsys.readouterr().out
