"""kan_edu.residual: residual networks, shattered gradients, and keeping the variance in check (UDL chapter 11).

A plain deep network composes its layers, ``h_k = f_k(h_{k-1})``; a *residual* network adds each layer's output
to its input, ``h_k = h_{k-1} + α f_k(h_{k-1})``. Three consequences are measured here.

* **Shattered gradients.** In a deep plain ReLU network the derivative of the output with respect to a scalar
  input, ``dy/dx``, changes sign and size almost at random from one input to the next: its autocorrelation
  (:func:`autocorrelation`) falls towards zero at every lag. The identity path of a residual network keeps
  ``dy/dx`` smooth (:func:`input_gradients_1d`).
* **Variance that doubles.** With He initialisation a branch ``W·ReLU(h)`` returns a signal with the same
  variance as its input, uncorrelated with it, so every residual block multiplies the variance by ``1 + α²``:
  ``2^K`` after K blocks with α = 1 (:func:`residual_variance`). Batch norm at the start of each branch makes
  the growth linear, ``α = 1/√K`` bounds it by ``e``, and zero-initialised branches start at the identity.
* **Batch norm.** Each feature is standardised over the batch and then scaled by γ and shifted by δ
  (:func:`affine_batch_norm`); in training the statistics come from the batch, in evaluation from running
  averages.

:class:`ResMLP` is one small network with all of these switches: plain or residual, with or without batch norm,
a branch scale α, zero-initialised branches. The same class runs the shattered-gradient experiment (one input,
one output), the variance measurements (:func:`activation_variances`, :func:`gradient_norms`), the lesion study
(:func:`lesion_accuracies`: remove one block and see whether the network survives) and the depth sweep on
MNIST-1D whose results ship with the book (:func:`run_residual_depth`, :func:`residual_depth_results`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import numpy as np
import torch

from ._validate import (
    ArgumentTypeError,
    array,
    choice,
    flag,
    floating_dtype,
    function,
    non_negative,
    number,
    random_seed,
    size,
    sizes,
    tensor,
)

__all__ = [
    "ResMLP",
    "input_gradients_1d",
    "autocorrelation",
    "residual_variance",
    "affine_batch_norm",
    "activation_variances",
    "gradient_norms",
    "lesion_accuracies",
]

NORMS = ("none", "batch")


# -------------------------------------------------------------------------------------------- the network
class ResMLP(torch.nn.Module):
    """A deep multilayer perceptron of ``depth`` blocks, plain or residual.

    ``h_0 = stem(x)`` (a linear layer), then for k = 1..K, with ``branch_k(h) = W_k·ReLU(N_k(h)) + b_k``
    (``N_k`` is batch norm with ``norm="batch"`` and the identity with ``norm="none"``)::

        plain:     h_k = branch_k(h_{k-1})
        residual:  h_k = h_{k-1} + α · branch_k(h_{k-1})

    and the output is ``head(ReLU(N(h_K)))``. The branch applies its ReLU *before* its linear layer (the
    "pre-activation" order), so a branch can add negative as well as positive values to the stream.

    Initialisation (seeded by ``seed``, independent of torch's global generator): He weights, N(0, 2/width), in
    the blocks, so that a plain network keeps the variance of its hidden units; N(0, 1/fan_in) in the stem and
    the head; biases N(0, ``bias_std``²) in the stem and the blocks and 0 in the head. ``zero_init=True`` sets the
    blocks' weights and biases to zero (residual networks only): the network then starts as the identity map
    from ``h_0`` to ``h_K``. ``branch_scale`` is α, for instance ``1 / sqrt(depth)``.
    """

    def __init__(
        self,
        depth: int,
        width: int = 64,
        residual: bool = True,
        norm: str = "none",
        branch_scale: float = 1.0,
        zero_init: bool = False,
        in_dim: int = 40,
        out_dim: int = 10,
        bias_std: float = 0.0,
        seed: int = 0,
        dtype=torch.float32,
    ):
        super().__init__()
        self.depth = size("depth", depth)
        self.width = size("width", width, maximum=100_000)
        self.residual = flag("residual", residual)
        self.norm = choice("norm", norm, NORMS)
        self.branch_scale = non_negative("branch_scale", branch_scale)
        self.zero_init = flag("zero_init", zero_init)
        if self.zero_init and not self.residual:
            raise ValueError("zero_init=True needs residual=True: a plain network with zero weights computes nothing")
        in_dim, out_dim = size("in_dim", in_dim, maximum=100_000), size("out_dim", out_dim, maximum=100_000)
        bias_std, dtype = non_negative("bias_std", bias_std), floating_dtype("dtype", dtype)
        if self.depth * self.width**2 > 10**9:
            raise ValueError(f"depth × width² must be at most 1e9, got depth {self.depth} and width {self.width}")
        gen = torch.Generator().manual_seed(int(random_seed("seed", seed)))

        def linear(n_in, n_out, std, b_std):
            layer = torch.nn.Linear(n_in, n_out, dtype=dtype)
            with torch.no_grad():
                layer.weight.normal_(0.0, std, generator=gen) if std > 0 else layer.weight.zero_()
                layer.bias.normal_(0.0, b_std, generator=gen) if b_std > 0 else layer.bias.zero_()
            return layer

        def batch_norm():
            return torch.nn.BatchNorm1d(self.width, dtype=dtype) if self.norm == "batch" else torch.nn.Identity()

        he = 0.0 if self.zero_init else np.sqrt(2.0 / self.width)
        self.stem = linear(in_dim, self.width, 1.0 / np.sqrt(in_dim), bias_std)
        self.norms = torch.nn.ModuleList(batch_norm() for _ in range(self.depth))
        self.linears = torch.nn.ModuleList(
            linear(self.width, self.width, he, 0.0 if self.zero_init else bias_std) for _ in range(self.depth)
        )
        self.final_norm = batch_norm()
        self.head = linear(self.width, out_dim, 1.0 / np.sqrt(self.width), 0.0)

    def branch(self, k: int, h: torch.Tensor) -> torch.Tensor:
        """The k-th block's branch (k = 0..depth−1): ``W_k·ReLU(N_k(h)) + b_k``, for a batch ``h`` (B, width)."""
        k = size("k", k, minimum=0, maximum=self.depth - 1)
        h = tensor("h", h, 2, floating=True, device=self.stem.weight.device, shape=(None, self.width))
        return self._branch(k, h.to(self.stem.weight.dtype))

    def _branch(self, k, h):
        return self.linears[k](torch.relu(self.norms[k](h)))

    def forward(self, x: torch.Tensor, return_hidden: bool = False, skip: Sequence[int] = ()):
        """The network's output for a batch ``x`` (B, in_dim); with ``return_hidden=True`` also the list
        ``[h_0, ..., h_K]``. Blocks whose indices (0..depth−1) are in ``skip`` are removed: they pass their input
        through unchanged (a lesion)."""
        x = tensor("x", x, 2, floating=True, device=self.stem.weight.device)
        if x.shape[1] != self.stem.in_features:
            raise ValueError(f"x must have {self.stem.in_features} columns (in_dim), got shape {tuple(x.shape)}")
        return_hidden = flag("return_hidden", return_hidden)
        skipped = _block_indices("skip", skip, self.depth)
        return self._forward(x.to(self.stem.weight.dtype), return_hidden, skipped)

    def _forward(self, x, return_hidden=False, skip=frozenset()):
        h = self.stem(x)
        hidden = [h] if return_hidden else None
        for k in range(self.depth):
            if k not in skip:
                h = h + self.branch_scale * self._branch(k, h) if self.residual else self._branch(k, h)
            if return_hidden:
                hidden.append(h)
        out = self.head(torch.relu(self.final_norm(h)))
        return (out, hidden) if return_hidden else out

    def extra_repr(self) -> str:
        kind = "residual" if self.residual else "plain"
        return (
            f"depth={self.depth}, width={self.width}, {kind}, norm={self.norm!r}, "
            f"branch_scale={self.branch_scale:g}, zero_init={self.zero_init}"
        )


def _block_indices(name: str, value, depth: int) -> frozenset:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, set, frozenset, np.ndarray, range)):
        raise ArgumentTypeError(f"{name} must be a list of block indices, got {type(value).__name__}")
    idx = array(name, list(value), 1, low=0, high=depth - 1, integral=True) if len(value) else np.array([])
    return frozenset(int(i) for i in idx)


def _model(name: str, model) -> ResMLP:
    if not isinstance(model, ResMLP):
        raise ArgumentTypeError(f"{name} must be a kan_edu.residual.ResMLP, got {type(model).__name__}")
    return model


@contextlib.contextmanager
def _probe(model: ResMLP, training: bool):
    """Run ``model`` in train or eval mode and put everything back afterwards: the mode, and the batch-norm
    running statistics that a forward pass in training mode would otherwise update."""
    was_training = model.training
    saved = {name: b.clone() for name, b in model.named_buffers()}
    model.train(training)
    try:
        yield model
    finally:
        model.train(was_training)
        with torch.no_grad():
            for name, b in model.named_buffers():
                b.copy_(saved[name])


def _input(model: ResMLP, x, name: str = "x") -> torch.Tensor:
    x = tensor(name, x, 2, floating=True, device=model.stem.weight.device, empty=False)
    if x.shape[1] != model.stem.in_features:
        raise ValueError(f"{name} must have {model.stem.in_features} columns (in_dim), got shape {tuple(x.shape)}")
    return x.to(model.stem.weight.dtype)


# ---------------------------------------------------------------------------------- shattered gradients
def input_gradients_1d(model: ResMLP, x):
    """``dy/dx`` of a network with one input and one output, at every point of the 1-D array ``x``.

    Computed by backpropagation. Batch norm, if the model has it, normalises with the statistics of the whole
    batch ``x``, held fixed while differentiating: as in evaluation mode with running averages equal to the
    batch's (the variance with the factor n/(n−1) that torch's running average uses). Otherwise every output
    would depend on every input and "the" derivative at a point would not be defined. The model's mode and
    running averages are left as they were. numpy in, numpy out (float64); a torch tensor in, a tensor out.
    """
    model = _model("model", model)
    if model.stem.in_features != 1 or model.head.out_features != 1:
        raise ValueError(
            f"model must have one input and one output (in_dim=1, out_dim=1), got in_dim={model.stem.in_features} "
            f"and out_dim={model.head.out_features}"
        )
    as_numpy = not isinstance(x, torch.Tensor)
    if as_numpy:
        xs = torch.as_tensor(array("x", x, 1, empty=False), device=model.stem.weight.device)
    else:
        xs = tensor("x", x, 1, floating=True, device=model.stem.weight.device, empty=False)
    xt = xs.detach().to(model.stem.weight.dtype).reshape(-1, 1).requires_grad_(True)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    momenta = [m.momentum for m in norms]
    with _probe(model, training=True):
        try:
            for m in norms:  # a cumulative average over one batch: the running statistics become the batch's
                m.reset_running_stats()
                m.momentum = None
            if norms:
                with torch.no_grad():
                    model._forward(xt)
            model.eval()
            with torch.enable_grad():
                (grad,) = torch.autograd.grad(model._forward(xt).sum(), xt)
        finally:
            for m, momentum in zip(norms, momenta):
                m.momentum = momentum
    grad = grad.reshape(-1)
    return grad.detach().cpu().double().numpy() if as_numpy else grad.to(xs.dtype)


def autocorrelation(g):
    """The autocorrelation of a 1-D signal ``g`` at lags 0, 1, ..., N−1:

        r(k) = Σ_{i=0}^{N−1−k} (g_i − ḡ)(g_{i+k} − ḡ) / Σ_{i=0}^{N−1} (g_i − ḡ)².

    r(0) = 1; subtracting the mean and dividing by the lag-0 sum make it blind to an offset or a positive scale
    of ``g``. For white noise r(k) is about 0 for k > 0 (within a few 1/√N). numpy in, numpy out (float64); a
    torch tensor in, a tensor out (float64).
    """
    as_torch = isinstance(g, torch.Tensor)
    values = array("g", g.detach().cpu() if as_torch and g.device.type != "meta" else g, 1)
    if values.size < 2:
        raise ValueError(f"g must hold at least 2 values, got {values.size}")
    centred = values - values.mean()
    power = float(centred @ centred)
    if power <= 1e-300 or power <= (np.finfo(float).eps * np.abs(values).max()) ** 2 * values.size:
        raise ValueError("g is constant: a constant signal has no autocorrelation")
    n = values.size
    spectrum = np.fft.rfft(centred, 2 * n)  # zero padding: the circular correlation equals the linear one
    r = np.fft.irfft(spectrum * np.conj(spectrum), 2 * n)[:n] / power
    return torch.as_tensor(r, device=g.device) if as_torch else r


# ------------------------------------------------------------------------------------------- variance
def residual_variance(K, alpha: float = 1.0, norm: str = "none", v0: float = 1.0):
    """The expected variance of the residual stream after ``K`` blocks, from ``v0`` at the start.

    With He initialisation a branch ``W·ReLU(h) + 0`` returns a zero-mean signal with the variance of h,
    uncorrelated with h, so ``norm="none"`` gives ``v0·(1 + α²)^K``; batch norm at the start of each branch
    (``norm="batch"``) makes every branch return variance α², whatever came in, so the growth is linear:
    ``v0 + K·α²``. ``K`` is a whole number or an array of them (numpy in, numpy out).
    """
    alpha, v0 = non_negative("alpha", alpha), non_negative("v0", v0)
    norm = choice("norm", norm, NORMS)
    ks = array("K", K, (0, 1), low=0, integral=True)
    with np.errstate(over="ignore"):
        out = v0 * (1.0 + alpha**2) ** ks if norm == "none" else v0 + ks * alpha**2
    return float(out) if ks.ndim == 0 else out


def affine_batch_norm(h, gamma=1.0, delta=0.0, eps: float = 1e-5, mean=None, var=None):
    """Batch norm with a learned scale γ and shift δ, for a batch ``h`` of shape (B, D), one example per row:

        BN(h)_bj = γ_j · (h_bj − m_j) / sqrt(s_j² + eps) + δ_j.

    In training mode (``mean`` and ``var`` not given) m_j and s_j² are the mean and the (biased, 1/B) variance of
    feature j over the batch, so every output column has mean δ_j and standard deviation about γ_j. In evaluation
    mode pass the running averages as ``mean`` and ``var`` (shape (D,)): each example is then normalised on its
    own. ``gamma`` and ``delta`` are numbers or arrays of shape (D,). This is what
    ``torch.nn.functional.batch_norm`` computes; ``kan_edu.isometry.batch_norm`` is a different one (no mean is
    subtracted). numpy in, numpy out (float64); a torch tensor in, a tensor out (differentiable).
    """
    eps = number("eps", eps, low=0)
    if (mean is None) != (var is None):
        raise ValueError("give both mean and var (evaluation mode), or neither (training mode)")
    if isinstance(h, torch.Tensor):
        h = tensor("h", h, 2, floating=True, empty=False)
        d = h.shape[1]

        def param(name, value, **kw):
            if isinstance(value, torch.Tensor):
                value = tensor(name, value, (0, 1), floating=True, device=h.device)
                if value.ndim == 1 and value.shape[0] != d:
                    raise ValueError(f"{name} must have shape ({d},) (from h), got shape {tuple(value.shape)}")
                if "low" in kw and bool((value < kw["low"]).any()):
                    raise ValueError(f"{name} must hold numbers >= {kw['low']:g}")
                return value.to(h.dtype)
            a = array(name, value, (0, 1), **kw)
            if a.ndim == 1 and a.shape[0] != d:
                raise ValueError(f"{name} must have shape ({d},) (from h), got shape {a.shape}")
            return torch.as_tensor(a, dtype=h.dtype, device=h.device)

        gamma, delta = param("gamma", gamma), param("delta", delta)
        if mean is None:
            m = h.mean(dim=0)
            v = ((h - m) ** 2).mean(dim=0)
        else:
            m, v = param("mean", mean), param("var", var, low=0)
        return gamma * (h - m) / torch.sqrt(v + eps) + delta
    h = array("h", h, 2, empty=False)
    d = h.shape[1]

    def param(name, value, **kw):
        a = array(name, value, (0, 1), **kw)
        if a.ndim == 1 and a.shape[0] != d:
            raise ValueError(f"{name} must have shape ({d},) (from h), got shape {a.shape}")
        return a

    gamma, delta = param("gamma", gamma), param("delta", delta)
    if mean is None:
        m = h.mean(axis=0)
        v = ((h - m) ** 2).mean(axis=0)
    else:
        m, v = param("mean", mean), param("var", var, low=0)
    return gamma * (h - m) / np.sqrt(v + eps) + delta


def activation_variances(model: ResMLP, x) -> np.ndarray:
    """The variance of every hidden state ``h_0, ..., h_K`` of ``model`` for the batch ``x``, over the batch
    and the units together; shape (K+1,). Measured as at the start of training: batch norm in training mode
    (batch statistics), with its running averages left untouched."""
    model = _model("model", model)
    x = _input(model, x)
    with _probe(model, training=True), torch.no_grad():
        _, hidden = model._forward(x, return_hidden=True)
    return np.array([float(h.double().var(unbiased=False)) for h in hidden])


def gradient_norms(model: ResMLP, x, y, loss_fn=None) -> np.ndarray:
    """The Frobenius norm of the loss gradient with respect to each block's weight matrix ``W_k``, in block
    order; shape (K,). ``loss_fn(output, y)`` defaults to cross-entropy with class labels ``y``. Measured in
    training mode, leaving the parameters' ``.grad`` and the batch-norm running averages untouched."""
    model = _model("model", model)
    x = _input(model, x)
    y = tensor("y", y, (1, 2), device=x.device, finite=False)
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"x and y must hold one target per input: {x.shape[0]} inputs but {y.shape[0]} targets")
    loss_fn = (
        torch.nn.functional.cross_entropy
        if loss_fn is None
        else function("loss_fn", loss_fn, "loss_fn(output, target) -> loss")
    )
    weights = [lin.weight for lin in model.linears]
    with _probe(model, training=True), torch.enable_grad():
        try:
            loss = loss_fn(model._forward(x), y)
        except RuntimeError as err:
            raise ValueError(f"y does not fit the model's output or loss_fn: {err}") from err
        grads = torch.autograd.grad(loss, weights)
    return np.array([float(g.double().norm()) for g in grads])


@torch.no_grad()
def lesion_accuracies(model: ResMLP, x, y) -> np.ndarray:
    """Test accuracy of ``model`` on ``(x, y)`` with each block removed in turn (shape (K,)): entry k is the
    accuracy when block k passes its input through unchanged. Evaluation mode."""
    model = _model("model", model)
    x = _input(model, x)
    y = tensor("y", y, 1, device=x.device)
    if y.shape[0] != x.shape[0] or y.dtype.is_floating_point:
        raise ValueError(f"y must hold one integer class label per row of x ({x.shape[0]}), got {tuple(y.shape)}")
    with _probe(model, training=False):
        return np.array(
            [float((model._forward(x, skip={k}).argmax(dim=1) == y).double().mean()) for k in range(model.depth)]
        )


# ------------------------------------------------------------------------- the depth sweep on MNIST-1D
#: The network variants that the depth sweep compares, by name: keyword arguments of :class:`ResMLP`; a branch
#: scale of ``"1/sqrt(K)"`` means 1/√depth.
VARIANTS = {
    "plain": dict(residual=False),
    "plain + BN": dict(residual=False, norm="batch"),
    "residual": dict(residual=True),
    "residual + BN": dict(residual=True, norm="batch"),
    "residual, α = 1/√K": dict(residual=True, branch_scale="1/sqrt(K)"),
    "residual, zero-init": dict(residual=True, zero_init=True),
}

#: The sweep whose results ship with the book (``experiments/part2_residual_depth.py`` writes them to
#: ``kan_edu/data_files/part2_residual_depth.json``): every variant at every depth, for every seed, trained
#: on the standard MNIST-1D set (4000 training and 1000 test signals) with the same optimiser and budget.
RESIDUAL_DEPTH = {
    "depths": (4, 8, 16, 32, 64),
    "variants": tuple(VARIANTS),
    "seeds": (0, 1, 2),
    "width": 64,
    "epochs": 10,
    "batch_size": 100,
    "lr": 1e-3,
}
_DEPTH_FILE = "data_files/part2_residual_depth.json"


def variant_model(variant: str, depth: int, width: int = 64, seed: int = 0, **options) -> ResMLP:
    """The :class:`ResMLP` of one of :data:`VARIANTS` with ``depth`` blocks (``options`` go to ResMLP too)."""
    variant = choice("variant", variant, tuple(VARIANTS))
    depth = size("depth", depth)
    kwargs = dict(VARIANTS[variant])
    if kwargs.get("branch_scale") == "1/sqrt(K)":
        kwargs["branch_scale"] = 1.0 / np.sqrt(depth)
    return ResMLP(depth, width, seed=seed, **kwargs, **options)


def train_variant(
    variant: str,
    depth: int,
    seed: int = 0,
    width: int = 64,
    epochs: int = 10,
    batch_size: int = 100,
    lr: float = 1e-3,
    data: dict | None = None,
):
    """Build :func:`variant_model` and train it with Adam on MNIST-1D (or ``data``, a dict with
    ``train_input``, ``train_label``, ``test_input``, ``test_label``), one thread's worth of work.

    Returns ``(model, history)``, the history of :func:`kan_edu.train.fit` with the accuracy as metric
    (``train_loss``, ``test_loss``, ``train_metric``, ``test_metric``, one entry per epoch). Initialisation and
    the order of the minibatches both follow ``seed``.
    """
    from . import train
    from .data import mnist1d_data

    epochs, batch_size = size("epochs", epochs, maximum=10_000), size("batch_size", batch_size)
    lr = number("lr", lr, low=0, low_open=True)
    if data is None:
        data = mnist1d_data()
    elif not isinstance(data, dict) or not {"train_input", "train_label", "test_input", "test_label"} <= set(data):
        raise ValueError("data must be a dict with train_input, train_label, test_input and test_label")
    x, y = data["train_input"], data["train_label"]
    model = variant_model(variant, depth, width, seed, in_dim=int(x.shape[1]), out_dim=int(y.max()) + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    with np.errstate(invalid="ignore", over="ignore"):
        history = train.fit(
            model,
            torch.nn.functional.cross_entropy,
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            x_test=data["test_input"],
            y_test=data["test_label"],
            metric=train.accuracy,
            seed=seed,
        )
    return model, history


def _rounded(values, digits: int = 5):
    """Nested lists of floats with ``digits`` significant digits; NaN and inf become None (JSON has neither)."""
    a = np.asarray(values, dtype=float)
    out = np.array([float(f"{v:.{digits}g}") if np.isfinite(v) else None for v in a.ravel()], dtype=object)
    return out.reshape(a.shape).tolist()


def run_residual_depth(progress: bool = False, **setup) -> dict:
    """Run the depth sweep (:data:`RESIDUAL_DEPTH`, overridden by ``setup``) and return it JSON-ready.

    For every variant, depth and seed: the per-epoch ``train_loss``, ``train_accuracy`` and ``test_accuracy``
    (arrays of shape (variant, depth, seed, epoch)); and, keyed by depth, the ``lesion`` accuracies of the
    trained network with each block removed (variant, seed, block), and at initialisation the
    ``init_variance`` of h_0..h_K and ``init_grad_norm`` of each block's weights on the first 500 training
    signals (variant, seed, ...).
    """
    from tqdm.auto import tqdm

    from .data import mnist1d_data

    unknown = set(setup) - set(RESIDUAL_DEPTH)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; choose from {sorted(RESIDUAL_DEPTH)}")
    cfg = {**RESIDUAL_DEPTH, **setup}
    progress = flag("progress", progress)
    depths = sizes("depths", cfg["depths"])
    if not isinstance(cfg["variants"], (list, tuple)) or not cfg["variants"]:
        raise ArgumentTypeError(f"variants must be a list of names from VARIANTS, got {cfg['variants']!r:.60}")
    variants = [choice("variants", v, tuple(VARIANTS)) for v in cfg["variants"]]
    seeds = [int(s) for s in array("seeds", cfg["seeds"], 1, empty=False, low=0, high=2**32 - 1, integral=True)]
    size("width", cfg["width"], maximum=100_000), size("epochs", cfg["epochs"], maximum=10_000)
    size("batch_size", cfg["batch_size"]), number("lr", cfg["lr"], low=0, low_open=True)
    data = mnist1d_data()
    probe_x, probe_y = data["train_input"][:500], data["train_label"][:500]
    curves = {k: np.full((len(variants), len(depths), len(seeds), cfg["epochs"]), np.nan) for k in _CURVES}
    lesion, init_var, init_grad = {}, {}, {}
    jobs = [(i, j, k) for j in range(len(depths)) for i in range(len(variants)) for k in range(len(seeds))]
    for i, j, k in tqdm(jobs, disable=not progress, desc="depth sweep"):
        variant, depth, seed = variants[i], depths[j], seeds[k]
        fresh = variant_model(variant, depth, cfg["width"], seed)
        init_var.setdefault(depth, np.zeros((len(variants), len(seeds), depth + 1)))[i, k] = activation_variances(
            fresh, probe_x
        )
        init_grad.setdefault(depth, np.zeros((len(variants), len(seeds), depth)))[i, k] = gradient_norms(
            fresh, probe_x, probe_y
        )
        model, history = train_variant(
            variant, depth, seed, cfg["width"], cfg["epochs"], cfg["batch_size"], cfg["lr"], data=data
        )
        for key, source in _CURVES.items():
            curves[key][i, j, k] = history[source]
        lesion.setdefault(depth, np.zeros((len(variants), len(seeds), depth)))[i, k] = lesion_accuracies(
            model, data["test_input"], data["test_label"]
        )
    return {
        "setup": {key: list(v) if isinstance(v, tuple) else v for key, v in cfg.items()},
        **{key: _rounded(v) for key, v in curves.items()},
        "lesion": {str(d): _rounded(v, 4) for d, v in lesion.items()},
        "init_variance": {str(d): _rounded(v, 4) for d, v in init_var.items()},
        "init_grad_norm": {str(d): _rounded(v, 4) for d, v in init_grad.items()},
    }


_CURVES = {"train_loss": "train_loss", "train_accuracy": "train_metric", "test_accuracy": "test_metric"}


def residual_depth_results() -> dict:
    """The shipped results of :func:`run_residual_depth` with the defaults, as numpy arrays (None → NaN).

    Keys: ``setup``, ``variants``, ``depths``, ``seeds``, the curves ``train_loss``, ``train_accuracy`` and
    ``test_accuracy`` of shape (variant, depth, seed, epoch), and ``lesion``, ``init_variance`` and
    ``init_grad_norm``, each a dict from depth to an array (variant, seed, ...).
    """
    import json
    from importlib.resources import files

    raw = json.loads(files("kan_edu").joinpath(_DEPTH_FILE).read_text(encoding="utf-8"))

    def arr(v):
        return np.array(v, dtype=float)  # None becomes NaN

    out = {
        "setup": raw["setup"],
        "variants": list(raw["setup"]["variants"]),
        "depths": np.array(raw["setup"]["depths"]),
        "seeds": np.array(raw["setup"]["seeds"]),
    }
    out.update({key: arr(raw[key]) for key in _CURVES})
    for key in ("lesion", "init_variance", "init_grad_norm"):
        out[key] = {int(d): arr(v) for d, v in raw[key].items()}
    return out
