"""kan_edu.losses (chapter 5) against scipy and torch.nn.functional, and the maximum-likelihood facts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F
from scipy.optimize import minimize, minimize_scalar

from kan_edu import data, losses, regression


def t(a):
    return torch.tensor(np.asarray(a, dtype=float))


def test_stable_helpers_match_scipy():
    rng = np.random.default_rng(0)
    z = rng.normal(scale=4, size=(6, 5))
    assert np.allclose(losses.logsumexp(z), scipy.special.logsumexp(z, axis=-1))
    assert np.allclose(losses.logsumexp(z, axis=0), scipy.special.logsumexp(z, axis=0))
    assert np.allclose(losses.softmax(z), scipy.special.softmax(z, axis=-1))
    assert np.allclose(losses.log_softmax(z), scipy.special.log_softmax(z, axis=-1))
    assert np.allclose(losses.softmax(z).sum(-1), 1)
    assert np.allclose(losses.softmax(z + 100.0), losses.softmax(z))
    big = np.array([1000.0, 999.0, -1000.0])
    assert np.isclose(losses.logsumexp(big), 1000 + math.log1p(math.exp(-1)))
    zz = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    assert np.allclose(losses.sigmoid(zz), scipy.special.expit(zz), rtol=1e-12, atol=0)
    assert np.allclose(losses.softplus(zz), F.softplus(t(zz)).numpy())
    assert np.all(np.isfinite(losses.sigmoid(zz))) and np.all(np.isfinite(losses.softplus(zz)))


def test_gaussian_nll_matches_scipy_and_torch():
    rng = np.random.default_rng(1)
    y, mu, sigma = rng.normal(size=20), rng.normal(size=20), rng.uniform(0.2, 3, 20)
    ref = -scipy.stats.norm.logpdf(y, loc=mu, scale=sigma)
    assert np.allclose(losses.gaussian_nll(y, mu, sigma, reduction="none"), ref)
    assert np.isclose(losses.gaussian_nll(y, mu, sigma), ref.sum())
    assert np.isclose(losses.gaussian_nll(y, mu, sigma, reduction="mean"), ref.mean())
    # torch takes the variance, and adds 0.5 log(2 pi) only with full=True
    torch_sum = F.gaussian_nll_loss(t(mu), t(y), t(sigma**2), full=True, reduction="sum").item()
    assert np.isclose(losses.gaussian_nll(y, mu, sigma), torch_sum)
    torch_short = F.gaussian_nll_loss(t(mu), t(y), t(sigma**2), full=False, reduction="mean").item()
    assert np.isclose(losses.gaussian_nll(y, mu, sigma, reduction="mean") - 0.5 * math.log(2 * math.pi), torch_short)
    # broadcasting a scalar sigma
    assert np.isclose(losses.gaussian_nll(y, mu, 0.5), -scipy.stats.norm.logpdf(y, mu, 0.5).sum())


def test_least_squares_is_the_gaussian_maximum_likelihood():
    x, y = data.noisy_line(n=30, seed=2)
    # with a fixed sigma, the mean line that minimises the NLL is the least-squares line
    for sigma in (0.1, 1.0, 3.0):
        res = minimize(
            lambda p: losses.gaussian_nll(y, p[0] + p[1] * x, sigma),
            x0=[0.0, 0.0],
            method="BFGS",
            options={"gtol": 1e-10},
        )
        assert np.allclose(res.x, regression.fit_line(x, y), atol=1e-5)
    # NLL = LS / (2 sigma^2) + N log sigma + N/2 log 2 pi, exactly
    phi0, phi1, sigma = 0.1, 0.9, 0.7
    ls = regression.least_squares_loss(phi0, phi1, x, y)
    nll = losses.gaussian_nll(y, phi0 + phi1 * x, sigma)
    assert np.isclose(nll, ls / (2 * sigma**2) + len(x) * (math.log(sigma) + 0.5 * math.log(2 * math.pi)))
    # the maximum-likelihood sigma is the root mean square residual
    phi0, phi1 = regression.fit_line(x, y)
    r = y - (phi0 + phi1 * x)
    best = minimize_scalar(
        lambda s: losses.gaussian_nll(y, phi0 + phi1 * x, s),
        bounds=(0.01, 5),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert np.isclose(best.x, np.sqrt(np.mean(r**2)), rtol=1e-5)


def test_bernoulli_nll_matches_torch():
    rng = np.random.default_rng(3)
    z = rng.normal(scale=3, size=25)
    y = (rng.uniform(size=25) < 0.5).astype(float)
    ref = F.binary_cross_entropy_with_logits(t(z), t(y), reduction="sum").item()
    assert np.isclose(losses.bernoulli_nll(y, z), ref)
    via_probs = F.binary_cross_entropy(torch.sigmoid(t(z)), t(y), reduction="mean").item()
    assert np.isclose(losses.bernoulli_nll(y, z, reduction="mean"), via_probs)
    lam = scipy.special.expit(z)
    assert np.allclose(losses.bernoulli_nll(y, z, reduction="none"), -(y * np.log(lam) + (1 - y) * np.log(1 - lam)))
    # huge logits stay finite and exact: a confident wrong answer costs |z|
    assert np.allclose(losses.bernoulli_nll([0.0, 1.0, 1.0], [500.0, -500.0, 500.0], reduction="none"), [500, 500, 0])


def test_categorical_nll_matches_torch_cross_entropy():
    rng = np.random.default_rng(4)
    z = rng.normal(scale=3, size=(40, 5))
    labels = rng.integers(0, 5, 40)
    ref = F.cross_entropy(t(z), torch.tensor(labels), reduction="sum").item()
    assert np.isclose(losses.categorical_nll(labels, z), ref)
    assert np.isclose(
        losses.categorical_nll(labels, z, reduction="mean"), F.cross_entropy(t(z), torch.tensor(labels)).item()
    )
    # one example as a 1-D vector of logits
    assert np.isclose(losses.categorical_nll(2, z[0]), F.cross_entropy(t(z[:1]), torch.tensor([2])).item())
    # invariant to adding a constant to each row, exact for huge logits
    shift = rng.normal(scale=1000, size=(40, 1))
    assert np.isclose(losses.categorical_nll(labels, z + shift), losses.categorical_nll(labels, z), rtol=1e-9)
    assert np.isclose(losses.categorical_nll([0], np.array([[0.0, 1000.0]])), 1000.0)


def test_two_class_softmax_is_the_sigmoid():
    rng = np.random.default_rng(5)
    z = rng.normal(scale=2, size=(30, 2))
    labels = rng.integers(0, 2, 30)
    assert np.allclose(
        losses.categorical_nll(labels, z, reduction="none"),
        losses.bernoulli_nll(labels.astype(float), z[:, 1] - z[:, 0], reduction="none"),
    )


def test_gradient_of_cross_entropy_is_softmax_minus_one_hot():
    rng = np.random.default_rng(6)
    z = rng.normal(size=(3, 4))
    labels = np.array([0, 3, 1])
    expected = losses.softmax(z) - np.eye(4)[labels]
    zt = t(z).requires_grad_()
    F.cross_entropy(zt, torch.tensor(labels), reduction="sum").backward()
    assert np.allclose(zt.grad.numpy(), expected)
    eps, fd = 1e-6, np.zeros_like(z)
    for idx in np.ndindex(*z.shape):
        d = np.zeros_like(z)
        d[idx] = eps
        fd[idx] = (losses.categorical_nll(labels, z + d) - losses.categorical_nll(labels, z - d)) / (2 * eps)
    assert np.allclose(fd, expected, atol=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda: losses.gaussian_nll([1.0], [0.0], 0.0),
        lambda: losses.gaussian_nll([1.0], [0.0], -1.0),
        lambda: losses.gaussian_nll([np.nan], [0.0], 1.0),
        lambda: losses.gaussian_nll([1.0, 2.0], [0.0, 1.0, 2.0], 1.0),
        lambda: losses.gaussian_nll([1.0], [0.0], 1.0, reduction="average"),
        lambda: losses.bernoulli_nll([2.0], [0.0]),
        lambda: losses.bernoulli_nll([1.0, 0.0], [0.0, 1.0, 2.0]),
        lambda: losses.categorical_nll([3], np.zeros((1, 3))),
        lambda: losses.categorical_nll([0.5], np.zeros((1, 3))),
        lambda: losses.categorical_nll([0, 1], np.zeros((1, 3))),
        lambda: losses.categorical_nll([0], np.zeros((1, 2, 3))),
        lambda: losses.logsumexp(np.zeros((2, 0))),
    ],
)
def test_inputs_are_validated(call):
    with pytest.raises(ValueError):
        call()
