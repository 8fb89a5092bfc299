"""Checks for kan_edu.attention (chapter 12): one self-attention head, and its causal (masked) version."""

from __future__ import annotations

import numpy as np

from .. import attention
from ._core import answer, close, is_distribution, run

__all__ = ["self_attention", "causal_attention"]


def _data(seed: int):
    """Tokens X (N=6, D=5) with a query/key width D_q = 3 (not D, so a wrong scale shows) and D_v = 4."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(6, 5)), rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 4))


def _pair(fn, *args):
    res = answer(fn, *args)
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise ValueError("return a pair (out, A)")
    return np.asarray(res[0], dtype=float), np.asarray(res[1], dtype=float)


def _common(fn, x, wq, wk, wv, causal: bool):
    """The properties both heads share: shapes, rows of A, out from A, the reference, stability."""
    ref_out, ref_a = attention.self_attention(x, wq, wk, wv, causal=causal)
    big = 60 * x  # logits in the thousands: exp overflows unless the largest logit is subtracted first
    ref_big = attention.self_attention(big, wq, wk, wv, causal=causal)
    return [
        (
            "out has shape (N, D_v) and A has shape (N, N)",
            lambda: (lambda o, a: o.shape == (6, 4) and a.shape == (6, 6))(*_pair(fn, x, wq, wk, wv)),
            "one output row per token, as wide as a value; A has one row per query and one column per key.",
        ),
        (
            "every row of A is a probability distribution (non-negative, summing to 1)",
            lambda: is_distribution(_pair(fn, x, wq, wk, wv)[1], axis=1),
            "row n holds the weights token n gives to the keys: normalise each row (over the keys), not each "
            "column, and normalise after any masking.",
        ),
        (
            "out is A times the values V = X Wv",
            lambda: (lambda o, a: close(o, a @ (x @ wv), rtol=1e-6, atol=1e-9))(*_pair(fn, x, wq, wk, wv)),
            "each output is the weighted mean of the values with the weights of its row of A; check the order of "
            "the product (a transpose turns rows into columns).",
        ),
        (
            "A matches the scaled dot-product weights",
            lambda: close(_pair(fn, x, wq, wk, wv)[1], ref_a, rtol=1e-6, atol=1e-9),
            "the logits are the dot products of queries with keys, divided by the square root of their width "
            "D_q (here 3, while X has D = 5 columns).",
        ),
        (
            "it stays finite and correct when the logits are in the thousands",
            lambda: (lambda o, a: close(o, ref_big[0], rtol=1e-6, atol=1e-8) and close(a, ref_big[1], atol=1e-8))(
                *_pair(fn, big, wq, wk, wv)
            ),
            "exp(1000) overflows to inf and inf/inf is NaN: subtract each row's largest logit before the "
            "exponential (it cancels in the ratio).",
        ),
        (
            "out matches the reference output",
            lambda: close(_pair(fn, x, wq, wk, wv)[0], ref_out, rtol=1e-6, atol=1e-9),
            "compare each step with the equations of section 12.1.",
        ),
    ]


def self_attention(fn):
    """Check ``fn(X, Wq, Wk, Wv) -> (out, A)``: one head of scaled dot-product self-attention."""
    x, wq, wk, wv = _data(31)
    perm = np.random.default_rng(32).permutation(6)
    props = _common(fn, x, wq, wk, wv, causal=False)
    props.insert(
        4,
        (
            "permuting the tokens permutes the outputs and both axes of A the same way",
            lambda: (lambda o, a, po, pa: close(po, o[perm], atol=1e-9) and close(pa, a[perm][:, perm], atol=1e-9))(
                *_pair(fn, x, wq, wk, wv), *_pair(fn, x[perm], wq, wk, wv)
            ),
            "self-attention treats every token alike: nothing in it may depend on a token's index.",
        ),
    )
    return run("self_attention", props)


def causal_attention(fn):
    """Check ``fn(X, Wq, Wk, Wv) -> (out, A)``: self-attention where token n sees tokens 0..n only."""
    x, wq, wk, wv = _data(41)
    later = x.copy()
    later[4:] = np.random.default_rng(42).normal(size=(2, 5))
    props = _common(fn, x, wq, wk, wv, causal=True)
    props[1:1] = [
        (
            "A has no weight above the diagonal (no token looks at a later one)",
            lambda: np.all(np.abs(np.triu(_pair(fn, x, wq, wk, wv)[1], 1)) < 1e-12),
            "key m is allowed for query n only when m <= n: the allowed entries are on and below the diagonal.",
        ),
        (
            "the first token attends to itself (A[0, 0] = 1), with no NaN anywhere",
            lambda: (lambda a: np.all(np.isfinite(a)) and abs(a[0, 0] - 1) < 1e-9)(_pair(fn, x, wq, wk, wv)[1]),
            "a token may look at itself: the diagonal stays allowed, or the first row has nothing to normalise.",
        ),
        (
            "changing the last two tokens leaves the outputs of the first four unchanged",
            lambda: close(_pair(fn, later, wq, wk, wv)[0][:4], _pair(fn, x, wq, wk, wv)[0][:4], atol=1e-9),
            "later tokens must get weight exactly zero before the weights are normalised (masked logits of "
            "minus infinity), not after.",
        ),
    ]
    return run("causal_attention", props)
