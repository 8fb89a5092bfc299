"""kan_edu.losses: negative log-likelihoods, for chapter 5 (loss functions), written in numpy.

The maximum-likelihood recipe (UDL chapter 5): let the model predict the parameters θ = f[x, φ] of a
distribution over the output, and minimise the negative log-likelihood of the training outputs,

    L[φ] = − Σ_i log Pr(y_i | f[x_i, φ]).

Three choices of distribution give the three losses used most:

* **Gaussian** (regression): the model predicts the mean μ (and maybe the spread σ);
  −log N(y; μ, σ²) = (y − μ)² / (2σ²) + log σ + ½ log 2π. With σ fixed this is least squares.
* **Bernoulli** (binary classification): the model predicts a logit z, λ = sigmoid(z) = Pr(y = 1);
  −log Pr(y) = −y log λ − (1 − y) log(1 − λ) = softplus(z) − y z (binary cross-entropy).
* **Categorical** (K classes): the model predicts K logits z, Pr(y = k) = softmax(z)_k;
  −log Pr(y = k) = logsumexp(z) − z_k (softmax cross-entropy).

Everything is computed from logits with the log-sum-exp trick, so huge logits give finite, exact losses
where the naive ``log(softmax(z))`` gives ``log(0) = -inf``. Each loss takes ``reduction="sum"`` (the
chapter's Σ, the default), ``"mean"`` (what ``torch.nn.functional`` does by default) or ``"none"``.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import array as _array
from ._validate import axis as _axis
from ._validate import choice

__all__ = [
    "logsumexp",
    "softmax",
    "log_softmax",
    "sigmoid",
    "softplus",
    "gaussian_nll",
    "bernoulli_nll",
    "categorical_nll",
]

_REDUCTIONS = ("sum", "mean", "none")
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _reduce(per_example, reduction: str):
    if reduction == "none":
        return per_example
    if per_example.size == 0:
        raise ValueError("no examples to reduce over")
    return float(per_example.sum() if reduction == "sum" else per_example.mean())


# ------------------------------------------------------------------------------------- stable helpers
def logsumexp(z, axis: int = -1):
    """log Σ_k exp(z_k) along ``axis``, computed as m + log Σ exp(z_k − m) with m = max z (no overflow)."""
    z = _array("z", z, empty=False)
    axis = _axis("axis", axis, max(z.ndim, 1))
    z = z.reshape(1) if z.ndim == 0 else z
    m = np.max(z, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def log_softmax(z, axis: int = -1):
    """log softmax(z) = z − logsumexp(z): finite for any finite logits."""
    z = _array("z", z)
    return z - np.expand_dims(logsumexp(z, axis=axis), axis)


def softmax(z, axis: int = -1):
    """exp(z_k) / Σ_j exp(z_j) along ``axis``: positive, sums to one, unchanged by adding a constant to z."""
    return np.exp(log_softmax(z, axis=axis))


def sigmoid(z):
    """1 / (1 + e^{−z}), evaluated without overflow for large |z|."""
    z = _array("z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z):
    """log(1 + e^z) = max(z, 0) + log(1 + e^{−|z|}), without overflow."""
    z = _array("z", z)
    return np.logaddexp(0.0, z)


# ------------------------------------------------------------------------------------------ the losses
def gaussian_nll(y, mean, sigma, reduction: str = "sum"):
    """−log N(y; mean, sigma²) = (y − mean)² / (2 sigma²) + log sigma + ½ log 2π, per example, then reduced.

    ``y``, ``mean`` and ``sigma`` broadcast together; ``sigma`` is the standard deviation (> 0), not the
    variance (``torch.nn.functional.gaussian_nll_loss`` takes the variance, and drops the constant ½ log 2π
    unless ``full=True``).
    """
    choice("reduction", reduction, _REDUCTIONS)
    y, mean, sigma = _array("y", y), _array("mean", mean), _array("sigma", sigma, low=0, low_open=True)
    try:
        y, mean, sigma = np.broadcast_arrays(y, mean, sigma)
    except ValueError:
        raise ValueError(f"y, mean and sigma do not broadcast: shapes {y.shape}, {mean.shape}, {sigma.shape}") from None
    per = 0.5 * ((y - mean) / sigma) ** 2 + np.log(sigma) + _HALF_LOG_2PI
    return _reduce(per, reduction)


def bernoulli_nll(y, logits, reduction: str = "sum"):
    """Binary cross-entropy from logits: −y log λ − (1 − y) log(1 − λ) with λ = sigmoid(logit).

    Computed as softplus(z) − y z, which is exact for any finite logit. ``y`` holds the labels 0 or 1 (values
    in between are accepted as soft targets) and broadcasts with ``logits``.
    """
    choice("reduction", reduction, _REDUCTIONS)
    y, z = _array("y", y, low=0, high=1), _array("logits", logits)  # binary labels: 0 and 1
    try:
        y, z = np.broadcast_arrays(y, z)
    except ValueError:
        raise ValueError(f"y and logits do not broadcast: shapes {y.shape} and {z.shape}") from None
    return _reduce(softplus(z) - y * z, reduction)


def categorical_nll(labels, logits, reduction: str = "sum"):
    """Softmax cross-entropy: −log softmax(z_i)[y_i] = logsumexp(z_i) − z_i[y_i] for each example i.

    ``logits`` has shape (N, K) (or (K,) for one example) and ``labels`` holds N integer classes in
    ``0..K-1``.
    """
    choice("reduction", reduction, _REDUCTIONS)
    z = _array("logits", logits, (1, 2), empty=False)
    z = z[None, :] if z.ndim == 1 else z
    labels = _array("labels", labels, (0, 1), integral=True, low=0, high=z.shape[1] - 1)  # class indices
    labels = labels.reshape(-1).astype(int)
    if labels.shape != (z.shape[0],):
        raise ValueError(f"labels must hold one class per row of logits ({z.shape[0]}), got shape {labels.shape}")
    per = logsumexp(z, axis=1) - z[np.arange(z.shape[0]), labels]
    return _reduce(per, reduction)
