"""Checks for normalising flows: the density of an affine flow, Prince's piecewise-linear map, an affine coupling
layer (both directions, with its log-determinant) and the fixed-point inverse of a residual flow."""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import flows
from ._core import answer, close, run

__all__ = ["affine_flow_log_density", "piecewise_linear_map", "coupling_layer", "fixed_point_iteration"]


def affine_flow_log_density(fn):
    """Check ``fn(x, a, b)``: log p(x) for x = a z + b, z ~ N(0, 1), elementwise over a numpy array x."""
    x = np.linspace(-4.0, 5.0, 37)

    def reference(a, b):
        return -0.5 * ((x - b) / a) ** 2 - 0.5 * math.log(2 * math.pi) - math.log(abs(a))

    def matches(a, b):
        return close(answer(fn, x.copy(), a, b), reference(a, b), rtol=1e-7, atol=1e-9)

    def mass(a, b):
        grid = np.linspace(b - 12 * abs(a), b + 12 * abs(a), 4001)
        return float(np.trapezoid(np.exp(np.asarray(answer(fn, grid, a, b), dtype=float)), grid))

    return run(
        "affine_flow_log_density",
        [
            (
                "there is one log density per point (shape like x)",
                lambda: np.shape(answer(fn, x.copy(), 2.0, 1.0)) == x.shape,
                "compute log p(x) elementwise: pull each x back to its z, then apply the formula.",
            ),
            (
                "with a = 1 and b = 0 the flow does nothing, so log p(x) is the standard normal's",
                lambda: matches(1.0, 0.0),
                "start from log N(z; 0, 1) = -z**2/2 - log(2 pi)/2 at the z that maps to x.",
            ),
            (
                "a shift b moves the density without changing its shape",
                lambda: matches(1.0, 1.5),
                "pulling back undoes the forward map: z is the point with a z + b = x.",
            ),
            (
                "the density integrates to 1 for a = 2.5 (a stretch must lower the density)",
                lambda: abs(mass(2.5, 1.0) - 1.0) < 1e-4,
                "stretching by a spreads the same mass over a wider range: the Jacobian term "
                "must lower the density where a > 1, so check its sign.",
            ),
            (
                "it matches the closed form for a > 0",
                lambda: matches(2.5, 1.0) and matches(0.4, -1.0),
                "log p(x) = log N(z; 0, 1) plus the log of |dz/dx| = 1/|a|.",
            ),
            (
                "a negative a (a flipped axis) gives a valid density too",
                lambda: matches(-0.7, 0.5) and abs(mass(-0.7, 0.5) - 1.0) < 1e-4,
                "a flip reverses the axis but changes no volume: the change of variables uses the "
                "absolute value of the derivative.",
            ),
        ],
    )


def piecewise_linear_map(fn):
    """Check ``fn(h, phi)``: Prince's piecewise-linear map (UDL eq. 16.12) at each h in [0, 1] (numpy arrays)."""
    phi = np.array([0.2, 0.1, 0.4, 0.05, 0.25])
    h = np.linspace(0.0, 1.0, 41)
    inner = np.random.default_rng(16).uniform(0.001, 0.999, 60)

    def out(hh, ph=phi):
        return np.asarray(answer(fn, hh.copy(), ph.copy()), dtype=float)

    return run(
        "piecewise_linear_map",
        [
            (
                "there is one output per input (shape like h)",
                lambda: out(h).shape == h.shape,
                "compute h' for every entry of h.",
            ),
            (
                "the map sends 0 to 0 and 1 to 1 (it maps [0, 1] onto itself)",
                lambda: close(out(np.array([0.0, 1.0])), [0.0, 1.0], atol=1e-9),
                "at h = 0 nothing has been added yet, and at h = 1 every bin's height has (they sum to 1); "
                "h = 1 belongs to the last bin. The first printing of UDL has an off-by-one error in eq. 16.12 "
                "(see its errata): check which bin h lies in and how much of that bin is covered.",
            ),
            (
                "with equal heights (all 1/K) the map is the identity",
                lambda: close(out(inner, np.full(4, 0.25)), inner, atol=1e-9),
                "inside bin b the map adds the fraction of the bin covered so far, K h - b, times the bin's height.",
            ),
            (
                "the map is increasing and continuous at the bin edges",
                lambda: bool(np.all(np.diff(out(h)) > 0)) and close(out(h[::8] - 1e-9)[1:], out(h[::8])[1:], atol=1e-6),
                "the first printing of UDL has an off-by-one error in eq. 16.12: with b counted from 1, the "
                "fraction of bin b covered is K h - b + 1; check where each bin starts.",
            ),
            (
                "it matches eq. 16.12 everywhere",
                lambda: close(out(inner), flows.piecewise_linear(inner, phi)[0], atol=1e-9),
                "add the heights of all the bins to the left of h, then the covered part of h's own bin.",
            ),
        ],
    )


def _conditioners():
    gen = torch.Generator().manual_seed(16)
    Ws, Wt = (
        torch.randn(3, 3, generator=gen, dtype=torch.float64),
        torch.randn(3, 3, generator=gen, dtype=torch.float64),
    )

    def s_fn(u):
        return torch.tanh(u @ Ws)

    def t_fn(u):
        return u @ Wt + 0.3

    return s_fn, t_fn


def coupling_layer(fn):
    """Check ``fn(z, mask, s_fn, t_fn, inverse=False)``: an affine coupling layer on torch tensors (N, D).

    Forward: ``(x, log |det dx/dz|)``; with ``inverse=True``: ``(z, log |det dz/dx|)``, the log-dets of shape (N,).
    """
    s_fn, t_fn = _conditioners()
    mask = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    z = torch.randn(5, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)

    def forward(u):
        out = answer(fn, u.clone(), mask.clone(), s_fn, t_fn)
        return out[0], out[1]

    def inverse(u):
        out = answer(fn, u.clone(), mask.clone(), s_fn, t_fn, inverse=True)
        return out[0], out[1]

    def shapes():
        x, log_det = forward(z)
        return tuple(x.shape) == (5, 3) and tuple(torch.as_tensor(log_det).shape) == (5,)

    def kept():
        x, _ = forward(z)
        return close(x[:, mask.bool()], z[:, mask.bool()], atol=1e-12)

    def round_trip():
        x, _ = forward(z)
        back, _ = inverse(x)
        return close(back, z, atol=1e-9)

    def log_det_matches():
        _, log_det = forward(z)
        for i in range(len(z)):
            J = torch.autograd.functional.jacobian(lambda u: forward(u[None])[0][0], z[i])
            if not close(torch.as_tensor(log_det)[i], torch.linalg.slogdet(J)[1], atol=1e-8):
                return False
        return True

    def inverse_log_det():
        x, log_det = forward(z)
        _, log_det_inv = inverse(x)
        return close(log_det_inv, -torch.as_tensor(log_det), atol=1e-9)

    return run(
        "coupling_layer",
        [
            (
                "the layer returns (points of shape (N, D), log-determinants of shape (N,))",
                shapes,
                "return a pair: the transformed batch and one log-determinant per point, summed over the "
                "changed coordinates.",
            ),
            (
                "the masked coordinates (mask = 1) pass through unchanged",
                kept,
                "only the coordinates where mask = 0 are scaled and shifted; keep the others exactly as they came.",
            ),
            (
                "inverse=True undoes the forward map",
                round_trip,
                "s and t must be computed from the same input in both directions (the kept coordinates, which the "
                "layer does not change), and the inverse undoes the steps in reverse order.",
            ),
            (
                "the log-determinant of the forward map matches the autograd Jacobian",
                log_det_matches,
                "the Jacobian is triangular: its determinant is the product of the scale factors of the changed "
                "coordinates only, and its log is a sum.",
            ),
            (
                "the inverse's log-determinant is minus the forward one",
                inverse_log_det,
                "dz/dx is the inverse matrix of dx/dz, so the log-determinants have opposite signs.",
            ),
        ],
    )


def fixed_point_iteration(fn):
    """Check ``fn(g, y, n)``: z after n steps of the fixed-point iteration that solves z + g(z) = y (numpy)."""
    y = np.linspace(-2.0, 2.0, 9)

    def g(u):
        return 0.6 * np.sin(u) + 0.1

    def solve(n, gg=g, yy=y):
        return np.asarray(answer(fn, gg, yy.copy(), n), dtype=float)

    truth = flows.fixed_point_inverse(g, y, n=200)

    def contracts():
        errors = [np.abs(solve(n) - truth).max() for n in range(1, 8)]
        return all(e2 <= 0.6 * e1 + 1e-12 for e1, e2 in zip(errors, errors[1:]))

    return run(
        "fixed_point_iteration",
        [
            (
                "there is one z per y (shape like y)",
                lambda: solve(5).shape == y.shape,
                "iterate on the whole array at once.",
            ),
            (
                "with g = 0 the answer is y itself",
                lambda: close(solve(10, lambda u: 0 * u), y, atol=1e-12),
                "if g is zero, the flow is the identity, and so is its inverse.",
            ),
            (
                "after many steps z + g(z) = y",
                lambda: close(solve(100) + g(solve(100)), y, atol=1e-9),
                "the solution is a fixed point: rearrange z + g(z) = y so that z stands alone on one side, and apply "
                "the other side again and again; a sign slip there makes the map push away from the solution.",
            ),
            (
                "the error shrinks at least by the Lipschitz constant L = 0.6 at every step",
                contracts,
                "start from a fixed guess (y itself will do) and apply the map once per step, feeding each new z back in; "
                "n counts the steps.",
            ),
        ],
    )
