"""The checks of kan_edu.check.conv (chapter 10) pass right answers, fail plausible wrong ones, never raise, never
tell."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ----------------------------------------------------------------------------------------------- conv1d
def loop_conv(x, w, stride=1, dilation=1, padding=0):
    x = np.pad(np.asarray(x, dtype=float), padding)
    n = (len(x) - dilation * (len(w) - 1) - 1) // stride + 1
    return np.array([sum(w[k] * x[stride * i + dilation * k] for k in range(len(w))) for i in range(n)])


def torch_conv(x, w, stride=1, dilation=1, padding=0):
    t = F.conv1d(
        torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=stride, dilation=dilation, padding=padding
    )
    return t[0, 0].numpy()


def flipped(x, w, stride=1, dilation=1, padding=0):
    return loop_conv(x, np.asarray(w)[::-1], stride, dilation, padding)


def one_sided_padding(x, w, stride=1, dilation=1, padding=0):
    return loop_conv(np.pad(np.asarray(x, dtype=float), (2 * padding, 0)), w, stride, dilation, 0)


def thinned_input(x, w, stride=1, dilation=1, padding=0):
    return loop_conv(np.pad(np.asarray(x, dtype=float), padding)[::stride], w, 1, dilation, 0)


def dilation_ignored(x, w, stride=1, dilation=1, padding=0):
    return loop_conv(x, w, stride, 1, padding)


def rounded_up(x, w, stride=1, dilation=1, padding=0):
    """Counts windows with a ceiling: one window too many whenever the last one does not fit."""
    xp = np.pad(np.asarray(x, dtype=float), (padding, padding + stride))
    n = -(-(len(x) + 2 * padding - dilation * (len(w) - 1) - 1) // stride) + 1
    return np.array([sum(w[k] * xp[stride * i + dilation * k] for k in range(len(w))) for i in range(n)])


def one_short(x, w, stride=1, dilation=1, padding=0):
    return loop_conv(x, w, stride, dilation, padding)[:-1]


CONV_WRONGS = [flipped, one_sided_padding, thinned_input, dilation_ignored, rounded_up, one_short]


def test_conv1d_check(capsys):
    for right in (loop_conv, torch_conv):
        assert_check(check.conv1d, right, CONV_WRONGS, ["np.pad", "einsum", "stride * i"], capsys)
    assert_hint_or_not_answered(
        check.conv1d, loop_conv, CONV_WRONGS + [lambda x, w, **k: ...], (np.ones(5), np.ones(3)), capsys
    )


def test_flipped_kernel_gets_the_flip_hint(capsys):
    check.conv1d(flipped)
    assert "flipped" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------ conv_matrix
def matrix(w, n):
    r = (len(w) - 1) // 2
    m = np.zeros((n, n))
    for i in range(n):
        for k, wk in enumerate(w):
            if 0 <= i + k - r < n:
                m[i, i + k - r] = wk
    return m


def circulant(w, n):
    r = (len(w) - 1) // 2
    m = np.zeros((n, n))
    for i in range(n):
        for k, wk in enumerate(w):
            m[i, (i + k - r) % n] = wk
    return m


def not_centred(w, n):
    m = np.zeros((n, n))
    for i in range(n):
        for k, wk in enumerate(w):
            if i + k < n:
                m[i, i + k] = wk
    return m


def centred_for_three_only(w, n):
    """Right for kernels of size 3 (the easy case), off by one for size 5."""
    m = np.zeros((n, n))
    for i in range(n):
        for k, wk in enumerate(w):
            if 0 <= i + k - 1 < n:
                m[i, i + k - 1] = wk
    return m


MATRIX_WRONGS = [
    lambda w, n: matrix(w, n).T,
    lambda w, n: matrix(np.asarray(w)[::-1], n),
    circulant,
    not_centred,
    centred_for_three_only,
    lambda w, n: matrix(w, n + 1),
]


def test_conv_matrix_check(capsys):
    assert_check(check.conv_matrix, matrix, MATRIX_WRONGS, ["np.zeros", "% n", "i + k"], capsys)
    assert_hint_or_not_answered(check.conv_matrix, matrix, MATRIX_WRONGS, (np.ones(3), 4), capsys)


def test_wraparound_gets_the_edge_hint(capsys):
    check.conv_matrix(circulant)
    assert "wraps around" in capsys.readouterr().out


# -------------------------------------------------------------------------------------- receptive_field
def field(ks, ss, ds):
    r, step = 1, 1
    for k, s, d in zip(ks, ss, ds):
        r += (k - 1) * d * step
        step *= s
    return r


def own_stride_counted(ks, ss, ds):
    r, step = 1, 1
    for k, s, d in zip(ks, ss, ds):
        step *= s
        r += (k - 1) * d * step
    return r


FIELD_WRONGS = [
    own_stride_counted,
    lambda ks, ss, ds: sum(ks),
    lambda ks, ss, ds: field(ks, ss, [1] * len(ks)),
    lambda ks, ss, ds: sum((k - 1) * d for k, d in zip(ks, ds)) + 1,  # right without strides only
    lambda ks, ss, ds: int(np.prod(ks)),
    lambda ks, ss, ds: field(ks, ss, ds) - 1,
]


def test_receptive_field_check(capsys):
    assert_check(check.receptive_field, field, FIELD_WRONGS, ["step *=", "np.prod"], capsys)
    assert_hint_or_not_answered(check.receptive_field, field, FIELD_WRONGS, ([3], [1], [1]), capsys)


# --------------------------------------------------------------------------------------- wide network
def stack(dilations, strides=None, act=torch.nn.ReLU):
    strides = strides or [1] * len(dilations)
    layers, c = [], 1
    for d, s in zip(dilations, strides):
        layers += [torch.nn.Conv1d(c, 4, 3, stride=s, dilation=d, padding=d), act()]
        c = 4
    return torch.nn.Sequential(*layers[:-1])


def test_wide_field_network_check(capsys):
    torch.manual_seed(0)
    right = stack([1, 3, 9, 27])
    strided = stack([1, 1, 1, 1], [3, 3, 3, 1])
    before = [p.clone() for p in right.parameters()]
    wrongs = [
        stack([1, 1, 1, 1]),  # 9 inputs
        stack([1, 2, 4, 8]),  # 31 inputs
        stack([1, 4, 16, 64]),  # holes
        stack([1, 3, 9, 27, 81]),  # five layers
        torch.nn.Sequential(torch.nn.Conv1d(1, 4, 5, dilation=9, padding=18)),  # kernel 5
        torch.nn.Sequential(torch.nn.Conv1d(1, 4, 3), torch.nn.Flatten(), torch.nn.Linear(152, 1)),
        torch.nn.Sequential(torch.nn.Conv1d(2, 4, 3)),
        None,
        ...,
        "a model",
    ]
    assert_check(check.wide_field_network, right, wrongs, ["dilation=", "Conv1d(4"], capsys)
    assert check.wide_field_network(strided)
    # the student's model is not changed (the check works on a float64 copy)
    assert all(torch.equal(a, b) and b.dtype == torch.float32 for a, b in zip(before, right.parameters()))
    out = capsys.readouterr().out
    assert "not answered" in out or "\u2714" in out


def test_holes_get_the_gridding_hint(capsys):
    torch.manual_seed(0)
    # dilation 5 on top of a field 3 wide skips inputs: an output of dilations 1, 5, 14 spans 0-39 with holes
    verdict = check.wide_field_network(stack([1, 5, 14]))
    out = capsys.readouterr().out
    assert not verdict and "no holes" in out


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.conv1d, check.conv_matrix, check.receptive_field], capsys)
