"""kan_edu.performance and kan_edu.data.mnist1d_data against independent references."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist

from kan_edu import performance as pf
from kan_edu import shallow
from kan_edu.data import mnist1d_data


# ------------------------------------------------------------------------------------------ MNIST-1D
def test_mnist1d_matches_the_generator_and_restores_the_global_rng():
    from mnist1d.data import get_dataset_args, make_dataset

    np.random.seed(123)
    random.seed(123)
    expected_np, expected_py = np.random.rand(), random.random()
    np.random.seed(123)
    random.seed(123)
    data = mnist1d_data()
    assert np.random.rand() == expected_np and random.random() == expected_py  # global state untouched
    ref = make_dataset(get_dataset_args())
    assert data["train_input"].shape == (4000, 40) and data["test_input"].shape == (1000, 40)
    assert data["train_input"].dtype == torch.float32 and data["train_label"].dtype == torch.int64
    assert np.array_equal(data["train_label"].numpy(), ref["y"])
    assert np.array_equal(data["test_label"].numpy(), ref["y_test"])
    assert np.allclose(data["test_input"].numpy(), ref["x_test"], atol=1e-6)
    data["train_input"][0, 0] = 1e6  # the cache hands out copies
    assert mnist1d_data()["train_input"][0, 0] != 1e6


def test_mnist1d_options_and_errors():
    small = mnist1d_data(num_samples=200, train_split=0.75, seed=3, dtype=torch.float64)
    assert small["train_input"].shape == (150, 40) and small["test_input"].shape == (50, 40)
    assert small["train_input"].dtype == torch.float64
    assert set(small["train_label"].tolist()) <= set(range(10))
    shuffled = mnist1d_data(num_samples=200, train_split=0.75, seed=3, shuffle_seq=True)
    assert not torch.allclose(shuffled["train_input"], small["train_input"].float())
    for bad in (dict(num_samples=5), dict(train_split=1.0), dict(bogus=1), dict(url="x")):
        with pytest.raises(ValueError):
            mnist1d_data(**bad)


# ------------------------------------------------------------------------------------ the 1-D problem
def test_sample_1d_designs():
    x, y = pf.sample_1d(10, 0.0, seed=1)
    assert np.all(np.diff(x) > 0) and np.allclose(y, pf.target_1d(x))
    assert np.all(np.floor(x * 10) == np.arange(10))  # one point per cell
    xg, _ = pf.sample_1d(4, 0.5, design="grid")
    assert np.allclose(xg, [0.125, 0.375, 0.625, 0.875])
    xa, ya = pf.sample_1d(50, 0.2, seed=2, design="uniform", x_range=(-1, 3))
    assert xa.min() >= -1 and xa.max() <= 3
    assert 0.1 < np.std(ya - pf.target_1d(xa)) < 0.3
    with pytest.raises(ValueError):
        pf.sample_1d(5, -1.0)
    with pytest.raises(ValueError):
        pf.sample_1d(5, 0.1, design="random")


def test_hinge_features_are_a_shallow_network():
    x = np.linspace(-0.2, 1.2, 57)
    D = 5
    phi = pf.hinge_features(x, D)
    assert phi.shape == (57, D + 1)
    w = np.random.default_rng(0).normal(size=D + 1)
    joints = np.arange(D) / D
    ref = shallow.shallow_1d(x, -joints, np.ones(D), w)[0]  # chapter 3's network, written independently
    assert np.allclose(phi @ w, ref)
    assert pf.hinge_features(np.zeros((3, 4)), 2).shape == (3, 4, 3)
    with pytest.raises(ValueError):
        pf.hinge_features(x, 0)
    with pytest.raises(ValueError):
        pf.hinge_features([np.nan], 2)


def test_least_squares_is_the_pseudo_inverse_solution():
    rng = np.random.default_rng(1)
    for n, p in ((20, 5), (5, 20)):
        phi, y = rng.normal(size=(n, p)), rng.normal(size=n)
        assert np.allclose(pf.least_squares(phi, y), np.linalg.pinv(phi) @ y)
    with pytest.raises(ValueError):
        pf.least_squares(np.ones((3, 2)), np.ones(4))


# ------------------------------------------------------------------------------------ bias, variance
def test_decompose_adds_up_exactly():
    rng = np.random.default_rng(2)
    preds, f = rng.normal(size=(30, 17)), rng.normal(size=17)
    d = pf.decompose(preds, f, 0.4)
    assert math.isclose(d["bias2"] + d["variance"], np.mean((preds - f) ** 2), rel_tol=1e-12)
    assert math.isclose(d["total"], d["bias2"] + d["variance"] + 0.16, rel_tol=1e-12)
    # independent formulas: squared bias of the mean, numpy's population variance
    assert math.isclose(d["bias2"], np.mean((preds.mean(0) - f) ** 2))
    assert math.isclose(d["variance"], np.var(preds, axis=0, ddof=0).mean())
    const = pf.decompose(np.tile(f + 1.0, (5, 1)), f, 0.0)
    assert const["variance"] < 1e-25 and math.isclose(const["bias2"], 1.0)
    with pytest.raises(ValueError):
        pf.decompose(preds, f[:-1], 0.1)


def test_bias_variance_components_are_the_fits_to_the_noisy_data():
    comp = pf.bias_variance_components([2, 6], n_train=12, n_datasets=5, n_test=31, seed=4)
    sigma = 0.7
    for i, D in enumerate([2, 6]):
        for k in range(5):
            x, y = pf.sample_1d(12, sigma, seed=[4, k])  # the same seeded data set, fitted directly
            w = pf.least_squares(pf.hinge_features(x, D), y)
            direct = pf.hinge_features(comp["x_test"], D) @ w
            assert np.allclose(comp["A"][i, k] + sigma * comp["B"][i, k], direct, atol=1e-9)


@pytest.mark.parametrize("D, sigma", [(2, 0.3), (6, 0.5), (10, 0.3)])
def test_decomposition_predicts_the_measured_test_error(D, sigma):
    out = pf.bias_variance(D, sigma, n_train=15, n_datasets=300, seed=1)
    measured = pf.monte_carlo_test_error(out["predictions"], out["f_test"], sigma, n_draws=20, seed=9)
    assert abs(measured - out["total"]) < 0.03 * out["total"]


def test_bias_falls_and_variance_rises_with_capacity():
    comp = pf.bias_variance_components([1, 4, 10], n_train=15, n_datasets=200, seed=0)
    parts = [pf.decompose(comp["A"][i] + 0.3 * comp["B"][i], comp["f_test"], 0.3) for i in range(3)]
    assert parts[0]["bias2"] > parts[1]["bias2"] > parts[2]["bias2"]
    assert parts[0]["variance"] < parts[1]["variance"] < parts[2]["variance"]
    # variance grows with the noise; bias does not depend on it much
    quiet = pf.decompose(comp["A"][2] + 0.1 * comp["B"][2], comp["f_test"], 0.1)
    assert quiet["variance"] < parts[2]["variance"]


# ------------------------------------------------------------------------------------ double descent
def test_random_features_are_a_frozen_random_relu_layer():
    x = np.random.default_rng(0).normal(size=(9, 3))
    a, b = pf.random_relu_features(x, 7, seed=3), pf.random_relu_features(x, 7, seed=3)
    assert a.shape == (9, 7) and np.array_equal(a, b) and np.all(a >= 0)
    assert not np.array_equal(a, pf.random_relu_features(x, 7, seed=4))
    # the same as a torch Linear + ReLU layer with the same weights, scaled by 1/sqrt(p)
    rng = np.random.default_rng(3)
    w = rng.normal(scale=2.0 / np.sqrt(3), size=(3, 7))
    bias = rng.normal(scale=0.5, size=7)
    layer = torch.nn.Linear(3, 7).double()
    with torch.no_grad():
        layer.weight[:] = torch.tensor(w.T)
        layer.bias[:] = torch.tensor(bias)
    ref = torch.relu(layer(torch.tensor(x))).detach().numpy() / np.sqrt(7)
    assert np.allclose(pf.random_relu_features(x, 7, seed=3, scale=2.0), ref)
    assert pf.random_relu_features(np.linspace(0, 1, 5), 4).shape == (5, 4)  # one input as a vector


def _reference_fit(phi, y, lam):
    if lam == 0:
        return np.linalg.pinv(phi) @ y
    p = phi.shape[1]  # ridge as least squares on the augmented system [phi; sqrt(lam) I]
    return np.linalg.lstsq(
        np.vstack([phi, np.sqrt(lam) * np.eye(p)]), np.vstack([y, np.zeros((p, y.shape[1]))]), rcond=None
    )[0]


def test_double_descent_metrics_match_direct_fits():
    rng = np.random.default_rng(5)
    x, xt = rng.normal(size=(12, 4)), rng.normal(size=(30, 4))
    labels, labels_t = rng.integers(0, 3, 12), rng.integers(0, 3, 30)
    y = np.stack([np.eye(3)[labels], np.eye(3)[rng.permutation(labels)]])
    yt = np.eye(3)[labels_t]
    widths, ridges = [3, 12, 40], [0.0, 0.05]
    res = pf.double_descent(x, y, xt, yt, widths, ridges, n_draws=2, seed=1)
    assert res["test_mse"].shape == (2, 3, 2, 2)
    for s in range(2):
        for i, p in enumerate(widths):
            for j in range(2):
                phi = pf.random_relu_features(x, p, [1, p, j])
                phit = pf.random_relu_features(xt, p, [1, p, j])
                for k, lam in enumerate(ridges):
                    w = _reference_fit(phi, y[s], lam)
                    assert math.isclose(
                        res["train_mse"][s, i, j, k],
                        np.mean(np.sum((phi @ w - y[s]) ** 2, 1)),
                        rel_tol=1e-6,
                        abs_tol=1e-12,
                    )
                    assert math.isclose(
                        res["test_mse"][s, i, j, k], np.mean(np.sum((phit @ w - yt) ** 2, 1)), rel_tol=1e-6
                    )
                    assert res["test_error"][s, i, j, k] == np.mean((phit @ w).argmax(1) != labels_t)
                    assert math.isclose(res["weight_norm"][s, i, j, k], np.linalg.norm(w), rel_tol=1e-6)
    assert res["train_mse"][:, 2, :, 0].max() < 1e-12  # 40 features, 12 points: interpolation
    single = pf.double_descent(x, y[0], xt, yt, [5], n_draws=1, seed=1)
    assert single["test_mse"].shape == (1, 1, 1)
    with pytest.raises(ValueError):
        pf.double_descent(x, y[0][:5], xt, yt, [5])


def test_shipped_double_descent_results_are_reproducible():
    shipped = pf.double_descent_results()
    widths = list(shipped["widths"])
    assert shipped["setup"]["widths"] == list(pf.DOUBLE_DESCENT["widths"])
    pick = [widths.index(13), widths.index(200)]
    fresh = pf.run_double_descent(widths=(13, 200))
    for key in ("train_mse", "test_mse", "test_error", "weight_norm"):
        for stat in ("median", "q1", "q3"):
            assert np.allclose(np.array(fresh[key][stat]), shipped[key][stat][:, pick], rtol=1e-6, atol=1e-12), key


def test_shipped_double_descent_shows_the_peak():
    r = pf.double_descent_results()
    widths = r["widths"]
    mse = r["test_mse"]["median"][:, :, 0]  # minimum norm, both label sets
    peak = np.argmax(mse, axis=1)
    assert np.all(np.abs(np.log(widths[peak] / r["setup"]["n_train"])) < np.log(1.5))  # near p = n
    assert np.all(mse[:, -1] < mse.max(axis=1) / 5)  # and it falls again
    assert np.all(r["train_mse"]["median"][:, widths > 300, 0] < 1e-10)  # interpolation beyond the threshold
    ridge = r["test_mse"]["median"][:, :, 2]
    assert np.all(ridge.max(axis=1) < 1.0)  # lambda = 0.1 removes the peak


def test_digits_data():
    x, t, xt, tt = pf.digits_data(50, 40, label_noise=0.5, seed=1)
    assert x.shape == (50, 64) and t.shape == (2, 50, 10) and xt.shape == (40, 64) and tt.shape == (40, 10)
    assert x.min() >= 0 and x.max() <= 1 and np.all(t.sum(2) == 1)
    changed = np.mean(t[0].argmax(1) != t[1].argmax(1))
    assert 0.2 < changed < 0.7
    with pytest.raises(ValueError):
        pf.digits_data(1700, 200)


# --------------------------------------------------------------------------------- high dimensions
def test_ball_volume():
    assert math.isclose(pf.ball_volume(1, 2.0), 4.0)
    assert math.isclose(pf.ball_volume(2), math.pi)
    assert math.isclose(pf.ball_volume(3, 0.5), 4 / 3 * math.pi / 8)
    for d in range(3, 30):  # the recursion V_d = 2π/d · V_{d-2}
        assert math.isclose(pf.ball_volume(d), 2 * math.pi / d * pf.ball_volume(d - 2), rel_tol=1e-12)
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 1, size=(200_000, 4))
    assert abs(16 * np.mean(np.sum(pts**2, 1) <= 1) - pf.ball_volume(4)) < 0.05
    assert pf.ball_volume(5, 0.0) == 0.0 and pf.ball_volume(5, 0.0, log=True) == -math.inf
    assert math.isclose(pf.ball_volume(7, 0.8, log=True), math.log(pf.ball_volume(7, 0.8)))
    assert pf.ball_volume(1000, 0.5) == 0.0 and -2800 < pf.ball_volume(1000, 0.5, log=True) < -2600
    with pytest.raises(ValueError):
        pf.ball_volume(0)


def test_shell_fraction_against_sampling():
    rng = np.random.default_rng(1)
    pts = rng.uniform(-1, 1, size=(300_000, 3))
    r = np.linalg.norm(pts, axis=1)
    r = r[r <= 1]
    for eps in (0.05, 0.2, 0.5):
        assert abs(np.mean(r > 1 - eps) - pf.shell_fraction(3, eps)) < 0.01
    assert pf.shell_fraction(1000, 0.01) > 0.9999
    assert np.allclose(pf.shell_fraction(np.array([1, 2]), 1.0), [1.0, 1.0])
    assert math.isclose(pf.shell_fraction(10, 1e-12), 1e-11, rel_tol=1e-6)  # accurate for tiny shells
    with pytest.raises(ValueError):
        pf.shell_fraction(2, 1.5)
    with pytest.raises(ValueError):
        pf.shell_fraction(0.5, 0.1)


def test_pairwise_distances_and_concentration():
    pts = np.random.default_rng(2).normal(size=(30, 7))
    assert np.allclose(pf.pairwise_distances(pts), pdist(pts))
    res = pf.distance_concentration([2, 20, 500], n_points=60)
    assert np.all(np.diff(res["contrast"]) < 0)
    assert abs(np.mean(res["distances"][2]) - 1 / math.sqrt(6)) < 0.01  # E|x − y|² = d/6 in the unit cube
