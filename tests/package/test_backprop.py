"""kan_edu.backprop against finite differences, torch autograd, and the variance recursion of ReLU layers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kan_edu import backprop as bp


def toy_torch(x, y, phi):
    p = torch.tensor(phi, dtype=torch.float64, requires_grad=True)
    x, y = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)
    f = p[4] + p[5] * torch.sin(p[2] + p[3] * torch.tanh(p[0] + p[1] * x))
    loss = ((f - y) ** 2).sum()
    loss.backward()
    return loss.item(), p.grad.numpy()


@pytest.mark.parametrize("seed", range(4))
def test_toy_gradient_matches_autograd_and_finite_differences(seed):
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=6)
    for x, y in [(rng.normal(), rng.normal()), (rng.normal(size=7), rng.normal(size=7))]:
        loss, cache = bp.toy_forward(x, y, phi)
        ref_loss, ref_grad = toy_torch(x, y, phi)
        assert abs(loss - ref_loss) < 1e-12
        grad = bp.toy_backward(x, y, phi)
        assert np.allclose(grad, ref_grad, rtol=1e-12, atol=1e-13)
        fd = bp.finite_difference_gradient(lambda p: bp.toy_forward(x, y, p)[0], phi)
        assert np.allclose(grad, fd, rtol=1e-6, atol=1e-8)
        assert np.allclose(cache["h1"], np.tanh(cache["z0"])) and np.allclose(cache["h2"], np.sin(cache["z1"]))


def test_finite_differences_are_second_order():
    f = lambda t: np.sin(t[0]) * np.exp(t[1])  # noqa: E731
    theta = np.array([0.7, -0.2])
    exact = np.array([np.cos(0.7) * np.exp(-0.2), np.sin(0.7) * np.exp(-0.2)])
    e1 = np.abs(bp.finite_difference_gradient(f, theta, h=1e-2) - exact).max()
    e2 = np.abs(bp.finite_difference_gradient(f, theta, h=5e-3) - exact).max()
    assert 3.5 < e1 / e2 < 4.5  # halving h divides the error by 4
    assert np.abs(bp.finite_difference_gradient(f, theta) - exact).max() < 1e-9
    m = np.arange(6.0).reshape(2, 3)
    assert np.allclose(bp.finite_difference_gradient(lambda a: np.sum(a**2), m), 2 * m)


def torch_net(params, X):
    Ws = [torch.tensor(W, requires_grad=True) for W, _ in params]
    bs = [torch.tensor(b, requires_grad=True) for _, b in params]
    h = torch.tensor(X)
    zs = []
    for k, (W, b) in enumerate(zip(Ws, bs)):
        z = h @ W.T + b
        z.retain_grad()
        zs.append(z)
        h = torch.relu(z) if k < len(Ws) - 1 else z
    return h, Ws, bs, zs


@pytest.mark.parametrize("widths, bias", [([3, 5, 4, 2], 0.1), ([8] * 7 + [1], 0.0), ([2, 1], -0.3)])
def test_relu_net_backward_matches_autograd(widths, bias):
    rng = np.random.default_rng(1)
    params = bp.relu_net_init(widths, 2.0 / np.array(widths[:-1]), seed=2, bias=bias)
    X = rng.normal(size=(11, widths[0]))
    target = rng.normal(size=(11, widths[-1]))
    out, cache = bp.relu_net_forward(params, X)
    loss, dout = bp.mse_loss(out, target)
    grads, dzs = bp.relu_net_backward(params, cache, dout)
    t_out, Ws, bs, zs = torch_net(params, X)
    t_loss = ((t_out - torch.tensor(target)) ** 2).sum() / 11
    t_loss.backward()
    assert np.allclose(out, t_out.detach().numpy()) and abs(loss - t_loss.item()) < 1e-12
    for (dW, db), W, b, dz, z in zip(grads, Ws, bs, dzs, zs):
        assert np.allclose(dW, W.grad.numpy(), rtol=1e-10, atol=1e-12)
        assert np.allclose(db, b.grad.numpy(), rtol=1e-10, atol=1e-12)
        assert np.allclose(dz, z.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mse_loss_gradient_by_finite_differences():
    rng = np.random.default_rng(3)
    out, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    fd = bp.finite_difference_gradient(lambda o: bp.mse_loss(o, target)[0], out)
    assert np.allclose(bp.mse_loss(out, target)[1], fd, atol=1e-8)


def test_init_has_the_requested_variance():
    params = bp.relu_net_init([400, 300, 200], [0.5, 0.02], seed=0, bias=0.25)
    assert params[0][0].shape == (300, 400) and params[1][0].shape == (200, 300)
    assert abs(params[0][0].var() / 0.5 - 1) < 0.02 and abs(params[1][0].var() / 0.02 - 1) < 0.03
    assert np.all(params[0][1] == 0.25)
    assert bp.he_variance(64) == 2 / 64


def test_layer_statistics_follow_the_variance_recursion():
    """Averaged over networks, each ReLU layer multiplies both means of squares by σ²D/2."""
    depth, width = 20, 128
    k = np.arange(1, depth + 1)
    for sigma2 in (1.5 / width, 2.0 / width, 3.0 / width):
        runs = [bp.layer_statistics(sigma2, depth=depth, width=width, n_samples=64, seed=s) for s in range(24)]
        c = runs[0]["factor"]
        # the recursion holds for the expected means of squares: average the values (not their logs)
        fwd = np.mean([r["forward"] for r in runs], axis=0)
        bwd = np.mean([r["backward"] for r in runs], axis=0)
        fwd_theory = sigma2 * width * c ** (k - 1)
        bwd_theory = c ** (depth + 1 - k)
        assert np.abs(np.log(fwd / fwd_theory)).max() < 0.3
        assert np.abs(np.log(bwd / bwd_theory)).max() < 0.3
        # the fitted slope of log(forward) per layer is log c
        assert abs(np.polyfit(k, np.log(fwd), 1)[0] - np.log(c)) < 0.03


def test_layer_statistics_scale_exactly_with_sigma():
    """ReLU is positively homogeneous: scaling all weights by s scales z_k by s^k (same seed, same pattern)."""
    a = bp.layer_statistics(0.02, depth=10, width=16, n_samples=8, seed=5)
    b = bp.layer_statistics(0.08, depth=10, width=16, n_samples=8, seed=5)
    k = np.arange(1, 11)
    assert np.allclose(b["forward"] / a["forward"], 4.0**k)
    assert np.allclose(b["backward"] / a["backward"], 4.0 ** (11 - k))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bp.toy_forward(1.0, 2.0, np.ones(5)), r"phi must have shape \(6,\)"),
        (lambda: bp.toy_forward([1.0, 2.0], [1.0], np.ones(6)), "y must have the shape of x"),
        (lambda: bp.toy_backward(np.nan, 0.0, np.ones(6)), "NaN"),
        (lambda: bp.finite_difference_gradient(np.sum, np.ones(2), h=0), "h must"),
        (lambda: bp.he_variance(0), "fan_in"),
        (lambda: bp.relu_net_init([4], 0.1), "widths"),
        (lambda: bp.relu_net_init([4, 3, 2], [0.1, 0.1, 0.1]), "sigma2"),
        (lambda: bp.relu_net_forward(bp.relu_net_init([4, 2], 0.1), np.ones((3, 5))), r"X must have shape \(N, 4\)"),
        (lambda: bp.relu_net_forward(bp.relu_net_init([4, 2], 0.1), np.ones(4)), r"X must have shape \(N, 4\)"),
        (lambda: bp.mse_loss(np.ones((2, 1)), np.ones((2, 2))), "target must have shape"),
        (lambda: bp.layer_statistics(-1.0), "sigma2"),
    ],
)
def test_invalid_inputs_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_backward_rejects_a_foreign_cache():
    params = bp.relu_net_init([3, 4, 2], 0.5)
    _, cache = bp.relu_net_forward(bp.relu_net_init([3, 2], 0.5), np.ones((2, 3)))
    with pytest.raises(ValueError, match="cache"):
        bp.relu_net_backward(params, cache, np.ones((2, 2)))
    _, cache = bp.relu_net_forward(params, np.ones((2, 3)))
    with pytest.raises(ValueError, match="dout must have shape"):
        bp.relu_net_backward(params, cache, np.ones((2, 3)))
