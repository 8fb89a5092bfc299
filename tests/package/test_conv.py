"""kan_edu.conv against torch's own convolutions, brute force and autograd."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kan_edu import conv, data

rng = np.random.default_rng(0)


def settings_1d():
    """Every stride, dilation, padding and kernel size combination that fits an input of length 17."""
    for s, d, p, k in itertools.product([1, 2, 3], [1, 2, 3], [0, 1, 2, 4], [1, 2, 3, 5]):
        if 17 + 2 * p >= d * (k - 1) + 1:
            yield s, d, p, k


@pytest.mark.parametrize("s, d, p, k", list(settings_1d()))
def test_conv1d_matches_torch(s, d, p, k):
    x, w = rng.normal(size=(2, 3, 17)), rng.normal(size=(4, 3, k))
    ref = F.conv1d(torch.tensor(x), torch.tensor(w), stride=s, dilation=d, padding=p).numpy()
    out = conv.conv1d(x, w, stride=s, dilation=d, padding=p)
    assert isinstance(out, np.ndarray) and out.shape == ref.shape
    assert np.allclose(out, ref, rtol=1e-12, atol=1e-12)
    assert ref.shape[-1] == conv.conv_output_length(17, k, s, d, p)
    # unbatched, and a single channel with a single kernel
    assert np.allclose(conv.conv1d(x[0], w, s, d, p), ref[0])
    single = F.conv1d(torch.tensor(x[:1, :1]), torch.tensor(w[:1, :1]), stride=s, dilation=d, padding=p)
    assert np.allclose(conv.conv1d(x[0, 0], w[0, 0], s, d, p), single.numpy()[0, 0])


def test_conv1d_keeps_torch_tensors_dtype_and_gradients():
    x = torch.randn(2, 3, 20, dtype=torch.float32, requires_grad=True)
    w = torch.randn(5, 3, 3, dtype=torch.float32, requires_grad=True)
    out = conv.conv1d(x, w, stride=2, dilation=2, padding=1)
    ref = F.conv1d(x, w, stride=2, dilation=2, padding=1)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert torch.allclose(out, ref, atol=1e-5)
    g = torch.randn_like(ref)
    gx, gw = torch.autograd.grad((out * g).sum(), (x, w))
    rx, rw = torch.autograd.grad((ref * g).sum(), (x, w))
    assert torch.allclose(gx, rx, atol=1e-5) and torch.allclose(gw, rw, atol=1e-4)
    # a numpy kernel with a tensor input is converted to the input's kind
    assert isinstance(conv.conv1d(x, w.detach().numpy()), torch.Tensor)


def test_conv1d_properties_by_brute_force():
    x, w = rng.normal(size=12), rng.normal(size=3)
    # the definition, one output at a time
    brute = [sum(w[k] * x[i + k] for k in range(3)) for i in range(10)]
    assert np.allclose(conv.conv1d(x, w), brute)
    # an impulse returns the kernel reversed (cross-correlation does not flip)
    impulse = np.zeros(9)
    impulse[4] = 1.0
    assert np.allclose(conv.conv1d(impulse, w)[2:5], w[::-1])
    # linear in x and in w
    y, v = rng.normal(size=12), rng.normal(size=3)
    assert np.allclose(conv.conv1d(2 * x - y, w), 2 * conv.conv1d(x, w) - conv.conv1d(y, w))
    assert np.allclose(conv.conv1d(x, 3 * w + v), 3 * conv.conv1d(x, w) + conv.conv1d(x, v))
    # equivariance: shifting the input by the stride shifts the output by one
    long = rng.normal(size=30)
    assert np.allclose(conv.conv1d(long[2:], w, stride=2), conv.conv1d(long, w, stride=2)[1:])


def test_output_length_formula_and_errors():
    assert conv.conv_output_length(40, 3, stride=2) == 19
    assert conv.conv_output_length(12, 3, padding=1) == 12
    assert conv.conv_output_length(10, 3, dilation=4, padding=0) == 2
    with pytest.raises(ValueError, match="too short"):
        conv.conv_output_length(4, 3, dilation=2)
    with pytest.raises(ValueError, match="too short"):
        conv.conv1d(np.ones(3), np.ones(5))
    with pytest.raises(ValueError, match="one kernel per input channel"):
        conv.conv1d(np.ones((1, 2, 8)), np.ones((3, 4, 3)))
    with pytest.raises(ValueError, match="w must be 1-D"):
        conv.conv1d(np.ones(8), np.ones((1, 1, 3)))
    with pytest.raises(ValueError, match="w is on meta but x is on cpu"):
        conv.conv1d(torch.ones(1, 1, 8), torch.ones(1, 1, 3, device="meta"))


@pytest.mark.parametrize("s, d, p, k", list(settings_1d())[::3])
def test_conv1d_matrix_is_the_convolution(s, d, p, k):
    w = rng.normal(size=(2, 3, k))
    m = conv.conv1d_matrix(w, 17, s, d, p)
    x = rng.normal(size=(5, 3, 17))
    ref = F.conv1d(torch.tensor(x), torch.tensor(w), stride=s, dilation=d, padding=p).numpy()
    assert m.shape == (2 * ref.shape[-1], 3 * 17)
    assert np.allclose((x.reshape(5, -1) @ m.T).reshape(ref.shape), ref)
    assert np.allclose(conv.conv1d_matrix(torch.tensor(w), 17, s, d, p).numpy(), m)


def test_conv1d_matrix_is_banded_with_constant_diagonals():
    w = np.array([0.5, -1.0, 2.0])
    m = conv.conv1d_matrix(w, 10, padding=1)
    assert m.shape == (10, 10)
    for offset in range(-9, 10):
        diagonal = np.diagonal(m, offset)
        expected = w[offset + 1] if -1 <= offset <= 1 else 0.0
        assert np.allclose(diagonal, expected), offset
    # at most K distinct non-zero values, however long the input
    assert set(np.unique(conv.conv1d_matrix(w, 50, stride=2, dilation=3, padding=2))) <= {0.0, *w}
    # a stride keeps every s-th row of the stride-1 matrix
    assert np.allclose(conv.conv1d_matrix(w, 11, stride=2, padding=1), conv.conv1d_matrix(w, 11, padding=1)[::2])


@pytest.mark.parametrize("s, d, p", list(itertools.product([1, 2, 3], [1, 2], [0, 1, 2])))
def test_transposed_conv1d_matches_torch_and_is_the_adjoint(s, d, p):
    w = rng.normal(size=(3, 2, 4))  # conv_transpose1d layout (C_in, C_out, K)
    y = rng.normal(size=(2, 3, 9))
    for op in range(max(s, d)):
        ref = F.conv_transpose1d(torch.tensor(y), torch.tensor(w), stride=s, dilation=d, padding=p, output_padding=op)
        out = conv.transposed_conv1d(y, w, s, d, p, op)
        assert out.shape == tuple(ref.shape) and np.allclose(out, ref.numpy())
    # <conv1d(x), y> = <x, transposed_conv1d(y)>: multiplication by the transposed matrix
    n = (9 - 1) * s - 2 * p + d * 3 + 1
    x = rng.normal(size=(2, 2, n))
    z = conv.conv1d(x, w, s, d, p)
    assert z.shape == y.shape
    assert np.isclose(np.sum(z * y), np.sum(x * conv.transposed_conv1d(y, w, s, d, p)))
    m = conv.conv1d_matrix(w, n, s, d, p)
    assert np.allclose(conv.transposed_conv1d(y, w, s, d, p).reshape(2, -1), y.reshape(2, -1) @ m)


def test_transposed_conv1d_single_signal_and_tensor():
    x, w = rng.normal(size=5), rng.normal(size=3)
    ref = F.conv_transpose1d(torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=2)[0, 0]
    assert np.allclose(conv.transposed_conv1d(x, w, stride=2), ref.numpy())
    xt = torch.tensor(x, requires_grad=True)
    out = conv.transposed_conv1d(xt, w, stride=2)
    assert isinstance(out, torch.Tensor) and out.requires_grad
    with pytest.raises(ValueError, match="output_padding"):
        conv.transposed_conv1d(x, w, stride=2, output_padding=2)


@pytest.mark.parametrize("s, d, p", list(itertools.product([1, 2, (1, 3)], [1, (2, 1)], [0, 1, (2, 0)])))
def test_conv2d_matches_torch(s, d, p):
    x, w = rng.normal(size=(2, 3, 11, 13)), rng.normal(size=(4, 3, 3, 2))
    ref = F.conv2d(torch.tensor(x), torch.tensor(w), stride=s, dilation=d, padding=p).numpy()
    assert np.allclose(conv.conv2d(x, w, s, d, p), ref)
    assert np.allclose(conv.conv2d(x[1], w, s, d, p), ref[1])
    t = conv.conv2d(torch.tensor(x, dtype=torch.float32), torch.tensor(w, dtype=torch.float32), s, d, p)
    assert t.dtype == torch.float32 and np.allclose(t.numpy(), ref, atol=1e-4)
    one = F.conv2d(torch.tensor(x[:1, :1]), torch.tensor(w[:1, :1]), stride=s, dilation=d, padding=p)
    assert np.allclose(conv.conv2d(x[0, 0], w[0, 0], s, d, p), one.numpy()[0, 0])


def test_conv2d_is_shift_equivariant_on_the_photo():
    image = data.sample_image(factor=4)[:60, :80]
    sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    full = conv.conv2d(image, sobel)
    assert np.allclose(conv.conv2d(image[3:, 5:], sobel), full[3:, 5:])


@pytest.mark.parametrize("window, stride", [(2, None), (3, 2), (3, 1), (4, 3)])
def test_pool1d_matches_torch(window, stride):
    x = rng.normal(size=(2, 3, 17))
    t = torch.tensor(x)
    assert np.allclose(conv.pool1d(x, window, stride), F.max_pool1d(t, window, stride).numpy())
    assert np.allclose(conv.pool1d(x, window, stride, "mean"), F.avg_pool1d(t, window, stride).numpy())
    assert torch.allclose(conv.pool1d(t, window, stride), F.max_pool1d(t, window, stride))


@pytest.mark.parametrize("window, stride", [(2, None), (3, 2), ((2, 3), (1, 2))])
def test_pool2d_matches_torch(window, stride):
    x = rng.normal(size=(2, 3, 11, 13))
    t = torch.tensor(x)
    assert np.allclose(conv.pool2d(x, window, stride), F.max_pool2d(t, window, stride).numpy())
    assert np.allclose(conv.pool2d(x, window, stride, "mean"), F.avg_pool2d(t, window, stride).numpy())
    assert np.allclose(conv.pool2d(x[0, 0], window, stride), F.max_pool2d(t[:1, :1], window, stride).numpy()[0, 0])


def test_receptive_field_closed_forms():
    for layers in range(1, 8):
        assert conv.receptive_field([3] * layers) == 2 * layers + 1
        assert conv.receptive_field([3] * layers, dilations=[2**j for j in range(layers)]) == 2 ** (layers + 1) - 1
        assert conv.receptive_field([2] * layers, strides=[2] * layers) == 2**layers
    assert conv.receptive_field([7]) == 7
    with pytest.raises(ValueError, match="one value per layer"):
        conv.receptive_field([3, 3], strides=[1])


def test_receptive_field_grows_with_every_layer():
    ks, ss, ds = rng.integers(1, 6, 12), rng.integers(1, 4, 12), rng.integers(1, 4, 12)
    fields = [conv.receptive_field(ks[:n], ss[:n], ds[:n]) for n in range(1, 13)]
    assert all(b >= a for a, b in zip(fields, fields[1:]))
    assert all(b > a for a, b, k in zip(fields, fields[1:], ks[1:]) if k > 1)


@pytest.mark.parametrize("seed", range(6))
def test_receptive_field_is_the_support_of_the_input_gradient(seed):
    gen = np.random.default_rng(seed)
    n = int(gen.integers(1, 5))
    ks, ss, ds = gen.integers(1, 6, n), gen.integers(1, 4, n), gen.integers(1, 4, n)
    torch.manual_seed(seed)
    layers, channels = [], 1
    for k, s, d in zip(ks, ss, ds):
        layers += [torch.nn.Conv1d(channels, 3, int(k), stride=int(s), dilation=int(d)), torch.nn.Tanh()]
        channels = 3
    net = torch.nn.Sequential(*layers).double()
    r = conv.receptive_field(ks, ss, ds)
    length = r + int(np.prod(ss)) * 4 + 7
    grad = conv.receptive_field_map(net, length)
    support = np.nonzero(grad)[0]
    assert support[-1] - support[0] + 1 == r  # the field spans r positions (dilations can leave holes inside)
    if all(d == 1 for d in ds) and all(k >= s for k, s in zip(ks[1:], ss[:-1])):
        assert len(support) == r  # no holes


def test_receptive_field_map_of_a_linear_stack_counts_paths():
    net = torch.nn.Sequential(torch.nn.Conv1d(1, 1, 3, bias=False), torch.nn.Conv1d(1, 1, 3, bias=False)).double()
    for layer in net:
        torch.nn.init.ones_(layer.weight)
    grad = conv.receptive_field_map(net, 9, position=2)
    assert np.allclose(grad, [0, 0, 1, 2, 3, 2, 1, 0, 0])  # paths through two all-ones kernels
    with pytest.raises(ValueError, match="model must return"):
        conv.receptive_field_map(torch.nn.Flatten(), 9)


def test_sample_image_is_grey_and_shrinks_by_block_means():
    image = data.sample_image()
    assert image.shape == (427, 640) and image.dtype == np.float64
    assert 0 <= image.min() and image.max() <= 1 and image.std() > 0.1
    small = data.sample_image(factor=2)
    assert small.shape == (213, 320)
    assert np.isclose(small[10, 20], image[20:22, 40:42].mean())
    assert data.sample_image("flower.jpg").shape == (427, 640)
