"""kan_edu.isometry against closed forms and independent references (scipy, numpy det/trace, autograd)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import ortho_group

from kan_edu import isometry as iso

torch.set_num_threads(1)


def naive_gap(h):
    """Straight from the definition, for well-conditioned inputs: −log(det(G)^{1/n} / (tr(G)/n))."""
    g = h @ h.T
    n = g.shape[0]
    sign, logdet = np.linalg.slogdet(g)
    assert sign > 0
    return -(logdet / n - np.log(np.trace(g) / n))


def test_identity_and_scaled_orthogonal_have_zero_gap():
    assert iso.isometry_gap(np.eye(5)) == 0.0
    q = ortho_group.rvs(8, random_state=1)
    assert abs(iso.isometry_gap(3.7 * q)) < 1e-12
    assert abs(iso.isometry_gap(q[:5])) < 1e-12  # 5 orthonormal samples in 8 dimensions


def test_diag_one_two_is_log_five_quarters():
    # Gram eigenvalues 1 and 4: log(5/2) - log(2) = log(1.25)
    assert iso.isometry_gap(np.diag([1.0, 2.0])) == pytest.approx(math.log(1.25), abs=1e-14)


def test_matches_det_trace_formula_and_is_nonnegative():
    rng = np.random.default_rng(0)
    for n, d in [(4, 4), (6, 10), (16, 32)]:
        h = rng.standard_normal((n, d))
        assert iso.isometry_gap(h) == pytest.approx(naive_gap(h), rel=1e-10)
        assert iso.isometry_gap(h) > 0


def test_invariant_to_scale_and_feature_rotation():
    rng = np.random.default_rng(1)
    h = rng.standard_normal((6, 9))
    q = ortho_group.rvs(9, random_state=2)
    base = iso.isometry_gap(h)
    assert iso.isometry_gap(1e-3 * h) == pytest.approx(base, rel=1e-12)
    assert iso.isometry_gap(h @ q.T) == pytest.approx(base, rel=1e-10)
    assert iso.isometry_gap(torch.tensor(h)) == pytest.approx(base, rel=1e-12)


def test_dependent_samples_give_inf():
    rng = np.random.default_rng(2)
    h = rng.standard_normal((32, 32))
    h[5] = h[3]  # a duplicated sample
    assert iso.isometry_gap(h) == math.inf
    # the naive eigenvalue route is fooled by rounding: a finite, modest number
    lam = np.linalg.eigvalsh(h @ h.T)
    assert np.isfinite(np.log(lam.mean()) - np.log(np.abs(lam)).mean())
    assert iso.isometry_gap(rng.standard_normal((10, 4))) == math.inf  # n > d


@pytest.mark.parametrize("bad", [np.ones(3), np.ones((2, 2, 2)), np.array([[1.0, np.nan]]), np.zeros((0, 3))])
def test_bad_input_is_rejected(bad):
    with pytest.raises(ValueError):
        iso.isometry_gap(bad)


def test_exact_identity_for_square_inputs():
    """φ(X) − φ(BN X) = log mean(r) − mean log(r), r_j = squared norm of feature j over the batch."""
    rng = np.random.default_rng(3)
    for d in (3, 8, 20):
        h = rng.standard_normal((d, d)) * rng.uniform(0.2, 3.0, size=d)
        r = (h ** 2).sum(axis=0)
        lhs = iso.isometry_gap(h) - iso.isometry_gap(iso.batch_norm(h))
        assert lhs == pytest.approx(np.log(r.mean()) - np.log(r).mean(), rel=1e-9)


def test_batch_norm_gives_unit_rms_features_and_is_differentiable():
    h = torch.randn(10, 4, dtype=torch.float64, requires_grad=True)
    out = iso.batch_norm(h)
    assert torch.allclose(out.pow(2).mean(0), torch.ones(4, dtype=torch.float64))
    out.sum().backward()
    assert h.grad is not None and torch.isfinite(h.grad).all()
    assert np.allclose((iso.batch_norm(h.detach().numpy()) ** 2).mean(0), 1.0)


def test_standard_bn_makes_square_batches_singular():
    h = np.random.default_rng(4).standard_normal((16, 16))
    assert iso.isometry_gap(iso.standard_batch_norm(h)) == math.inf  # centring removes a rank
    assert np.isfinite(iso.isometry_gap(iso.batch_norm(h)))


def test_haar_orthogonal_is_orthogonal_and_seeded():
    q = iso.haar_orthogonal(12, torch.Generator().manual_seed(0))
    assert torch.allclose(q @ q.T, torch.eye(12, dtype=torch.float64), atol=1e-12)
    q2 = iso.haar_orthogonal(12, torch.Generator().manual_seed(0))
    assert torch.equal(q, q2)


def test_orthogonal_bn_chain_never_increases_gap():
    phi = iso.gap_per_layer(width=16, batch=16, depth=50, init="orthogonal")
    assert len(phi) == 51 and phi[0] > 0.5
    assert np.all(np.diff(phi) <= 1e-12)
    assert phi[-1] < 0.1 * phi[0]


def test_gaussian_bn_chain_grows():
    phi = iso.gap_per_layer(width=16, batch=16, depth=8, init="gaussian")
    assert phi[4] > phi[0] + 1.0


def test_forward_shapes_hidden_and_validation():
    model = iso.BNMLP(8, 5, seed=1, in_dim=3, out_dim=2)
    out, hidden = model(torch.randn(8, 3, dtype=torch.float64), return_hidden=True)
    assert out.shape == (8, 2) and len(hidden) == 5 and all(h.shape == (8, 8) for h in hidden)
    with pytest.raises(ValueError, match="expects 3"):
        model(torch.randn(8, 4, dtype=torch.float64))
    for kwargs, message in [(dict(init="he"), "orthogonal"), (dict(activation="gelu"), "tanh"),
                            (dict(norm="layer"), "paper"), (dict(gain_exponent=-1), "gain_exponent")]:
        with pytest.raises(ValueError, match=message):
            iso.BNMLP(4, 2, **kwargs)
    with pytest.raises(ValueError, match="depth"):
        iso.BNMLP(4, 0)


def test_shaping_gains():
    model = iso.BNMLP(4, 3, gain_exponent=0.4)
    assert [model.gain(l) for l in (1, 2, 3)] == pytest.approx([1.0, 2 ** -0.4, 3 ** -0.4])


def test_gradient_log_norms_match_autograd_and_finite_differences():
    model = iso.BNMLP(4, 3, activation="tanh", seed=3)
    x = torch.randn(4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    y = torch.randn(4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(6))
    logs = iso.gradient_log_norms(model, x, y)
    assert logs.shape == (3,)
    # finite differences of the loss for every entry of the second layer's weight
    w = model.weights[1]
    grad = torch.zeros_like(w)
    eps = 1e-6
    with torch.no_grad():
        for i in range(4):
            for j in range(4):
                w[i, j] += eps
                up = torch.mean((model(x) - y) ** 2)
                w[i, j] -= 2 * eps
                down = torch.mean((model(x) - y) ** 2)
                w[i, j] += eps
                grad[i, j] = (up - down) / (2 * eps)
    assert logs[1] == pytest.approx(math.log(grad.norm().item()), rel=1e-6)


def test_gradients_explode_for_gaussian_not_for_orthogonal():
    depths = [5, 50, 200]
    orth = iso.log_grad_norm_vs_depth(depths, width=16, batch=16, init="orthogonal")
    gauss = iso.log_grad_norm_vs_depth(depths, width=16, batch=16, init="gaussian")
    assert abs(orth[-1] - orth[0]) < 1.0
    assert gauss[-1] - gauss[0] > 3.0
    assert iso.explosion_rate(depths, gauss) > 5 * abs(iso.explosion_rate(depths, orth))


def test_experiments_are_deterministic():
    a = iso.log_grad_norm_vs_depth([10, 20], width=8, batch=8, activation="sin", seed=4)
    b = iso.log_grad_norm_vs_depth([10, 20], width=8, batch=8, activation="sin", seed=4)
    assert np.array_equal(a, b)


def test_degenerate_batch_has_large_gap():
    h = iso.degenerate_batch(8, 16, spread=1e-3)
    assert iso.isometry_gap(h) > 5
    with pytest.raises(ValueError):
        iso.degenerate_batch(4, 4, spread=0)
