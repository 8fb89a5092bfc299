"""Checks for the KAN chapters: B-splines by recursion, parameter counts, spline orders, a matched MLP (chapter 22);
edge scores, R² of a formula, the pruning rule, the cost of product nodes (chapter 23); local support,
parameter-matched widths, scaling slopes, the residual of a PDE (chapter 24)."""

from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import BSpline

from ._core import answer, close, run, value

__all__ = [
    "bspline_recursion",
    "kan_param_count",
    "edge_score",
    "bspline_support",
    "spline_error",
    "spline_order",
    "mlp_width_for_kan",
    "affine_r2",
    "kept_nodes",
    "product_param_count",
    "matched_width",
    "loglog_slope",
    "pde_residual",
]


def _is_int(v) -> bool:
    """A count: a Python or numpy integer (not a bool, not a float that happens to be whole)."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _count_answer(fn, *args):
    """The student's count, or False when it is not an integer (the property then fails with its hint)."""
    out = answer(fn, *args)
    return int(out) if _is_int(out) else None


def bspline_recursion(fn):
    """Check ``fn(x, knots, k)``: all B-spline basis values, shape (len(x), len(knots) - k - 1), by recursion."""
    rng = np.random.default_rng(5)

    def matches(k, uniform):
        t = np.linspace(-1, 1, 11) if uniform else np.sort(rng.uniform(-1, 1, 11))
        x = np.linspace(t[k], t[len(t) - k - 1] - 1e-9, 37)
        ref = BSpline.design_matrix(x, t, k).toarray()  # scipy, an independent implementation
        return close(answer(fn, x, t, k), ref, rtol=1e-7, atol=1e-10)

    return run(
        "bspline_recursion",
        [
            (
                "order 0 gives the indicator of each knot interval",
                lambda: matches(0, True),
                "B_{i,0}(x) = 1 when t_i <= x < t_{i+1}, else 0; the output has len(knots) - 1 columns for k = 0.",
            ),
            (
                "order 1 gives the hat functions",
                lambda: matches(1, True),
                "raise the order with the Cox-de Boor formula: two neighbours of order k-1, weighted linearly in x.",
            ),
            (
                "orders 2 and 3 on a uniform grid",
                lambda: matches(2, True) and matches(3, True),
                "recurse from order 0 up to k; each order has one basis function fewer than the one before.",
            ),
            (
                "non-uniform knots",
                lambda: matches(3, False),
                "divide by the actual knot differences t_{i+k} - t_i and t_{i+k+1} - t_{i+1}, not by a constant spacing.",
            ),
        ],
    )


def _count(width, grid, k):
    return sum(a * b * (grid + k + 2) for a, b in zip(width[:-1], width[1:]))


def kan_param_count(fn):
    """Check ``fn(width, grid, k)``: the trainable numbers of a KAN (coefficients plus two scales per edge)."""
    cases = [([1, 1], 5, 3), ([2, 5, 1], 5, 3), ([2, 5, 1], 20, 3), ([4, 3, 2, 1], 10, 2), ([17, 1, 14], 3, 3)]
    return run(
        "kan_param_count",
        [
            (
                "the count is an integer",
                lambda: _is_int(answer(fn, *cases[1])),
                "a number of parameters is a whole number: return an int (use // or int only where the arithmetic is "
                "exact), not a float.",
            ),
            (
                "a single edge [1, 1] is counted right",
                lambda: _count_answer(fn, *cases[0]) == _count(*cases[0]),
                "one edge has G + k spline coefficients, plus its base scale w_b and spline scale w_s.",
            ),
            (
                "[2, 5, 1] at G = 5 and G = 20",
                lambda: all(_count_answer(fn, *c) == _count(*c) for c in cases[1:3]),
                "count the edges: every input of a layer connects to every output.",
            ),
            (
                "deeper and wider networks",
                lambda: all(_count_answer(fn, *c) == _count(*c) for c in cases[3:]),
                "sum over consecutive pairs of widths.",
            ),
        ],
    )


def _one_hidden_mlp(n_in: int, w: int, n_out: int) -> int:
    return n_in * w + w + w * n_out + n_out  # [n_in, w, n_out] with biases


def mlp_width_for_kan(fn):
    """Check ``fn(n_in, hidden, n_out, grid, k)``: the width w of the one-hidden-layer MLP [n_in, w, n_out] (with
    biases) whose parameter count is closest to that of the KAN [n_in, hidden, n_out]."""
    cases = [
        (64, 4, 10, 5, 3),
        (64, 2, 10, 5, 3),
        (64, 8, 10, 5, 3),
        (2, 5, 1, 5, 3),
        (17, 1, 14, 3, 3),
        (40, 3, 10, 10, 2),
        (6, 2, 1, 5, 3),
    ]  # (none of them is near a tie between two widths)

    def reference(n_in, hidden, n_out, grid, k):
        target = _count([n_in, hidden, n_out], grid, k)
        return min(range(1, target + 1), key=lambda w: (abs(_one_hidden_mlp(n_in, w, n_out) - target), w))

    def widths():
        return [(_count_answer(fn, *c), reference(*c)) for c in cases]

    return run(
        "mlp_width_for_kan",
        [
            (
                "the width is an integer",
                lambda: _is_int(answer(fn, *cases[0])),
                "a width counts units: return an int, rounded the right way, not the float a formula gives.",
            ),
            (
                "the widths are never too large",
                lambda: all(got is not None and got <= ref for got, ref in widths()),
                "your MLPs come out too wide, so you count fewer parameters per unit than the MLP has: every hidden "
                "unit and every output also has a bias.",
            ),
            (
                "the widths are at most one unit too small",
                lambda: all(got is not None and got >= ref - 1 for got, ref in widths()),
                "your MLPs come out far too narrow, so the KAN you match has more parameters than you count: each "
                "edge has G + k spline coefficients and also its two scales.",
            ),
            (
                "each width is the closest one",
                lambda: all(got == ref for got, ref in widths()),
                "between two widths take the nearer one: cutting the fraction off can leave a width whose count is "
                "farther from the KAN's.",
            ),
        ],
    )


def edge_score(fn):
    """Check ``fn(phi)``: the paper's L1 score of each edge from its activations phi of shape (samples, in, out)."""
    rng = np.random.default_rng(9)
    phi = rng.normal(size=(50, 3, 2))

    return run(
        "edge_score",
        [
            (
                "the score has one number per edge, shape (in, out)",
                lambda: np.shape(answer(fn, phi)) == (3, 2),
                "average over the samples (axis 0), keep the edges.",
            ),
            (
                "scores are never negative and zero for a dead edge",
                lambda: (
                    np.all(np.asarray(answer(fn, phi)) >= 0)
                    and close(np.asarray(answer(fn, np.zeros((4, 2, 2)))), np.zeros((2, 2)))
                ),
                "take the absolute value before averaging: positive and negative parts must not cancel.",
            ),
            (
                "the score is the mean absolute activation",
                lambda: close(answer(fn, phi), np.abs(phi).mean(axis=0)),
                "|phi|_1 is the mean over samples of |phi(x_s)|, not the sum, and not the mean of squares.",
            ),
        ],
    )


def bspline_support(fn):
    """Check ``fn(x, G, k)``: indices of the B-splines non-zero at x, uniform grid of G intervals on [-1, 1]."""
    import torch

    from ..kan import bspline_basis, uniform_knots

    def matches(x, G, k):
        knots = uniform_knots(G, k, (-1, 1), dtype=torch.float64)[0]
        ref = torch.nonzero(bspline_basis(torch.tensor([x], dtype=torch.float64), knots, k)[0] > 0).flatten().tolist()
        got = list(answer(fn, x, G, k))
        return all(_is_int(i) for i in got) and sorted(int(i) for i in got) == ref

    return run(
        "bspline_support",
        [
            (
                "the indices are integers",
                lambda: all(_is_int(i) for i in answer(fn, 0.3037, 10, 3)),
                "an index counts basis functions: return ints (a float from np.floor is not an index).",
            ),
            (
                "k + 1 bases are non-zero inside the grid",
                lambda: len(list(answer(fn, 0.3037, 10, 3))) == 4,
                "a B-spline of order k lives on k + 1 intervals, so k + 1 of them overlap at any point.",
            ),
            (
                "the indices are right for cubic splines",
                lambda: matches(0.3037, 200, 3) and matches(-0.7712, 10, 3),
                "find the interval j of the extended knot vector that contains x (mind the k extra knots on the left).",
            ),
            (
                "and for other orders and grids",
                lambda: matches(0.0531, 7, 1) and matches(0.5137, 5, 2),
                "the non-zero bases at interval j are numbers j - k up to j.",
            ),
        ],
    )


# ---------------------------------------------------------------------------------- chapter 22: spline order
SPLINE_SAMPLES = 1000


def _spline_target(x):
    return np.exp(np.sin(np.pi * x))


def _spline_error(G, k):
    from scipy.interpolate import make_lsq_spline

    x = np.linspace(-1, 1, SPLINE_SAMPLES)
    t = np.r_[[-1.0] * k, np.linspace(-1, 1, G + 1), [1.0] * k]
    return float(np.abs(make_lsq_spline(x, _spline_target(x), t, k)(x) - _spline_target(x)).max())


def _measured_order(k, grids=(10, 20, 40)):
    errors = [_spline_error(G, k) for G in grids]
    return float(np.polyfit(np.log(grids), -np.log(errors), 1)[0])


def spline_error(fn):
    """Check ``fn(G, k)``: the largest error, on 1000 equally spaced points of [-1, 1], of the least-squares spline of
    order k on G equal intervals fitted to exp(sin(πx)) at those points (knots: the G + 1 grid points, the ends
    repeated k more times)."""

    def number(G, k):
        out = answer(fn, G, k)
        return float(np.asarray(out, dtype=float).reshape(-1)[0]) if np.size(out) == 1 else math.nan

    return run(
        "spline_error",
        [
            (
                "the answer is one non-negative number",
                lambda: np.size(answer(fn, 10, 3)) == 1 and number(10, 3) >= 0,
                "return the largest absolute difference between the spline and the target over the samples.",
            ),
            (
                "linear splines (k = 1) on G = 10 and 40 intervals",
                lambda: all(math.isclose(number(G, 1), _spline_error(G, 1), rel_tol=1e-6) for G in (10, 40)),
                "G intervals need G + 1 grid points, with each end repeated k more times (scipy's make_lsq_spline wants "
                "that clamped knot vector); measure the maximum error, not the root mean square.",
            ),
            (
                "cubic splines (k = 3) on G = 5, 10 and 20 intervals",
                lambda: all(math.isclose(number(G, 3), _spline_error(G, 3), rel_tol=1e-6) for G in (5, 10, 20)),
                "pass the order k to the fit: the number of repeated end knots and the spline's degree both follow it.",
            ),
        ],
    )


def spline_order(answer_value, k: int = 3):
    """Check a measured order of convergence: the slope of −log(error) against log(G) for the least-squares spline
    of order ``k`` of :func:`spline_error`, fitted over G = 10, 20, 40."""

    def v():
        return float(value(answer_value, "your measured order"))

    try:  # the prediction typed in instead of the measurement gets its own hint
        typed_prediction = abs(float(answer_value) - (k + 1)) < 1e-9
    except (TypeError, ValueError):
        typed_prediction = False

    return run(
        "spline_order",
        [
            (
                "the order is one positive number",
                lambda: np.size(value(answer_value)) == 1 and v() > 0,
                "the error falls as G grows, so the order, the slope of −log(error) against log(G), is positive.",
            ),
            (
                "it is the order measured on G = 10, 20, 40 (within 0.05)",
                lambda: abs(v() - _measured_order(k)) <= 0.05,
                f"{k + 1} is the prediction; the exercise asks what the errors show. Fit a straight line to −log(error) "
                "against log(G) over the three grids and report its slope."
                if typed_prediction
                else "fit a straight line to −log(error) against log(G) over the three grids and report its slope; "
                "one pair of grids alone gives a different number.",
            ),
        ],
    )


# ------------------------------------------------------------------------- chapter 23: formulas and pruning
def affine_r2(fn):
    """Check ``fn(x, y, f)``: R² of the least-squares fit y ≈ c·f(x) + d (1 − residual / total sum of squares)."""
    rng = np.random.default_rng(21)
    x = np.linspace(0.1, 1.0, 60)
    noisy = np.sin(3 * x) + 0.2 * rng.standard_normal(60)

    def reference(x, y, f):
        a = np.c_[f(x), np.ones_like(x)]
        resid = y - a @ np.linalg.lstsq(a, y, rcond=None)[0]
        return 1 - (resid @ resid) / ((y - y.mean()) @ (y - y.mean()))

    def r2(x, y, f):
        out = answer(fn, x, y, f)
        return float(np.asarray(out, dtype=float).reshape(-1)[0]) if np.size(out) == 1 else math.nan

    return run(
        "affine_r2",
        [
            (
                "an exact affine image of f(x) scores 1",
                lambda: math.isclose(r2(x, 2.5 * np.exp(x) - 7.0, np.exp), 1.0, abs_tol=1e-9),
                "y = c·f(x) + d exactly here: fit both c and d (a column of ones next to f(x)), so that the residual "
                "is zero.",
            ),
            (
                "a noisy target gets the right R² (between 0 and 1)",
                lambda: math.isclose(r2(x, noisy, np.sin), reference(x, noisy, np.sin), rel_tol=1e-6),
                "R² compares the residual sum of squares with the spread of y around ITS MEAN, and it is not the "
                "correlation coefficient itself (that one is not squared).",
            ),
            (
                "a target far from zero is scored as one near zero",
                lambda: math.isclose(r2(x, noisy + 50, np.sin), reference(x, noisy, np.sin), rel_tol=1e-6),
                "adding a constant to y must not change R²: measure the total sum of squares around the mean of y, "
                "not around 0.",
            ),
        ],
    )


def kept_nodes(fn):
    """Check ``fn(score_in, score_out, threshold)``: the paper's pruning rule, a boolean per hidden node: kept when
    its largest incoming score (score_in, shape (inputs, hidden)) AND its largest outgoing score (score_out, shape
    (hidden, outputs)) exceed the threshold."""
    rng = np.random.default_rng(17)

    def reference(a, b, t):
        return (a.max(axis=0) > t) & (b.max(axis=1) > t)

    def cases(square):
        n_in, n_hidden, n_out = (4, 4, 4) if square else (3, 5, 2)
        out = []
        for _ in range(6):
            a = rng.uniform(0, 0.02, (n_in, n_hidden)) * (rng.random((n_in, n_hidden)) < 0.5)
            b = rng.uniform(0, 0.02, (n_hidden, n_out)) * (rng.random((n_hidden, n_out)) < 0.5)
            out.append((a, b))
        return out

    def agrees(square):
        for a, b in cases(square):
            got = np.asarray(answer(fn, a, b, 0.01))
            if got.shape != (a.shape[1],) or not np.array_equal(got.astype(bool), reference(a, b, 0.01)):
                return False
        return True

    a0 = np.array([[0.01, 0.5], [0.0, 0.5]])
    b0 = np.array([[0.5], [0.3]])

    return run(
        "kept_nodes",
        [
            (
                "one answer per hidden node, for 3 inputs, 5 hidden nodes and 2 outputs",
                lambda: np.shape(answer(fn, *cases(False)[0], 0.01)) == (5,),
                "score_in has one column per hidden node and score_out one row per hidden node: take the largest "
                "score along the other axis of each.",
            ),
            (
                "a node is kept only when both its incoming and its outgoing side are strong",
                lambda: agrees(False),
                "the rule is 'and', and it looks at each node's strongest edge on each side, not at a sum or a mean.",
            ),
            (
                "on a square layer (4 inputs, 4 hidden, 4 outputs) too",
                lambda: agrees(True),
                "with a square score matrix a wrong axis gives the right shape: the incoming scores of hidden node j "
                "are the column score_in[:, j], the outgoing ones the row score_out[j, :].",
            ),
            (
                "a score equal to the threshold does not count as above it",
                lambda: np.array_equal(np.asarray(answer(fn, a0, b0, 0.01)).astype(bool), [False, True]),
                "the paper keeps a node when its scores EXCEED the threshold: strictly greater.",
            ),
        ],
    )


def _levels(width):
    """(nodes, subnodes) per level of a width spec such as [2, [1, 1], 1]: a level [s, m] has s + m nodes, and the
    layer that feeds it has s + 2m outputs (two factors per product node)."""
    pairs = [tuple(w) if isinstance(w, (list, tuple)) else (w, 0) for w in width]
    return [s + m for s, m in pairs], [s + 2 * m for s, m in pairs]


def _product_count(width, grid, k):
    nodes, subnodes = _levels(width)
    return sum(a * b * (grid + k + 2) for a, b in zip(nodes[:-1], subnodes[1:]))


def product_param_count(fn):
    """Check ``fn(width, grid, k)``: the trainable numbers of a KAN whose hidden levels may hold product nodes,
    written ``[sums, products]`` as in ``KAN([2, [1, 1], 1])`` (coefficients plus two scales per edge)."""
    single = [([1, 1], 5, 3), ([1, 1], 7, 2), ([1, 1], 3, 1)]
    plain = [([2, 5, 1], 5, 3), ([4, 3, 2, 1], 10, 2)]
    products = [([2, [0, 1], 1], 5, 3), ([2, [1, 1], 1], 8, 3), ([3, [2, 2], 2], 4, 2)]
    deep = [([3, [2, 2], [1, 1], 2], 6, 3), ([2, [1, 3], 4, [0, 2], 1], 5, 1)]

    def got(case):  # (a fresh copy of the width: a function that changes its argument changes no other case)
        width, grid, k = case
        return _count_answer(fn, [list(w) if isinstance(w, list) else w for w in width], grid, k)

    def compare(cases, relation):
        return all((c := got(case)) is not None and relation(c, _product_count(*case)) for case in cases)

    return run(
        "product_param_count",
        [
            (
                "the count is an integer",
                lambda: _is_int(answer(fn, [2, [1, 1], 1], 5, 3)),
                "a number of parameters is a whole number: return an int, not a float.",
            ),
            (
                "one edge [1, 1] has no number missing",
                lambda: compare(single, lambda a, b: a >= b),
                "your count of a single edge is short: besides its spline coefficients an edge has two scales, the "
                "base weight w_b in front of silu and the spline scale w_s.",
            ),
            (
                "one edge [1, 1] has no number too many",
                lambda: compare(single, lambda a, b: a <= b),
                "your count of a single edge is too large: a grid of G intervals has G + 1 points, but the spline "
                "has one coefficient per basis function, and their number follows from the intervals, not the points.",
            ),
            (
                "networks without product nodes are counted as in chapter 22",
                lambda: compare(plain, lambda a, b: a == b),
                "every node of a level has an edge to every node of the next level; add the layers up.",
            ),
            (
                "each factor of a product node has its own edges",
                lambda: compare(products, lambda a, b: a >= b),
                "your count is short once there are product nodes: a product node multiplies two subnodes, and each "
                "factor is a sum with its own edge from every node of the level below.",
            ),
            (
                "after the multiplication a product node is one node",
                lambda: compare(products, lambda a, b: a <= b),
                "your count is too large once there are product nodes: the product is a single value, so it has one "
                "edge to each node of the next level, not one per factor.",
            ),
            (
                "the counts of the product-node networks are exact",
                lambda: compare(products, lambda a, b: a == b),
                "count layer by layer: the edges of a layer run from the nodes of one level to the subnodes of the "
                "next, where a sum node is one subnode and a product node two.",
            ),
            (
                "deeper networks with product nodes on several levels",
                lambda: compare(deep, lambda a, b: a == b),
                "a level can be fed by a layer (its subnodes) and feed the next one (its nodes): treat both sides of "
                "every hidden level, not only the first.",
            ),
        ],
    )


# ------------------------------------------------------------------ chapter 24: fair sizes and scaling slopes
def _mlp_params(w: int) -> int:
    return 2 * w + w + w * w + w + w + 1  # [2, w, w, 1] with biases


def matched_width(fn):
    """Check ``fn(n_params)``: the smallest width w whose MLP [2, w, w, 1] (tanh, with biases) has at least
    ``n_params`` parameters."""

    def reference(n):
        w = 1
        while _mlp_params(w) < n:
            w += 1
        return w

    targets = [30, 37, 165, 330, 1000, 4417]
    return run(
        "matched_width",
        [
            (
                "the width is an integer",
                lambda: _is_int(answer(fn, 165)),
                "a width counts units: return an int, rounded the right way, not the float a formula gives.",
            ),
            (
                "it is right where a width fits exactly (37 and 4417 parameters)",
                lambda: _count_answer(fn, 37) == 4 and _count_answer(fn, 4417) == 64,
                "count every weight AND every bias of the three linear layers 2 → w → w → 1.",
            ),
            (
                "it is the smallest width with at least that many parameters",
                lambda: all(_count_answer(fn, n) == reference(n) for n in targets),
                "between two widths, round up: the MLP may have a few more parameters than the KAN, never fewer.",
            ),
        ],
    )


def loglog_slope(fn):
    """Check ``fn(n, error)``: the least-squares slope of log(error) against log(n) (negative when the error falls)."""
    rng = np.random.default_rng(23)
    n = np.array([30.0, 45.0, 75.0, 165.0, 330.0])
    exact = 3.0 * n**-2.5
    noisy = exact * np.exp(0.4 * rng.standard_normal(5))

    def slope(a, b):
        out = answer(fn, a, b)
        return float(np.asarray(out, dtype=float).reshape(-1)[0]) if np.size(out) == 1 else math.nan

    reference = float(np.polyfit(np.log(n), np.log(noisy), 1)[0])
    return run(
        "loglog_slope",
        [
            (
                "an exact power law error ∝ n^(−2.5) gives −2.5",
                lambda: math.isclose(slope(n, exact), -2.5, rel_tol=1e-6),
                "take logarithms of both the parameter counts and the errors, and keep the sign: a falling error has "
                "a negative slope.",
            ),
            (
                "the slope is fitted to all the points, not read off the two ends",
                lambda: math.isclose(slope(n, noisy), reference, rel_tol=1e-6),
                "on scattered points the first and last point alone give a different slope: fit a least-squares line "
                "through every point.",
            ),
            (
                "the slope does not depend on the unit of the error",
                lambda: math.isclose(slope(n, 1e3 * noisy), reference, rel_tol=1e-6),
                "multiplying every error by a constant moves the line, not its slope: return the slope, not the "
                "intercept.",
            ),
        ],
    )


# ------------------------------------------------------------------ chapter 24: the residual of a PDE
def _formula(fn):
    """A torch module that is the known function ``fn`` of its inputs (one of the check's test networks)."""
    import torch

    class Formula(torch.nn.Module):
        def forward(self, x):
            return fn(x)

    return Formula()


def _pde_points(n: int = 12):
    import torch

    g = torch.Generator().manual_seed(31)
    return torch.rand(n, 2, generator=g, dtype=torch.float64) * 1.8 - 0.9


def _pde_network():
    import torch

    g = torch.Generator().manual_seed(7)
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    return net


def pde_residual(fn):
    """Check ``fn(model, x)``: the residual ∇²u − f of the Poisson problem (kan_edu.kan.pde) for the network
    ``model`` at the points ``x`` (N, 2), shape (N, 1), differentiable with respect to the model's parameters."""
    from ..kan.pde import _source

    x = _pde_points()
    f = _source(x)

    def trains():
        net = _pde_network()
        out = answer(fn, net, x.clone())
        if not hasattr(out, "requires_grad") or not out.requires_grad:
            return False
        (out**2).mean().backward()
        weight = net[0].weight.grad  # the first layer's weights shape the curvature: they must get a gradient
        return weight is not None and bool(weight.abs().max() > 0)

    def matches(u, lap):
        out = answer(fn, _formula(u), x.clone())
        return close(out, lap - f, rtol=1e-9, atol=1e-9)

    zero = lambda v: 0 * v[:, :1] ** 2  # noqa: E731 - u = 0 (with a graph)
    cubic = lambda v: v[:, :1] ** 3 * v[:, 1:] + 2 * v[:, 1:] ** 2  # noqa: E731
    return run(
        "pde_residual",
        [
            (
                "the residual can be differentiated again: a loss on it trains the network",
                trains,
                "the first derivative must itself be a graph that autograd can differentiate: ask for it with "
                "create_graph=True (and for the second one too, so that the loss reaches the parameters); the "
                "points need requires_grad.",
            ),
            (
                "it returns one value per point, shape (N, 1)",
                lambda: tuple(getattr(answer(fn, _pde_network(), x.clone()), "shape", ())) == (len(x), 1),
                "return a column, one residual per point, like the network's own output (N, 1).",
            ),
            (
                "for u = 0 the residual is the source with its sign flipped",
                lambda: matches(zero, 0 * f),
                "the residual is the Laplacian MINUS the source f: check the sign of the source term.",
            ),
            (
                "for u = x³y + 2y² it holds both second derivatives, u_xx and u_yy",
                lambda: matches(cubic, 6 * x[:, :1] * x[:, 1:] + 4),
                "the Laplacian adds the second derivative in x AND the one in y: differentiate each component of the "
                "gradient with respect to its own input (not the other: that is a mixed derivative).",
            ),
        ],
    )
