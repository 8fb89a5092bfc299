"""kan_edu.understanding: experiments that probe why deep networks generalise (UDL chapter 20).

Deep networks have far more parameters than training examples, and yet they do well on new data. None of the
classical explanations is complete, so this module does not explain: it *measures*. Each function is one probe.

* **Memorisation.** :func:`randomize` replaces some labels by random classes, or some inputs by Gaussian
  noise. A network that fits such data perfectly cannot be "too weak to overfit", so whatever makes it
  generalise on real data is not a lack of capacity.
* **Loss landscapes.** A network's loss is a function of millions of numbers; we can only look at it along
  a line (:func:`interpolate_loss`, from one parameter vector to another) or on a plane through a solution
  (:func:`random_slice`). Random directions must be *filter-normalised* (:func:`filter_normalized`): each
  row of a weight matrix of the direction is rescaled to the norm of the same row of the weights, otherwise
  a ReLU network that computes the same function with rescaled layers would look sharper or flatter.
* **Flatness.** :func:`sharpness` is the mean rise of the loss at a random point at distance ``radius``. It is
  a number that depends on how the parameters are scaled (:func:`rescale_layers` changes it without
  changing the function), which is why "flat minima generalise" is not a theorem.
* **Lottery tickets.** :func:`magnitude_mask` keeps a layer's largest weights; :func:`apply_masks` fixes the
  rest at zero during training. Retraining the surviving weights from their *original* initial values
  (rewinding) and from fresh random ones compares the two explanations of sparse trainability.
  :func:`run_lottery` is the sweep behind the chapter; its results ship with the package
  (:func:`lottery_results`), and so do those of :func:`run_depth_width` (:func:`depth_width_results`).
* **Adversarial examples.** :func:`fgsm` moves every input coordinate by ±ε in the direction that raises the
  loss fastest to first order, the fast gradient sign method.

Data are torch tensors (one example per row) or numpy arrays where a function says so; models are
``torch.nn.Module`` objects; parameters are dicts ``name -> tensor`` in the order of ``named_parameters()``
(what ``{k: v.clone() for k, v in model.named_parameters()}`` gives).
"""

from __future__ import annotations

import json
import math
from importlib.resources import files
from typing import Callable

import numpy as np
import torch
from torch.func import functional_call

from . import nn as _nn
from . import train as _train
from ._validate import (
    ArgumentTypeError,
    array,
    choice,
    function,
    interval,
    module,
    number,
    random_seed,
    size,
    sizes,
    tensor,
)

__all__ = [
    "randomize",
    "parameters",
    "loss_at",
    "interpolate_loss",
    "filter_normalized",
    "random_slice",
    "sharpness",
    "rescale_layers",
    "magnitude_mask",
    "magnitude_masks",
    "apply_masks",
    "sparsity_of",
    "fgsm",
    "fit_classifier",
    "width_for_budget",
    "LOTTERY",
    "run_lottery",
    "lottery_results",
    "DEPTH_WIDTH",
    "run_depth_width",
    "depth_width_results",
]


# ------------------------------------------------------------------------------------------ small helpers
def _device(model: torch.nn.Module) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _param_dict(name: str, params, model: torch.nn.Module | None = None) -> dict:
    """A dict ``name -> floating tensor``; with a model, the same names and shapes as its parameters."""
    if not isinstance(params, dict) or not params:
        raise ArgumentTypeError(
            f"{name} must be a non-empty dict of parameter name -> tensor, got {type(params).__name__}"
        )
    out = {}
    for key, value in params.items():
        out[key] = tensor(f"{name}[{key!r}]", value, floating=True)
    if model is not None:
        own = dict(model.named_parameters())
        if set(out) != set(own):
            raise ValueError(f"{name} must hold the model's parameters {sorted(own)}, got {sorted(out)}")
        for key, value in out.items():
            if value.shape != own[key].shape:
                raise ValueError(f"{name}[{key!r}] must have shape {tuple(own[key].shape)}, got {tuple(value.shape)}")
            if value.device != own[key].device:
                raise ValueError(f"{name}[{key!r}] is on {value.device} but the model is on {own[key].device}")
    return out


def _data(model, x, y):
    device = _device(model)
    x = tensor("x", x, (2, 3, 4), floating=True, device=device, empty=False)
    y = tensor("y", y, (1, 2), device=device)
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"x and y must hold one target per input: {x.shape[0]} inputs but {y.shape[0]} targets")
    return x, y


# ------------------------------------------------------------------------------------------- memorisation
def randomize(x, y, what: str = "labels", fraction: float = 1.0, n_classes: int | None = None, seed: int = 0):
    """Corrupt a data set: return ``(x, y)`` with a ``fraction`` of the examples randomised.

    ``what="labels"``: exactly ``round(fraction·N)`` examples, chosen at random, get a class drawn uniformly
    from ``n_classes`` (default: ``max(y) + 1``), so about one in ``n_classes`` of them keeps its old label by
    chance. ``what="inputs"``: those examples' inputs become Gaussian noise with the per-feature mean and
    standard deviation of the whole input set (their labels are kept, and mean nothing now).
    numpy in, numpy out; torch in, torch out. The originals are not modified.
    """
    what = choice("what", what, ("labels", "inputs"))
    fraction = number("fraction", fraction, low=0, high=1)
    seed = random_seed("seed", seed)
    is_torch = isinstance(x, torch.Tensor)
    x_np = array("x", x, (1, 2, 3, 4))
    y_np = array("y", y, 1, low=0, integral=True)
    n = len(y_np)
    if len(x_np) != n:
        raise ValueError(f"x and y must have the same length, got {len(x_np)} and {n}")
    if n_classes is None:
        n_classes = int(y_np.max()) + 1 if n else 1
    n_classes = size("n_classes", n_classes)
    if n and y_np.max() >= n_classes:
        raise ValueError(f"n_classes must exceed every label (largest {int(y_np.max())}), got {n_classes}")
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(n)[: int(round(fraction * n))]
    x_out, y_out = x_np.copy(), y_np.copy()
    if what == "labels":
        y_out[chosen] = rng.integers(0, n_classes, size=len(chosen))
    else:
        mean, std = x_np.mean(axis=0), x_np.std(axis=0)
        x_out[chosen] = mean + std * rng.standard_normal((len(chosen),) + x_np.shape[1:])
    if is_torch:
        y_dtype = y.dtype if isinstance(y, torch.Tensor) else torch.int64
        return torch.as_tensor(x_out, dtype=x.dtype, device=x.device), torch.as_tensor(y_out).to(y_dtype)
    x_dtype = np.asarray(x).dtype if np.asarray(x).dtype.kind == "f" else np.float64
    y_dtype = np.asarray(y).dtype if np.asarray(y).dtype.kind in "iu" else np.int64
    return x_out.astype(x_dtype), y_out.astype(y_dtype)


# ------------------------------------------------------------------------------------------ loss landscapes
def parameters(model: torch.nn.Module) -> dict:
    """Detached copies of a model's parameters, ``name -> tensor`` (a point in parameter space)."""
    module("model", model)
    return {k: v.detach().clone() for k, v in model.named_parameters()}


def loss_at(model: torch.nn.Module, loss_fn: Callable, x, y) -> Callable[[dict], torch.Tensor]:
    """The loss as a function of the parameters: ``f(params) = loss_fn(model with params (x), y)``.

    ``params`` is a dict like :func:`parameters` returns; the model's own parameters are not touched. The model
    is evaluated in eval mode.
    """
    module("model", model)
    function("loss_fn", loss_fn, "loss_fn(output, target) -> loss")
    x, y = _data(model, x, y)
    model.eval()

    def f(params: dict) -> torch.Tensor:
        return loss_fn(functional_call(model, params, (x,)), y)

    with torch.no_grad():
        _evaluated("x and y", lambda: f(dict(model.named_parameters())))
    return f


def _evaluated(names: str, thunk):
    """Run ``thunk``; a RuntimeError from torch (wrong shapes or dtypes for the model or loss) names the data."""
    try:
        out = thunk()
    except RuntimeError as err:
        raise ValueError(f"{names} do not fit the model and loss_fn: {err}") from err
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise ValueError(f"loss_fn must return one number for {names}, got {type(out).__name__}")
    return out


def _combine(base: dict, directions: list[dict], coefs) -> dict:
    return {k: v + sum(float(c) * d[k] for c, d in zip(coefs, directions)) for k, v in base.items()}


@torch.no_grad()
def interpolate_loss(model: torch.nn.Module, start: dict, end: dict, loss_fn: Callable, x, y, alphas) -> np.ndarray:
    """The loss along the straight line θ(α) = (1 − α)·start + α·end, at each α of ``alphas``.

    α = 0 is ``start`` (say the initialisation), α = 1 is ``end`` (the trained weights); α outside [0, 1]
    extrapolates. Returns a float64 numpy array like ``alphas``.
    """
    f = loss_at(model, loss_fn, x, y)
    start, end = _param_dict("start", start, model), _param_dict("end", end, model)
    alphas = array("alphas", alphas, 1, empty=False)
    step = {k: end[k] - start[k] for k in start}
    return np.array([float(f(_combine(start, [step], [a]))) for a in alphas])


def filter_normalized(params: dict, seed: int = 0, normalization: str = "filter") -> dict:
    """A random direction in parameter space, ``name -> tensor``, scaled to the parameters.

    ``normalization="filter"`` (Li et al. 2018): Gaussian entries, then each *filter* (each row of a weight
    matrix, the weights into one unit; each output channel of a convolution) is rescaled to the norm of the
    same filter of ``params``; vectors (biases) get direction 0. ``"none"``: Gaussian entries for every
    parameter, the whole direction rescaled to the norm of all of ``params``.
    """
    params = _param_dict("params", params)
    seed = random_seed("seed", seed)
    normalization = choice("normalization", normalization, ("filter", "none"))
    gen = torch.Generator().manual_seed(seed)
    raw = {k: torch.randn(v.shape, generator=gen, dtype=v.dtype).to(v.device) for k, v in params.items()}
    if normalization == "none":
        total = math.sqrt(sum(float((v**2).sum()) for v in params.values()))
        norm = math.sqrt(sum(float((d**2).sum()) for d in raw.values()))
        return {k: d * (total / norm if norm > 0 else 0.0) for k, d in raw.items()}
    out = {}
    for k, d in raw.items():
        w = params[k]
        if w.ndim < 2:
            out[k] = torch.zeros_like(w)
            continue
        w_norm = w.reshape(len(w), -1).norm(dim=1)
        d_norm = d.reshape(len(d), -1).norm(dim=1)
        scale = torch.where(d_norm > 0, w_norm / d_norm.clamp_min(1e-30), torch.zeros_like(d_norm))
        out[k] = d * scale.reshape((-1,) + (1,) * (d.ndim - 1))
    return out


@torch.no_grad()
def random_slice(
    model: torch.nn.Module,
    params: dict,
    loss_fn: Callable,
    x,
    y,
    span: float = 1.0,
    n: int = 21,
    seed: int = 0,
    normalization: str = "filter",
) -> dict:
    """The loss on a plane through ``params``: L(θ + a·d₁ + b·d₂) for a, b on an n×n grid in [−span, span].

    d₁ and d₂ are random directions from :func:`filter_normalized` (seeds ``seed`` and ``seed + 1``). Returns
    ``{"a": (n,), "b": (n,), "loss": (n, n)}`` with ``loss[i, j]`` at ``a[j]``, ``b[i]`` (rows are b, as
    ``imshow`` and ``contour`` expect). The grid is evaluated in batches with ``torch.func.vmap``.
    """
    f = loss_at(model, loss_fn, x, y)
    params = _param_dict("params", params, model)
    span = number("span", span, low=0, low_open=True)
    n = size("n", n, minimum=2, maximum=201)
    seed = random_seed("seed", seed)
    d1 = filter_normalized(params, seed, normalization)
    d2 = filter_normalized(params, seed + 1, normalization)
    grid = torch.linspace(-span, span, n, dtype=torch.float64)
    bb, aa = torch.meshgrid(grid, grid, indexing="ij")
    coefs = torch.stack([aa.reshape(-1), bb.reshape(-1)], dim=1)
    batched = torch.func.vmap(f)
    losses = []
    for chunk in coefs.split(64):
        a = chunk[:, 0].to(next(iter(params.values())).dtype)
        b = chunk[:, 1].to(a.dtype)
        stacked = {
            k: v
            + a.reshape((-1,) + (1,) * v.ndim).to(v.device) * d1[k]
            + b.reshape((-1,) + (1,) * v.ndim).to(v.device) * d2[k]
            for k, v in params.items()
        }
        losses.append(batched(stacked).double().cpu())
    return {"a": grid.numpy(), "b": grid.numpy(), "loss": torch.cat(losses).reshape(n, n).numpy()}


@torch.no_grad()
def sharpness(
    loss: Callable, params, radius: float, n_directions: int = 16, seed: int = 0, normalization: str = "none"
) -> float:
    """How much the loss rises, on average, at random points at distance ``radius`` from ``params``.

    ``loss`` takes what ``params`` is (a tensor, or a dict ``name -> tensor`` such as :func:`loss_at` takes) and
    returns a number. With ``normalization="none"`` the random points lie on the sphere of radius ``radius``
    around ``params`` (Euclidean, all parameters together); with ``"filter"`` each step is a filter-normalised
    direction (:func:`filter_normalized`) times ``radius``, so ``radius`` is relative to the weights' size.
    At a minimum of a quadratic loss ½ θᵀHθ the "none" value is ½ r² tr(H)/P for P parameters: zero at r = 0,
    never negative, proportional to the curvature.
    """
    function("loss", loss, "loss(params) -> number")
    single = isinstance(params, torch.Tensor)
    params = {"p": tensor("params", params, floating=True)} if single else _param_dict("params", params)
    radius = number("radius", radius, low=0)
    n_directions = size("n_directions", n_directions, maximum=10_000)
    seed = random_seed("seed", seed)
    normalization = choice("normalization", normalization, ("filter", "none"))

    def value(p):
        out = loss(p["p"] if single else p)
        return float(out.detach() if isinstance(out, torch.Tensor) else out)

    base = value(params)
    rises = []
    for i in range(n_directions):
        if normalization == "filter":
            d = filter_normalized(params, seed * 10_007 + i, "filter")
            scale = radius
        else:
            gen = torch.Generator().manual_seed(seed * 10_007 + i)
            d = {k: torch.randn(v.shape, generator=gen, dtype=v.dtype).to(v.device) for k, v in params.items()}
            norm = math.sqrt(sum(float((t**2).sum()) for t in d.values()))
            scale = radius / norm if norm > 0 else 0.0
        rises.append(value(_combine(params, [d], [scale])) - base)
    return float(np.mean(rises))


def rescale_layers(params: dict, first: str, second: str, factor: float) -> dict:
    """The same ReLU network with other parameters: multiply the layer whose weight is ``first`` (and its bias)
    by ``factor`` > 0 and divide the next layer's weight ``second`` by it.

    ReLU is positively homogeneous (relu(c·z) = c·relu(z) for c > 0), so the function, and every loss, stays
    the same; distances in parameter space do not.
    """
    params = _param_dict("params", params)
    factor = number("factor", factor, low=0, low_open=True)
    first = choice("first", first, tuple(params))
    second = choice("second", second, tuple(params))
    if first == second:
        raise ValueError("first and second must name two different layers")
    bias = first[: -len("weight")] + "bias" if first.endswith("weight") else None
    out = dict(params)
    out[first] = params[first] * factor
    if bias in params:
        out[bias] = params[bias] * factor
    out[second] = params[second] / factor
    return out


# ------------------------------------------------------------------------------------------ lottery tickets
def magnitude_mask(w, sparsity: float):
    """A mask that removes the ``sparsity`` fraction of the entries of ``w`` with the smallest magnitudes.

    Exactly ``round(sparsity · w.size)`` entries are False (removed) and every kept |w| is at least every removed
    |w| (ties are broken by position). numpy in: a numpy bool array; torch in: a torch bool tensor, same shape.
    """
    is_torch = isinstance(w, torch.Tensor)
    values = tensor("w", w, floating=True).detach().cpu().numpy() if is_torch else array("w", w)
    sparsity = number("sparsity", sparsity, low=0, high=1)
    flat = np.abs(values).reshape(-1)
    n_removed = int(round(sparsity * flat.size))
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat, kind="stable")[:n_removed]] = False
    keep = keep.reshape(values.shape)
    return torch.as_tensor(keep, device=w.device) if is_torch else keep


def magnitude_masks(params, sparsity: float) -> dict:
    """Layer-wise pruning: a :func:`magnitude_mask` for every weight matrix (ndim >= 2) of ``params`` (a dict,
    or a model), each with the same ``sparsity``; biases are not pruned."""
    if isinstance(params, torch.nn.Module):
        params = parameters(params)
    params = _param_dict("params", params)
    sparsity = number("sparsity", sparsity, low=0, high=1)
    return {k: magnitude_mask(v, sparsity) for k, v in params.items() if v.ndim >= 2}


def apply_masks(model: torch.nn.Module, masks: dict) -> torch.nn.Module:
    """Zero the masked-out weights of ``model`` in place and keep them at zero while it trains.

    ``masks`` maps parameter names to boolean tensors of the parameters' shapes (True = keep). A gradient hook
    zeroes the gradient of every removed weight, so SGD and Adam (without weight decay) never move it.
    Applying new masks replaces the old ones. Returns the model.
    """
    module("model", model)
    if not isinstance(masks, dict):
        raise ArgumentTypeError(f"masks must be a dict of parameter name -> boolean tensor, got {type(masks).__name__}")
    own = dict(model.named_parameters())
    checked = {}
    for name, mask in masks.items():
        if name not in own:
            raise ValueError(f"masks names {name!r}, which is not a parameter of the model ({sorted(own)})")
        mask = tensor(f"masks[{name!r}]", mask, finite=False)
        if mask.dtype != torch.bool or mask.shape != own[name].shape:
            raise ValueError(
                f"masks[{name!r}] must be a boolean tensor of shape {tuple(own[name].shape)}, "
                f"got {mask.dtype} of shape {tuple(mask.shape)}"
            )
        checked[name] = mask.to(own[name].device)
    for handle in getattr(model, "_kan_edu_mask_hooks", []):
        handle.remove()
    hooks = []
    with torch.no_grad():
        for name, mask in checked.items():
            p = own[name]
            p.mul_(mask)
            keep = mask.to(p.dtype)
            hooks.append(p.register_hook(lambda g, keep=keep: g * keep))
    model._kan_edu_mask_hooks = hooks
    return model


def sparsity_of(model: torch.nn.Module) -> float:
    """The fraction of the weights of ``model``'s weight matrices (ndim >= 2) that are exactly zero."""
    module("model", model)
    weights = [p for p in model.parameters() if p.ndim >= 2]
    total = sum(p.numel() for p in weights)
    return float(sum(int((p == 0).sum()) for p in weights) / total) if total else 0.0


# ------------------------------------------------------------------------------------------ adversarial
def fgsm(model: torch.nn.Module, x, y, eps: float, loss_fn: Callable | None = None, clip=(0.0, 1.0)):
    """The fast gradient sign method: x_adv = clip(x + ε·sign(∇ₓ loss(model(x), y))).

    Every coordinate moves by exactly ε (or stays, where the gradient is 0) in the direction that raises the
    loss to first order, so ‖x_adv − x‖∞ ≤ ε. ``clip`` is the valid input range, ``(0, 1)`` for images
    (``None``: no clipping). ``loss_fn`` defaults to cross-entropy. Returns a detached tensor like ``x``; the
    model's gradients and train/eval mode are left as they were.
    """
    module("model", model)
    loss_fn = torch.nn.functional.cross_entropy if loss_fn is None else function("loss_fn", loss_fn)
    x, y = _data(model, x, y)
    eps = number("eps", eps, low=0)
    lo, hi = (None, None) if clip is None else interval("clip", clip)
    was_training = model.training
    model.eval()
    x_var = x.detach().clone().requires_grad_(True)
    try:
        loss = _evaluated("x and y", lambda: loss_fn(model(x_var), y))
        if not loss.requires_grad:
            raise ValueError("loss_fn must return a loss that depends on the model's output (no gradient reached x)")
        grad = torch.autograd.grad(loss, x_var)[0]
    finally:
        model.train(was_training)
    x_adv = x.detach() + eps * grad.sign()
    return x_adv if clip is None else x_adv.clamp(lo, hi)


# ------------------------------------------------------------------------------------------ training
def fit_classifier(
    x,
    y,
    x_test,
    y_test,
    hidden=(128, 128),
    epochs: int = 30,
    batch_size: int = 100,
    lr: float = 1e-3,
    seed: int = 0,
    init: dict | None = None,
    masks: dict | None = None,
    every: int = 1,
    optimizer: str = "adam",
) -> dict:
    """Train a ReLU MLP classifier with Adam (or plain SGD, ``optimizer="sgd"``) and cross-entropy; return the
    model and its learning curves.

    The network maps ``x.shape[1]`` inputs through the ``hidden`` widths to ``max(y) + 1`` classes, initialised
    with ``seed`` (or from ``init``, a parameter dict such as :func:`parameters` returns), with ``masks`` fixed
    by :func:`apply_masks`. Minibatches are shuffled with ``seed``. Every ``every`` epochs (and at epoch 0) it
    records ``train_accuracy``, ``test_accuracy`` and ``train_loss`` (on the whole training set). Returns
    ``{"model", "init", "epochs", "train_accuracy", "test_accuracy", "train_loss"}``, curves as numpy arrays.
    """
    x = tensor("x", x, 2, floating=True, empty=False)
    if x.device.type == "meta":
        raise ValueError("x is a tensor on the meta device, which holds no values")
    y = tensor("y", y, 1, finite=False, device=x.device)
    x_test = tensor("x_test", x_test, 2, floating=True, empty=False, device=x.device)
    y_test = tensor("y_test", y_test, 1, finite=False, device=x.device)
    if y.dtype != torch.int64 or y_test.dtype != torch.int64:
        raise ArgumentTypeError(f"y and y_test must be int64 class indices, got {y.dtype} and {y_test.dtype}")
    if len(y) != len(x) or len(y_test) != len(x_test):
        raise ValueError("x and y (and x_test and y_test) must hold one label per input")
    if x_test.shape[1] != x.shape[1]:
        raise ValueError(f"x_test must have {x.shape[1]} features like x, got {x_test.shape[1]}")
    hidden = sizes("hidden", hidden, min_length=0)
    epochs, batch_size = size("epochs", epochs, maximum=100_000), size("batch_size", batch_size)
    lr, seed, every = number("lr", lr, low=0, low_open=True), random_seed("seed", seed), size("every", every)
    n_classes = int(max(int(y.max()), int(y_test.max()))) + 1 if len(y) else 1
    if y.numel() and int(y.min()) < 0:
        raise ValueError("y must hold class indices >= 0")
    model = _nn.mlp([x.shape[1], *hidden, n_classes], seed=seed).to(device=x.device, dtype=x.dtype)
    if init is not None:
        model.load_state_dict(_param_dict("init", init, model))
    start = parameters(model)
    if masks is not None:
        apply_masks(model, masks)
    optimizer = choice("optimizer", optimizer, ("adam", "sgd"))
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(model.parameters(), lr=lr)
    curves = {"epochs": [], "train_accuracy": [], "test_accuracy": [], "train_loss": []}

    @torch.no_grad()
    def record(epoch, model):
        if epoch % every and epoch != epochs:
            return
        model.eval()
        out = model(x)
        curves["epochs"].append(epoch)
        curves["train_loss"].append(float(torch.nn.functional.cross_entropy(out, y)))
        curves["train_accuracy"].append(float((out.argmax(1) == y).float().mean()))
        curves["test_accuracy"].append(float((model(x_test).argmax(1) == y_test).float().mean()))
        model.train()

    # kan_edu.train.fit shuffles with a generator seeded by ``seed`` and calls record before the first epoch
    _train.fit(
        model,
        torch.nn.functional.cross_entropy,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=opt,
        seed=seed,
        callback=record,
    )
    model.eval()
    return {"model": model, "init": start, **{k: np.array(v) for k, v in curves.items()}}


def width_for_budget(depth: int, budget: int, n_in: int = 40, n_out: int = 10) -> int:
    """The width w of an MLP with ``depth`` hidden layers of w units whose parameter count (weights and biases,
    n_in → w → … → w → n_out) comes closest to ``budget``."""
    depth, budget = size("depth", depth), size("budget", budget)
    n_in, n_out = size("n_in", n_in), size("n_out", n_out)

    def count(w):
        return (n_in + 1) * w + (depth - 1) * (w + 1) * w + (w + 1) * n_out

    # count(w) = a·w² + b·w + n_out is increasing in w: solve for the budget, then take the nearer neighbour
    a, b = depth - 1, n_in + 1 + (depth - 1) + n_out
    root = (budget - n_out) / b if a == 0 else (-b + math.sqrt(b * b + 4 * a * (budget - n_out))) / (2 * a)
    lo = max(1, int(math.floor(root)))
    return min((lo, lo + 1), key=lambda w: (abs(count(w) - budget), w))


# ------------------------------------------------------------------------------------------ shipped sweeps
#: The lottery-ticket sweep whose results ship with the book (``experiments/part2_lottery.py``): an MLP on
#: MNIST-1D is trained, its weight matrices are pruned layer by layer by magnitude (one shot), and the
#: surviving weights are retrained from their original initial values (rewound) or from a new random
#: initialisation (reinitialised), with the same optimiser, epochs and data.
LOTTERY = {
    "n_train": 4000,
    "hidden": (128, 128),
    "epochs": 40,
    "batch_size": 100,
    "lr": 2e-3,
    "sparsities": (0.0, 0.5, 0.75, 0.875, 0.9375, 0.96875, 0.984375),
    "seeds": (0, 1, 2, 3, 4),
}
_LOTTERY_FILE = "data_files/part2_lottery.json"

#: Depth against width at a fixed parameter budget (``experiments/part2_depth_width.py``): MLPs with 1 to 8
#: hidden layers, each as wide as the budget allows, trained the same way on MNIST-1D.
DEPTH_WIDTH = {
    "n_train": 4000,
    "budget": 20000,
    "depths": (1, 2, 3, 4, 6, 8),
    "epochs": 40,
    "batch_size": 100,
    "lr": 1e-3,
    "seeds": (0, 1, 2, 3, 4),
}
_DEPTH_WIDTH_FILE = "data_files/part2_depth_width.json"


def _setup(defaults: dict, setup: dict) -> dict:
    unknown = set(setup) - set(defaults)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; choose from {sorted(defaults)}")
    cfg = {**defaults, **setup}
    for key in ("n_train", "epochs", "batch_size", "budget"):
        if key in cfg:
            cfg[key] = size(key, cfg[key])
    cfg["lr"] = number("lr", cfg["lr"], low=0, low_open=True)
    cfg["seeds"] = tuple(
        random_seed("seeds[]", s)
        for s in array("seeds", cfg["seeds"], 1, empty=False, low=0, integral=True).astype(int)
    )
    return cfg


def _mnist1d(n_train: int):
    from .data import mnist1d_data

    data = mnist1d_data()
    if n_train > len(data["train_input"]):
        raise ValueError(f"n_train must be at most {len(data['train_input'])}, got {n_train}")
    return data["train_input"][:n_train], data["train_label"][:n_train], data["test_input"], data["test_label"]


def run_lottery(**setup) -> dict:
    """Run the lottery-ticket sweep (:data:`LOTTERY`, overridden by ``setup``); JSON-ready results.

    For each seed: train the dense network from its initialisation θ₀; for each sparsity, prune the trained
    weights by magnitude, layer by layer, and retrain the ticket from θ₀ (``rewound``) and from a fresh
    initialisation (``reinit``, seed + 1000). Returns the setup and, per variant, the final test and train
    accuracy as lists of shape (seed, sparsity) (sparsity 0 is the dense network itself in both variants).
    """
    cfg = _setup(LOTTERY, setup)
    cfg["hidden"] = tuple(sizes("hidden", cfg["hidden"]))
    cfg["sparsities"] = tuple(float(s) for s in array("sparsities", cfg["sparsities"], 1, empty=False, low=0, high=1))
    x, y, xt, yt = _mnist1d(cfg["n_train"])
    train_kw = dict(hidden=cfg["hidden"], epochs=cfg["epochs"], batch_size=cfg["batch_size"], lr=cfg["lr"])
    results = {v: {"test_accuracy": [], "train_accuracy": []} for v in ("rewound", "reinit")}
    for seed in cfg["seeds"]:
        dense = fit_classifier(x, y, xt, yt, seed=seed, every=cfg["epochs"], **train_kw)
        trained = parameters(dense["model"])
        rows = {v: {"test_accuracy": [], "train_accuracy": []} for v in results}
        for s in cfg["sparsities"]:
            masks = magnitude_masks(trained, s)
            for variant in results:
                if s == 0:
                    run = dense
                elif variant == "rewound":
                    run = fit_classifier(
                        x, y, xt, yt, seed=seed, init=dense["init"], masks=masks, every=cfg["epochs"], **train_kw
                    )
                else:
                    run = fit_classifier(x, y, xt, yt, seed=seed + 1000, masks=masks, every=cfg["epochs"], **train_kw)
                rows[variant]["test_accuracy"].append(float(run["test_accuracy"][-1]))
                rows[variant]["train_accuracy"].append(float(run["train_accuracy"][-1]))
        for variant in results:
            for key in rows[variant]:
                results[variant][key].append(rows[variant][key])
    setup_out = {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()}
    return {"setup": setup_out, "variants": ["rewound", "reinit"], **results}


def _load(path: str) -> dict:
    return json.loads(files("kan_edu").joinpath(path).read_text(encoding="utf-8"))


def lottery_results() -> dict:
    """The shipped results of :func:`run_lottery` with the defaults; lists become numpy arrays
    (``sparsities``, and per variant ``test_accuracy``/``train_accuracy`` of shape (seed, sparsity))."""
    raw = _load(_LOTTERY_FILE)
    out = {
        "setup": raw["setup"],
        "sparsities": np.array(raw["setup"]["sparsities"]),
        "seeds": np.array(raw["setup"]["seeds"]),
    }
    for variant in raw["variants"]:
        out[variant] = {k: np.array(v) for k, v in raw[variant].items()}
    return out


def run_depth_width(**setup) -> dict:
    """Run the depth-against-width sweep (:data:`DEPTH_WIDTH`, overridden by ``setup``); JSON-ready results:
    the widths, parameter counts, and final test and train accuracy as lists of shape (seed, depth)."""
    cfg = _setup(DEPTH_WIDTH, setup)
    cfg["depths"] = tuple(int(d) for d in array("depths", cfg["depths"], 1, empty=False, low=1, integral=True))
    x, y, xt, yt = _mnist1d(cfg["n_train"])
    widths = [width_for_budget(d, cfg["budget"], x.shape[1], 10) for d in cfg["depths"]]
    test, train = [], []
    for seed in cfg["seeds"]:
        row_test, row_train = [], []
        for d, w in zip(cfg["depths"], widths):
            run = fit_classifier(
                x,
                y,
                xt,
                yt,
                hidden=(w,) * d,
                epochs=cfg["epochs"],
                batch_size=cfg["batch_size"],
                lr=cfg["lr"],
                seed=seed,
                every=cfg["epochs"],
            )
            row_test.append(float(run["test_accuracy"][-1]))
            row_train.append(float(run["train_accuracy"][-1]))
        test.append(row_test)
        train.append(row_train)
    n_params = [_nn.n_parameters(_nn.mlp([x.shape[1], *(w,) * d, 10])) for d, w in zip(cfg["depths"], widths)]
    setup_out = {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()}
    return {"setup": setup_out, "widths": widths, "n_params": n_params, "test_accuracy": test, "train_accuracy": train}


def depth_width_results() -> dict:
    """The shipped results of :func:`run_depth_width` with the defaults; lists become numpy arrays."""
    raw = _load(_DEPTH_WIDTH_FILE)
    return {
        "setup": raw["setup"],
        "depths": np.array(raw["setup"]["depths"]),
        "seeds": np.array(raw["setup"]["seeds"]),
        **{k: np.array(raw[k]) for k in ("widths", "n_params", "test_accuracy", "train_accuracy")},
    }
