"""kan_edu.flows against independent references: autograd Jacobians for every log-determinant, quadrature for
every density, round trips for every inverse, scipy for the closed forms."""

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from kan_edu import flows

PHI = np.array([0.2, 0.1, 0.4, 0.05, 0.25])


# ------------------------------------------------------------------------------------ piecewise linear
def test_piecewise_linear_matches_the_equation_bin_by_bin():
    h = np.linspace(0, 1, 201)
    out, log_det = flows.piecewise_linear(h, PHI)
    K = len(PHI)
    for x, y, ld in zip(h, out, log_det):  # eq. 16.12 written out by hand, one point at a time
        b = min(int(np.floor(K * x)), K - 1)
        assert y == pytest.approx(PHI[:b].sum() + (K * x - b) * PHI[b], abs=1e-12)
        assert ld == pytest.approx(np.log(K * PHI[b]))
    assert out[0] == 0 and out[-1] == pytest.approx(1.0)
    assert np.all(np.diff(out) > 0)


def test_piecewise_linear_inverse_and_autograd_slope():
    h = np.random.default_rng(0).uniform(size=300)
    y, log_det = flows.piecewise_linear(h, PHI)
    back, log_det_inv = flows.piecewise_linear(y, PHI, inverse=True)
    assert np.allclose(back, h, atol=1e-12)
    assert np.allclose(log_det_inv, -log_det)
    t = torch.tensor(h, requires_grad=True)
    out, _ = flows.piecewise_linear(t, PHI)
    (grad,) = torch.autograd.grad(out.sum(), t)
    assert np.allclose(np.log(grad.numpy()), log_det)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64


def test_piecewise_linear_refuses_bad_heights_and_inputs():
    with pytest.raises(ValueError, match="phi"):
        flows.piecewise_linear([0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="h must"):
        flows.piecewise_linear([1.5], PHI)


# --------------------------------------------------------------------------------------- 1-D transforms
CASES_1D = [("affine", -0.5), ("affine", 2.0), ("tanh-like", 0.8), ("tanh-like", -0.3), ("exp", 0.6)]
CASES_1D += [("piecewise-linear", t) for t in (-1.0, 0.0, 1.5)]


@pytest.mark.parametrize("name, param", CASES_1D)
def test_transform_1d_density_integrates_to_one_and_inverts(name, param):
    T = flows.transform_1d(name, param)
    lo, hi = T.support
    if name == "piecewise-linear":
        edges = np.cumsum(np.r_[0, flows._piecewise_phi(param)])  # integrate piece by piece
        mass = sum(
            integrate.quad(lambda x: np.exp(T.log_prob(np.array([x])))[0], a, b)[0]
            for a, b in zip(edges[:-1], edges[1:])
        )
    else:
        mass = integrate.quad(lambda x: np.exp(T.log_prob(np.array([x])))[0], lo, hi, limit=200)[0]
    assert mass == pytest.approx(1.0, abs=1e-6)
    z = np.random.default_rng(1).uniform(0.01, 0.99, 50) if T.base == "uniform" else np.linspace(-3, 3, 50)
    assert np.allclose(T.inverse(T.forward(z)), z, atol=1e-9)
    dz = 1e-6  # log f'(z) against a central difference
    fd = (T.forward(np.clip(z + dz, 0, 1) if T.base == "uniform" else z + dz) - T.forward(z - dz)) / (2 * dz)
    if name != "piecewise-linear":  # (its derivative jumps at the bin edges; tested by autograd above)
        assert np.allclose(np.log(np.abs(fd)), T.log_derivative(z), atol=1e-5)


def test_affine_transform_is_a_gaussian_and_samples_follow_the_density():
    T = flows.transform_1d("affine", -0.5)
    x = np.linspace(-2, 4, 30)
    assert np.allclose(T.log_prob(x), stats.norm(1.0, 0.5).logpdf(x))
    E = flows.transform_1d("exp", 0.6)
    assert np.allclose(E.log_prob(x[x > 0]), stats.lognorm(0.6).logpdf(x[x > 0]))
    assert np.all(np.isneginf(E.log_prob(x[x <= 0])))
    T = flows.transform_1d("tanh-like", 0.8)
    samples = T.sample(4000, seed=3)
    assert (
        stats.kstest(samples, lambda q: stats.norm.cdf(T.inverse(q))).pvalue > 1e-3
    )  # increasing map: F(q) = Phi(f^-1(q))


def test_transform_1d_refuses_non_invertible_parameters():
    for name, p in [("affine", 0.0), ("tanh-like", -0.5), ("exp", -1.0)]:
        with pytest.raises(ValueError, match="param"):
            flows.transform_1d(name, p)
    with pytest.raises(ValueError, match="name"):
        flows.transform_1d("cubic", 1.0)


# --------------------------------------------------------------------------------------------- coupling
def _trained_like(module, seed=0, scale=0.5):
    """Random (non-zero) weights everywhere, so the layers are not the identity they start as."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return module


@pytest.mark.parametrize("dim", [2, 5])
def test_coupling_log_det_matches_the_autograd_jacobian(dim):
    layer = _trained_like(flows.AffineCoupling(dim, hidden=8, seed=0)).double()
    z = torch.randn(6, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    x, log_det = layer(z)
    for i in range(len(z)):
        J = torch.autograd.functional.jacobian(lambda u: layer(u[None])[0][0], z[i])
        assert log_det[i].item() == pytest.approx(torch.linalg.slogdet(J)[1].item(), abs=1e-10)
    kept = layer.mask.bool()
    assert torch.equal(x[:, kept], z[:, kept])  # the masked coordinates pass unchanged
    back, log_det_inv = layer.inverse(x)
    assert torch.allclose(back, z, atol=1e-12) and torch.allclose(log_det_inv, -log_det)


def test_coupling_starts_as_the_identity_and_bounds_its_scales():
    layer = flows.AffineCoupling(2, hidden=4)
    z = torch.randn(5, 2)
    x, log_det = layer(z)
    assert torch.equal(x, z) and torch.all(log_det == 0)
    wild = _trained_like(flows.AffineCoupling(2, hidden=4, scale_bound=1.5))
    with torch.no_grad():
        wild.net[-1].weight.mul_(1e4)
    _, log_det = wild(100 * torch.randn(50, 2))
    assert torch.all(log_det.abs() <= 1.5 + 1e-5) and torch.all(torch.isfinite(log_det))


def test_realnvp_log_det_jacobian_density_and_sampling():
    flow = _trained_like(flows.RealNVP(2, n_layers=4, hidden=8, seed=0), seed=2, scale=0.25).double()
    z = torch.randn(4, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    x, log_det = flow(z)
    for i in range(len(z)):
        J = torch.autograd.functional.jacobian(lambda u: flow(u[None])[0][0], z[i])
        assert log_det[i].item() == pytest.approx(torch.linalg.slogdet(J)[1].item(), abs=1e-9)
    back, _ = flow.inverse(x)
    assert torch.allclose(back, z, atol=1e-10)
    # the density integrates to one: a fine grid over a box that holds almost all of the mass
    xs = np.linspace(-12, 12, 601)
    grid = torch.tensor(np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2))
    with torch.no_grad():
        p = flow.log_prob(grid).exp().numpy().reshape(601, 601)
    assert integrate.trapezoid(integrate.trapezoid(p, xs), xs) == pytest.approx(1.0, abs=2e-3)
    # log_prob agrees with the change of variables written out: base density minus forward log-det
    base = stats.multivariate_normal(np.zeros(2), np.eye(2)).logpdf(z.numpy())
    with torch.no_grad():
        assert np.allclose(flow.log_prob(x).numpy(), base - log_det.detach().numpy())
    s1, s2 = flow.sample(10, seed=5), flow.sample(10, seed=5)
    assert torch.equal(s1, s2) and s1.shape == (10, 2)


def test_trajectory_ends_where_forward_and_inverse_end():
    flow = _trained_like(flows.RealNVP(2, n_layers=3, hidden=8)).double()
    z = np.random.default_rng(0).normal(size=(7, 2))
    path = flow.trajectory(z)
    assert len(path) == 4 and np.allclose(path[0], z)
    assert np.allclose(path[-1], flow(torch.tensor(z))[0].detach().numpy())
    back = flow.trajectory(path[-1], "normalize")
    assert np.allclose(back[-1], z) and np.allclose(back[1], path[2])


def test_fit_flow_lowers_the_nll_and_is_deterministic():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(400, 2)) * [2.0, 0.3] + [1.0, -1.0]
    runs = []
    for _ in range(2):
        flow = flows.RealNVP(2, n_layers=2, hidden=16, seed=0)
        runs.append(flows.fit_flow(flow, data, 150, lr=1e-2, batch_size=100, every=50))
    assert np.array_equal(runs[0]["nll"], runs[1]["nll"])
    assert runs[0]["nll"][-20:].mean() < runs[0]["nll"][:5].mean() - 0.5
    assert len(runs[0]["recorded"]) == 4 and list(runs[0]["recorded_steps"]) == [0, 50, 100, 150]
    with pytest.raises(ValueError, match="data"):
        flows.fit_flow(flows.RealNVP(2), np.ones((5, 3)), 2)


# ------------------------------------------------------------------------------------- residual flows
def test_fixed_point_inverse_converges_at_the_contraction_rate():
    y = np.linspace(-3, 3, 13)
    for L in (0.3, 0.9):
        z = flows.fixed_point_inverse(lambda u: L * np.sin(u), y, n=400)
        assert np.allclose(z + L * np.sin(z), y, atol=1e-12)
        hist = flows.fixed_point_inverse(lambda u: L * np.sin(u), y, n=10, return_history=True)
        errors = np.array([np.abs(h - z).max() for h in hist])
        assert np.all(errors[1:] <= L * errors[:-1] + 1e-15)
    assert np.array_equal(flows.fixed_point_inverse(lambda u: 0 * u, y, n=5), y)
    t = torch.tensor([0.5, 2.0], dtype=torch.float64)
    out = flows.fixed_point_inverse(lambda u: 0.5 * torch.tanh(u), t, n=200)
    assert isinstance(out, torch.Tensor) and torch.allclose(out + 0.5 * torch.tanh(out), t)


def test_fixed_point_inverse_diverges_for_an_expansion():
    hist = flows.fixed_point_inverse(lambda u: 1.5 * u, np.array([1.0]), n=20, return_history=True)
    assert abs(hist[-1][0]) > 1e3  # z <- y - 1.5 z flips and grows: no inverse by iteration


def test_shipped_moons_sweep_is_reproducible():
    shipped = flows.moons_sweep_results()
    setup = shipped["setup"]
    assert setup["seeds"] == list(flows.MOONS_SWEEP["seeds"]) and len(shipped["test_nll"]) == len(setup["seeds"])
    assert all(setup[k] == val for k, val in flows.MOONS_SWEEP.items() if k != "seeds")
    fresh = flows.moons_sweep(seeds=(0,))
    # one thread, the same torch build: the same numbers; another BLAS build may move the last digits
    assert fresh["test_nll"][0] == pytest.approx(shipped["test_nll"][0], abs=0.02)
    with pytest.raises(ValueError, match="seeds"):
        flows.moons_sweep(seeds=())
