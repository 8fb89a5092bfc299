"""kan_edu.optim against independent references: torch.optim step for step, scipy, closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.optimize import minimize_scalar

from kan_edu import optim


def rosenbrock_np(p):
    return (1 - p[0]) ** 2 + 5 * (p[1] - p[0] ** 2) ** 2


def rosenbrock_grad(p):
    return np.array([-2 * (1 - p[0]) - 20 * p[0] * (p[1] - p[0] ** 2), 10 * (p[1] - p[0] ** 2)])


def rosenbrock_torch(p):
    return (1 - p[0]) ** 2 + 5 * (p[1] - p[0] ** 2) ** 2


def torch_trajectory(make_opt, theta0, steps, loss=rosenbrock_torch):
    p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss(p).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


THETA0 = [-0.8, 1.4]


def test_rosenbrock_gradient_matches_autograd():
    p = torch.tensor(THETA0, dtype=torch.float64, requires_grad=True)
    rosenbrock_torch(p).backward()
    assert np.allclose(p.grad.numpy(), rosenbrock_grad(np.array(THETA0)), rtol=1e-14)


def test_gd_matches_torch_sgd():
    ours = optim.optimize(lambda p, idx: rosenbrock_grad(p), THETA0, "gd", steps=60, lr=0.02)
    ref = torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=0.02), THETA0, 60)
    assert np.abs(ours - ref).max() < 1e-10


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_momentum_matches_torch_sgd_momentum(beta, nesterov):
    lr = 0.05
    method = "nesterov" if nesterov else "momentum"
    ours = optim.optimize(lambda p, idx: rosenbrock_grad(p), THETA0, method, steps=60, lr=lr, beta=beta)
    # torch accumulates v = beta v + g (no 1 - beta): the same optimiser with learning rate lr (1 - beta)
    ref = torch_trajectory(
        lambda ps: torch.optim.SGD(ps, lr=lr * (1 - beta), momentum=beta, nesterov=nesterov), THETA0, 60
    )
    assert np.abs(ours - ref).max() < 1e-10
    assert np.abs(ours[-1] - ours[0]).max() > 0.1  # it moved


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
def test_adam_matches_torch_adam(betas):
    ours = optim.optimize(
        lambda p, idx: rosenbrock_grad(p), THETA0, "adam", steps=80, lr=0.05, beta=betas[0], beta2=betas[1], eps=1e-8
    )
    ref = torch_trajectory(lambda ps: torch.optim.Adam(ps, lr=0.05, betas=betas, eps=1e-8), THETA0, 80)
    assert np.abs(ours - ref).max() < 1e-10


def test_step_functions_match_torch_on_arbitrary_gradients():
    """The rules alone: feed the same random gradient sequence to ours and to torch's optimisers."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(40, 5)) * rng.uniform(0.01, 10, size=(40, 1))
    theta0 = rng.normal(size=5)
    lr, beta = 0.03, 0.7
    makers = {
        "gd": lambda ps: torch.optim.SGD(ps, lr=lr),
        "momentum": lambda ps: torch.optim.SGD(ps, lr=lr * (1 - beta), momentum=beta),
        "nesterov": lambda ps: torch.optim.SGD(ps, lr=lr * (1 - beta), momentum=beta, nesterov=True),
        "adam": lambda ps: torch.optim.Adam(ps, lr=lr, betas=(beta, 0.99), eps=1e-6),
    }
    for name, make in makers.items():
        p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
        opt = make([p])
        theta, m, v = theta0.copy(), np.zeros(5), np.zeros(5)
        for t, g in enumerate(grads, start=1):
            p.grad = torch.tensor(g)
            opt.step()
            if name == "gd":
                theta = optim.gd_step(theta, g, lr)
            elif name == "adam":
                theta, m, v = optim.adam_step(theta, m, v, g, t, lr, beta, 0.99, 1e-6)
            else:
                theta, m = optim.momentum_step(theta, m, g, lr, beta, nesterov=name == "nesterov")
            assert np.abs(theta - p.detach().numpy()).max() < 1e-10, (name, t)


def test_adam_first_step_is_lr_times_sign():
    g = np.array([3.0, -1e-3, 40.0])
    theta, m, v = optim.adam_step(np.zeros(3), np.zeros(3), np.zeros(3), g, 1, lr=0.1)
    assert np.allclose(theta, -0.1 * np.sign(g), rtol=1e-4)
    assert np.allclose(m, 0.1 * g) and np.allclose(v, 0.001 * g**2)


def test_step_functions_do_not_modify_inputs():
    theta, m, v, g = np.ones(3), np.ones(3), np.ones(3), np.full(3, 2.0)
    optim.momentum_step(theta, m, g, 0.1, 0.9)
    optim.adam_step(theta, m, v, g, 2, 0.1)
    assert np.all(theta == 1) and np.all(m == 1) and np.all(v == 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: optim.gd_step([1.0, np.nan], [0.0, 0.0], 0.1), "NaN"),
        (lambda: optim.gd_step([1.0, 2.0], [0.0], 0.1), "shape"),
        (lambda: optim.gd_step([1.0], [0.0], -0.1), "lr"),
        (lambda: optim.momentum_step([1.0], [0.0], [1.0], 0.1, beta=1.0), "beta"),
        (lambda: optim.adam_step([1.0], [0.0], [0.0], [1.0], t=0), "t must be a positive integer"),
        (lambda: optim.adam_step([1.0], [0.0], [-1.0], [1.0], t=1), "v must hold numbers >= 0"),
        (lambda: optim.optimize(lambda p, i: p, [1.0], "rmsprop"), "method"),
        (lambda: optim.optimize(lambda p, i: p, [1.0], n_data=10), "both"),
        (lambda: optim.minibatch_indices(10, 0, 5), "batch_size"),
    ],
)
def test_invalid_inputs_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------------------------- mini-batches
def test_minibatches_cover_each_epoch_once():
    batches = optim.minibatch_indices(10, 3, 8, seed=1)
    assert [len(b) for b in batches] == [3, 3, 3, 1, 3, 3, 3, 1]
    assert sorted(np.concatenate(batches[:4])) == list(range(10))
    assert sorted(np.concatenate(batches[4:])) == list(range(10))
    assert not np.array_equal(np.concatenate(batches[:4]), np.concatenate(batches[4:]))  # reshuffled
    assert all(np.array_equal(b, np.arange(10)) for b in optim.minibatch_indices(10, 10, 3))
    again = optim.minibatch_indices(10, 3, 8, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))


def test_minibatch_gradients_average_to_the_full_gradient():
    x, y = optim.wave_packet_data(n=48, seed=2)
    wp = optim.WavePacket(x, y)
    phi = np.array([0.3, 1.7])
    epoch = optim.minibatch_indices(48, 8, 6, seed=0)
    assert np.allclose(np.mean([wp.grad(phi, idx) for idx in epoch], axis=0), wp.grad(phi))


def test_full_batch_sgd_is_gradient_descent():
    x, y = optim.wave_packet_data()
    wp = optim.WavePacket(x, y)
    a = optim.optimize(wp.grad, [-1.5, 0.75], "momentum", steps=30, lr=0.5, n_data=wp.n, batch_size=wp.n)
    b = optim.optimize(wp.grad, [-1.5, 0.75], "momentum", steps=30, lr=0.5)
    assert np.array_equal(a, b)


# -------------------------------------------------------------------------------------------- line search
def test_golden_section_matches_scipy_and_closed_form():
    f = lambda s: (s - 0.3) ** 2 + 0.1 * np.sin(5 * s)  # noqa: E731 (unimodal on [0, 1])
    ours = optim.golden_section(f, 0.0, 1.0, tol=1e-10)
    ref = minimize_scalar(f, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-12}).x
    assert abs(ours - ref) < 1e-7
    assert abs(optim.golden_section(lambda s: 3 * (s - 1.25) ** 2, 0, 4, tol=1e-12) - 1.25) < 1e-9


def test_golden_section_shrinks_by_the_golden_ratio():
    _, steps = optim.golden_section(np.cos, 2.0, 5.0, tol=1e-6, history=True)
    widths = np.array([hi - lo for lo, _, _, hi in steps])
    assert np.allclose(widths[1:] / widths[:-1], optim.GOLDEN)
    for lo, p, q, hi in steps:
        assert lo < p < q < hi and lo <= np.pi <= hi


def test_bracket_minimum():
    f = lambda s: (s - 3.7) ** 2  # noqa: E731
    a, b, c = optim.bracket_minimum(f, step=0.01)
    assert 0 <= a < b < c and a <= 3.7 <= c and f(b) < f(a) and f(b) <= f(c)
    with pytest.raises(ValueError, match="does not decrease"):
        optim.bracket_minimum(lambda s: s, step=0.1)
    with pytest.raises(ValueError, match="keeps decreasing"):
        optim.bracket_minimum(lambda s: -s, step=0.1)


def test_exact_line_search_on_a_quadratic():
    A = np.array([[3.0, 1.0], [1.0, 1.0]])
    loss, grad = (lambda p: 0.5 * p @ A @ p), (lambda p: A @ p)
    path, lengths = optim.line_search_descent(loss, grad, [2.0, -1.0], steps=5, tol=1e-12)
    for k in range(5):
        g = grad(path[k])
        # golden-section search pins a minimum down to about sqrt(machine epsilon), relative
        assert abs(lengths[k] - g @ g / (g @ A @ g)) < 1e-6 * lengths[k]  # the exact step on a quadratic
        assert abs(grad(path[k + 1]) @ g) < 1e-6 * (g @ g)  # each new gradient is orthogonal to the last
    assert loss(path[-1]) < 1e-3 * loss(path[0])


# ---------------------------------------------------------------------------------------- the landscape
def test_numerical_hessian_and_critical_points():
    grad = lambda p: np.array([p[0] ** 3 - p[0], p[1]])  # noqa: E731  f = x⁴/4 − x²/2 + y²/2
    assert np.allclose(optim.numerical_hessian(grad, np.array([2.0, 1.0])), [[11.0, 0.0], [0.0, 1.0]])
    starts = np.stack(np.meshgrid(np.linspace(-1.5, 1.5, 7), [-0.5, 0.5]), -1).reshape(-1, 2)
    found = optim.critical_points(grad, starts)
    kinds = {(round(p[0], 6) + 0.0, round(p[1], 6) + 0.0): k for p, k in found}
    assert kinds == {(-1.0, 0.0): "minimum", (1.0, 0.0): "minimum", (0.0, 0.0): "saddle"}
    peak = optim.critical_points(lambda p: -grad(p), [[0.9, 0.1]])  # -f: its minima become maxima
    assert len(peak) == 1 and peak[0][1] == "maximum" and np.allclose(peak[0][0], [1.0, 0.0])
    assert optim.critical_points(grad, [[0.1, 0.3], [-0.05, 0.2]])[0][1] == "saddle"
    assert len(optim.critical_points(grad, [[0.1, 0.3], [-0.05, 0.2]])) == 1  # merged


def test_wave_packet_gradient_matches_autograd_and_finite_differences():
    x, y = optim.wave_packet_data(n=30, seed=4)
    wp = optim.WavePacket(x, y)
    xt, yt = torch.tensor(x), torch.tensor(y)
    rng = np.random.default_rng(0)
    for phi in rng.uniform([-4, 0.2], [4, 3.5], size=(5, 2)):
        p = torch.tensor(phi, requires_grad=True)
        u = p[0] + p[1] * xt
        loss = ((torch.sin(u) * torch.exp(-0.5 * (u / optim.ENVELOPE) ** 2) - yt) ** 2).mean()
        loss.backward()
        assert abs(loss.item() - wp.loss(phi)) < 1e-14
        assert np.allclose(wp.grad(phi), p.grad.numpy(), rtol=1e-12, atol=1e-14)
        idx = np.array([1, 5, 7])
        h = 1e-6
        fd = [(wp.loss(phi + h * e, idx) - wp.loss(phi - h * e, idx)) / (2 * h) for e in np.eye(2)]
        assert np.allclose(wp.grad(phi, idx), fd, atol=1e-8)


def test_wave_packet_on_a_grid_and_its_data():
    x, y = optim.wave_packet_data(n=20, seed=3)
    wp = optim.WavePacket(x, y)
    grid = np.stack(np.meshgrid([0.0, 1.0, 2.0], [0.5, 2.0]), -1)
    assert wp.loss(grid).shape == (2, 3)
    assert np.isclose(wp.loss(grid)[1, 2], wp.loss(np.array([2.0, 2.0])))
    x0, y0 = optim.wave_packet_data(n=20, seed=3)
    assert np.array_equal(x, x0) and np.array_equal(y, y0) and x.min() >= -3 and x.max() <= 3
    noiseless = optim.wave_packet_data(n=20, noise=0.0, seed=3)
    assert np.allclose(optim.WavePacket(*noiseless).loss(np.array([1.0, 2.0])), 0.0)
    with pytest.raises(ValueError, match="shape"):
        optim.wave_packet(x, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same length"):
        optim.WavePacket(x, y[:-1])


def test_gradient_descent_threshold_on_a_quadratic():
    """GD on L = a θ²/2 converges exactly when 0 < α < 2/a (the chapter's claim)."""
    a = 4.0
    for lr, converges in [(0.1, True), (0.49, True), (0.51, False), (0.8, False)]:
        path = optim.optimize(lambda p, idx: a * p, [1.0], "gd", steps=200, lr=lr)
        assert (abs(path[-1, 0]) < 1e-3) == converges


def test_minibatch_variance_by_enumerating_every_batch():
    from itertools import combinations

    rng = np.random.default_rng(5)
    g = rng.normal(size=(7, 2)) * [1.0, 3.0]
    for B in (1, 2, 3, 7):
        means = np.array([g[list(c)].mean(0) for c in combinations(range(7), B)])
        assert np.allclose(optim.minibatch_variance(g, B), means.var(0))
    with pytest.raises(ValueError, match="batch_size"):
        optim.minibatch_variance(g, 8)


def test_example_grads_average_to_grad():
    x, y = optim.wave_packet_data(n=20, seed=1)
    wp = optim.WavePacket(x, y)
    phi = np.array([0.4, 1.1])
    assert np.allclose(wp.example_grads(phi).mean(0), wp.grad(phi))
    assert np.allclose(wp.example_grads(phi)[[2, 9]].mean(0), wp.grad(phi, [2, 9]))


def test_line_search_history():
    x, y = optim.wave_packet_data()
    wp = optim.WavePacket(x, y)
    path, lengths, info = optim.line_search_descent(wp.loss, wp.grad, [2.0, 1.0], steps=4, history=True)
    assert len(path) == 5 and len(lengths) == len(info) == 4
    for k, step in enumerate(info):
        a, b, c = step["bracket"]
        assert a <= lengths[k] <= c and len(step["trials"]) > len(step["golden"])
        assert a in step["trials"] and c in step["trials"]
        assert np.allclose(path[k + 1], path[k] - lengths[k] * step["g"])
    assert np.all(np.diff(wp.loss(path)) < 0)
