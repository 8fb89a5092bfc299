"""kan_edu.kan.training: fitting a KAN to data, with the paper's sparsity regulariser and grid updates.

Full-batch LBFGS (:mod:`kan_edu.lbfgs`, which keeps learning at tiny losses) or Adam; the loss is the mean
squared error plus λ·(μ₁ Σ|Φ|₁ + μ₂ Σ S(Φ)), the L1 of the edge scores and the entropy of their distribution.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from tqdm.auto import tqdm

from ..lbfgs import LBFGS

__all__ = ["TrainingMixin"]


def _as_dataset(dataset) -> dict:
    keys = ("train_input", "train_label", "test_input", "test_label")
    if not isinstance(dataset, dict) or any(k not in dataset for k in keys):
        raise ValueError(f"dataset must be a dict with keys {keys}")
    for key in keys:
        v = dataset[key]
        if not isinstance(v, torch.Tensor) or v.ndim != 2:
            raise ValueError(f"dataset[{key!r}] must be a 2-D tensor, got {getattr(v, 'shape', type(v))}")
        if not torch.isfinite(v).all():
            raise ValueError(f"dataset[{key!r}] contains NaN or inf")
    for part in ("train", "test"):
        if dataset[f"{part}_input"].shape[0] != dataset[f"{part}_label"].shape[0]:
            raise ValueError(f"{part}_input and {part}_label have different numbers of samples")
    return dataset


class TrainingMixin:
    """Training methods of :class:`KAN` (a mixin: the network itself is in :mod:`.network`)."""

    # -- the paper's regulariser --------------------------------------------------------------------
    def edge_scores(self, x: torch.Tensor | None = None) -> list[torch.Tensor]:
        """|φ_ij|₁ = mean over samples of |φ_ij(x_i)| for every edge of every layer: a list of (in, out)."""
        x = self._samples(x)
        scores = []
        h = x.to(self.layers[0].coef.dtype)
        for layer in self.layers:
            scores.append(layer.edge_activations(h).abs().mean(0))
            h = layer(h)
        return scores

    def regularization(self, x: torch.Tensor, lamb_l1: float = 1.0, lamb_entropy: float = 2.0) -> torch.Tensor:
        """μ₁ Σ_layers |Φ|₁ + μ₂ Σ_layers S(Φ): the L1 of all edges plus the entropy of their distribution."""
        total = x.new_zeros(()).to(self.layers[0].coef.dtype)
        for scores in self.edge_scores(x):
            l1 = scores.sum()
            p = scores / (l1 + 1e-12)
            entropy = -(p * torch.log(p + 1e-12)).sum()
            total = total + lamb_l1 * l1 + lamb_entropy * entropy
        return total

    def _samples(self, x=None):
        if x is not None:
            self._check_input(x)
            return x
        if self.samples is None:
            # without data, sample each input uniformly over its first-layer grid
            layer = self.layers[0]
            lo = layer.knots[:, layer.k]
            hi = layer.knots[:, layer.k + layer.grid]
            t = torch.linspace(0, 1, 201, dtype=lo.dtype, device=lo.device)[:, None]
            return lo + (hi - lo) * t
        return self.samples

    # -- training ------------------------------------------------------------------------------------
    def update_grid(self, x: torch.Tensor):
        """Adapt every layer's grid to the inputs it sees for the batch ``x``."""
        self._check_input(x)
        with torch.no_grad():
            h = x.to(self.layers[0].coef.dtype)
            for layer in self.layers:
                layer.update_grid(h)
                h = layer(h)

    def fit(self, dataset: dict, steps: int = 100, opt: str = "LBFGS", lr: float | None = None,
            lamb: float = 0.0, lamb_l1: float = 1.0, lamb_entropy: float = 2.0, update_grid: bool = True,
            grid_update_num: int = 10, stop_grid_update_step: int = 50, batch: int = -1, seed: int | None = None,
            progress: bool = True) -> dict:
        """Train on ``dataset`` (train_input, train_label, test_input, test_label); return the history.

        ``opt`` is "LBFGS" (full batch, strong-Wolfe line search; lr 1 by default) or "Adam" (lr 1e-2).
        ``lamb`` > 0 adds the sparsity regulariser. With ``update_grid`` the grids are re-fitted to the
        training inputs every ``stop_grid_update_step // grid_update_num`` steps until step
        ``stop_grid_update_step``. ``batch`` > 0 trains on random minibatches of that size. The history holds
        per-step ``train_loss`` and ``test_loss`` (root mean squared errors) and ``reg``.
        """
        data = _as_dataset(dataset)
        if opt not in ("LBFGS", "Adam"):
            raise ValueError(f"opt must be 'LBFGS' or 'Adam', got {opt!r}")
        if not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        dtype, device = self.layers[0].coef.dtype, self.layers[0].coef.device
        x_train, y_train = data["train_input"].to(device, dtype), data["train_label"].to(device, dtype)
        x_test, y_test = data["test_input"].to(device, dtype), data["test_label"].to(device, dtype)
        self._check_input(x_train)
        if y_train.shape[1] != self.width[-1]:
            raise ValueError(f"labels have {y_train.shape[1]} columns, the network has {self.width[-1]} outputs")
        self.samples = x_train
        params = [p for p in self.parameters() if p.requires_grad]
        if opt == "LBFGS":
            optimizer = LBFGS(params, lr=lr or 1.0, history_size=10)  # torch's stalls at tiny losses
        else:
            optimizer = torch.optim.Adam(params, lr=lr or 1e-2)
        g = torch.Generator().manual_seed(self.seed if seed is None else seed)
        freq = max(1, stop_grid_update_step // max(1, grid_update_num))
        history = {"train_loss": [], "test_loss": [], "reg": []}
        n = x_train.shape[0]
        bar = tqdm(range(steps), disable=not progress, desc="fit", leave=False)
        for step in bar:
            idx = torch.randperm(n, generator=g)[:batch].to(device) if 0 < batch < n else None
            xb, yb = (x_train, y_train) if idx is None else (x_train[idx], y_train[idx])
            if update_grid and step % freq == 0 and step < stop_grid_update_step:
                self.update_grid(xb)
            stats = {}

            def closure():
                optimizer.zero_grad()
                mse = torch.mean((self(xb) - yb) ** 2)
                reg = self.regularization(xb, lamb_l1, lamb_entropy) if lamb > 0 else mse.new_zeros(())
                loss = mse + lamb * reg
                loss.backward()
                stats["reg"] = reg.item()
                return loss

            optimizer.step(closure)
            with torch.no_grad():
                train = float(torch.sqrt(torch.mean((self(x_train) - y_train) ** 2)))
                test = float(torch.sqrt(torch.mean((self(x_test) - y_test) ** 2)))
            if not math.isfinite(train):
                raise FloatingPointError(f"training diverged at step {step} (loss is {train}); lower lr")
            history["train_loss"].append(train)
            history["test_loss"].append(test)
            history["reg"].append(stats.get("reg", 0.0))
            bar.set_postfix(train=f"{train:.2e}", test=f"{test:.2e}")
        return {key: np.array(v) for key, v in history.items()}
