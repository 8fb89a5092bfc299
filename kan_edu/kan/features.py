"""kan_edu.kan.features: a layer's feature buffer, [b(x), B_0(x), ..., B_{n-1}(x)] per input, and its gradient.

A KAN layer multiplies ONE (N, d·(1+n)) feature matrix by ONE weight matrix, so everything that depends on x
is in this buffer: the base function b(x) in slot 0 and the n = G + k B-splines in the others (only k+1 of them
non-zero per input). :func:`features` builds it on either path:

- uniform knots: :class:`_UniformFeatures`, the fast recursion of :mod:`.splines` written straight into the
  buffer by one scatter, with a hand-written input gradient from the B-spline derivative on a uniform grid,
  B'_{i,k}(x) = (B_{i,k−1}(x) − B_{i+1,k−1}(x)) / h;
- any knots (grids adapted to data): :class:`_GeneralFeatures`, the general recursion run without autograd's
  record, with a hand-written input gradient dB_{i,k}/dx = k·(B_{i,k−1}/(t_{i+k} − t_i) − B_{i+1,k−1}/(t_{i+k+1} − t_{i+1})).

Higher derivatives. A hand-written backward is only right to first order unless it is itself differentiable.
When autograd records the backward pass (``create_graph=True``: a Laplacian, a gradient penalty), both paths
compute their input gradient from the order k−1 bases of the general, differentiable recursion instead, so
gradients of gradients are exact (``torch.autograd.gradgradcheck`` tests it).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .splines import (
    _bases_and_slots,
    _local_bases,
    _uniform_position,
    _uniform_recursion,
    _uniform_slots,
)

__all__ = ["BASE_FUNCTIONS", "features"]

BASE_FUNCTIONS = {"silu": F.silu, "identity": lambda x: x, "zero": torch.zeros_like, "tanh": torch.tanh}


def _dense(vals, index, n_basis):
    """Scatter local values (N, d, r) at ``index`` into a dense (N, d, n_basis) tensor."""
    out = vals.new_zeros(*vals.shape[:-1], n_basis)
    return out.scatter_add(-1, index, vals)


def _basis_slope(x: torch.Tensor, knots: torch.Tensor, k: int) -> torch.Tensor:
    """dB_{i,k}/dx for every basis, (N, d, M−k−1), by differentiable operations (for second derivatives):
    dB_{i,k}/dx = k·(B_{i,k−1}/(t_{i+k} − t_i) − B_{i+1,k−1}/(t_{i+k+1} − t_{i+1})), the order k−1 bases from
    the general recursion (autograd differentiates through it again)."""
    n_basis = knots.shape[1] - k - 1
    if k == 0:
        return x.new_zeros(*x.shape, n_basis) * x.unsqueeze(-1)  # zero, but on the graph
    lower = _dense(*_local_bases(x, knots, k - 1), n_basis + 1)  # (N, d, n + 1)
    width = knots[:, k:] - knots[:, : n_basis + 1]  # support of each order k−1 basis, (d, n + 1)
    scaled = lower / torch.where(width > 0, width, torch.ones_like(width))
    return k * (scaled[..., :-1] - scaled[..., 1:])


def _backward(ctx, grad, exact_slope, fast_gradient):
    """(x's gradient, b(x)'s gradient): the backward pass both feature buffers share, for the gradient ``grad``
    (N, d, 1 + n) at the buffer. b(x)'s is slot 0. x's comes from ``fast_gradient()``, the hand-written first
    derivative; when autograd records this backward (``create_graph``: a Laplacian, a gradient penalty), from
    ``exact_slope()`` instead, dB/dx (N, d, n) by differentiable operations, so that gradients of gradients are
    exact."""
    grad_base = grad[..., 0] if ctx.needs_input_grad[1] else None
    if not ctx.needs_input_grad[0]:
        return None, grad_base
    if torch.is_grad_enabled():
        return (grad[..., 1:] * exact_slope()).sum(-1), grad_base
    return fast_gradient(), grad_base


class _UniformFeatures(torch.autograd.Function):
    """The feature buffer on uniform knots, made fast.

    The values are those of :func:`.splines._local_bases_uniform` (the same recursion, the same operations in
    the same order), computed in a few reused buffers and written straight into the (N, d, 1 + n) buffer.
    Autograd does not record the recursion; the backward pass uses the order k−1 values kept from the forward
    pass. ``base`` is b(x), computed (and differentiated) by autograd outside.
    """

    @staticmethod
    def forward(ctx, x, base, knots, t0, h, k: int):
        n_knots = knots.shape[1]
        s, f, at_end, inside = _uniform_position(x, t0, h, n_knots, k)
        values = x.new_empty(k + 1, *x.shape)  # the k+1 local bases
        lower = _uniform_recursion(f, k, values, keep_lower=ctx.needs_input_grad[0])
        # basis j−k+r goes to slot 1+j−k+r; one that does not exist to slot 0, overwritten by b(x)
        slots = _uniform_slots(s, n_knots, k, inside)  # (k+1, N, d)
        out = x.new_zeros(*x.shape, n_knots - k)
        out.scatter_add_(-1, slots.permute(1, 2, 0), values.permute(1, 2, 0))
        out[..., 0] = base
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, knots, slots, lower, h, at_end)
            ctx.k, ctx.inside = k, inside
        return out

    @staticmethod
    def backward(ctx, grad):
        def exact_slope():
            x, knots, *_, at_end = ctx.saved_tensors
            slope = _basis_slope(x, knots, ctx.k)
            return slope if at_end is None else torch.where(at_end.unsqueeze(-1), torch.zeros_like(slope), slope)

        def fast_gradient():
            _, _, slots, lower, h, at_end = ctx.saved_tensors
            k = ctx.k
            # d B_{j−k+r} / du = lower_{r−1} − lower_r for r = 0..k, with lower_{−1} = lower_k = 0
            padded = lower.new_zeros(k + 2, *lower.shape[1:])
            padded[1 : k + 1] = lower
            slope = torch.sub(padded[:-1], padded[1:])  # (k+1, N, d)
            if not ctx.inside:  # (slot 0 is b(x)'s: the bases that do not exist get no gradient)
                slope.masked_fill_(slots == 0, 0)
            upstream = torch.gather(grad, -1, slots.permute(1, 2, 0))  # (N, d, k+1): gradient at each basis
            dx = torch.einsum("ndr,rnd->nd", upstream, slope).div_(h)
            return dx if at_end is None else dx.masked_fill_(at_end, 0)

        return (*_backward(ctx, grad, exact_slope, fast_gradient), None, None, None, None)


class _GeneralFeatures(torch.autograd.Function):
    """The feature buffer on any knots, without autograd's record of the recursion.

    The forward pass runs the general recursion (:func:`.splines._general_recursion`, the same operations, so
    the same values bit for bit as :func:`_reference_features`) and keeps the quotients of its last step; the
    backward pass turns them into the derivative, dB_{j−k+r,k}/dx = k·(q_{r−1} − q_r), and gathers the
    upstream gradient at the k+1 slots of each input. Bases that do not exist are sent to slot 0 and
    overwritten there by b(x) (see :func:`.splines._placement`), so the forward pass needs no mask; the
    backward pass gives them no gradient. When the backward is itself recorded (create_graph),
    the derivative comes from :func:`_basis_slope` instead, which autograd can differentiate again.
    """

    @staticmethod
    def forward(ctx, x, base, knots, k: int, distinct: bool):
        values, slots, quotients = _bases_and_slots(x, knots, k, distinct)  # (k+1, d, N) each, and (k, d, N)
        slots = slots.permute(2, 1, 0)  # (N, d, k+1)
        out = x.new_zeros(*x.shape, knots.shape[1] - k)
        out.scatter_add_(-1, slots, values.permute(2, 1, 0))
        out[..., 0] = base  # (over what the bases that do not exist left in slot 0)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, knots, slots, quotients)
            ctx.k = k
        return out

    @staticmethod
    def backward(ctx, grad):
        def exact_slope():
            x, knots, *_ = ctx.saved_tensors
            return _basis_slope(x, knots, ctx.k)

        def fast_gradient():
            _, _, slots, q = ctx.saved_tensors
            k = ctx.k
            padded = q.new_zeros(k + 2, *q.shape[1:])
            padded[1 : k + 1] = q
            slope = torch.sub(padded[:-1], padded[1:]).mul_(k).permute(2, 1, 0)  # (N, d, k+1)
            slope.masked_fill_(slots == 0, 0)  # (slot 0 is b(x)'s: the bases that do not exist get no gradient)
            upstream = torch.gather(grad, -1, slots)  # (N, d, k+1): the gradient at each input's bases
            return (upstream * slope).sum(-1)

        return (*_backward(ctx, grad, exact_slope, fast_gradient), None, None, None)


def _reference_features(x, base, knots, k):
    """The feature buffer by autograd through :func:`.splines._local_bases` (the reference for tests)."""
    vals, index = _local_bases(x, knots, k)
    vals = torch.cat([base.unsqueeze(-1), vals], dim=-1)
    index = torch.cat([torch.zeros_like(index[..., :1]), index + 1], dim=-1)
    return _dense(vals, index, knots.shape[1] - k)


def features(
    x: torch.Tensor, base: torch.Tensor, knots: torch.Tensor, k: int, spacing=None, distinct: bool = False
) -> torch.Tensor:
    """[b(x), B_0(x), ..., B_{n−1}(x)] for every input: shape (N, d, 1 + n), n = M − k − 1.

    ``x`` (N, d) inputs, ``base`` = b(x) of the same shape, ``knots`` (d, M). ``spacing`` is (t0, h) from
    :func:`.splines._uniform_spacing` when the knots are uniform (the fast path), else None; ``distinct`` says
    that they strictly increase along each row (the general path then skips a guard against repeated knots).
    """
    if spacing is not None:
        return _UniformFeatures.apply(x, base, knots, spacing[0], spacing[1], k)
    return _GeneralFeatures.apply(x, base, knots, k, distinct)
