"""Checks for residual networks: the autocorrelation of a gradient, the variance of a residual stream, batch norm
with a scale and a shift, and a zero-initialised residual block."""

from __future__ import annotations

import numpy as np

from .. import residual as res
from ._core import NotAnswered, answer, equivariant, run

__all__ = ["autocorrelation", "residual_variance", "batch_norm", "residual_block"]


def _vector(out, n: int) -> np.ndarray:
    a = np.asarray(out.detach().cpu() if hasattr(out, "detach") else out, dtype=float)
    if a.shape != (n,):
        raise ValueError(f"expected an array of shape ({n},), got shape {a.shape}")
    return a


def autocorrelation(fn):
    """Check ``fn(g)``: the autocorrelation r(0..N−1) of a 1-D numpy array ``g``, normalised so that r(0) = 1."""
    rng = np.random.default_rng(3)
    walk = np.cumsum(rng.standard_normal(64))
    noise = rng.standard_normal(4096)

    def r(g):
        return _vector(answer(fn, g.copy()), len(g))

    def lag_zero():
        return np.isclose(r(walk)[0], 1.0)

    def alternating():  # lag 1 pairs neighbours, lag 2 pairs every other value
        g = np.tile([1.0, -1.0], 8)
        out = r(g)
        return np.isclose(out[1], -15 / 16) and np.isclose(out[2], 14 / 16)

    return run(
        "autocorrelation",
        [
            ("it returns one value per lag, 0 to N−1, with r(0) = 1", lag_zero, "divide every lag by the lag-0 sum."),
            (
                "adding a constant to g changes nothing",
                lambda: equivariant(r, walk, lambda g: g + 5.0, lambda out: out, rtol=0, atol=1e-9),
                "subtract the mean of g before you multiply pairs.",
            ),
            (
                "multiplying g by a positive number changes nothing",
                lambda: equivariant(r, walk, lambda g: 3.0 * g, lambda out: out, rtol=0, atol=1e-9),
                "normalise by the lag-0 sum of the same (centred) signal.",
            ),
            (
                "lag k pairs g_i with g_(i+k)",
                alternating,
                "for +1, −1, +1, ... lag 1 should be negative and lag 2 positive: check which pairs each lag uses.",
            ),
            (
                "|r(k)| ≤ 1 at every lag",
                lambda: np.all(np.abs(r(walk)) <= 1 + 1e-9),
                "a long lag has few pairs; dividing by their number instead of using the same lag-0 sum blows it up.",
            ),
            (
                "white noise is uncorrelated with itself at every lag k ≥ 1 (within 5/√N)",
                lambda: np.all(np.abs(r(noise)[1:50]) < 5 / np.sqrt(len(noise))),
                "multiply each centred value by the value k places later, and add those products.",
            ),
            (
                "it agrees with the definition on a random walk",
                lambda: np.allclose(r(walk), res.autocorrelation(walk), rtol=1e-7, atol=1e-9),
                "sum the products of the N − k pairs at lag k, then divide by the sum of squares.",
            ),
        ],
    )


def residual_variance(fn):
    """Check ``fn(K, alpha)``: the variance of the residual stream after K He-initialised blocks scaled by α,
    starting from variance 1, without normalisation."""

    def v(K, alpha):
        return float(answer(fn, K, alpha))

    def monte_carlo():  # a wide random residual network, measured (no reference formula involved)
        import torch

        model = res.ResMLP(4, 2048, residual=True, branch_scale=0.5, in_dim=64, out_dim=1, seed=1)
        x = torch.randn(256, 64, generator=torch.Generator().manual_seed(2))
        var = res.activation_variances(model, x)
        return abs(np.log(v(4, 0.5) / (var[-1] / var[0]))) < 0.15

    grid = [(K, a) for K in (0, 1, 3, 7) for a in (0.0, 0.3, 1.0, 1.5)]
    return run(
        "residual_variance",
        [
            ("no blocks leave the variance at 1", lambda: np.isclose(v(0, 0.7), 1.0), "K = 0 means no blocks at all."),
            (
                "α = 0 (branches switched off) leaves the variance at 1",
                lambda: np.isclose(v(5, 0.0), 1.0),
                "with α = 0 every block passes its input through unchanged.",
            ),
            (
                "α = 1 doubles the variance at every block",
                lambda: all(np.isclose(v(K, 1.0), 2.0**K) for K in (1, 2, 5)),
                "a block adds a branch whose variance equals that of its input (He initialisation), uncorrelated "
                "with it: variances of uncorrelated signals add.",
            ),
            (
                "the growth is geometric, not linear, in K",
                lambda: np.isclose(v(6, 0.5) / v(5, 0.5), v(2, 0.5) / v(1, 0.5)),
                "each block multiplies the variance that reaches it, whatever its size: without normalisation the "
                "branch grows with the stream.",
            ),
            (
                "α enters as a variance does",
                lambda: np.isclose(v(1, 0.5), 1.25) and np.isclose(v(1, 1.5), 3.25),
                "scaling a signal by α scales its variance by α squared.",
            ),
            (
                "it agrees with a wide random residual network, measured",
                monte_carlo,
                "compare your formula with activation_variances of a residual.ResMLP.",
            ),
            (
                "it is right for every K and α",
                lambda: all(np.isclose(v(K, a), res.residual_variance(K, a)) for K, a in grid),
                "count the blocks exactly: K blocks, K multiplications.",
            ),
        ],
    )


def batch_norm(fn):
    """Check ``fn(h, gamma, delta)``: batch norm of a numpy batch ``h`` (B, D) in training mode, with biased
    batch variance and eps = 1e-5 inside the square root, as ``torch.nn.functional.batch_norm`` computes it."""
    rng = np.random.default_rng(5)
    h = rng.standard_normal((6, 4)) * [1.0, 3.0, 0.02, 10.0] + [0.0, -2.0, 5.0, 1.0]
    gamma, delta = np.array([1.0, 2.0, 0.5, 1.5]), np.array([0.0, 1.0, -1.0, 3.0])

    def out(x=h, g=gamma, d=delta):
        a = np.asarray(answer(fn, x.copy(), g.copy(), d.copy()), dtype=float)
        if a.shape != x.shape:
            raise NotAnswered(f"return an array of the shape of h, {x.shape}; got shape {a.shape}")
        return a

    def reference(x=h, g=gamma, d=delta):
        import torch

        t = torch.as_tensor(x)
        return torch.nn.functional.batch_norm(
            t, None, None, torch.as_tensor(g), torch.as_tensor(d), training=True, eps=1e-5
        ).numpy()

    def permutation():
        p = rng.permutation(len(h))
        return equivariant(out, h, lambda a: a[p], rtol=1e-9, atol=1e-9)

    def constant_feature():
        x = h.copy()
        x[:, 1] = 4.0
        a = out(x)
        return np.all(np.isfinite(a)) and np.allclose(a[:, 1], delta[1])

    return run(
        "batch_norm",
        [
            (
                "every feature comes out with mean δ",
                lambda: np.allclose(out().mean(axis=0), delta, atol=1e-6),
                "statistics are taken over the batch (axis 0, down each column), and δ is the shift.",
            ),
            (
                "every feature comes out with (biased) standard deviation close to γ",
                lambda: np.allclose(out(g=gamma, d=0 * delta)[:, [0, 1, 3]].std(axis=0), gamma[[0, 1, 3]], rtol=1e-3),
                "γ scales the standardised feature; use the batch variance with 1/B, not 1/(B − 1).",
            ),
            (
                "reordering the batch reorders the output",
                permutation,
                "every example must be treated the same way.",
            ),
            (
                "a feature that is constant over the batch gives δ, not NaN",
                constant_feature,
                "add eps to the variance before taking the square root.",
            ),
            (
                "it matches torch.nn.functional.batch_norm, also for a feature with a tiny spread",
                lambda: np.allclose(out(), reference(), rtol=1e-6, atol=1e-8),
                "eps = 1e-5 goes inside the square root, added to the variance.",
            ),
        ],
    )


def residual_block(make_block):
    """Check ``make_block(width)``: a torch module mapping (B, width) to (B, width) that computes
    h + Linear(ReLU(BatchNorm1d(h))) and starts as the identity (a zero-initialised branch)."""
    import torch

    width = 8
    gen = torch.Generator().manual_seed(4)
    h = torch.randn(32, width, generator=gen) * 2 + 1

    def block():
        b = answer(make_block, width)
        if not isinstance(b, torch.nn.Module):
            raise NotAnswered(f"make_block must return a torch.nn.Module, got {type(b).__name__}")
        return b.train()

    def linears(b):
        found = [m for m in b.modules() if isinstance(m, torch.nn.Linear)]
        if not found:
            raise NotAnswered("the block has no torch.nn.Linear layer")
        return found

    def shaped():
        with torch.no_grad():
            return tuple(block()(h).shape) == (32, width)

    def identity():
        with torch.no_grad():
            return torch.allclose(block()(h), h, atol=1e-6)

    def randomised():
        b = block()
        with torch.no_grad():
            for lin in linears(b):
                lin.weight.normal_(0, 1, generator=gen)
            for norm in b.modules():  # batch norm's own scale and shift at their usual start
                if isinstance(norm, torch.nn.modules.batchnorm._BatchNorm) and norm.affine:
                    norm.weight.fill_(1.0)
                    norm.bias.zero_()
        return b

    def can_subtract():
        with torch.no_grad():
            b = randomised()
            return bool((b(h) - h < -1e-3).any() and (b(h) - h > 1e-3).any())

    def normalised_first():
        with torch.no_grad():
            b = randomised()
            return torch.allclose(b(5 * h) - 5 * h, b(h) - h, atol=1e-4)

    def learns():
        b = block()
        params = [p for p in b.parameters() if p.requires_grad and p.ndim >= 2]  # weight matrices, not biases
        if not params:
            return False
        loss = (b(h) - torch.sin(h)).pow(2).mean()
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        return any(g is not None and float(g.abs().max()) > 1e-6 for g in grads)

    return run(
        "residual_block",
        [
            ("the block maps a (32, 8) batch to a (32, 8) batch", shaped, "the branch must keep the width."),
            (
                "at initialisation the block is the identity",
                identity,
                "the branch must add exactly nothing at first: start one of its layers at zero, weights and bias.",
            ),
            (
                "with random weights the branch adds negative as well as positive values",
                can_subtract,
                "a branch that ends with ReLU can only add: put the linear layer last.",
            ),
            (
                "with random weights the branch ignores the scale of its input",
                normalised_first,
                "the branch should start with batch norm, before the ReLU and the linear layer.",
            ),
            (
                "the block can learn (a gradient reaches its weight matrix)",
                learns,
                "a branch whose every path is multiplied by zero gets no gradient: zero one layer only, and keep "
                "batch norm's scale at 1.",
            ),
        ],
    )
