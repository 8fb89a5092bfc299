"""kan_edu.deep: deep (several hidden layers) networks in numpy, and their linear regions, for chapter 4.

A deep network with K hidden layers maps an input x to an output y through (UDL chapter 4)

    h_0 = x,    h_k = a(β_k + Ω_k h_{k-1})  for k = 1..K,    y = β_{K+1} + Ω_{K+1} h_K.

``weights`` is the list [Ω_1, ..., Ω_{K+1}], each Ω_k of shape (D_k, D_{k-1}) (rows are the layer's units, as
in ``torch.nn.Linear.weight``), and ``biases`` is [β_1, ..., β_{K+1}], each β_k of shape (D_k,). Inputs come
in a batch, one row per example.

With ReLU and one input, the output is piecewise linear. :func:`pieces_1d` finds its pieces *exactly* by
walking through the layers (each unit of a layer adds at most one joint to every piece of the layer before,
which is where the bound (D+1)^K comes from); :func:`count_regions_grid` counts the pieces of any
piecewise-linear function from its values on a fine grid. The constructions :func:`sawtooth_network` and
:func:`folding_network` fold the input again and again and reach exponentially many regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

import numpy as np

from ._validate import ArgumentTypeError, choice, function, number, ordered, random_seed, size, sizes
from ._validate import array as _array
from .shallow import _activation

__all__ = [
    "forward",
    "random_network",
    "n_parameters",
    "compose",
    "compose_shallow",
    "from_shallow",
    "pieces_1d",
    "count_regions_1d",
    "count_regions_grid",
    "max_regions_deep",
    "sawtooth_network",
    "folding_network",
]


# ------------------------------------------------------------------------------------------- validation
def _layers(weights, biases):
    """Check that ``weights`` and ``biases`` describe a chain of layers; return them as float arrays."""
    for name, value in (("weights", weights), ("biases", biases)):
        if not isinstance(value, (list, tuple)):
            raise ArgumentTypeError(f"{name} must be a list of arrays, one per layer, got {type(value).__name__}")
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(
            f"weights and biases must hold one matrix and one vector per layer (one layer at least), got "
            f"{len(weights)} weight matrices and {len(biases)} bias vectors"
        )
    Ws = [_array(f"weights[{k}]", W, 2) for k, W in enumerate(weights)]
    bs = [_array(f"biases[{k}]", b, 1) for k, b in enumerate(biases)]
    for k, (W, b) in enumerate(zip(Ws, bs)):
        if b.shape[0] != W.shape[0]:
            raise ValueError(f"biases[{k}] has length {b.shape[0]} but weights[{k}] has {W.shape[0]} rows")
        if k > 0 and W.shape[1] != Ws[k - 1].shape[0]:
            raise ValueError(
                f"weights[{k}] has {W.shape[1]} columns but layer {k - 1} has {Ws[k - 1].shape[0]} "
                "units (Omega_k must have shape (D_k, D_{k-1}))"
            )
    return Ws, bs


def widths_of(weights) -> list[int]:
    """[D_i, D_1, ..., D_K, D_o] of a network given by its weight matrices."""
    return [int(np.shape(weights[0])[1])] + [int(np.shape(W)[0]) for W in weights]


# ----------------------------------------------------------------------------------------- the network
def forward(x, weights, biases, act: str = "relu", return_hidden: bool = False):
    """Run the deep network (Ω_k, β_k) on a batch ``x``.

    ``x`` has shape (N, D_i); a 1-D ``x`` of shape (N,) means one input. Every hidden layer applies the
    activation ``act`` (a name from :data:`kan_edu.shallow.ACTIVATIONS`); the output layer is linear.
    Returns ``y`` of shape (N, D_o), or (N,) when ``x`` was 1-D and there is one output. With
    ``return_hidden=True`` it returns ``(y, pre, hidden)``: the pre-activations β_k + Ω_k h_{k-1} and the
    activations h_k of every hidden layer, each of shape (N, D_k).
    """
    Ws, bs = _layers(weights, biases)
    x = _array("x", x, (1, 2))
    one_input = x.ndim == 1
    if one_input:
        x = x[:, None]
    if x.shape[1] != Ws[0].shape[1]:
        raise ValueError(f"x has {x.shape[1]} input(s) per row but weights[0] expects {Ws[0].shape[1]}")
    a = _activation(act)
    h, pres, hidden = x, [], []
    for W, b in zip(Ws[:-1], bs[:-1]):
        z = b + h @ W.T  # row form of β_k + Ω_k h_{k-1}
        h = a(z)
        pres.append(z)
        hidden.append(h)
    y = bs[-1] + h @ Ws[-1].T
    if one_input and y.shape[1] == 1:
        y = y[:, 0]
    return (y, pres, hidden) if return_hidden else y


def random_network(widths: Sequence[int], seed: int = 0, bias_scale: float = 0.5):
    """Random weights for a network of the given ``widths`` = [D_i, D_1, ..., D_K, D_o].

    Weights are Gaussian with variance 2/fan-in (He initialisation, which keeps the size of the activations
    steady from layer to layer with ReLU); biases are Gaussian with standard deviation ``bias_scale``.
    Returns ``(weights, biases)``.
    """
    widths = sizes("widths", widths, min_length=2)  # an input and an output size at least
    bias_scale = number("bias_scale", bias_scale, low=0)
    rng = np.random.default_rng(random_seed("seed", seed))
    weights = [rng.normal(scale=np.sqrt(2.0 / n_in), size=(n_out, n_in)) for n_in, n_out in zip(widths, widths[1:])]
    biases = [rng.normal(scale=bias_scale, size=n_out) for n_out in widths[1:]]
    return weights, biases


def n_parameters(widths: Sequence[int]) -> int:
    """How many weights and biases a network with ``widths`` = [D_i, D_1, ..., D_K, D_o] has."""
    widths = sizes("widths", widths, min_length=2)
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(widths, widths[1:]))


# ---------------------------------------------------------------------------------------- composition
def compose(*functions: Callable) -> Callable:
    """The composition that applies ``functions`` in the order given: compose(f, g)(x) = g(f(x))."""
    if not functions:
        raise ValueError("functions is empty: compose needs at least one function")
    for k, f in enumerate(functions):
        function(f"functions[{k}]", f)

    def composed(x):
        for f in functions:
            x = f(x)
        return x

    return composed


def _shallow_params(name, net):
    try:
        theta0, theta1, phi = net
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a tuple (theta0, theta1, phi) as in kan_edu.shallow.shallow_1d") from None
    theta0 = _array(f"{name} theta0", theta0, 1)
    theta1 = _array(f"{name} theta1", theta1, 1)
    phi = _array(f"{name} phi", phi, 1)
    if theta1.shape != theta0.shape or phi.shape[0] != theta0.shape[0] + 1:
        raise ValueError(
            f"{name}: theta0 and theta1 need length D and phi length D + 1, got "
            f"{theta0.shape[0]}, {theta1.shape[0]} and {phi.shape[0]}"
        )
    return theta0, theta1, phi


def from_shallow(theta0, theta1, phi):
    """The shallow network of :func:`kan_edu.shallow.shallow_1d` as ``(weights, biases)`` for :func:`forward`."""
    theta0, theta1, phi = _shallow_params("the network", (theta0, theta1, phi))
    return [theta1[:, None], phi[None, 1:]], [theta0, phi[:1]]


def compose_shallow(net1, net2):
    """The two-hidden-layer network that computes net2(net1(x)) for two 1-input shallow networks.

    Each ``net`` is ``(theta0, theta1, phi)`` as in :func:`kan_edu.shallow.shallow_1d`. The first network's
    output y = φ₀ + φᵀh₁ feeds the second network's units ψ₀ + ψ₁y, so the middle weight matrix is the
    rank-one product Ω₂ = ψ₁ φᵀ and its bias β₂ = ψ₀ + ψ₁ φ₀. Returns ``(weights, biases)`` for :func:`forward`.
    """
    t0, t1, phi = _shallow_params("net1", net1)
    s0, s1, psi = _shallow_params("net2", net2)
    weights = [t1[:, None], np.outer(s1, phi[1:]), psi[None, 1:]]
    biases = [t0, s0 + s1 * phi[0], psi[:1]]
    return weights, biases


# ------------------------------------------------------------------------------- linear regions in 1-D
def _relu_only(act):
    choice("act", act, ("relu",))  # exact region counting needs a single kink at 0


def pieces_1d(weights, biases, lo: float = -1.0, hi: float = 1.0, act: str = "relu"):
    """The exact linear pieces of a 1-input ReLU network on [lo, hi].

    Works layer by layer: every hidden unit's pre-activation is linear between the current breakpoints, so
    it crosses zero at most once per piece, where the unit adds a breakpoint. At the end, breakpoints where
    no output changes slope (the pieces on both sides lie on one line) are dropped.

    Returns ``(xs, ys)``: the joints with ``lo`` and ``hi`` at the ends, sorted, and the output there (shape
    (M,) for one output, (M, D_o) otherwise). On [lo, hi] the network equals the straight-line interpolation
    through these points, and it has ``len(xs) - 1`` linear regions.
    """
    _relu_only(act)
    Ws, bs = _layers(weights, biases)
    if Ws[0].shape[1] != 1:
        raise ValueError(f"weights[0] must take one input (pieces_1d), got shape {Ws[0].shape}")
    lo, hi = ordered("lo", lo, "hi", hi)
    knots = np.array([lo, hi])
    for k in range(len(Ws) - 1):
        sub_W, sub_b = Ws[: k + 1], bs[: k + 1]
        # pre-activations of layer k+1 at the knots: the network cut after layer k, with its activation omitted
        z = _pre_activation(knots, sub_W, sub_b)  # (M, D_k)
        za, zb = z[:-1], z[1:]
        cross = (za * zb) < 0  # a sign change strictly inside the piece
        seg, _ = np.nonzero(cross)
        t = za[cross] / (za[cross] - zb[cross])
        new = knots[seg] + t * (knots[seg + 1] - knots[seg])
        knots = _merge(np.concatenate([knots, new]), lo, hi)
    ys = forward(knots, Ws, bs)
    ys2 = ys[:, None] if ys.ndim == 1 else ys
    slopes = np.diff(ys2, axis=0) / np.diff(knots)[:, None]
    scale = 1.0 + np.abs(slopes).max(axis=0)
    bend = (np.abs(np.diff(slopes, axis=0)) > 1e-9 * scale).any(axis=1)
    keep = np.r_[True, bend, True]
    return knots[keep], ys[keep]


def _pre_activation(x, Ws, bs):
    """β_k + Ω_k h_{k-1} of the last layer in ``Ws`` (the earlier ones are hidden layers with ReLU)."""
    h = x[:, None]
    for W, b in zip(Ws[:-1], bs[:-1]):
        h = np.maximum(b + h @ W.T, 0.0)
    return bs[-1] + h @ Ws[-1].T


def _merge(knots, lo, hi):
    """Sorted unique knots, dropping any closer than 1e-12 of the interval to its left neighbour."""
    knots = np.sort(knots)
    gap = 1e-12 * (hi - lo)
    keep = np.r_[True, np.diff(knots) > gap]
    knots = knots[keep]
    knots[-1] = hi
    return knots


def count_regions_1d(weights, biases, lo: float = -1.0, hi: float = 1.0) -> int:
    """How many linear regions a 1-input ReLU network has on [lo, hi] (exact, see :func:`pieces_1d`)."""
    return len(pieces_1d(weights, biases, lo, hi)[0]) - 1


def count_regions_grid(y, rtol: float = 1e-6) -> int:
    """Count the linear pieces of a piecewise-linear function from its values ``y`` on an even grid.

    Neighbouring grid cells lie on the same piece when their slopes (differences of ``y``) agree to within
    ``rtol`` times the largest slope. A joint exactly on a grid point makes one slope
    change; a joint inside a cell bends that cell's slope, which makes two changes in a row. So each *run* of
    consecutive changes is one joint. The count is right when joints lie at least three cells apart.
    """
    y = _array("y", y, 1)
    if y.shape[0] < 3:
        raise ValueError(f"y must hold at least 3 samples, got shape {y.shape}")
    rtol = number("rtol", rtol, low=0, low_open=True)
    s = np.diff(y)
    kink = np.abs(np.diff(s)) > rtol * np.abs(s).max()
    starts = kink & ~np.r_[False, kink[:-1]]  # first kink of each run
    return int(starts.sum()) + 1


def max_regions_deep(width: int, depth: int) -> int:
    """The upper bound (D+1)^K on the regions of a 1-input ReLU network with K hidden layers of D units.

    Each of a layer's D units crosses zero at most once on each piece of the layer before, so a layer
    multiplies the number of pieces by at most D + 1.
    """
    width, depth = size("width", width), size("depth", depth, maximum=10_000)  # a bound of 10^40000 is enough
    return (width + 1) ** depth


# ------------------------------------------------------------------------------- folding constructions
def _teeth(n):
    """Offsets and output weights of the n-tooth sawtooth g on [0, 1]: n ReLU units at the knots j/n."""
    theta0 = -np.arange(n) / n
    phi = np.full(n, 2.0 * n) * (-1.0) ** np.arange(n)
    phi[0] = n
    return theta0, phi


def sawtooth_network(teeth: int, depth: int):
    """A deep network with ``depth`` hidden layers of ``teeth`` units computing g∘g∘…∘g on [0, 1].

    g is the sawtooth that runs up and down between 0 and 1 ``teeth`` times on [0, 1] (for two teeth it is
    the tent map 2·min(x, 1 − x)). Each layer folds [0, 1] onto itself, so the output has teeth^depth linear
    regions on [0, 1]. Returns ``(weights, biases)``.
    """
    n, K = size("teeth", teeth, maximum=1000), size("depth", depth, maximum=1000)  # dense teeth × teeth layers
    theta0, phi = _teeth(n)
    weights = [np.ones((n, 1))] + [np.outer(np.ones(n), phi) for _ in range(K - 1)] + [phi[None, :]]
    biases = [theta0.copy() for _ in range(K)] + [np.zeros(1)]
    return weights, biases


def folding_network(width: int, depth: int):
    """A network with ``depth`` hidden layers of ``width`` units and width^(depth−1)·(width + 1) regions on [0, 1].

    The first depth − 1 layers fold [0, 1] onto itself ``width`` times each (the sawtooth of
    :func:`sawtooth_network`); the last layer is a shallow network with all ``width`` joints inside (0, 1)
    and a non-zero slope on every piece, so each of its width + 1 pieces is repeated in every fold. This is
    the construction of Montúfar et al. (2014) for one input; with depth 1 it is a shallow network with the
    most regions its width allows. Returns ``(weights, biases)``.
    """
    D, K = size("width", width, maximum=1000), size("depth", depth, maximum=1000)  # dense width × width layers
    last_t0, last_t1, out = _zigzag_layer(D)
    if K == 1:
        return [last_t1[:, None], out[None, :]], [last_t0, np.zeros(1)]
    theta0, phi = _teeth(D)
    weights = [np.ones((D, 1))] + [np.outer(np.ones(D), phi) for _ in range(K - 2)]
    biases = [theta0.copy() for _ in range(K - 1)]
    weights += [np.outer(last_t1, phi), out[None, :]]
    biases += [last_t0, np.zeros(1)]
    return weights, biases


def _zigzag_layer(D):
    """D units with joints at (j+1)/(D+1) whose weighted sum has D + 1 pieces on [0, 1], none of them flat.

    The slopes are +1, −1, +1, ... on the first D pieces. Units 0..D−2 switch on to the right of their joint;
    the last unit is on to the *left* of its joint, which gives the first piece its slope: it must equal minus
    the last change of slope, and the last slope is chosen so that it does (for D = 1 the right end is flat).
    Returns the units' offsets θ₀, slopes θ₁ and output weights.
    """
    knots = (np.arange(D) + 1.0) / (D + 1.0)
    if D == 1:
        return np.array([knots[0]]), np.array([-1.0]), np.array([1.0])
    slopes = (-1.0) ** np.arange(D + 1)
    if D % 2 == 1:
        slopes[D - 1] = 2.0
    slopes[D] = slopes[D - 1] - slopes[0]  # the last change of slope is −(first slope)
    theta1 = np.r_[np.ones(D - 1), -1.0]
    theta0 = -theta1 * knots
    return theta0, theta1, np.diff(slopes)
