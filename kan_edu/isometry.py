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

The experiment functions at the end return plain numpy arrays for the chapter's figures.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torch import nn

__all__ = [
    "isometry_gap",
    "batch_norm",
    "standard_batch_norm",
    "haar_orthogonal",
    "BNMLP",
    "gradient_log_norms",
    "gap_per_layer",
    "log_grad_norm_vs_depth",
    "explosion_rate",
    "degenerate_batch",
    "digits_data",
    "train_deep_bn",
]

INITS = ("orthogonal", "gaussian")
ACTIVATIONS = {"identity": lambda z: z, "tanh": torch.tanh, "sin": torch.sin, "relu": torch.relu}
NORMS = ("paper", "standard", "none")


# ------------------------------------------------------------------------------------ the isometry gap
def _matrix(h, name: str = "h") -> np.ndarray:
    if isinstance(h, torch.Tensor):
        h = h.detach().cpu().numpy()
    h = np.asarray(h, dtype=np.float64)
    if h.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n samples, d features), got shape {h.shape}")
    if h.shape[0] < 1 or h.shape[1] < 1:
        raise ValueError(f"{name} must have at least one sample and one feature, got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError(f"{name} contains NaN or inf")
    return h


def isometry_gap(h) -> float:
    """φ(h) = log(mean λ) − mean(log λ) over the eigenvalues λ of the n×n Gram matrix h·hᵀ (h: n × d).

    Computed in float64 from the singular values s of h (λ = s²), in logs, so that neither det nor the
    eigenvalue solver of a nearly singular Gram matrix spoils it. Returns ``math.inf`` when the samples are
    linearly dependent: n > d, or a singular value below ``max(n, d) · eps · s_max`` (numpy's rank rule).
    A batch with a duplicated sample is exactly such a case; a naive eigenvalue version reports a finite
    number there because rounding leaves a tiny positive eigenvalue.
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
def batch_norm(h, eps: float = 1e-12):
    """The paper's batch norm: each feature (column) divided by its root mean square over the batch.

    No mean is subtracted. ``h`` is a torch tensor (differentiable) or a numpy array, shape (n, d).
    Dividing by the RMS instead of the norm (a factor √n) keeps entries of order one; φ does not notice.
    """
    if isinstance(h, torch.Tensor):
        if h.ndim != 2:
            raise ValueError(f"h must be 2-D (n samples, d features), got shape {tuple(h.shape)}")
        return h / torch.sqrt(torch.mean(h * h, dim=0, keepdim=True) + eps)
    h = _matrix(h)
    return h / np.sqrt(np.mean(h * h, axis=0, keepdims=True) + eps)


def standard_batch_norm(h, eps: float = 1e-5):
    """Standard batch norm (no learned scale or shift): subtract each feature's batch mean, divide by its std."""
    if isinstance(h, torch.Tensor):
        if h.ndim != 2:
            raise ValueError(f"h must be 2-D (n samples, d features), got shape {tuple(h.shape)}")
        centred = h - h.mean(dim=0, keepdim=True)
        return centred / torch.sqrt(torch.mean(centred * centred, dim=0, keepdim=True) + eps)
    h = _matrix(h)
    centred = h - h.mean(axis=0, keepdims=True)
    return centred / np.sqrt(np.mean(centred * centred, axis=0, keepdims=True) + eps)


# ------------------------------------------------------------------------------------------- weights
def haar_orthogonal(d: int, generator: torch.Generator | None = None, dtype=torch.float64) -> torch.Tensor:
    """A d×d orthogonal matrix drawn uniformly (Haar measure): QR of a Gaussian matrix with R's signs fixed."""
    if int(d) != d or d < 1:
        raise ValueError(f"d must be a positive integer, got {d}")
    a = torch.randn(int(d), int(d), generator=generator, dtype=torch.float64)
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r))[None, :]
    return q.to(dtype)


def _choice(value, choices, name):
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {tuple(choices)}")
    return value


class BNMLP(nn.Module):
    """A deep network of square layers h ← σ(α_ℓ · BN(h W_ℓᵀ)), ℓ = 1..depth, α_ℓ = ℓ^(−gain_exponent).

    Parameters
    ----------
    width, depth: the layers are width×width, and there are ``depth`` of them.
    init: "orthogonal" (Haar) or "gaussian" (entries N(0, 1/width)).
    activation: "identity", "tanh", "sin" or "relu".
    gain_exponent: activation shaping; 0 means no shaping (α_ℓ = 1).
    norm: "paper" (:func:`batch_norm`), "standard" (:func:`standard_batch_norm`) or "none".
    in_dim, out_dim: optional linear read-in (in_dim → width) and read-out (width → out_dim) layers, for
        training on data; without them the network maps (n, width) to (n, width).
    """

    def __init__(self, width: int, depth: int, init: str = "orthogonal", activation: str = "identity",
                 gain_exponent: float = 0.0, norm: str = "paper", seed: int = 0, in_dim: int | None = None,
                 out_dim: int | None = None, dtype=torch.float64):
        super().__init__()
        if int(width) != width or width < 1:
            raise ValueError(f"width must be a positive integer, got {width}")
        if int(depth) != depth or depth < 1:
            raise ValueError(f"depth must be a positive integer, got {depth}")
        if not (isinstance(gain_exponent, (int, float)) and math.isfinite(gain_exponent) and gain_exponent >= 0):
            raise ValueError(f"gain_exponent must be a finite number >= 0, got {gain_exponent}")
        self.width, self.depth = int(width), int(depth)
        self.init = _choice(init, INITS, "init")
        self.activation = _choice(activation, ACTIVATIONS, "activation")
        self.norm = _choice(norm, NORMS, "norm")
        self.gain_exponent = float(gain_exponent)
        g = torch.Generator().manual_seed(int(seed))
        weights = []
        for _ in range(self.depth):
            if init == "orthogonal":
                w = haar_orthogonal(self.width, g, dtype)
            else:
                w = (torch.randn(self.width, self.width, generator=g, dtype=torch.float64) / math.sqrt(width)).to(dtype)
            weights.append(nn.Parameter(w))
        self.weights = nn.ParameterList(weights)
        self.read_in = self.read_out = None
        if in_dim is not None:
            self.read_in = nn.Linear(int(in_dim), self.width, bias=False, dtype=dtype)
            with torch.no_grad():
                self.read_in.weight.copy_(torch.randn(self.width, int(in_dim), generator=g, dtype=torch.float64)
                                          / math.sqrt(in_dim))
        if out_dim is not None:
            self.read_out = nn.Linear(self.width, int(out_dim), dtype=dtype)
            with torch.no_grad():
                self.read_out.weight.copy_(torch.randn(int(out_dim), self.width, generator=g, dtype=torch.float64)
                                           / math.sqrt(width))
                self.read_out.bias.zero_()

    def gain(self, layer: int) -> float:
        """α_ℓ = ℓ^(−gain_exponent) for layer ℓ = 1, 2, ..."""
        return float(layer) ** (-self.gain_exponent)

    def _normalise(self, z):
        if self.norm == "paper":
            return batch_norm(z)
        if self.norm == "standard":
            return standard_batch_norm(z)
        return z

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        if not isinstance(x, torch.Tensor) or x.ndim != 2:
            raise ValueError("x must be a 2-D tensor (n samples, features)")
        expected = self.read_in.in_features if self.read_in is not None else self.width
        if x.shape[1] != expected:
            raise ValueError(f"x has {x.shape[1]} features, the network expects {expected}")
        if not torch.isfinite(x).all():
            raise ValueError("x contains NaN or inf")
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
    """log ‖∂L/∂W_ℓ‖_F for each hidden layer ℓ = 1..depth, in layer order.

    L is the mean squared error between the network's output and ``y``. When ``y`` is None a fixed Gaussian
    target (seed 0, the output's shape) is used: the paper's gradient bounds hold for any such loss.
    """
    model.zero_grad(set_to_none=True)
    out = model(x)
    if y is None:
        y = torch.randn(out.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64).to(out.dtype)
    if y.shape != out.shape:
        raise ValueError(f"y has shape {tuple(y.shape)}, the output has {tuple(out.shape)}")
    loss = torch.mean((out - y) ** 2)
    grads = torch.autograd.grad(loss, list(model.weights))
    norms = torch.stack([g.norm() for g in grads]).detach().cpu().numpy().astype(np.float64)
    with np.errstate(divide="ignore"):
        return np.log(norms)


# --------------------------------------------------------------------------------------- experiments
def _inputs(n: int, d: int, seed: int, degenerate: float = 0.0) -> torch.Tensor:
    if degenerate:
        return torch.as_tensor(degenerate_batch(n, d, degenerate, seed))
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)


def degenerate_batch(n: int, d: int, spread: float = 1e-3, seed: int = 0) -> np.ndarray:
    """n samples in d dimensions that all lie close to ONE direction: sample i = u + spread · noise_i.

    A nearly rank-one batch, the kind a deep network without normalisation collapses its inputs into; its φ
    is large (about log(n) − ... grows as ``spread`` shrinks).
    """
    if not spread > 0:
        raise ValueError(f"spread must be positive, got {spread}")
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    return u[None, :] + spread * rng.standard_normal((n, d))


@torch.no_grad()
def gap_per_layer(width: int = 32, batch: int = 32, depth: int = 100, init: str = "orthogonal",
                  norm: str = "paper", activation: str = "identity", gain_exponent: float = 0.0, seed: int = 0,
                  degenerate: float = 0.0) -> np.ndarray:
    """φ of the input and of each of ``depth`` layers' representations (length depth + 1), in float64."""
    model = BNMLP(width, depth, init, activation, gain_exponent, norm, seed)
    x = _inputs(batch, width, seed, degenerate)
    _, hidden = model(x, return_hidden=True)
    return np.array([isometry_gap(x)] + [isometry_gap(h) for h in hidden])


def log_grad_norm_vs_depth(depths: Sequence[int], width: int = 32, batch: int = 32, init: str = "orthogonal",
                           norm: str = "paper", activation: str = "identity", gain_exponent: float = 0.0,
                           seed: int = 0, degenerate: float = 0.0) -> np.ndarray:
    """log ‖∂L/∂W_1‖_F, the FIRST layer's gradient, of a fresh network of each depth (same seed)."""
    out = []
    for depth in depths:
        model = BNMLP(width, int(depth), init, activation, gain_exponent, norm, seed)
        out.append(gradient_log_norms(model, _inputs(batch, width, seed, degenerate))[0])
    return np.array(out)


def explosion_rate(depths: Sequence[int], log_norms: Sequence[float]) -> float:
    """Least-squares slope of log-gradient-norm against depth: how much the log grows per layer."""
    depths, log_norms = np.asarray(depths, float), np.asarray(log_norms, float)
    if depths.shape != log_norms.shape or depths.size < 2:
        raise ValueError("need two sequences of the same length, at least 2")
    return float(np.polyfit(depths, log_norms, 1)[0])


def digits_data(seed: int = 0, n_test: int = 297):
    """sklearn's bundled 8×8 digits (offline), scaled to [0, 1], split into train and test tensors."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float64)
    y = torch.tensor(digits.target, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    test, train = perm[:n_test], perm[n_test:]
    return x[train], y[train], x[test], y[test]


def train_deep_bn(depth: int = 100, width: int = 64, init: str = "orthogonal", activation: str = "tanh",
                  gain_exponent: float = 0.4, norm: str = "paper", steps: int = 150, batch: int = 64,
                  lr: float = 0.05, seed: int = 0) -> dict:
    """Train a deep BN network on the digits with SGD; return per-step loss and test accuracy every 10 steps.

    The batch size equals the width by default (n = d, the paper's setting). Every layer's weights are
    trained. Returns ``{"step", "loss", "eval_step", "test_accuracy", "final_accuracy"}`` as numpy arrays
    and a float.
    """
    x_train, y_train, x_test, y_test = digits_data(seed)
    model = BNMLP(width, depth, init, activation, gain_exponent, norm, seed, in_dim=64, out_dim=10)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    losses, evals, accs = [], [], []

    def test_accuracy():
        # evaluate in batches of the training size: the paper's BN uses batch statistics
        with torch.no_grad():
            correct = 0
            for start in range(0, len(y_test) - batch + 1, batch):
                xb, yb = x_test[start:start + batch], y_test[start:start + batch]
                correct += int((model(xb).argmax(1) == yb).sum())
            return correct / ((len(y_test) // batch) * batch)

    for step in range(steps):
        idx = torch.randperm(len(y_train), generator=g)[:batch]
        loss = nn.functional.cross_entropy(model(x_train[idx]), y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item() if torch.isfinite(loss) else float("nan"))
        if step % 10 == 9 or step == steps - 1:
            evals.append(step + 1)
            accs.append(test_accuracy())
    return {"step": np.arange(1, steps + 1), "loss": np.array(losses), "eval_step": np.array(evals),
            "test_accuracy": np.array(accs), "final_accuracy": accs[-1]}
