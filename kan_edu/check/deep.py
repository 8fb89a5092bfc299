"""Checks for deep networks: the forward pass in matrix form, counting linear regions from samples, and building
the network of the repeated tent map by hand."""

from __future__ import annotations

import numpy as np

from .. import deep
from ._core import answer, close, is_float64, run
from ._core import count_value as _count
from ._core import is_count as _is_count

__all__ = ["deep_network", "count_linear_regions", "tent_network"]


def deep_network(fn):
    """Check ``fn(x, weights, biases)``: a deep ReLU network in matrix form on a batch ``x`` of shape (N, D_i).

    ``weights[k]`` has shape (D_{k+1}, D_k), ``biases[k]`` shape (D_{k+1},); the hidden layers use ReLU and the
    output layer is linear; the result has shape (N, D_o).
    """
    rng = np.random.default_rng(4)

    def case(widths, seed, n=9):
        weights, biases = deep.random_network(widths, seed=seed, bias_scale=0.8)
        x = rng.normal(size=(n, widths[0]))
        return x, weights, biases, deep.forward(x, weights, biases)

    shallow_case = case([2, 5, 3], 1)
    deep_cases = [case([1, 3, 4, 2], 2), case([3, 4, 6, 2, 5, 1], 3)]
    x0, w0, b0, _ = case([2, 4, 4, 3], 5)
    w0 = [np.zeros_like(W) for W in w0]
    b0[-1] = np.array([-0.5, 0.25, -2.0])

    def matches(c):
        x, weights, biases, ref = c
        return close(answer(fn, x, [W.copy() for W in weights], [b.copy() for b in biases]), ref, rtol=1e-6, atol=1e-9)

    return run(
        "deep_network",
        [
            (
                "the output has shape (N, D_o): one row per example, one column per output",
                lambda: np.shape(answer(fn, *shallow_case[:3])) == shallow_case[3].shape,
                "Omega_k has shape (D_k, D_{k-1}); with examples in rows, a layer is b + h @ W.T.",
            ),
            (
                "the output is a numpy array of float64 numbers",
                lambda: is_float64(answer(fn, *shallow_case[:3]), array=True),
                "keep numpy's double precision: do not round the result to float32 or turn it into a list.",
            ),
            (
                "with every weight zero, the output is the output bias (negative entries included)",
                lambda: close(answer(fn, x0, w0, b0), np.tile(b0[-1], (len(x0), 1))),
                "the last layer adds its bias and applies no activation: outputs may be negative.",
            ),
            (
                "a network with one hidden layer matches the reference",
                lambda: matches(shallow_case),
                "hidden layer: relu(beta_1 + Omega_1 x); output: beta_2 + Omega_2 h_1 (no ReLU on the output).",
            ),
            (
                "networks with 2 and 4 hidden layers of different widths match the reference",
                lambda: all(matches(c) for c in deep_cases),
                "loop over the hidden layers, each one fed the activations of the layer before; only the last "
                "(weights[-1], biases[-1]) is linear. The depth is len(weights) - 1.",
            ),
        ],
    )


def count_linear_regions(fn):
    """Check ``fn(y)``: the number of linear pieces of a piecewise-linear function sampled on an even grid."""
    x = np.linspace(0.0, 1.0, 2001)
    rng = np.random.default_rng(7)

    def random_pieces(n):
        # knots at least 20 grid cells apart, slopes that change by a clear amount at every knot
        inner = np.sort(rng.choice(np.arange(1, 98), size=n - 1, replace=False)) / 98.0 + rng.uniform(0, 1e-3)
        knots = np.r_[0.0, inner, 1.0]
        slopes = np.cumsum(rng.choice([-1.0, 1.0], size=n) * rng.uniform(0.5, 2.0, size=n))
        values = np.r_[0.0, np.cumsum(slopes * np.diff(knots))]
        return np.interp(x, knots, values), n

    line = (0.37 * x + 0.1, 1)
    flat = (np.full_like(x, 0.3), 1)
    on_grid = (np.abs(x - 0.5), 2)  # the joint is a grid point
    in_cell = (np.abs(x - 0.33337), 2)  # the joint lies between two grid points
    randoms = [random_pieces(n) for n in (4, 9, 17)]
    # two joints on grid points and one between two grid points, in one function: 4 pieces
    mixed = (np.abs(x - 0.25) + np.abs(x - 0.5) + np.abs(x - 0.70003), 4)
    W, b = deep.sawtooth_network(3, 3)
    folded = (deep.forward(x, W, b), 27)

    def count(y):
        return _count(answer(fn, y.copy()))

    def right(cases):
        return all(count(y) == n for y, n in cases)

    return run(
        "count_linear_regions",
        [
            (
                "the answer is a whole number",
                lambda: _is_count(answer(fn, line[0].copy())),
                "a number of regions cannot be fractional or a list: return one integer, the number of pieces.",
            ),
            (
                "a straight line and a constant are one region each",
                lambda: right([line, flat]),
                "compare slopes with a tolerance: rounding makes the differences of a straight line vary in the last "
                "digits. A function with no joint has 1 region, not 0.",
            ),
            (
                "|x - 0.5| (a joint on a grid point) has 2 regions",
                lambda: right([on_grid]),
                "regions = joints + 1; look at how the slope (np.diff of y) changes from one cell to the next.",
            ),
            (
                "|x - 0.33337| (a joint between two grid points) has 2 regions",
                lambda: right([in_cell]),
                "a joint inside a grid cell bends that cell's slope, so the slope changes at two neighbouring "
                "places: count each run of consecutive changes once.",
            ),
            (
                "random piecewise-linear functions with 4, 9 and 17 pieces are counted right",
                lambda: right(randoms),
                "every joint, up or down, counts; runs of changes are separated by cells where the slope stays put.",
            ),
            (
                "joints on grid points and joints between grid points, in one function, are all counted",
                lambda: right([mixed]),
                "a joint on a grid point changes the slope once, a joint between grid points changes it in two "
                "neighbouring places: count each run of changes once, whatever its length.",
            ),
            (
                "the count does not depend on the scale of y (y * 1e6, y * 1000, y / 1000, y * 1e-7, a steep sawtooth)",
                lambda: right(
                    [(y * 1000, n) for y, n in randoms[:2]]
                    + [(y / 1000, n) for y, n in randoms[:2]]
                    + [(y * 1e-7, n) for y, n in randoms[:2]]
                    + [(y * 1e6, n) for y, n in randoms[:2]]
                    + [folded]
                ),
                "make the tolerance relative: compare slope changes with 1e-6 times the largest |slope|.",
            ),
        ],
    )


def _tent_power(x, k):
    """T applied k times, T(x) = 2 min(x, 1 - x): the reference, computed without any network."""
    for _ in range(k):
        x = 2.0 * np.minimum(x, 1.0 - x)
    return x


def tent_network(fn):
    """Check ``fn(k) -> (weights, biases)``: a ReLU network with k hidden layers of 2 units computing T∘...∘T
    (k times) on [0, 1], in the layout of ``kan_edu.deep.forward`` (``weights[j]`` of shape (D_{j+1}, D_j))."""
    x = np.linspace(0.0, 1.0, 1001)  # the joints of T^k for k <= 5 lie on this grid
    x_off = np.array([0.1234, 0.377, 0.5555, 0.8181, 0.9876])  # and points between them

    def network(k):
        out = answer(fn, k)
        weights, biases = out
        return [np.asarray(W, dtype=float) for W in weights], [np.asarray(b, dtype=float).reshape(-1) for b in biases]

    def shapes_right(k):
        weights, biases = network(k)
        want = [(2, 1)] + [(2, 2)] * (k - 1) + [(1, 2)]
        return [W.shape for W in weights] == want and [b.shape for b in biases] == [(w[0],) for w in want]

    def layer_count(k):
        weights, biases = network(k)
        return len(weights) == k + 1 and len(biases) == k + 1

    def computes(k):
        weights, biases = network(k)
        ok = True
        for xs in (x, x_off):
            ok = ok and close(deep.forward(xs, weights, biases), _tent_power(xs, k), rtol=1e-9, atol=1e-9)
        return ok

    return run(
        "tent_network",
        [
            (
                "k = 1 gives two lists of 2 entries (one hidden layer, then the output layer)",
                lambda: layer_count(1),
                "return (weights, biases): one matrix and one bias vector per layer, the output layer included.",
            ),
            (
                "k hidden layers give k + 1 layers for k = 2 and 5",
                lambda: layer_count(2) and layer_count(5),
                "one hidden layer per application of T, and one linear output layer after the last.",
            ),
            (
                "the shapes are (2, 1), then (2, 2) for every further hidden layer, then (1, 2); biases to match",
                lambda: all(shapes_right(k) for k in (1, 2, 5)),
                "weights[j] has one row per unit it feeds and one column per unit (or input) it reads.",
            ),
            (
                "k = 1 computes the tent map T on [0, 1]",
                lambda: computes(1),
                "T rises with slope 2 up to x = 1/2 and falls with slope -2 after: one unit that switches on at "
                "0 and one at 1/2, with output weights that make the slope change by -4 at the second.",
            ),
            (
                "k = 2 computes T(T(x)), the W with four pieces",
                lambda: computes(2),
                "the second hidden layer must see T(x), which is not a unit of the first layer but a weighted sum "
                "of them: fold the first network's output weights into the second layer's weights and offsets "
                "(section 4.2).",
            ),
            (
                "k = 5 computes T applied five times (32 pieces)",
                lambda: computes(5),
                "every hidden layer after the first is built the same way; only the first reads x directly.",
            ),
        ],
    )
