"""kan_edu.kan.network: the KAN itself, a stack of :class:`.layer.KANLayer`.

The class holds the structure (widths, grids, the last training inputs) and evaluation; its other methods come
from one module per idea: training (:mod:`.training`), pruning (:mod:`.pruning`), formulas (:mod:`.formulas`)
and plotting (:mod:`.plot`).
"""
from __future__ import annotations

import copy
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .formulas import FormulaMixin
from .layer import KANLayer
from .plot import PlotMixin
from .pruning import PruningMixin
from .training import TrainingMixin

__all__ = ["KAN"]


class KAN(TrainingMixin, PruningMixin, FormulaMixin, PlotMixin, nn.Module):
    """A Kolmogorov-Arnold network with layer widths ``width``, e.g. ``[2, 5, 1]``.

    ``grid`` intervals and spline order ``k`` on every edge, grids starting on ``grid_range``; ``seed`` makes
    the initialisation (and everything after it) reproducible. ``dtype=torch.float64`` for the high-accuracy
    experiments. Nothing is written to disk.
    """

    def __init__(self, width: Sequence[int], grid: int = 5, k: int = 3, seed: int = 0, grid_range=(-1.0, 1.0),
                 base_fn: str = "silu", noise_scale: float = 0.1, grid_eps: float = 0.02, dtype=torch.float32):
        super().__init__()
        width = list(width)
        if len(width) < 2 or not all(isinstance(w, (int, np.integer)) and w >= 1 for w in width):
            raise ValueError(f"width must list at least two positive integers, got {width!r}")
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        g = torch.Generator().manual_seed(self.seed)
        self.layers = nn.ModuleList(
            KANLayer(width[l], width[l + 1], grid, k, grid_range, base_fn, noise_scale, grid_eps, g, dtype)
            for l in range(len(width) - 1))
        self.samples: torch.Tensor | None = None  # the last training inputs, for scores and symbolic fits
        self._fresh = True  # never trained: the first fit starts with an additive warm start

    # -- shape and evaluation ---------------------------------------------------------------------
    @property
    def width(self) -> list[int]:
        return [self.layers[0].in_dim] + [layer.out_dim for layer in self.layers]

    @property
    def grid(self) -> int:
        return self.layers[0].grid

    @property
    def k(self) -> int:
        return self.layers[0].k

    def n_params(self) -> int:
        """Trainable numbers of the numeric edges: in·out·(G+k+2) per layer (coefficients and two scales)."""
        return sum(l.in_dim * l.out_dim * (l.n_basis + 2) for l in self.layers)

    def _check_input(self, x):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"input must be a torch tensor, got {type(x).__name__}")
        if x.ndim != 2 or x.shape[1] != self.width[0]:
            raise ValueError(f"input must have shape (batch, {self.width[0]}), got {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise ValueError("input contains NaN or inf")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input(x)
        return self._forward(x)

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        """The forward pass without the input check (for inputs checked once at the door, as in fit)."""
        for layer in self.layers:
            x = layer(x)
        return x

    def layer_inputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The input of every layer (and the output last) for a batch ``x``."""
        self._check_input(x)
        out = [x.to(self.layers[0].coef.dtype)]
        for layer in self.layers:
            out.append(layer(out[-1]))
        return out

    # -- grid extension ------------------------------------------------------------------------------
    def refine(self, new_grid: int) -> "KAN":
        """A new KAN with ``new_grid`` intervals per edge that starts as the same function (grid extension)."""
        new = copy.deepcopy(self)
        inputs = self.layer_inputs(self.samples)[:-1] if self.samples is not None else [None] * len(self.layers)
        new.layers = nn.ModuleList(layer.refined(new_grid, x) for layer, x in zip(self.layers, inputs))
        return new
