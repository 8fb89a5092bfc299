"""Checks for shallow networks: ReLU, the one-hidden-layer network, counting linear regions."""

from __future__ import annotations

import numpy as np

from .. import shallow
from ._core import answer, close, is_float64, run
from ._core import count_value as _count
from ._core import is_count as _is_count

__all__ = ["relu", "shallow_network", "shallow_network_multi", "region_count"]


def relu(fn):
    """Check a ReLU written for numpy arrays."""
    rng = np.random.default_rng(3)
    z = rng.normal(scale=3.0, size=(7, 5))

    def fresh_array():
        z_in = z.copy()
        out = answer(fn, z_in)
        return np.array_equal(z_in, z) and is_float64(out, array=True) and not np.shares_memory(out, z_in)

    return run(
        "relu",
        [
            (
                "relu keeps the shape of its input",
                lambda: np.shape(answer(fn, z)) == z.shape,
                "apply the operation element by element, so a (7, 5) array gives a (7, 5) array.",
            ),
            (
                "relu returns a new float64 numpy array and leaves its input unchanged",
                lambda: fresh_array(),
                "build the result as a new numpy array of the same dtype: do not overwrite the input in place, "
                "do not return a list, and do not round to float32.",
            ),
            (
                "relu(z) = z wherever z > 0",
                lambda: close(np.asarray(answer(fn, z))[z > 0], z[z > 0]),
                "positive inputs pass through unchanged.",
            ),
            (
                "relu(z) = 0 wherever z <= 0",
                lambda: bool(np.all(np.asarray(answer(fn, z.copy()))[z <= 0] == 0.0)),
                "negative inputs are clipped to exactly zero (not to a small positive number).",
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
                "the output is a numpy array of float64 numbers",
                lambda: is_float64(answer(fn, x, *cases[1][:3]), array=True),
                "keep numpy's double precision: do not round the result to float32 or turn it into a list.",
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


def _multi(x, theta0, Theta, phi0, Phi):
    """The reference for eq. (3.5), written with explicit sums over the units (no matrix products)."""
    h = np.maximum(theta0[None, :] + np.einsum("di,ni->nd", Theta, x), 0.0)
    return phi0[None, :] + np.einsum("kd,nd->nk", Phi, h)


def shallow_network_multi(fn):
    """Check ``fn(x, theta0, Theta, phi0, Phi)``: a shallow ReLU network with D_i inputs and D_o outputs on a
    batch ``x`` of shape (N, D_i); returns (N, D_o)."""
    rng = np.random.default_rng(5)

    def case(n, d_in, d, d_out):
        return (
            rng.normal(size=(n, d_in)),
            rng.normal(size=d),
            rng.normal(size=(d, d_in)),
            rng.normal(size=d_out),
            rng.normal(size=(d_out, d)),
        )

    main = case(7, 2, 4, 3)
    square = case(6, 3, 3, 3)  # every matrix square: transposes fit the shapes
    one = case(1, 1, 5, 1)
    # all pre-activations negative: every unit is off, so the outputs are phi0 (negative entries included)
    x_off, _, Theta_off, _, Phi_off = case(5, 2, 3, 2)
    theta_off = -10.0 - np.abs(x_off).sum() * np.abs(Theta_off).sum() * np.ones(3)
    phi_off = np.array([-0.5, 1.5])

    def out(*args):
        return np.asarray(answer(fn, *[a.copy() for a in args]), dtype=float)

    def matches(c):
        return close(out(*c), _multi(*c), rtol=1e-9, atol=1e-12)

    return run(
        "shallow_network_multi",
        [
            (
                "7 examples, 2 inputs, 4 hidden units and 3 outputs give shape (7, 3)",
                lambda: out(*main).shape == (7, 3),
                "one row per example and one column per output; Theta is (D, D_i) and Phi is (D_o, D).",
            ),
            (
                "when every unit is off, every output is its offset phi0, negative ones included",
                lambda: close(out(x_off, theta_off, Theta_off, phi_off, Phi_off), np.tile(phi_off, (5, 1))),
                "clip the hidden units at zero, not the outputs: the output layer has no activation, and its "
                "offsets phi0 are added after the weighted sum of the units.",
            ),
            (
                "2 inputs, 4 units, 3 outputs match the reference",
                lambda: matches(main),
                "pre-activations theta0 + Theta x for every example, ReLU, then phi0 + Phi h.",
            ),
            (
                "with every matrix square (3 inputs, 3 units, 3 outputs) nothing is transposed",
                lambda: matches(square),
                "row d of Theta holds the input weights of unit d, row k of Phi the weights of output k; with "
                "examples in rows, each product needs the matrix's transpose.",
            ),
            (
                "one example, one input, one output keeps shape (1, 1)",
                lambda: out(*one).shape == (1, 1) and matches(one),
                "keep both axes even when they have length 1.",
            ),
        ],
    )


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
