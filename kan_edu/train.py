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

__all__ = ["seed_everything", "device_of", "fit", "accuracy", "evaluate"]


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, numpy and torch; return a torch.Generator seeded the same way for local use."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))
    return torch.Generator().manual_seed(int(seed))


def device_of(model: torch.nn.Module) -> torch.device:
    """The device of a model's parameters (CPU for a model without any)."""
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _check_data(x: torch.Tensor, y: torch.Tensor, name: str):
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"{name}: inputs and targets must be torch tensors")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{name}: {x.shape[0]} inputs but {y.shape[0]} targets")
    if x.is_floating_point() and not torch.isfinite(x).all():
        raise ValueError(f"{name}: the inputs contain NaN or inf")


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
    _check_data(x, y, "training data")
    if x_test is not None:
        _check_data(x_test, y_test, "test data")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    device = device_of(model)
    if x.device != device:
        raise ValueError(f"the model is on {device} but the data is on {x.device}: move one of them")
    gen = torch.Generator(device="cpu").manual_seed(seed)
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=lr)
    n = x.shape[0]
    bs = n if batch_size is None else int(batch_size)
    history = {"train_loss": [], "test_loss": [], "train_metric": [], "test_metric": []}
    for _ in tqdm(range(epochs), disable=not progress, desc="training"):
        model.train()
        order = torch.randperm(n, generator=gen).to(device)
        losses = []
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["train_loss"].append(float(np.mean(losses)))
        if metric is not None:
            history["train_metric"].append(metric(model, x, y))
        if x_test is not None:
            history["test_loss"].append(evaluate(model, loss_fn, x_test, y_test))
            if metric is not None:
                history["test_metric"].append(metric(model, x_test, y_test))
    return {k: np.array(v) for k, v in history.items() if v}


@torch.no_grad()
def evaluate(model: torch.nn.Module, loss_fn: Callable, x: torch.Tensor, y: torch.Tensor) -> float:
    """The loss on ``(x, y)`` in evaluation mode."""
    was_training = model.training
    model.eval()
    value = float(loss_fn(model(x), y))
    model.train(was_training)
    return value


@torch.no_grad()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of inputs whose largest output is the target class."""
    was_training = model.training
    model.eval()
    value = float((model(x).argmax(dim=1) == y).float().mean())
    model.train(was_training)
    return value
