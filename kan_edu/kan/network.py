"""kan_edu.kan.network: the KAN itself, a stack of :class:`.layer.KANLayer`.

The class holds the structure (widths, grids, the last training inputs) and evaluation; its other methods come
from one module per idea: training (:mod:`.training`), pruning (:mod:`.pruning`), formulas (:mod:`.formulas`)
and plotting (:mod:`.plot`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import nn

from .._validate import random_seed, sequence, size, sizes, tensor, total_size
from . import storage
from .formulas import FormulaMixin
from .layer import KANLayer
from .plot import PlotMixin
from .pruning import PruningMixin
from .training import TrainingMixin

__all__ = ["KAN"]


def _parse_width(width) -> tuple[list[int], list[int]]:
    """(sum nodes, product nodes) per level from a width spec like [2, 5, 1] or [2, [3, 1], 1]."""
    width = sequence("width", width, 2, "levels (inputs, hidden levels, outputs) such as [2, 5, 1]")
    sums, mults = [], []
    for level, w in enumerate(width):
        if isinstance(w, (list, tuple)):  # [sum nodes, product nodes]
            if len(w) != 2:
                raise ValueError(f"width[{level}] must be a size or [sum nodes, product nodes], got {w!r:.60}")
            s, m = sizes(f"width[{level}]", w, minimum=0)
        else:
            s, m = size(f"width[{level}]", w), 0
        if s + m < 1:
            raise ValueError(f"width[{level}] must hold at least one node, got {w!r}")
        if m and level in (0, len(width) - 1):
            raise ValueError(f"width[{level}]: product nodes belong in hidden levels, not in the input or output")
        sums.append(s)
        mults.append(m)
    return sums, mults


class KAN(TrainingMixin, PruningMixin, FormulaMixin, PlotMixin, nn.Module):
    """A Kolmogorov-Arnold network with layer widths ``width``, e.g. ``[2, 5, 1]``.

    A hidden level may also hold product nodes (pykan's MultKAN): ``[2, [3, 1], 1]`` has 3 sum nodes and 1
    product node in the hidden level. A product node multiplies two sums of edges, so the layer before it
    has two outputs ("subnodes") for it: x·y is one product node, no detour through squares.

    ``grid`` intervals and spline order ``k`` on every edge; ``seed`` makes the initialisation (and everything
    after it) reproducible. The other keywords go to every :class:`.layer.KANLayer` as they are:
    ``grid_range`` (where the grids start, (-1, 1)), ``base_fn`` ("silu"), ``noise_scale`` (0.1),
    ``grid_eps`` (0.02) and ``dtype`` (``torch.float64`` for the high-accuracy experiments). Nothing is
    written to disk.
    """

    def __init__(self, width: Sequence[int], grid: int = 5, k: int = 3, seed: int = 0, **layer_options):
        super().__init__()
        sums, mults = _parse_width(width)
        nodes = [s + m for s, m in zip(sums, mults)]
        subnodes = [s + 2 * m for s, m in zip(sums, mults)]
        grid, k = size("grid", grid), size("k", k, minimum=0)
        total_size("width, grid and k", sum(a * b for a, b in zip(nodes, subnodes[1:])) * (grid + k), "coefficients")
        self.seed = random_seed("seed", seed, sequences=False)
        g = torch.Generator().manual_seed(self.seed)
        self.layers = nn.ModuleList(
            KANLayer(nodes[l], subnodes[l + 1], grid, k, generator=g, **layer_options) for l in range(len(nodes) - 1)
        )
        self.mult = mults  # product nodes per level (the last ones of their level)
        self.samples: torch.Tensor | None = None  # the last training inputs, for scores and symbolic fits
        self._fresh = True  # never trained: the first fit starts with an additive warm start
        self.input_ids = list(range(nodes[0]))  # which of the original inputs the network still reads

    # -- shape and evaluation ---------------------------------------------------------------------
    @property
    def width(self) -> list:
        """Nodes per level, e.g. [2, 5, 1]; a level with product nodes shows as [sum nodes, product nodes]."""
        nodes = [layer.in_dim for layer in self.layers] + [self.layers[-1].out_dim]
        return [n if m == 0 else [n - m, m] for n, m in zip(nodes, self.mult)]

    @property
    def n_in(self) -> int:
        return self.layers[0].in_dim

    @property
    def n_out(self) -> int:
        return self.layers[-1].out_dim

    def _nodes(self, l: int, y: torch.Tensor) -> torch.Tensor:
        """Node values of level l+1 from the outputs (subnodes) ``y`` of layer l: sum nodes pass, each product
        node multiplies its two subnodes."""
        m = self.mult[l + 1]
        if m == 0:
            return y
        s = y.shape[1] - 2 * m
        return torch.cat([y[:, :s], y[:, s::2] * y[:, s + 1 :: 2]], dim=1)

    @property
    def grid(self) -> int:
        return self.layers[0].grid

    @property
    def k(self) -> int:
        return self.layers[0].k

    # -- files ---------------------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the network to ``path``: weights, grids, pruned shape and symbolic edges (formulas by library
        name and constants). Read it back with :meth:`KAN.load`; nothing else is written."""
        storage.save(self, path)

    @classmethod
    def load(cls, path, map_location="cpu") -> KAN:
        """A network saved by :meth:`save`, read with ``torch.load(weights_only=True)`` (no pickled code)."""
        return storage.load(cls, path, map_location)

    def n_params(self) -> int:
        """Trainable numbers of the numeric edges: in·out·(G+k+2) per layer (coefficients and two scales)."""
        return sum(layer.in_dim * layer.out_dim * (layer.n_basis + 2) for layer in self.layers)

    def _check_input(self, x, name: str = "x", empty: bool = True) -> torch.Tensor:
        """``x`` (B, n_in): a finite floating tensor on the network's device (checked once, at the door)."""
        device = self.layers[0].coef.device
        return tensor(name, x, 2, floating=True, device=device, shape=(None, self.n_in), empty=empty)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, n_in) → (B, n_out)."""
        return self._forward(self._check_input(x))

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        """The forward pass without the input check (for inputs checked once at the door, as in fit)."""
        for l, layer in enumerate(self.layers):
            x = self._nodes(l, layer._forward(x))
        return x

    def layer_inputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The input of every layer (and the output last) for a batch ``x``: node values."""
        return self._levels(self._check_input(x))[0]

    def layer_outputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The output of every layer (its subnodes, before product nodes multiply them) for a batch ``x``."""
        return self._levels(self._check_input(x))[1]

    def _levels(self, x):
        inputs, outputs = [x.to(self.layers[0].coef.dtype)], []
        for l, layer in enumerate(self.layers):
            outputs.append(layer._forward(inputs[-1]))
            inputs.append(self._nodes(l, outputs[-1]))
        return inputs, outputs

    # -- grid extension ------------------------------------------------------------------------------
    def refine(self, new_grid: int) -> KAN:
        """A new KAN with ``new_grid`` intervals per edge that starts as the same function (grid extension)."""
        new_grid = size("new_grid", new_grid)
        new = copy.deepcopy(self)
        inputs = self._levels(self.samples)[0][:-1] if self.samples is not None else [None] * len(self.layers)
        new.layers = nn.ModuleList(layer.refined(new_grid, x) for layer, x in zip(self.layers, inputs))
        return new
