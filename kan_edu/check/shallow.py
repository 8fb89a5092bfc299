"""Checks for shallow networks: ReLU, the one-hidden-layer network, counting linear regions."""

from __future__ import annotations

import numpy as np

from .. import shallow
from ._core import answer, close, run

__all__ = ["relu", "shallow_network", "region_count"]


def relu(fn):
    """Check a ReLU written for numpy arrays."""
    rng = np.random.default_rng(3)
    z = rng.normal(scale=3.0, size=(7, 5))

    return run(
        "relu",
        [
            (
                "relu keeps the shape of its input",
                lambda: np.shape(answer(fn, z)) == z.shape,
                "apply the operation element by element, so a (7, 5) array gives a (7, 5) array.",
            ),
            (
                "relu(z) = z wherever z > 0",
                lambda: close(np.asarray(answer(fn, z))[z > 0], z[z > 0]),
                "positive inputs pass through unchanged.",
            ),
            (
                "relu(z) = 0 wherever z <= 0",
                lambda: close(np.asarray(answer(fn, z))[z <= 0], 0 * z[z <= 0]),
                "negative inputs are clipped to zero.",
            ),
            (
                "relu works on plain numbers too",
                lambda: close(answer(fn, np.float64(-2.0)), 0.0) and close(answer(fn, np.float64(1.5)), 1.5),
                "use numpy functions that accept scalars and arrays alike.",
            ),
        ],
    )


def shallow_network(fn):
    """Check ``fn(x, theta0, theta1, phi)``: a 1-input ReLU network with D hidden units (returns shape (N,))."""
    rng = np.random.default_rng(0)
    x = np.linspace(-2, 2, 41)
    cases = []
    for D in (1, 3, 6):
        t0, t1, phi = rng.normal(size=D), rng.normal(size=D), rng.normal(size=D + 1)
        cases.append((t0, t1, phi, shallow.shallow_1d(x, t0, t1, phi)[0]))

    def case(i):
        t0, t1, phi, ref = cases[i]
        return close(answer(fn, x, t0, t1, phi), ref, rtol=1e-6, atol=1e-9)

    zero = np.zeros(3)
    return run(
        "shallow_network",
        [
            (
                "the output has one value per input x (shape (N,))",
                lambda: np.shape(answer(fn, x, *cases[1][:3])) == x.shape,
                "sum over the hidden units, not over the inputs.",
            ),
            (
                "with all weights zero the output is the constant phi[0]",
                lambda: close(answer(fn, x, zero, zero, np.r_[0.7, zero]), np.full_like(x, 0.7)),
                "phi[0] is the output offset; phi[1:] weight the hidden units.",
            ),
            (
                "a network with 1 hidden unit matches the reference",
                lambda: case(0),
                "pre-activation theta0[d] + theta1[d] * x, then ReLU, then weight by phi[d + 1].",
            ),
            (
                "networks with 3 and 6 hidden units match the reference",
                lambda: case(1) and case(2),
                "loop over, or broadcast across, all D hidden units; the number of units is len(theta0).",
            ),
        ],
    )


def _is_count(v) -> bool:
    """``v`` is one whole number: a Python or numpy integer, or a float with no fractional part."""
    a = np.asarray(v)
    if a.dtype == bool or a.size != 1 or not np.issubdtype(a.dtype, np.number):
        return False
    x = a.reshape(-1)[0]
    return bool(np.issubdtype(a.dtype, np.integer) or (np.isfinite(x) and float(x).is_integer()))


def _count(v):
    return int(np.asarray(v).reshape(-1)[0]) if _is_count(v) else None


def region_count(fn):
    """Check ``fn(n_hidden, n_inputs)``: the largest number of linear regions of a shallow ReLU network."""
    pairs = [(0, 1), (1, 1), (5, 1), (3, 2), (10, 2), (6, 3), (4, 6), (20, 5)]

    def matches(lo, hi):
        return all(_count(answer(fn, D, Di)) == shallow.max_regions(D, Di) for D, Di in pairs[lo:hi])

    def whole_numbers():
        return all(_is_count(answer(fn, D, Di)) for D, Di in pairs)

    return run(
        "region_count",
        [
            (
                "the answer is a whole number (a count of regions)",
                whole_numbers,
                "a number of regions cannot be fractional: a division that leaves a remainder, or a formula "
                "that is not a count, is off somewhere.",
            ),
            (
                "one input: D hidden units give D + 1 regions at most",
                lambda: matches(0, 3),
                "each hidden unit adds one joint on the line.",
            ),
            (
                "two inputs: the counts for 3 and for 10 hidden units are right",
                lambda: matches(3, 5),
                "each new line crosses the earlier lines and adds one region per piece it is cut into.",
            ),
            (
                "any number of inputs",
                lambda: matches(5, 8),
                "a vertex of the arrangement is where several hyperplanes meet: count the ways to pick the "
                "hyperplanes for every dimension up to the number of inputs (j = 0 included). When D <= D_i "
                "every on/off pattern of the units is possible.",
            ),
        ],
    )
