"""kan_edu.unsupervised against independent references: scipy's normal densities, moments of samples,
quadrature of the densities, and the toolkit's exact mixture."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from kan_edu import generative, unsupervised


@pytest.fixture(scope="module")
def moons():
    return generative.toy_2d("moons", 150, seed=0), generative.toy_2d("moons", 300, seed=1)


def test_gaussian_is_the_maximum_likelihood_normal(moons):
    train, test = moons
    model = unsupervised.fit_density("gaussian", train)
    reference = multivariate_normal(train.mean(0), np.cov(train.T, bias=True))  # the MLE covariance divides by N
    assert np.allclose(model.log_prob(test), reference.logpdf(test), atol=1e-4)
    assert model.complexity == 1 and model.dim == 2


def test_kde_is_the_average_of_normal_kernels(moons):
    train, test = moons
    h = 0.3
    model = unsupervised.fit_density("kde", train, h)
    logs = np.stack([multivariate_normal(c, h**2 * np.eye(2)).logpdf(test) for c in train])
    assert np.allclose(model.log_prob(test), logsumexp(logs, axis=0) - np.log(len(train)), atol=1e-10)
    assert np.isclose(model.log_prob(test).mean(), generative.kde_log_likelihood(train, test, h), atol=1e-10)


@pytest.mark.parametrize("kind, complexity", [("gaussian", None), ("mixture", 4), ("kde", 0.2)])
def test_densities_integrate_to_one(moons, kind, complexity):
    model = unsupervised.fit_density(kind, moons[0], complexity)
    xs = np.linspace(-4, 4, 321)
    gx, gy = np.meshgrid(xs, xs)
    p = np.exp(model.log_prob(np.stack([gx.ravel(), gy.ravel()], 1)))
    assert abs(p.sum() * (xs[1] - xs[0]) ** 2 - 1.0) < 2e-3


def test_mixture_samples_have_the_mixture_moments(moons):
    model = unsupervised.fit_density("mixture", moons[0], 3, seed=0)
    est = model.estimator
    mean = est.weights_ @ est.means_
    second = sum(w * (C + np.outer(m, m)) for w, m, C in zip(est.weights_, est.means_, est.covariances_))
    x = model.sample(200_000, seed=5)
    assert np.allclose(x.mean(0), mean, atol=0.01)
    assert np.allclose(x.T @ x / len(x), second, atol=0.02)


@pytest.mark.parametrize("kind, complexity", [("mixture", 3), ("kde", 0.2)])
def test_sampling_is_seeded(moons, kind, complexity):
    model = unsupervised.fit_density(kind, moons[0], complexity)
    assert np.array_equal(model.sample(20, seed=3), model.sample(20, seed=3))
    assert not np.array_equal(model.sample(20, seed=3), model.sample(20, seed=4))
    assert model.sample(7).shape == (7, 2)
    assert model.log_prob(np.empty((0, 2))).shape == (0,)


def test_narrowing_the_kde_raises_the_training_likelihood_without_bound(moons):
    train = moons[0]
    lls = [unsupervised.fit_density("kde", train, h).log_prob(train).mean() for h in np.geomspace(1, 1e-4, 12)]
    assert np.all(np.diff(lls) > 0)
    # near h -> 0 each training point sees only its own kernel: d log(1/h) - log N - (d/2) log(2 pi)
    h = 1e-4
    assert np.isclose(lls[-1], 2 * np.log(1 / h) - np.log(len(train)) - np.log(2 * np.pi), atol=1e-6)


def test_tempered_scales_the_spreads_and_keeps_modes():
    ring = generative.ring(k=8, radius=2.0, std=0.05)
    same = unsupervised.tempered(ring)
    x = ring.sample(50, seed=0)
    assert np.allclose(same.log_prob(x), ring.log_prob(x))
    hot = unsupervised.tempered(ring, temperature=3.0, modes=3)
    assert hot.n_components == 3 and np.allclose(hot.stds, 0.15) and np.allclose(hot.weights, 1 / 3)
    # closed form: an equal mixture of 3 isotropic normals
    logs = np.stack([multivariate_normal(m, 0.15**2 * np.eye(2)).logpdf(x) for m in ring.means[:3]])
    assert np.allclose(hot.log_prob(x), logsumexp(logs, axis=0) - np.log(3))
    labels = np.argmin(((hot.sample(300, seed=1)[:, None] - ring.means[None]) ** 2).sum(-1), axis=1)
    assert set(labels) == {0, 1, 2}


def test_bad_arguments_are_named(moons):
    train = moons[0]
    with pytest.raises(ValueError, match="kind"):
        unsupervised.fit_density("histogram", train)
    with pytest.raises(ValueError, match="x must hold at least 5 samples"):
        unsupervised.fit_density("mixture", train[:3], 5)
    with pytest.raises(ValueError, match="bandwidth"):
        unsupervised.fit_density("kde", train, 0.0)
    with pytest.raises(ValueError, match="x"):
        unsupervised.fit_density("kde", train, 0.3).log_prob(np.ones((2, 3)))
    with pytest.raises(TypeError, match="mixture"):
        unsupervised.tempered(train)
    with pytest.raises(ValueError, match="modes"):
        unsupervised.tempered(generative.ring(), modes=9)
