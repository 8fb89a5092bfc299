"""kan_edu.regression (chapter 2) against independent references: brute force, numpy, sympy, torch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch

from kan_edu import data, regression


@pytest.fixture
def xy():
    return data.noisy_line(n=15, seed=3)


def test_loss_is_the_sum_of_squared_residuals(xy):
    x, y = xy
    brute = sum((0.3 + 1.2 * xi - yi) ** 2 for xi, yi in zip(x, y))
    assert np.isclose(regression.least_squares_loss(0.3, 1.2, x, y), brute)
    assert isinstance(regression.least_squares_loss(0.3, 1.2, x, y), float)
    # arrays of parameters give one loss each
    p0, p1 = np.array([0.3, -1.0]), np.array([1.2, 0.5])
    many = regression.least_squares_loss(p0, p1, x, y)
    assert many.shape == (2,) and np.isclose(many[1], regression.least_squares_loss(-1.0, 0.5, x, y))


def test_loss_surface_matches_brute_force(xy):
    x, y = xy
    p0, p1 = np.linspace(-1, 2, 7), np.linspace(-0.5, 1.5, 5)
    L = regression.loss_surface(x, y, p0, p1)
    assert L.shape == (5, 7)
    for i, b in enumerate(p1):
        for j, a in enumerate(p0):
            assert np.isclose(L[i, j], np.sum((a + b * x - y) ** 2))


def test_gradient_matches_torch_autograd_and_finite_differences(xy):
    x, y = xy
    phi = torch.tensor([0.2, -0.7], dtype=torch.float64, requires_grad=True)
    loss = ((phi[0] + phi[1] * torch.tensor(x) - torch.tensor(y)) ** 2).sum()
    loss.backward()
    g = regression.loss_gradient(0.2, -0.7, x, y)
    assert np.allclose(g, phi.grad.numpy())
    eps = 1e-6
    fd0 = (
        regression.least_squares_loss(0.2 + eps, -0.7, x, y) - regression.least_squares_loss(0.2 - eps, -0.7, x, y)
    ) / (2 * eps)
    assert np.isclose(g[0], fd0, rtol=1e-6)


def test_fit_line_solves_the_normal_equations_symbolically():
    # sympy: minimise the loss exactly for a small data set with rational entries
    xs = [0, 1, 2, 4]
    ys = [1, 2, 2, 5]
    a, b = sympy.symbols("a b")
    L = sum((a + b * xi - yi) ** 2 for xi, yi in zip(xs, ys))
    sol = sympy.solve([sympy.diff(L, a), sympy.diff(L, b)], [a, b])
    assert np.allclose(regression.fit_line(xs, ys), [float(sol[a]), float(sol[b])])
    # the Hessian is 2 [[N, sum x], [sum x, sum x^2]]: positive definite, so this is the minimum
    H = sympy.hessian(L, (a, b))
    assert H == 2 * sympy.Matrix([[4, 7], [7, 21]]) and all(ev > 0 for ev in H.eigenvals())


def test_fit_line_matches_lstsq_and_polyfit(xy):
    x, y = xy
    phi0, phi1 = regression.fit_line(x, y)
    X = np.c_[np.ones_like(x), x]
    assert np.allclose([phi0, phi1], np.linalg.lstsq(X, y, rcond=None)[0])
    assert np.allclose([phi1, phi0], np.polyfit(x, y, 1))
    assert np.allclose(regression.loss_gradient(phi0, phi1, x, y), 0, atol=1e-9)
    # the minimum is the lowest point of the surface
    L = regression.least_squares_loss(phi0, phi1, x, y)
    rng = np.random.default_rng(0)
    for d in rng.normal(scale=0.1, size=(20, 2)):
        assert regression.least_squares_loss(phi0 + d[0], phi1 + d[1], x, y) > L


def test_fit_line_is_accurate_far_from_zero():
    x = np.linspace(1e4, 1e4 + 1, 50)
    y = 3.0 - 2.0 * (x - 1e4)
    phi0, phi1 = regression.fit_line(x, y)
    assert np.isclose(phi1, -2.0, rtol=1e-8) and np.isclose(phi0 + phi1 * 1e4, 3.0, rtol=1e-6)


def test_fit_line_rejects_degenerate_data():
    with pytest.raises(ValueError, match="equal"):
        regression.fit_line([1.0, 1.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="two"):
        regression.fit_line([1.0], [2.0])


def test_polynomials_match_numpy(xy):
    x, y = xy
    for degree in (0, 1, 3, 5):
        coef = regression.fit_polynomial(x, y, degree)
        assert np.allclose(coef[::-1], np.polyfit(x, y, degree), atol=1e-6)
        assert np.allclose(regression.polynomial(x, coef), np.polyval(coef[::-1], x))
    assert np.allclose(regression.fit_polynomial(x, y, 1), regression.fit_line(x, y))
    X = regression.design_matrix(np.array([2.0, 3.0]), 2)
    assert np.array_equal(X, [[1, 2, 4], [1, 3, 9]])
    # as many coefficients as points: the polynomial interpolates
    coef = regression.fit_polynomial(x[:6], y[:6], 5)
    assert np.allclose(regression.polynomial(x[:6], coef), y[:6], atol=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda: regression.least_squares_loss(0, 1, np.ones((2, 2)), np.ones((2, 2))),
        lambda: regression.least_squares_loss(0, 1, [1.0, 2.0], [1.0]),
        lambda: regression.least_squares_loss(0, 1, [1.0, np.nan], [1.0, 2.0]),
        lambda: regression.least_squares_loss(np.inf, 1, [1.0], [1.0]),
        lambda: regression.loss_surface([1.0], [1.0], np.ones((2, 2)), [1.0]),
        lambda: regression.design_matrix([1.0], -1),
        lambda: regression.design_matrix([1.0], 1.5),
        lambda: regression.polynomial([1.0], []),
        lambda: regression.fit_line([], []),
    ],
)
def test_inputs_are_validated(call):
    with pytest.raises(ValueError):
        call()


def test_data_sets_are_seeded_sorted_and_validated():
    x1, y1 = data.noisy_line(n=12, seed=5)
    x2, y2 = data.noisy_line(n=12, seed=5)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2) and np.all(np.diff(x1) >= 0)
    xg, _ = data.noisy_line(n=5, grid=True, x_range=(0, 1))
    assert np.allclose(xg, [0, 0.25, 0.5, 0.75, 1])
    x, y = data.noisy_line(n=4000, noise=0.1, noise_growth=1.0, x_range=(0, 1), seed=0)
    res = y - (0.4 + 0.7 * x)
    assert res[x > 0.8].std() > 4 * res[x < 0.2].std()
    xb, yb = data.binary_labels_1d(n=400, slope=4.0, seed=1)
    assert set(np.unique(yb)) <= {0.0, 1.0} and yb[xb > 1].mean() > 0.9 and yb[xb < -1].mean() < 0.1
    with pytest.raises(ValueError):
        data.noisy_line(n=0)
    with pytest.raises(ValueError):
        data.binary_labels_1d(x_range=(1, 0))
