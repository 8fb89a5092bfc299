"""kan_edu.diffusion against independent references: iterated single steps (Monte Carlo), Bayes' rule by
quadrature, finite differences of the exact log density, and the forward process itself."""

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from kan_edu import diffusion as D
from kan_edu import generative as G

BETAS = np.linspace(0.01, 0.2, 20)  # a schedule whose betas change, so alpha^t is not alpha_bar


# ------------------------------------------------------------------------------------------- schedules
def test_schedules_end_near_pure_noise_and_cosine_starts_slower():
    for kind in ("linear", "cosine"):
        b = D.schedule(kind, 100)
        assert b.shape == (100,) and np.all((b > 0) & (b < 1))
        ab = D.alpha_bars(b)
        assert ab[0] == 1 and np.all(np.diff(ab) < 0) and ab[-1] < 1e-3
    lin, cos = D.alpha_bars(D.schedule("linear", 100)), D.alpha_bars(D.schedule("cosine", 100))
    assert cos[50] > lin[50]  # the cosine schedule keeps more signal in the middle
    assert np.isclose(D.schedule("linear", 1000)[0], 1e-4) and np.isclose(D.schedule("linear", 1000)[-1], 0.02)


def test_alpha_bars_are_the_cumulative_product():
    ab = D.alpha_bars(BETAS)
    assert np.allclose(ab[1:], [np.prod(1 - BETAS[:t]) for t in range(1, 21)])


# ----------------------------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("t", [1, 7, 20])
def test_kernel_matches_iterated_single_steps_by_monte_carlo(t):
    rng = np.random.default_rng(t)
    n, x = 200_000, 1.3
    z = np.full(n, x)
    for s in range(t):
        z = np.sqrt(1 - BETAS[s]) * z + np.sqrt(BETAS[s]) * rng.standard_normal(n)
    mean, std = D.diffusion_kernel(x, t, BETAS)
    assert abs(z.mean() - mean) < 5 * std / np.sqrt(n)
    assert abs(z.std() - std) < 5 * std / np.sqrt(2 * n)
    assert np.isclose(mean**2 / x**2 + std**2, 1.0)


def test_kernel_keeps_the_kind_and_broadcasts_one_step_per_row():
    x = np.arange(6.0).reshape(3, 2)
    t = np.array([1, 5, 20])
    mean, std = D.diffusion_kernel(x, t, BETAS)
    for i in range(3):
        m, s = D.diffusion_kernel(x[i], int(t[i]), BETAS)
        assert np.allclose(mean[i], m) and np.allclose(std[i], s)
    mt, st = D.diffusion_kernel(torch.tensor(x, dtype=torch.float32), 5, BETAS)
    assert isinstance(mt, torch.Tensor) and mt.dtype == torch.float32
    assert np.allclose(mt.numpy(), D.diffusion_kernel(x, 5, BETAS)[0], atol=1e-6) and isinstance(st, torch.Tensor)


def test_diffuse_draws_from_the_kernel():
    x = np.ones((50_000, 1)) * 0.7
    z, eps = D.diffuse(x, 9, BETAS, seed=3)
    mean, std = D.diffusion_kernel(x, 9, BETAS)
    assert np.allclose(z, mean + std * eps)
    assert abs(eps.mean()) < 0.03 and abs(eps.std() - 1) < 0.02
    assert np.array_equal(z, D.diffuse(x, 9, BETAS, seed=3)[0])


@pytest.mark.parametrize("t", [2, 6, 20])
def test_posterior_equals_bayes_rule_by_quadrature(t):
    x, z_t = 0.8, -0.4
    ab = D.alpha_bars(BETAS)
    prior = stats.norm(np.sqrt(ab[t - 1]) * x, np.sqrt(1 - ab[t - 1]))  # q(z_(t-1) | x)

    def joint(z):  # q(z_(t-1) | x) q(z_t | z_(t-1))
        return prior.pdf(z) * stats.norm.pdf(z_t, np.sqrt(1 - BETAS[t - 1]) * z, np.sqrt(BETAS[t - 1]))

    lo, hi = -6.0, 6.0
    norm = integrate.quad(joint, lo, hi, epsabs=1e-13, limit=200)[0]
    m1 = integrate.quad(lambda z: z * joint(z), lo, hi, epsabs=1e-13, limit=200)[0] / norm
    m2 = integrate.quad(lambda z: z * z * joint(z), lo, hi, epsabs=1e-13, limit=200)[0] / norm
    mean, std = D.posterior_q(x, z_t, t, BETAS)
    assert np.isclose(mean, m1, atol=1e-7) and np.isclose(std**2, m2 - m1**2, atol=1e-7)


def test_posterior_std_ignores_the_data_and_step_one_returns_x():
    rng = np.random.default_rng(0)
    x, z = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    assert D.posterior_q(x, z, 5, BETAS)[1] == D.posterior_q(3 * x, -z, 5, BETAS)[1]
    mean, std = D.posterior_q(x, z, 1, BETAS)
    assert np.allclose(mean, x) and std == 0
    mt, st = D.posterior_q(torch.tensor(x), torch.tensor(z), torch.tensor([1, 2, 3, 4]), BETAS)
    assert isinstance(mt, torch.Tensor) and np.allclose(mt[1].numpy(), D.posterior_q(x[1], z[1], 2, BETAS)[0])


def test_ddim_with_the_true_noise_recovers_x_and_lands_on_the_forward_process():
    rng = np.random.default_rng(1)
    x, eps = rng.normal(size=(10, 3)), rng.normal(size=(10, 3))
    ab = D.alpha_bars(BETAS)
    z = np.sqrt(ab[17]) * x + np.sqrt(1 - ab[17]) * eps
    assert np.allclose(D.ddim_step(z, eps, 17, 0, BETAS), x)
    assert np.allclose(D.ddim_step(z, eps, 17, 4, BETAS), np.sqrt(ab[4]) * x + np.sqrt(1 - ab[4]) * eps)
    zt = D.ddim_step(torch.tensor(z), torch.tensor(eps), 17, 0, BETAS)
    assert isinstance(zt, torch.Tensor) and np.allclose(zt.numpy(), x)


# ---------------------------------------------------------------------------------------- exact denoiser
def test_exact_denoiser_is_the_scaled_score_by_finite_differences():
    mix = G.GaussianMixture([[-1.0, 0.5], [1.2, -0.3], [0.0, 1.5]], [0.2, 0.4, 0.3], [0.5, 0.3, 0.2])
    ex = D.exact_denoiser(mix, BETAS)
    z = np.random.default_rng(2).normal(size=(6, 2))
    ab, h = D.alpha_bars(BETAS), 1e-5
    for t in (1, 8, 20):
        marginal = mix.diffused(ab[t])
        fd = np.stack(
            [(marginal.log_prob(z + h * e) - marginal.log_prob(z - h * e)) / (2 * h) for e in np.eye(2)], axis=1
        )
        assert np.allclose(ex(z, t), -np.sqrt(1 - ab[t]) * fd, atol=1e-6)
        # one label: that component's Gaussian alone
        single = G.GaussianMixture(mix.means[1:2], mix.stds[1:2]).diffused(ab[t])
        assert np.allclose(ex(z, t, np.ones(6, int)), -np.sqrt(1 - ab[t]) * single.score(z))
        assert np.allclose(ex(z, t, np.full(6, 3)), ex(z, t))  # the null label is the whole mixture


def test_exact_denoiser_is_the_posterior_mean_of_the_noise():
    # E[eps | z_t] by Monte Carlo over a 1-D mixture, binned in z_t, against the closed form
    mix = G.GaussianMixture([-1.0, 1.5], [0.3, 0.5], [0.4, 0.6])
    ex, t = D.exact_denoiser(mix, BETAS), 6
    x = mix.sample(400_000, seed=5)
    z, eps = D.diffuse(x, t, BETAS, seed=6)
    bins = np.linspace(-1.5, 2.0, 8)
    for lo, hi in zip(bins[:-1], bins[1:]):
        inside = (z[:, 0] > lo) & (z[:, 0] < hi) & (np.abs(z[:, 0] - (lo + hi) / 2) < 0.01)
        mc = eps[inside, 0]
        centre = ex(np.array([[(lo + hi) / 2]]), t)[0, 0]
        assert abs(mc.mean() - centre) < 5 * mc.std() / np.sqrt(len(mc)) + 0.02


def test_denoising_loss_floor_is_below_any_other_denoiser():
    mix = G.ring(4, 1.0, 0.2)
    ex = D.exact_denoiser(mix, BETAS)
    x = mix.sample(3000, seed=0)
    model = D.EpsMLP(2, len(BETAS), seed=0)
    for t in (3, 15):
        assert D.denoising_loss(ex, x, t, BETAS, seed=1) < D.denoising_loss(model, x, t, BETAS, seed=1)
    # at the last step z_t is almost pure noise, so the best guess of eps is z_t itself: loss near 0
    assert D.denoising_loss(D.exact_denoiser(mix, D.schedule("linear", 100)), x, 100, D.schedule("linear", 100)) < 1e-3


# ------------------------------------------------------------------------------------------ samplers
def test_samplers_with_the_exact_denoiser_reproduce_a_gaussian():
    mix = G.GaussianMixture([[1.0, -2.0]], [[0.5, 1.5]])
    betas = D.schedule("linear", 1000)  # the discretisation error shrinks with the number of steps
    ex = D.exact_denoiser(mix, betas)
    for sample in (
        D.sample_ddpm(ex, betas, 8_000, seed=0),
        D.sample_ddim(ex, betas, 8_000, seed=0),
        D.sample_ddim(ex, betas, 8_000, eta=1.0, seed=1),
    ):
        assert np.allclose(sample.mean(0), [1.0, -2.0], atol=0.04)
        assert np.allclose(sample.std(0), [0.5, 1.5], rtol=0.03)
    # few DDIM steps shrink the spread: the step's estimate of x is a posterior mean
    assert np.all(D.sample_ddim(ex, betas, 8_000, steps=5, seed=0).std(0) < [0.45, 1.4])


def test_ddim_is_deterministic_given_z_T_and_paths_have_every_state():
    mix = G.ring(3, 1.0, 0.1)
    ex = D.exact_denoiser(mix, BETAS)
    a = D.sample_ddim(ex, BETAS, 50, steps=5, seed=4, path=True)
    assert a.shape == (6, 50, 2) and np.array_equal(a[-1], D.sample_ddim(ex, BETAS, 50, steps=5, seed=4))
    p = D.sample_ddpm(ex, BETAS, 50, seed=4, path=True)
    assert p.shape == (21, 50, 2) and np.array_equal(p[0], a[0])  # the same z_T from the same seed


def test_guidance_with_the_exact_denoiser_puts_samples_on_their_own_mode():
    mix = G.ring(4, 2.0, 0.2)
    betas = D.schedule("linear", 50)
    ex = D.exact_denoiser(mix, betas)
    labels = np.arange(400) % 4
    for w in (0.0, 2.0):
        s = D.sample_ddim(ex, betas, 400, labels=labels, w=w, seed=0)
        nearest = np.argmin(np.linalg.norm(s[:, None] - mix.means[None], axis=2), axis=1)
        assert (nearest == labels).mean() > 0.97
    with pytest.raises(ValueError, match="labels"):
        D.sample_ddim(ex, betas, 10, w=1.0)


# --------------------------------------------------------------------------------------- the network
def test_epsmlp_shapes_labels_and_seed():
    m = D.EpsMLP(2, 10, n_classes=3, width=16, depth=2, seed=1)
    z = torch.randn(5, 2)
    out = m(z, 4, torch.tensor([0, 1, 2, 3, 0]))
    assert out.shape == (5, 2)
    assert torch.equal(m(z, 4), m(z, 4, [3] * 5))  # None is the null label
    assert torch.equal(D.EpsMLP(2, 10, n_classes=3, width=16, depth=2, seed=1)(z, 4), m(z, 4))
    with pytest.raises(ValueError, match="t"):
        m(z, 11)
    with pytest.raises(ValueError, match="labels"):
        m(z, 1, [4] * 5)


def test_fit_denoiser_lowers_the_loss_towards_the_floor_and_is_reproducible():
    mix = G.GaussianMixture([[-1.0, 0.0], [1.0, 0.0]], 0.3)
    betas = D.schedule("linear", 20)
    x, y = mix.sample(1000, seed=0, return_labels=True)

    def train(seed):
        m = D.EpsMLP(2, 20, n_classes=2, width=32, depth=2, seed=seed)
        return m, D.fit_denoiser(m, x, betas, labels=y, steps=300, batch=128, lr=1e-2, every=100, seed=seed)

    m, hist = train(0)
    assert hist["loss"].shape == (300,) and hist["loss"][-50:].mean() < 0.8 * hist["loss"][:20].mean()
    assert len(hist["recorded"]) == 4
    assert np.array_equal(hist["loss"], train(0)[1]["loss"])
    ex = D.exact_denoiser(mix, betas)
    floor = D.denoising_loss(ex, x, 5, betas, seed=2)
    assert floor < D.denoising_loss(m, x, 5, betas, seed=2) < floor + 0.5


def test_clear_errors():
    with pytest.raises(ValueError, match="betas"):
        D.diffusion_kernel(1.0, 1, [0.1, 1.0])
    with pytest.raises(ValueError, match="t"):
        D.diffusion_kernel(1.0, 0, BETAS)  # steps count from 1
    with pytest.raises(ValueError, match="s"):
        D.ddim_step(np.ones(2), np.ones(2), 3, 3, BETAS)
    with pytest.raises(ValueError, match="T"):
        D.sample_ddpm(D.EpsMLP(2, 10), BETAS, 4)
    with pytest.raises(ValueError, match="beta_max"):
        D.schedule("linear", 10, beta_min=0.3, beta_max=0.1)
