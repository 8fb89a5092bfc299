"""The isometry chapter's checks pass the reference answers, fail wrong ones, never raise, never tell."""
import math

import numpy as np
import pytest

from kan_edu import check, isometry as iso


def naive_gap(h):
    lam = np.linalg.eigvalsh(h @ h.T)
    return float(np.log(lam.mean()) - np.log(np.abs(lam)).mean())


def drop(h):
    r = (h ** 2).sum(axis=0)
    return float(np.log(r.mean()) - np.log(r).mean())


@pytest.mark.parametrize("checker, right, wrongs", [
    (check.isometry_gap, iso.isometry_gap, [naive_gap, lambda h: naive_gap(h.T @ h), lambda h: ..., lambda h: 1 / 0]),
    (check.gap_drop, drop, [lambda h: drop(h.T), lambda h: -drop(h), lambda h: ...]),
])
def test_function_checks(checker, right, wrongs, capsys):
    assert checker(right)
    for wrong in wrongs:
        assert not checker(wrong)
    out = capsys.readouterr().out
    assert "svd" not in out and "np.log(r.mean())" not in out


def test_shaping_exponent_check(capsys):
    assert check.shaping_exponent(0.25)
    assert not check.shaping_exponent(0.2)    # still explodes
    assert not check.shaping_exponent(0.4)    # bounded, but not the smallest
    assert not check.shaping_exponent(0.33)   # off the grid
    assert not check.shaping_exponent(...)
    assert "0.25" not in capsys.readouterr().out
