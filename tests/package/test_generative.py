"""kan_edu.generative and artists.density_image against independent references (scipy, sklearn, quadrature,
autograd, Monte Carlo)."""

import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from scipy import integrate, linalg, stats
from sklearn.neighbors import KernelDensity

from kan_edu import artists
from kan_edu import generative as g

MIX = g.GaussianMixture([[0.0, 0.0], [2.0, 1.0], [-1.0, 2.0]], [[0.5, 0.5], [1.0, 0.3], [0.4, 0.8]], [1, 3, 2])


def scipy_density(mix, x):
    return sum(
        w * stats.multivariate_normal(m, np.diag(s**2)).pdf(x) for w, m, s in zip(mix.weights, mix.means, mix.stds)
    )


# ------------------------------------------------------------------------------------------ the mixture
def test_log_prob_matches_scipy():
    x = MIX.sample(50, seed=3)
    np.testing.assert_allclose(MIX.log_prob(x), np.log(scipy_density(MIX, x)), rtol=1e-12)
    np.testing.assert_allclose(MIX.prob(x), scipy_density(MIX, x), rtol=1e-12)


def test_log_prob_is_finite_far_away():
    far = np.array([[1e3, -1e3]])
    assert np.isfinite(MIX.log_prob(far)).all()
    assert np.isfinite(MIX.score(far)).all()


def test_density_integrates_to_one():
    one_d = g.GaussianMixture([-2.0, 1.0, 4.0], [0.3, 1.0, 0.5], [0.2, 0.5, 0.3])
    total, _ = integrate.quad(lambda t: float(one_d.prob(np.array([t]))[0]), -20, 20, limit=200)
    assert total == pytest.approx(1.0, abs=1e-9)
    _, _, dens = g.density_grid(MIX.log_prob, (-6, 8, -5, 7), n=400)
    cell = (14 / 399) * (12 / 399)
    assert dens.sum() * cell == pytest.approx(1.0, abs=2e-3)


def test_score_is_the_autograd_gradient_and_torch_stays_torch():
    x = torch.tensor(MIX.sample(20, seed=1), requires_grad=True)
    lp = MIX.log_prob(x)
    assert isinstance(lp, torch.Tensor) and lp.shape == (20,)
    (grad,) = torch.autograd.grad(lp.sum(), x)
    np.testing.assert_allclose(MIX.score(x.detach()).numpy(), grad.numpy(), rtol=1e-10, atol=1e-12)
    # and against finite differences, in numpy
    x0 = x.detach().numpy()[:3]
    h = 1e-6
    fd = np.stack([(MIX.log_prob(x0 + h * e) - MIX.log_prob(x0 - h * e)) / (2 * h) for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(MIX.score(x0), fd, rtol=1e-6, atol=1e-6)


def test_one_dimensional_points_may_be_flat():
    one_d = g.GaussianMixture([0.0, 3.0], 1.0)
    x = np.array([0.0, 1.0, 2.5])
    assert one_d.log_prob(x).shape == (3,)
    assert one_d.score(x).shape == (3,)
    np.testing.assert_allclose(one_d.log_prob(x), one_d.log_prob(x[:, None]))


def test_responsibilities_are_bayes_rule():
    x = MIX.sample(10, seed=2)
    r = MIX.responsibilities(x)
    joint = np.stack(
        [w * stats.multivariate_normal(m, np.diag(s**2)).pdf(x) for w, m, s in zip(MIX.weights, MIX.means, MIX.stds)],
        axis=1,
    )
    np.testing.assert_allclose(r, joint / joint.sum(1, keepdims=True), rtol=1e-10)


def test_samples_have_the_exact_moments_and_weights():
    x, labels = MIX.sample(200_000, seed=0, return_labels=True)
    np.testing.assert_allclose(np.bincount(labels) / len(labels), MIX.weights, atol=0.005)
    np.testing.assert_allclose(x.mean(0), MIX.mean(), atol=0.02)
    np.testing.assert_allclose(np.cov(x, rowvar=False), MIX.covariance(), atol=0.03)


def test_sampling_is_seeded_and_leaves_global_state_alone():
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    a, b = MIX.sample(5, seed=7), MIX.sample(5, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, MIX.sample(5, seed=8))
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_diffused_is_the_distribution_of_the_noised_samples():
    ab = 0.3
    x = MIX.sample(200_000, seed=1)
    z = math.sqrt(ab) * x + math.sqrt(1 - ab) * np.random.default_rng(2).standard_normal(x.shape)
    noised = MIX.diffused(ab)
    np.testing.assert_allclose(z.mean(0), noised.mean(), atol=0.01)
    np.testing.assert_allclose(np.cov(z, rowvar=False), noised.covariance(), atol=0.02)
    # the density of z is the convolution of the scaled mixture with the noise: compare on a 1-D mixture
    one_d = g.GaussianMixture([-2.0, 1.0], [0.3, 0.7], [0.4, 0.6])
    t = 1.3

    def convolved(y):
        f = lambda u: float(one_d.prob(np.array([u]))[0]) * stats.norm.pdf(y, math.sqrt(ab) * u, math.sqrt(1 - ab))  # noqa: E731
        return integrate.quad(f, -12, 12, limit=200)[0]

    assert float(one_d.diffused(ab).prob(np.array([t]))[0]) == pytest.approx(convolved(t), rel=1e-8)
    # the ends: alpha_bar = 1 is the data, 0 is the standard normal
    np.testing.assert_allclose(one_d.diffused(1.0).means, one_d.means)
    end = one_d.diffused(0.0)
    np.testing.assert_allclose(end.log_prob(np.array([0.4])), stats.norm.logpdf(0.4), rtol=1e-12)


def test_ring_and_toy_sets():
    r = g.ring(k=6, radius=3.0, std=0.1)
    np.testing.assert_allclose(np.linalg.norm(r.means, axis=1), 3.0)
    np.testing.assert_allclose(r.means[0], [3.0, 0.0], atol=1e-12)
    for name in g.TOY_2D:
        a, b = g.toy_2d(name, 400, seed=1), g.toy_2d(name, 400, seed=1)
        assert a.shape == (400, 2) and np.isfinite(a).all()
        np.testing.assert_array_equal(a, b)
        assert 0.3 < a.std() < 2.0, name


def test_bad_mixtures_are_refused_clearly():
    with pytest.raises(ValueError, match="stds"):
        g.GaussianMixture([[0.0, 0.0]], [[1.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="stds"):
        g.GaussianMixture([[0.0, 0.0]], -1.0)
    with pytest.raises(ValueError, match="weights"):
        g.GaussianMixture([[0.0], [1.0]], 1.0, [0.0, 0.0])
    with pytest.raises(ValueError, match=r"x must be \(N, 2\)"):
        MIX.log_prob(np.ones((3, 3)))


# ------------------------------------------------------------------------------------------ the measures
def test_kde_log_likelihood_matches_sklearn_and_scales():
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(300, 2)), rng.normal(size=(100, 2))
    kde = KernelDensity(bandwidth=0.4).fit(train)
    assert g.kde_log_likelihood(train, test, 0.4) == pytest.approx(kde.score_samples(test).mean(), rel=1e-10)
    # scaling the data and the bandwidth by s shifts it by -d log s
    s = 3.0
    shifted = g.kde_log_likelihood(s * train, s * test, s * 0.4)
    assert shifted == pytest.approx(g.kde_log_likelihood(train, test, 0.4) - 2 * math.log(s), rel=1e-10)
    # on its own training points it grows without bound as h -> 0
    values = [g.kde_log_likelihood(train, train, h) for h in (1e-1, 1e-2, 1e-3, 1e-5)]
    assert values == sorted(values) and values[-1] > 10


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 3))
    c1 = a @ a.T + 0.1 * np.eye(3)
    b = rng.normal(size=(3, 3))
    c2 = b @ b.T + 0.1 * np.eye(3)
    mu1, mu2 = rng.normal(size=3), rng.normal(size=3)
    reference = np.sum((mu1 - mu2) ** 2) + np.trace(c1 + c2 - 2 * np.real(linalg.sqrtm(c1 @ c2)))
    assert g.frechet_distance(mu1, c1, mu2, c2) == pytest.approx(reference, rel=1e-9)
    assert g.frechet_distance(mu1, c1, mu1, c1) == pytest.approx(0.0, abs=1e-9)
    assert g.frechet_distance(mu1, c1, mu2, c2) == pytest.approx(g.frechet_distance(mu2, c2, mu1, c1), rel=1e-9)
    delta = np.array([0.5, -1.0, 2.0])
    assert g.frechet_distance(mu1 + delta, c1, mu1, c1) == pytest.approx(delta @ delta, rel=1e-9)
    # 1-D: (m1 - m2)^2 + (s1 - s2)^2, with variances passed as the covariances
    assert g.frechet_distance(1.0, 4.0, -1.0, 9.0) == pytest.approx(4.0 + 1.0)
    # commuting (diagonal) covariances: the sum of (sqrt c1 - sqrt c2)^2
    d1, d2 = np.array([1.0, 4.0]), np.array([9.0, 0.25])
    expected = np.sum((np.sqrt(d1) - np.sqrt(d2)) ** 2)
    assert g.frechet_distance(np.zeros(2), np.diag(d1), np.zeros(2), np.diag(d2)) == pytest.approx(expected)


def test_frechet_distance_refuses_non_covariances():
    with pytest.raises(ValueError, match="C1"):
        g.frechet_distance(np.zeros(2), np.array([[1.0, 2.0], [0.0, 1.0]]), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="C2"):
        g.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), -np.eye(2))


def test_frechet_distance_samples_fits_moments():
    x = MIX.sample(4000, seed=1)
    y = MIX.sample(4000, seed=2) + [1.0, 0.0]
    expected = g.frechet_distance(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert g.frechet_distance_samples(x, y) == pytest.approx(expected)
    assert g.frechet_distance_samples(x, y) == pytest.approx(1.0, abs=0.1)


def test_precision_recall_knn_by_brute_force_and_its_symmetries():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(60, 2)), rng.normal(0.7, 1.0, size=(50, 2))
    k = 3

    def brute(a, b):  # fraction of b inside the balls of a
        da = np.linalg.norm(a[:, None] - a[None], axis=2)
        radius = np.sort(da, axis=1)[:, k]  # column 0 is the point itself
        dab = np.linalg.norm(b[:, None] - a[None], axis=2)
        return float(np.mean((dab <= radius[None]).any(1)))

    p, r = g.precision_recall_knn(real, fake, k)
    assert (p, r) == pytest.approx((brute(real, fake), brute(fake, real)))
    assert g.precision_recall_knn(fake, real, k) == pytest.approx((r, p))
    assert g.precision_recall_knn(real, real, k) == (1.0, 1.0)


def test_precision_and_recall_tell_quality_from_coverage():
    ring = g.ring()
    real = ring.sample(2000, seed=0)
    x, labels = ring.sample(6000, seed=1, return_labels=True)
    collapsed = x[labels < 3][:2000]  # crisp samples from 3 of 8 modes
    p, r = g.precision_recall_knn(real, collapsed, 3)
    assert p > 0.9 and r < 0.5
    blurry = ring.sample(2000, seed=2) + np.random.default_rng(0).normal(0, 0.5, (2000, 2))
    p, r = g.precision_recall_knn(real, blurry, 3)
    assert p < 0.5 and r > 0.9


def test_mode_coverage():
    ring = g.ring()
    x, labels = ring.sample(800, seed=0, return_labels=True)
    assert g.mode_coverage(x, ring.means, 0.3) == (8, 1.0)
    covered, frac = g.mode_coverage(x[labels < 5], ring.means, 0.3)
    assert covered == 5 and frac == 1.0
    covered, frac = g.mode_coverage(np.zeros((10, 2)), ring.means, 0.3)
    assert covered == 0 and frac == 0.0
    assert g.mode_coverage(x[:3], ring.means, 0.3, min_count=4)[0] == 0


def test_wasserstein_1d_matches_scipy():
    rng = np.random.default_rng(4)
    x, y, z = rng.normal(size=300), rng.exponential(size=300), rng.normal(2, 3, size=123)
    assert g.wasserstein_1d(x, y) == pytest.approx(stats.wasserstein_distance(x, y), rel=1e-12)
    assert g.wasserstein_1d(x, z) == pytest.approx(stats.wasserstein_distance(x, z), rel=1e-12)
    assert g.wasserstein_1d(x, x + 2.5) == pytest.approx(2.5)
    assert g.wasserstein_1d(x, z) <= g.wasserstein_1d(x, y) + g.wasserstein_1d(y, z) + 1e-12


def test_kl_and_js_against_scipy():
    rng = np.random.default_rng(5)
    p, q = rng.random(10), rng.random(10)
    assert g.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q), rel=1e-12)
    # scipy's jensenshannon is the square root of the divergence
    from scipy.spatial.distance import jensenshannon

    assert g.js_divergence(p, q) == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-10)
    assert g.js_divergence(p, q) == pytest.approx(g.js_divergence(q, p))
    perm = rng.permutation(10)
    assert g.js_divergence(p[perm], q[perm]) == pytest.approx(g.js_divergence(p, q))
    assert g.js_divergence([1, 1, 0, 0], [0, 0, 2, 5]) == pytest.approx(math.log(2))
    assert g.kl_divergence([1, 1], [1, 0]) == math.inf
    assert g.kl_divergence([1, 0], [1, 1]) == pytest.approx(math.log(2))


# ------------------------------------------------------------------------------------------ the image
def test_density_image_updates_in_place():
    ax = Figure().subplots()
    img = artists.density_image(ax, (-3, 3, -2, 2), n=50)
    assert img.points.shape == (2500, 2)
    dens = MIX.prob(img.points)
    img.set_density(dens)
    shown = np.asarray(img.image.get_array())
    xs, ys, grid = g.density_grid(MIX.log_prob, (-3, 3, -2, 2), n=50)
    np.testing.assert_allclose(shown, grid, rtol=1e-12)
    assert img.image.get_clim() == pytest.approx((0.0, grid.max()))
    image = img.image
    img.set_density(2 * dens)
    assert img.image is image and len(ax.images) == 1
    with pytest.raises(ValueError, match="values"):
        img.set_density(np.ones(7))
    with pytest.raises(ValueError, match="extent"):
        artists.density_image(ax, (1, 0, 0, 1))
