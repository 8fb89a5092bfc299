"""kan_edu.conv: convolution, written out so that every index is visible.

A convolutional layer slides one small set of weights, the **kernel**, along its input and takes a weighted
sum at every stop. In one dimension, with input ``x`` of length L, kernel ``w`` of size K, **stride** s,
**dilation** d and ``p`` zeros of **padding** at each end, output position i is

    z[i] = Σ_k  w[k] · x[s·i + d·k − p]          (k = 0, …, K − 1; x is zero outside 0, …, L − 1)

and there are  L_out = ⌊(L + 2p − d·(K − 1) − 1) / s⌋ + 1  of them (:func:`conv_output_length`). This is the
*cross-correlation* that ``torch.nn.functional.conv1d`` computes and that UDL calls convolution: the kernel
is not flipped. With channels, every output channel has one kernel per input channel and sums over them.

Everything here is built from two moves: gather the input values each output looks at (an array of
*patches*, by fancy indexing), then weigh them (one ``einsum``). The same two moves give

* :func:`conv1d` and :func:`conv2d` (channels, batches, stride, dilation, padding);
* :func:`conv1d_matrix`: the layer as one matrix, banded with constant diagonals (weight sharing);
* :func:`pool1d` and :func:`pool2d`: max or mean over each window instead of a weighted sum;
* :func:`transposed_conv1d`: multiplication by the *transposed* matrix, which spreads each input over a
  window and so upsamples (``torch.nn.functional.conv_transpose1d``);
* :func:`receptive_field`: how many input positions one output of a stack of layers can see,
  r = 1 + Σ_l (K_l − 1)·d_l·∏_{j<l} s_j, and :func:`receptive_field_map`, which measures it with autograd.

Arrays in, arrays out: numpy arrays give float64 numpy arrays; torch tensors give tensors of the input's
dtype and device, differentiable with autograd (a numpy kernel with a tensor input is converted to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ._validate import array, choice, module, size, sizes, tensor

__all__ = [
    "conv_output_length",
    "conv1d",
    "conv1d_matrix",
    "conv2d",
    "pool1d",
    "pool2d",
    "transposed_conv1d",
    "receptive_field",
    "receptive_field_map",
]


# ------------------------------------------------------------------------------------------ the length
def conv_output_length(length: int, kernel_size: int, stride: int = 1, dilation: int = 1, padding: int = 0) -> int:
    """How many outputs a convolution (or a pooling window) makes: ⌊(L + 2p − d(K − 1) − 1)/s⌋ + 1.

    The kernel spans d(K − 1) + 1 input positions; it fits at the start of the padded input and then at every
    s-th position while it still fits. Raises ValueError when it does not fit even once.
    """
    length, kernel_size = size("length", length), size("kernel_size", kernel_size)
    stride, dilation, padding = size("stride", stride), size("dilation", dilation), size("padding", padding, 0)
    return _out_length("length", length, kernel_size, stride, dilation, padding)


def _out_length(name: str, length: int, k: int, stride: int, dilation: int, padding: int) -> int:
    span = dilation * (k - 1) + 1
    if length + 2 * padding < span:
        raise ValueError(
            f"{name} (length {length}) is too short for the kernel: with padding {padding} it must be at least "
            f"{span} long (the span of a kernel of size {k} with dilation {dilation})"
        )
    return (length + 2 * padding - span) // stride + 1


# ------------------------------------------------------------------------------------- arguments in
def _is_tensor(x) -> bool:
    return isinstance(x, torch.Tensor)


def _signal(name: str, x, ndim):
    """A float tensor (kept as it is) or a float64 numpy array, of one of the allowed dimensions."""
    if _is_tensor(x):
        return tensor(name, x, ndim, floating=True, empty=False)
    return array(name, x, ndim, empty=False)


def _like(name: str, w, x, ndim):
    """``w`` checked, in the kind of ``x``: a tensor on x's device and dtype, or a float64 array."""
    if not _is_tensor(x):
        return array(name, w, ndim, empty=False)
    if _is_tensor(w):
        w = tensor(name, w, ndim, floating=True, empty=False)
        if w.device != x.device:
            raise ValueError(f"{name} is on {w.device} but x is on {x.device}: move one of them (.to(device))")
        return w.to(x.dtype)
    w = array(name, w, ndim, empty=False)
    return torch.as_tensor(w, dtype=x.dtype, device=x.device)


def _pair(name: str, value, minimum: int = 1) -> tuple[int, int]:
    """One size for both image axes, or a pair (rows, columns)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be one integer or a pair (rows, columns), got {value!r:.60}")
        return size(f"{name}[0]", value[0], minimum), size(f"{name}[1]", value[1], minimum)
    v = size(name, value, minimum)
    return v, v


def _channels(x_name, x, w_name, w, axis):
    if x.shape[axis] != w.shape[1]:
        raise ValueError(
            f"{w_name} must have one kernel per input channel: {w_name} has {w.shape[1]} (shape "
            f"{tuple(w.shape)}) but {x_name} has {x.shape[axis]} channels (shape {tuple(x.shape)})"
        )


# --------------------------------------------------------------------------------------- the gathers
def _pad(x, pads):
    """Zeros around the last len(pads) axes (pads: one (before, after) per axis, in order)."""
    if _is_tensor(x):
        flat = [p for before_after in reversed(pads) for p in before_after]  # torch lists the last axis first
        return torch.nn.functional.pad(x, flat)
    return np.pad(x, [(0, 0)] * (x.ndim - len(pads)) + list(pads))


def _window_index(n_out: int, k: int, stride: int, dilation: int, like):
    """(n_out, k) positions in the padded input: window i starts at stride·i and takes every dilation-th."""
    idx = stride * np.arange(n_out)[:, None] + dilation * np.arange(k)[None, :]
    return torch.as_tensor(idx, device=like.device) if _is_tensor(like) else idx


def _patches1d(x, k, stride, dilation, padding):
    """x (..., L) -> (..., L_out, K): the K input values under each output (zeros from the padding)."""
    n_out = _out_length("x", x.shape[-1], k, stride, dilation, padding)
    return _pad(x, [(padding, padding)])[..., _window_index(n_out, k, stride, dilation, x)]


def _patches2d(x, k, stride, dilation, padding):
    """x (..., H, W) -> (..., H_out, W_out, KH, KW), the 2-D windows."""
    rows = _out_length("x (rows)", x.shape[-2], k[0], stride[0], dilation[0], padding[0])
    cols = _out_length("x (columns)", x.shape[-1], k[1], stride[1], dilation[1], padding[1])
    xp = _pad(x, [(padding[0], padding[0]), (padding[1], padding[1])])
    r = _window_index(rows, k[0], stride[0], dilation[0], x)
    c = _window_index(cols, k[1], stride[1], dilation[1], x)
    return xp[..., r[:, None, :, None], c[None, :, None, :]]


def _einsum(spec, *operands):
    return (torch.einsum if _is_tensor(operands[0]) else np.einsum)(spec, *operands)


# ----------------------------------------------------------------------------------------- convolution
def conv1d(x, w, stride: int = 1, dilation: int = 1, padding: int = 0):
    """The 1-D convolution (cross-correlation) of ``torch.nn.functional.conv1d``, written as gather + einsum.

    ``x`` (B, C_in, L) with ``w`` (C_out, C_in, K) gives (B, C_out, L_out); an unbatched ``x`` (C_in, L) gives
    (C_out, L_out); and a single signal ``x`` (L,) with a single kernel ``w`` (K,) gives (L_out,). ``padding``
    zeros go at each end. No bias: add it afterwards if you want one.
    """
    x = _signal("x", x, (1, 2, 3))
    w = _like("w", w, x, 1 if x.ndim == 1 else 3)
    stride, dilation, padding = size("stride", stride), size("dilation", dilation), size("padding", padding, 0)
    if x.ndim > 1:
        _channels("x", x, "w", w, -2)
    patches = _patches1d(x, w.shape[-1], stride, dilation, padding)  # (..., C_in, L_out, K)
    if x.ndim == 1:
        return _einsum("lk,k->l", patches, w)
    return _einsum("...clk,ock->...ol", patches, w)


def conv2d(x, w, stride=1, dilation=1, padding=0):
    """The 2-D convolution of ``torch.nn.functional.conv2d`` (no bias), written as gather + einsum.

    ``x`` (B, C_in, H, W) with ``w`` (C_out, C_in, KH, KW) gives (B, C_out, H_out, W_out); an unbatched ``x``
    (C_in, H, W) gives (C_out, H_out, W_out); a grey image ``x`` (H, W) with one kernel ``w`` (KH, KW) gives
    (H_out, W_out). ``stride``, ``dilation`` and ``padding`` are one integer or a pair (rows, columns).
    """
    x = _signal("x", x, (2, 3, 4))
    w = _like("w", w, x, 2 if x.ndim == 2 else 4)
    stride, dilation, padding = _pair("stride", stride), _pair("dilation", dilation), _pair("padding", padding, 0)
    if x.ndim > 2:
        _channels("x", x, "w", w, -3)
    patches = _patches2d(x, tuple(w.shape[-2:]), stride, dilation, padding)  # (..., C_in, H_out, W_out, KH, KW)
    if x.ndim == 2:
        return _einsum("hwij,ij->hw", patches, w)
    return _einsum("...chwij,ocij->...ohw", patches, w)


def conv1d_matrix(w, length: int, stride: int = 1, dilation: int = 1, padding: int = 0):
    """The convolution as a matrix M, with ``conv1d(x, w, ...) == M @ x`` for every input of length ``length``.

    A single kernel ``w`` (K,) gives M of shape (L_out, length): row i holds the kernel at columns
    s·i + d·k − p (those that fall inside the input), so M is banded and every diagonal that the kernel touches
    is constant (the same weight, shared by every position). A kernel ``w`` (C_out, C_in, K) gives the block
    matrix (C_out·L_out, C_in·length) acting on the channels laid end to end, ``x.reshape(-1)``.
    """
    w = tensor("w", w, (1, 3), floating=True, empty=False) if _is_tensor(w) else array("w", w, (1, 3), empty=False)
    length = size("length", length)
    stride, dilation, padding = size("stride", stride), size("dilation", dilation), size("padding", padding, 0)
    w3 = w[None, None] if w.ndim == 1 else w
    n_out, c_out, c_in, k = _out_length("length", length, w3.shape[-1], stride, dilation, padding), *w3.shape
    shape = (c_out, n_out, c_in, length + 2 * padding)
    m = torch.zeros(shape, dtype=w.dtype, device=w.device) if _is_tensor(w) else np.zeros(shape)
    rows = np.arange(n_out)
    for tap in range(k):  # one diagonal of the band per kernel weight
        m[:, rows, :, stride * rows + dilation * tap] = w3[:, :, tap]
    m = m[..., padding : padding + length]  # columns that multiply padding zeros are dropped
    return m[0, :, 0, :] if w.ndim == 1 else m.reshape(c_out * n_out, c_in * length)


def transposed_conv1d(x, w, stride: int = 1, dilation: int = 1, padding: int = 0, output_padding: int = 0):
    """The transposed convolution of ``torch.nn.functional.conv_transpose1d`` (no bias).

    ``x`` (B, C_in, L) with ``w`` (C_in, C_out, K) gives (B, C_out, L_out) with
    L_out = (L − 1)·s − 2p + d·(K − 1) + 1 + output_padding; an unbatched ``x`` (C_in, L) and a single signal
    ``x`` (L,) with ``w`` (K,) work as in :func:`conv1d`. Each input value paints a copy of the kernel into the
    output, and copies from neighbouring inputs start ``stride`` apart and overlap: this is multiplication by
    the transpose of :func:`conv1d_matrix`, so it maps a short signal to a long one (upsampling).
    ``output_padding`` (< stride) adds outputs at the end, to reach the length a strided convolution came from.
    """
    x = _signal("x", x, (1, 2, 3))
    w = _like("w", w, x, 1 if x.ndim == 1 else 3)
    stride, dilation, padding = size("stride", stride), size("dilation", dilation), size("padding", padding, 0)
    output_padding = size("output_padding", output_padding, 0, maximum=max(stride, dilation) - 1)
    if x.ndim > 1 and x.shape[-2] != w.shape[0]:
        raise ValueError(
            f"w must have one row of kernels per input channel: w has {w.shape[0]} (shape {tuple(w.shape)}) "
            f"but x has {x.shape[-2]} channels (shape {tuple(x.shape)})"
        )
    w3 = w[None, None] if w.ndim == 1 else w
    x3 = x[None] if x.ndim == 1 else x
    n, k = x.shape[-1], w3.shape[-1]
    full = (n - 1) * stride + dilation * (k - 1) + 1 + output_padding
    if full - 2 * padding < 1:
        raise ValueError(f"padding {padding} removes every output (the uncropped output has length {full})")
    shape = x3.shape[:-2] + (w3.shape[1], full)
    out = torch.zeros(shape, dtype=x.dtype, device=x.device) if _is_tensor(x) else np.zeros(shape)
    for tap in range(k):  # tap k of every kernel adds a stride-spaced copy of the input, shifted by d·k
        start = dilation * tap
        out[..., start : start + (n - 1) * stride + 1 : stride] += _einsum("...cl,co->...ol", x3, w3[:, :, tap])
    out = out[..., padding : full - padding]
    return out[0] if x.ndim == 1 else out


# --------------------------------------------------------------------------------------------- pooling
POOL_MODES = ("max", "mean")


def _reduce(patches, mode: str, axes: tuple[int, ...]):
    if _is_tensor(patches):
        return patches.amax(dim=axes) if mode == "max" else patches.mean(dim=axes)
    return patches.max(axis=axes) if mode == "max" else patches.mean(axis=axes)


def pool1d(x, window: int = 2, stride: int | None = None, mode: str = "max"):
    """Max or mean pooling over the last axis of ``x`` (any leading axes): windows of ``window`` values,
    ``stride`` apart.

    ``stride`` defaults to ``window`` (windows that tile the signal); an incomplete window at the end is
    dropped, as ``torch.nn.functional.max_pool1d`` / ``avg_pool1d`` do.
    """
    x = _signal("x", x, (1, 2, 3, 4))
    k = size("window", window)
    stride = k if stride is None else size("stride", stride)
    mode = choice("mode", mode, POOL_MODES)
    return _reduce(_patches1d(x, k, stride, 1, 0), mode, (-1,))


def pool2d(x, window=2, stride=None, mode: str = "max"):
    """Max or mean pooling over the last two axes of ``x`` (an image, or (B, C, H, W) feature maps).

    ``window`` and ``stride`` are one integer or a pair (rows, columns); ``stride`` defaults to ``window``.
    """
    x = _signal("x", x, (2, 3, 4))
    k = _pair("window", window)
    stride = k if stride is None else _pair("stride", stride)
    mode = choice("mode", mode, POOL_MODES)
    return _reduce(_patches2d(x, k, stride, (1, 1), (0, 0)), mode, (-2, -1))


# ------------------------------------------------------------------------------------ receptive fields
def receptive_field(kernel_sizes: Sequence[int], strides: Sequence[int] | None = None, dilations=None) -> int:
    """How many input positions one output of a stack of 1-D convolutions spans, first to last.

    Layer l (kernel K_l, stride s_l, dilation d_l) widens the field by (K_l − 1)·d_l steps of *its* input,
    and one step there is ∏_{j<l} s_j input positions, the product of the strides below it:

        r = 1 + Σ_l (K_l − 1) · d_l · ∏_{j<l} s_j.

    Pooling windows count as layers (kernel = window, stride = its stride). ``strides`` and ``dilations``
    default to ones. Inside the span the output may skip positions: a dilation larger than the stride below
    it, or a stride larger than the kernel above it, leaves holes (the "gridding" of dilated stacks).
    """
    ks = sizes("kernel_sizes", kernel_sizes)
    ss = [1] * len(ks) if strides is None else sizes("strides", strides)
    ds = [1] * len(ks) if dilations is None else sizes("dilations", dilations)
    if not len(ks) == len(ss) == len(ds):
        raise ValueError(
            f"kernel_sizes, strides and dilations must list one value per layer, got {len(ks)}, {len(ss)}, {len(ds)}"
        )
    field, step = 1, 1
    for k, s, d in zip(ks, ss, ds):
        field += (k - 1) * d * step
        step *= s
    return field


def receptive_field_map(model: torch.nn.Module, length: int, position: int | None = None, in_channels: int = 1):
    """Where one output of ``model`` looks: |∂ output / ∂ input| for one random input, as numpy (length,).

    ``model`` maps (1, in_channels, length) to (1, C_out, L_out) (a stack of ``Conv1d`` layers, say). The output
    at ``position`` (default: the middle one), summed over its channels, is differentiated with respect to a
    seeded random input; the result is summed over input channels. Its non-zero entries span the receptive
    field (generically: a ReLU that happens to be off, or weights that cancel, can hide part of it).
    """
    model = module("model", model)
    length, in_channels = size("length", length), size("in_channels", in_channels, maximum=10_000)
    param = next(model.parameters(), None)
    dtype, device = (param.dtype, param.device) if param is not None else (torch.float64, torch.device("cpu"))
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1, in_channels, length, generator=gen, dtype=torch.float64).to(dtype=dtype, device=device)
    x.requires_grad_(True)
    try:
        out = model(x)
    except RuntimeError as err:
        raise ValueError(
            f"model cannot take an input of shape (1, in_channels={in_channels}, length={length}): {err}"
        ) from err
    if not isinstance(out, torch.Tensor) or out.ndim != 3:
        raise ValueError(f"model must return (1, C_out, L_out) for an input (1, in_channels, length), got {out!r:.60}")
    n_out = out.shape[-1]
    position = n_out // 2 if position is None else size("position", position, 0, maximum=n_out - 1)
    (grad,) = torch.autograd.grad(out[0, :, position].sum(), x)
    return grad.abs().sum(dim=1)[0].detach().cpu().double().numpy()
