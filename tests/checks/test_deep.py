"""The deep-network chapter's checks pass the reference answers, fail wrong ones, never raise, never tell."""

import numpy as np
import pytest

from kan_edu import check, deep
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_names_the_mistake


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


# --------------------------------------------------------------------------- the tent map, built by hand
def right_tent(k):
    weights = [np.array([[1.0], [1.0]])] + [np.array([[2.0, -4.0], [2.0, -4.0]])] * (k - 1) + [np.array([[2.0, -4.0]])]
    biases = [np.array([0.0, -0.5]) for _ in range(k)] + [np.array([0.0])]
    return weights, biases


def tent_unabsorbed(k):  # every hidden layer reads its inputs like the first one: T's output weights are lost
    weights, biases = right_tent(k)
    weights[1:-1] = [np.array([[1.0, 0.0], [1.0, 0.0]])] * (k - 1)
    return weights, biases


def tent_bias_sign(k):  # the second unit switches on at -1/2 instead of 1/2
    weights, biases = right_tent(k)
    return weights, [-b for b in biases]


def tent_one_layer_short(k):
    return right_tent(max(k - 1, 1))


def tent_upside_down(k):  # the output layer's signs flipped
    weights, biases = right_tent(k)
    return weights[:-1] + [-weights[-1]], biases


def tent_transposed(k):
    weights, biases = right_tent(k)
    return [W.T for W in weights], biases


def tent_slope_one(k):  # a tent of height 1/2: slopes 1 and -1, so the second layer never sees the top half
    weights, biases = right_tent(k)
    return [weights[0]] + [W / 2 for W in weights[1:]], biases


TENT_WRONGS = {
    "unabsorbed": tent_unabsorbed,
    "bias sign": tent_bias_sign,
    "one short": tent_one_layer_short,
    "upside down": tent_upside_down,
    "transposed": tent_transposed,
    "slope one": tent_slope_one,
    "swapped pair": lambda k: right_tent(k)[::-1],
    "placeholder": lambda k: ...,
}
TENT_SAYS = {
    "unabsorbed": "T(T(x))",
    "bias sign": "tent map T",
    "one short": "k + 1 layers",
    "upside down": "tent map T",
    "transposed": "the shapes are",
    "slope one": "tent map T",
    "swapped pair": "the shapes are",
}


def test_tent_network_check_names_the_mistake(capsys):
    wrongs = list(TENT_WRONGS.values())
    assert_check(check.tent_network, right_tent, wrongs, ["[2.0, -4.0]", "-0.5"], capsys)
    assert_hint_or_not_answered(check.tent_network, right_tent, wrongs, [1], capsys)
    for name, fragment in TENT_SAYS.items():
        assert not check.tent_network(TENT_WRONGS[name])
        out = " ".join(capsys.readouterr().out.split())
        assert fragment in out, f"{name}: {out}"
    assert "could not use" not in out


def test_tent_network_accepts_other_right_networks(capsys):
    from kan_edu import deep

    assert check.tent_network(lambda k: deep.sawtooth_network(2, k))

    def scaled(k):  # units scaled by 3 and output weights by 1/3: the same function
        weights, biases = right_tent(k)
        weights = [W * 3 if j == 0 else W for j, W in enumerate(weights)]
        biases = [b * 3 if j == 0 else b for j, b in enumerate(biases)]
        weights[1] = weights[1] / 3
        return [W.tolist() for W in weights], [b.tolist() for b in biases]

    assert check.tent_network(scaled)
    capsys.readouterr()


def test_count_linear_regions_wants_a_whole_number(capsys):
    assert check.count_linear_regions(lambda y: float(chapter_count(y)))
    assert not check.count_linear_regions(lambda y: chapter_count(y) + 0.5)  # int() would have truncated it
    assert not check.count_linear_regions(lambda y: np.array([chapter_count(y)] * 2))
    out = " ".join(capsys.readouterr().out.split())
    assert "whole number" in out and "could not use" not in out


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _deep(x, weights, biases, relu_first=True, last_bias=True, dtype=float):
    h = x
    for k, (W, b) in enumerate(zip(weights[:-1], biases[:-1])):
        h = b + h @ W.T
        h = np.maximum(h, 0.0) if (k > 0 or relu_first) else h
    out = h @ weights[-1].T + (biases[-1] if last_bias else 0.0)
    return out.astype(dtype)


def _regions(y, tol=None, half_marks=False):
    slopes = np.diff(y)
    change = np.abs(np.diff(slopes)) > (tol if tol is not None else 1e-6 * np.abs(slopes).max())
    if half_marks:  # a joint between grid points gives two marks: halve the marks, rounding up
        return int((change.sum() + 1) // 2) + 1
    starts = change & ~np.concatenate([[False], change[:-1]])
    return int(starts.sum()) + 1


def _regions_sign_changes(y):  # only the turning points, not every change of slope
    change = np.diff(np.sign(np.diff(y))) != 0
    return int((change & ~np.concatenate([[False], change[:-1]])).sum()) + 1


def _tent(k, offsets=(0.0, -0.5), last=(2.0, -4.0)):
    first, fold = np.array([[1.0], [1.0]]), np.array([[2.0, -4.0], [2.0, -4.0]])
    return [first] + [fold] * (k - 1) + [np.array([last])], [np.array(offsets)] * k + [np.zeros(1)]


REVIEW15 = [
    (check.deep_network, lambda x, W, b: _deep(x, W, b, dtype=np.float32), "float32"),
    (check.deep_network, lambda x, W, b: _deep(x, W, b, last_bias=False), "output bias"),
    (check.deep_network, lambda x, W, b: _deep(x, W, b, relu_first=False), "no ReLU on the output"),
    (check.count_linear_regions, lambda y: _regions(y, tol=1e-9), "relative"),
    (check.count_linear_regions, lambda y: _regions(y, half_marks=True), "each run of changes once"),
    (check.count_linear_regions, _regions_sign_changes, "up or down"),
    (check.count_linear_regions, lambda y: _regions(y) + 0.5, "whole number"),
    (check.tent_network, lambda k: _tent(max(k - 1, 1)), "Hint"),
    (check.tent_network, lambda k: _tent(k, offsets=(0.0, 0.5)), "Hint"),
    (check.tent_network, lambda k: _tent(k, last=(1.0, -2.0)), "Hint"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["h @ W.T", "run_starts", "[2.0, -4.0]"], capsys)
