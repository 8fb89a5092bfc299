"""The checks of kan_edu.check.performance (chapter 8) pass the reference answers, fail wrong ones, never raise,
never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_names_the_mistake, assert_placeholders_and_errors_reported


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


# ------------------------------------------------------------------ variance against the size of the training set
def _by_size(spread, k_of=lambda k, i: k, n_of=lambda n, i: n, sets=lambda n_sets: n_sets):
    def variance_by_size(fit_predict, draw, sizes, n_sets):
        out = []
        for i, n in enumerate(sizes):
            fits = np.array([fit_predict(*draw(n_of(n, i), k_of(k, i))) for k in range(sets(n_sets))])
            out.append(spread(fits))
        return np.array(out)

    return variance_by_size


variance_right = _by_size(lambda f: np.mean(f.var(axis=0)))
VARIANCE_HINTS = [
    (_by_size(lambda f: np.mean(f.var(axis=0, ddof=1))), "not divided by n_sets - 1"),
    (_by_size(lambda f: np.mean(f.std(axis=0))), "not square-rooted"),
    (_by_size(lambda f: np.sum(f.var(axis=0))), "not summed"),
    (_by_size(lambda f: np.mean(f.var(axis=1))), "axis 0"),
    (_by_size(lambda f: f.var()), "axis 0"),
    (_by_size(lambda f: np.mean(f.var(axis=0)), k_of=lambda k, i: 0), "its own training set"),
    (_by_size(lambda f: np.mean(f.var(axis=0)), k_of=lambda k, i: k + 1), "numbers them from 0"),
    (_by_size(lambda f: np.mean(f.var(axis=0)), n_of=lambda n, i: i + 2), "not its position"),
    (_by_size(lambda f: np.mean(f.var(axis=0)), sets=lambda n: n - 1), "numbers them from 0"),
    (lambda fit, draw, sizes, n_sets: np.mean(variance_right(fit, draw, sizes, n_sets)), "one number for each"),
]


def test_variance_by_size_passes_the_solution_and_names_each_mistake(capsys):
    assert check.variance_by_size(variance_right)
    capsys.readouterr()
    for wrong, words in VARIANCE_HINTS:
        assert not check.variance_by_size(wrong)
        out = " ".join(capsys.readouterr().out.split())
        assert words in out, out
        assert ".var(" not in out and "ddof=0" not in out


def test_variance_by_size_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.variance_by_size], capsys)


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _by_size(fit_predict, draw, sizes, n_sets, mistake):
    result = []
    for n in sizes:
        shift = 1 if mistake == "sets from 1" else 0
        fits = np.array([fit_predict(*draw(n, k + shift)) for k in range(n_sets)])
        if mistake == "ddof 1":
            result.append(np.mean(np.var(fits, axis=0, ddof=1)))
        elif mistake == "mean std squared":
            result.append(np.mean(np.std(fits, axis=0)) ** 2)
        else:
            result.append(np.mean(np.var(fits, axis=0)))
    return np.array(result)


REVIEW15 = [
    (check.bias_variance, lambda P, f: (np.mean((P.mean(0) - f) ** 2), np.mean(P.var(axis=0, ddof=1))), "Hint"),
    (check.bias_variance, lambda P, f: (np.mean((P.mean(0) - f) ** 2), np.mean(P.var(axis=1))), "zero variance"),
    (check.bias_variance, lambda P, f: (np.mean(P.mean(0) - f) ** 2, np.mean(P.var(axis=0))), "Hint"),
    (check.shell_fraction, lambda d, e: 1 - (1 - e) ** (d - 1) if d > 1 else e, "two dimensions"),
    (check.shell_fraction, lambda d, e: np.float32(1 - (1 - e) ** d), "float32"),
    (check.shell_fraction, lambda d, e: min(1.0, d * e), "Hint"),
    (check.variance_by_size, lambda *a: _by_size(*a, "ddof 1"), "+2 and -2"),
    (check.variance_by_size, lambda *a: _by_size(*a, "mean std squared"), "Hint"),
    (check.variance_by_size, lambda *a: _by_size(*a, "sets from 1"), "training sets"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["predictions.var(axis=0)", "(1 - eps) ** dim"], capsys)
