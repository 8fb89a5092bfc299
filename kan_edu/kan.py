"""kan_edu.kan: Kolmogorov-Arnold networks, written to be read and to be fast.

A Kolmogorov-Arnold network (KAN, Liu et al. 2024, arXiv 2404.19756, bibtex ``liu2024kan``) puts a learnable
one-dimensional function on every *edge* and only sums at the nodes. Layer l maps n_l inputs to n_{l+1}
outputs by

    y_j = Σ_i φ_ij(x_i),        φ_ij(x) = w_b,ij · silu(x) + w_s,ij · Σ_m c_ijm B_m(x),

where the B_m are B-splines of order k on a grid of G intervals (extended by k knots on each side, so there
are G + k of them), c are the spline coefficients and w_b, w_s per-edge scales.

Reading order of this file:

1. **B-splines** (:func:`bspline_basis`): for any knot vector only k+1 bases are non-zero at a point, so we
   find each point's knot interval and compute just those k+1 values with the local triangular recursion,
   then scatter them into a dense basis. This one path serves uniform and non-uniform (adapted) grids; on a
   uniform grid the layer builds the same values faster, with a hand-written gradient (``_UniformFeatures``).
2. **The layer** (:class:`KANLayer`): the bases of every input are computed once and, together with
   silu(x), multiplied by ONE weight matrix that holds w_b and w_s·c for every edge. No (batch, out, in)
   tensor is made in the forward pass; per-edge activations are computed only when something needs them
   (plots, the regulariser, pruning scores).
3. **The network** (:class:`KAN`): training with LBFGS or Adam and the paper's sparsity regulariser, grid
   updates from samples, grid extension (:meth:`KAN.refine`), pruning, symbolic regression and plotting.
4. **Symbolic regression**: fit c·f(a·x + b) + d to an edge for f in a small library, rank candidates by
   fit and simplicity, fix edges to formulas, and read the whole network as sympy expressions.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import sympy
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from .lbfgs import LBFGS

__all__ = [
    "bspline_basis",
    "uniform_knots",
    "KANLayer",
    "KAN",
    "SYMBOLIC_LIB",
    "fit_affine",
    "tidy",
]


# ====================================================================================== 1. B-splines
def uniform_knots(grid: int, k: int, grid_range=(-1.0, 1.0), n: int = 1, dtype=torch.float32) -> torch.Tensor:
    """Extended knot vectors for ``n`` inputs: G+1 evenly spaced points on ``grid_range``, plus k more on
    each side with the same spacing. Shape (n, G + 1 + 2k)."""
    lo, hi = float(grid_range[0]), float(grid_range[1])
    h = (hi - lo) / grid
    knots = lo + h * torch.arange(-k, grid + k + 1, dtype=torch.float64)
    return knots.to(dtype).expand(n, -1).contiguous()


def _local_bases(x: torch.Tensor, knots: torch.Tensor, k: int):
    """The k+1 B-splines that are non-zero at each x, and where they go.

    ``x`` (N, d), ``knots`` (d, M). Returns ``values`` (N, d, k+1) and ``index`` (N, d, k+1): values[..., r]
    is basis number index[..., r] (in 0..M-k-2). Entries that fall outside the basis range, or inputs outside
    [t_0, t_{M-1}], get value 0 (their index is clamped to a valid one).

    The recursion is the classic triangular scheme: in the knot interval [t_j, t_{j+1}) start from the single
    order-0 basis (equal to one) and raise the order k times; each step splits every basis between its two
    neighbours with weights linear in x. It is exact and differentiable in x.
    """
    N, d = x.shape
    M = knots.shape[1]
    n_basis = M - k - 1
    xt = x.t().contiguous()  # (d, N): searchsorted works row by row
    j = torch.searchsorted(knots, xt, right=True) - 1  # interval index, t_j <= x < t_{j+1}
    # the right end of the basis range belongs to the last interval (as in scipy's design_matrix)
    j = torch.where(xt == knots[:, n_basis:n_basis + 1], torch.full_like(j, n_basis - 1), j)
    inside = (j >= 0) & (j <= M - 2)
    j = j.clamp(0, M - 2)

    def knot(offset):  # t_{j+offset}, clamped into the knot vector, shape (d, N)
        return torch.gather(knots, 1, (j + offset).clamp(0, M - 1))

    left = [None] + [xt - knot(1 - r) for r in range(1, k + 1)]   # x - t_{j+1-r}
    right = [None] + [knot(r) - xt for r in range(1, k + 1)]      # t_{j+r} - x
    values = [torch.ones_like(xt)]
    for p in range(1, k + 1):
        saved = torch.zeros_like(xt)
        new = []
        for r in range(p):
            denom = right[r + 1] + left[p - r]
            temp = values[r] / torch.where(denom == 0, torch.ones_like(denom), denom)
            new.append(saved + right[r + 1] * temp)
            saved = left[p - r] * temp
        new.append(saved)
        values = new
    vals = torch.stack(values, dim=-1)  # (d, N, k+1): bases j-k .. j
    index = j.unsqueeze(-1) - k + torch.arange(k + 1, device=x.device)
    valid = inside.unsqueeze(-1) & (index >= 0) & (index < n_basis)
    vals = torch.where(valid, vals, torch.zeros_like(vals))
    index = index.clamp(0, n_basis - 1)
    return vals.permute(1, 0, 2), index.permute(1, 0, 2)


def _local_bases_uniform(x: torch.Tensor, t0: torch.Tensor, h: torch.Tensor, n_knots: int, k: int):
    """The fast path of :func:`_local_bases` for uniform knots t_m = t0 + m·h (same output).

    On a uniform grid every knot difference in the recursion is a multiple of h, which cancels: with
    u = (x − t0)/h, interval j = ⌊u⌋ and fraction f = u − j, the left and right distances are f + r − 1 and r − f.
    No search, no gathers: a few element-wise operations on (N, d) tensors.
    """
    u = (x - t0) / h
    j_float = torch.floor(u)
    f = u - j_float
    j = j_float.long()
    n_basis = n_knots - k - 1
    at_end = u == n_basis  # x is exactly the right end of the basis range: the last interval, as scipy
    j = torch.where(at_end, torch.full_like(j, n_basis - 1), j)
    f = torch.where(at_end, torch.ones_like(f), f)
    inside = (j >= 0) & (j <= n_knots - 2)
    values = [torch.ones_like(f)]
    for p in range(1, k + 1):
        saved = torch.zeros_like(f)
        new = []
        for r in range(p):
            right, left = (r + 1) - f, f + (p - r) - 1
            temp = values[r] / p  # right + left = p on a uniform grid
            new.append(saved + right * temp)
            saved = left * temp
        new.append(saved)
        values = new
    vals = torch.stack(values, dim=-1)
    index = j.unsqueeze(-1) - k + torch.arange(k + 1, device=x.device)
    valid = inside.unsqueeze(-1) & (index >= 0) & (index < n_basis)
    return torch.where(valid, vals, torch.zeros_like(vals)), index.clamp(0, n_basis - 1)


def _uniform_spacing(knots: torch.Tensor):
    """(t0, h) of each row as (1, d) tensors when every row of ``knots`` is evenly spaced, else None.

    Knots stored in float32 carry rounding errors of about eps·|t| each, which on a fine grid exceed 1e-6·h;
    a grid that is even up to that rounding counts as even, with its spacing taken from its two ends.
    """
    diffs = knots[:, 1:] - knots[:, :-1]
    h = diffs[:, :1]
    if not torch.all(h > 0):
        return None
    if torch.all((diffs - h).abs() <= 1e-6 * h.abs()):
        return knots[:, 0][None, :], h[:, 0][None, :]
    mean = (knots[:, -1:] - knots[:, :1]) / diffs.shape[1]
    rounding = 4 * torch.finfo(knots.dtype).eps * knots.abs().amax(dim=1, keepdim=True)
    if torch.all((diffs - mean).abs() <= 1e-6 * mean + rounding):
        return knots[:, 0][None, :], mean[:, 0][None, :]
    return None


def _check_knots(knots: torch.Tensor, k: int):
    if not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"the spline order k must be an integer >= 0, got {k!r}")
    if knots.shape[-1] < k + 2:
        raise ValueError(f"{knots.shape[-1]} knots are too few for order {k}: need at least k + 2 = {k + 2}")
    if not torch.isfinite(knots).all():
        raise ValueError("knots contain NaN or inf")
    if (knots[..., 1:] < knots[..., :-1]).any():
        raise ValueError("knots must be non-decreasing")


def bspline_basis(x, knots, k: int) -> torch.Tensor:
    """B-spline basis functions of order ``k`` (degree k) for an extended knot vector.

    ``x`` of shape (N,) with a 1-D knot vector of length M gives (N, M-k-1); ``x`` of shape (N, d) with knots
    (d, M) gives (N, d, M-k-1). On [t_k, t_{M-k-1}] this equals scipy's
    ``BSpline.design_matrix(x, knots, k)``; outside [t_0, t_{M-1}] every basis is 0.
    """
    x = torch.as_tensor(x)
    knots = torch.as_tensor(knots, dtype=x.dtype if x.is_floating_point() else torch.float64)
    if not x.is_floating_point():
        x = x.to(knots.dtype)
    one_d = x.ndim == 1
    if one_d:
        if knots.ndim != 1:
            raise ValueError(f"for x of shape (N,) the knots must be 1-D, got shape {tuple(knots.shape)}")
        x, knots = x[:, None], knots[None, :]
    elif x.ndim != 2 or knots.ndim != 2 or knots.shape[0] != x.shape[1]:
        raise ValueError(f"x (N, d) needs knots (d, M); got x {tuple(x.shape)} and knots {tuple(knots.shape)}")
    _check_knots(knots, k)
    if torch.isnan(x).any():
        raise ValueError("x contains NaN")
    vals, index = _local_bases(x, knots.contiguous(), k)
    n_basis = knots.shape[1] - k - 1
    out = torch.zeros(*x.shape, n_basis, dtype=x.dtype, device=x.device)
    out = out.scatter_add(-1, index, vals)
    return out[:, 0, :] if one_d else out


# =================================================================================== 2. the layer
class _UniformFeatures(torch.autograd.Function):
    """The layer's feature buffer on a uniform grid, [b(x), B_0(x), ..., B_{G+k-1}(x)] per input, made fast.

    The values are exactly those of :func:`_local_bases_uniform` (the same operations in the same order), but
    computed in a few reused buffers instead of dozens of fresh temporaries, and written straight into the
    (N, d, 1 + G + k) buffer. Autograd does not record the recursion; the backward pass uses the derivative of a
    B-spline on a uniform grid, B'_{i,k}(x) = (B_{i,k-1}(x) − B_{i+1,k-1}(x)) / h, from the order k−1 values
    kept from the forward pass. ``base`` is b(x), computed (and differentiated) by autograd outside.
    """

    @staticmethod
    def forward(ctx, x, base, t0, h, n_knots: int, k: int):
        n_basis = n_knots - k - 1
        u = (x - t0) / h
        j_float = torch.floor(u)
        f = u - j_float
        j = j_float.long()
        at_end = u == n_basis  # the right end of the basis range belongs to the last interval
        j.masked_fill_(at_end, n_basis - 1)
        f.masked_fill_(at_end, 1.0)
        inside = (j >= 0) & (j <= n_knots - 2)
        # the triangular recursion of _local_bases_uniform, in place: right_r = (r+1) − f, left_q = (f + q) − 1
        right = [torch.rsub(f, r + 1) for r in range(k)]
        left = [None] + [torch.add(f, q).sub_(1) for q in range(1, k + 1)]
        columns = x.new_empty(k + 2, *x.shape)  # b(x), then the k+1 local bases
        columns[0] = base
        values = columns[1:]
        values[0] = 1
        saved, temp = torch.empty_like(f), torch.empty_like(f)
        lower = None
        for p in range(1, k + 1):
            if p == k and ctx.needs_input_grad[0]:
                lower = values[:k].clone()  # order k−1 values, for the derivative
            saved.zero_()
            for r in range(p):
                torch.div(values[r], p, out=temp)
                torch.mul(right[r], temp, out=values[r])
                values[r].add_(saved)
                torch.mul(left[p - r], temp, out=saved)
            values[p].copy_(saved)
        # where each column goes: b(x) to slot 0, basis j−k+r to slot 1+j−k+r (zeroed when out of range)
        slots = torch.empty(k + 2, *x.shape, dtype=torch.long, device=x.device)
        slots[0] = 0
        torch.add(j, torch.arange(-k, 1, device=x.device).view(-1, 1, 1), out=slots[1:])
        valid = inside & (slots[1:] >= 0) & (slots[1:] < n_basis)
        values.masked_fill_(~valid, 0)
        slots[1:].clamp_(0, n_basis - 1).add_(1)
        features = x.new_zeros(*x.shape, 1 + n_basis)
        features.scatter_add_(-1, slots.permute(1, 2, 0), columns.permute(1, 2, 0))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(slots[1:], valid, lower if lower is not None else values[:0], h, at_end)
            ctx.k = k
        return features

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        grad_base = grad[..., 0] if ctx.needs_input_grad[1] else None
        grad_x = None
        if ctx.needs_input_grad[0]:
            slots, valid, lower, h, at_end = ctx.saved_tensors
            k = ctx.k
            # d B_{j−k+r} / du = lower_{r−1} − lower_r for r = 0..k, with lower_{−1} = lower_k = 0
            padded = lower.new_zeros(k + 2, *at_end.shape)
            padded[1:k + 1] = lower
            slope = torch.sub(padded[:-1], padded[1:]).masked_fill_(~valid, 0)  # (k+1, N, d)
            upstream = torch.gather(grad, -1, slots.permute(1, 2, 0))  # (N, d, k+1): gradient at each basis
            grad_x = torch.einsum("ndr,rnd->nd", upstream, slope).div_(h).masked_fill_(at_end, 0)
        return grad_x, grad_base, None, None, None, None


BASE_FUNCTIONS = {"silu": F.silu, "identity": lambda x: x, "zero": torch.zeros_like, "tanh": torch.tanh}


class KANLayer(nn.Module):
    """One KAN layer: ``in_dim`` inputs, ``out_dim`` outputs, a learnable function on each of the in·out edges.

    φ_ij(x) = w_b,ij · b(x) + w_s,ij · Σ_m c_ijm B_m(x), with b = ``base_fn`` (silu by default). Every edge
    also has a ``mask`` entry (0 removes it) and may be replaced by a symbolic formula c·f(a·x+b)+d
    (see :meth:`KAN.fix_symbolic`). Parameters per layer: in·out·(G+k+2) (coefficients plus two scales).
    """

    def __init__(self, in_dim: int, out_dim: int, grid: int = 5, k: int = 3, grid_range=(-1.0, 1.0),
                 base_fn: str = "silu", noise_scale: float = 0.1, grid_eps: float = 0.02,
                 generator: torch.Generator | None = None, dtype=torch.float32):
        super().__init__()
        for name, v in (("in_dim", in_dim), ("out_dim", out_dim)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if not isinstance(grid, (int, np.integer)) or grid < 1:
            raise ValueError(f"grid must be an integer >= 1, got {grid!r}")
        if not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"the spline order k must be an integer >= 0, got {k!r}")
        lo, hi = grid_range
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"grid_range must be (lo, hi) with lo < hi, got {grid_range!r}")
        if base_fn not in BASE_FUNCTIONS:
            raise ValueError(f"unknown base_fn {base_fn!r}; choose one of {sorted(BASE_FUNCTIONS)}")
        if not 0 <= grid_eps <= 1:
            raise ValueError(f"grid_eps must lie in [0, 1], got {grid_eps}")
        self.in_dim, self.out_dim, self.grid, self.k = int(in_dim), int(out_dim), int(grid), int(k)
        self.base_fn, self.grid_eps = base_fn, float(grid_eps)
        g = generator or torch.Generator().manual_seed(0)
        n_basis = self.grid + self.k
        self.register_buffer("knots", uniform_knots(self.grid, self.k, grid_range, self.in_dim, dtype))
        noise = (torch.rand(self.in_dim, self.out_dim, n_basis, generator=g, dtype=torch.float64) - 0.5)
        self.coef = nn.Parameter((noise * noise_scale / self.grid).to(dtype))
        base = (torch.rand(self.in_dim, self.out_dim, generator=g, dtype=torch.float64) * 2 - 1) / math.sqrt(in_dim)
        self.scale_base = nn.Parameter(base.to(dtype))
        self.scale_spline = nn.Parameter(torch.full((self.in_dim, self.out_dim), 1 / math.sqrt(in_dim), dtype=dtype))
        self.register_buffer("mask", torch.ones(self.in_dim, self.out_dim, dtype=dtype))
        # symbolic edges: sym_mask marks them, sym_params holds (a, b, c, d), sym_names the function names
        self.register_buffer("sym_mask", torch.zeros(self.in_dim, self.out_dim, dtype=dtype))
        self.sym_params = nn.Parameter(torch.zeros(self.in_dim, self.out_dim, 4, dtype=dtype))
        self.sym_names = [["0"] * self.out_dim for _ in range(self.in_dim)]

    # -- the pieces ---------------------------------------------------------------------------------
    @property
    def n_basis(self) -> int:
        return self.knots.shape[1] - self.k - 1

    def _local(self, x: torch.Tensor):
        """The k+1 non-zero bases per input and their indices; the closed form when the grid is uniform."""
        spacing = _uniform_spacing(self.knots)
        if spacing is not None:
            return _local_bases_uniform(x, spacing[0], spacing[1], self.knots.shape[1], self.k)
        return _local_bases(x, self.knots, self.k)

    def basis(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_dim, G+k) spline bases of every input, made from k+1 local values per input."""
        vals, index = self._local(x)
        out = torch.zeros(x.shape[0], self.in_dim, self.n_basis, dtype=x.dtype, device=x.device)
        return out.scatter_add(-1, index, vals)

    def _numeric_mask(self):
        return self.mask * (1 - self.sym_mask)

    def _check_input(self, x: torch.Tensor):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"input must be a torch tensor, got {type(x).__name__}")
        if x.ndim != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"input must have shape (batch, {self.in_dim}), got {tuple(x.shape)}")
        if x.device != self.coef.device:
            raise ValueError(f"input is on {x.device} but the layer is on {self.coef.device}: move one of them")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_dim) → (B, out_dim) with one matmul for all numeric edges."""
        self._check_input(x)
        x = x.to(self.coef.dtype)
        m = self._numeric_mask()
        # b(x) and the k+1 local bases of every input go into ONE (B, in, 1 + G + k) buffer
        base_fn = BASE_FUNCTIONS[self.base_fn]
        spacing = _uniform_spacing(self.knots)
        if spacing is not None:
            features = _UniformFeatures.apply(x, base_fn(x), spacing[0], spacing[1], self.knots.shape[1], self.k)
        else:  # (b(x) is made after the bases: autograd then sums the two gradients for x in a fixed order)
            vals, index = _local_bases(x, self.knots, self.k)
            vals = torch.cat([base_fn(x).unsqueeze(-1), vals], dim=-1)
            index = torch.cat([torch.zeros_like(index[..., :1]), index + 1], dim=-1)
            features = torch.zeros(x.shape[0], self.in_dim, 1 + self.n_basis, dtype=x.dtype, device=x.device)
            features = features.scatter_add(-1, index, vals)
        weight = torch.cat([(self.scale_base * m).unsqueeze(-1),
                            (self.scale_spline * m).unsqueeze(-1) * self.coef], dim=-1)  # (in, out, 1+nb)
        y = features.reshape(x.shape[0], -1) @ weight.permute(0, 2, 1).reshape(-1, self.out_dim)
        if self.sym_mask.any():
            y = y + self._symbolic_part(x)
        return y

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
        self._check_input(x)
        x = x.to(self.coef.dtype)
        spline = torch.einsum("bim,iom->bio", self.basis(x), self.coef)
        base = BASE_FUNCTIONS[self.base_fn](x).unsqueeze(-1)
        numeric = (self.scale_base * base + self.scale_spline * spline) * self._numeric_mask()
        if self.sym_mask.any():
            numeric = numeric.clone()
            for i, j in self.sym_mask.nonzero().tolist():
                numeric[:, i, j] = self._symbolic_edge(x[:, i], i, j) * self.mask[i, j]
        return numeric

    def _spline(self, x):
        """The spline part Σ_m c_ijm B_m(x_i) for every edge, (B, in, out)."""
        return torch.einsum("bim,iom->bio", self.basis(x), self.coef)

    # -- grids ------------------------------------------------------------------------------------------
    @torch.no_grad()
    def _refit(self, x: torch.Tensor, target: torch.Tensor):
        """Least-squares spline coefficients, per input, that reproduce ``target`` (B, in, out) at ``x``."""
        A = self.basis(x).permute(1, 0, 2).to(torch.float64)  # (in, B, nb)
        Y = target.permute(1, 0, 2).to(torch.float64)        # (in, B, out)
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
        re-fitted by least squares so that the splines agree with the old ones at the samples.
        """
        self._check_input(x)
        x = x.to(self.coef.dtype)
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
    def refined(self, new_grid: int, x: torch.Tensor | None = None, samples_per_interval: int = 8) -> "KANLayer":
        """A copy of this layer with ``new_grid`` intervals that computes the same function (grid extension).

        The new grid points interpolate the old ones (so an adapted grid stays adapted). When ``x``, the inputs
        the layer sees in training, is given, the new grid is stretched to cover them too: training can carry
        a layer's inputs past its grid, where the old function lives on the extension knots and would be lost
        by a finer grid, whose extension is narrower. The new coefficients are the least-squares fit of the old
        splines on dense samples over the new grid's range, together with ``x``.
        """
        if not isinstance(new_grid, (int, np.integer)) or new_grid < 1:
            raise ValueError(f"new_grid must be an integer >= 1, got {new_grid!r}")
        new = copy.deepcopy(self)
        old_points = self.knots[:, self.k:self.k + self.grid + 1].to(torch.float64).cpu().numpy()
        pos = np.linspace(0, self.grid, new_grid + 1)
        points = np.stack([np.interp(pos, np.arange(self.grid + 1), row) for row in old_points])
        if x is not None:
            self._check_input(x)
            data = x.detach().to(torch.float64).cpu().numpy()
            lo, hi = points[:, :1], points[:, -1:]
            new_lo, new_hi = np.minimum(lo, data.min(0)[:, None]), np.maximum(hi, data.max(0)[:, None])
            points = new_lo + (points - lo) * (new_hi - new_lo) / (hi - lo)  # the same relative spacing
        h = (points[:, -1] - points[:, 0])[:, None] / new_grid
        ext = np.arange(1, self.k + 1)
        knots = np.concatenate([points[:, :1] - h * ext[::-1], points, points[:, -1:] + h * ext], axis=1)
        new.grid = int(new_grid)
        new.knots = torch.tensor(knots, dtype=self.knots.dtype, device=self.knots.device)
        new.coef = nn.Parameter(torch.zeros(self.in_dim, self.out_dim, new.grid + self.k,
                                            dtype=self.coef.dtype, device=self.coef.device))
        n = samples_per_interval * (max(new_grid, self.grid) + self.k)
        t = torch.linspace(0, 1, n, dtype=torch.float64)
        lo, hi = torch.tensor(points[:, 0]), torch.tensor(points[:, -1])
        samples = (lo[None, :] + (hi - lo)[None, :] * t[:, None]).to(self.coef.dtype).to(self.coef.device)
        if x is not None:
            samples = torch.cat([samples, x.detach().to(samples.dtype)])
        new._refit(samples, self._spline(samples))
        return new


# ============================================================================ 4a. symbolic library
@dataclass(frozen=True)
class SymbolicFunction:
    """A library entry: the same function for torch and for sympy, and how complex it counts."""

    torch: Callable
    sympy: Callable
    complexity: int


def _safe_inv(x):
    return 1 / torch.where(x.abs() < 1e-12, torch.full_like(x, 1e-12), x)


SYMBOLIC_LIB: dict[str, SymbolicFunction] = {
    "0": SymbolicFunction(lambda x: 0 * x, lambda x: sympy.Integer(0), 0),
    "x": SymbolicFunction(lambda x: x, lambda x: x, 1),
    "x^2": SymbolicFunction(lambda x: x ** 2, lambda x: x ** 2, 2),
    "x^3": SymbolicFunction(lambda x: x ** 3, lambda x: x ** 3, 3),
    "x^4": SymbolicFunction(lambda x: x ** 4, lambda x: x ** 4, 3),
    "1/x": SymbolicFunction(_safe_inv, lambda x: 1 / x, 2),
    "sqrt": SymbolicFunction(lambda x: torch.sqrt(x), sympy.sqrt, 2),
    "exp": SymbolicFunction(torch.exp, sympy.exp, 2),
    "log": SymbolicFunction(lambda x: torch.log(x), sympy.log, 2),
    "sin": SymbolicFunction(torch.sin, sympy.sin, 2),
    "tan": SymbolicFunction(torch.tan, sympy.tan, 3),
    "tanh": SymbolicFunction(torch.tanh, sympy.tanh, 3),
    "arctan": SymbolicFunction(torch.arctan, sympy.atan, 3),
    "arctanh": SymbolicFunction(torch.atanh, sympy.atanh, 3),
    "abs": SymbolicFunction(torch.abs, sympy.Abs, 3),
    "gaussian": SymbolicFunction(lambda x: torch.exp(-x ** 2), lambda x: sympy.exp(-x ** 2), 3),
}


def _r2(y, pred):
    ss = ((y - y.mean()) ** 2).sum()
    return 1 - ((y - pred) ** 2).sum() / ss if ss > 0 else torch.tensor(1.0 if torch.allclose(y, pred) else 0.0)


@torch.no_grad()
def fit_affine(x, y, name: str, a_range=(-10.0, 10.0), b_range=(-10.0, 10.0), n_grid: int = 41,
               zooms: int = 3) -> tuple[tuple[float, float, float, float], float]:
    """Fit y ≈ c·f(a·x + b) + d for the library function ``name``; return ((a, b, c, d), R²).

    For each (a, b) on a grid (over the standardised input), c and d follow by linear least squares; the grid
    zooms ``zooms`` times around the best pair, and Levenberg-Marquardt polishes all four constants at the end.
    Pairs where f is undefined (log or sqrt of a negative number) are skipped.
    """
    if name not in SYMBOLIC_LIB:
        raise ValueError(f"unknown symbolic function {name!r}; choose one of {sorted(SYMBOLIC_LIB)}")
    x = torch.as_tensor(x, dtype=torch.float64).reshape(-1)
    y = torch.as_tensor(y, dtype=torch.float64).reshape(-1)
    if x.shape != y.shape or x.numel() < 2:
        raise ValueError("x and y need the same number (>= 2) of samples")
    if not (torch.isfinite(x).all() and torch.isfinite(y).all()):
        raise ValueError("x and y must be finite")
    if name == "0":
        return (0.0, 0.0, 0.0, 0.0), float(_r2(y, torch.zeros_like(y)))
    f = SYMBOLIC_LIB[name].torch
    # search on the standardised input z = (x − m)/s, so that the ranges fit any scale of x:
    # f(a'·z + b') = f(a·x + b) with a = a'/s, b = b' − a'·m/s
    m, s = x.mean(), x.std()
    s = s if s > 0 else torch.ones_like(s)
    x_raw, x = x, (x - m) / s
    (a_lo, a_hi), (b_lo, b_hi) = a_range, b_range
    best = None
    for _ in range(zooms + 1):
        a = torch.linspace(a_lo, a_hi, n_grid, dtype=torch.float64)
        b = torch.linspace(b_lo, b_hi, n_grid, dtype=torch.float64)
        fx = f(a[:, None, None] * x + b[None, :, None])  # (A, B, N)
        finite = torch.isfinite(fx)
        fx = torch.where(finite, fx, torch.zeros_like(fx))
        fm, ym = fx.mean(-1, keepdim=True), y.mean()
        centred = fx - fm
        cov = (centred * (y - ym)).sum(-1)
        var = (centred * centred).sum(-1)
        ok = finite.all(-1) & (var > 1e-24 * (x.numel() - 1))  # f defined everywhere and not constant (std > 1e-12)
        r2 = torch.where(ok, cov ** 2 / (var * ((y - ym) ** 2).sum() + 1e-300), torch.full_like(cov, -1.0))
        ia, ib = divmod(int(torch.argmax(r2)), n_grid)
        if best is None or r2[ia, ib] >= best[2]:
            best = (float(a[ia]), float(b[ib]), float(r2[ia, ib]))
        da, db = (a_hi - a_lo) / (n_grid - 1), (b_hi - b_lo) / (n_grid - 1)
        a_lo, a_hi = best[0] - 2 * da, best[0] + 2 * da
        b_lo, b_hi = best[1] - 2 * db, best[1] + 2 * db
    a_best, b_best = best[0] / float(s), best[1] - best[0] * float(m) / float(s)
    x = x_raw
    fx = f(a_best * x + b_best)
    if not torch.isfinite(fx).all():
        return (a_best, b_best, 0.0, float(y.mean())), -1.0
    design = torch.stack([fx, torch.ones_like(fx)], dim=1)
    c, d = torch.linalg.lstsq(design, y[:, None]).solution[:, 0].tolist()
    r2 = float(_r2(y, c * fx + d))
    # polish all four constants together (Levenberg-Marquardt); keep the grid's answer if that is better
    from scipy.optimize import least_squares

    xn, yn = x.numpy(), y.numpy()

    def residuals(p):
        with np.errstate(all="ignore"):
            out = p[2] * f(torch.from_numpy(p[0] * xn + p[1])).numpy() + p[3] - yn
        return np.where(np.isfinite(out), out, 1e6)

    polished = least_squares(residuals, [a_best, b_best, c, d], method="lm", max_nfev=200)
    pa, pb, pc, pd = polished.x
    with np.errstate(all="ignore"):
        pred = pc * f(torch.tensor(pa * xn + pb)) + pd
    if torch.isfinite(pred).all():
        r2_polished = float(_r2(y, pred))
        if r2_polished > r2:
            return (float(pa), float(pb), float(pc), float(pd)), r2_polished
    return (a_best, b_best, c, d), r2


def tidy(expr, tolerance: float = 1e-8):
    """Replace every float in a sympy expression by the simplest rational or rational multiple of π within
    ``tolerance`` (leaving it alone when there is none), then simplify: 3.14159265358979·x becomes π·x.

    Products and powers are multiplied out first (not exponentials, logs or trig functions), so that constants
    which only make sense together, as in 0.0049·(14.28·y)², become one number (1.0000·y²); numbers no larger
    than ``tolerance`` become 0.
    """
    expr = sympy.expand(sympy.sympify(expr), power_exp=False, log=False, trig=False)
    swap = {}
    for number in expr.atoms(sympy.Float):
        if abs(float(number)) <= tolerance:
            swap[number] = sympy.Integer(0)
            continue
        guess = sympy.nsimplify(number, [sympy.pi], tolerance=tolerance)
        if abs(float(guess) - float(number)) <= tolerance * max(1.0, abs(float(number))) and len(str(guess)) < 12:
            swap[number] = guess
    return sympy.simplify(expr.xreplace(swap))


# ================================================================================== 3. the network
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


class KAN(nn.Module):
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

    # -- grid extension ------------------------------------------------------------------------------
    def refine(self, new_grid: int) -> "KAN":
        """A new KAN with ``new_grid`` intervals per edge that starts as the same function (grid extension)."""
        new = copy.deepcopy(self)
        inputs = self.layer_inputs(self.samples)[:-1] if self.samples is not None else [None] * len(self.layers)
        new.layers = nn.ModuleList(layer.refined(new_grid, x) for layer, x in zip(self.layers, inputs))
        return new

    # -- pruning -------------------------------------------------------------------------------------
    @torch.no_grad()
    def attribution_scores(self, x: torch.Tensor | None = None) -> list[torch.Tensor]:
        """How much each edge matters for the output: a list of (in, out) per layer.

        Working back from the outputs (importance 1 each), an edge's attribution is its score |φ_ij|₁ as a
        share of the spread (standard deviation over ``x``) of the node it feeds, times that node's importance;
        a node's importance is the sum of the attributions of its outgoing edges. A small edge into a quiet but
        important node thus counts for much, which the raw score |φ_ij|₁ misses.
        """
        x = self._samples(x)
        return self._attribution(self.edge_scores(x), x)

    def _attribution(self, scores: list[torch.Tensor], x: torch.Tensor) -> list[torch.Tensor]:
        """:meth:`attribution_scores` from edge scores already measured on ``x``."""
        spreads = [v.std(dim=0).clamp_min(1e-12) for v in self.layer_inputs(x)[1:]]
        importance = torch.ones(self.width[-1], dtype=scores[-1].dtype, device=scores[-1].device)
        out = []
        for score, spread in zip(reversed(scores), reversed(spreads)):
            edge = score / spread * importance
            out.append(edge)
            importance = edge.sum(dim=1)
        return out[::-1]

    def prune(self, node_th: float = 1e-2, edge_th: float = 3e-2, x: torch.Tensor | None = None) -> "KAN":
        """A smaller KAN: hidden nodes whose largest incoming AND largest outgoing edge score |φ_ij|₁ exceed
        ``node_th`` are kept, the others removed (the paper's rule); then edges whose attribution
        (:meth:`attribution_scores`) is below ``edge_th`` are masked out. Scores are measured on ``x``
        (default: the last training inputs)."""
        scores = [s.detach() for s in self.edge_scores(x)]
        with torch.no_grad():
            attribution = self._attribution(scores, self._samples(x))
        keep = [torch.arange(self.width[0])]
        for l in range(1, len(self.width) - 1):
            incoming = scores[l - 1].max(dim=0).values
            outgoing = scores[l].max(dim=1).values
            alive = ((incoming > node_th) & (outgoing > node_th)).nonzero().flatten()
            if alive.numel() == 0:  # keep the strongest node rather than disconnect the network
                alive = torch.argmax(incoming * outgoing).reshape(1)
            keep.append(alive)
        keep.append(torch.arange(self.width[-1]))
        new = copy.deepcopy(self)
        for l, layer in enumerate(new.layers):
            rows, cols = keep[l], keep[l + 1]
            layer.in_dim, layer.out_dim = len(rows), len(cols)
            layer.knots = layer.knots[rows].clone()
            for name in ("coef", "scale_base", "scale_spline", "sym_params"):
                setattr(layer, name, nn.Parameter(getattr(layer, name)[rows][:, cols].clone()))
            layer.mask = layer.mask[rows][:, cols].clone()
            layer.sym_mask = layer.sym_mask[rows][:, cols].clone()
            layer.sym_names = [[layer.sym_names[i][j] for j in cols.tolist()] for i in rows.tolist()]
            small = attribution[l][rows][:, cols] < edge_th
            layer.mask[small] = 0.0
        return new

    # -- symbolic regression -------------------------------------------------------------------------
    def _edge_data(self, l: int, i: int, j: int, x: torch.Tensor | None = None):
        self._index(l, i, j)
        with torch.no_grad():
            h = self._samples(x).to(self.layers[0].coef.dtype)
            for layer in self.layers[:l]:
                h = layer(h)
            phi = self.layers[l].edge_activations(h)[:, i, j]
        return h[:, i], phi

    def _index(self, l, i, j):
        if not 0 <= l < len(self.layers):
            raise IndexError(f"layer index {l} out of range: the network has {len(self.layers)} layers")
        layer = self.layers[l]
        if not 0 <= i < layer.in_dim:
            raise IndexError(f"input index {i} out of range: layer {l} has {layer.in_dim} inputs")
        if not 0 <= j < layer.out_dim:
            raise IndexError(f"output index {j} out of range: layer {l} has {layer.out_dim} outputs")

    def suggest_symbolic(self, l: int, i: int, j: int, lib: Sequence[str] | None = None, topk: int = 5,
                         x: torch.Tensor | None = None, verbose: bool = False) -> list[tuple[str, float, int]]:
        """Rank library functions for edge (l, i, j): ``[(name, R², complexity), ...]``, best first.

        The ranking trades fit for simplicity: score = log2(1 − R² + 1e-8) / 4 + complexity, so one unit of
        complexity must buy a 16-fold smaller unexplained variance. Lower is better.
        """
        names = list(lib) if lib is not None else [n for n in SYMBOLIC_LIB if n != "0"]
        for name in names:
            if name not in SYMBOLIC_LIB:
                raise ValueError(f"unknown symbolic function {name!r}; choose one of {sorted(SYMBOLIC_LIB)}")
        xi, phi = self._edge_data(l, i, j, x)
        rows = []
        for name in names:
            _, r2 = fit_affine(xi, phi, name)
            score = math.log2(max(1 - r2, 0.0) + 1e-8) / 4 + SYMBOLIC_LIB[name].complexity
            rows.append((score, name, r2, SYMBOLIC_LIB[name].complexity))
        rows.sort()
        out = [(name, r2, c) for _, name, r2, c in rows[:topk]]
        if verbose:
            for name, r2, c in out:
                print(f"{name:10s} R² = {r2:.6f}  complexity {c}")
        return out

    def fix_symbolic(self, l: int, i: int, j: int, name: str, x: torch.Tensor | None = None) -> float:
        """Replace edge (l, i, j) by c·f(a·x + b) + d fitted to its current curve; return the fit's R².
        The four constants stay trainable: fit again afterwards to polish them."""
        if name not in SYMBOLIC_LIB:
            raise ValueError(f"unknown symbolic function {name!r}; choose one of {sorted(SYMBOLIC_LIB)}")
        xi, phi = self._edge_data(l, i, j, x)
        (a, b, c, d), r2 = fit_affine(xi, phi, name)
        layer = self.layers[l]
        with torch.no_grad():
            layer.sym_params[i, j] = torch.tensor([a, b, c, d], dtype=layer.sym_params.dtype)
            layer.sym_mask[i, j] = 1.0
        layer.sym_names[i][j] = name
        return r2

    def auto_symbolic(self, lib: Sequence[str] | None = None, x: torch.Tensor | None = None,
                      verbose: bool = False) -> dict:
        """Fix every active numeric edge to its best-ranked library function; return {(l, i, j): name}."""
        chosen = {}
        for l, layer in enumerate(self.layers):
            for i in range(layer.in_dim):
                for j in range(layer.out_dim):
                    if layer.mask[i, j] == 0 or layer.sym_mask[i, j] == 1:
                        continue
                    name = self.suggest_symbolic(l, i, j, lib, topk=1, x=x)[0][0]
                    r2 = self.fix_symbolic(l, i, j, name, x)
                    chosen[(l, i, j)] = name
                    if verbose:
                        print(f"edge ({l},{i},{j}) -> {name} (R² = {r2:.5f})")
        return chosen

    def fit_constants(self, dataset: dict, max_nfev: int = 200) -> float:
        """Polish the constants (a, b, c, d) of every symbolic edge by Levenberg-Marquardt on the training set.

        Once the edges are formulas, few constants remain but their problem is badly conditioned (a tiny c
        times exp of a large a·x + b, say), where LBFGS crawls; scipy's Levenberg-Marquardt (finite-difference
        Jacobian) converges in a few dozen iterations. Spline edges stay fixed. Returns the training RMSE.
        """
        from scipy.optimize import least_squares

        data = _as_dataset(dataset)
        layers = [layer for layer in self.layers if layer.sym_mask.any()]
        if not layers:
            raise ValueError("no symbolic edge to fit: call fix_symbolic or auto_symbolic first")
        dtype = self.layers[0].coef.dtype
        x, y = data["train_input"].to(dtype), data["train_label"].to(dtype)
        slots = [(layer, layer.sym_mask.bool()) for layer in layers]
        start = torch.cat([layer.sym_params.detach()[m].reshape(-1) for layer, m in slots]).to(torch.float64)

        def load(theta):
            theta = torch.as_tensor(theta, dtype=torch.float64)
            offset = 0
            with torch.no_grad():
                for layer, m in slots:
                    n = int(m.sum()) * 4
                    layer.sym_params[m] = theta[offset:offset + n].reshape(-1, 4).to(dtype)
                    offset += n

        def residuals(theta):
            load(theta)
            with torch.no_grad():
                return (self(x) - y).reshape(-1).to(torch.float64).numpy()

        result = least_squares(residuals, start.numpy(), method="lm", max_nfev=max_nfev,
                               xtol=1e-15, ftol=1e-15, gtol=1e-15)
        load(result.x)
        return float(np.sqrt(np.mean(result.fun ** 2)))

    def symbolic_formula(self, var_names: Sequence[str] | None = None, digits: int | None = None) -> list:
        """The network as sympy expressions, one per output, once every active edge is symbolic.

        ``digits`` rounds every constant to that many decimals (None keeps them all).
        """
        names = list(var_names) if var_names is not None else [f"x_{i + 1}" for i in range(self.width[0])]
        if len(names) != self.width[0]:
            raise ValueError(f"need {self.width[0]} variable names, got {len(names)}")
        exprs = [sympy.Symbol(n) for n in names]

        def num(v):
            v = float(v)
            return sympy.Float(round(v, digits)) if digits is not None else sympy.Float(v)

        for l, layer in enumerate(self.layers):
            out = []
            for j in range(layer.out_dim):
                total = sympy.Integer(0)
                for i in range(layer.in_dim):
                    if layer.mask[i, j] == 0:
                        continue
                    if layer.sym_mask[i, j] == 0:
                        raise ValueError(f"edge ({l}, {i}, {j}) is still a spline: call fix_symbolic or auto_symbolic")
                    a, b, c, d = layer.sym_params[i, j].tolist()
                    f = SYMBOLIC_LIB[layer.sym_names[i][j]].sympy
                    total += num(c) * f(num(a) * exprs[i] + num(b)) + num(d)
                out.append(total)
            exprs = out
        return [sympy.nsimplify(e, rational=False) if digits is not None else e for e in exprs]

    # -- plotting ------------------------------------------------------------------------------------
    def plot(self, x: torch.Tensor | None = None, scale: float = 1.0, title: str | None = None):
        """The network as a matplotlib Figure: nodes in rows, each edge's learned curve drawn on the edge,
        its opacity set by its score |φ_ij|₁ (relative to the strongest edge of its layer)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        width = self.width
        n_layers = len(width)
        fig = Figure(figsize=(scale * max(3.0, 1.3 * max(width)), scale * 2.2 * (n_layers - 1) + 0.6))
        FigureCanvasAgg(fig)  # so that the figure can be drawn and saved without pyplot
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(-0.6, max(width) - 0.4)
        ax.set_ylim(-0.4, 2.2 * (n_layers - 1) + 0.4)
        ax.axis("off")

        def pos(l, i):
            return i + (max(width) - width[l]) / 2, 2.2 * l

        h = self._samples(x).to(self.layers[0].coef.dtype)
        with torch.no_grad():
            for l, layer in enumerate(self.layers):
                acts = layer.edge_activations(h)
                scores = acts.abs().mean(0)
                top = float(scores.max()) or 1.0
                for i in range(layer.in_dim):
                    order = torch.argsort(h[:, i])
                    xi, curves = h[order, i].numpy(), acts[order, i, :].numpy()
                    for j in range(layer.out_dim):
                        alpha = float(np.clip(float(scores[i, j]) / top, 0.05, 1.0)) * float(layer.mask[i, j])
                        (x0, y0), (x1, y1) = pos(l, i), pos(l + 1, j)
                        ax.plot([x0, x1], [y0, y1], color="0.6", lw=0.8, alpha=alpha)
                        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                        inset = ax.inset_axes([cx - 0.3, cy - 0.3, 0.6, 0.6], transform=ax.transData)
                        color = "#D55E00" if layer.sym_mask[i, j] else "#0072B2"
                        inset.plot(xi, curves[:, j], color=color, lw=1.2, alpha=max(alpha, 0.05))
                        inset.set_xticks([])
                        inset.set_yticks([])
                        for spine in inset.spines.values():
                            spine.set_alpha(alpha)
                        if layer.sym_mask[i, j]:
                            inset.set_title(layer.sym_names[i][j], fontsize=7, pad=1)
                h = layer(h)
        for l, n in enumerate(width):
            for i in range(n):
                x0, y0 = pos(l, i)
                ax.scatter([x0], [y0], s=40, color="k", zorder=3)
        if title:
            ax.set_title(title)
        return fig
