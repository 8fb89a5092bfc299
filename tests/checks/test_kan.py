"""The KAN chapters' checks pass the reference answers, fail wrong ones, never raise, never tell."""

import numpy as np
import pytest
from scipy.interpolate import BSpline

from kan_edu import check
from tests.helpers import assert_check


def reference_count(width, grid, k):
    return sum(a * b * (grid + k + 2) for a, b in zip(width[:-1], width[1:]))


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.bspline_recursion,
            lambda x, t, k: BSpline.design_matrix(x, t, k).toarray(),
            [
                lambda x, t, k: BSpline.design_matrix(x, t, max(k - 1, 0)).toarray(),
                lambda x, t, k: ...,
                lambda x, t, k: np.ones((len(x), len(t) - k - 1)) / (len(t) - k - 1),
            ],
        ),
        (
            check.kan_param_count,
            reference_count,
            [
                lambda w, G, k: sum(a * b * (G + k) for a, b in zip(w[:-1], w[1:])),
                lambda w, G, k: ...,
                lambda w, G, k: sum(w) * (G + k + 2),
            ],
        ),
        (
            check.edge_score,
            lambda p: np.abs(p).mean(0),
            [lambda p: p.mean(0), lambda p: np.abs(p).sum(0), lambda p: (p**2).mean(0), lambda p: ...],
        ),
    ],
)
def test_kan_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["design_matrix", "np.abs(p).mean"], capsys)


def test_bspline_support_check(capsys):
    def touched(x, G, k):
        j = int(np.floor((x + 1) / (2 / G))) + k
        return list(range(j - k, j + 1))

    wrongs = [
        lambda x, G, k: list(range(int((x + 1) / (2 / G)), int((x + 1) / (2 / G)) + k)),
        lambda x, G, k: [i + k for i in touched(x, G, k)],
        lambda x, G, k: ...,
    ]
    assert_check(check.bspline_support, touched, wrongs, ["floor"], capsys)
