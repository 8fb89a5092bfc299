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
            check.mlp_width_for_kan,
            check.product_param_count,
        ],
        capsys,
    )


# ------------------------------------------------------------------- chapter 22: an MLP matched to a KAN
def matched_mlp(n_in, hidden, n_out, grid, k):
    kan = (n_in * hidden + hidden * n_out) * (grid + k + 2)
    return round((kan - n_out) / (n_in + n_out + 1))


def test_mlp_width_for_kan_check(capsys):
    from tests.helpers import assert_names_the_mistake

    assert check.mlp_width_for_kan(matched_mlp)
    assert check.mlp_width_for_kan(lambda *c: np.int64(matched_mlp(*c)))
    assert "\u2714" in capsys.readouterr().out
    secrets = ["n_in + n_out + 1", "+ 2)", "75"]
    wrongs = [
        # a float: the formula's value, not rounded
        (lambda a, h, b, G, k: ((a * h + h * b) * (G + k + 2) - b) / (a + b + 1), "return an int"),
        # forgets the MLP's biases
        (lambda a, h, b, G, k: round((a * h + h * b) * (G + k + 2) / (a + b)), "bias"),
        # forgets the KAN's two scales per edge
        (lambda a, h, b, G, k: round(((a * h + h * b) * (G + k) - b) / (a + b + 1)), "two scales"),
        # rounds down instead of to the nearest
        (lambda a, h, b, G, k: ((a * h + h * b) * (G + k + 2) - b) // (a + b + 1), "nearer one"),
        # the KAN's hidden width times G + k + 2: the same count without the MLP's biases, solved exactly
        (lambda a, h, b, G, k: h * (G + k + 2), "bias"),
    ]
    for wrong, words in wrongs:
        assert_names_the_mistake(check.mlp_width_for_kan, wrong, words, secrets, capsys)
    assert not check.mlp_width_for_kan(lambda *c: ...)
    assert "not answered" in capsys.readouterr().out


# ------------------------------------------------------------------ chapter 24: the residual of the Poisson problem
def _residual(model, x, create_graph=True, which=("xx", "yy"), sign=-1):
    """The reference ∇²u − f and its plausible mistakes (switched by the keywords)."""
    import torch

    from kan_edu.kan import poisson_source

    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(x).sum(), x, create_graph=create_graph)
    lap = torch.zeros_like(x[:, :1])
    for part in which:
        i, j = "xy".index(part[0]), "xy".index(part[1])
        (row,) = torch.autograd.grad(grad[:, i].sum(), x, create_graph=True)
        lap = lap + row[:, j : j + 1]
    return lap + sign * poisson_source(x)


PDE_HINTS = [
    (lambda m, x: _residual(m, x, create_graph=False), "create_graph=True"),  # the first derivative has no graph
    (lambda m, x: _residual(m, x, which=("xx",)), "AND the one in y"),  # one second derivative only
    (lambda m, x: _residual(m, x, which=("xy", "yx")), "mixed derivative"),  # the off-diagonal of the Hessian
    (lambda m, x: _residual(m, x, sign=+1), "sign of the source"),  # ∇²u + f
]


def test_pde_residual_passes_the_reference_and_names_each_mistake(capsys):
    from tests.helpers import assert_names_the_mistake

    assert check.pde_residual(_residual)
    assert not check.pde_residual(lambda m, x: _residual(m, x).detach())  # right values, but nothing to train
    capsys.readouterr()
    for wrong, words in PDE_HINTS:
        assert_names_the_mistake(check.pde_residual, wrong, words, ["[:, i].sum()", "row[:, j", "lap + sign"], capsys)


def test_pde_residual_reports_placeholder_and_errors(capsys):
    from tests.helpers import assert_placeholders_and_errors_reported

    def placeholder(model, x): ...  # your code here

    assert not check.pde_residual(placeholder)
    assert "not answered yet" in capsys.readouterr().out
    assert_placeholders_and_errors_reported([check.pde_residual], capsys)


def test_pde_residual_names_a_flat_result(capsys):
    from tests.helpers import assert_names_the_mistake

    assert_names_the_mistake(check.pde_residual, lambda m, x: _residual(m, x)[:, 0], "shape (N, 1)", [], capsys)


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
