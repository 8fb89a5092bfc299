"""kan_edu.gan against independent references: torch's binary cross-entropy, autograd and finite differences
for the toy's closed-form gradients, scipy's Wasserstein distance and an assignment solver for the transport LP,
scipy's Jensen-Shannon distance for the value of the game, and the shipped seed sweep rerun."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import jensenshannon

from kan_edu import gan


# ------------------------------------------------------------------------------------------------ losses
def test_discriminator_loss_is_binary_cross_entropy():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=7) * 3, rng.normal(size=4) * 3
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    ref = bce(torch.tensor(real), torch.ones(7, dtype=torch.float64)) + bce(
        torch.tensor(fake), torch.zeros(4, dtype=torch.float64)
    )
    assert gan.discriminator_loss(real, fake) == pytest.approx(float(ref), rel=1e-12)
    assert gan.discriminator_loss(np.zeros(3), np.zeros(5)) == pytest.approx(2 * math.log(2))


def test_discriminator_loss_is_exact_at_large_logits():
    # -log sigmoid(-50) = 50 + log(1 + e^-50); a confident mistake costs about 50 per sample, never inf
    assert gan.discriminator_loss(np.array([-50.0]), np.array([50.0])) == pytest.approx(100.0, rel=1e-12)
    assert gan.discriminator_loss(np.array([50.0]), np.array([-50.0])) == pytest.approx(2 * math.exp(-50), rel=1e-9)
    assert np.isfinite(gan.discriminator_loss(np.array([1000.0]), np.array([1000.0])))


def test_losses_take_torch_and_are_differentiable():
    a = torch.tensor([0.3, -1.0], requires_grad=True)
    loss = gan.discriminator_loss(a, torch.tensor([0.5]))
    assert isinstance(loss, torch.Tensor) and loss.ndim == 0
    loss.backward()
    assert torch.allclose(a.grad, -(1 - torch.sigmoid(a.detach())) / 2)
    with pytest.raises(TypeError):
        gan.discriminator_loss(a.detach(), np.zeros(2))


def test_generator_losses_and_their_slopes():
    a = np.array([-6.0, 0.0, 3.0])
    d = 1 / (1 + np.exp(-a))
    assert gan.generator_loss(a, "minimax") == pytest.approx(np.mean(np.log(1 - d)))
    assert gan.generator_loss(a, "non-saturating") == pytest.approx(-np.mean(np.log(d)))
    assert gan.generator_loss(a, "wasserstein") == pytest.approx(-np.mean(a))
    t = torch.tensor(a, requires_grad=True)
    gan.generator_loss(t, "minimax").backward()
    assert np.allclose(t.grad.numpy(), -d / 3)  # saturates where D is near 0
    t.grad = None
    gan.generator_loss(t, "non-saturating").backward()
    assert np.allclose(t.grad.numpy(), -(1 - d) / 3)
    with pytest.raises(ValueError, match="loss"):
        gan.generator_loss(a, "hinge")


# ---------------------------------------------------------------------------------- optimal discriminator
def test_optimal_discriminator_maximises_the_game_and_gives_js():
    rng = np.random.default_rng(1)
    p, q = rng.dirichlet(np.ones(10)), rng.dirichlet(np.ones(10))
    d = gan.optimal_discriminator(p, q)

    def value(dd):
        return np.sum(p * np.log(dd) + q * np.log(1 - dd))

    for _ in range(100):
        assert value(np.clip(d + rng.normal(0, 0.02, 10), 1e-6, 1 - 1e-6)) <= value(d) + 1e-12
    js = jensenshannon(p, q) ** 2  # scipy returns the square root of the divergence (natural log)
    assert value(d) == pytest.approx(2 * js - math.log(4), abs=1e-12)
    assert np.allclose(gan.optimal_discriminator([1.0, 0.0, 0.0], [0.0, 2.0, 0.0]), [1.0, 0.0, 0.5])


# -------------------------------------------------------------------------------------------- the 1-D toy
def _toy_losses_torch(theta, phi, x_real, z, loss):
    theta = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    phi = torch.tensor(phi, dtype=torch.float64, requires_grad=True)
    xr, xf = torch.tensor(x_real), torch.tensor(z) + theta
    ar, af = phi[0] + phi[1] * xr, phi[0] + phi[1] * xf.detach()
    d_loss = -torch.log(torch.sigmoid(ar)).mean() - torch.log(1 - torch.sigmoid(af)).mean()
    (g_phi,) = torch.autograd.grad(d_loss, phi)
    af_theta = phi.detach()[0] + phi.detach()[1] * xf
    if loss == "non-saturating":
        g_loss = -torch.log(torch.sigmoid(af_theta)).mean()
    else:
        g_loss = torch.log(1 - torch.sigmoid(af_theta)).mean()
    (g_theta,) = torch.autograd.grad(g_loss, theta)
    return g_phi.numpy(), float(g_theta), d_loss.item(), g_loss.item()


@pytest.mark.parametrize("loss", ["non-saturating", "minimax"])
def test_toy_gradients_match_autograd_and_finite_differences(loss):
    rng = np.random.default_rng(2)
    x_real, z = rng.normal(7.5, 1, 9), rng.normal(size=6)
    for theta, phi in [(3.0, (-2.0, 1.0)), (6.5, (0.4, -0.3)), (7.4, (-8.0, 1.2))]:
        out = gan.toy_gradients(theta, phi, x_real, z, loss)
        g_phi, g_theta, d_loss, g_loss = _toy_losses_torch(theta, phi, x_real, z, loss)
        assert np.allclose(out["phi"], g_phi, rtol=1e-10, atol=1e-12)
        assert out["theta"] == pytest.approx(g_theta, rel=1e-10, abs=1e-12)
        assert out["d_loss"] == pytest.approx(d_loss) and out["g_loss"] == pytest.approx(g_loss)
        h = 1e-6
        fd = (
            gan.toy_gradients(theta + h, phi, x_real, z, loss)["g_loss"]
            - gan.toy_gradients(theta - h, phi, x_real, z, loss)["g_loss"]
        ) / (2 * h)
        assert out["theta"] == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_train_toy_moves_the_generator_towards_the_data():
    run = gan.train_toy(20, 5, lr_g=1.0)
    assert run["theta"].shape == (21,) and run["phi"].shape == (21, 2) and run["d_loss"].shape == (21,)
    assert run["theta"][0] == 3.0 and abs(run["theta"][-1] - 7.5) < abs(3.0 - 7.5) / 3
    # the data are the seed's: N(7.5, 1) draws
    assert abs(run["x_real"].mean() - 7.5) < 1.0 and len(run["z"]) == 20
    frozen = gan.train_toy(3, 0, 1)
    assert np.all(frozen["phi"] == frozen["phi"][0])  # no discriminator steps: phi stays
    again = gan.train_toy(20, 5, lr_g=1.0)
    assert np.array_equal(again["theta"], run["theta"])


# -------------------------------------------------------------------------------------- optimal transport
@pytest.mark.parametrize("seed", range(4))
def test_wasserstein_lp_matches_scipy_in_1d(seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, 12))
    p, q = rng.dirichlet(np.ones(12)), rng.dirichlet(np.ones(12))
    p[rng.integers(12)] = 0
    lp = gan.wasserstein_lp(p * 3, q, x)  # masses are normalised
    p = p / p.sum()
    assert lp["distance"] == pytest.approx(stats.wasserstein_distance(x, x, p, q), abs=1e-7)
    plan = lp["plan"]
    assert np.all(plan >= -1e-12)
    assert np.allclose(plan.sum(axis=1), p, atol=1e-9) and np.allclose(plan.sum(axis=0), q, atol=1e-9)
    # the dual critic is 1-Lipschitz and its mean difference is the distance (Kantorovich-Rubinstein)
    f = lp["critic"]
    assert np.all(np.abs(f[:, None] - f[None, :]) <= np.abs(x[:, None] - x[None, :]) + 1e-9)
    assert np.sum(f * (p - q)) == pytest.approx(lp["distance"], abs=1e-7)


def test_wasserstein_lp_between_point_clouds_is_an_assignment():
    # uniform masses on n points each: the LP's optimum is a permutation (Birkhoff), so an assignment solver
    # gives the reference, in 2-D
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(6, 2)), rng.normal(size=(6, 2)) + 1
    points = np.vstack([a, b])
    lp = gan.wasserstein_lp(np.r_[np.ones(6), np.zeros(6)], np.r_[np.zeros(6), np.ones(6)], points)
    cost = np.linalg.norm(a[:, None] - b[None], axis=2)
    rows, cols = linear_sum_assignment(cost)
    assert lp["distance"] == pytest.approx(cost[rows, cols].mean(), abs=1e-7)


def test_wasserstein_lp_shift_and_errors():
    x = np.arange(5.0)
    assert gan.wasserstein_lp([1, 0, 0, 0, 0], [0, 0, 0, 1, 0], x)["distance"] == pytest.approx(3.0)
    assert gan.wasserstein_lp([1, 1, 0], [0, 1, 1])["distance"] == pytest.approx(1.0)  # default positions 0, 1, 2
    with pytest.raises(ValueError, match="positions"):
        gan.wasserstein_lp([1, 1], [1, 1], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="q"):
        gan.wasserstein_lp([1, 1], [0, 0])


# ----------------------------------------------------------------------------------------- the 2-D GAN
def test_train_gan_2d_snapshots_and_determinism():
    kw = dict(steps=30, snapshot_every=10, seed=3, width=16, batch=64, n_show=200, grid=5)
    run = gan.train_gan_2d("minimax", **kw)
    assert run["samples"].shape == (4, 200, 2) and run["disc"].shape == (4, 5, 5)
    assert list(run["snapshot_steps"]) == [0, 10, 20, 30]
    assert run["d_loss"].shape == (30,) and np.all(np.isfinite(run["g_loss"]))
    assert np.all((run["disc"] >= 0) & (run["disc"] <= 1))
    assert run["means"].shape == (8, 2) and np.allclose(np.linalg.norm(run["means"], axis=1), 2.0)
    assert np.all((run["modes"] >= 0) & (run["modes"] <= 8))
    again = gan.train_gan_2d("minimax", **kw)
    assert np.array_equal(again["samples"], run["samples"]) and np.array_equal(again["d_loss"], run["d_loss"])
    other = gan.train_gan_2d("minimax", **{**kw, "seed": 4})
    assert not np.array_equal(other["samples"], run["samples"])


def test_train_gan_2d_learns_the_ring():
    run = gan.train_gan_2d("non-saturating", steps=600, snapshot_every=600, seed=0)
    first, last = run["samples"][0], run["samples"][-1]
    # the samples spread from a blob near the origin towards the circle of radius 2
    radius = np.linalg.norm(last, axis=1)
    assert np.median(radius) > 1.5 > np.median(np.linalg.norm(first, axis=1))
    assert run["modes"][-1] >= 3


def test_shipped_seed_sweep_is_reproducible():
    shipped = gan.ring_sweep_results()
    assert shipped["setup"]["steps"] == gan.RING_SWEEP["steps"]
    assert set(shipped["setup"]["losses"]) == set(gan.RING_SWEEP["losses"])
    for loss in shipped["setup"]["losses"]:
        assert len(shipped[loss]["modes"]) == len(shipped["setup"]["seeds"])
    fresh = gan.ring_sweep(losses=("non-saturating",), seeds=(0,))
    assert fresh["non-saturating"]["modes"][0] == shipped["non-saturating"]["modes"][0]
    assert fresh["non-saturating"]["on_mode"][0] == pytest.approx(shipped["non-saturating"]["on_mode"][0], abs=0.01)
