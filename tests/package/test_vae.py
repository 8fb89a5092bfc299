"""kan_edu.vae against independent references: scipy quadrature, closed forms, Monte Carlo (seeded, 5 standard
errors), torch's own distributions and autograd."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from kan_edu import vae


# ------------------------------------------------------------------------------------------ kl_gaussian
def test_kl_gaussian_matches_torch_distributions_and_is_additive():
    rng = np.random.default_rng(0)
    mu, logvar = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    ours = vae.kl_gaussian(mu, logvar)
    q = torch.distributions.Normal(torch.tensor(mu), torch.tensor(np.exp(0.5 * logvar)))
    p = torch.distributions.Normal(torch.zeros(5, 3, dtype=torch.float64), torch.ones(5, 3, dtype=torch.float64))
    reference = torch.distributions.kl_divergence(q, p).sum(-1).numpy()
    assert ours.shape == (5,)
    np.testing.assert_allclose(ours, reference, rtol=1e-12)
    # additive over dimensions, zero at the prior, positive elsewhere
    np.testing.assert_allclose(ours, sum(vae.kl_gaussian(mu[:, [j]], logvar[:, [j]]) for j in range(3)))
    assert vae.kl_gaussian(np.zeros(4), np.zeros(4)) == 0.0
    assert np.all(ours > 0)


def test_kl_gaussian_matches_monte_carlo_within_five_standard_errors():
    mu, logvar = np.array([0.7, -1.2]), np.array([-0.5, 0.4])
    std = np.exp(0.5 * logvar)
    z = mu + std * np.random.default_rng(1).standard_normal((200_000, 2))
    log_ratio = (stats.norm.logpdf(z, mu, std) - stats.norm.logpdf(z)).sum(1)
    se = log_ratio.std(ddof=1) / math.sqrt(len(log_ratio))
    assert abs(log_ratio.mean() - vae.kl_gaussian(mu, logvar)) < 5 * se


def test_kl_gaussian_torch_in_torch_out_and_differentiable():
    mu = torch.tensor([[0.3, -0.2]], requires_grad=True)
    logvar = torch.tensor([[0.1, -0.4]], requires_grad=True)
    out = vae.kl_gaussian(mu, logvar)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and out.shape == (1,)
    out.sum().backward()
    np.testing.assert_allclose(mu.grad.numpy(), mu.detach().numpy())  # d/dmu = mu
    np.testing.assert_allclose(logvar.grad.numpy(), 0.5 * (np.exp(logvar.detach().numpy()) - 1), rtol=1e-6)


def test_kl_gaussian_rejects_bad_input():
    with pytest.raises(ValueError, match="logvar must have shape"):
        vae.kl_gaussian(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="NaN"):
        vae.kl_gaussian(np.array([np.nan]), np.zeros(1))
    with pytest.raises(ValueError, match="at least one axis"):
        vae.kl_gaussian(0.0, 0.0)


# ------------------------------------------------------------------------------------------ log_mean_exp
def test_log_mean_exp_is_stable_and_matches_the_naive_formula():
    a = np.random.default_rng(2).normal(size=(4, 7))
    np.testing.assert_allclose(vae.log_mean_exp(a), np.log(np.exp(a).mean(-1)), rtol=1e-12)
    np.testing.assert_allclose(vae.log_mean_exp(a - 2000.0), np.log(np.exp(a).mean(-1)) - 2000.0, rtol=1e-12)
    np.testing.assert_allclose(vae.log_mean_exp(a, axis=0), np.log(np.exp(a).mean(0)), rtol=1e-12)
    assert vae.log_mean_exp(np.array([0.0, -np.inf])) == pytest.approx(math.log(0.5))
    t = vae.log_mean_exp(torch.tensor(a))
    assert isinstance(t, torch.Tensor)
    np.testing.assert_allclose(t.numpy(), vae.log_mean_exp(a))
    with pytest.raises(ValueError, match="NaN"):
        vae.log_mean_exp(np.array([np.nan, 0.0]))


# -------------------------------------------------------------------------------------------- the curve
def test_curve_model_evidence_matches_scipy_quadrature_and_integrates_to_one():
    model = vae.CurveModel(sigma=0.2)
    x = np.array([[0.9, -0.9], [0.2, 0.5], [1.3, 0.0]])
    ours = np.exp(model.log_evidence(x))
    for xi, p in zip(x, ours):

        def integrand(z, xi=xi):
            f1, f2 = 0.5 * math.exp(math.sin(2 + 3.675 * z)), math.cos(2 + 2.85 * z)
            sq = (xi[0] - f1) ** 2 + (xi[1] - f2) ** 2
            return math.exp(-sq / 0.08) / (2 * math.pi * 0.04) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

        ref, _ = integrate.quad(integrand, -8, 8, limit=400, points=np.linspace(-3, 3, 13))
        assert p == pytest.approx(ref, rel=1e-6)
    # the evidence is a density over the plane
    coarse = vae.CurveModel(sigma=0.2, n_grid=601)
    xs, ys = np.linspace(-0.6, 2.2, 71), np.linspace(-1.8, 1.8, 91)
    grid = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
    mass = np.exp(coarse.log_evidence(grid)).sum() * (xs[1] - xs[0]) * (ys[1] - ys[0])
    assert mass == pytest.approx(1.0, abs=2e-3)


def test_curve_model_posterior_is_normalised_and_samples_follow_the_curve():
    model = vae.CurveModel(sigma=0.1)
    post = model.posterior(np.array([[0.9, -0.9]]))[0]
    assert np.trapezoid(post, model.z_grid) == pytest.approx(1.0, rel=1e-9)
    x, z = model.sample(5000, seed=3)
    resid = x - model.curve(z)
    assert resid.std() == pytest.approx(0.1, rel=0.05)
    assert abs(z.mean()) < 5 / math.sqrt(5000)


# -------------------------------------------------------------------------------------- conjugate model
def test_conjugate_gaussian_exact_quantities_against_quadrature():
    m = vae.ConjugateGaussian(w=1.5, b=0.3, noise_std=0.5)
    x = 1.1
    evidence, _ = integrate.quad(lambda z: math.exp(m.log_joint(x, z)), -12, 12)
    assert m.log_evidence(x) == pytest.approx(math.log(evidence), rel=1e-9)
    pm, ps = m.posterior(x)
    post_mean, _ = integrate.quad(lambda z: z * math.exp(m.log_joint(x, z)) / evidence, -12, 12)
    post_var, _ = integrate.quad(lambda z: (z - post_mean) ** 2 * math.exp(m.log_joint(x, z)) / evidence, -12, 12)
    assert pm == pytest.approx(post_mean, rel=1e-8) and ps == pytest.approx(math.sqrt(post_var), rel=1e-8)
    # the ELBO of q = N(0.2, 0.6^2) by quadrature of E_q[log p(x, z) - log q(z)]
    qm, qs = 0.2, 0.6
    elbo, _ = integrate.quad(
        lambda z: stats.norm.pdf(z, qm, qs) * (m.log_joint(x, z) - stats.norm.logpdf(z, qm, qs)), -12, 12
    )
    assert m.elbo(x, qm, qs) == pytest.approx(elbo, rel=1e-8)
    # the gap is the KL to the posterior, by quadrature too
    kl, _ = integrate.quad(
        lambda z: stats.norm.pdf(z, qm, qs) * (stats.norm.logpdf(z, qm, qs) - stats.norm.logpdf(z, pm, ps)), -12, 12
    )
    assert m.kl_to_posterior(x, qm, qs) == pytest.approx(kl, rel=1e-8)
    assert m.log_evidence(x) - m.elbo(x, qm, qs) == pytest.approx(kl, rel=1e-8)


def test_conjugate_elbo_is_a_bound_tight_only_at_the_posterior():
    m = vae.ConjugateGaussian()
    x = np.array([-1.0, 0.0, 2.5])
    pm, ps = m.posterior(x)
    np.testing.assert_allclose(m.elbo(x, pm, ps), m.log_evidence(x), rtol=1e-12)
    np.testing.assert_allclose(m.kl_to_posterior(x, pm, ps), 0.0, atol=1e-12)
    rng = np.random.default_rng(4)
    qm, qs = rng.normal(size=(50, 1)), np.exp(rng.normal(size=(50, 1)))
    assert np.all(m.elbo(x, qm, qs) < m.log_evidence(x))
    with pytest.raises(ValueError, match="q_std"):
        m.elbo(x, 0.0, -1.0)


# -------------------------------------------------------------------------------------------- estimators
def wiggle(z):
    return torch.sin(3 * z) + 0.25 * z**2 + 2.0


def _quad_gradient(mu, log_sigma):
    """d/d(mu, log sigma) of E[f(z)] = int f(z) N(z; mu, sigma) dz by differentiating the density (scipy)."""
    sigma = math.exp(log_sigma)

    def f(z):
        return math.sin(3 * z) + 0.25 * z**2 + 2.0

    def dmu(z):
        return f(z) * stats.norm.pdf(z, mu, sigma) * (z - mu) / sigma**2

    def dls(z):
        return f(z) * stats.norm.pdf(z, mu, sigma) * ((z - mu) ** 2 / sigma**2 - 1)

    lo, hi = mu - 15 * sigma, mu + 15 * sigma
    return np.array([integrate.quad(dmu, lo, hi, limit=200)[0], integrate.quad(dls, lo, hi, limit=200)[0]])


@pytest.mark.parametrize("mu, log_sigma", [(0.4, -0.3), (-1.0, 0.5)])
def test_exact_gradient_and_value_match_scipy_quadrature(mu, log_sigma):
    np.testing.assert_allclose(vae.expected_gradient(wiggle, mu, log_sigma), _quad_gradient(mu, log_sigma), rtol=1e-8)
    sigma = math.exp(log_sigma)
    ref = integrate.quad(lambda z: (math.sin(3 * z) + 0.25 * z**2 + 2.0) * stats.norm.pdf(z, mu, sigma), -20, 20)[0]
    assert vae.expected_value(wiggle, mu, log_sigma) == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("estimator", [vae.reparam_grad, vae.score_grad])
def test_both_estimators_are_unbiased_within_five_standard_errors(estimator):
    mu, log_sigma = 0.4, -0.3
    est = estimator(wiggle, mu, log_sigma, n=100_000, seed=5)
    se = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(est.mean(0) - _quad_gradient(mu, log_sigma)) < 5 * se)


def test_reparameterisation_has_the_smaller_variance_and_a_baseline_helps_the_score():
    mu, log_sigma = 0.4, -0.3
    rep = vae.reparam_grad(wiggle, mu, log_sigma, n=20_000, seed=6).var(0)
    score = vae.score_grad(wiggle, mu, log_sigma, n=20_000, seed=6).var(0)
    based = vae.score_grad(wiggle, mu, log_sigma, n=20_000, seed=6, baseline=vae.expected_value(wiggle, mu, log_sigma))
    assert np.all(rep * 2 < score)
    assert np.all(based.var(0) < score)


def test_the_variance_of_a_mean_of_n_estimates_falls_as_one_over_n():
    one = vae.reparam_grad(wiggle, 0.0, 0.0, n=40_000, seed=7)
    means = one.reshape(-1, 16, 2).mean(1)
    ratio = one.var(0) / means.var(0)
    # the variance of a sample variance of 2500 means is about 2/2500 relative: 5 standard errors is 14%
    assert np.all(np.abs(ratio / 16 - 1) < 0.15)


def test_estimators_reject_bad_functions_and_arguments():
    with pytest.raises(ValueError, match="same shape"):
        vae.reparam_grad(lambda z: z.sum(), 0.0, 0.0, n=3)
    with pytest.raises(ValueError, match="log_sigma"):
        vae.score_grad(wiggle, 0.0, float("nan"))
    with pytest.raises(TypeError, match="f must be"):
        vae.reparam_grad("sin", 0.0, 0.0)


# --------------------------------------------------------------------------------------------- the VAE
@pytest.fixture(scope="module")
def small_vae():
    from kan_edu import data

    x, _ = data.digits()
    x = torch.tensor(x[:300], dtype=torch.float32)
    model, history = vae.fit_vae(x, epochs=8, hidden=32, batch_size=64, lr=3e-3, decoder_std=0.2, seed=0)
    return model, history, x


def test_fit_vae_is_deterministic_and_lowers_the_loss(small_vae):
    model, history, x = small_vae
    again, history2 = vae.fit_vae(x, epochs=8, hidden=32, batch_size=64, lr=3e-3, decoder_std=0.2, seed=0)
    np.testing.assert_array_equal(history["train_loss"], history2["train_loss"])
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_vae_elbo_is_the_gaussian_decoder_term_minus_the_kl(small_vae):
    model, _, x = small_vae
    xb = x[:5].double()
    m = model.double()
    mu, logvar = m.encode(xb)
    gen = torch.Generator().manual_seed(3)
    eps = torch.randn(mu.shape, generator=gen, dtype=mu.dtype)
    x_mean = m.decode(mu + torch.exp(0.5 * logvar) * eps)
    loglik = torch.distributions.Normal(x_mean, 0.2).log_prob(xb).sum(-1)
    kl = torch.distributions.kl_divergence(
        torch.distributions.Normal(mu, torch.exp(0.5 * logvar)), torch.distributions.Normal(0.0, 1.0)
    ).sum(-1)
    np.testing.assert_allclose(m.elbo(xb, beta=2.0, seed=3).detach(), (loglik - 2.0 * kl).detach(), rtol=1e-10)
    model.float()


def test_importance_sampled_likelihood_rises_with_k_and_k1_is_unbiased_for_the_elbo(small_vae):
    model, _, x = small_vae
    xb = x[:40].double()
    m = model.double()
    lls = [m.log_likelihood(xb, K, seed=1).mean().item() for K in (1, 8, 64, 512)]
    assert lls[0] < lls[1] < lls[2] < lls[3]
    # K = 1 is one-sample ELBO: its average over many seeds matches the ELBO averaged over many draws
    one = torch.stack([m.log_likelihood(xb, 1, seed=s) for s in range(200)])  # (200, 40)
    elbos = torch.stack([m.elbo(xb, seed=1000 + s).detach() for s in range(200)])
    diff = (one - elbos).mean(1).numpy()
    assert abs(diff.mean()) < 5 * diff.std(ddof=1) / math.sqrt(len(diff))
    model.float()


def test_importance_sampling_is_exact_with_the_true_posterior_as_proposal():
    m = vae.ConjugateGaussian(w=1.2, b=-0.4, noise_std=0.7)
    x = np.array([0.3, 1.9])
    pm, ps = m.posterior(x)
    z = pm + ps * np.random.default_rng(8).standard_normal((5, 2))
    log_w = m.log_joint(x, z) - stats.norm.logpdf(z, pm, ps)
    np.testing.assert_allclose(vae.log_mean_exp(log_w, axis=0), m.log_evidence(x), rtol=1e-10)


def test_vae_shapes_sampling_and_collapse_measure(small_vae):
    model, _, x = small_vae
    assert model.sample(6, seed=0).shape == (6, 64)
    torch.testing.assert_close(model.sample(6, seed=0), model.sample(6, seed=0))
    assert model.decode(torch.zeros(3, 2)).shape == (3, 64)
    kl = model.kl_per_dimension(x[:50])
    assert kl.shape == (2,) and torch.all(kl >= 0)
    with pytest.raises(ValueError, match="64 columns"):
        model.encode(torch.zeros(3, 10))
    with pytest.raises(ValueError, match="z must have 2 columns"):
        model.decode(torch.zeros(3, 5))
