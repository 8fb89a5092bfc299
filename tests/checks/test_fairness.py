"""The checks of kan_edu.check.fairness (chapter 21) pass right answers, fail wrong ones, never raise, never tell."""

import numpy as np
import pytest

from kan_edu import check, fairness
from tests.helpers import assert_check, assert_placeholders_and_errors_reported


def rates(scores, y, tau):
    approve = scores >= tau
    return approve.mean(), approve[y == 1].mean(), approve[y == 0].mean()


def rates_strict(scores, y, tau):  # '>' instead of '>=': agrees wherever no score equals tau
    approve = scores > tau
    return approve.mean(), approve[y == 1].mean(), approve[y == 0].mean()


def rates_over_everybody(scores, y, tau):
    approve = scores >= tau
    return approve.mean(), (approve & (y == 1)).mean(), (approve & (y == 0)).mean()


def eo(scores, y, group, target):
    return fairness.thresholds_for("equal_opportunity", scores, y, group, target)


def eo_by_hand(scores, y, group, target):
    taus = []
    for g in np.unique(group):
        pos = np.sort(scores[(group == g) & (y == 1)])[::-1]
        k = int(round(target * len(pos)))
        taus.append(pos[0] + 1 if k == 0 else pos[-1] - 1 if k == len(pos) else (pos[k - 1] + pos[k]) / 2)
    return np.array(taus)


def eo_off_by_one(scores, y, group, target):
    taus = []
    for g in np.unique(group):
        pos = np.sort(scores[(group == g) & (y == 1)])[::-1]
        k = min(int(round(target * len(pos))), len(pos) - 1)
        taus.append(pos[k])  # approves k + 1 positives
    return np.array(taus)


def eo_from_everybody(scores, y, group, target):  # demographic parity's thresholds
    return fairness.thresholds_for("demographic_parity", scores, y, group, target)


def lime_right(f, x0, sigma, n, seed):
    dz = sigma * np.random.default_rng(seed).normal(size=(n, len(x0)))
    design = np.column_stack([np.ones(n), dz])
    return np.linalg.lstsq(design, f(x0 + dz), rcond=None)[0][1:]


def lime_no_intercept(f, x0, sigma, n, seed):
    dz = sigma * np.random.default_rng(seed).normal(size=(n, len(x0)))
    return np.linalg.lstsq(dz, f(x0 + dz), rcond=None)[0]


def lime_uniform(f, x0, sigma, n, seed):  # agrees on affine functions and as sigma -> 0
    dz = sigma * np.random.default_rng(seed).uniform(-1, 1, size=(n, len(x0)))
    design = np.column_stack([np.ones(n), dz])
    return np.linalg.lstsq(design, f(x0 + dz), rcond=None)[0][1:]


def gradient_fd(f, x0, sigma, n, seed):  # the gradient, not an explanation of a neighbourhood
    h = 1e-6
    return np.array([(f((x0 + h * e)[None])[0] - f((x0 - h * e)[None])[0]) / (2 * h) for e in np.eye(len(x0))])


def auc_right(a, b):
    return (np.sum(a[:, None] < b[None, :]) + 0.5 * np.sum(a[:, None] == b[None, :])) / (len(a) * len(b))


@pytest.mark.parametrize(
    "checker, right, wrongs, secrets",
    [
        (
            check.approval_rates,
            rates,
            [rates_strict, rates_over_everybody, lambda s, y, t: rates(s, y, t)[::-1]],
            [">= tau"],
        ),
        (check.equal_opportunity, eo, [eo_off_by_one, eo_from_everybody, lambda s, y, g, t: -eo(s, y, g, t)], ["sort"]),
        (
            check.precision_from_rates,
            lambda p, t, f: p * t / (p * t + (1 - p) * f),
            [
                lambda p, t, f: t / (t + f),
                lambda p, t, f: p * t / (p * t + f),
                lambda p, t, f: (1 - p) * t / ((1 - p) * t + p * f),
            ],
            ["p * t", "(1 - p)"],
        ),
        (check.lime_slopes, lime_right, [lime_no_intercept, lime_uniform, gradient_fd], ["lstsq", "np.ones"]),
        (
            check.attack_auc,
            auc_right,
            [
                lambda a, b: auc_right(b, a),
                lambda a, b: np.mean(a[:, None] < b[None, :]),
                lambda a, b: float(a.mean() < b.mean()),
            ],
            ["0.5 * np.sum"],
        ),
    ],
)
def test_checks_pass_right_fail_wrong_never_tell(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_equal_opportunity_accepts_an_answer_written_by_hand(capsys):
    assert check.equal_opportunity(eo_by_hand)


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported(
        [
            check.approval_rates,
            check.equal_opportunity,
            check.precision_from_rates,
            check.lime_slopes,
            check.attack_auc,
        ],
        capsys,
    )
