"""Checks for convolutional networks: a 1-D convolution, its matrix, the receptive field, a wide-field network.

The references are torch's own ``torch.nn.functional.conv1d`` and :mod:`kan_edu.conv` (tested against torch
and autograd in tests/package/test_conv.py). Kernels are never symmetric here, so a flipped kernel is caught.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F

from .. import conv
from ._core import NotAnswered, answer, close, run

__all__ = ["conv1d", "conv_matrix", "receptive_field", "wide_field_network"]

_rng = np.random.default_rng(10)
_X = _rng.normal(size=23)
_KERNELS = {k: _rng.normal(size=k) for k in (1, 2, 3, 4, 5)}


def _torch_conv(x, w, stride=1, dilation=1, padding=0):
    t = F.conv1d(
        torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=stride, dilation=dilation, padding=padding
    )
    return t[0, 0].numpy()


def _matches(fn, k, **settings) -> bool:
    out = np.asarray(answer(fn, _X.copy(), _KERNELS[k].copy(), **settings), dtype=float)
    return close(out, _torch_conv(_X, _KERNELS[k], **settings), rtol=1e-6, atol=1e-9)


def _length(fn, k, **settings) -> bool:
    out = answer(fn, _X.copy(), _KERNELS[k].copy(), **settings)
    return np.shape(out) == _torch_conv(_X, _KERNELS[k], **settings).shape


def conv1d(fn):
    """Check ``fn(x, w, stride=1, dilation=1, padding=0)``: one signal (L,), one kernel (K,) -> (L_out,)."""
    combos = [
        dict(stride=2, dilation=2, padding=1),
        dict(stride=3, dilation=1, padding=2),
        dict(stride=2, dilation=3, padding=4),
    ]
    return run(
        "conv1d",
        [
            (
                "a kernel of size 3 with no padding gives 21 outputs for 23 inputs",
                lambda: _length(fn, 3),
                "count the positions where the whole kernel fits inside the signal.",
            ),
            (
                "stride 1, no padding, no dilation: the outputs match torch.nn.functional.conv1d",
                lambda: _matches(fn, 3) and _matches(fn, 4),
                "output i is a weighted sum of the inputs under the kernel, and the kernel is not flipped "
                "(torch and UDL compute a cross-correlation, not np.convolve).",
            ),
            (
                "padding p adds p zeros at each end",
                lambda: _matches(fn, 3, padding=1) and _matches(fn, 5, padding=3),
                "pad both ends, with zeros, before the kernel slides; the output gets longer by 2p.",
            ),
            (
                "a stride keeps the windows that start stride positions apart",
                lambda: _matches(fn, 3, stride=2) and _matches(fn, 2, stride=3),
                "the stride spaces the windows' starting points; it does not thin the input, and the last "
                "window must still fit inside the signal (round the count down).",
            ),
            (
                "a dilation spaces the kernel's taps",
                lambda: _matches(fn, 3, dilation=2) and _matches(fn, 4, dilation=3),
                "with dilation d the taps of the kernel sit d positions apart, so one window spans more "
                "input than K positions.",
            ),
            (
                "stride, dilation and padding together (and a kernel of size 1)",
                lambda: all(_matches(fn, k, **c) for k, c in zip((3, 4, 5), combos)) and _matches(fn, 1, stride=2),
                "each setting works alone but not together: pad before taking any window, and let the stride and "
                "the dilation both act on the padded signal.",
            ),
        ],
    )


def _reference_matrix(w, n):
    return conv.conv1d_matrix(w, n, padding=(len(w) - 1) // 2)


def _matrix(fn, k, n):
    m = answer(fn, _KERNELS[k].copy(), n)
    return np.asarray(m, dtype=float)


def conv_matrix(fn):
    """Check ``fn(w, n)``: the (n, n) matrix of the zero-padded, stride-1 convolution with an odd kernel ``w``."""
    x = _rng.normal(size=9)

    def interior(k):
        m = _matrix(fn, k, 9)
        r = (k - 1) // 2
        return m.shape == (9, 9) and close((m @ x)[r:-r], conv.conv1d(x, _KERNELS[k], padding=r)[r:-r])

    return run(
        "conv_matrix",
        [
            (
                "a kernel of size 3 and n = 9 give a 9 × 9 matrix",
                lambda: np.shape(answer(fn, _KERNELS[3].copy(), 9)) == (9, 9),
                "one row per output and one column per input; zero padding keeps the length.",
            ),
            (
                "M @ x equals the convolution away from the ends",
                lambda: interior(3),
                "row i holds the weight each input gets in output i: the kernel's middle weight sits on the "
                "diagonal, in the kernel's own order (not flipped, and not transposed).",
            ),
            (
                "M @ x equals the zero-padded convolution at the ends too",
                lambda: close(_matrix(fn, 3, 9), _reference_matrix(_KERNELS[3], 9)),
                "near the ends part of the kernel falls on the padding zeros: those weights are dropped, "
                "nothing wraps around to the other end.",
            ),
            (
                "kernels of size 5 and 1 work, for other lengths too",
                lambda: (
                    interior(5)
                    and close(_matrix(fn, 5, 7), _reference_matrix(_KERNELS[5], 7))
                    and close(_matrix(fn, 1, 4), _reference_matrix(_KERNELS[1], 4))
                ),
                "a larger kernel reaches (K - 1) / 2 columns to each side of the diagonal.",
            ),
        ],
    )


_STACKS = [
    ([3, 5, 3], [2, 1, 3], [1, 2, 1]),
    ([2, 3, 3, 4], [3, 2, 1, 2], [1, 1, 3, 2]),
    ([1, 3, 7], [2, 2, 1], [1, 1, 1]),
]


def receptive_field(fn):
    """Check ``fn(kernel_sizes, strides, dilations)``: the receptive field of a stack of 1-D convolutions."""

    def ok(ks, ss=None, ds=None):
        ss = [1] * len(ks) if ss is None else ss
        ds = [1] * len(ks) if ds is None else ds
        got = answer(fn, list(ks), list(ss), list(ds))
        return np.size(got) == 1 and float(np.asarray(got, dtype=float).reshape(-1)[0]) == conv.receptive_field(
            ks, ss, ds
        )

    return run(
        "receptive_field",
        [
            (
                "one layer sees as many inputs as its kernel has weights",
                lambda: ok([1]) and ok([3]) and ok([7]),
                "with one layer of stride 1 and dilation 1, the field is the kernel.",
            ),
            (
                "L layers of kernel 3 (no stride, no dilation) see 2L + 1 inputs",
                lambda: all(ok([3] * n) for n in (2, 3, 6)),
                "each further layer widens the field by K - 1 positions, not K: neighbouring windows overlap.",
            ),
            (
                "dilations widen the field",
                lambda: ok([3, 3, 3], ds=[1, 2, 4]) and ok([5, 2], ds=[3, 1]),
                "a dilated kernel spans d(K - 1) + 1 positions of its input.",
            ),
            (
                "strides widen the field of every layer above them",
                lambda: ok([3, 3, 3], ss=[2, 2, 2]) and ok([2, 2], ss=[3, 1]) and ok([4], ss=[5]),
                "one step in a layer's input is as many input positions as the product of the strides below "
                "that layer; a layer's own stride spaces its outputs but does not widen what each one sees.",
            ),
            (
                "kernels, strides and dilations together",
                lambda: all(ok(*stack) for stack in _STACKS),
                "combine both effects layer by layer: the widening a layer's kernel and dilation cause, measured "
                "in input positions through the strides of the layers below.",
            ),
        ],
    )


def wide_field_network(model):
    """Check a model of at most 4 ``Conv1d`` layers of kernel size 3 in which some output sees all 40 inputs."""

    def convs():
        if model is None or model is Ellipsis:
            raise NotAnswered("Build the model first (replace the ...).")
        if not isinstance(model, torch.nn.Module):
            raise NotAnswered(f"Expected a torch.nn.Module, got {type(model).__name__}.")
        return [m for m in model.modules() if isinstance(m, torch.nn.Conv1d)]

    def fields():
        """Row j: |d output j / d input| summed over channels and 8 seeded random inputs (on a float64 copy)."""
        net = copy.deepcopy(model).double()
        x = torch.randn(8, 1, 40, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
        x.requires_grad_(True)
        out = net(x)
        if not isinstance(out, torch.Tensor) or out.ndim != 3 or out.shape[-1] < 1:
            return None
        rows = []
        for j in range(out.shape[-1]):
            (grad,) = torch.autograd.grad(out[:, :, j].sum(), x, retain_graph=True)
            rows.append(grad.abs().sum(dim=(0, 1)).numpy())
        return np.array(rows)

    def spans():
        return any(len(seen) and seen[0] == 0 and seen[-1] == 39 for seen in (np.nonzero(r)[0] for r in fields()))

    return run(
        "wide_field_network",
        [
            (
                "the model is built from 1 to 4 Conv1d layers, each with kernel size 3",
                lambda: 1 <= len(convs()) <= 4 and all(c.kernel_size == (3,) for c in convs()),
                "use torch.nn.Conv1d(in_channels, out_channels, 3, ...) layers, no more than four of them.",
            ),
            (
                "it takes one channel of 40 samples, shape (B, 1, 40), and returns (B, channels, length)",
                lambda: convs()[0].in_channels == 1 and fields() is not None,
                "the first layer has in_channels=1, and nothing may flatten the output; if the signal runs out "
                "before the last layer, pad it.",
            ),
            (
                "the receptive field of some output reaches both ends of the signal",
                spans,
                "four plain layers of kernel 3 see only 9 inputs: space the kernel's taps (dilation) or the "
                "windows (stride) so that every layer widens the field much more than the one below it.",
            ),
            (
                "some output depends on every one of the 40 inputs, with no holes in its field",
                lambda: bool(np.any(np.all(fields() > 0, axis=1))),
                "a layer whose taps are further apart than the field of the layer below skips inputs: let the "
                "dilation (or stride) grow no faster than the field underneath.",
            ),
        ],
    )
