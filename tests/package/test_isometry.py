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


@pytest.mark.parametrize("angle, length", [(90, 1.0), (30, 1.0), (90, 2.0), (150, 0.5), (1, 1.7)])
def test_two_samples_closed_form(angle, length):
    # lengths 1 and L at angle θ: λ1 + λ2 = 1 + L², λ1·λ2 = (L sin θ)², so φ = log((1 + L²)/2) − log(L |sin θ|)
    t = math.radians(angle)
    h = np.array([[1.0, 0.0], [length * math.cos(t), length * math.sin(t)]])
    expected = math.log((1 + length**2) / 2) - math.log(length * abs(math.sin(t)))
    assert iso.isometry_gap(h) == pytest.approx(expected, rel=1e-10, abs=1e-14)


def test_matches_det_trace_formula_and_is_nonnegative():
    rng = np.random.default_rng(0)
    for n, d in [(4, 4), (6, 10), (16, 32)]:
        h = rng.standard_normal((n, d))
        assert iso.isometry_gap(h) == pytest.approx(naive_gap(h), rel=1e-10)
        assert iso.isometry_gap(h) > 0
    for d in (3, 17, 40):  # nearly isometric batches: rounding must not push φ below zero
        q = ortho_group.rvs(d, random_state=d) + 1e-9 * rng.standard_normal((d, d))
        assert 0.0 <= iso.isometry_gap(q) < 1e-12


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
    assert iso.isometry_gap(np.zeros((3, 5))) == math.inf
    for seed in range(20):  # scaled copies and linear combinations too, at several sizes and scales
        h = np.random.default_rng(seed).standard_normal((48, 48)) * 10.0 ** (seed % 7 - 3)
        h[7] = 0.3 * h[1] - 2.5 * h[2] if seed % 2 else -4.0 * h[0]
        assert iso.isometry_gap(h) == math.inf


def test_near_duplicate_batch():
    assert iso.isometry_gap(iso.near_duplicate_batch(32, 32, 0.0)) == math.inf
    gaps = [iso.isometry_gap(iso.near_duplicate_batch(32, 32, delta)) for delta in (1e-2, 1e-4, 1e-6)]
    assert all(np.isfinite(gaps)) and gaps[0] < gaps[1] < gaps[2]
    # one Gram eigenvalue scales like δ²: φ grows by (2/n)·log(100) per factor 100 in δ
    assert gaps[2] - gaps[1] == pytest.approx(2 / 32 * math.log(100), rel=0.05)
    with pytest.raises(ValueError, match="distance"):
        iso.near_duplicate_batch(4, 4, -1.0)
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        iso.near_duplicate_batch(1, 4)


@pytest.mark.parametrize(
    "bad", [np.ones(3), np.ones((2, 2, 2)), np.array([[1.0, np.nan]]), np.array([[np.inf, 1.0]]), np.zeros((0, 3))]
)
def test_bad_input_is_rejected(bad):
    with pytest.raises(ValueError):
        iso.isometry_gap(bad)
    with pytest.raises(ValueError):
        iso.batch_norm(bad)
    if bad.ndim and bad.size:
        with pytest.raises(ValueError, match="2-D|NaN"):
            iso.batch_norm(torch.tensor(bad))


def test_exact_identity_for_square_inputs():
    """φ(X) − φ(BN X) = log mean(r) − mean log(r), r_j = squared norm of feature j over the batch."""
    rng = np.random.default_rng(3)
    for d in (3, 8, 20):
        h = rng.standard_normal((d, d)) * rng.uniform(0.2, 3.0, size=d)
        r = (h**2).sum(axis=0)
        lhs = iso.isometry_gap(h) - iso.isometry_gap(iso.batch_norm(h))
        assert lhs == pytest.approx(np.log(r.mean()) - np.log(r).mean(), rel=1e-9)


def test_batch_norm_gives_unit_rms_features_and_is_differentiable():
    h = torch.randn(10, 4, dtype=torch.float64, requires_grad=True)
    out = iso.batch_norm(h)
    assert torch.allclose(out.pow(2).mean(0), torch.ones(4, dtype=torch.float64))
    out.sum().backward()
    assert h.grad is not None and torch.isfinite(h.grad).all()
    assert np.allclose((iso.batch_norm(h.detach().numpy()) ** 2).mean(0), 1.0)
    # every column has norm sqrt(n): the paper's unit-norm columns times sqrt(n); numpy and torch agree
    assert torch.allclose(out.norm(dim=0), torch.full((4,), math.sqrt(10), dtype=torch.float64))
    assert np.allclose(iso.batch_norm(h.detach().numpy()), out.detach().numpy(), rtol=1e-14)
    # no mean subtraction: a constant feature stays constant (±1), not zero
    assert np.allclose(iso.batch_norm(np.full((5, 2), -3.0)), -1.0)


def test_standard_bn_makes_square_batches_singular():
    h = np.random.default_rng(4).standard_normal((16, 16))
    assert iso.isometry_gap(iso.standard_batch_norm(h)) == math.inf  # centring removes a rank
    assert np.isfinite(iso.isometry_gap(iso.batch_norm(h)))
    h = np.random.default_rng(5).standard_normal((8, 32))  # n < d: still singular
    assert iso.isometry_gap(iso.standard_batch_norm(h)) == math.inf
    phi = iso.gap_per_layer(width=16, batch=8, depth=5, norm="standard")
    assert np.isfinite(phi[0]) and np.all(phi[1:] == math.inf)


def test_more_samples_than_features_is_inf_everywhere():
    assert np.all(iso.gap_per_layer(width=8, batch=12, depth=3) == math.inf)


def test_haar_orthogonal_is_orthogonal_and_seeded():
    q = iso.haar_orthogonal(12, torch.Generator().manual_seed(0))
    assert torch.allclose(q @ q.T, torch.eye(12, dtype=torch.float64), atol=1e-12)
    q2 = iso.haar_orthogonal(12, torch.Generator().manual_seed(0))
    assert torch.equal(q, q2)


def test_bnmlp_weights_seeded_orthogonal_or_scaled_gaussian():
    a, b, c = (iso.BNMLP(32, 3, seed=s) for s in (7, 7, 8))
    assert all(torch.equal(wa, wb) for wa, wb in zip(a.weights, b.weights))
    assert not torch.equal(a.weights[0], c.weights[0])
    eye = torch.eye(32, dtype=torch.float64)
    assert all(torch.allclose(w @ w.T, eye, atol=1e-12) for w in a.weights)
    g = iso.BNMLP(64, 20, init="gaussian", seed=0)
    entries = torch.cat([w.flatten() for w in g.weights])
    assert entries.var().item() == pytest.approx(1 / 64, rel=0.03)  # 81920 draws of N(0, 1/64)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    iso.BNMLP(8, 2, seed=1)  # a local generator: the global random state is untouched
    assert torch.equal(torch.rand(1), before)


def test_float32_model_runs():
    model = iso.BNMLP(8, 4, activation="tanh", gain_exponent=0.4, dtype=torch.float32)
    out = model(torch.randn(8, 8))
    assert out.dtype == torch.float32 and torch.isfinite(out).all()
    logs = iso.gradient_log_norms(model, torch.randn(8, 8))
    assert logs.dtype == np.float64 and np.all(np.isfinite(logs))


def test_orthogonal_bn_chain_never_increases_gap():
    phi = iso.gap_per_layer(width=16, batch=16, depth=50, init="orthogonal")
    assert len(phi) == 51 and phi[0] > 0.5
    assert np.all(np.diff(phi) <= 1e-12)
    assert phi[-1] < 0.1 * phi[0]


def test_gaussian_bn_chain_grows():
    phi = iso.gap_per_layer(width=16, batch=16, depth=8, init="gaussian")
    assert phi[4] > phi[0] + 1.0
    assert np.all(np.diff(phi[:5]) > 0)


def test_forward_shapes_hidden_and_validation():
    model = iso.BNMLP(8, 5, seed=1, in_dim=3, out_dim=2)
    out, hidden = model(torch.randn(8, 3, dtype=torch.float64), return_hidden=True)
    assert out.shape == (8, 2) and len(hidden) == 5 and all(h.shape == (8, 8) for h in hidden)
    with pytest.raises(ValueError, match="expects 3"):
        model(torch.randn(8, 4, dtype=torch.float64))
    for kwargs, message in [
        (dict(init="he"), "orthogonal"),
        (dict(activation="gelu"), "tanh"),
        (dict(norm="group"), "paper"),
        (dict(gain_exponent=-1), "gain_exponent"),
    ]:
        with pytest.raises(ValueError, match=message):
            iso.BNMLP(4, 2, **kwargs)
    with pytest.raises(ValueError, match="depth"):
        iso.BNMLP(4, 0)
    for bad in (2.5, True, "3", None):
        with pytest.raises(ValueError, match="width"):
            iso.BNMLP(bad, 2)
    with pytest.raises(ValueError, match="2-D"):
        model(torch.randn(8, dtype=torch.float64))
    with pytest.raises(ValueError, match="NaN"):
        model(torch.full((8, 3), float("nan"), dtype=torch.float64))
    with pytest.raises(ValueError, match="positive integer"):
        iso.haar_orthogonal(0)


def test_shaping_gains():
    model = iso.BNMLP(4, 3, gain_exponent=0.4)
    assert [model.gain(l) for l in (1, 2, 3)] == pytest.approx([1.0, 2**-0.4, 3**-0.4])


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


def test_gradient_log_norms_match_an_independent_autograd_forward():
    """Rebuild the shaped tanh chain by hand, h ← tanh(ℓ^(−γ) · z / rms(z)), z = h Wᵀ, and differentiate it."""
    model = iso.BNMLP(6, 5, activation="tanh", gain_exponent=0.4, seed=2)
    x = torch.randn(6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    ws = [w.detach().clone().requires_grad_(True) for w in model.weights]
    h = x
    for layer, w in enumerate(ws, start=1):
        z = h @ w.T
        h = torch.tanh(layer**-0.4 * z / torch.sqrt((z**2).mean(0)))
    target = torch.randn(6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))  # the documented y=None
    ((h - target) ** 2).mean().backward()
    expected = np.log([w.grad.norm().item() for w in ws])
    logs = iso.gradient_log_norms(model, x)
    assert logs.shape == (5,)
    assert np.allclose(logs, expected, rtol=1e-9, atol=1e-12)
    assert all(w.grad is None for w in model.weights)  # the model's own .grad is left alone
    with pytest.raises(ValueError, match="shape"):
        iso.gradient_log_norms(model, x, torch.zeros(6, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match="BNMLP"):
        iso.gradient_log_norms(torch.nn.Linear(6, 6), x)


def test_gradients_explode_for_gaussian_not_for_orthogonal():
    depths = [5, 50, 200]
    orth = iso.log_grad_norm_vs_depth(depths, width=16, batch=16, init="orthogonal")
    gauss = iso.log_grad_norm_vs_depth(depths, width=16, batch=16, init="gaussian")
    assert abs(orth[-1] - orth[0]) < 1.0
    assert gauss[-1] - gauss[0] > 3.0
    assert iso.explosion_rate(depths, gauss) > 5 * abs(iso.explosion_rate(depths, orth))


def test_explosion_rate_is_the_least_squares_slope():
    assert iso.explosion_rate([1, 2, 3, 4], [5.0, 5.5, 6.0, 6.5]) == pytest.approx(0.5)
    assert iso.explosion_rate([0, 1, 2], [0.0, 1.0, 0.5]) == pytest.approx(0.25)  # slope of the fitted line
    for args, message in [
        (([1], [1.0]), "at least 2"),
        (([1, 2], [1.0]), "same length"),
        (([1, 2], [1.0, math.inf]), "NaN or inf"),
        (([3, 3], [1.0, 2.0]), "different"),
    ]:
        with pytest.raises(ValueError, match=message):
            iso.explosion_rate(*args)


def test_experiments_are_deterministic():
    a = iso.log_grad_norm_vs_depth([10, 20], width=8, batch=8, activation="sin", seed=4)
    b = iso.log_grad_norm_vs_depth([10, 20], width=8, batch=8, activation="sin", seed=4)
    assert np.array_equal(a, b)


def test_degenerate_batch_has_large_gap():
    h = iso.degenerate_batch(8, 16, spread=1e-3)
    assert iso.isometry_gap(h) > 5
    # φ ≈ 2 log(1/spread) + O(1): two decades of spread add about 2 log(100)
    wide, narrow = (iso.isometry_gap(iso.degenerate_batch(32, 32, s)) for s in (1e-2, 1e-4))
    assert narrow - wide == pytest.approx(2 * math.log(100) * 31 / 32, rel=0.02)
    with pytest.raises(ValueError):
        iso.degenerate_batch(4, 4, spread=0)


def test_train_deep_bn_smoke():
    run = iso.train_deep_bn(depth=4, width=16, batch=16, steps=20, lr=0.1)
    assert set(run) >= {"step", "loss", "eval_step", "test_accuracy", "final_accuracy", "seconds"}
    assert run["loss"].shape == (20,) and list(run["eval_step"]) == [10, 20]
    assert np.all(np.isfinite(run["loss"])) and run["loss"][-5:].mean() < run["loss"][:5].mean()
    assert 0.0 <= run["final_accuracy"] <= 1.0 and run["final_accuracy"] == run["test_accuracy"][-1]
    with pytest.raises(ValueError, match="batch"):
        iso.train_deep_bn(depth=2, width=8, batch=400)


# ------------------------------------------------------------ fixed rotations, layer norm, repeated samples
def test_layer_norm_rescales_each_sample_to_unit_rms():
    rng = np.random.default_rng(3)
    h = rng.standard_normal((5, 7)) * rng.uniform(0.1, 10, size=(5, 1))
    out = iso.layer_norm(h)
    np.testing.assert_allclose(np.mean(out**2, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(out * np.sqrt(np.mean(h**2, axis=1, keepdims=True)), h, rtol=1e-12)
    t = torch.tensor(h, requires_grad=True)
    torch.autograd.gradcheck(lambda z: iso.layer_norm(z), (t,))
    with pytest.raises(ValueError):
        iso.layer_norm(np.array([1.0, 2.0]))


def test_fixed_rotations_drop_the_gap_once_then_keep_it():
    """Identity and permutations keep feature norms: after the first BN the drop of the identity is exactly 0."""
    for init in ("identity", "permutation"):
        phi = iso.gap_per_layer(depth=30, width=8, batch=8, init=init)
        model, x = iso.experiment(1, width=8, batch=8, init=init)
        assert phi[1] == pytest.approx(iso.isometry_gap(iso.batch_norm(x.numpy())), rel=1e-10)
        assert phi[1] < phi[0]
        np.testing.assert_allclose(phi[1:], phi[1], rtol=1e-9)
    haar = iso.gap_per_layer(depth=30, width=8, batch=8, init="orthogonal")
    assert np.all(np.diff(haar) < 0)  # random rotations keep it falling


def test_permutation_weights_are_seeded_permutations():
    model = iso.BNMLP(6, 3, init="permutation", seed=4)
    for w in model.weights:
        w = w.detach()
        assert torch.equal(w.sum(0), torch.ones(6, dtype=w.dtype)) and torch.equal(
            w.sum(1), torch.ones(6, dtype=w.dtype)
        )
        assert set(w.unique().tolist()) == {0.0, 1.0}
    again = iso.BNMLP(6, 3, init="permutation", seed=4)
    assert all(torch.equal(a, b) for a, b in zip(model.weights, again.weights))


def test_layer_norm_cannot_lower_the_gap_after_one_layer_with_rotations():
    phi = iso.gap_per_layer(depth=20, width=8, batch=8, norm="layer")
    np.testing.assert_allclose(phi[1:], phi[1], rtol=1e-9)
    # a rotation keeps sample lengths: LN of a rotated, normalised batch changes nothing
    collapse = iso.gap_per_layer(depth=80, width=8, batch=8, init="gaussian", norm="layer")
    assert collapse[-1] > 5 * collapse[0]


def test_distinct_repeats_samples_and_makes_the_gap_infinite():
    _, x = iso.experiment(1, width=8, batch=8, distinct=3)
    assert torch.equal(x[3], x[0]) and torch.equal(x[7], x[1])
    _, full = iso.experiment(1, width=8, batch=8)
    assert torch.equal(x[:3], full[:3])
    assert math.isinf(iso.isometry_gap(x))
    with pytest.raises(ValueError):
        iso.experiment(1, width=8, batch=8, distinct=9)


def test_repeated_samples_explode_with_orthogonal_weights():
    depths = [10, 300]
    random = iso.log_grad_norm_vs_depth(depths, width=16, batch=16)
    repeated = iso.log_grad_norm_vs_depth(depths, width=16, batch=16, distinct=4)
    assert abs(random[1] - random[0]) < 1.0
    assert repeated[1] - repeated[0] > 5.0


def test_shipped_shaping_sweep_matches_a_rerun_and_the_chapters_claims():
    shipped = iso.shaping_sweep_results()
    setup = shipped["setup"]
    assert setup["activations"] == list(iso.SHAPING_SWEEP["activations"])
    assert setup["gain_exponents"] == list(iso.SHAPING_SWEEP["gain_exponents"])
    assert setup["depths"] == list(iso.SHAPING_SWEEP["depths"])
    for act in setup["activations"]:
        curves = np.array(shipped[act])
        assert curves.shape == (len(setup["gain_exponents"]), len(setup["depths"]))
        assert np.all(np.isfinite(curves))
    # a cheap slice, recomputed: every depth is a fresh network, so two depths reproduce two entries
    depths = [10, 1000]
    cols = [setup["depths"].index(d) for d in depths]
    for act, gamma in [("tanh", 0.4), ("sin", 0.0)]:
        fresh = iso.shaping_sweep(activations=(act,), gain_exponents=(gamma,), depths=depths)
        assert fresh["setup"] == {"activations": [act], "gain_exponents": [gamma], "depths": depths}
        row = np.array(shipped[act][setup["gain_exponents"].index(gamma)])[cols]
        np.testing.assert_allclose(fresh[act][0], row, rtol=1e-9, atol=1e-9)
    # what chapter 25 reads off the sweep: unshaped tanh and sin explode, the authors' 0.4 keeps both bounded,
    # and some exponent below 0.4 is already enough for tanh (the exercise's answer lies on the grid)
    growth = {
        (act, g): curve[-1] - curve[0]
        for act in setup["activations"]
        for g, curve in zip(setup["gain_exponents"], shipped[act])
    }
    assert growth[("tanh", 0.0)] > 20 and growth[("sin", 0.0)] > 20
    assert growth[("tanh", 0.4)] <= 2 and growth[("sin", 0.4)] <= 2
    least = min(g for g in setup["gain_exponents"] if growth[("tanh", g)] <= 2)
    assert 0 < least < 0.4


def test_shaping_sweep_validates_its_arguments():
    with pytest.raises(ValueError, match="activations"):
        iso.shaping_sweep(activations=("cosh",), depths=[2])
    with pytest.raises(ValueError, match="gain_exponents"):
        iso.shaping_sweep(gain_exponents=(-0.1,), depths=[2])
    with pytest.raises(ValueError, match="depths"):
        iso.shaping_sweep(depths=[0])
    with pytest.raises(TypeError, match="activations"):
        iso.shaping_sweep(activations="tanh", depths=[2])


def test_shipped_depth_results_match_a_rerun():
    """experiments/isometry_depth.py's shipped numbers, which chapter 25 glues: the right shape, and one seed of
    each weight init recomputed (depth 10 and 1000 are fresh networks, so the change reproduces exactly)."""
    shipped = iso.depth_results()
    changes = shipped["log_grad_change_10_to_1000"]
    assert set(changes) == {"orthogonal", "gaussian"}
    assert all(len(v) == len(shipped["seeds"]) for v in changes.values())
    assert max(abs(c) for c in changes["orthogonal"]) < 0.5 < 10 < min(changes["gaussian"])
    for init in ("orthogonal", "gaussian"):
        g = iso.log_grad_norm_vs_depth([10, 1000], init=init, seed=shipped["seeds"][1])
        assert g[1] - g[0] == pytest.approx(changes[init][1], abs=1e-9)
    accuracy = shipped["digits_accuracy_by_depth"]
    assert set(accuracy) == {"100", "200", "300"}
    for row in accuracy.values():
        assert set(row) == {"orthogonal", "gaussian"}
        assert all(len(accs) == len(shipped["seeds"]) and all(0 <= a <= 1 for a in accs) for accs in row.values())


def test_shipped_training_run_matches_a_rerun():
    """Seed 1 of the 100-layer orthogonal run of experiments/isometry_depth.py, trained again (chapter 25 runs
    seed 0 itself and prints it beside the file's)."""
    shipped = iso.depth_results()["digits_accuracy_by_depth"]["100"]["orthogonal"][1]
    assert iso.train_deep_bn(depth=100, init="orthogonal", steps=150, seed=1)["final_accuracy"] == shipped
