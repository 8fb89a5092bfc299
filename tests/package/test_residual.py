"""kan_edu.residual against independent references: a forward pass written out by hand, torch's batch norm,
finite differences, brute-force correlation sums, autograd, and Monte-Carlo variances of wide random networks."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kan_edu import residual as res


def by_hand(model, x):
    """The ResMLP forward pass from its parameters, with torch's functional ops only (training mode)."""
    h = x @ model.stem.weight.T + model.stem.bias
    hidden = [h]
    for k in range(model.depth):
        z = h
        if model.norm == "batch":
            bn = model.norms[k]
            z = F.batch_norm(h, None, None, bn.weight, bn.bias, training=True, eps=bn.eps)
        branch = F.relu(z) @ model.linears[k].weight.T + model.linears[k].bias
        h = h + model.branch_scale * branch if model.residual else branch
        hidden.append(h)
    if model.norm == "batch":
        fn = model.final_norm
        h = F.batch_norm(h, None, None, fn.weight, fn.bias, training=True, eps=fn.eps)
    return F.relu(h) @ model.head.weight.T + model.head.bias, hidden


# -------------------------------------------------------------------------------------------------- ResMLP
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(residual=False),
        dict(residual=True),
        dict(residual=True, branch_scale=0.3, bias_std=0.5),
        dict(residual=True, norm="batch"),
        dict(residual=False, norm="batch", bias_std=0.1),
    ],
)
def test_forward_matches_the_equations(kwargs):
    model = res.ResMLP(5, 16, in_dim=7, out_dim=3, seed=3, dtype=torch.float64, **kwargs).train()
    x = torch.randn(20, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    out, hidden = model(x, return_hidden=True)
    ref_out, ref_hidden = by_hand(model, x)
    assert torch.allclose(out, ref_out, atol=1e-12)
    assert len(hidden) == 6 and all(torch.allclose(a, b, atol=1e-12) for a, b in zip(hidden, ref_hidden))


def test_initialisation_is_seeded_he_and_independent_of_the_global_generator():
    torch.manual_seed(123)
    a = res.ResMLP(3, 400, in_dim=5, seed=7)
    torch.manual_seed(456)
    b = res.ResMLP(3, 400, in_dim=5, seed=7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.linears[0].weight, res.ResMLP(3, 400, in_dim=5, seed=8).linears[0].weight)
    w = a.linears[1].weight.double()
    assert abs(float(w.var()) * 400 / 2 - 1) < 0.02  # He: variance 2/width
    assert float(a.linears[1].bias.abs().max()) == 0.0 and float(a.head.bias.abs().max()) == 0.0


def test_zero_init_starts_as_the_identity():
    model = res.ResMLP(6, 12, zero_init=True, norm="batch", in_dim=4, seed=0)
    x = torch.randn(9, 4)
    _, hidden = model(x, return_hidden=True)
    assert all(torch.equal(h, hidden[0]) for h in hidden)
    with pytest.raises(ValueError, match="residual"):
        res.ResMLP(3, 4, residual=False, zero_init=True)


def test_skip_removes_blocks():
    model = res.ResMLP(4, 10, in_dim=3, seed=1, bias_std=0.2, dtype=torch.float64)
    x = torch.randn(5, 3, dtype=torch.float64)
    silenced = res.ResMLP(4, 10, in_dim=3, seed=1, bias_std=0.2, dtype=torch.float64)
    with torch.no_grad():
        silenced.linears[2].weight.zero_()
        silenced.linears[2].bias.zero_()
    assert torch.allclose(model(x, skip=[2]), silenced(x))
    assert not torch.allclose(model(x, skip=[2]), model(x))
    plain = res.ResMLP(4, 10, residual=False, in_dim=3, seed=1, dtype=torch.float64)
    _, hidden = plain(x, return_hidden=True, skip=(0, 3))
    assert torch.equal(hidden[1], hidden[0]) and torch.equal(hidden[4], hidden[3])
    for bad in ([4], [-1], [0.5], "0"):
        with pytest.raises((ValueError, TypeError), match="skip"):
            model(x, skip=bad)


def test_variant_model_scales_branches_by_one_over_root_depth():
    model = res.variant_model("residual, α = 1/√K", 16)
    assert model.residual and math.isclose(model.branch_scale, 0.25)
    assert res.variant_model("plain + BN", 3).norm == "batch"
    with pytest.raises(ValueError, match="variant"):
        res.variant_model("resnet", 3)


# ------------------------------------------------------------------------------------------------ variance
def test_residual_variance_closed_form():
    assert res.residual_variance(0, 0.7) == 1.0
    assert np.allclose(res.residual_variance(np.arange(8)), 2.0 ** np.arange(8))
    assert res.residual_variance(5, 0.0) == 1.0
    assert math.isclose(res.residual_variance(3, 0.5, v0=2.0), 2.0 * 1.25**3)
    assert math.isclose(res.residual_variance(10, 0.5, norm="batch"), 1 + 10 * 0.25)
    ks = np.arange(30)
    assert np.all(np.diff(res.residual_variance(ks, 0.4)) > 0)
    assert res.residual_variance(ks[-1], 1 / np.sqrt(ks[-1])) < math.e  # (1 + 1/K)^K < e
    with pytest.raises(ValueError):
        res.residual_variance(1.5)


@pytest.mark.parametrize(
    "kwargs, norm",
    [
        (dict(), "none"),
        (dict(branch_scale=0.5), "none"),
        (dict(norm="batch"), "batch"),
        (dict(norm="batch", branch_scale=2.0), "batch"),
    ],
)
def test_variances_of_wide_random_networks_follow_the_formula(kwargs, norm):
    torch.manual_seed(0)
    model = res.ResMLP(6, 1500, in_dim=32, seed=2, **kwargs)
    x = torch.randn(400, 32)
    var = res.activation_variances(model, x)
    predicted = res.residual_variance(np.arange(7), model.branch_scale, norm, v0=var[0])
    assert np.allclose(var, predicted, rtol=0.15)


def test_plain_he_network_keeps_its_variance():
    model = res.ResMLP(20, 1000, residual=False, in_dim=16, seed=0)
    var = res.activation_variances(model, torch.randn(300, 16))
    assert 0.5 < var[-1] / var[1] < 2.0


def test_measurements_leave_the_model_as_it_was():
    model = res.ResMLP(3, 8, norm="batch", in_dim=4, seed=0).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = torch.randn(10, 4) * 3 + 2, torch.randint(0, 10, (10,))
    res.activation_variances(model, x)
    res.gradient_norms(model, x, y)
    res.lesion_accuracies(model, x, y)
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())


def test_gradient_norms_match_backward():
    model = res.ResMLP(4, 12, in_dim=6, out_dim=3, seed=5, bias_std=0.1, dtype=torch.float64)
    x, y = torch.randn(15, 6, dtype=torch.float64), torch.randint(0, 3, (15,))
    norms = res.gradient_norms(model, x, y)
    F.cross_entropy(model(x), y).backward()
    assert np.allclose(norms, [float(lin.weight.grad.norm()) for lin in model.linears], rtol=1e-10)
    mse = res.gradient_norms(model, x, torch.zeros(15, 3, dtype=torch.float64), loss_fn=F.mse_loss)
    assert mse.shape == (4,) and not np.allclose(mse, norms)


def test_lesion_accuracies_match_silenced_blocks():
    model = res.ResMLP(3, 10, in_dim=5, out_dim=4, seed=2, norm="batch")
    x, y = torch.randn(50, 5), torch.randint(0, 4, (50,))
    model.train()
    model(x)  # give the batch norms running statistics
    model.eval()
    acc = res.lesion_accuracies(model, x, y)
    for k in range(3):
        with torch.no_grad():
            expected = float((model(x, skip=[k]).argmax(1) == y).double().mean())
        assert math.isclose(acc[k], expected)
    with pytest.raises(ValueError):
        res.lesion_accuracies(model, x, y.float())


# ------------------------------------------------------------------------------------- shattered gradients
@pytest.mark.parametrize("kwargs", [dict(residual=False), dict(residual=True, branch_scale=0.5), dict(norm="batch")])
def test_input_gradients_match_finite_differences(kwargs):
    model = res.ResMLP(6, 30, in_dim=1, out_dim=1, bias_std=0.3, seed=4, dtype=torch.float64, **kwargs)
    x = np.linspace(-2, 2, 64)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    g = res.input_gradients_1d(model, x)
    assert model.training and all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    # the reference: the network in evaluation mode with batch-norm statistics frozen at those of x
    frozen = res.ResMLP(6, 30, in_dim=1, out_dim=1, bias_std=0.3, seed=4, dtype=torch.float64, **kwargs)
    for m in frozen.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            m.momentum = None
    frozen.train()
    with torch.no_grad():
        frozen(torch.as_tensor(x).reshape(-1, 1))
    frozen.eval()
    eps = 1e-6
    with torch.no_grad():
        up = frozen(torch.as_tensor(x + eps).reshape(-1, 1)).numpy().ravel()
        down = frozen(torch.as_tensor(x - eps).reshape(-1, 1)).numpy().ravel()
    fd = (up - down) / (2 * eps)
    assert np.allclose(g, fd, atol=1e-5)
    gt = res.input_gradients_1d(model, torch.as_tensor(x))
    assert isinstance(gt, torch.Tensor) and np.allclose(gt.numpy(), g)


def test_input_gradients_need_one_input_and_one_output():
    with pytest.raises(ValueError, match="one input"):
        res.input_gradients_1d(res.ResMLP(2, 4), np.zeros(3))


def test_deep_plain_networks_shatter_and_residual_ones_do_not():
    x = np.linspace(-2, 2, 256, endpoint=False)

    def lag1(**kw):
        return np.mean(
            [
                res.autocorrelation(
                    res.input_gradients_1d(
                        res.ResMLP(24, 100, in_dim=1, out_dim=1, norm="batch", seed=s, dtype=torch.float64, **kw), x
                    )
                )[1]
                for s in range(3)
            ]
        )

    plain, residual = lag1(residual=False), lag1(residual=True, branch_scale=24**-0.5)
    assert abs(plain) < 0.3 < 0.7 < residual


# ------------------------------------------------------------------------------------------ autocorrelation
def test_autocorrelation_matches_a_brute_force_sum():
    g = np.cumsum(np.random.default_rng(0).standard_normal(50))
    c = g - g.mean()
    brute = np.correlate(c, c, mode="full")[len(g) - 1 :] / (c @ c)
    r = res.autocorrelation(g)
    assert np.allclose(r, brute, atol=1e-12) and r[0] == pytest.approx(1.0)
    assert np.allclose(res.autocorrelation(3.5 * g - 7.0), r, atol=1e-12)


def test_autocorrelation_of_white_noise_is_small():
    n = 4096
    r = res.autocorrelation(np.random.default_rng(1).standard_normal(n))
    assert np.all(np.abs(r[1:100]) < 4 / np.sqrt(n))


def test_autocorrelation_types_and_errors():
    g = torch.tensor([1.0, 3.0, 2.0, 5.0])
    r = res.autocorrelation(g)
    assert isinstance(r, torch.Tensor) and r.dtype == torch.float64
    assert np.allclose(r.numpy(), res.autocorrelation(g.numpy()))
    for bad in (np.ones(5), [1.0], np.array([1.0, np.nan, 2.0]), np.ones((3, 3))):
        with pytest.raises(ValueError):
            res.autocorrelation(bad)


# ------------------------------------------------------------------------------------------------ batch norm
def test_affine_batch_norm_matches_torch_in_both_modes():
    gen = torch.Generator().manual_seed(0)
    h = torch.randn(7, 5, dtype=torch.float64, generator=gen) * torch.tensor([1.0, 0.1, 3.0, 10.0, 0.01]) + 2
    gamma, delta = torch.rand(5, dtype=torch.float64, generator=gen) + 0.5, torch.randn(5, dtype=torch.float64)
    train = F.batch_norm(h, None, None, gamma, delta, training=True, eps=1e-5)
    assert torch.allclose(res.affine_batch_norm(h, gamma, delta), train, atol=1e-12)
    assert np.allclose(res.affine_batch_norm(h.numpy(), gamma.numpy(), delta.numpy()), train.numpy(), atol=1e-12)
    mean, var = torch.randn(5, dtype=torch.float64), torch.rand(5, dtype=torch.float64) + 0.1
    evaluate = F.batch_norm(h, mean, var, gamma, delta, training=False, eps=1e-3)
    ours = res.affine_batch_norm(h.numpy(), gamma.numpy(), delta.numpy(), eps=1e-3, mean=mean.numpy(), var=var.numpy())
    assert np.allclose(ours, evaluate.numpy(), atol=1e-12)


def test_affine_batch_norm_properties():
    rng = np.random.default_rng(2)
    h = rng.standard_normal((9, 4))
    out = res.affine_batch_norm(h, 2.0, -1.0, eps=0.0)
    assert np.allclose(out.mean(0), -1.0) and np.allclose(out.std(0), 2.0)
    scale, shift = rng.uniform(0.5, 3, 4), rng.standard_normal(4)
    assert np.allclose(res.affine_batch_norm(h * scale + shift, eps=0.0), res.affine_batch_norm(h, eps=0.0))
    p = rng.permutation(9)
    assert np.allclose(res.affine_batch_norm(h[p]), res.affine_batch_norm(h)[p])
    # eval mode: each example on its own, so one example's output does not depend on the others
    m, v = h.mean(0), h.var(0)
    assert np.allclose(res.affine_batch_norm(h[:1], mean=m, var=v), res.affine_batch_norm(h, mean=m, var=v)[:1])
    with pytest.raises(ValueError, match="gamma"):
        res.affine_batch_norm(h, gamma=np.ones(3))
    with pytest.raises(ValueError, match="mean and var"):
        res.affine_batch_norm(h, mean=m)


def test_affine_batch_norm_is_differentiable_like_torch():
    h = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    g = torch.rand(3, dtype=torch.float64, requires_grad=True)
    (ours,) = torch.autograd.grad(res.affine_batch_norm(h, g, 0.5).pow(3).sum(), h)
    (ref,) = torch.autograd.grad(
        F.batch_norm(h, None, None, g, torch.full((3,), 0.5, dtype=torch.float64), training=True).pow(3).sum(), h
    )
    assert torch.allclose(ours, ref, atol=1e-10)


# ------------------------------------------------------------------------------------ the shipped depth sweep
def test_shipped_depth_sweep_is_reproducible():
    shipped = res.residual_depth_results()
    assert shipped["setup"]["depths"] == list(res.RESIDUAL_DEPTH["depths"])
    assert shipped["variants"] == list(res.VARIANTS)
    fresh = res.run_residual_depth(depths=(4,), variants=("plain",), seeds=(0,))
    i, j = shipped["variants"].index("plain"), list(shipped["depths"]).index(4)
    assert np.allclose(np.array(fresh["train_loss"], float)[0, 0, 0], shipped["train_loss"][i, j, 0], rtol=2e-3)
    assert np.allclose(np.array(fresh["test_accuracy"], float)[0, 0, 0], shipped["test_accuracy"][i, j, 0], atol=0.01)
    # a lesioned network's accuracy is the most sensitive number: a fresh install of the same package versions'
    # ranges (another numpy/OpenBLAS build) moved it by up to 0.011 here (2026-12-02); seeds move it by 0.06
    assert np.allclose(np.array(fresh["lesion"]["4"], float)[0, 0], shipped["lesion"][4][i, 0], atol=0.03)
    assert np.allclose(np.array(fresh["init_variance"]["4"], float)[0, 0], shipped["init_variance"][4][i, 0], rtol=1e-3)


def test_shipped_depth_sweep_shapes():
    r = res.residual_depth_results()
    n_var, n_depth, n_seed, n_epoch = len(r["variants"]), len(r["depths"]), len(r["seeds"]), r["setup"]["epochs"]
    for key in ("train_loss", "train_accuracy", "test_accuracy"):
        assert r[key].shape == (n_var, n_depth, n_seed, n_epoch)
    for d in r["depths"]:
        assert r["lesion"][d].shape == (n_var, n_seed, d)
        assert r["init_variance"][d].shape == (n_var, n_seed, d + 1)
        assert r["init_grad_norm"][d].shape == (n_var, n_seed, d)
    with pytest.raises(ValueError, match="unknown"):
        res.run_residual_depth(widths=3)


def test_shipped_depth_sweep_tells_the_chapters_story():
    r = res.residual_depth_results()
    acc = r["test_accuracy"][..., -1]  # (variant, depth, seed)
    at = {v: acc[i] for i, v in enumerate(r["variants"])}
    deepest = -1
    assert at["residual"][deepest].max() < 0.2 and at["plain + BN"][deepest].max() < 0.2  # both fail at 64
    for v in ("residual + BN", "residual, α = 1/√K", "residual, zero-init"):
        assert at[v][deepest].min() > at["plain"][deepest].max()  # every fixed residual design beats plain
    lesion_plain = (acc[0, 2][:, None] - r["lesion"][16][0]).mean()
    lesion_zero = (acc[5, 2][:, None] - r["lesion"][16][5]).mean()
    assert lesion_zero < 0.05 < 0.2 < lesion_plain
