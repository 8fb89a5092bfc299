"""kan_edu.kan.layer: one KAN layer, a learnable function on every edge, evaluated with one matmul.

φ_ij(x) = w_b,ij · b(x) + w_s,ij · Σ_m c_ijm B_m(x). The bases of every input are computed once
(:mod:`.features`) and, together with b(x), multiplied by ONE weight matrix that holds w_b and w_s·c for every
edge. No (batch, out, in) tensor is made in the forward pass; per-edge activations are computed only when
something needs them (plots, the regulariser, pruning scores). An edge can also be a formula c·f(a·x+b)+d from
the symbolic library (:mod:`.symbolic`). Grids move to the data (:meth:`KANLayer.update_grid`) and get finer
(:meth:`KANLayer.refined`) without changing the function where the data lies.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from torch import nn

from .._validate import choice, floating_dtype, interval, number, size, tensor, total_size
from .._validate import generator as _generator
from .features import BASE_FUNCTIONS, features
from .splines import _uniform_knots, _uniform_spacing
from .symbolic import SYMBOLIC_LIB

__all__ = ["KANLayer"]


class KANLayer(nn.Module):
    """One KAN layer: ``in_dim`` inputs, ``out_dim`` outputs, a learnable function on each of the in·out edges.

    φ_ij(x) = w_b,ij · b(x) + w_s,ij · Σ_m c_ijm B_m(x), with b = ``base_fn`` (silu by default). Every edge
    also has a ``mask`` entry (0 removes it) and may be replaced by a symbolic formula c·f(a·x+b)+d
    (see :meth:`KAN.fix_symbolic`). Parameters per layer: in·out·(G+k+2) (coefficients plus two scales).
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        grid: int = 5,
        k: int = 3,
        grid_range=(-1.0, 1.0),
        base_fn: str = "silu",
        noise_scale: float = 0.1,
        grid_eps: float = 0.02,
        generator: torch.Generator | None = None,
        dtype=torch.float32,
    ):
        super().__init__()
        self.in_dim, self.out_dim = size("in_dim", in_dim), size("out_dim", out_dim)
        self.grid, self.k = size("grid", grid), size("k", k, minimum=0)
        lo, hi = interval("grid_range", grid_range)
        self.base_fn = choice("base_fn", base_fn, sorted(BASE_FUNCTIONS))
        noise_scale = number("noise_scale", noise_scale, low=0)
        self.grid_eps = number("grid_eps", grid_eps, 0, 1)
        generator, dtype = _generator("generator", generator), floating_dtype("dtype", dtype)
        total_size("in_dim, out_dim, grid and k", self.in_dim * self.out_dim * (self.grid + self.k), "coefficients")
        g = generator or torch.Generator().manual_seed(0)
        n_basis = self.grid + self.k
        self.register_buffer("knots", _uniform_knots(self.grid, self.k, lo, hi, self.in_dim, dtype))
        noise = torch.rand(self.in_dim, self.out_dim, n_basis, generator=g, dtype=torch.float64) - 0.5
        self.coef = nn.Parameter((noise * noise_scale / self.grid).to(dtype))
        base = (torch.rand(self.in_dim, self.out_dim, generator=g, dtype=torch.float64) * 2 - 1) / math.sqrt(
            self.in_dim
        )
        self.scale_base = nn.Parameter(base.to(dtype))
        self.scale_spline = nn.Parameter(
            torch.full((self.in_dim, self.out_dim), 1 / math.sqrt(self.in_dim), dtype=dtype)
        )
        self.register_buffer("mask", torch.ones(self.in_dim, self.out_dim, dtype=dtype))
        # symbolic edges: sym_mask marks them, sym_params holds (a, b, c, d), sym_names the function names
        self.register_buffer("sym_mask", torch.zeros(self.in_dim, self.out_dim, dtype=dtype))
        self.sym_params = nn.Parameter(torch.zeros(self.in_dim, self.out_dim, 4, dtype=dtype))
        self.sym_names = [["0"] * self.out_dim for _ in range(self.in_dim)]
        self.slopes: torch.Tensor | None = None  # set during an additive warm start: the layer is then x @ slopes

    # -- the pieces ---------------------------------------------------------------------------------
    @property
    def n_basis(self) -> int:
        return self.knots.shape[1] - self.k - 1

    def _grid_facts(self):
        """(spacing, distinct) for the knots: spacing is (t0, h) when the grid is uniform (the fast path), else
        None; distinct says whether every row strictly increases. Measured again only when the knots change
        (another tensor, or the same one written in place)."""
        cache = getattr(self, "_grid_cache", None)
        if cache is None or cache[0] is not self.knots or cache[1] != self.knots._version:
            distinct = bool((self.knots[:, 1:] > self.knots[:, :-1]).all())
            cache = (self.knots, self.knots._version, (_uniform_spacing(self.knots), distinct))
            self._grid_cache = cache
        return cache[2]

    # Each public method checks its input ``x`` once and calls its unchecked twin (the same name with an
    # underscore), which the network uses on the values it computes itself.
    def _check_input(self, x, empty: bool = True) -> torch.Tensor:
        """``x`` (B, in_dim): a finite floating tensor on the layer's device."""
        shape = (None, self.in_dim)
        return tensor("x", x, 2, floating=True, device=self.coef.device, shape=shape, owner="the layer", empty=empty)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_dim, 1 + G + k): b(x) and the spline bases of every input (see :mod:`.features`)."""
        return self._features(self._check_input(x).to(self.coef.dtype))

    def _features(self, x):
        return features(x, BASE_FUNCTIONS[self.base_fn](x), self.knots, self.k, *self._grid_facts())

    def basis(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_dim, G+k) spline bases of every input, made from k+1 local values per input."""
        return self._basis(self._check_input(x).to(self.coef.dtype))

    def _basis(self, x):
        return features(x, torch.zeros_like(x), self.knots, self.k, *self._grid_facts())[..., 1:]

    def _numeric_mask(self):
        """mask · (1 − sym_mask): 1 on the numeric edges that are on, 0 elsewhere."""
        return self._masks()[0]

    def _masks(self):
        """(the numeric mask, whether any edge is symbolic, whether every edge is numeric and on), measured again
        only when ``mask`` or ``sym_mask`` change (pruning, fix_symbolic): the training loop does not pay for
        them at every evaluation."""
        mask, sym = self.mask, self.sym_mask
        c = getattr(self, "_masks_cache", None)
        if c is None or c[0] is not mask or c[1] != mask._version or c[2] is not sym or c[3] != sym._version:
            numeric = mask * (1 - sym)
            c = (mask, mask._version, sym, sym._version, (numeric, bool(sym.any()), bool((numeric == 1).all())))
            self._masks_cache = c
        return c[4]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_dim) → (B, out_dim) with one matmul for all numeric edges."""
        return self._forward(self._check_input(x).to(self.coef.dtype))

    def _forward(self, x):
        if self.slopes is not None:  # the linear stand-in of an additive warm start (see KAN.fit)
            return x @ (self.slopes * self.mask)
        # b(x) and the k+1 local bases of every input go into ONE (B, in, 1 + G + k) buffer
        y = self._combine(self._features(x))
        if self._masks()[1]:
            y = y + self._symbolic_part(x)
        return y

    def _combine(self, feats):
        """(B, out_dim): the numeric edges' sum from the features, as one matmul."""
        m, _, full = self._masks()
        base, spline = (self.scale_base, self.scale_spline) if full else (self.scale_base * m, self.scale_spline * m)
        weight = torch.cat([base.unsqueeze(-1), spline.unsqueeze(-1) * self.coef], dim=-1)  # (in, out, 1+nb)
        return feats.flatten(1) @ weight.permute(0, 2, 1).reshape(-1, self.out_dim)

    def _forward_and_activations(self, x):
        """:meth:`_forward` and :meth:`_edge_activations` with the features computed once, for a loss that needs
        both (training with the sparsity regulariser): the same numbers as calling the two."""
        if self.slopes is not None or self._masks()[1]:
            return self._forward(x), self._edge_activations(x)
        feats = self._features(x)
        return self._combine(feats), self._numeric_activations(feats)

    def _symbolic_part(self, x):
        y = torch.zeros(x.shape[0], self.out_dim, dtype=x.dtype, device=x.device)
        for i, j in self.sym_mask.nonzero().tolist():
            y[:, j] = y[:, j] + self._symbolic_edge(x[:, i], i, j) * self.mask[i, j]
        return y

    def _symbolic_edge(self, xi, i, j):
        a, b, c, d = self.sym_params[i, j]
        return c * SYMBOLIC_LIB[self.sym_names[i][j]].torch(a * xi + b) + d

    def edge_activations(self, x: torch.Tensor) -> torch.Tensor:
        """φ_ij(x_i) for every edge: shape (B, in_dim, out_dim). Made only when needed (plots, scores)."""
        return self._edge_activations(self._check_input(x).to(self.coef.dtype))

    def _edge_activations(self, x):
        numeric = self._numeric_activations(self._features(x))
        if self.sym_mask.any():
            numeric = numeric.clone()
            for i, j in self.sym_mask.nonzero().tolist():
                numeric[:, i, j] = self._symbolic_edge(x[:, i], i, j) * self.mask[i, j]
        return numeric

    def _numeric_activations(self, feats):
        """(B, in, out): every numeric edge's b(x)·w_b + spline(x)·w_s from the features (symbolic edges 0)."""
        spline = torch.einsum("bim,iom->bio", feats[..., 1:], self.coef)
        return (self.scale_base * feats[..., :1] + self.scale_spline * spline) * self._numeric_mask()

    def _spline(self, x):
        """The spline part Σ_m c_ijm B_m(x_i) for every edge, (B, in, out)."""
        return torch.einsum("bim,iom->bio", self._basis(x), self.coef)

    # -- grids ------------------------------------------------------------------------------------------
    @torch.no_grad()
    def _refit(self, x: torch.Tensor, target: torch.Tensor):
        """Least-squares spline coefficients, per input, that reproduce ``target`` (B, in, out) at ``x``."""
        A = self._basis(x).permute(1, 0, 2).to(torch.float64)  # (in, B, nb)
        Y = target.permute(1, 0, 2).to(torch.float64)  # (in, B, out)
        # a tiny ridge keeps bases that no sample touches at zero instead of undetermined
        ridge = 1e-10 * torch.eye(A.shape[-1], dtype=torch.float64, device=A.device)
        lhs = A.transpose(1, 2) @ A + ridge
        coef = torch.linalg.solve(lhs, A.transpose(1, 2) @ Y)  # (in, nb, out)
        self.coef.copy_(coef.permute(0, 2, 1).to(self.coef.dtype))

    @torch.no_grad()
    def update_grid(self, x: torch.Tensor, margin: float = 0.0):
        """Move the grid to where the samples ``x`` lie, keeping the function there.

        The new G+1 grid points mix the samples' quantiles (weight 1 − grid_eps) with a uniform grid over
        their range (weight grid_eps); the extension knots keep the uniform spacing. The coefficients are then
        re-fitted by least squares so that the splines agree with the old ones at the samples. ``margin``
        widens the uniform part of the grid by that much on each side of the samples.
        """
        self._update_grid(self._check_input(x, empty=False).to(self.coef.dtype), number("margin", margin, low=0))

    @torch.no_grad()
    def _update_grid(self, x, margin: float = 0.0):
        target = self._spline(x)
        xs = torch.sort(x, dim=0).values.to(torch.float64)
        n = xs.shape[0]
        idx = torch.linspace(0, n - 1, self.grid + 1, dtype=torch.float64).round().long()
        adaptive = xs[idx].t()  # (in, G+1) quantiles
        lo, hi = xs[0] - margin, xs[-1] + margin
        span = torch.where(hi - lo > 0, hi - lo, torch.ones_like(hi))
        uniform = lo[:, None] + span[:, None] * torch.linspace(0, 1, self.grid + 1, dtype=torch.float64)
        points = self.grid_eps * uniform + (1 - self.grid_eps) * adaptive
        points = torch.maximum(points, torch.cummax(points, dim=1).values)  # keep them ordered
        h = span[:, None] / self.grid
        ext = torch.arange(1, self.k + 1, dtype=torch.float64)
        knots = torch.cat([points[:, :1] - h * ext.flip(0), points, points[:, -1:] + h * ext], dim=1)
        if (knots[:, 1:] - knots[:, :-1] <= 0).any():  # repeated samples: fall back to the uniform grid
            knots = torch.cat([uniform[:, :1] - h * ext.flip(0), uniform, uniform[:, -1:] + h * ext], dim=1)
        self.knots.copy_(knots.to(self.knots.dtype))
        self._refit(x, target)

    @torch.no_grad()
    def refined(self, new_grid: int, x: torch.Tensor | None = None, samples_per_interval: int = 8) -> KANLayer:
        """A copy of this layer with ``new_grid`` intervals that computes the same function (grid extension).

        The new grid points interpolate the old ones (so an adapted grid stays adapted). When ``x``, the inputs
        the layer sees in training, is given, the new grid is stretched to cover them too: training can carry
        a layer's inputs past its grid, where the old function lives on the extension knots and would be lost
        by a finer grid, whose extension is narrower. The new coefficients are the least-squares fit of the old
        splines on dense samples over the new grid's range, together with ``x``.
        """
        new_grid = size("new_grid", new_grid)
        samples_per_interval = size("samples_per_interval", samples_per_interval)
        total_size("in_dim, out_dim and new_grid", self.in_dim * self.out_dim * (new_grid + self.k), "coefficients")
        n = samples_per_interval * (max(new_grid, self.grid) + self.k)
        total_size("samples_per_interval and new_grid", n * self.in_dim * (new_grid + self.k), "basis values")
        x = None if x is None else self._check_input(x, empty=False)
        new = copy.deepcopy(self)
        old_points = self.knots[:, self.k : self.k + self.grid + 1].to(torch.float64).cpu().numpy()
        pos = np.linspace(0, self.grid, new_grid + 1)
        points = np.stack([np.interp(pos, np.arange(self.grid + 1), row) for row in old_points])
        if x is not None:
            data = x.detach().to(torch.float64).cpu().numpy()
            lo, hi = points[:, :1], points[:, -1:]
            new_lo, new_hi = np.minimum(lo, data.min(0)[:, None]), np.maximum(hi, data.max(0)[:, None])
            points = new_lo + (points - lo) * (new_hi - new_lo) / (hi - lo)  # the same relative spacing
        h = (points[:, -1] - points[:, 0])[:, None] / new_grid
        ext = np.arange(1, self.k + 1)
        knots = np.concatenate([points[:, :1] - h * ext[::-1], points, points[:, -1:] + h * ext], axis=1)
        new.grid = int(new_grid)
        new.knots = torch.tensor(knots, dtype=self.knots.dtype, device=self.knots.device)
        new.coef = nn.Parameter(
            torch.zeros(self.in_dim, self.out_dim, new.grid + self.k, dtype=self.coef.dtype, device=self.coef.device)
        )
        t = torch.linspace(0, 1, n, dtype=torch.float64)
        lo, hi = torch.tensor(points[:, 0]), torch.tensor(points[:, -1])
        samples = (lo[None, :] + (hi - lo)[None, :] * t[:, None]).to(self.coef.dtype).to(self.coef.device)
        if x is not None:
            samples = torch.cat([samples, x.detach().to(samples.dtype)])
        new._refit(samples, self._spline(samples))
        return new
