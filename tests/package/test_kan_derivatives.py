"""Higher derivatives of KANs: autograd's second derivatives against finite differences and gradgradcheck,
on the fast uniform path and on the general (adapted-grid) path."""

from __future__ import annotations

import pytest
import torch

from kan_edu.kan import KAN, KANLayer
from kan_edu.kan.splines import _uniform_spacing

torch.set_num_threads(1)


def adapted(layer):
    """The layer with its grid moved to skewed samples: non-uniform knots, the general path."""
    g = torch.Generator().manual_seed(3)
    layer.update_grid(torch.rand(200, layer.in_dim, generator=g, dtype=torch.float64) ** 2 * 1.8 - 0.9)
    assert _uniform_spacing(layer.knots) is None
    return layer


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("path", ["uniform", "general"])
def test_layer_gradgradcheck(k, path):
    layer = KANLayer(2, 3, grid=5, k=k, dtype=torch.float64, noise_scale=1.0)
    if path == "general":
        adapted(layer)
    else:
        assert _uniform_spacing(layer.knots) is not None
    g = torch.Generator().manual_seed(k)
    x = (torch.rand(6, 2, generator=g, dtype=torch.float64) * 1.8 - 0.9).requires_grad_(True)
    assert torch.autograd.gradcheck(layer, (x,))
    assert torch.autograd.gradgradcheck(layer, (x,))


@pytest.mark.parametrize("path", ["uniform", "general"])
def test_laplacian_of_a_network_matches_finite_differences(path):
    model = KAN([2, 3, 1], grid=5, seed=0, dtype=torch.float64, noise_scale=1.0)
    if path == "general":
        for layer in model.layers:
            adapted(layer)
    g = torch.Generator().manual_seed(1)
    x = (torch.rand(5, 2, generator=g, dtype=torch.float64) * 1.6 - 0.8).requires_grad_(True)

    def gradient(x):
        x = x.detach().requires_grad_(True)
        return torch.autograd.grad(model(x).sum(), x)[0]

    (grad,) = torch.autograd.grad(model(x).sum(), x, create_graph=True)
    hessian = torch.stack([torch.autograd.grad(grad[:, i].sum(), x, retain_graph=True)[0] for i in range(2)], 1)
    eps = 1e-5
    for i in range(2):  # column i of the Hessian by central differences of the (first-order) gradient
        step = torch.zeros(2, dtype=torch.float64)
        step[i] = eps
        fd = (gradient(x + step) - gradient(x - step)) / (2 * eps)
        assert torch.allclose(hessian[:, i], fd, atol=1e-6, rtol=1e-6)
    assert hessian.abs().max() > 1e-2  # a network that is not linear: the test can fail
    # and the gradient's parameter derivatives (a gradient penalty) flow too
    penalty = (grad**2).sum()
    penalty.backward()
    for layer in model.layers:  # (the symbolic constants are not used by numeric edges)
        for p in (layer.coef, layer.scale_base, layer.scale_spline):
            assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().max() > 0


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5])
def test_general_features_equal_the_reference_bit_for_bit_and_their_gradient_autograds(k):
    from kan_edu.kan.features import _GeneralFeatures, _reference_features

    layer = adapted(KANLayer(3, 2, grid=6, k=k, dtype=torch.float64))
    knots = layer.knots
    g = torch.Generator().manual_seed(k)
    x = torch.cat(
        [
            torch.rand(80, 3, generator=g, dtype=torch.float64) * 3.4 - 1.7,  # inside, extension, outside
            knots[:, k + 6][None, :],
            knots[:, k][None, :],
            knots[:, 0][None, :],
        ]
    ).requires_grad_(True)
    silu = torch.nn.functional.silu
    ref = _reference_features(x, silu(x), knots, k)
    # (distinct knots skip the guard against zero widths: the same numbers)
    assert torch.equal(_GeneralFeatures.apply(x, silu(x), knots, k, False), ref)
    fast = _GeneralFeatures.apply(x, silu(x), knots, k, True)
    assert torch.equal(fast, ref)
    w = torch.randn(fast.shape, generator=g, dtype=torch.float64)
    (g_fast,) = torch.autograd.grad((fast * w).sum(), x)
    (g_ref,) = torch.autograd.grad((ref * w).sum(), x)
    assert torch.allclose(g_fast, g_ref, atol=1e-12, rtol=1e-12)
