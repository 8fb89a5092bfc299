"""kan_edu.flows: normalising flows, from one dimension to RealNVP (UDL chapter 16).

A flow writes a data point as an invertible function of a latent point, ``x = f(z)`` with ``z ~ N(0, I)``.
Two directions, two jobs: *sampling* pushes base samples forward through ``f``; *evaluating* a density pulls
``x`` back through ``f^-1`` and pays for the change of volume (the change-of-variables formula)::

    log p(x) = log N(f^-1(x); 0, I) + log |det d f^-1 / d x|  =  log N(z) - log |det d f / d z|.

The log-determinants of a composition add, layer by layer. What is here:

* **One dimension**: :class:`Transform1D` (made by :func:`transform_1d`) is a monotone map of a standard
  normal (or, for Prince's piecewise-linear map, a uniform) base with its exact density; :func:`piecewise_linear`
  is UDL's equation 16.12 with its inverse and log-derivative.
* **Coupling**: :class:`AffineCoupling` leaves the masked coordinates alone and scales and shifts the others by
  amounts a network computes from the masked ones: triangular Jacobian, exact inverse in one pass. The log-scales
  are bounded by ``scale_bound * tanh(.)``, which keeps early training from overflowing to NaN.
* :class:`RealNVP` stacks couplings with alternating masks: ``log_prob``, ``sample`` and ``trajectory`` (every
  intermediate layer, in either direction, for a figure); :func:`fit_flow` trains one by maximum likelihood
  with :func:`kan_edu.train.steps`.
* **Residual flows**: ``y = z + g(z)`` is invertible when ``g`` is a contraction (Lipschitz constant < 1), and
  :func:`fixed_point_inverse` inverts it by iterating ``z <- y - g(z)``.

Directions are named as in UDL: ``forward`` is the generative direction ``z -> x`` and returns
``(x, log |det dx/dz|)``; ``inverse`` is ``x -> z`` and returns ``(z, log |det dz/dx|)``, the negative of the
forward one at the same pair of points.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib.resources import files
from typing import Callable

import numpy as np
import torch

from . import _validate as v
from .generative import toy_2d
from .nn import mlp
from .train import snapshot, steps

__all__ = [
    "piecewise_linear",
    "transform_1d",
    "TRANSFORMS_1D",
    "AffineCoupling",
    "RealNVP",
    "fit_flow",
    "fixed_point_inverse",
    "MOONS_SWEEP",
    "moons_sweep",
    "moons_sweep_results",
]

LOG_2PI = math.log(2 * math.pi)
#: The 1-D transforms of the chapter's first figure, and what their parameter means.
TRANSFORMS_1D = {
    "affine": "x = a z + 1 (the parameter is a; a < 0 flips the axis)",
    "tanh-like": "x = z + c tanh(3 z) (the parameter is c > -1/3, so that the map stays increasing)",
    "piecewise-linear": "Prince's map of [0, 1] with 5 bins of slopes proportional to exp(t k) (the parameter is t)",
    "exp": "x = exp(s z) (the parameter is s > 0): a log-normal",
}


# --------------------------------------------------------------------------------------------- helpers
def _like(template, a):
    """``a`` (numpy) as the kind of ``template`` (numpy array, or torch tensor of its dtype and device)."""
    if isinstance(template, torch.Tensor):
        dtype = template.dtype if template.is_floating_point() else torch.float64
        return torch.as_tensor(np.asarray(a), dtype=dtype, device=template.device)
    return a


def _points(name: str, x, dim: int | None = None):
    """A batch of points: an (N, dim) tensor of floats, finite, not on the meta device."""
    x = v.tensor(name, x, 2, floating=True, values=True)
    if dim is not None and x.shape[1] != dim:
        raise ValueError(f"{name} must have {dim} columns (one per dimension), got shape {tuple(x.shape)}")
    return x


# ------------------------------------------------------------------------------ Prince's eq. 16.12
def piecewise_linear(h, phi, inverse: bool = False):
    """UDL's piecewise-linear map of [0, 1] to itself (eq. 16.12), or its inverse; returns ``(out, log_det)``.

    ``phi`` (K,) are the non-negative heights the K equal bins add (they must sum to 1). In bin
    ``b = floor(K h)`` (0-based) the map is ``h' = sum_{k<b} phi_k + (K h - b) phi_b``, so its slope there is
    ``K phi_b`` and ``log_det`` is ``log(K phi_b)`` per input (for the inverse, ``-log(K phi_b)`` of the bin
    the output lands in). ``h`` may be a numpy array or a torch tensor of any shape, with values in [0, 1];
    torch inputs stay differentiable with respect to ``h`` (and ``phi`` when it is a tensor).
    """
    inverse = v.flag("inverse", inverse)
    is_torch = isinstance(h, torch.Tensor)
    if is_torch:
        v.tensor("h", h, floating=True, values=True)
        lo, hi = (float(h.detach().min()), float(h.detach().max())) if h.numel() else (0.0, 0.0)
    else:
        h = v.array("h", h)
        lo, hi = (float(h.min()), float(h.max())) if h.size else (0.0, 0.0)
    if lo < 0 or hi > 1:
        raise ValueError(f"h must hold numbers in [0, 1], got values from {lo:g} to {hi:g}")
    if isinstance(phi, torch.Tensor):
        v.tensor("phi", phi, 1, floating=True, values=True, empty=False)
        phi_np = phi.detach().cpu().numpy().astype(float)
    else:
        phi_np = v.array("phi", phi, 1, empty=False)
    if np.any(phi_np <= 0) or not np.isclose(phi_np.sum(), 1.0, atol=1e-6):
        raise ValueError("phi must hold positive numbers that sum to 1 (the height each bin adds)")
    K = len(phi_np)
    xp = torch if is_torch else np
    if is_torch:
        phi_t = phi.to(h) if isinstance(phi, torch.Tensor) else torch.as_tensor(phi_np, dtype=h.dtype, device=h.device)
    else:
        phi_t = phi_np
    edges = np.concatenate([[0.0], np.cumsum(phi_np)])  # h' at the left end of every bin
    edges[-1] = 1.0
    if not inverse:
        b_np = np.clip(np.floor(K * _numpy(h)), 0, K - 1).astype(int)  # h = 1 belongs to the last bin
        b = _like(h, b_np).long() if is_torch else b_np
        cum = xp.cumsum(phi_t, 0) - phi_t  # sum of the bins before b
        out = cum[b] + (K * h - b) * phi_t[b]
        return out, xp.log(K * phi_t[b])
    b_np = np.clip(np.searchsorted(edges, _numpy(h), side="right") - 1, 0, K - 1)
    b = _like(h, b_np).long() if is_torch else b_np
    cum = xp.cumsum(phi_t, 0) - phi_t
    out = (b + (h - cum[b]) / phi_t[b]) / K
    return out, -xp.log(K * phi_t[b])


def _numpy(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


# ----------------------------------------------------------------------------------- 1-D transforms
@dataclass(frozen=True)
class Transform1D:
    """A monotone 1-D flow ``x = f(z)`` with its base distribution: the pieces of the change of variables.

    Made by :func:`transform_1d`. ``forward(z)`` and ``inverse(x)`` map arrays elementwise;
    ``log_derivative(z)`` is ``log |f'(z)|``; ``log_prob(x)`` is the exact density of ``x`` by pulling back;
    ``sample(n, seed)`` pushes base samples forward. ``base`` is "normal" or "uniform" (the latter on [0, 1]),
    ``support`` the interval where ``x`` lives.
    """

    name: str
    param: float
    base: str
    support: tuple
    _f: Callable
    _f_inv: Callable
    _log_df: Callable

    def forward(self, z):
        """``x = f(z)`` for an array of base points."""
        return self._f(self._base_points("z", z))

    def inverse(self, x):
        """``z = f^-1(x)`` for an array of points in the support."""
        return self._f_inv(self._data_points("x", x))

    def log_derivative(self, z):
        """``log |f'(z)|``, the 1-D log-determinant of the forward map."""
        return self._log_df(self._base_points("z", z))

    def base_log_prob(self, z):
        """The log density of the base distribution at ``z``."""
        z = self._base_points("z", z)
        return self._base_log_prob(z)

    def _base_log_prob(self, z):
        if self.base == "normal":
            return -0.5 * (z**2 + LOG_2PI)
        return np.where((z >= 0) & (z <= 1), 0.0, -np.inf)

    def log_prob(self, x):
        """``log p(x) = log p_base(f^-1(x)) - log |f'(f^-1(x))|``; ``-inf`` outside the support."""
        x = v.array("x", x)
        lo, hi = self.support
        inside = (x >= lo) & (x <= hi) if self.name == "piecewise-linear" else (x > lo) & (x < hi)
        out = np.full(x.shape, -np.inf)
        z = self._f_inv(x[inside])
        out[inside] = self._base_log_prob(z) - self._log_df(z)
        return out

    def sample(self, n: int, seed=0):
        """``n`` samples of ``x``: base samples pushed forward."""
        n, seed = v.size("n", n), v.random_seed("seed", seed)
        rng = np.random.default_rng(seed)
        z = rng.standard_normal(n) if self.base == "normal" else rng.uniform(size=n)
        return self._f(z)

    def _base_points(self, name, z):
        z = v.array(name, z)
        if self.base == "uniform" and (np.any(z < 0) or np.any(z > 1)):
            raise ValueError(f"{name} must lie in [0, 1], the support of the uniform base")
        return z

    def _data_points(self, name, x):
        x = v.array(name, x)
        lo, hi = self.support
        if np.any(x < lo) or np.any(x > hi) or (self.name == "exp" and np.any(x <= 0)):
            raise ValueError(f"{name} must lie in the support {self.support} of the {self.name} transform")
        return x


def _piecewise_phi(t: float, bins: int = 5) -> np.ndarray:
    w = np.exp(t * np.arange(bins))
    return w / w.sum()


def _tanh_inverse(c: float):
    def inv(x):
        z = np.asarray(x, dtype=float).copy()  # Newton on z + c tanh(3z) = x: monotone, converges fast
        for _ in range(60):
            th = np.tanh(3 * z)
            z = z - (z + c * th - x) / (1 + 3 * c * (1 - th**2))
        return z

    return inv


def transform_1d(name: str, param: float) -> Transform1D:
    """The 1-D flow ``name`` (one of :data:`TRANSFORMS_1D`) with parameter ``param``.

    ``"affine"``: ``x = a z + 1``, a != 0; ``"tanh-like"``: ``x = z + c tanh(3 z)``, c > -1/3;
    ``"piecewise-linear"``: Prince's eq. 16.12 on a uniform base with 5 bins, heights proportional to
    ``exp(t k)``; ``"exp"``: ``x = exp(s z)``, s > 0.
    """
    v.choice("name", name, tuple(TRANSFORMS_1D))
    p = v.number("param", param)
    if name == "affine":
        if p == 0:
            raise ValueError("param must be non-zero for the affine transform (a = 0 is not invertible)")
        return Transform1D(
            name, p, "normal", (-np.inf, np.inf), lambda z: p * z + 1.0, lambda x: (x - 1.0) / p,
            lambda z: np.full(np.shape(z), math.log(abs(p))),
        )  # fmt: skip
    if name == "tanh-like":
        if p <= -1 / 3 or p > 100:
            raise ValueError(f"param must be in (-1/3, 100] for the tanh-like transform (an increasing map), got {p!r}")
        return Transform1D(
            name, p, "normal", (-np.inf, np.inf), lambda z: z + p * np.tanh(3 * z), _tanh_inverse(p),
            lambda z: np.log(1 + 3 * p * (1 - np.tanh(3 * z) ** 2)),
        )  # fmt: skip
    if name == "piecewise-linear":
        if abs(p) > 20:
            raise ValueError(f"param must be in [-20, 20] for the piecewise-linear transform, got {p!r}")
        phi = _piecewise_phi(p)
        return Transform1D(
            name, p, "uniform", (0.0, 1.0), lambda z: piecewise_linear(z, phi)[0],
            lambda x: piecewise_linear(x, phi, inverse=True)[0], lambda z: piecewise_linear(z, phi)[1],
        )  # fmt: skip
    if p <= 0 or p > 20:
        raise ValueError(f"param must be in (0, 20] for the exp transform, got {p!r}")
    return Transform1D(
        name, p, "normal", (0.0, np.inf), lambda z: np.exp(p * z), lambda x: np.log(x) / p,
        lambda z: math.log(p) + p * np.asarray(z),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------ coupling
class AffineCoupling(torch.nn.Module):
    """An affine coupling layer (RealNVP): ``x = m*z + (1-m)*(z*exp(s) + t)``, with ``s, t`` computed from ``m*z``.

    ``mask`` (dim,) of zeros and ones marks the coordinates that pass unchanged (ones) and condition the rest.
    One network (an MLP of ``hidden`` units per layer) outputs both ``s`` and ``t``; the log-scales are bounded,
    ``s = scale_bound * tanh(raw / scale_bound)``. The last layer starts at zero, so a new layer is the identity.
    """

    def __init__(self, dim: int = 2, mask=None, hidden: int = 64, scale_bound: float = 2.0, seed=0):
        super().__init__()
        dim, hidden = v.size("dim", dim, minimum=2, maximum=1024), v.size("hidden", hidden, maximum=4096)
        if mask is None:
            mask = (np.arange(dim) % 2 == 0).astype(float)
        m = v.array("mask", mask, 1, shape=(dim,), like="dim", low=0, high=1, integral=True)
        if m.sum() == 0 or m.sum() == dim:
            raise ValueError("mask must keep some coordinates and change others (both zeros and ones)")
        self.scale_bound = v.number("scale_bound", scale_bound, 0, 100, low_open=True)
        self.dim = dim
        self.register_buffer("mask", torch.tensor(m, dtype=torch.float32))
        self.net = mlp([dim, hidden, hidden, 2 * dim], "relu", seed=v.random_seed("seed", seed))
        torch.nn.init.zeros_(self.net[-1].weight)
        torch.nn.init.zeros_(self.net[-1].bias)

    def _scale_shift(self, kept):
        s, t = self.net(kept).chunk(2, dim=1)
        s = self.scale_bound * torch.tanh(s / self.scale_bound)
        free = 1 - self.mask
        return s * free, t * free

    def forward(self, z):
        """``z -> x``: returns ``(x, log |det dx/dz|)``, the latter of shape (N,)."""
        return self._forward(self._check(z, "z"))

    def inverse(self, x):
        """``x -> z``: returns ``(z, log |det dz/dx|)``, the latter of shape (N,)."""
        return self._inverse(self._check(x, "x"))

    def _check(self, x, name):
        x = _points(name, x, self.dim)
        v.same_device(name, x, self.mask.device, "the flow")
        return x.to(self.mask.dtype)

    def _forward(self, z):
        s, t = self._scale_shift(z * self.mask)
        return z * torch.exp(s) + t, s.sum(dim=1)  # s and t are zero on the kept coordinates

    def _inverse(self, x):
        s, t = self._scale_shift(x * self.mask)
        return (x - t) * torch.exp(-s), -s.sum(dim=1)


class RealNVP(torch.nn.Module):
    """A stack of ``n_layers`` :class:`AffineCoupling` layers with alternating masks on a standard normal base.

    ``forward``/``inverse`` map whole batches as the layers do; ``log_prob(x)`` is the exact log density;
    ``sample(n, seed)`` draws from the model; ``trajectory(points, direction)`` returns the points after each
    layer (``"generate"``: base -> data; ``"normalize"``: data -> base).
    """

    def __init__(self, dim: int = 2, n_layers: int = 6, hidden: int = 64, scale_bound: float = 2.0, seed=0):
        super().__init__()
        dim = v.size("dim", dim, minimum=2, maximum=1024)
        n_layers = v.size("n_layers", n_layers, maximum=64)
        hidden = v.size("hidden", hidden, maximum=4096)
        v.total_size("n_layers * hidden * hidden", n_layers * hidden * (hidden + 3 * dim), "parameters")
        seed = v.random_seed("seed", seed, sequences=False)
        self.dim = dim
        even = np.arange(dim) % 2 == 0
        self.layers = torch.nn.ModuleList(
            AffineCoupling(dim, (even if k % 2 == 0 else ~even).astype(float), hidden, scale_bound, seed + k)
            for k in range(n_layers)
        )

    def _check(self, x, name):
        x = _points(name, x, self.dim)
        v.same_device(name, x, self.layers[0].mask.device, "the flow")
        return x.to(self.layers[0].mask.dtype)

    def forward(self, z):
        """``z -> x`` through every layer: ``(x, log |det dx/dz|)``."""
        return self._forward(self._check(z, "z"))

    def inverse(self, x):
        """``x -> z`` through every layer in reverse: ``(z, log |det dz/dx|)``."""
        return self._inverse(self._check(x, "x"))

    def _forward(self, z):
        total = torch.zeros(z.shape[0], dtype=z.dtype, device=z.device)
        for layer in self.layers:
            z, log_det = layer._forward(z)
            total = total + log_det
        return z, total

    def _inverse(self, x):
        total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        for layer in reversed(self.layers):
            x, log_det = layer._inverse(x)
            total = total + log_det
        return x, total

    def log_prob(self, x):
        """``log p(x) = log N(f^-1(x); 0, I) + log |det d f^-1/dx|``, shape (N,)."""
        return self._log_prob(self._check(x, "x"))

    def _log_prob(self, x):
        z, log_det = self._inverse(x)
        return -0.5 * (z**2).sum(dim=1) - 0.5 * self.dim * LOG_2PI + log_det

    @torch.no_grad()
    def sample(self, n: int, seed=0):
        """``n`` samples: standard normal draws (from ``seed``) pushed through the layers, shape (n, dim)."""
        n, seed = v.size("n", n), v.random_seed("seed", seed, sequences=False)
        mask = self.layers[0].mask
        gen = torch.Generator().manual_seed(seed)
        z = torch.randn(n, self.dim, generator=gen, dtype=torch.float64).to(mask.dtype).to(mask.device)
        return self._forward(z)[0]

    @torch.no_grad()
    def trajectory(self, points, direction: str = "generate"):
        """The points after 0, 1, ..., n_layers layers, as a list of numpy arrays (n, dim).

        ``"generate"`` pushes base points through the layers in order; ``"normalize"`` pulls data points back
        through the layers in reverse, so entry k is after the last k layers have been undone.
        """
        v.choice("direction", direction, ("generate", "normalize"))
        x = self._check(torch.as_tensor(v.array("points", points, 2)), "points")
        out = [x.cpu().numpy().astype(float)]
        layers = self.layers if direction == "generate" else list(reversed(self.layers))
        for layer in layers:
            x = (layer._forward if direction == "generate" else layer._inverse)(x)[0]
            out.append(x.cpu().numpy().astype(float))
        return out


def fit_flow(
    flow: torch.nn.Module,
    data,
    n_steps: int = 800,
    *,
    lr: float = 3e-3,
    batch_size: int = 256,
    seed=0,
    every: int = 100,
    decay: bool = True,
    progress: bool = False,
) -> dict:
    """Train ``flow`` (anything with ``log_prob``) by maximum likelihood: Adam on the mean negative log density.

    ``data`` (N, dim) is a numpy array or tensor; each step draws a minibatch (seeded). With ``decay`` the
    learning rate falls from ``lr`` to zero along a half cosine, which removes most of the minibatch noise from
    the final model. Returns the history of
    :func:`kan_edu.train.steps`: ``"nll"`` per step and, every ``every`` steps, a snapshot of the flow's state
    under ``"recorded"`` (``flow.load_state_dict(s)`` puts it back).
    """
    v.module("flow", flow)
    if not callable(getattr(flow, "log_prob", None)):
        raise v.ArgumentTypeError("flow must have a log_prob(x) method (a RealNVP, say)")
    params = list(flow.parameters())
    if not params:
        raise ValueError("flow has no parameters to train")
    x = torch.as_tensor(v.array("data", data, 2, empty=False), dtype=params[0].dtype, device=params[0].device)
    dim = getattr(flow, "dim", x.shape[1])
    if x.shape[1] != dim:
        raise ValueError(f"data must have {dim} columns, one per dimension of the flow, got shape {tuple(x.shape)}")
    n_steps = v.size("n_steps", n_steps, maximum=1_000_000)
    lr = v.number("lr", lr, 0, v.MAX_LR, low_open=True)
    batch_size = v.size("batch_size", batch_size)
    seed = v.random_seed("seed", seed, sequences=False)
    every, progress = v.size("every", every), v.flag("progress", progress)
    decay = v.flag("decay", decay)
    # foreach=True: the same updates, bit for bit, in a few batched calls instead of a loop over the tensors
    optimizer = torch.optim.Adam(params, lr=lr, foreach=True)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, n_steps) if decay else None
    gen = torch.Generator().manual_seed(seed)
    log_prob = getattr(flow, "_log_prob", flow.log_prob)

    def step(i):
        idx = torch.randint(0, x.shape[0], (min(batch_size, x.shape[0]),), generator=gen)
        loss = -log_prob(x[idx.to(x.device)]).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
        return {"nll": loss.item()}

    return steps(step, n_steps, record=lambda i: snapshot(flow), every=every, seed=seed, progress=progress)


# ------------------------------------------------------------------------------------- residual flows
def fixed_point_inverse(g, y, n: int = 20, z0=None, return_history: bool = False):
    """Solve ``z + g(z) = y`` for ``z`` by the fixed-point iteration ``z <- y - g(z)``, ``n`` times.

    When ``g`` is a contraction (Lipschitz constant L < 1) the iteration converges to the one solution from any
    start, and the error shrinks at least by the factor L per step (Banach's fixed-point theorem). ``y`` is a
    number, a numpy array or a tensor (the result is of the same kind); ``z0`` defaults to ``y``.
    With ``return_history`` the result is the list of the n + 1 iterates ``z_0 .. z_n``.
    """
    g = v.function("g", g, "g(z) -> array like z")
    n = v.size("n", n, minimum=0, maximum=100_000)
    return_history = v.flag("return_history", return_history)
    if isinstance(y, torch.Tensor):
        y = v.tensor("y", y, floating=True, values=True)
        z = y.clone() if z0 is None else v.tensor("z0", z0, floating=True, values=True, shape=tuple(y.shape))
    else:
        y = v.array("y", y)
        z = y.copy() if z0 is None else v.array("z0", z0, shape=y.shape, like="y")
    history = [z]
    for _ in range(n):
        z = y - g(z)
        history.append(z)
    return history if return_history else z


# ------------------------------------------------------------------------------- the seed sweep on moons
#: Chapter 16's RealNVP on two moons: the recipe, and the seeds that ``experiments/part3_flow_seeds.py`` trains it
#: from (the chapter trains one of them, and reads the others from the shipped file).
MOONS_SWEEP = {
    "n_train": 2000, "data_seed": 0, "test_seed": 1, "n_layers": 6, "hidden": 64, "n_steps": 800, "lr": 3e-3,
    "batch_size": 128, "seeds": tuple(range(10)),
}  # fmt: skip
_MOONS_SWEEP_FILE = "data_files/part3_flow_seeds.json"


def moons_sweep(seeds=MOONS_SWEEP["seeds"], n_steps: int = MOONS_SWEEP["n_steps"]) -> dict:
    """Train the RealNVP of :data:`MOONS_SWEEP` on two moons from each seed; JSON-ready
    ``{"setup", "test_nll"}``, the second a list over the seeds of the mean negative log-likelihood (nats per
    point) of the test moons."""
    seeds = [v.random_seed("seeds[]", s, sequences=False) for s in v.sequence("seeds", seeds, 1, "seeds")]
    n_steps = v.size("n_steps", n_steps, maximum=1_000_000)
    cfg = MOONS_SWEEP
    train = torch.tensor(toy_2d("moons", cfg["n_train"], seed=cfg["data_seed"]), dtype=torch.float32)
    test = torch.tensor(toy_2d("moons", cfg["n_train"], seed=cfg["test_seed"]), dtype=torch.float32)
    nlls = []
    for seed in seeds:
        model = RealNVP(dim=2, n_layers=cfg["n_layers"], hidden=cfg["hidden"], seed=seed)
        fit_flow(model, train, n_steps, lr=cfg["lr"], batch_size=cfg["batch_size"], seed=seed, every=n_steps)
        with torch.no_grad():
            nlls.append(-model.log_prob(test).mean().item())
    setup = {**{k: val for k, val in cfg.items() if k != "seeds"}, "n_steps": n_steps, "seeds": seeds}
    return {"setup": setup, "test_nll": nlls}


def moons_sweep_results() -> dict:
    """The shipped seed sweep (see :data:`MOONS_SWEEP` and :func:`moons_sweep`)."""
    return json.loads(files("kan_edu").joinpath(_MOONS_SWEEP_FILE).read_text(encoding="utf-8"))
