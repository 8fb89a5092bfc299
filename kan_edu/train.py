"""kan_edu.train: small, seeded training loops for the chapters.

Training in this book is short (seconds on a CPU), so the loop is plain and visible: shuffle with a local
generator, take a step per minibatch, record the losses. Progress bars use ``tqdm.auto`` (a widget in a
notebook, text elsewhere) and can be turned off. Everything runs on the device the model lives on.
"""

from __future__ import annotations

import random
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from ._validate import ArgumentTypeError, flag, function, number, random_seed, size, tensor

__all__ = ["seed_everything", "device_of", "fit", "accuracy", "evaluate"]


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, numpy and torch; return a torch.Generator seeded the same way for local use."""
    seed = random_seed("seed", seed, sequences=False)
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))
    return torch.Generator().manual_seed(int(seed))


def device_of(model: torch.nn.Module) -> torch.device:
    """The device of a model's parameters (CPU for a model without any)."""
    _module("model", model)
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _module(name: str, model) -> torch.nn.Module:
    if not isinstance(model, torch.nn.Module):
        raise ArgumentTypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    return model


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
) -> dict:
    """Train ``model`` on ``(x, y)`` with minibatches; return a history of per-epoch numbers.

    ``optimizer`` defaults to SGD with learning rate ``lr``; ``batch_size=None`` means full batch. The history
    holds ``train_loss`` (mean over the epoch's batches), and with test data ``test_loss``; ``metric(model, x, y)``
    (for example :func:`accuracy`) adds ``train_metric`` and ``test_metric``.
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
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise ArgumentTypeError(f"optimizer must be a torch.optim.Optimizer or None, got {type(optimizer).__name__}")
    lr, progress = number("lr", lr, low=0, low_open=True), flag("progress", progress)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=lr)
    n = x.shape[0]
    bs = n if batch_size is None else batch_size
    history = {"train_loss": [], "test_loss": [], "train_metric": [], "test_metric": []}
    for _ in tqdm(range(epochs), disable=not progress, desc="training"):
        model.train()
        order = torch.randperm(n, generator=gen).to(device)
        losses = []
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            optimizer.zero_grad()
            loss = loss_fn(_outputs(model, x[idx], "x"), y[idx])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["train_loss"].append(float(np.mean(losses)))
        if metric is not None:
            history["train_metric"].append(metric(model, x, y))
        if x_test is not None:
            history["test_loss"].append(_evaluate(model, loss_fn, x_test, y_test))
            if metric is not None:
                history["test_metric"].append(metric(model, x_test, y_test))
    return {k: np.array(v) for k, v in history.items() if v}


@torch.no_grad()
def evaluate(model: torch.nn.Module, loss_fn: Callable, x: torch.Tensor, y: torch.Tensor) -> float:
    """The loss on ``(x, y)`` in evaluation mode."""
    x, y = _check_data("x", x, "y", y, device_of(model))
    return _evaluate(model, function("loss_fn", loss_fn, "loss_fn(output, target) -> loss"), x, y)


@torch.no_grad()
def _evaluate(model, loss_fn, x, y) -> float:
    was_training = model.training
    model.eval()
    value = float(loss_fn(_outputs(model, x, "x"), y))
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
