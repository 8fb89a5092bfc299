"""kan_edu.isometry: the isometry gap, and batch normalization without gradient explosion.

Everything here follows Meterez et al., "Towards training without depth limits: batch normalization
without gradient explosion" (ICLR 2024, arXiv 2310.02012; bibtex ``meterez2024depth``), in this package's
batch-first convention: a representation ``h`` has shape (n samples, d features).

* The **isometry gap** of ``h`` compares the volume its samples span with their sizes. With λ the n
  eigenvalues of the sample Gram matrix h·hᵀ,

      φ(h) = log(mean λ) − mean(log λ)  =  −log( det(h hᵀ)^{1/n} / (tr(h hᵀ)/n) ),

  the gap between the logs of the arithmetic and the geometric mean of λ. φ ≥ 0, with equality exactly when
  the samples are orthogonal and of equal length; φ is unchanged by scaling h and by rotating its features;
  φ = ∞ when the samples are linearly dependent (for example when n > d).
* The paper's **batch norm** divides each feature by its root mean square over the batch, *without*
  subtracting the mean (mean subtraction removes one dimension and makes φ infinite when n ≤ d).
* For a square h (n = d) there is an exact identity, with r_j the squared norm of feature j over the batch:

      φ(h) − φ(BN h) = log mean(r) − mean(log r)  ≥ 0,

  so a layer ``BN(h Wᵀ)`` with orthogonal W never increases φ: φ is a Lyapunov function of the chain, and
  deep orthogonal BN networks drive their representations to isometry instead of collapsing them.
* With Gaussian weights the same networks' gradients explode exponentially in depth; with orthogonal
  weights they stay bounded. Nonlinear activations need *shaping*, h ← σ(α_ℓ · BN(h W_ℓᵀ)) with
  α_ℓ = ℓ^(−gain_exponent) (the authors use 0.4), to keep that property.

Conventions: everything defaults to float64 on the CPU, but nothing is tied to a device (move a model with
``.to(device)`` and pass inputs on that device). The experiment functions at the end return plain numpy arrays
for the chapter's figures; ``experiments/isometry_depth.py`` runs them deeper (:func:`depth_results`), and the activation-shaping sweep
the chapter shows ships precomputed (:func:`shaping_sweep_results`, written by ``experiments/isometry_shaping.py``).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from importlib.resources import files

import numpy as np
import torch
from torch import nn

from ._validate import (
    array,
    choice,
    flag,
    floating_dtype,
    instance,
    number,
    random_seed,
    same_length,
    sequence,
    size,
    sizes,
    tensor,
)
from ._validate import generator as _generator

__all__ = [
    "isometry_gap",
    "batch_norm",
    "standard_batch_norm",
    "layer_norm",
    "haar_orthogonal",
    "BNMLP",
    "gradient_log_norms",
    "experiment",
    "gap_per_layer",
    "log_grad_norm_vs_depth",
    "explosion_rate",
    "shaping_sweep",
    "shaping_sweep_results",
    "depth_results",
    "degenerate_batch",
    "near_duplicate_batch",
    "train_deep_bn",
]

INITS = ("orthogonal", "gaussian", "identity", "permutation")
ACTIVATIONS = {"identity": lambda z: z, "tanh": torch.tanh, "sin": torch.sin, "relu": torch.relu}
NORMS = ("paper", "standard", "layer", "none")
#: The largest spread of :func:`degenerate_batch` (beyond it the samples overflow float64 on the way through a network).
MAX_SPREAD = 1e100


# ------------------------------------------------------------------------------------ the isometry gap
def _matrix(h, name: str = "h") -> np.ndarray:
    """A 2-D float64 array with a sample and a feature at least, finite (tensors are copied to the CPU)."""
    h = array(name, h, 2, empty=False)
    return h


def isometry_gap(h) -> float:
    """φ(h) = log(mean λ) − mean(log λ) over the eigenvalues λ of the n×n Gram matrix h·hᵀ (h: n × d).

    ``h`` is a numpy array or a torch tensor (detached, copied to the CPU in float64); returns a Python float.

    Computed from the singular values s of h (λ = s²), in logs and relative to s_max, so that neither det nor
    the eigenvalue solver of a nearly singular Gram matrix spoils it. Returns ``math.inf`` when the samples are
    linearly dependent, which is decided with numpy's rank rule (``np.linalg.matrix_rank``):

        rank < n  ⇔  n > d,  or  s_min ≤ max(n, d) · eps · s_max   (eps = 2.2e-16, float64),

    and for an all-zero batch. A batch with a duplicated sample is exactly such a case; a naive eigenvalue
    version reports a finite number there (about 2 for 32 Gaussian samples) because rounding leaves a tiny
    positive eigenvalue. Raises ValueError when h is not 2-D, is empty, or holds NaN or inf.
    """
    h = _matrix(h)
    n, d = h.shape
    if n > d:
        return math.inf
    s = np.linalg.svd(h, compute_uv=False)
    if s[0] == 0.0 or s[-1] <= max(n, d) * np.finfo(np.float64).eps * s[0]:
        return math.inf
    log_lam = 2.0 * np.log(s / s[0])  # scale out s_max: the gap is scale invariant
    log_mean = np.log(np.mean(np.exp(log_lam)))
    return max(float(log_mean - np.mean(log_lam)), 0.0)


# ------------------------------------------------------------------------------------- normalisation
def _paper_bn(h, eps: float):
    """BN(h)_ij = h_ij / sqrt(mean_k h_kj² + eps), for tensors and arrays alike (no input checks)."""
    if isinstance(h, torch.Tensor):
        return h / torch.sqrt(torch.mean(h * h, dim=0, keepdim=True) + eps)
    return h / np.sqrt(np.mean(h * h, axis=0, keepdims=True) + eps)


def _standard_bn(h, eps: float):
    """(h − mean) / sqrt(var + eps) per feature, biased variance, no learned scale or shift (no input checks)."""
    if isinstance(h, torch.Tensor):
        centred = h - h.mean(dim=0, keepdim=True)
        return centred / torch.sqrt(torch.mean(centred * centred, dim=0, keepdim=True) + eps)
    centred = h - h.mean(axis=0, keepdims=True)
    return centred / np.sqrt(np.mean(centred * centred, axis=0, keepdims=True) + eps)


def _layer_norm(h, eps: float):
    """h_ij / sqrt(mean_k h_ik² + eps): each SAMPLE (row) divided by its root mean square over its features."""
    if isinstance(h, torch.Tensor):
        return h / torch.sqrt(torch.mean(h * h, dim=1, keepdim=True) + eps)
    return h / np.sqrt(np.mean(h * h, axis=1, keepdims=True) + eps)


def layer_norm(h, eps: float = 1e-12):
    """Mean-free layer norm (also called RMSNorm): each sample (row) divided by its root mean square.

        LN(h)_ij = h_ij / sqrt( (1/d) Σ_k h_ik² + eps ).

    The contrast to :func:`batch_norm`: the statistics come from one sample, never from the batch, so the
    Gram matrix h·hᵀ only has its rows and columns rescaled (D G D with D diagonal). No mean is subtracted, for
    the same reason as in :func:`batch_norm`. ``h``: a torch tensor (differentiable) or a numpy array (float64).
    """
    eps = number("eps", eps, low=0)
    if isinstance(h, torch.Tensor):
        return _layer_norm(tensor("h", h, 2), eps)
    return _layer_norm(_matrix(h), eps)


def batch_norm(h, eps: float = 1e-12):
    """The paper's batch norm: each feature (column) divided by its root mean square over the batch,

        BN(h)_ij = h_ij / sqrt( (1/n) Σ_k h_kj² + eps ).

    No mean is subtracted. ``h`` is a torch tensor (differentiable, any dtype and device) or a numpy array
    (returned in float64), shape (n, d). Our choice: the root mean square rather than the paper's norm over the
    batch, a factor √n, so that entries stay of order one whatever the batch size; each column of the result
    has norm √n (mean square 1), and φ, being scale invariant, does not notice. ``eps`` only keeps an all-zero
    feature at zero instead of NaN; it is negligible for features of order one.
    """
    eps = number("eps", eps, low=0)
    if isinstance(h, torch.Tensor):
        return _paper_bn(tensor("h", h, 2), eps)
    return _paper_bn(_matrix(h), eps)


def standard_batch_norm(h, eps: float = 1e-5):
    """Standard batch norm without learned scale or shift: subtract each feature's batch mean, divide by its std.

    After centring the samples sum to the zero vector, so they are linearly dependent: φ = ∞ for any batch.
    """
    eps = number("eps", eps, low=0)
    if isinstance(h, torch.Tensor):
        return _standard_bn(tensor("h", h, 2), eps)
    return _standard_bn(_matrix(h), eps)


# ------------------------------------------------------------------------------------------- weights
def haar_orthogonal(d: int, generator: torch.Generator | None = None, dtype=torch.float64) -> torch.Tensor:
    """A d×d orthogonal matrix drawn uniformly (Haar measure) from ``generator`` (a seeded torch.Generator).

    QR of a matrix of independent N(0, 1) entries, then Q's columns multiplied by the signs of R's diagonal:
    without that fix the QR routine's sign convention makes Q not quite uniform. Drawn in float64 whatever
    ``dtype`` is, so a seed gives the same matrix in every precision (up to rounding).
    """
    d, generator, dtype = size("d", d), _generator("generator", generator), floating_dtype("dtype", dtype)
    a = torch.randn(d, d, generator=generator, dtype=torch.float64)
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r))[None, :]
    return q.to(dtype)


class BNMLP(nn.Module):
    """A deep network of square layers h ← σ(α_ℓ · BN(h W_ℓᵀ)), ℓ = 1..depth, α_ℓ = ℓ^(−gain_exponent).

    Parameters
    ----------
    width, depth: the layers are width×width, and there are ``depth`` of them.
    init: "orthogonal" (Haar: a fresh uniformly random rotation per layer), "gaussian" (entries N(0, 1/width)),
        or two FIXED orthogonal maps that mix nothing: "identity", and "permutation" (a random permutation of
        the features per layer). They keep every feature's norm over the batch, so after the first batch norm
        has equalised those norms, no later one changes anything.
    activation: "identity", "tanh", "sin" or "relu".
    gain_exponent: activation shaping; 0 means no shaping (α_ℓ = 1).
    norm: "paper" (:func:`batch_norm`), "standard" (:func:`standard_batch_norm`), "layer" (:func:`layer_norm`)
        or "none".
    seed: seeds a local torch.Generator that draws every weight, so equal seeds give equal networks and the
        global random state is untouched.
    in_dim, out_dim: optional linear read-in (in_dim → width, no bias, N(0, 1/in_dim) entries) and read-out
        (width → out_dim, with a zero bias, N(0, 1/width) entries) layers, for training on data; they are not
        "hidden layers" and :func:`gradient_log_norms` ignores them. Without them the network maps
        (n, width) to (n, width).
    dtype: of all parameters (default float64); inputs are cast to it.

    ``forward(x, return_hidden=False)`` returns the output, or with ``return_hidden=True`` the pair
    (output, [h_1, ..., h_depth]), the representation after each of the ``depth`` layers. Batch norm uses the
    statistics of the batch it is given, in training and evaluation alike.
    """

    def __init__(
        self,
        width: int,
        depth: int,
        init: str = "orthogonal",
        activation: str = "identity",
        gain_exponent: float = 0.0,
        norm: str = "paper",
        seed: int = 0,
        in_dim: int | None = None,
        out_dim: int | None = None,
        dtype=torch.float64,
    ):
        super().__init__()
        width, depth = size("width", width), size("depth", depth)
        gain_exponent, dtype = number("gain_exponent", gain_exponent, low=0), floating_dtype("dtype", dtype)
        seed = random_seed("seed", seed, sequences=False)
        self.width, self.depth = int(width), int(depth)
        self.init = choice("init", init, INITS)
        self.activation = choice("activation", activation, ACTIVATIONS)
        self.norm = choice("norm", norm, NORMS)
        self.gain_exponent = float(gain_exponent)
        g = torch.Generator().manual_seed(int(seed))
        weights = []
        for _ in range(self.depth):
            if init == "orthogonal":
                w = haar_orthogonal(self.width, g, dtype)
            elif init == "identity":
                w = torch.eye(self.width, dtype=dtype)
            elif init == "permutation":
                w = torch.eye(self.width, dtype=dtype)[torch.randperm(self.width, generator=g)]
            else:
                w = (torch.randn(self.width, self.width, generator=g, dtype=torch.float64) / math.sqrt(width)).to(dtype)
            weights.append(nn.Parameter(w))
        self.weights = nn.ParameterList(weights)
        self.read_in = self.read_out = None
        in_dim = None if in_dim is None else size("in_dim", in_dim)
        out_dim = None if out_dim is None else size("out_dim", out_dim)
        if in_dim is not None:
            self.read_in = nn.Linear(int(in_dim), self.width, bias=False, dtype=dtype)
            with torch.no_grad():
                self.read_in.weight.copy_(
                    torch.randn(self.width, int(in_dim), generator=g, dtype=torch.float64) / math.sqrt(in_dim)
                )
        if out_dim is not None:
            self.read_out = nn.Linear(self.width, int(out_dim), dtype=dtype)
            with torch.no_grad():
                self.read_out.weight.copy_(
                    torch.randn(int(out_dim), self.width, generator=g, dtype=torch.float64) / math.sqrt(width)
                )
                self.read_out.bias.zero_()

    def gain(self, layer: int) -> float:
        """α_ℓ = ℓ^(−gain_exponent) for layer ℓ = 1, 2, ..."""
        return float(size("layer", layer)) ** (-self.gain_exponent)

    def _normalise(self, z):
        if self.norm == "paper":
            return _paper_bn(z, 1e-12)
        if self.norm == "standard":
            return _standard_bn(z, 1e-5)
        if self.norm == "layer":
            return _layer_norm(z, 1e-12)
        return z

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        x = tensor("x", x, 2, device=self.weights[0].device)
        expected = self.read_in.in_features if self.read_in is not None else self.width
        if x.shape[1] != expected:
            raise ValueError(f"x has {x.shape[1]} features, the network expects {expected}")
        return self._forward(x, flag("return_hidden", return_hidden))

    def _forward(self, x: torch.Tensor, return_hidden: bool = False):
        """The network on a checked batch (what :meth:`forward` and the training loops call)."""
        dtype = self.weights[0].dtype
        h = x.to(dtype)
        if self.read_in is not None:
            h = self.read_in(h)
        act = ACTIVATIONS[self.activation]
        hidden = []
        for layer, w in enumerate(self.weights, start=1):
            h = act(self.gain(layer) * self._normalise(h @ w.T))
            hidden.append(h)
        out = self.read_out(h) if self.read_out is not None else h
        return (out, hidden) if return_hidden else out


def gradient_log_norms(model: BNMLP, x: torch.Tensor, y: torch.Tensor | None = None) -> np.ndarray:
    """log ‖∂L/∂W_ℓ‖_F for each hidden layer's weight W_ℓ, ℓ = 1..depth, in layer order (numpy float64).

    The loss is the mean squared error L = mean((f(x) − y)²) over all entries of the output. When ``y`` is None
    a fixed Gaussian target is used (N(0, 1) entries drawn with seed 0, the output's shape): a random target
    makes the gradient generic, and what we study is how it scales with depth, not the target. A layer whose
    gradient is exactly zero gets −inf. The model's stored gradients are not touched (``torch.autograd.grad``).
    """
    instance("model", model, BNMLP, "a BNMLP")
    out = model(x)
    if y is None:
        y = torch.randn(out.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    y = tensor("y", y, device=out.device) if isinstance(y, torch.Tensor) else torch.as_tensor(array("y", y))
    y = y.to(device=out.device, dtype=out.dtype)
    if y.shape != out.shape:
        raise ValueError(f"y has shape {tuple(y.shape)}, the output has {tuple(out.shape)}")
    loss = torch.mean((out - y) ** 2)
    grads = torch.autograd.grad(loss, list(model.weights))
    norms = torch.stack([g.norm() for g in grads]).detach().cpu().numpy().astype(np.float64)
    with np.errstate(divide="ignore"):
        return np.log(norms)


# --------------------------------------------------------------------------------------- experiments
def degenerate_batch(n: int, d: int, spread: float = 1e-3, seed: int = 0) -> np.ndarray:
    """n samples in d dimensions that all lie close to ONE direction: sample i = u + spread · noise_i.

    u and the noise have N(0, 1) entries. A nearly rank-one batch, the kind a deep network without
    normalisation collapses its inputs into. The Gram matrix has one eigenvalue near n·d and n − 1 of order
    spread²·d, so φ ≈ 2·log(1/spread) + O(1): about 14 for spread = 1e-3 and n = d = 32.
    """
    n, d = size("n", n), size("d", d)
    spread = number("spread", spread, 0, MAX_SPREAD, low_open=True)
    rng = np.random.default_rng(random_seed("seed", seed))
    u = rng.standard_normal(d)
    return u[None, :] + spread * rng.standard_normal((n, d))


def near_duplicate_batch(n: int, d: int, distance: float = 0.0, seed: int = 0) -> np.ndarray:
    """n Gaussian samples in d dimensions whose last sample is a copy of the first, moved by ``distance``.

    With ``distance = 0`` the batch holds an exact duplicate, so φ = ∞ (the case a naive eigenvalue formula
    gets wrong). With a small distance δ the batch is valid but nearly degenerate: the Gram matrix has one
    eigenvalue of order δ², and φ ≈ (2/n)·log(1/δ) + O(1) grows slowly as δ → 0.
    """
    n, d = size("n", n, minimum=2), size("d", d)  # two samples at least: one to duplicate
    distance = number("distance", distance, low=0)
    rng = np.random.default_rng(random_seed("seed", seed))
    h = rng.standard_normal((n, d))
    h[-1] = h[0] + distance * rng.standard_normal(d) / math.sqrt(d)
    return h


def experiment(
    depth: int,
    width: int = 32,
    batch: int = 32,
    init: str = "orthogonal",
    norm: str = "paper",
    activation: str = "identity",
    gain_exponent: float = 0.0,
    seed: int = 0,
    degenerate: float = 0.0,
    distinct: int | None = None,
) -> tuple[BNMLP, torch.Tensor]:
    """The network and the inputs of the experiments below: ``(model, x)``, in float64.

    ``model`` is ``BNMLP(width, depth, init, activation, gain_exponent, norm, seed)``; ``x`` is a batch of
    ``batch`` Gaussian samples in ``width`` dimensions (seeded by ``seed``), or, when ``degenerate`` > 0,
    :func:`degenerate_batch` with that spread. With ``distinct`` = m < batch, only the first m samples are
    drawn and the batch repeats them in turn (sample i is sample i mod m): a batch in which samples repeat,
    whose gap is infinite however well the m samples are spread. :func:`gap_per_layer` and
    :func:`log_grad_norm_vs_depth` take these keywords (all but ``depth``) and pass them on.
    """
    model = BNMLP(width, depth, init, activation, gain_exponent, norm, seed)
    batch, degenerate = size("batch", batch), number("degenerate", degenerate, 0, MAX_SPREAD)
    distinct = batch if distinct is None else size("distinct", distinct, maximum=batch)
    if degenerate:
        x = torch.as_tensor(degenerate_batch(batch, model.width, degenerate, seed))
    else:
        x = torch.randn(batch, model.width, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    return model, x[torch.arange(batch) % distinct]


@torch.no_grad()
def gap_per_layer(depth: int = 100, **setup) -> np.ndarray:
    """φ of the input and of each of ``depth`` layers' representations (length depth + 1), in float64.

    ``setup``: the network's and the inputs' keywords of :func:`experiment` (``width=32, batch=32,
    init="orthogonal", norm="paper", activation="identity", gain_exponent=0.0, seed=0, degenerate=0.0``).
    With ``batch`` > ``width`` every entry is ``inf`` (the samples are dependent); so is every layer after
    standard batch norm.
    """
    model, x = experiment(depth, **setup)
    _, hidden = model._forward(x, return_hidden=True)
    return np.array([isometry_gap(x)] + [isometry_gap(h) for h in hidden])


def log_grad_norm_vs_depth(depths: Sequence[int], **setup) -> np.ndarray:
    """log ‖∂L/∂W_1‖_F, the FIRST layer's gradient, of a fresh network of each depth (same seed and inputs).

    The loss is that of :func:`gradient_log_norms` with its fixed random target; ``setup`` as in
    :func:`gap_per_layer`. Returns one number per depth.
    """
    depths = [size("depths[]", d) for d in array("depths", depths, 1, empty=False)]
    return np.array([gradient_log_norms(*experiment(depth, **setup))[0] for depth in depths])


def explosion_rate(depths: Sequence[int], log_norms: Sequence[float]) -> float:
    """Least-squares slope of log-gradient-norm against depth: how much the log grows per layer.

    A slope c means the gradient grows like e^{c·depth}: c > 0 is explosion, c ≈ 0 bounded gradients.
    """
    depths, log_norms = array("depths", depths, 1), array("log_norms", log_norms, 1)
    if same_length("depths and log_norms", depths, log_norms) < 2:
        raise ValueError(f"need at least 2 depths to fit a slope, got {len(depths)}")
    if np.ptp(depths) == 0:
        raise ValueError("need at least two different depths")
    return float(np.polyfit(depths, log_norms, 1)[0])


# ----------------------------------------------------------------------------------- the shipped sweep
#: The activation-shaping sweep that ships with the book (``experiments/isometry_shaping.py``, about 15 s on one
#: thread): :func:`log_grad_norm_vs_depth` of tanh and sin networks (orthogonal weights, the paper's BN,
#: width = batch = 32, seed 0, :func:`experiment`'s defaults) for every gain exponent 0, 0.05, ..., 0.6.
SHAPING_SWEEP = {
    "activations": ("tanh", "sin"),
    "gain_exponents": tuple(round(0.05 * k, 2) for k in range(13)),
    "depths": (10, 30, 100, 300, 1000),
}
_SHAPING_SWEEP_FILE = "data_files/isometry_shaping.json"


def shaping_sweep(
    activations: Sequence[str] = SHAPING_SWEEP["activations"],
    gain_exponents: Sequence[float] = SHAPING_SWEEP["gain_exponents"],
    depths: Sequence[int] = SHAPING_SWEEP["depths"],
) -> dict:
    """The first layer's log-gradient norm of shaped networks, for every activation, gain exponent and depth.

    Each curve is :func:`log_grad_norm_vs_depth` ``(depths, activation=..., gain_exponent=...)`` with the other
    settings at :func:`experiment`'s defaults; every depth is a fresh network, so any subset of the depths
    gives the same numbers at those depths. Returns a JSON-ready ``{"setup": {"activations", "gain_exponents",
    "depths"}, activation: [one list over the depths per gain exponent]}``.
    """
    activations = [choice("activations[]", a, ACTIVATIONS) for a in sequence("activations", activations, 1, "names")]
    exponents = [number("gain_exponents[]", g, low=0) for g in sequence("gain_exponents", gain_exponents, 1, "numbers")]
    depths = sizes("depths", depths)
    out = {"setup": {"activations": activations, "gain_exponents": exponents, "depths": depths}}
    for act in activations:
        out[act] = [
            [float(v) for v in log_grad_norm_vs_depth(depths, activation=act, gain_exponent=g)] for g in exponents
        ]
    return out


def shaping_sweep_results() -> dict:
    """The shipped sweep (see :data:`SHAPING_SWEEP` and :func:`shaping_sweep`), read from the package's data."""
    return json.loads(files("kan_edu").joinpath(_SHAPING_SWEEP_FILE).read_text(encoding="utf-8"))


_DEPTH_FILE = "data_files/isometry_depth.json"


def depth_results() -> dict:
    """The deeper runs that chapter 25 quotes, shipped by ``experiments/isometry_depth.py``:
    ``log_grad_change_10_to_1000`` (per weight init, one change of the first layer's log-gradient per seed, from
    :func:`log_grad_norm_vs_depth`) and ``digits_accuracy_by_depth`` (depth -> init -> the final test accuracy
    of :func:`train_deep_bn` with its defaults, one per seed), read from the package's data."""
    return json.loads(files("kan_edu").joinpath(_DEPTH_FILE).read_text(encoding="utf-8"))


#: Digits held out for testing by :func:`train_deep_bn` (the rest, 1500 of the 1797, train).
DIGITS_TEST = 297


def _digits_split(seed: int = 0, n_test: int = DIGITS_TEST):
    """:func:`kan_edu.data.digits` as tensors, shuffled by ``seed``: the first ``n_test`` test, the rest train."""
    from .data import digits

    x, labels = digits()
    x, y = torch.tensor(x, dtype=torch.float64), torch.tensor(labels, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    test, train = perm[:n_test], perm[n_test:]
    return x[train], y[train], x[test], y[test]


def train_deep_bn(
    depth: int = 100,
    width: int = 64,
    init: str = "orthogonal",
    activation: str = "tanh",
    gain_exponent: float = 0.4,
    norm: str = "paper",
    steps: int = 150,
    batch: int = 64,
    lr: float = 0.05,
    seed: int = 0,
) -> dict:
    """Train a deep BN network on the digits with SGD; return per-step loss and test accuracy every 10 steps.

    The network is ``BNMLP(width, depth, ..., in_dim=64, out_dim=10)`` (read-in from the 64 pixels, read-out
    to the 10 classes), trained on cross-entropy with plain SGD, minibatches of ``batch`` drawn at random.
    The batch size equals the width by default (n = d, the paper's setting). Every layer's weights are
    trained. Test accuracy uses batches of the same size (batch norm needs batch statistics), so it is
    measured on the first ⌊DIGITS_TEST / batch⌋·batch test digits. About 8 s on one thread for depth 100, width 64.

    Returns ``{"step", "loss", "eval_step", "test_accuracy"}`` (numpy arrays), ``"final_accuracy"`` and
    ``"seconds"`` (wall-clock time of the run).
    """
    steps, lr = size("steps", steps), number("lr", lr, low=0, low_open=True)
    batch = size("batch", batch, maximum=DIGITS_TEST)  # test batches have the training batch's size
    seed = random_seed("seed", seed, sequences=False)
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = _digits_split(seed)
    model = BNMLP(width, depth, init, activation, gain_exponent, norm, seed, in_dim=64, out_dim=10)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    losses, evals, accs = [], [], []

    def test_accuracy():
        # evaluate in batches of the training size: the paper's BN uses batch statistics
        with torch.no_grad():
            correct = 0
            for start in range(0, len(y_test) - batch + 1, batch):
                xb, yb = x_test[start : start + batch], y_test[start : start + batch]
                correct += int((model._forward(xb).argmax(1) == yb).sum())
            return correct / ((len(y_test) // batch) * batch)

    for step in range(steps):
        idx = torch.randperm(len(y_train), generator=g)[:batch]
        loss = nn.functional.cross_entropy(model._forward(x_train[idx]), y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item() if torch.isfinite(loss) else float("nan"))
        if step % 10 == 9 or step == steps - 1:
            evals.append(step + 1)
            accs.append(test_accuracy())
    return {
        "step": np.arange(1, steps + 1),
        "loss": np.array(losses),
        "eval_step": np.array(evals),
        "test_accuracy": np.array(accs),
        "final_accuracy": accs[-1],
        "seconds": time.perf_counter() - start,
    }
