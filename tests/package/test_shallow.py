"""kan_edu.shallow against independent references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kan_edu import shallow


def test_shallow_matches_torch_reference():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 50)
    t0, t1, phi = rng.normal(size=4), rng.normal(size=4), rng.normal(size=5)
    layer = torch.nn.Linear(1, 4).double()
    head = torch.nn.Linear(4, 1).double()
    with torch.no_grad():
        layer.weight[:, 0] = torch.tensor(t1)
        layer.bias[:] = torch.tensor(t0)
        head.weight[0] = torch.tensor(phi[1:])
        head.bias[:] = phi[0]
    ref = head(torch.relu(layer(torch.tensor(x)[:, None]))).detach().numpy()[:, 0]
    y, pre, h, contrib = shallow.shallow_1d(x, t0, t1, phi)
    assert np.allclose(y, ref) and np.allclose(y, phi[0] + contrib.sum(1))
    assert pre.shape == h.shape == contrib.shape == (50, 4)


def test_joints_are_where_the_slope_changes_by_phi_theta1():
    t0, t1, phi = np.array([0.3, -1.0]), np.array([-1.0, 1.8]), np.array([0.1, 2.0, -1.0])
    joints = shallow.joints_1d(t0, t1)
    assert np.allclose(joints, [0.3, 1 / 1.8])
    eps = 1e-6
    for d, j in enumerate(joints):
        y = lambda x: shallow.shallow_1d(np.array([x]), t0, t1, phi)[0][0]
        right = (y(j + 2 * eps) - y(j + eps)) / eps
        left = (y(j - eps) - y(j - 2 * eps)) / eps
        assert abs(abs(right - left) - abs(phi[d + 1] * t1[d])) < 1e-4
    assert np.isnan(shallow.joints_1d([1.0], [0.0]))[0]


def test_max_regions_is_zaslavsky_count():
    assert [shallow.max_regions(D, 1) for D in range(6)] == [1, 2, 3, 4, 5, 6]
    # lines in the plane: 1 + D + D(D-1)/2 (the lazy caterer's sequence)
    assert [shallow.max_regions(D, 2) for D in range(6)] == [1, 2, 4, 7, 11, 16]
    assert shallow.max_regions(3, 3) == 8 == 2**3  # D <= Di: every pattern
    with pytest.raises(ValueError):
        shallow.max_regions(-1, 2)


def test_region_count_reaches_bound_when_crossings_are_inside():
    # three lines in general position crossing near the origin: 7 regions
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b = np.array([0.1, -0.2, 0.5])
    assert shallow.count_regions_2d(W, b, lim=3, res=500) == 7
    # parallel lines cannot reach the bound
    W = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    assert shallow.count_regions_2d(W, np.array([0.0, 0.5, -0.5]), lim=2) == 4


def test_hinge_interpolant_passes_through_knots_and_error_falls_like_d_squared():
    f = lambda x: np.sin(3 * x)
    errs = []
    for D in (8, 16, 32):
        params = shallow.hinge_interpolant(f, D)
        knots = np.linspace(0, 1, D + 1)
        assert np.allclose(shallow.shallow_1d(knots, *params)[0], f(knots))
        xs = np.linspace(0, 1, 4001)
        errs.append(np.abs(shallow.shallow_1d(xs, *params)[0] - f(xs)).max())
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    assert np.all((ratios > 3.5) & (ratios < 4.5))


@pytest.mark.parametrize(
    "bad",
    [
        dict(x=np.ones((2, 2)), theta0=[0.0], theta1=[1.0], phi=[0.0, 1.0]),
        dict(x=[0.0], theta0=[0.0, 1.0], theta1=[1.0], phi=[0.0, 1.0]),
        dict(x=[np.nan], theta0=[0.0], theta1=[1.0], phi=[0.0, 1.0]),
        dict(x=[0.0], theta0=[0.0], theta1=[1.0], phi=[0.0]),
    ],
)
def test_shallow_validates_input(bad):
    with pytest.raises(ValueError):
        shallow.shallow_1d(**bad)


def test_unknown_activation_lists_choices():
    with pytest.raises(ValueError, match="relu"):
        shallow.activation("swoosh")


@pytest.mark.parametrize("name", sorted(shallow.ACTIVATIONS))
def test_activations_match_torch(name):
    z = np.linspace(-5, 5, 101)
    ref = {
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softplus": torch.nn.functional.softplus,
        "gelu": torch.nn.functional.gelu,
        "silu": torch.nn.functional.silu,
        "heaviside": lambda t: (t > 0).double(),
        "leaky relu": lambda t: torch.nn.functional.leaky_relu(t, 0.1),
    }[name]
    assert np.allclose(shallow.activation(name)(z), ref(torch.tensor(z)).numpy(), atol=1e-12)
