"""The checks of kan_edu.check.performance (chapter 8) pass the reference answers, fail wrong ones, never raise,
never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_placeholders_and_errors_reported


def bias_variance_right(preds, f):
    mean = preds.mean(axis=0)
    return np.mean((mean - f) ** 2), np.mean(preds.var(axis=0))


@pytest.mark.parametrize(
    "checker, right, wrongs, secrets",
    [
        (
            check.bias_variance,
            bias_variance_right,
            [
                lambda p, f: ...,
                lambda p, f: (np.mean((p.mean(0) - f) ** 2), np.mean(p.var(axis=0, ddof=1))),
                lambda p, f: (np.mean(np.abs(p.mean(0) - f)), np.mean(p.var(0))),
                lambda p, f: (np.mean((p - f) ** 2), 0.0),
                lambda p, f: np.mean((p - f) ** 2),
                lambda p, f: (np.mean(p.var(0)), np.mean((p.mean(0) - f) ** 2)),
            ],
            ["var(axis=0", "mean(axis=0"],
        ),
        (
            check.shell_fraction,
            lambda d, e: 1 - (1 - e) ** d,
            [
                lambda d, e: ...,
                lambda d, e: e**d,
                lambda d, e: (1 - e) ** d,
                lambda d, e: d * e,
                lambda d, e: 1 - (1 - e) ** (d - 1),
            ],
            ["(1 - e)", "** d"],
        ),
    ],
)
def test_performance_checks(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.bias_variance, check.shell_fraction], capsys)
