"""kan_edu.regularization against independent references."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.linalg import expm

from kan_edu import performance as pf
from kan_edu import regularization as rg


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    return rng.normal(size=(15, 6)), rng.normal(size=(8, 20)), rng.normal(size=15), rng.normal(size=8)


# ------------------------------------------------------------------------------------------- ridge
@pytest.mark.parametrize("lam", [1e-6, 0.3, 10.0])
def test_ridge_is_least_squares_on_the_augmented_system(problem, lam):
    tall, wide, y_tall, y_wide = problem
    for phi, y in ((tall, y_tall), (wide, y_wide)):
        p = phi.shape[1]
        ref = np.linalg.lstsq(np.vstack([phi, math.sqrt(lam) * np.eye(p)]), np.r_[y, np.zeros(p)], rcond=None)[0]
        assert np.allclose(rg.ridge(phi, y, lam), ref, rtol=1e-7, atol=1e-9)
        normal = np.linalg.solve(phi.T @ phi + lam * np.eye(p), phi.T @ y)  # the normal equations
        assert np.allclose(rg.ridge(phi, y, lam), normal, rtol=1e-6, atol=1e-8)


def test_ridge_limits(problem):
    tall, wide, y_tall, y_wide = problem
    # lambda -> 0: ordinary least squares (tall) and the minimum-norm interpolant (wide)
    assert np.allclose(rg.ridge(tall, y_tall, 0.0), np.linalg.lstsq(tall, y_tall, rcond=None)[0])
    assert np.allclose(rg.ridge(wide, y_wide, 1e-12), np.linalg.pinv(wide) @ y_wide, atol=1e-8)
    assert np.allclose(wide @ rg.ridge(wide, y_wide, 0.0), y_wide)
    # lambda -> infinity: w -> 0 like Phi^T y / lambda; the norm falls monotonically
    lams = np.geomspace(1e-4, 1e8, 25)
    norms = np.linalg.norm(rg.ridge_path(tall, y_tall, lams), axis=1)
    assert np.all(np.diff(norms) < 0)
    assert np.allclose(1e8 * rg.ridge(tall, y_tall, 1e8), tall.T @ y_tall, rtol=1e-5)


def test_ridge_path_and_several_outputs(problem):
    tall, _, y, _ = problem
    Y = np.c_[y, 2 * y, -y]
    lams = [0.0, 0.1, 5.0]
    path = rg.ridge_path(tall, Y, lams)
    assert path.shape == (3, 6, 3)
    for k, lam in enumerate(lams):
        assert np.allclose(path[k, :, 1], rg.ridge(tall, 2 * y, lam))
    with pytest.raises(ValueError):
        rg.ridge(tall, y[:-1], 1.0)
    with pytest.raises(ValueError):
        rg.ridge(tall, y, -1.0)
    with pytest.raises(ValueError):
        rg.ridge(tall, np.r_[y[:-1], np.nan], 1.0)


# -------------------------------------------------------------------------------- early stopping
def test_gd_least_squares_matches_a_loop(problem):
    tall, wide, y_tall, y_wide = problem
    for phi, y in ((tall, y_tall), (wide, y_wide)):
        lr = 0.4 / np.linalg.norm(phi, 2) ** 2
        w0 = np.random.default_rng(1).normal(size=phi.shape[1])
        w = w0.copy()
        steps = [0, 1, 5, 40]
        got = rg.gd_least_squares(phi, y, lr, steps, w0=w0)
        for t in range(41):
            if t in steps:
                assert np.allclose(got[steps.index(t)], w, atol=1e-10)
            w = w - lr * 2 * phi.T @ (phi @ w - y)  # gradient of |phi w - y|^2
    # from zero, many steps converge to the minimum-norm solution
    lr = 0.4 / np.linalg.norm(wide, 2) ** 2
    assert np.allclose(rg.gd_least_squares(wide, y_wide, lr, [10**7])[0], np.linalg.pinv(wide) @ y_wide, atol=1e-6)
    with pytest.raises(ValueError, match="too large"):
        rg.gd_least_squares(tall, y_tall, 2.0 / np.linalg.norm(tall, 2) ** 2, [3])


def test_early_stopping():
    val = np.array([5.0, 4.0, 3.0, 3.5, 3.2, 2.5, 2.6, 2.7, 2.8, 1.0])
    assert rg.early_stopping(val) == 9
    assert rg.early_stopping(val, patience=2) == 2  # 3.5, 3.2 do not beat 3.0: stop, keep index 2
    assert rg.early_stopping(val, patience=3) == 5
    assert rg.early_stopping(val, patience=20) == 9
    assert rg.early_stopping([1.0]) == 0
    with pytest.raises(ValueError):
        rg.early_stopping(val, patience=0)
    with pytest.raises(ValueError):
        rg.early_stopping([])


# ------------------------------------------------------------------------------------- ensembles
def test_bootstrap_fits(problem):
    tall, _, y, _ = problem
    W = rg.bootstrap_fits(tall, y, 4, lam=0.2, seed=7)
    assert W.shape == (4, 6)
    idx = np.random.default_rng(7).integers(0, 15, size=(4, 15))  # the same resamples, drawn again
    for m in range(4):
        assert np.allclose(W[m], rg.ridge(tall[idx[m]], y[idx[m]], 0.2))
    assert not np.allclose(W[0], W[1])
    with pytest.raises(ValueError):
        rg.bootstrap_fits(tall, y, 0)


# ---------------------------------------------------------------------------------- Bayesian view
def test_bayes_posterior_against_gaussian_conditioning(problem):
    for phi, y in (problem[0::2], problem[1::2]):
        sp, sn = 0.8, 0.3
        p = phi.shape[1]
        mean, cov = rg.bayes_posterior(phi, y, sp, sn)
        # independent formula: condition the joint Gaussian of (w, y) on y (Schur complement)
        S = sp**2 * np.eye(p)
        K = phi @ S @ phi.T + sn**2 * np.eye(len(y))
        gain = S @ phi.T @ np.linalg.inv(K)
        assert np.allclose(mean, gain @ y)
        assert np.allclose(cov, S - gain @ phi @ S)
        assert np.allclose(mean, rg.ridge(phi, y, sn**2 / sp**2))  # MAP = ridge with lambda = sigma^2 / sigma_p^2
        assert np.all(np.linalg.eigvalsh(cov) > 0)


def test_bayes_predictive_is_the_gaussian_process_formula(problem):
    phi, _, y, _ = problem
    phi_test = np.random.default_rng(2).normal(size=(5, 6))
    sp, sn = 1.3, 0.4
    mean, cov = rg.bayes_posterior(phi, y, sp, sn)
    m, v = rg.bayes_predictive(phi_test, mean, cov, noise_std=sn)
    # kernel form: k(a, b) = sp^2 a.b ; mean k*^T (K + sn^2 I)^-1 y ; var k** - k*^T (K + sn^2 I)^-1 k* + sn^2
    K = sp**2 * phi @ phi.T + sn**2 * np.eye(15)
    ks = sp**2 * phi @ phi_test.T
    assert np.allclose(m, ks.T @ np.linalg.solve(K, y))
    ref_var = sp**2 * np.sum(phi_test**2, 1) - np.sum(ks * np.linalg.solve(K, ks), 0) + sn**2
    assert np.allclose(v, ref_var)
    m0, v0 = rg.bayes_predictive(phi_test, mean, cov)
    assert np.allclose(m0, m) and np.allclose(v0, v - sn**2)
    # Monte Carlo: sample weights from the posterior and compare the spread of the function values
    draws = np.random.default_rng(3).multivariate_normal(mean, cov, size=40000) @ phi_test.T
    assert np.allclose(draws.var(0), v0, rtol=0.05)
    with pytest.raises(ValueError):
        rg.bayes_predictive(phi_test[:, :4], mean, cov)
    with pytest.raises(ValueError):
        rg.bayes_posterior(phi, y, 0.0, 1.0)


# ----------------------------------------------------------------------------------- augmentation
def test_augment_shifts():
    x = np.arange(12.0).reshape(3, 4)
    y = np.array([0, 1, 2])
    xa, ya = rg.augment_shifts(x, y, [1, -1])
    assert xa.shape == (9, 4) and list(ya) == [0, 1, 2] * 3
    assert np.array_equal(xa[:3], x) and np.array_equal(xa[3], [3.0, 0.0, 1.0, 2.0])
    assert np.array_equal(xa[6], [1.0, 2.0, 3.0, 0.0])
    with pytest.raises(ValueError):
        rg.augment_shifts(x, y[:2], [1])


# ------------------------------------------------------------------------- implicit regularisation
def _torch_loss(t):
    return 0.5 * (t[0] * t[1] - 1) ** 2


def test_product_loss_gradient_and_hessian_match_autograd():
    for theta in ([0.3, -1.2], [2.0, 0.5], [-1.5, 2.5]):
        value, grad, hess = rg.product_loss(np.array(theta))
        t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        assert math.isclose(value, float(_torch_loss(t.detach())))
        assert np.allclose(grad, torch.autograd.grad(_torch_loss(t), t)[0].numpy())
        assert np.allclose(hess, torch.autograd.functional.hessian(_torch_loss, t.detach()).numpy())


def test_modified_gradient_is_the_gradient_of_the_modified_loss():
    lr = 0.3

    def modified(t):
        g = torch.autograd.grad(_torch_loss(t), t, create_graph=True)[0]
        return _torch_loss(t) + lr / 4 * (g**2).sum()

    g_mod = rg.modified_gradient(lambda t: rg.product_loss(t)[1], lambda t: rg.product_loss(t)[2], lr)
    for theta in ([0.3, -1.2], [2.0, 0.5]):
        t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        ref = torch.autograd.grad(modified(t), t)[0].numpy()
        assert np.allclose(g_mod(np.array(theta)), ref)


def test_gradient_flow_and_descent_on_a_quadratic():
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    theta0 = np.array([1.0, -2.0])
    path = rg.gradient_flow(lambda t: A @ t, theta0, 1.5, 200)
    assert path.shape == (201, 2)
    assert np.allclose(path[-1], expm(-1.5 * A) @ theta0, atol=1e-9)  # the exact flow
    gd = rg.gradient_descent(lambda t: A @ t, theta0, 0.1, 7)
    assert np.allclose(gd[-1], np.linalg.matrix_power(np.eye(2) - 0.1 * A, 7) @ theta0)


def test_gradient_descent_follows_the_modified_flow_to_second_order():
    grad = lambda t: rg.product_loss(t)[1]  # noqa: E731
    hess = lambda t: rg.product_loss(t)[2]  # noqa: E731
    theta0, T = np.array([-1.5, 2.5]), 1.0
    errs = []
    for lr in (0.02, 0.01):
        gd = rg.gradient_descent(grad, theta0, lr, int(round(T / lr)))[-1]
        plain = rg.gradient_flow(grad, theta0, T, 2000)[-1]
        modified = rg.gradient_flow(rg.modified_gradient(grad, hess, lr), theta0, T, 2000)[-1]
        errs.append((np.linalg.norm(gd - plain), np.linalg.norm(gd - modified)))
    (plain1, mod1), (plain2, mod2) = errs
    assert mod1 < plain1 / 5 and mod2 < plain2 / 5
    assert 1.7 < plain1 / plain2 < 2.3  # first order in the step
    assert 3.2 < mod1 / mod2 < 4.8  # second order in the step


# ------------------------------------------------------------------ noise injection
def test_input_noise_moments_match_sampling():
    """Means and summed covariances of the hinge features at noisy inputs, against 400 000 sampled inputs."""
    x, sigma, D = np.array([0.05, 0.31, 0.5, 0.77, 0.98]), 0.08, 7
    mean, cov = rg.input_noise_moments(x, D, sigma)
    rng = np.random.default_rng(0)
    feats = pf.hinge_features(x[None, :] + sigma * rng.normal(size=(400_000, 1)), D)  # (M, N, D + 1)
    assert np.allclose(mean, feats.mean(0), atol=5e-4)
    sampled = sum(np.cov(feats[:, i, :].T) for i in range(len(x)))
    assert np.allclose(cov, sampled, atol=5e-4)
    assert np.allclose(cov, cov.T) and np.linalg.eigvalsh(cov).min() > -1e-12


def test_input_noise_moments_without_noise_are_the_features():
    x = np.linspace(0, 1, 9)
    mean, cov = rg.input_noise_moments(x, 6, 0.0)
    assert np.allclose(mean, pf.hinge_features(x, 6)) and np.all(cov == 0)


def test_input_noise_fit_is_the_limit_of_training_on_noisy_copies():
    """Least squares on many noisy copies of the data approaches the exact noise-averaged fit (error ~ 1/sqrt(M))."""
    x, y = pf.sample_1d(10, 0.3, seed=1)
    sigma, D = 0.05, 12
    exact = rg.input_noise_fit(x, y, D, sigma)
    rng = np.random.default_rng(2)
    grid = pf.hinge_features(np.linspace(0, 1, 101), D)
    gaps = []
    for copies in (200, 20_000):
        noisy = (x[None, :] + sigma * rng.normal(size=(copies, 1))).reshape(-1)
        sampled = np.linalg.lstsq(pf.hinge_features(noisy, D), np.tile(y, copies), rcond=None)[0]
        gaps.append(np.abs(grid @ (sampled - exact)).max())
    assert gaps[1] < 0.02 and gaps[1] < gaps[0] / 3


def test_input_noise_fit_minimises_the_expected_loss_and_reduces_to_least_squares():
    x, y = pf.sample_1d(12, 0.3, seed=4)
    D, sigma = 8, 0.04
    w = rg.input_noise_fit(x, y, D, sigma)
    mean, cov = rg.input_noise_moments(x, D, sigma)

    def expected_loss(v):
        return np.sum((mean @ v - y) ** 2) + v @ cov @ v

    rng = np.random.default_rng(0)
    assert all(expected_loss(w) <= expected_loss(w + 1e-3 * rng.normal(size=w.shape)) for _ in range(20))
    assert np.allclose(rg.input_noise_fit(x, y, D, 0.0), pf.least_squares(pf.hinge_features(x, D), y))


# ------------------------------------------------------------------ multi-task learning
def test_multitask_basis_is_reduced_rank_regression():
    """With lam = 0, the rank-r layer reaches the loss that alternating least squares over (B, A) converges to,
    the smallest loss of any rank-r weight matrix; its shared units are orthonormal (mean square 1)."""
    rng = np.random.default_rng(3)
    N, P, T, r = 60, 9, 6, 2
    phi = rng.normal(size=(N, P))
    Y = phi @ rng.normal(size=(P, 3)) @ rng.normal(size=(3, T)) + 0.3 * rng.normal(size=(N, T))
    B = rg.multitask_basis(phi, Y, r, lam=0.0)
    units = phi @ B
    assert np.allclose(units.T @ units / N, np.eye(r), atol=1e-10)
    heads = np.linalg.lstsq(units, Y, rcond=None)[0]
    loss = np.sum((units @ heads - Y) ** 2)
    Bals = rng.normal(size=(P, r))  # alternating least squares, an independent route to the optimum
    for _ in range(2000):
        A = np.linalg.lstsq(phi @ Bals, Y, rcond=None)[0]
        Bals = np.linalg.lstsq(np.kron(A.T, phi), Y.T.reshape(-1), rcond=None)[0].reshape(r, P).T
    als = np.sum((phi @ Bals @ np.linalg.lstsq(phi @ Bals, Y, rcond=None)[0] - Y) ** 2)
    assert loss <= als + 1e-8 and als <= loss * (1 + 1e-6)


def test_multitask_basis_rejects_a_rank_the_tasks_cannot_fill():
    phi = np.random.default_rng(0).normal(size=(20, 5))
    Y = np.outer(phi @ np.ones(5), np.ones(3))  # three copies of one task: rank 1
    with pytest.raises(ValueError, match="rank"):
        rg.multitask_basis(phi, Y, 2)
    with pytest.raises(ValueError, match="rank"):
        rg.multitask_basis(phi, Y, 4)  # more than the number of tasks


# ------------------------------------------------------------------------------ self-supervised learning
def _waves(n=600, length=24, seed=0):
    """Smooth signals with structure a network can learn: random sums of two sine waves."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    freq, phase, amp = rng.uniform(1, 3, (n, 2, 1)), rng.uniform(0, 2 * np.pi, (n, 2, 1)), rng.normal(size=(n, 2, 1))
    return np.sum(amp * np.sin(2 * np.pi * freq * t + phase), axis=1)


def test_mask_signals_hides_one_stretch_of_the_given_length():
    x = np.arange(1.0, 61.0).reshape(3, 20)
    masked, mask = rg.mask_signals(x, 5, seed=3)
    assert mask.shape == x.shape and mask.dtype == bool
    for row, hid in zip(mask, mask.astype(int)):
        where = np.flatnonzero(row)
        assert len(where) == 5 and np.all(np.diff(where) == 1)  # one run of 5 consecutive samples
        assert np.sum(np.abs(np.diff(hid))) <= 2
    assert np.all(masked[mask] == 0.0) and np.array_equal(masked[~mask], x[~mask])
    again = rg.mask_signals(x, 5, seed=3)
    assert np.array_equal(again[1], mask) and not np.array_equal(rg.mask_signals(x, 5, seed=4)[1], mask)
    assert np.all(rg.mask_signals(x, 20, seed=0)[1])  # the whole signal
    with pytest.raises(ValueError, match="length"):
        rg.mask_signals(x, 21)


def test_adam_is_torchs_adam():
    torch.manual_seed(0)
    mine, ref = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    ref.load_state_dict(mine.state_dict())
    x, y = torch.randn(20, 5), torch.randn(20, 3)
    losses = rg._adam(list(mine.parameters()), lambda i: ((mine(x) - y) ** 2).mean(), 40, 0.05)
    opt = torch.optim.Adam(ref.parameters(), lr=0.05)
    ref_losses = []
    for _ in range(40):
        opt.zero_grad()
        loss = ((ref(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        ref_losses.append(loss.item())
    assert np.allclose(losses, ref_losses, rtol=1e-5, atol=1e-6)
    for p, q in zip(mine.parameters(), ref.parameters()):
        assert torch.allclose(p, q, atol=1e-6)


def test_masked_pretext_training_lowers_the_loss_and_is_reproducible():
    x = _waves()
    enc, dec, losses = rg.masked_pretext_train(x, hidden=(32, 32), mask_length=6, steps=150, seed=1)
    assert losses.shape == (150,) and np.all(np.isfinite(losses))
    assert losses[-20:].mean() < 0.6 * losses[:20].mean()
    # it fills a hidden stretch better than guessing zero does (the signals have mean zero)
    masked, mask = rg.mask_signals(x[:200], 6, seed=9)
    guess = rg.apply_network(dec, rg.apply_network(enc, masked))
    assert np.mean((guess - x[:200])[mask] ** 2) < 0.6 * np.mean(x[:200][mask] ** 2)
    enc2, dec2, losses2 = rg.masked_pretext_train(x, hidden=(32, 32), mask_length=6, steps=150, seed=1)
    assert np.array_equal(losses, losses2)
    for p, q in zip([*enc.parameters(), *dec.parameters()], [*enc2.parameters(), *dec2.parameters()]):
        assert torch.equal(p, q)
    assert not np.array_equal(losses, rg.masked_pretext_train(x, hidden=(32, 32), steps=150, seed=2)[2])
    # steps=0: the untrained networks, the starting point of the training above
    enc0, _, none = rg.masked_pretext_train(x, hidden=(32, 32), steps=0, seed=1)
    assert none.shape == (0,)
    start = rg._encoder(x.shape[1], [32, 32], 1)
    assert all(torch.equal(p, q) for p, q in zip(enc0.parameters(), start.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(enc0.parameters(), enc.parameters()))
    assert not any(p.requires_grad for p in enc.parameters())


def test_train_classifier_starts_from_the_pretext_encoder_and_fits_its_labels():
    x = _waves(n=40, seed=3)
    labels = np.arange(40) % 4
    net, losses = rg.train_classifier(x, labels, hidden=(16, 16), steps=300, lr=1e-2, seed=5)
    assert losses[-1] < 0.1 * losses[0]
    assert np.mean(rg.apply_network(net, x).argmax(1) == labels) == 1.0  # 40 points, 4 classes: memorised
    net0, _ = rg.train_classifier(x, labels, hidden=(16, 16), steps=0, seed=5)
    enc0 = rg.masked_pretext_train(x, hidden=(16, 16), steps=0, seed=5)[0]
    assert all(torch.equal(p, q) for p, q in zip(net0[:4].parameters(), enc0.parameters()))
    assert np.array_equal(losses, rg.train_classifier(x, labels, hidden=(16, 16), steps=300, lr=1e-2, seed=5)[1])
    assert rg.train_classifier(x, labels, hidden=(16,), n_classes=7, steps=1)[0][-1].out_features == 7


def test_apply_network_is_the_network_in_float32():
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh())
    x = np.random.default_rng(0).normal(size=(5, 4))
    out = rg.apply_network(net, x)
    assert out.dtype == np.float64 and out.shape == (5, 3)
    assert np.allclose(out, net(torch.as_tensor(x, dtype=torch.float32)).detach().numpy())
    with pytest.raises(ValueError, match="x must have 4 columns"):
        rg.apply_network(net, np.ones((2, 5)))


@pytest.mark.parametrize("lam", [1e-3, 0.1, 3.0])
def test_linear_probe_is_sklearns_logistic_regression(lam):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    features = rng.normal(size=(60, 5))
    labels = (features @ rng.normal(size=(5, 3)) + rng.normal(size=(60, 3))).argmax(1)
    W, b = rg.linear_probe(features, labels, lam, tol=1e-14)
    ref = LogisticRegression(C=1.0 / (lam * len(features)), tol=1e-12, max_iter=10_000).fit(features, labels)
    assert W.shape == (5, 3) and b.shape == (3,)
    # the penalty fixes W; the biases are fixed up to a constant shared by the classes: compare probabilities
    assert np.allclose(W, ref.coef_.T, atol=1e-5)
    probs = np.exp(features @ W + b)
    probs /= probs.sum(1, keepdims=True)
    assert np.allclose(probs, ref.predict_proba(features), atol=1e-6)


def test_linear_probe_is_zero_mean_weights_and_shrinks_with_the_penalty():
    rng = np.random.default_rng(1)
    features, labels = rng.normal(size=(30, 4)), np.arange(30) % 3
    W, _ = rg.linear_probe(features, labels, 0.1, n_classes=5, tol=1e-14)
    assert W.shape == (4, 5)
    assert np.allclose(W.sum(1), 0.0, atol=1e-6)  # the penalty's choice among W + c·1ᵀ, which score alike
    assert np.all(np.abs(W[:, 3:]) <= np.abs(W[:, :3]).max())  # unseen classes only get the shared shift
    norms = [np.linalg.norm(rg.linear_probe(features, labels, lam)[0]) for lam in (0.01, 0.1, 1.0, 10.0)]
    assert np.all(np.diff(norms) < 0)
    with pytest.raises(ValueError, match="n_classes"):
        rg.linear_probe(features, labels, 0.1, n_classes=2)
