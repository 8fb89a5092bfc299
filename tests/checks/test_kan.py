"""The KAN chapters' checks pass the reference answers, fail wrong ones, never raise, never tell."""

import numpy as np
import pytest
from scipy.interpolate import BSpline

from kan_edu import check
from tests.helpers import assert_check, assert_names_the_mistake


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


# ------------------------------------------------------------------------------- the second edition's checks
def test_counts_accept_only_integers(capsys):
    assert check.kan_param_count(lambda w, G, k: np.int64(reference_count(w, G, k)))
    assert not check.kan_param_count(lambda w, G, k: float(reference_count(w, G, k)))  # whole, but a float
    assert not check.kan_param_count(lambda w, G, k: reference_count(w, G, k) + 0.5)  # int() would truncate it
    assert "whole number" in capsys.readouterr().out
    assert not check.bspline_support(lambda x, G, k: [float(i) for i in range(3)])


def lsq_error(G, k):
    from scipy.interpolate import make_lsq_spline

    x = np.linspace(-1, 1, 1000)
    y = np.exp(np.sin(np.pi * x))
    t = np.r_[[-1.0] * k, np.linspace(-1, 1, G + 1), [1.0] * k]
    return float(np.abs(make_lsq_spline(x, y, t, k)(x) - y).max())


def test_spline_error_check(capsys):
    from scipy.interpolate import make_lsq_spline

    def rms(G, k):
        x = np.linspace(-1, 1, 1000)
        y = np.exp(np.sin(np.pi * x))
        t = np.r_[[-1.0] * k, np.linspace(-1, 1, G + 1), [1.0] * k]
        return float(np.sqrt(np.mean((make_lsq_spline(x, y, t, k)(x) - y) ** 2)))

    wrongs = [
        lambda G, k: lsq_error(G - 1, k),  # G grid points instead of G + 1
        lambda G, k: lsq_error(G, max(k - 1, 1)),  # order off by one
        rms,  # root mean square instead of the maximum
        lambda G, k: [lsq_error(G, k)] * 2,
        lambda G, k: ...,
    ]
    assert_check(check.spline_error, lsq_error, wrongs, ["np.r_"], capsys)


def test_spline_order_check(capsys):
    grids = [10, 20, 40]
    measured = np.polyfit(np.log(grids), -np.log([lsq_error(G, 3) for G in grids]), 1)[0]
    assert check.spline_order(measured)
    assert not check.spline_order(4)  # the prediction, not the measurement
    assert "is the prediction" in capsys.readouterr().out
    assert not check.spline_order(-measured)  # the sign of the slope
    two_ends = np.log(lsq_error(10, 3) / lsq_error(20, 3)) / np.log(2)  # from the first two grids only
    assert abs(two_ends - measured) > 0.05 and not check.spline_order(two_ends)
    assert not check.spline_order(...)
    assert f"{measured:.2f}" not in capsys.readouterr().out


def r2(x, y, f):
    a = np.c_[f(x), np.ones_like(x)]
    resid = y - a @ np.linalg.lstsq(a, y, rcond=None)[0]
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


def r2_no_intercept(x, y, f):
    a = f(x)[:, None]
    resid = y - a @ np.linalg.lstsq(a, y, rcond=None)[0]
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


def r2_uncentred(x, y, f):
    a = np.c_[f(x), np.ones_like(x)]
    resid = y - a @ np.linalg.lstsq(a, y, rcond=None)[0]
    return 1 - resid @ resid / (y @ y)


def kept(a, b, t):
    return (a.max(axis=0) > t) & (b.max(axis=1) > t)


def matched(n):
    w = 1
    while w * w + 5 * w + 1 < n:
        w += 1
    return w


def slope(n, e):
    return np.polyfit(np.log(n), np.log(e), 1)[0]


@pytest.mark.parametrize(
    "checker, right, wrongs, secrets",
    [
        (
            check.affine_r2,
            r2,
            [
                r2_no_intercept,
                r2_uncentred,
                lambda x, y, f: np.corrcoef(f(x), y)[0, 1],  # the correlation, not squared
                lambda x, y, f: ...,
            ],
            ["lstsq", "corrcoef"],
        ),
        (
            check.kept_nodes,
            kept,
            [
                lambda a, b, t: (a.max(axis=0) > t) | (b.max(axis=1) > t),  # "or"
                lambda a, b, t: (a.max(axis=1) > t) & (b.max(axis=0) > t),  # axes swapped
                lambda a, b, t: (a.sum(axis=0) > t) & (b.sum(axis=1) > t),  # sums
                lambda a, b, t: (a.max(axis=0) >= t) & (b.max(axis=1) >= t),  # not strict
                lambda a, b, t: ...,
            ],
            ["max(axis"],
        ),
        (
            check.matched_width,
            matched,
            [
                lambda n: float(matched(n)),  # a float
                lambda n: (-5 + (25 - 4 * (1 - n)) ** 0.5) / 2,  # the formula's root, not rounded up
                lambda n: int((-5 + (25 - 4 * (1 - n)) ** 0.5) / 2),  # rounded down
                lambda n: next(w for w in range(1, 100) if w * w + 3 * w >= n),  # forgets biases
                lambda n: ...,
            ],
            ["w * w", "5 * w"],
        ),
        (
            check.loglog_slope,
            slope,
            [
                lambda n, e: np.log(e[-1] / e[0]) / np.log(n[-1] / n[0]),  # the two ends
                lambda n, e: -slope(n, e),  # sign
                lambda n, e: np.polyfit(np.log(n), np.log(e), 1)[1],  # the intercept
                lambda n, e: np.polyfit(n, e, 1)[0],  # no logarithms
                lambda n, e: ...,
            ],
            ["polyfit"],
        ),
    ],
)
def test_second_edition_checks(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_new_checks_report_placeholders_and_errors(capsys):
    from tests.helpers import assert_placeholders_and_errors_reported

    assert_placeholders_and_errors_reported(
        [
            check.spline_error,
            check.affine_r2,
            check.kept_nodes,
            check.matched_width,
            check.loglog_slope,
            check.product_param_count,
        ],
        capsys,
    )


# ------------------------------------------------------------------------------- product nodes (chapter 23)
def product_count(width, grid, k):
    pairs = [tuple(w) if isinstance(w, list) else (w, 0) for w in width]
    nodes, subnodes = [s + m for s, m in pairs], [s + 2 * m for s, m in pairs]
    return sum(a * b * (grid + k + 2) for a, b in zip(nodes[:-1], subnodes[1:]))


def _counted_with(nodes_of, subnodes_of, per_edge):
    """A count built from per-level node counts (``nodes_of(s, m)`` feeding, ``subnodes_of(s, m)`` fed) and a
    per-edge cost: the reference with one piece changed is a plausible mistake."""

    def count(width, grid, k):
        pairs = [tuple(w) if isinstance(w, list) else (w, 0) for w in width]
        feeding, fed = [nodes_of(*p) for p in pairs], [subnodes_of(*p) for p in pairs]
        return sum(a * b * per_edge(grid, k) for a, b in zip(feeding[:-1], fed[1:]))

    return count


PRODUCT_MISTAKES = [
    # a product node's two subnodes counted as one (as if it were a sum node)
    (_counted_with(lambda s, m: s + m, lambda s, m: s + m, lambda G, k: G + k + 2), "its own edge"),
    # the base weight w_b forgotten
    (_counted_with(lambda s, m: s + m, lambda s, m: s + 2 * m, lambda G, k: G + k + 1), "base weight w_b"),
    # one coefficient per grid point plus k: off by one
    (_counted_with(lambda s, m: s + m, lambda s, m: s + 2 * m, lambda G, k: G + k + 3), "not the points"),
    # both factors of a product node feeding the next layer (subnodes on both sides)
    (_counted_with(lambda s, m: s + 2 * m, lambda s, m: s + 2 * m, lambda G, k: G + k + 2), "one edge to each node"),
    # product nodes left out altogether
    (_counted_with(lambda s, m: s, lambda s, m: s, lambda G, k: G + k + 2), "its own edge"),
    # a whole number as a float
    (lambda w, G, k: float(product_count(w, G, k)), "whole number"),
]


def test_product_param_count_check_accepts_the_reference_and_names_each_mistake(capsys):
    from kan_edu.kan import KAN

    for width in ([2, [0, 1], 1], [2, [1, 1], 1], [3, [2, 2], [1, 1], 2], [2, 5, 1]):  # the reference is the library's
        assert product_count(width, 6, 2) == KAN(width, grid=6, k=2).n_params()
    assert_check(check.product_param_count, product_count, [lambda w, G, k: ..., None], ["+ 2 *", "k + 2"], capsys)
    for wrong, words in PRODUCT_MISTAKES:
        assert_names_the_mistake(check.product_param_count, wrong, words, ["G + k + 2", "k + 2", "2 * m"], capsys)

    # a function that changes its width argument in place changes no other case of the check
    def mutating(width, grid, k):
        out = product_count(width, grid, k)
        width[1] = 99
        return out

    assert check.product_param_count(mutating)
