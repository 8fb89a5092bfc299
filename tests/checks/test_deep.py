"""The deep-network chapter's checks pass the reference answers, fail wrong ones, never raise, never tell."""

import numpy as np
import pytest

from kan_edu import check, deep
from tests.helpers import assert_check


def chapter_forward(x, weights, biases):
    """The solution printed in chapter 4 (kept in step with it)."""
    h = x
    for W, b in zip(weights[:-1], biases[:-1]):
        h = np.maximum(b + h @ W.T, 0.0)
    return biases[-1] + h @ weights[-1].T


def chapter_count(y):
    """The solution printed in chapter 4 (kept in step with it)."""
    slopes = np.diff(y)
    change = np.abs(np.diff(slopes)) > 1e-6 * np.abs(slopes).max()
    run_starts = change & ~np.concatenate([[False], change[:-1]])
    return int(run_starts.sum()) + 1


def relu_on_output(x, weights, biases):
    return np.maximum(chapter_forward(x, weights, biases), 0.0)


def no_biases(x, weights, biases):
    return chapter_forward(x, weights, [0 * b for b in biases])


def no_activation(x, weights, biases):
    h = x
    for W, b in zip(weights[:-1], biases[:-1]):
        h = b + h @ W.T
    return biases[-1] + h @ weights[-1].T


def first_hidden_only(x, weights, biases):
    return biases[-1] + np.maximum(biases[0] + x @ weights[0].T, 0.0) @ weights[-1].T


def untransposed(x, weights, biases):
    h = x
    for W, b in zip(weights[:-1], biases[:-1]):
        h = np.maximum(b + h @ W, 0.0)
    return biases[-1] + h @ weights[-1]


def every_kink(y):  # forgets that a joint inside a cell makes two changes in a row
    s = np.diff(y)
    return int((np.abs(np.diff(s)) > 1e-6 * np.abs(s).max()).sum()) + 1


def exact_compare(y):  # no tolerance: rounding noise counts as joints
    s = np.diff(y)
    change = np.diff(s) != 0
    return int((change & ~np.concatenate([[False], change[:-1]])).sum()) + 1


def absolute_tolerance(y):
    s = np.diff(y)
    change = np.abs(np.diff(s)) > 1e-6
    return int((change & ~np.concatenate([[False], change[:-1]])).sum()) + 1


@pytest.mark.parametrize(
    "checker, rights, wrongs, secrets",
    [
        (
            check.deep_network,
            [chapter_forward, deep.forward],
            [
                relu_on_output,
                no_biases,
                no_activation,
                first_hidden_only,
                untransposed,
                lambda x, w, b: ...,
                lambda x, w, b: 1 / 0,
                None,
            ],
            ["np.maximum(", "zip(weights[:-1]", "weights[-1].T"],
        ),
        (
            check.count_linear_regions,
            [chapter_count, deep.count_regions_grid],
            [
                every_kink,
                exact_compare,
                absolute_tolerance,
                lambda y: chapter_count(y) - 1,
                lambda y: len(y),
                lambda y: ...,
                lambda y: 1 / 0,
            ],
            ["run_starts", "np.diff(np.diff", "& ~"],
        ),
    ],
)
def test_checks(checker, rights, wrongs, secrets, capsys):
    for right in rights:
        assert_check(checker, right, wrongs, secrets, capsys)


def test_the_chapter_solutions_are_the_ones_tested():
    from tests.helpers import ROOT

    text = (ROOT / "book" / "04-deep-networks.md").read_text(encoding="utf-8")
    for line in (
        "h = np.maximum(b + h @ W.T, 0.0)",
        "return biases[-1] + h @ weights[-1].T",
        "change = np.abs(np.diff(slopes)) > 1e-6 * np.abs(slopes).max()",
        "run_starts = change & ~np.concatenate([[False], change[:-1]])",
    ):
        assert line in text
