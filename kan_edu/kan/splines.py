"""kan_edu.kan.splines: B-spline bases, computed where they are non-zero.

For any knot vector only k+1 B-splines of order k are non-zero at a point: those of the knot interval that
holds it. Both implementations below find each point's interval and raise the order k times with the local
triangular (Cox-de Boor) recursion, starting from the single order-0 basis that equals one there.

- :func:`_local_bases` is the general one, for any non-decreasing knots (grids adapted to data). It is made of
  plain differentiable torch operations, so autograd can take derivatives of any order through it.
- :func:`_uniform_recursion` is the fast one, for evenly spaced knots t_m = t0 + m·h. Every knot difference
  is then a multiple of h, which cancels: with u = (x − t0)/h, interval j = ⌊u⌋ and fraction f = u − j, the
  distances to the left and right knots are f + r − 1 and r − f. No search, no gathers, and the work is done
  in place in a few buffers. The layer's fused features and :func:`_local_bases_uniform` use it.

A test ties the two together, and both to scipy's ``BSpline.design_matrix``.
"""

from __future__ import annotations

import torch

from .._validate import array, floating_dtype, interval, size, tensor, total_size

__all__ = ["uniform_knots", "bspline_basis"]


def uniform_knots(grid: int, k: int, grid_range=(-1.0, 1.0), n: int = 1, dtype=torch.float32) -> torch.Tensor:
    """Extended knot vectors for ``n`` inputs: G+1 evenly spaced points on ``grid_range``, plus k more on
    each side with the same spacing. Shape (n, G + 1 + 2k)."""
    grid, k, n = size("grid", grid), size("k", k, minimum=0), size("n", n)
    lo, hi = interval("grid_range", grid_range)
    dtype = floating_dtype("dtype", dtype)
    total_size("n, grid and k", n * (grid + 1 + 2 * k), "knots")
    return _uniform_knots(grid, k, lo, hi, n, dtype)


def _uniform_knots(grid: int, k: int, lo: float, hi: float, n: int, dtype) -> torch.Tensor:
    """:func:`uniform_knots` for checked arguments."""
    h = (hi - lo) / grid
    knots = lo + h * torch.arange(-k, grid + k + 1, dtype=torch.float64)
    return knots.to(dtype).expand(n, -1).contiguous()


# ------------------------------------------------------------------------------------- the general path
def _interval(x: torch.Tensor, knots: torch.Tensor, k: int):
    """Knot interval j of every input (t_j <= x < t_{j+1}), clamped into range, and whether x lies inside
    [t_0, t_{M-1}]. ``x`` (d, N) (one row per input), ``knots`` (d, M). The right end of the basis range
    belongs to the last interval, as in scipy's design_matrix."""
    M = knots.shape[1]
    n_basis = M - k - 1
    j = torch.searchsorted(knots, x, right=True) - 1
    j = torch.where(x == knots[:, n_basis : n_basis + 1], torch.full_like(j, n_basis - 1), j)
    inside = (j >= 0) & (j <= M - 2)
    return j.clamp(0, M - 2), inside


def _general_recursion(xt: torch.Tensor, knots: torch.Tensor, j: torch.Tensor, k: int):
    """The triangular recursion on any knots: the k+1 bases j−k .. j of order k at ``xt`` (d, N), whose
    intervals are ``j``, as a list; and the k quotients of the last step, lower_r / (t_{j+r+1} − t_{j−k+r+1})
    (order k−1 values over their support widths), from which the derivative follows:
    dB_{j−k+r,k}/dx = k·(q_{r−1} − q_r), with q_{−1} = q_k = 0.

    Plain differentiable torch operations: autograd can differentiate through it to any order.
    """
    M = knots.shape[1]

    def knot(offset):  # t_{j+offset}, clamped into the knot vector, shape (d, N)
        return torch.gather(knots, 1, (j + offset).clamp(0, M - 1))

    left = [None] + [xt - knot(1 - r) for r in range(1, k + 1)]  # x - t_{j+1-r}
    right = [None] + [knot(r) - xt for r in range(1, k + 1)]  # t_{j+r} - x
    values = [torch.ones_like(xt)]
    quotients = []
    for p in range(1, k + 1):
        saved = None  # (nothing flows into the first basis of the new order)
        new = []
        for r in range(p):
            denom = right[r + 1] + left[p - r]
            temp = values[r] / denom.masked_fill(denom == 0, 1.0)
            new.append(right[r + 1] * temp if saved is None else saved + right[r + 1] * temp)
            saved = left[p - r] * temp
            if p == k:
                quotients.append(temp)
        new.append(saved)
        values = new
    return values, quotients


def _local_bases(x: torch.Tensor, knots: torch.Tensor, k: int):
    """The k+1 B-splines that are non-zero at each x, and where they go (any knots).

    ``x`` (N, d), ``knots`` (d, M). Returns ``values`` (N, d, k+1) and ``index`` (N, d, k+1): values[..., r]
    is basis number index[..., r] (in 0..M-k-2). Entries that fall outside the basis range, or inputs outside
    [t_0, t_{M-1}], get value 0 (their index is clamped to a valid one). Differentiable in x to any order.
    """
    n_basis = knots.shape[1] - k - 1
    xt = x.t().contiguous()  # (d, N): searchsorted works row by row
    j, inside = _interval(xt, knots, k)
    values, _ = _general_recursion(xt, knots, j, k)
    vals = torch.stack(values, dim=-1)  # (d, N, k+1): bases j-k .. j
    index = j.unsqueeze(-1) - k + torch.arange(k + 1, device=x.device)
    valid = inside.unsqueeze(-1) & (index >= 0) & (index < n_basis)
    vals = torch.where(valid, vals, torch.zeros_like(vals))
    index = index.clamp(0, n_basis - 1)
    return vals.permute(1, 0, 2), index.permute(1, 0, 2)


# ---------------------------------------------------------------------------------------- the fast path
def _uniform_position(x: torch.Tensor, t0, h, n_knots: int, k: int):
    """Interval j, fraction f in it, whether x is inside [t_0, t_{M-1}], and whether x is the right end of
    the basis range (which belongs to the last interval), for uniform knots t_m = t0 + m·h."""
    n_basis = n_knots - k - 1
    u = (x - t0) / h
    j_float = torch.floor(u)
    f = u - j_float
    j = j_float.long()
    at_end = u == n_basis
    j.masked_fill_(at_end, n_basis - 1)
    f.masked_fill_(at_end, 1.0)
    inside = (j >= 0) & (j <= n_knots - 2)
    return j, f, inside, at_end


def _uniform_recursion(f: torch.Tensor, k: int, values: torch.Tensor, keep_lower: bool = False):
    """Fill ``values`` (k+1, *f.shape) with the k+1 non-zero bases at fraction ``f`` of a uniform interval
    (bases j−k .. j), in place. With ``keep_lower`` also return a copy of the order k−1 values (k of them),
    from which the derivative follows: dB_{i,k}/du = B_{i,k−1} − B_{i+1,k−1}.

    Step p splits every basis of order p−1 between its two neighbours with weights right_r = (r+1) − f and
    left_q = (f + q) − 1, divided by p (the sum of the two distances on a uniform grid).
    """
    right = [torch.rsub(f, r + 1) for r in range(k)]
    left = [None] + [torch.add(f, q).sub_(1) for q in range(1, k + 1)]
    values[0] = 1
    saved, temp = torch.empty_like(f), torch.empty_like(f)
    lower = None
    for p in range(1, k + 1):
        if p == k and keep_lower:
            lower = values[:k].clone()
        saved.zero_()
        for r in range(p):
            torch.div(values[r], p, out=temp)
            torch.mul(right[r], temp, out=values[r])
            values[r].add_(saved)
            torch.mul(left[p - r], temp, out=saved)
        values[p].copy_(saved)
    if keep_lower and k == 0:
        lower = values[:0].clone()
    return lower


def _local_bases_uniform(x: torch.Tensor, t0: torch.Tensor, h: torch.Tensor, n_knots: int, k: int):
    """:func:`_local_bases` for uniform knots t_m = t0 + m·h, by the fast recursion (same output).
    Not differentiable in x (the layer's fused features carry their own gradient)."""
    x = x.detach()
    j, f, inside, _ = _uniform_position(x, t0, h, n_knots, k)
    n_basis = n_knots - k - 1
    values = x.new_empty(k + 1, *x.shape)
    _uniform_recursion(f, k, values)
    index = j.unsqueeze(-1) - k + torch.arange(k + 1, device=x.device)
    vals = values.permute(1, 2, 0)
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


# ------------------------------------------------------------------------------------- the public door
def _as_tensor(name: str, value, ndim, dtype=None, device=None, owner=None) -> torch.Tensor:
    """A finite floating tensor of dimension ``ndim``: a tensor as it is (on ``device``, where given), anything
    else through numpy (as float64, or ``dtype``)."""
    if isinstance(value, torch.Tensor):
        return tensor(name, value, ndim, floating=True, values=True, device=device, owner=owner)
    return torch.as_tensor(array(name, value, ndim), dtype=dtype, device=device)


def bspline_basis(x, knots, k: int) -> torch.Tensor:
    """B-spline basis functions of order ``k`` (degree k) for an extended knot vector.

    ``x`` of shape (N,) with a 1-D knot vector of length M gives (N, M-k-1); ``x`` of shape (N, d) with knots
    (d, M) gives (N, d, M-k-1). On [t_k, t_{M-k-1}] this equals scipy's
    ``BSpline.design_matrix(x, knots, k)``; outside [t_0, t_{M-1}] every basis is 0. Differentiable in x to
    any order (it takes the general path). ``x`` and ``knots`` are tensors (or arrays, taken as float64);
    the result is a tensor of x's dtype, on x's device.
    """
    x = _as_tensor("x", x, (1, 2))
    one_d = x.ndim == 1
    knots = _as_tensor(f"knots (for x of shape {tuple(x.shape)})", knots, 1 if one_d else 2, x.dtype, x.device, "x")
    k = size("k", k, minimum=0)
    if one_d:
        x, knots = x[:, None], knots[None, :]
    elif knots.shape[0] != x.shape[1]:
        raise ValueError(f"knots must have one row per column of x ({x.shape[1]}), got shape {tuple(knots.shape)}")
    if knots.shape[1] < k + 2:
        raise ValueError(f"knots are too few for order k = {k}: need at least k + 2 = {k + 2}, got {knots.shape[1]}")
    if (knots[:, 1:] < knots[:, :-1]).any():
        raise ValueError("knots must be non-decreasing along each row")
    knots = knots.to(x.dtype)
    vals, index = _local_bases(x, knots.contiguous(), k)
    n_basis = knots.shape[1] - k - 1
    out = torch.zeros(*x.shape, n_basis, dtype=x.dtype, device=x.device)
    out = out.scatter_add(-1, index, vals)
    return out[:, 0, :] if one_d else out
