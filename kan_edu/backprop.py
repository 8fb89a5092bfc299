"""kan_edu.backprop: gradients by the chain rule, and what the initial weights do to them (UDL chapter 7).

Three pieces, in numpy:

* a *toy model*, a chain of scalar functions with six parameters,

      f[x, φ] = β₂ + ω₂ · sin(β₁ + ω₁ · tanh(β₀ + ω₀ x)),      ℓ = Σ (f − y)²,

  with its forward pass (:func:`toy_forward`, which keeps every intermediate value) and its backward pass
  (:func:`toy_backward`, the chain rule applied from the loss back to each parameter);
* :func:`finite_difference_gradient`, the independent check of any gradient;
* a deep fully connected ReLU network in matrix form (:func:`relu_net_init`, :func:`relu_net_forward`,
  :func:`relu_net_backward`), and :func:`layer_statistics`, which measures how the size of the activations
  (forward) and of the gradients (backward) changes layer by layer for a given initial weight variance σ².
  With σ² = 2 / D (He initialisation, :func:`he_variance`) both stay level.

Samples are rows (batch first), as elsewhere in kan_edu: a layer computes ``Z = H @ W.T + b``.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import ArgumentTypeError, function, number, random_seed, sequence, size, sizes
from ._validate import array as _finite

__all__ = [
    "TOY_PARAMS",
    "toy_forward",
    "toy_backward",
    "finite_difference_gradient",
    "he_variance",
    "relu_net_init",
    "relu_net_forward",
    "relu_net_backward",
    "mse_loss",
    "layer_statistics",
]

#: The toy model's parameters, in the order of the vector ``phi``.
TOY_PARAMS = ("beta0", "omega0", "beta1", "omega1", "beta2", "omega2")


# ------------------------------------------------------------------------------------------- the toy model
def _toy_inputs(x, y, phi):
    x, y = _finite("x", x, (0, 1)), _finite("y", y, (0, 1))
    phi = _finite("phi", phi, shape=(len(TOY_PARAMS),))  # the parameters TOY_PARAMS
    if x.shape != y.shape:
        raise ValueError(f"y must have the shape of x {x.shape}, got shape {y.shape}")
    return x, y, phi


def toy_forward(x, y, phi):
    """The forward pass of the toy model; returns ``(loss, cache)``.

    ``cache`` holds every intermediate value the backward pass needs: the pre-activations ``z0``, ``z1``, the
    activations ``h1 = tanh(z0)``, ``h2 = sin(z1)``, and the output ``f``. ``x`` and ``y`` are numbers or 1-D
    arrays (then the loss is summed over the examples).
    """
    x, y, phi = _toy_inputs(x, y, phi)
    b0, w0, b1, w1, b2, w2 = phi
    z0 = b0 + w0 * x
    h1 = np.tanh(z0)
    z1 = b1 + w1 * h1
    h2 = np.sin(z1)
    f = b2 + w2 * h2
    loss = float(np.sum((f - y) ** 2))
    return loss, {"x": x, "y": y, "phi": phi, "z0": z0, "h1": h1, "z1": z1, "h2": h2, "f": f}


def toy_backward(x, y, phi):
    """The gradient of the toy model's loss with respect to ``phi`` (same order), by backpropagation.

    Each line is one application of the chain rule, from the loss back towards the input; the derivative of
    a stage's output with respect to its input uses the value stored in the forward pass.
    """
    _, c = toy_forward(x, y, phi)
    b0, w0, b1, w1, b2, w2 = c["phi"]
    dl_df = 2.0 * (c["f"] - c["y"])  # ℓ = Σ (f − y)²
    dl_dh2 = dl_df * w2  # f = β₂ + ω₂ h₂
    dl_dz1 = dl_dh2 * np.cos(c["z1"])  # h₂ = sin(z₁)
    dl_dh1 = dl_dz1 * w1  # z₁ = β₁ + ω₁ h₁
    dl_dz0 = dl_dh1 * (1.0 - c["h1"] ** 2)  # h₁ = tanh(z₀)
    return np.array(
        [
            np.sum(dl_dz0),
            np.sum(dl_dz0 * c["x"]),  # β₀, ω₀ (z₀ = β₀ + ω₀ x)
            np.sum(dl_dz1),
            np.sum(dl_dz1 * c["h1"]),  # β₁, ω₁
            np.sum(dl_df),
            np.sum(dl_df * c["h2"]),  # β₂, ω₂
        ]
    )


def finite_difference_gradient(f, theta, h=1e-6):
    """The gradient of the scalar function ``f`` at ``theta`` by central differences, (f(θ+h e) − f(θ−h e)) / 2h.

    The error is of order h² (from the third derivative) plus rounding of order ε·|f|/h, so h ≈ 1e-6 suits
    float64 for functions of moderate size. Returns an array of the shape of ``theta``.
    """
    f, theta = function("f", f, "f(theta) -> number"), _finite("theta", theta)
    h = number("h", h, low=0, low_open=True)
    grad = np.empty_like(theta)
    flat, out = theta.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        step = np.zeros_like(flat)
        step[i] = h
        out[i] = (float(f((flat + step).reshape(theta.shape))) - float(f((flat - step).reshape(theta.shape)))) / (2 * h)
    return grad


# -------------------------------------------------------------------------------------- deep ReLU networks
def he_variance(fan_in):
    """He initialisation for ReLU layers: weight variance σ² = 2 / D, where D is the number of inputs to a unit."""
    fan_in = size("fan_in", fan_in)
    return 2.0 / fan_in


def relu_net_init(widths, sigma2, seed=0, bias=0.0):
    """Random parameters of a fully connected network with layer widths ``widths`` (input first, output last).

    Returns a list of ``(W, b)``, one per layer: ``W`` of shape (D_out, D_in) with independent N(0, σ²)
    entries, and ``b`` filled with ``bias``. ``sigma2`` is one number or one per layer.
    """
    widths = sizes("widths", widths, min_length=2)  # an input and an output size at least
    n_layers = len(widths) - 1
    sigma2 = _finite("sigma2", sigma2, (0, 1), low=0)
    sigma2 = np.broadcast_to(sigma2, (n_layers,)) if sigma2.ndim == 0 else _finite("sigma2", sigma2, shape=(n_layers,))
    bias = number("bias", bias)
    rng = np.random.default_rng(random_seed("seed", seed))
    return [
        (rng.normal(scale=math.sqrt(s2), size=(d_out, d_in)), np.full(d_out, float(bias)))
        for s2, d_in, d_out in zip(sigma2, widths[:-1], widths[1:])
    ]


def _check_params(params):
    """A non-empty list of (W (D_out, D_in), b (D_out,)) whose sizes chain, as float arrays."""
    params = sequence("params", params, 1, "(W, b) pairs that relu_net_init makes")
    checked = []
    for k, layer in enumerate(params):
        if not isinstance(layer, (tuple, list)) or len(layer) != 2:
            raise ArgumentTypeError(f"params[{k}] must be a pair (W, b), got {type(layer).__name__}")
        W = _finite(f"params[{k}] W", layer[0], 2, empty=False)
        b = _finite(f"params[{k}] b", layer[1], shape=(W.shape[0],))
        if k and W.shape[1] != checked[-1][0].shape[0]:
            raise ValueError(f"params[{k}] W must take {checked[-1][0].shape[0]} inputs, got shape {W.shape}")
        checked.append((W, b))
    return checked


def _check_net(params, X):
    params = _check_params(params)
    X = _finite("X", X, shape=(None, params[0][0].shape[1]))
    return params, X
    return X


def relu_net_forward(params, X):
    """Forward pass: ReLU after every layer but the last. Returns ``(out, cache)``.

    ``cache["h"]`` is the list of layer inputs (``h[0] = X``, then each hidden layer's activations) and
    ``cache["z"]`` the list of pre-activations, one per layer (the last one is the output).
    """
    return _forward(*_check_net(params, X))


def _forward(params, X):
    hs, zs = [X], []
    for k, (W, b) in enumerate(params):
        z = hs[-1] @ W.T + b
        zs.append(z)
        if k < len(params) - 1:
            hs.append(np.maximum(z, 0.0))
    return zs[-1], {"h": hs, "z": zs}


def relu_net_backward(params, cache, dout):
    """Backward pass from ``dout`` = ∂L/∂out (shape of the output). Returns ``(grads, dz)``.

    ``grads`` is a list of ``(dW, db)``, one per layer, and ``dz`` the list of ∂L/∂z for each layer's
    pre-activations (layer order). Per layer, from the last to the first:

        ∂L/∂W = (∂L/∂z)ᵀ h,   ∂L/∂b = Σ_samples ∂L/∂z,   ∂L/∂h = ∂L/∂z · W,   ∂L/∂z_prev = ∂L/∂h ⊙ [z_prev > 0].
    """
    params = _check_params(params)
    ok = isinstance(cache, dict) and {"h", "z"} <= set(cache)
    if not ok or len(cache["z"]) != len(params) or len(cache["h"]) != len(params):
        raise ValueError("cache does not belong to these params: run relu_net_forward(params, X) first")
    return _backward(params, cache, _finite("dout", dout, shape=cache["z"][-1].shape))


def _backward(params, cache, dz):
    hs, zs = cache["h"], cache["z"]
    grads, dzs = [None] * len(params), [None] * len(params)
    for k in range(len(params) - 1, -1, -1):
        W, _ = params[k]
        dzs[k] = dz
        grads[k] = (dz.T @ hs[k], dz.sum(0))
        if k > 0:
            dz = (dz @ W) * (zs[k - 1] > 0)
    return grads, dzs


def mse_loss(out, target):
    """L = (1/N) Σ_samples Σ_outputs (out − target)², and ∂L/∂out. Returns ``(loss, dout)``."""
    out = _finite("out", out, 2, empty=False)
    target = _finite("target", target, shape=out.shape, like="out")
    r = out - target
    n = out.shape[0]
    return float(np.sum(r * r) / n), 2.0 * r / n


def layer_statistics(sigma2, depth=50, width=64, n_samples=64, seed=0):
    """How big activations and gradients are, layer by layer, in a deep ReLU network at initialisation.

    The network has ``depth`` hidden ReLU layers of ``width`` units, a linear output layer of ``width`` units,
    weights drawn with variance ``sigma2`` and zero biases. A batch of ``n_samples`` standard normal inputs goes
    forward; backward we send the gradient of a fixed random linear function of the output (∂L/∂out with
    independent N(0, 1) entries), so the backward numbers measure only what the layers do to it.

    Returns a dict of arrays, one value per hidden layer k = 1..depth:
    ``forward``: the mean of z_k² (the variance of the pre-activations, whose mean is zero);
    ``backward``: the mean of (∂L/∂z_k)²;
    and ``factor``: the expected change per layer, σ² · width / 2. In expectation ``forward[k-1]`` is
    σ² · width · factor^(k−1) (the inputs are not rectified) and ``backward[k-1]`` is factor^(depth + 1 − k).
    """
    depth, sigma2 = size("depth", depth), number("sigma2", sigma2, low=0, low_open=True)
    width, n_samples, seed = size("width", width), size("n_samples", n_samples), random_seed("seed", seed)
    params = relu_net_init([width] * (depth + 2), sigma2, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(size=(n_samples, width))
    out, cache = _forward(params, X)
    _, dzs = _backward(params, cache, rng.normal(size=out.shape))
    return {
        "forward": np.array([np.mean(z * z) for z in cache["z"][:depth]]),
        "backward": np.array([np.mean(d * d) for d in dzs[:depth]]),
        "factor": sigma2 * width / 2.0,
    }
