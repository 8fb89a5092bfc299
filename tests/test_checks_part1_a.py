"""The checks of chapters 2 and 5: right answers pass, wrong ones fail with a hint and no exception,
placeholders say "not answered", and the reference answer is never printed."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

from conftest import assert_check
from kan_edu import check


def right_loss(phi0, phi1, x, y):
    return np.sum((phi0 + phi1 * x - y) ** 2)


def right_fit(x, y):
    xc, yc = x - x.mean(), y - y.mean()
    slope = (xc @ yc) / (xc @ xc)
    return y.mean() - slope * x.mean(), slope


def normal_equations_fit(x, y):  # also correct (solve, not invert), and fine for x in [10, 12]
    X = np.c_[np.ones_like(x), x]
    return tuple(np.linalg.solve(X.T @ X, X.T @ y))


def right_gauss(y, mu, sigma):
    return np.sum(0.5 * ((y - mu) / sigma) ** 2 + np.log(sigma) + 0.5 * np.log(2 * np.pi))


def right_ce(labels, logits):
    return np.sum(logsumexp(logits, axis=1) - logits[np.arange(len(labels)), labels])


def naive_ce(labels, logits):  # right formula, but overflows on huge logits
    with np.errstate(all="ignore"):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(len(labels)), labels]).sum()


CASES = [
    (check.least_squares_loss, right_loss, [
        lambda a, b, x, y: np.mean((a + b * x - y) ** 2),
        lambda a, b, x, y: np.sum(np.abs(a + b * x - y)),
        lambda a, b, x, y: (a + b * x - y) ** 2,
        lambda a, b, x, y: np.sum((b + a * x - y) ** 2),
        lambda a, b, x, y: ...,
        lambda a, b, x, y: undefined_name,  # noqa: F821  (raises NameError inside the student's code)
    ]),
    (check.fit_line, right_fit, [
        lambda x, y: right_fit(x, y)[::-1],
        lambda x, y: (y.mean(), 0.0),
        lambda x, y: (0.0, (x @ y) / (x @ x)),
        lambda x, y: ...,
        None,
    ]),
    (check.gaussian_nll, right_gauss, [
        lambda y, m, s: np.sum(0.5 * ((y - m) / s) ** 2),
        lambda y, m, s: np.sum(0.5 * ((y - m) / s) ** 2 + np.log(s)),
        lambda y, m, s: np.sum(0.5 * (y - m) ** 2 / s + np.log(s) + 0.5 * np.log(2 * np.pi)),
        lambda y, m, s: np.sum((y - m) ** 2 + 0.5 * np.log(2 * np.pi)),
        lambda y, m, s: 0.5 * ((y - m) / s) ** 2 + np.log(s) + 0.5 * np.log(2 * np.pi),
        lambda y, m, s: ...,
    ]),
    (check.softmax_cross_entropy, right_ce, [
        naive_ce,
        lambda lab, z: np.sum(-z[np.arange(len(lab)), lab]),
        lambda lab, z: np.sum(logsumexp(z, axis=0)[lab] - z[np.arange(len(lab)), lab]),
        lambda lab, z: np.mean(logsumexp(z, axis=1) - z[np.arange(len(lab)), lab]),
        lambda lab, z: ...,
    ]),
]


@pytest.mark.parametrize("checker, right, wrongs", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_checks_pass_right_and_fail_wrong(checker, right, wrongs, capsys):
    secrets = ["logsumexp(", "np.log(2 * np.pi)", "xc @ yc", "(phi0 + phi1 * x - y) ** 2"]
    assert_check(checker, right, wrongs, secrets, capsys)


@pytest.mark.parametrize("checker, right, wrongs", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_wrong_answers_get_a_hint_and_placeholders_not_answered(checker, right, wrongs, capsys):
    assert checker(right) and "\u2714" in capsys.readouterr().out
    for wrong in wrongs:
        verdict = checker(wrong)  # never raises
        out = capsys.readouterr().out
        assert not verdict and "\u2718" in out
        probe = None
        if wrong is not None:
            try:
                probe = wrong(*([np.arange(2.0)] * 2 if checker is check.fit_line else
                                [np.zeros(1), np.zeros((1, 2))] if checker is check.softmax_cross_entropy else
                                [np.zeros(1), np.zeros(1), 1.0] if checker is check.gaussian_nll else
                                [0.0, 0.0, np.zeros(1), np.zeros(1)]))
            except Exception:
                probe = "raised"
        if wrong is None or probe is Ellipsis:
            assert "not answered" in out
        else:
            assert "Hint" in out


def test_alternative_correct_answers_pass(capsys):
    assert check.fit_line(normal_equations_fit)
    assert check.fit_line(lambda x, y: tuple(np.polyfit(x, y, 1)[::-1]))
    assert check.least_squares_loss(lambda a, b, x, y: float(((a + b * x - y) ** 2).sum()))
    import torch
    assert check.softmax_cross_entropy(
        lambda lab, z: torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(lab), reduction="sum"))
    assert check.gaussian_nll(lambda y, m, s: -np.sum(np.log(np.exp(-(y - m) ** 2 / (2 * s**2))
                                                             / np.sqrt(2 * np.pi * s**2))))
    capsys.readouterr()


def test_naive_cross_entropy_is_told_about_overflow(capsys):
    assert not check.softmax_cross_entropy(naive_ce)
    out = capsys.readouterr().out
    assert "huge logits" in out and "Hint" in out
