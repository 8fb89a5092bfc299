"""kan_edu.deep against independent references: torch, closed forms, brute-force sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from kan_edu import deep, shallow


def torch_model(weights, biases, act=torch.nn.ReLU):
    layers = []
    for W, b in zip(weights, biases):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, act()]
    return torch.nn.Sequential(*layers[:-1])


@pytest.mark.parametrize("widths", [[1, 4, 1], [2, 5, 3], [3, 4, 6, 2, 5, 2], [1, 8, 8, 8, 8, 1]])
def test_forward_matches_torch_sequential(widths):
    weights, biases = deep.random_network(widths, seed=len(widths))
    x = np.random.default_rng(0).normal(size=(17, widths[0]))
    ref = torch_model(weights, biases)(torch.from_numpy(x)).detach().numpy()
    y, pre, hidden = deep.forward(x, weights, biases, return_hidden=True)
    assert y.shape == (17, widths[-1]) and np.allclose(y, ref, atol=1e-12)
    assert [h.shape[1] for h in hidden] == widths[1:-1] == [p.shape[1] for p in pre]
    assert all(np.allclose(h, np.maximum(p, 0)) for p, h in zip(pre, hidden))


def test_forward_other_activation_and_one_input_shape():
    weights, biases = deep.random_network([1, 6, 6, 1], seed=3)
    x = np.linspace(-2, 2, 11)
    ref = torch_model(weights, biases, torch.nn.Tanh)(torch.from_numpy(x[:, None])).detach().numpy()
    y = deep.forward(x, weights, biases, act="tanh")
    assert y.shape == (11,) and np.allclose(y, ref[:, 0], atol=1e-12)
    assert deep.forward(x[:, None], weights, biases).shape == (11, 1)


def test_n_parameters_matches_torch_and_the_closed_form():
    for widths in ([1, 5, 1], [3, 7, 7, 7, 2], [2, 4, 9, 1]):
        model = torch_model(*deep.random_network(widths))
        assert deep.n_parameters(widths) == sum(p.numel() for p in model.parameters())
    Di, D, K, Do = 3, 7, 4, 2  # equal widths: D(Di+1) + (K-1)D(D+1) + Do(D+1)
    assert deep.n_parameters([Di] + [D] * K + [Do]) == D * (Di + 1) + (K - 1) * D * (D + 1) + Do * (D + 1)


def test_compose_shallow_is_the_composition_and_rank_one():
    rng = np.random.default_rng(1)
    net1 = (rng.normal(size=3), rng.normal(size=3), rng.normal(size=4))
    net2 = (rng.normal(size=5), rng.normal(size=5), rng.normal(size=6))
    x = np.linspace(-3, 3, 501)
    f = lambda v: shallow.shallow_1d(v, *net1)[0]
    g = lambda v: shallow.shallow_1d(v, *net2)[0]
    weights, biases = deep.compose_shallow(net1, net2)
    assert [W.shape for W in weights] == [(3, 1), (5, 3), (1, 5)]
    assert np.linalg.matrix_rank(weights[1]) == 1
    assert np.allclose(deep.forward(x, weights, biases), g(f(x)))
    assert np.allclose(deep.compose(f, g)(x), g(f(x)))
    assert np.allclose(deep.forward(x, *deep.from_shallow(*net1)), f(x))


def tent_iterate(x, k):
    for _ in range(k):
        x = 2 * np.minimum(x, 1 - x)
    return x


@pytest.mark.parametrize("k", [1, 2, 5, 9])
def test_tent_map_composition_has_two_to_the_k_regions(k):
    weights, biases = deep.sawtooth_network(2, k)
    x = np.linspace(0, 1, 4097)
    assert np.allclose(deep.forward(x, weights, biases), tent_iterate(x, k), atol=1e-9)
    assert deep.count_regions_1d(weights, biases, 0, 1) == 2**k
    if k <= 5:
        assert deep.count_regions_grid(deep.forward(np.linspace(0, 1, 100_003), weights, biases)) == 2**k


@pytest.mark.parametrize("D, K", [(1, 3), (2, 4), (3, 3), (4, 2), (5, 3), (6, 1)])
def test_constructions_reach_their_closed_forms(D, K):
    assert deep.count_regions_1d(*deep.sawtooth_network(D, K), 0, 1) == D**K
    folded = deep.count_regions_1d(*deep.folding_network(D, K), 0, 1)
    assert folded == D ** (K - 1) * (D + 1) <= deep.max_regions_deep(D, K)
    # the grid count, with no knowledge of the network, agrees
    y = deep.forward(np.linspace(0, 1, 200_001), *deep.folding_network(D, K))
    assert deep.count_regions_grid(y) == folded


def test_pieces_are_an_exact_minimal_description_of_random_networks():
    rng = np.random.default_rng(5)
    for seed in range(12):
        widths = [1] + [int(w) for w in rng.integers(2, 7, size=rng.integers(1, 5))] + [1]
        weights, biases = deep.random_network(widths, seed=seed)
        xs, ys = deep.pieces_1d(weights, biases, -3, 3)
        assert xs[0] == -3 and xs[-1] == 3 and np.all(np.diff(xs) > 0)
        # exact: the straight-line interpolation through the pieces is the network, everywhere
        x = np.r_[np.linspace(-3, 3, 20_001), rng.uniform(-3, 3, 5000)]
        assert np.allclose(np.interp(x, xs, ys), deep.forward(x, weights, biases), atol=1e-9)
        # minimal: the network really bends at every interior knot (one-sided slopes from the network itself)
        f = lambda v: deep.forward(np.atleast_1d(v), weights, biases)
        gaps = np.minimum(np.diff(xs)[:-1], np.diff(xs)[1:])
        for j, h in zip(xs[1:-1], gaps):
            e = h / 4
            right, left = (f(j + e) - f(j))[0] / e, (f(j) - f(j - e))[0] / e
            assert abs(right - left) > 1e-7
        # never above the bound of a layer-by-layer count
        assert len(xs) - 1 <= math.prod(w + 1 for w in widths[1:-1])


def test_shallow_networks_have_at_most_one_joint_per_unit():
    for seed in range(10):
        weights, biases = deep.random_network([1, 7, 1], seed=seed)
        count = deep.count_regions_1d(weights, biases, -50, 50)
        joints = shallow.joints_1d(biases[0], weights[0][:, 0])
        assert count == np.sum(np.abs(joints) < 50) + 1  # a random shallow net bends at every joint


def test_composition_counts_multiply_at_most_and_add_when_monotone():
    rng = np.random.default_rng(2)
    for _ in range(20):
        net1 = (rng.normal(size=3), rng.normal(size=3), rng.normal(size=4) * 2)
        net2 = (rng.normal(size=3), rng.normal(size=3), rng.normal(size=4))
        r1 = deep.count_regions_1d(*deep.from_shallow(*net1), -2, 2)
        r2 = deep.count_regions_1d(*deep.from_shallow(*net2), -1e3, 1e3)
        assert deep.count_regions_1d(*deep.compose_shallow(net1, net2), -2, 2) <= r1 * r2
        # an increasing first network: positive slopes and weights
        inc = (rng.normal(size=3), np.abs(rng.normal(size=3)), np.abs(rng.normal(size=4)))
        r1 = deep.count_regions_1d(*deep.from_shallow(*inc), -2, 2)
        assert deep.count_regions_1d(*deep.compose_shallow(inc, net2), -2, 2) <= r1 + r2 - 1


def test_two_networks_of_three_units_can_make_sixteen_pieces():
    # network 1: four pieces on [-1, 1], each sweeping over all of [-1, 1] (slopes 2/L); network 2: four pieces
    # with a non-zero slope at both ends. Joints 0.3, 0.5, 0.6 apart: 1/0.3 = 1/0.6 + 1/0.6 makes it a
    # 3-unit network (the last unit switched on to the left).
    j = np.array([-0.7, -0.2, 0.4])
    s = np.array([2 / 0.3, -2 / 0.5, 2 / 0.6, -2 / 0.6])
    net1 = (np.array([-j[0], -j[1], j[2]]), np.array([1.0, 1.0, -1.0]), np.r_[0.0, np.diff(s)])
    net1[2][0] = -1 - net1[2][3] * (j[2] + 1)  # y(-1) = -1
    x = np.array([-1, *j, 1])
    assert np.allclose(shallow.shallow_1d(x, *net1)[0], [-1, 1, -1, 1, -1])
    net2 = (np.array([0.5, -0.1, 0.6]), np.array([1.0, 1.0, -1.0]), np.array([1.4, -3.0, 4.0, -1.0]))
    assert deep.count_regions_1d(*deep.compose_shallow(net1, net2), -1, 1) == 16


def test_count_regions_grid_on_known_functions():
    x = np.linspace(0, 1, 1001)
    assert deep.count_regions_grid(0.3 * x - 2) == 1
    assert deep.count_regions_grid(np.zeros_like(x)) == 1
    assert deep.count_regions_grid(np.abs(x - 0.5)) == 2  # joint on a grid point
    assert deep.count_regions_grid(np.abs(x - 0.50037)) == 2  # joint inside a cell
    knots = np.array([0, 0.1003, 0.25, 0.4, 0.71, 0.9, 1.0])
    values = np.array([0, 1, -1, 2, 2.5, -3, 0.0])
    for scale in (1e-3, 1, 1e4):
        assert deep.count_regions_grid(scale * np.interp(x, knots, values)) == 6


def test_bound_and_random_networks():
    assert deep.max_regions_deep(3, 4) == 256 and deep.max_regions_deep(7, 1) == shallow.max_regions(7, 1)
    for seed in range(5):
        w, b = deep.random_network([1, 3, 3, 3, 1], seed=seed)
        assert deep.count_regions_1d(w, b, -100, 100) <= 4**3


@pytest.mark.parametrize(
    "call",
    [
        lambda: deep.forward(np.zeros((4, 2)), [np.zeros((3, 1))], [np.zeros(3)]),  # wrong input width
        lambda: deep.forward(np.zeros(4), [np.zeros((3, 1)), np.zeros((1, 2))], [np.zeros(3), np.zeros(1)]),
        lambda: deep.forward(np.zeros(4), [np.zeros((3, 1))], [np.zeros(2)]),  # bias length
        lambda: deep.forward(np.zeros(4), [np.zeros((3, 1))], []),  # one bias missing
        lambda: deep.forward(np.zeros(4), [], []),
        lambda: deep.forward(np.array([0.0, np.nan]), [np.ones((1, 1))], [np.zeros(1)]),
        lambda: deep.forward(np.zeros(4), [np.full((1, 1), np.inf)], [np.zeros(1)]),
        lambda: deep.forward(np.zeros(4), [np.ones((1, 1))], [np.zeros(1)], act="swoosh"),
        lambda: deep.forward(np.zeros(4), np.ones((1, 1, 1)), np.zeros((1, 1))),
        lambda: deep.pieces_1d([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)]),  # two inputs
        lambda: deep.pieces_1d(*deep.random_network([1, 2, 1]), lo=1, hi=1),
        lambda: deep.pieces_1d(*deep.random_network([1, 2, 1]), act="tanh"),
        lambda: deep.count_regions_grid([0.0, 1.0]),
        lambda: deep.count_regions_grid(np.ones((3, 3))),
        lambda: deep.count_regions_grid([0.0, np.nan, 1.0, 2.0]),
        lambda: deep.random_network([3]),
        lambda: deep.random_network([1, 0, 1]),
        lambda: deep.n_parameters([2, -1]),
        lambda: deep.max_regions_deep(0, 2),
        lambda: deep.sawtooth_network(2, 0),
        lambda: deep.folding_network(1.5, 2),
        lambda: deep.compose(),
        lambda: deep.compose(np.sin, 3),
        lambda: deep.compose_shallow((np.zeros(2), np.zeros(2), np.zeros(2)), (np.zeros(1), np.zeros(1), np.zeros(2))),
        lambda: deep.compose_shallow(np.zeros(3), (np.zeros(1), np.zeros(1), np.zeros(2))),
    ],
)
def test_inputs_are_validated(call):
    with pytest.raises(ValueError):
        call()
