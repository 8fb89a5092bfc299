"""The checks of kan_edu.check.regression (chapter 2): right answers pass, wrong ones fail with a hint and no
exception, placeholders say "not answered", and the reference answer is never printed."""

from __future__ import annotations

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered


def right_loss(phi0, phi1, x, y):
    return np.sum((phi0 + phi1 * x - y) ** 2)


def right_fit(x, y):
    xc, yc = x - x.mean(), y - y.mean()
    slope = (xc @ yc) / (xc @ xc)
    return y.mean() - slope * x.mean(), slope


def normal_equations_fit(x, y):  # also correct (solve, not invert), and fine for x in [10, 12]
    X = np.c_[np.ones_like(x), x]
    return tuple(np.linalg.solve(X.T @ X, X.T @ y))


CASES = [
    (
        check.least_squares_loss,
        right_loss,
        [
            lambda a, b, x, y: np.mean((a + b * x - y) ** 2),
            lambda a, b, x, y: np.sum(np.abs(a + b * x - y)),
            lambda a, b, x, y: (a + b * x - y) ** 2,
            lambda a, b, x, y: np.sum((b + a * x - y) ** 2),
            lambda a, b, x, y: ...,
            lambda a, b, x, y: undefined_name,  # noqa: F821  (raises NameError inside the student's code)
        ],
    ),
    (
        check.fit_line,
        right_fit,
        [
            lambda x, y: right_fit(x, y)[::-1],
            lambda x, y: (y.mean(), 0.0),
            lambda x, y: (0.0, (x @ y) / (x @ x)),
            lambda x, y: ...,
            None,
        ],
    ),
]
PROBE = {check.fit_line: [np.arange(2.0)] * 2, check.least_squares_loss: [0.0, 0.0, np.zeros(1), np.zeros(1)]}


@pytest.mark.parametrize("checker, right, wrongs", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_right_passes_wrong_fails_with_a_hint_and_nothing_is_told(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["xc @ yc", "(phi0 + phi1 * x - y) ** 2"], capsys)
    assert_hint_or_not_answered(checker, right, wrongs, PROBE[checker], capsys)


def test_alternative_correct_answers_pass(capsys):
    assert check.fit_line(normal_equations_fit)
    assert check.fit_line(lambda x, y: tuple(np.polyfit(x, y, 1)[::-1]))
    assert check.least_squares_loss(lambda a, b, x, y: float(((a + b * x - y) ** 2).sum()))
    capsys.readouterr()
