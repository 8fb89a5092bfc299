"""kan_edu.nn: the shared network builders, against hand counts and torch's own layers."""

import pytest
import torch

from kan_edu import data, nn


def test_mlp_shapes_parameters_and_seed():
    model = nn.mlp([3, 16, 8, 2], activation="tanh", seed=1)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(3, 16), (16, 8), (8, 2)]
    assert sum(isinstance(m, torch.nn.Tanh) for m in model) == 2 and not isinstance(model[-1], torch.nn.Tanh)
    assert nn.n_parameters(model) == (3 + 1) * 16 + (16 + 1) * 8 + (8 + 1) * 2
    assert model(torch.randn(5, 3)).shape == (5, 2)
    again, other = nn.mlp([3, 16, 8, 2], "tanh", seed=1), nn.mlp([3, 16, 8, 2], "tanh", seed=2)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters()))
    assert not torch.equal(linears[0].weight, other[0].weight)


def test_builders_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    nn.mlp([2, 4, 1], seed=5)
    nn.mnist1d_cnn(seed=5)
    assert torch.equal(torch.rand(3), expected)


def test_mnist1d_cnn_matches_the_length_formula_and_a_hand_count():
    model = nn.mnist1d_cnn()
    # 3 convolutions 1->15->15->15 of kernel 3, then 15 channels x 4 positions -> 10 classes
    assert nn.n_parameters(model) == (1 * 3 + 1) * 15 + 2 * (15 * 3 + 1) * 15 + (15 * 4 + 1) * 10 == 2050
    x = data.mnist1d_data(num_samples=40)["train_input"]
    assert model(x).shape == (x.shape[0], 10)
    hidden = model[:-2](x)  # before Flatten and Linear
    assert hidden.shape == (x.shape[0], 15, 4)
    assert nn.mnist1d_cnn(channels=4, layers=2, length=11)(torch.randn(2, 11)).shape == (2, 10)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="activation"):
        nn.mlp([2, 3], activation="nope")
    with pytest.raises(ValueError, match="widths"):
        nn.mlp([2])
    with pytest.raises(ValueError, match="widths.*too large"):
        nn.mlp([10**6, 10**6])
    with pytest.raises(ValueError, match="length"):
        nn.mnist1d_cnn(length=6)
    with pytest.raises(TypeError, match="model"):
        nn.n_parameters("a model")
