"""kan_edu.attention against independent references: explicit loops, torch's own attention
(``scaled_dot_product_attention`` and ``nn.MultiheadAttention``), autograd, and the identities attention obeys
(rows that sum to one, permutation equivariance, causal independence, shift-invariant positions)."""

import math

import numpy as np
import pytest
import scipy.special
import torch

from kan_edu import attention as at


def random_head(seed=0, n=7, d=6, dq=4, dv=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(d, dq)), rng.normal(size=(d, dq)), rng.normal(size=(d, dv))


def loops(X, Wq, Wk, Wv, causal=False):
    """Self-attention one query at a time, with plain Python sums and math.exp."""
    n = len(X)
    q, k, v = X @ Wq, X @ Wk, X @ Wv
    out, A = np.zeros((n, v.shape[1])), np.zeros((n, n))
    for i in range(n):
        keys = range(i + 1) if causal else range(n)
        scores = {j: sum(q[i, t] * k[j, t] for t in range(q.shape[1])) / math.sqrt(q.shape[1]) for j in keys}
        top = max(scores.values())
        total = sum(math.exp(s - top) for s in scores.values())
        for j, s in scores.items():
            A[i, j] = math.exp(s - top) / total
            out[i] += A[i, j] * v[j]
    return out, A


@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_matches_loops_and_torch(causal):
    X, Wq, Wk, Wv = random_head(1)
    out, A = at.self_attention(X, Wq, Wk, Wv, causal=causal)
    ref_out, ref_A = loops(X, Wq, Wk, Wv, causal)
    np.testing.assert_allclose(A, ref_A, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)
    t = [torch.as_tensor(m) for m in (X, Wq, Wk, Wv)]
    sdpa = torch.nn.functional.scaled_dot_product_attention(t[0] @ t[1], t[0] @ t[2], t[0] @ t[3], is_causal=causal)
    np.testing.assert_allclose(out, sdpa.numpy(), rtol=1e-10, atol=1e-12)


def test_numpy_in_numpy_out_torch_in_torch_out_with_gradients():
    X, Wq, Wk, Wv = random_head(2)
    out, A = at.self_attention(X, Wq, Wk, Wv)
    assert isinstance(out, np.ndarray) and isinstance(A, np.ndarray)
    t = [torch.tensor(m, requires_grad=True) for m in (X, Wq, Wk, Wv)]
    tout, tA = at.self_attention(*t)
    assert isinstance(tout, torch.Tensor) and tout.dtype == torch.float64
    tout.sum().backward()
    assert t[1].grad is not None and torch.isfinite(t[1].grad).all()
    np.testing.assert_allclose(tout.detach().numpy(), out, rtol=1e-12)
    with pytest.raises(TypeError, match="Wk"):
        at.self_attention(t[0], t[1], Wk, t[3])


def test_rows_are_distributions_and_equal_keys_average_the_values():
    X, Wq, Wk, Wv = random_head(3)
    out, A = at.self_attention(X, Wq, Wk, Wv)
    np.testing.assert_allclose(A.sum(1), 1, atol=1e-12)
    assert (A > 0).all()
    out, A = at.self_attention(X, Wq, np.zeros_like(Wk), Wv)  # every key is zero: all logits tie
    np.testing.assert_allclose(A, np.full((7, 7), 1 / 7), atol=1e-14)
    np.testing.assert_allclose(out, np.tile((X @ Wv).mean(0), (7, 1)), atol=1e-12)


def test_permutation_equivariance():
    X, Wq, Wk, Wv = random_head(4)
    perm = np.random.default_rng(5).permutation(7)
    out, A = at.self_attention(X, Wq, Wk, Wv)
    pout, pA = at.self_attention(X[perm], Wq, Wk, Wv)
    np.testing.assert_allclose(pout, out[perm], atol=1e-12)
    np.testing.assert_allclose(pA, A[np.ix_(perm, perm)], atol=1e-12)
    # with positions added, the equivariance is gone
    pe = at.sinusoidal_positions(7, 6)
    out, _ = at.self_attention(X + pe, Wq, Wk, Wv)
    pout, _ = at.self_attention(X[perm] + pe, Wq, Wk, Wv)
    assert not np.allclose(pout, out[perm], atol=1e-3)


def test_causal_output_ignores_later_tokens_and_equals_a_truncated_sequence():
    X, Wq, Wk, Wv = random_head(6)
    out, A = at.self_attention(X, Wq, Wk, Wv, causal=True)
    assert np.all(np.triu(A, 1) == 0)
    X2 = X.copy()
    X2[4:] += 10.0
    out2, _ = at.self_attention(X2, Wq, Wk, Wv, causal=True)
    np.testing.assert_array_equal(out2[:4], out[:4])
    for n in range(1, 8):
        np.testing.assert_allclose(out[n - 1], at.self_attention(X[:n], Wq, Wk, Wv)[0][-1], atol=1e-12)
    np.testing.assert_array_equal(at.causal_mask(4), np.tril(np.ones((4, 4), bool)))


def test_attention_scale_mask_and_cross_attention():
    rng = np.random.default_rng(7)
    Q, K, V = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    out, A = at.attention(Q, K, V)
    np.testing.assert_allclose(A, scipy.special.softmax(Q @ K.T / 2, axis=1), rtol=1e-12)
    _, A_raw = at.attention(Q, K, V, scale=False)
    np.testing.assert_allclose(A_raw, scipy.special.softmax(Q @ K.T, axis=1), rtol=1e-12)
    mask = rng.random((3, 5)) < 0.6
    mask[:, 0] = True
    _, A_m = at.attention(Q, K, V, mask=mask)
    assert np.all(A_m[~mask] == 0)
    np.testing.assert_allclose(A_m.sum(1), 1, atol=1e-12)
    with pytest.raises(ValueError, match="mask leaves a query"):
        at.attention(Q, K, V, mask=np.zeros((3, 5), bool))
    with pytest.raises(ValueError, match="K's last dimension"):
        at.attention(Q, K[:, :3], V)


def torch_mha(d, h, bias):
    torch.manual_seed(0)
    return torch.nn.MultiheadAttention(d, h, bias=bias, batch_first=True, dtype=torch.float64)


@pytest.mark.parametrize("heads", [1, 2, 4])
@pytest.mark.parametrize("causal", [False, True])
def test_multihead_matches_torch(heads, causal):
    d, n = 8, 6
    ref = torch_mha(d, heads, bias=False)
    X = torch.randn(n, d, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    Wq, Wk, Wv = (w.T for w in ref.in_proj_weight.detach().chunk(3))
    Wo = ref.out_proj.weight.detach().T
    mask = torch.triu(torch.ones(n, n, dtype=torch.bool), 1) if causal else None
    want, want_A = ref(X[None], X[None], X[None], attn_mask=mask, average_attn_weights=False)
    out, A = at.multihead_attention(X, Wq, Wk, Wv, Wo, heads, causal=causal)
    torch.testing.assert_close(out, want[0].detach(), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(A, want_A[0].detach(), rtol=1e-10, atol=1e-12)
    np_out, np_A = at.multihead_attention(*(m.numpy() for m in (X, Wq, Wk, Wv, Wo)), heads, causal=causal)
    np.testing.assert_allclose(np_out, want[0].detach().numpy(), rtol=1e-10, atol=1e-12)


def test_multihead_module_matches_torch_for_self_and_cross_attention():
    d, h = 8, 2
    ref = torch_mha(d, h, bias=True)
    mine = at.MultiHeadAttention(d, h).double()
    with torch.no_grad():
        for lin, w, b in zip((mine.q, mine.k, mine.v), ref.in_proj_weight.chunk(3), ref.in_proj_bias.chunk(3)):
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        mine.o.weight.copy_(ref.out_proj.weight)
        mine.o.bias.copy_(ref.out_proj.bias)
    g = torch.Generator().manual_seed(3)
    x, ctx = (
        torch.randn(2, 5, d, generator=g, dtype=torch.float64),
        torch.randn(2, 7, d, generator=g, dtype=torch.float64),
    )
    out, A = mine(x, context=ctx, return_attention=True)
    want, want_A = ref(x, ctx, ctx, average_attn_weights=False)
    torch.testing.assert_close(out, want, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(A, want_A, rtol=1e-10, atol=1e-12)
    assert A.shape == (2, h, 5, 7)
    torch.testing.assert_close(mine(x), ref(x, x, x)[0], rtol=1e-10, atol=1e-12)


def test_softmax_is_stable_keeps_kinds_and_handles_minus_infinity():
    z = np.array([[1000.0, 1001.0, -np.inf], [0.0, 1.0, 2.0]])
    np.testing.assert_allclose(at.softmax(z), scipy.special.softmax(z, axis=-1), rtol=1e-12)
    assert at.softmax(z)[0, 2] == 0
    np.testing.assert_allclose(at.softmax(z, axis=0), scipy.special.softmax(z, axis=0), rtol=1e-12)
    assert isinstance(at.softmax(torch.tensor(z)), torch.Tensor)
    with pytest.raises(ValueError, match="every entry is -inf"):
        at.softmax(np.array([-np.inf, -np.inf]))


def test_softmax_jacobian_matches_autograd_and_vanishes_when_saturated():
    z = torch.randn(3, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(8))
    jac = at.softmax_jacobian(z)
    for i in range(3):
        ref = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, -1), z[i])
        torch.testing.assert_close(jac[i], ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(at.softmax_jacobian(np.array([0.0, 100.0, 0.0])), 0, atol=1e-40)


def test_sinusoidal_positions():
    pe = at.sinusoidal_positions(50, 16)
    assert pe.shape == (50, 16) and np.all(np.abs(pe) <= 1)
    assert pe[3, 4] == pytest.approx(np.sin(3 / 10000 ** (4 / 16)))
    assert pe[3, 5] == pytest.approx(np.cos(3 / 10000 ** (4 / 16)))
    np.testing.assert_allclose((pe**2).sum(1), 8)  # each sine-cosine pair is a point on the unit circle
    for k in (1, 5, 17):
        dots = np.einsum("nd,nd->n", pe[:-k], pe[k:])
        np.testing.assert_allclose(dots, dots[0], atol=1e-10)
    with pytest.raises(ValueError, match="d must be even"):
        at.sinusoidal_positions(4, 5)


def test_attention_entropy_matches_scipy():
    A = at.self_attention(*random_head(9))[1]
    np.testing.assert_allclose(at.attention_entropy(A), scipy.stats.entropy(A, axis=1), rtol=1e-12)
    assert at.attention_entropy(np.eye(3)) == pytest.approx(np.zeros(3))
    assert at.attention_entropy(np.full((4, 4), 0.25)) == pytest.approx(np.full(4, np.log(4)))


def test_tiny_transformer_shapes_equivariance_and_causality():
    tokens = torch.tensor([[3, 1, 4, 1, 5, 9]])
    blind = at.TinyTransformer(10, 6, d_model=16, n_heads=2, n_layers=2, positions="none")
    perm = torch.tensor([5, 2, 0, 4, 1, 3])
    torch.testing.assert_close(blind(tokens[:, perm]), blind(tokens)[:, perm], rtol=1e-5, atol=1e-6)
    maps = blind.attention_maps(tokens)
    assert maps.shape == (2, 1, 2, 6, 6)
    torch.testing.assert_close(maps.sum(-1), torch.ones(2, 1, 2, 6))
    causal = at.TinyTransformer(10, 6, d_model=16, n_heads=2, causal=True, positions="sinusoidal")
    changed = tokens.clone()
    changed[0, 4:] = torch.tensor([0, 0])
    torch.testing.assert_close(causal(changed)[:, :4], causal(tokens)[:, :4])
    with pytest.raises(ValueError, match="tokens must lie in"):
        causal(torch.tensor([[10]]))
    with pytest.raises(ValueError, match="max_len"):
        causal(torch.zeros(1, 7, dtype=torch.long))


def test_sequence_task_targets():
    x, y = at.sequence_task("reverse", 5, length=6, vocab=7, seed=1)
    np.testing.assert_array_equal(y.numpy(), x.numpy()[:, ::-1])
    x, y = at.sequence_task("sort", 5, length=6, vocab=7, seed=1)
    np.testing.assert_array_equal(y.numpy(), np.sort(x.numpy(), axis=1))
    assert x.dtype == torch.int64 and int(x.max()) < 7
    x2, _ = at.sequence_task("sort", 5, length=6, vocab=7, seed=1)
    assert torch.equal(x, x2)


def test_training_reverses_with_positions_and_cannot_without():
    run = at.train_sequence_task("reverse", steps=300, every=100, seed=0)
    assert run["sequence_accuracy"] > 0.95
    assert list(run["steps"]) == [0, 100, 200, 300]
    assert run["attention"].shape == (4, 1, 2, 1, 8, 8) and run["predictions"].shape == (4, 2, 8)
    np.testing.assert_array_equal(run["predictions"][-1], run["targets"])
    # a trained reverser attends from position n to position N-1-n
    assert (run["attention"][-1, 0, :, 0].argmax(-1) == np.arange(8)[::-1]).mean() >= 0.75
    blind = at.train_sequence_task("reverse", steps=300, every=100, positions="none", seed=0)
    assert blind["token_accuracy"] < 0.5
