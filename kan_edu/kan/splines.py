"""kan_edu.kan.splines: B-spline bases, computed where they are non-zero.

For any knot vector only k+1 B-splines of order k are non-zero at a point: those of the knot interval that
holds it. Both implementations below find each point's interval and raise the order k times with the local
triangular (Cox-de Boor) recursion, starting from the single order-0 basis that equals one there.

- :func:`_general_recursion` is the general one, for any non-decreasing knots (grids adapted to data). One
  search finds each point's interval, one lookup in small cached tables (:func:`_placement`) the knots around
  it and where its bases go, and each step of the recursion is a handful of operations on all bases of an
  order at once, (p, d, N) tensors: small layers are bound by the number of torch calls, not by arithmetic.
  It is made of plain differentiable torch operations, so autograd can take derivatives of any order
  through it (:func:`_local_bases`, :func:`bspline_basis`).
- :func:`_uniform_recursion` is the fast one, for evenly spaced knots t_m = t0 + m·h. Every knot difference
  is then a multiple of h, which cancels: with u = (x − t0)/h, interval j = ⌊u⌋ and fraction f = u − j, the
  distances to the left and right knots are f + r − 1 and r − f. No search, no gathers, and the work is done
  in place in a few buffers. The layer's fused features and :func:`_local_bases_uniform` use it.

A test ties the two together, and both to scipy's ``BSpline.design_matrix``.
"""

from __future__ import annotations

import functools

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
@functools.lru_cache(maxsize=64)
def _placement(n_knots: int, k: int, n_inputs: int, device: torch.device):
    """Index tables for ``n_inputs`` rows of M = ``n_knots`` knots and order k (the slots serve both paths).

    Each input's knot interval is found as s, the number of knots <= x (:func:`_interval`). The tables have
    one column per outcome, row·(M+1) + s, so that one lookup per input replaces a dozen index computations.
    With j = s − 1 clamped into 0..M−2 (x's interval, or the nearest one):

    - ``near`` (2k, ·): where, in the flattened knots, the knots t_{j+1−k} .. t_{j+k} that the recursion reads
      are (each clamped into its row: a knot past the ends only ever reaches bases outside the range); so
      ``knots.take(near)`` is a table of the knots themselves;
    - ``slot`` (k+1, ·): where bases j−k .. j go in a layer's feature buffer: 1 + their number, or 0 for a
      basis that does not exist (number < 0 or >= M−k−1) or an x outside [t_0, t_{M−1}) (s = 0 or M).
      Slot 0 holds b(x), written after the bases, so what lands there is overwritten.

    They depend on the sizes only, not on the knots' values: cached. Returned flattened, for ``take``.
    """
    n_basis = n_knots - k - 1
    s = torch.arange(n_knots + 1)
    j = (s - 1).clamp(0, n_knots - 2)
    near = (j + torch.arange(1 - k, k + 1)[:, None]).clamp(0, n_knots - 1)  # (2k, M+1)
    basis = j + torch.arange(-k, 1)[:, None]  # (k+1, M+1)
    valid = (s >= 1) & (s <= n_knots - 1) & (basis >= 0) & (basis < n_basis)
    slot = torch.where(valid, basis + 1, 0)
    rows = torch.arange(n_inputs)[:, None]
    near = (near[:, None, :] + n_knots * rows).flatten()  # (2k, d, M+1), into the flattened (d, M) knots
    slot = slot[:, None, :].expand(-1, n_inputs, -1).flatten()
    # where row r of a table starts, for each input: r·d·(M+1) + input·(M+1)
    start = (torch.arange(max(2 * k, k + 1))[:, None] * n_inputs + torch.arange(n_inputs)) * (n_knots + 1)
    return start[..., None].to(device), near.to(device), slot.to(device)


def _interval(x: torch.Tensor, knots: torch.Tensor, k: int) -> torch.Tensor:
    """s, the number of knots <= x, for ``x`` (d, N) (one row per input) and ``knots`` (d, M): x lies in knot
    interval j = s − 1 (t_j <= x < t_{j+1}), and s = 0 or M means outside [t_0, t_{M−1}). The right end of
    the basis range, t_{M−k−1}, belongs to the interval before it, as in scipy's design_matrix."""
    n_basis = knots.shape[1] - k - 1
    s = torch.searchsorted(knots, x, right=True)
    return s.masked_fill_(x == knots[:, n_basis : n_basis + 1], n_basis)


def _general_recursion(xt: torch.Tensor, near: torch.Tensor, k: int, distinct: bool = False):
    """The triangular recursion on any knots, all bases of one order at once.

    ``xt`` (d, N) and ``near`` (2k, d, N): the knots t_{j+1−k} .. t_{j+k} around each input's interval j.
    Returns the bases j−k .. j of order k, (k+1, d, N), and the k quotients of the last step,
    q_r = lower_r / (t_{j+r+1} − t_{j−k+r+1}) (order k−1 values over their support widths), (k, d, N), from
    which the derivative follows: dB_{j−k+r,k}/dx = k·(q_{r−1} − q_r), with q_{−1} = q_k = 0.

    Step p turns the p bases of order p−1 into p+1 of order p. Basis r, divided by its support width (the
    distance from x to its right knot t_{j+1+r} plus the distance to its left knot t_{j+1−p+r}), gives
    new basis r its right distance times that and new basis r+1 its left distance times that. A width is
    never smaller than x's own interval t_{j+1} − t_j, so with ``distinct`` (strictly increasing) knots none
    is zero; otherwise zero widths (repeated knots) are replaced by 1 (their bases are zero).

    Plain differentiable torch operations: autograd can differentiate through it to any order.
    """
    right = near[k:] - xt  # t_{j+1+r} − x, r = 0..k−1
    left = xt - near[:k]  # x − t_{j+1−k+i}, i = 0..k−1 (step p uses the last p)
    values = torch.ones_like(xt)[None]
    nothing = torch.zeros_like(values)
    quotients = values[:0]
    for p in range(1, k + 1):
        right_p, left_p = right[:p], left[k - p :]  # each basis's distances to its right and left knots
        width = right_p + left_p
        quotients = values / (width if distinct else width.masked_fill(width == 0, 1.0))
        values = torch.cat([nothing, left_p * quotients]) + torch.cat([right_p * quotients, nothing])
    return values, quotients


def _bases_and_slots(x: torch.Tensor, knots: torch.Tensor, k: int, distinct: bool = False):
    """The general path up to the feature buffer: the k+1 local bases of every input, (k+1, d, N), their
    slots (:func:`_placement`), and the recursion's last quotients (for the derivative). ``x`` (N, d);
    ``distinct``: the knots strictly increase along each row (see :func:`_general_recursion`).

    Inputs outside [t_0, t_{M−1}] are moved onto its ends first: their bases all go to slot 0 (they are
    zero), and so stay finite however far out x is."""
    start, near_at, slot_at = _placement(knots.shape[1], k, x.shape[1], x.device)
    xt = x.t().contiguous()  # (d, N): searchsorted works row by row
    at = start + _interval(xt, knots, k)  # (rows, d, N): where each input's entries are in the tables
    near = knots.take(near_at).take(at[: 2 * k])
    values, quotients = _general_recursion(torch.clamp(xt, knots[:, :1], knots[:, -1:]), near, k, distinct)
    return values, slot_at.take(at[: k + 1]), quotients


def _local_bases(x: torch.Tensor, knots: torch.Tensor, k: int):
    """The k+1 B-splines that are non-zero at each x, and where they go (any knots).

    ``x`` (N, d), ``knots`` (d, M). Returns ``values`` (N, d, k+1) and ``index`` (N, d, k+1): values[..., r]
    is basis number index[..., r] (in 0..M-k-2). Entries that fall outside the basis range, or inputs outside
    [t_0, t_{M-1}], get value 0 (their index is clamped to a valid one). Differentiable in x to any order.
    """
    values, slots, _ = _bases_and_slots(x, knots, k)
    values = torch.where(slots > 0, values, torch.zeros_like(values))
    return values.permute(2, 1, 0), (slots - 1).clamp(min=0).permute(2, 1, 0)


# ---------------------------------------------------------------------------------------- the fast path
def _uniform_position(x: torch.Tensor, t0, h, n_knots: int, k: int):
    """For uniform knots t_m = t0 + m·h: s, the number of knots <= x, as :func:`_interval` finds it (x lies
    in interval j = s − 1; 0 or M when outside), the fraction f of the interval at which x lies, where x is
    the right end of the basis range (which belongs to the interval before it, at f = 1; None when no x is),
    and whether every x lies in [t_k, t_{M−k−1}], where all k+1 of its bases exist (the usual case)."""
    n_basis = n_knots - k - 1
    u = (x - t0) / h
    lo, hi = (float(v) for v in torch.aminmax(u)) if u.numel() else (k, k)
    j_float = torch.floor(u)
    at_end = u == n_basis if hi >= n_basis else None
    f = u.sub_(j_float)
    s = j_float.add_(1).clamp_(0, n_knots).long()  # (clamped before the conversion: x may be far out)
    if at_end is not None:
        f.masked_fill_(at_end, 1.0)
        s.masked_fill_(at_end, n_basis)
    return s, f, at_end, k <= lo and hi <= n_basis


def _uniform_slots(s: torch.Tensor, n_knots: int, k: int, inside: bool) -> torch.Tensor:
    """The slots of the k+1 local bases of inputs whose knot counts are ``s`` (N, d), in the layout of the
    fast path, (k+1, N, d): basis j−k+r of an input in interval j = s − 1 goes to slot 1 + j − k + r =
    s − k + r. When every input is ``inside`` [t_k, t_{M−k−1}] all those bases exist and that sum is the
    answer; otherwise :func:`_placement`'s table, looked up, also sends those that do not to slot 0."""
    if inside:
        return s + torch.arange(-k, 1, device=s.device)[:, None, None]
    start, _, slot_at = _placement(n_knots, k, s.shape[1], s.device)
    return slot_at.take(start[: k + 1].transpose(1, 2) + s)


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
    s, f, _, inside = _uniform_position(x, t0, h, n_knots, k)
    values = x.new_empty(k + 1, *x.shape)
    _uniform_recursion(f, k, values)
    slots = _uniform_slots(s, n_knots, k, inside)
    values = torch.where(slots > 0, values, torch.zeros_like(values))
    return values.permute(1, 2, 0), (slots - 1).clamp(min=0).permute(1, 2, 0)


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
