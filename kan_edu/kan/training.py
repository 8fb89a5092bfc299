"""kan_edu.kan.training: fitting a KAN to data, with the paper's sparsity regulariser and grid updates.

Full-batch LBFGS (:mod:`kan_edu.lbfgs`, which keeps learning at tiny losses) or Adam; the loss is the mean
squared error plus λ·(μ₁ Σ|Φ|₁ + μ₂ Σ S(Φ)), the L1 of the edge scores and the entropy of their distribution.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from .._validate import (
    MAX_LR,
    array,
    choice,
    flag,
    function,
    mapping,
    non_negative,
    number,
    random_seed,
    same_length,
    size,
    tensor,
)
from ..lbfgs import LBFGS
from .features import BASE_FUNCTIONS

__all__ = ["TrainingMixin"]


#: The parts of a data set (see :func:`kan_edu.data.make_function_dataset`).
DATASET_KEYS = ("train_input", "train_label", "test_input", "test_label")


def _as_dataset(dataset, n_in: int) -> dict:
    """``dataset`` checked: a dict of finite 2-D tensors, inputs with ``n_in`` columns and as many rows as
    their labels."""
    data = mapping("dataset", dataset, DATASET_KEYS)
    for key in DATASET_KEYS:
        shape = (None, n_in) if key.endswith("input") else None
        data[key] = tensor(f"dataset[{key!r}]", data[key], 2, floating=key.endswith("input"), values=True, shape=shape)
    for part in ("train", "test"):
        same_length(
            f"dataset['{part}_input'] and dataset['{part}_label']", data[f"{part}_input"], data[f"{part}_label"]
        )
    return data


class TrainingMixin:
    """Training methods of :class:`KAN` (a mixin: the network itself is in :mod:`.network`)."""

    # -- the paper's regulariser --------------------------------------------------------------------
    def edge_scores(self, x: torch.Tensor | None = None) -> list[torch.Tensor]:
        """|φ_ij|₁ = mean over samples of |φ_ij(x_i)| for every edge of every layer: a list of (in, out)."""
        return self._edge_scores(self._samples(x))

    def _edge_scores(self, x):
        scores = []
        h = x.to(self.layers[0].coef.dtype)
        for l, layer in enumerate(self.layers):
            scores.append(layer._edge_activations(h).abs().mean(0))
            h = self._nodes(l, layer._forward(h))
        return scores

    def regularization(self, x: torch.Tensor, lamb_l1: float = 1.0, lamb_entropy: float = 2.0) -> torch.Tensor:
        """μ₁ Σ_layers |Φ|₁ + μ₂ Σ_layers S(Φ): the L1 of all edges plus the entropy of their distribution."""
        x = self._check_input(x, empty=False)
        return self._regularization(x, non_negative("lamb_l1", lamb_l1), non_negative("lamb_entropy", lamb_entropy))

    def _regularization(self, x, lamb_l1, lamb_entropy):
        return self._penalty(self._edge_scores(x), lamb_l1, lamb_entropy)

    def _forward_and_scores(self, x):
        """The output and every layer's edge scores from one pass (training with the regulariser needs both;
        computing each layer's features once instead of three times halves such a step)."""
        scores = []
        for l, layer in enumerate(self.layers):
            y, phi = layer._forward_and_activations(x)
            scores.append(phi.abs().mean(0))
            x = self._nodes(l, y)
        return x, scores

    def _penalty(self, edge_scores, lamb_l1, lamb_entropy):
        """μ₁ Σ|Φ|₁ + μ₂ Σ S(Φ) for the edge scores of every layer."""
        total = edge_scores[0].new_zeros(())
        for scores in edge_scores:
            l1 = scores.sum()
            p = scores / (l1 + 1e-12)
            entropy = -(p * torch.log(p + 1e-12)).sum()
            total = total + lamb_l1 * l1 + lamb_entropy * entropy
        return total

    def _samples(self, x=None):
        """``x`` checked, or when it is None the last training inputs (or, before any, the first grid)."""
        if x is not None:
            return self._check_input(x, empty=False)
        if self.samples is None:
            # without data, sample each input uniformly over its first-layer grid
            layer = self.layers[0]
            lo = layer.knots[:, layer.k]
            hi = layer.knots[:, layer.k + layer.grid]
            t = torch.linspace(0, 1, 201, dtype=lo.dtype, device=lo.device)[:, None]
            return lo + (hi - lo) * t
        return self.samples

    # -- training ------------------------------------------------------------------------------------
    def update_grid(self, x: torch.Tensor, n_layers: int | None = None):
        """Adapt every layer's grid (or the first ``n_layers``) to the inputs it sees for the batch ``x``."""
        x = self._check_input(x, empty=False)
        n_layers = None if n_layers is None else size("n_layers", n_layers, minimum=0, maximum=len(self.layers))
        self._update_grid(x, n_layers)

    @torch.no_grad()
    def _update_grid(self, x, n_layers=None):
        h = x.to(self.layers[0].coef.dtype)
        for l, layer in enumerate(self.layers[:n_layers]):
            layer._update_grid(h)
            h = self._nodes(l, layer._forward(h))

    def fit(
        self,
        dataset: dict,
        steps: int = 100,
        opt: str = "LBFGS",
        lr: float | None = None,
        lamb: float = 0.0,
        lamb_l1: float = 1.0,
        lamb_entropy: float = 2.0,
        update_grid: bool = True,
        grid_update_num: int = 10,
        stop_grid_update_step: int = 50,
        batch: int = -1,
        seed: int | None = None,
        progress: bool = True,
        loss_fn: Callable | str | None = None,
        warmup: int = 5,
    ) -> dict:
        """Train on ``dataset`` (train_input, train_label, test_input, test_label); return the history.

        ``opt`` is "LBFGS" (full batch, strong-Wolfe line search; lr 1 by default) or "Adam" (lr 1e-2).
        ``lamb`` > 0 adds the sparsity regulariser. With ``update_grid`` the grids are re-fitted to the
        training inputs every ``stop_grid_update_step // grid_update_num`` steps until step
        ``stop_grid_update_step``. ``batch`` > 0 trains on random minibatches of that size.

        ``loss_fn``: None for the mean squared error; "cross_entropy" for classification (labels hold class
        indices 0..C−1 in one column, the network has C outputs); or any callable ``loss_fn(pred, label)``
        returning a scalar tensor. The history holds per-step ``train_loss`` and ``test_loss``: root mean
        squared errors for the default loss, the loss itself otherwise (plus ``train_acc`` and ``test_acc``
        for cross-entropy, ``train_rmse`` and ``test_rmse`` for a callable when labels match the outputs), and
        ``reg``.

        ``warmup``: on a network that has never been trained, the first ``warmup`` steps are an *additive warm
        start* (see :meth:`_linearize`): every layer after the first is a plain linear map, so the first layer
        fits the best sum of one-variable functions, a problem without the spurious minima in which a random
        start can leave a network (edges of opposite signs feeding one node). 0 turns it off.
        """
        data = _as_dataset(dataset, self.n_in)
        opt = choice("opt", opt, ("LBFGS", "Adam"))
        steps, warmup = size("steps", steps), size("warmup", warmup, minimum=0)
        lr = None if lr is None else number("lr", lr, 0, MAX_LR, low_open=True)
        lamb, lamb_l1 = non_negative("lamb", lamb), non_negative("lamb_l1", lamb_l1)
        lamb_entropy = non_negative("lamb_entropy", lamb_entropy)
        update_grid, progress = flag("update_grid", update_grid), flag("progress", progress)
        grid_update_num = size("grid_update_num", grid_update_num)
        stop_grid_update_step = size("stop_grid_update_step", stop_grid_update_step, minimum=0)
        batch = size("batch", batch, minimum=-1)  # -1 (or 0): the full batch
        seed = self.seed if seed is None else random_seed("seed", seed, sequences=False)
        dtype, device = self.layers[0].coef.dtype, self.layers[0].coef.device
        x_train, y_train = data["train_input"].to(device, dtype), data["train_label"].to(device, dtype)
        x_test, y_test = data["test_input"].to(device, dtype), data["test_label"].to(device, dtype)
        loss, report = _losses(loss_fn, self.n_out, y_train)
        self.samples = x_train
        warm = (
            warmup if (self._fresh and len(self.layers) > 1 and not any(l.sym_mask.any() for l in self.layers)) else 0
        )
        warm = min(warm, steps - 1)  # (at least one step of the real network, so the history ends on it)

        def make_optimizer():
            params = [p for p in self._trainable()]
            if opt == "LBFGS":
                return LBFGS(params, lr=lr or 1.0, history_size=10)  # torch's stalls at tiny losses
            return torch.optim.Adam(params, lr=lr or 1e-2)

        if warm:
            self._linearize()
        optimizer = make_optimizer()
        g = torch.Generator().manual_seed(seed)
        freq = max(1, stop_grid_update_step // max(1, grid_update_num))
        history = {key: [] for key in ("train_loss", "test_loss", *report(None, None, None).keys(), "reg")}
        n = x_train.shape[0]
        bar = tqdm(range(steps), disable=not progress, desc="fit", leave=False)
        for step in bar:
            idx = torch.randperm(n, generator=g)[:batch].to(device) if 0 < batch < n else None
            xb, yb = (x_train, y_train) if idx is None else (x_train[idx], y_train[idx])
            if warm and step == warm:  # the warm start is over: back to splines, the same function on the data
                self._delinearize(x_train)
                optimizer = make_optimizer()
            if update_grid and step % freq == 0 and step < stop_grid_update_step:
                self._update_grid(xb, n_layers=1 if step < warm else None)
            stats = {}
            regularise = lamb > 0 and step >= warm

            def closure():
                optimizer.zero_grad()
                if regularise:
                    pred, scores = self._forward_and_scores(xb)
                    value, reg = loss(pred, yb), self._penalty(scores, lamb_l1, lamb_entropy)
                else:
                    value = loss(self._forward(xb), yb)
                    reg = value.new_zeros(())
                total = value + lamb * reg
                total.backward()
                stats["reg"] = reg.item()
                return total

            optimizer.step(closure)
            with torch.no_grad():
                pred_train, pred_test = self._forward(x_train), self._forward(x_test)
                train, test = float(loss(pred_train, y_train)), float(loss(pred_test, y_test))
            if not math.isfinite(train):
                raise FloatingPointError(f"training diverged at step {step} (loss is {train}); lower lr")
            if loss_fn is None:
                train, test = math.sqrt(train), math.sqrt(test)
            history["train_loss"].append(train)
            history["test_loss"].append(test)
            for key, v in report(pred_train, pred_test, (y_train, y_test)).items():
                history[key].append(v)
            history["reg"].append(stats.get("reg", 0.0))
            bar.set_postfix(train=f"{train:.2e}", test=f"{test:.2e}")
        self._fresh = False
        return {key: np.array(v) for key, v in history.items()}

    def _trainable(self):
        """The parameters the optimiser moves: those that require gradients, and the slopes of a warm start."""
        for layer in self.layers:
            if layer.slopes is not None:
                yield layer.slopes
            else:
                yield from (p for p in layer.parameters() if p.requires_grad)

    # -- the additive warm start ------------------------------------------------------------------------
    @torch.no_grad()
    def _linearize(self):
        """Make every layer after the first a linear map (one slope per edge, starting at its base scale).

        Then the network is Σ_j s_j Σ_i φ_ij(x_i) composed linearly: the first layer's edges learn the best
        additive model of the target, and the edges that feed one node agree in sign from the start. A random
        start with curved outer functions can instead settle where one input's edge has the wrong sign and
        the outer function folds to compensate (a [2,1,1] on exp(sin(πx) + y²) stalled near RMSE 0.57 for
        six seeds in ten that way).
        """
        for layer in self.layers[1:]:
            layer.slopes = layer.scale_base.detach().clone().requires_grad_(True)

    @torch.no_grad()
    def _delinearize(self, x: torch.Tensor):
        """Back from :meth:`_linearize`: each later layer's grid moves to its inputs, and its spline is fitted
        so that base plus spline equals the learned linear map there."""
        h = self._nodes(0, self.layers[0]._forward(x.to(self.layers[0].coef.dtype)))
        for l, layer in enumerate(self.layers[1:], start=1):
            slopes, layer.slopes = layer.slopes.detach(), None
            layer._update_grid(h)
            ws = torch.where(layer.scale_spline.abs() > 1e-12, layer.scale_spline, torch.ones_like(layer.scale_spline))
            layer.scale_spline.copy_(ws)
            lo, hi = layer.knots[:, layer.k], layer.knots[:, layer.k + layer.grid]
            t = torch.linspace(0, 1, 8 * (layer.grid + layer.k), dtype=h.dtype, device=h.device)[:, None]
            samples = torch.cat([lo + (hi - lo) * t, h])
            base = BASE_FUNCTIONS[layer.base_fn](samples).unsqueeze(-1) * layer.scale_base
            layer._refit(samples, (samples.unsqueeze(-1) * slopes - base) / ws)
            h = self._nodes(l, layer._forward(h))


def _losses(loss_fn, n_out: int, labels: torch.Tensor):
    """(loss(pred, label), report(pred_train, pred_test, labels) -> extra history entries) for ``loss_fn``."""
    if loss_fn is None:
        if labels.shape[1] != n_out:
            raise ValueError(
                f"dataset['train_label'] has {labels.shape[1]} columns but the network has {n_out} outputs "
                "(loss_fn=None is the mean squared error)"
            )
        return (lambda p, y: torch.mean((p - y) ** 2)), (lambda *a: {})
    if isinstance(loss_fn, str):
        choice("loss_fn", loss_fn, ("cross_entropy",))
        if n_out < 2:
            raise ValueError(
                f"loss_fn='cross_entropy' needs one output per class (at least 2), the network has {n_out}"
            )
        tensor("dataset['train_label']", labels, shape=(None, 1))  # one column of class indices
        array("dataset['train_label']", labels, integral=True, low=0, high=n_out - 1)

        def ce(p, y):
            return F.cross_entropy(p, y[:, 0].long())

        def accuracy(p_train, p_test, ys):
            if p_train is None:
                return {"train_acc": None, "test_acc": None}
            return {
                f"{part}_acc": float((p.argmax(1) == y[:, 0].long()).double().mean())
                for part, p, y in (("train", p_train, ys[0]), ("test", p_test, ys[1]))
            }

        return ce, accuracy
    function("loss_fn", loss_fn, "(None, 'cross_entropy' or loss_fn(pred, label) -> scalar tensor)")
    regression = labels.shape[1] == n_out

    def rmse(p_train, p_test, ys):
        if not regression:
            return {}
        if p_train is None:
            return {"train_rmse": None, "test_rmse": None}
        return {
            f"{part}_rmse": float(torch.sqrt(torch.mean((p - y) ** 2)))
            for part, p, y in (("train", p_train, ys[0]), ("test", p_test, ys[1]))
        }

    def checked(p, y):
        value = loss_fn(p, y)
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            raise TypeError("loss_fn must return a scalar tensor")
        return value.reshape(())

    return checked, rmse
