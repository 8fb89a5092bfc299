"""kan_edu.train: small, seeded training loops for the chapters.

Training in this book is short (seconds on a CPU), so the loop is plain and visible: shuffle with a local
generator, take a step per minibatch, record the losses. Progress bars use ``tqdm.auto`` (a widget in a
notebook, text elsewhere) and can be turned off. Everything runs on the device the model lives on.

Two loops:

- :func:`fit` is plain supervised training (shuffle, minibatch, step). Its ``callback(epoch, model)`` runs once
  before training and after every epoch: pass one that stores :func:`snapshot` copies, and a figure trains once
  and lets a slider index the stored states.
- :func:`steps` is for training that is not a plain fit (GANs, flows, diffusion, reinforcement learning): the
  chapter writes one step, the loop seeds everything, repeats it, collects the numbers each step reports and
  records whatever the chapter asks for every few steps.
"""

from __future__ import annotations

import math
import random
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from ._validate import MAX_LR, flag, function, instance, module, number, random_seed, size, tensor

__all__ = ["seed_everything", "device_of", "snapshot", "fit", "steps", "accuracy", "evaluate"]


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, numpy and torch; return a torch.Generator seeded the same way for local use."""
    seed = random_seed("seed", seed, sequences=False)
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))
    return torch.Generator().manual_seed(int(seed))


def device_of(model: torch.nn.Module) -> torch.device:
    """The device of a model's parameters (CPU for a model without any)."""
    module("model", model)
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def snapshot(model: torch.nn.Module) -> dict:
    """A copy of ``model``'s state (parameters and buffers) that later training does not change.

    ``model.load_state_dict(state)`` puts it back; tensors are detached clones on the model's device.
    """
    return {k: v.detach().clone() for k, v in module("model", model).state_dict().items()}


def _check_data(x_name: str, x, y_name: str, y, device: torch.device):
    """Inputs and targets: tensors on the model's device, one target per input, finite inputs."""
    x = tensor(x_name, x, _BATCHES, device=device, empty=False)
    y = tensor(y_name, y, _BATCHES, device=device, finite=False)
    if y.shape[0] != x.shape[0]:
        raise ValueError(
            f"{x_name} and {y_name} must hold one target per input: {x.shape[0]} inputs but {y.shape[0]} targets"
        )
    return x, y


_BATCHES = (1, 2, 3, 4, 5)  # a batch of vectors, sequences or images: one example per row


def _outputs(model, x, name: str):
    """``model(x)``; a batch the model cannot take (wrong dtype or width) is a ValueError naming the data."""
    try:
        return model(x)
    except RuntimeError as err:
        raise ValueError(f"{name} does not fit the model ({x.dtype}, shape {tuple(x.shape)}): {err}") from err


def _loss(loss_fn, out, y, name: str):
    """``loss_fn(out, y)``; targets the loss cannot take (a float tensor for cross-entropy, say) are a ValueError
    naming them."""
    try:
        return loss_fn(out, y)
    except RuntimeError as err:
        raise ValueError(f"loss_fn cannot take {name} ({y.dtype}, shape {tuple(y.shape)}): {err}") from err


def fit(
    model: torch.nn.Module,
    loss_fn: Callable,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int = 10,
    batch_size: int | None = 64,
    optimizer: torch.optim.Optimizer | None = None,
    lr: float = 1e-2,
    x_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
    seed: int = 0,
    metric: Callable | None = None,
    progress: bool = False,
    callback: Callable | None = None,
) -> dict:
    """Train ``model`` on ``(x, y)`` with minibatches; return a history of per-epoch numbers.

    ``optimizer`` defaults to SGD with learning rate ``lr``; ``batch_size=None`` means full batch. The history
    holds ``train_loss`` (mean over the epoch's batches), and with test data ``test_loss``; ``metric(model, x, y)``
    (for example :func:`accuracy`) adds ``train_metric`` and ``test_metric``. ``callback(epoch, model)`` runs
    before the first epoch (epoch 0) and after each epoch ``1..epochs``, for example to keep snapshots made by :func:`snapshot`.
    """
    device = device_of(model)
    loss_fn = function("loss_fn", loss_fn, "loss_fn(output, target) -> loss")
    x, y = _check_data("x", x, "y", y, device)
    if (x_test is None) != (y_test is None):
        raise ValueError("give both x_test and y_test, or neither")
    if x_test is not None:
        x_test, y_test = _check_data("x_test", x_test, "y_test", y_test, device)
    epochs, seed = size("epochs", epochs), random_seed("seed", seed, sequences=False)
    batch_size = None if batch_size is None else size("batch_size", batch_size)
    if metric is not None:
        function("metric", metric, "metric(model, x, y) -> number")
        metric = _accuracy if metric is accuracy else metric  # the data is checked already
    if optimizer is not None:
        instance("optimizer", optimizer, torch.optim.Optimizer, "a torch.optim.Optimizer or None")
    lr, progress = number("lr", lr, 0, MAX_LR, low_open=True), flag("progress", progress)
    if callback is not None:
        function("callback", callback, "callback(epoch, model)")
    gen = torch.Generator(device="cpu").manual_seed(seed)
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=lr)
    n = x.shape[0]
    bs = n if batch_size is None else batch_size
    history = {"train_loss": [], "test_loss": [], "train_metric": [], "test_metric": []}
    if callback is not None:
        callback(0, model)
    for epoch in tqdm(range(1, epochs + 1), disable=not progress, desc="training"):
        model.train()
        order = torch.randperm(n, generator=gen).to(device)
        losses = []
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            optimizer.zero_grad()
            loss = _loss(loss_fn, _outputs(model, x[idx], "x"), y[idx], "y")
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["train_loss"].append(float(np.mean(losses)))
        if metric is not None:
            history["train_metric"].append(metric(model, x, y))
        if x_test is not None:
            history["test_loss"].append(_evaluate(model, loss_fn, x_test, y_test, "y_test"))
            if metric is not None:
                history["test_metric"].append(metric(model, x_test, y_test))
        if callback is not None:
            callback(epoch, model)
    return {k: np.array(v) for k, v in history.items() if v}


def steps(
    step_fn: Callable,
    n: int,
    *,
    record: Callable | None = None,
    every: int = 1,
    seed: int = 0,
    progress: bool = False,
    desc: str = "training",
) -> dict:
    """Seed everything, then call ``step_fn(i)`` for ``i = 0 .. n-1``; return what the steps reported.

    ``step_fn(i)`` does one step of any training (a GAN's two updates, a flow's likelihood step, an episode
    of reinforcement learning) and returns a dict of numbers, or None. The result holds one numpy array per
    name it reported (NaN at steps that did not report it). ``record(i)``, if given, runs before the first step
    (``i = 0``), after every ``every``-th step (``i = every, 2·every, ...``, counting steps done) and after the
    last; its return values are kept in order under ``"recorded"``, with ``"recorded_steps"``: pass a function
    that returns snapshots (:func:`snapshot`) or samples, and a figure's slider can index them.
    """
    step_fn = function("step_fn", step_fn, "step_fn(i) -> dict of numbers or None")
    n, every, seed = size("n", n), size("every", every), random_seed("seed", seed)
    if record is not None:
        function("record", record, "record(i) -> anything to keep")
    progress = flag("progress", progress)
    instance("desc", desc, str, "a string")
    seed_everything(seed)
    reported: dict[str, list] = {}
    recorded, recorded_steps = [], []

    def keep(done: int):
        recorded.append(record(done))
        recorded_steps.append(done)

    if record is not None:
        keep(0)
    for i in tqdm(range(n), disable=not progress, desc=desc):
        numbers = step_fn(i)
        if numbers is not None:
            if not isinstance(numbers, dict):
                raise TypeError(f"step_fn must return a dict of numbers or None, got {type(numbers).__name__}")
            for key, val in numbers.items():
                column = reported.setdefault(key, [math.nan] * i)
                column.append(float(val))
        for column in reported.values():
            column.extend([math.nan] * (i + 1 - len(column)))
        done = i + 1
        if record is not None and (done % every == 0 or done == n):
            keep(done)
    out = {key: np.array(column) for key, column in reported.items()}
    if record is not None:
        out["recorded"], out["recorded_steps"] = recorded, np.array(recorded_steps)
    return out


@torch.no_grad()
def evaluate(model: torch.nn.Module, loss_fn: Callable, x: torch.Tensor, y: torch.Tensor) -> float:
    """The loss on ``(x, y)`` in evaluation mode."""
    x, y = _check_data("x", x, "y", y, device_of(model))
    return _evaluate(model, function("loss_fn", loss_fn, "loss_fn(output, target) -> loss"), x, y)


@torch.no_grad()
def _evaluate(model, loss_fn, x, y, name: str = "y") -> float:
    was_training = model.training
    model.eval()
    value = float(_loss(loss_fn, _outputs(model, x, "x"), y, name))
    model.train(was_training)
    return value


@torch.no_grad()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of inputs whose largest output is the target class."""
    x, y = _check_data("x", x, "y", y, device_of(model))
    return _accuracy(model, x, y)


@torch.no_grad()
def _accuracy(model, x, y) -> float:
    was_training = model.training
    model.eval()
    value = float((_outputs(model, x, "x").argmax(dim=1) == y).float().mean())
    model.train(was_training)
    return value
