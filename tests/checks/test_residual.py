"""The residual-network chapter's checks pass the reference answers, fail wrong ones, never raise, never tell."""

import numpy as np
import torch

from kan_edu import check
from kan_edu import residual as res
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------------ autocorrelation
def chapter_autocorrelation(g):
    """The solution printed in chapter 11 (kept in step with it)."""
    c = g - g.mean()
    n = len(c)
    return np.array([c[: n - k] @ c[k:] for k in range(n)]) / (c @ c)


def no_centring(g):
    n = len(g)
    return np.array([g[: n - k] @ g[k:] for k in range(n)]) / (g @ g)


def unbiased(g):  # divides each lag by its number of pairs
    c = g - g.mean()
    n = len(c)
    return np.array([c[: n - k] @ c[k:] / (n - k) for k in range(n)]) / (c @ c / n)


def off_by_one(g):  # lag k pairs g_i with g_(i+k+1)
    c = g - g.mean()
    n = len(c)
    return np.array([c[: n - k - 1] @ c[k + 1 :] if k + 1 < n else 0.0 for k in range(n)]) / (c @ c)


def numpy_same(g):  # np.correlate with mode="same": lag 0 lands in the middle
    c = g - g.mean()
    ac = np.correlate(c, c, mode="same")
    return ac / ac.max()


def unnormalised(g):
    c = g - g.mean()
    n = len(c)
    return np.array([c[: n - k] @ c[k:] for k in range(n)])


def test_autocorrelation_check(capsys):
    wrongs = [no_centring, unbiased, off_by_one, numpy_same, unnormalised, lambda g: ..., lambda g: g[::-1]]
    assert_check(check.autocorrelation, chapter_autocorrelation, wrongs, ["c[: n - k]", "irfft"], capsys)
    assert_check(check.autocorrelation, res.autocorrelation, [], [], capsys)
    assert_hint_or_not_answered(check.autocorrelation, chapter_autocorrelation, wrongs, [np.ones(3)], capsys)


# ---------------------------------------------------------------------------------------- residual variance
def test_residual_variance_check(capsys):
    wrongs = [
        lambda K, a: 2.0**K,  # forgets α
        lambda K, a: 1 + K * a**2,  # the batch-norm answer: linear growth
        lambda K, a: (1 + a) ** K,  # α instead of α²
        lambda K, a: (1 + a**2) ** (K - 1),  # one block too few
        lambda K, a: (1 + a**2) ** (K + 1) / (1 + a**2) ** (K > 3),  # right for small K only
        lambda K, a: a ** (2 * K),  # branches only, no skip
        lambda K, a: ...,
    ]
    assert_check(check.residual_variance, lambda K, a: (1 + a**2) ** K, wrongs, ["(1 + a**2)", "**K"], capsys)
    assert_hint_or_not_answered(check.residual_variance, lambda K, a: (1 + a**2) ** K, wrongs, [1, 1.0], capsys)


# ------------------------------------------------------------------------------------------------ batch norm
def chapter_batch_norm(h, gamma, delta):
    """The solution printed in chapter 11."""
    m = h.mean(axis=0)
    v = ((h - m) ** 2).mean(axis=0)
    return gamma * (h - m) / np.sqrt(v + 1e-5) + delta


def test_batch_norm_check(capsys):
    wrongs = [
        lambda h, g, d: chapter_batch_norm(h.T, 1.0, 0.0).T * g + d,  # statistics over the features
        lambda h, g, d: g * (h - h.mean(0)) / np.sqrt(h.var(0, ddof=1) + 1e-5) + d,  # unbiased variance
        lambda h, g, d: g * (h - h.mean(0)) / h.std(0) + d,  # no eps: NaN for a constant feature
        lambda h, g, d: g * (h - h.mean(0)) / (h.std(0) + 1e-5) + d,  # eps outside the root
        lambda h, g, d: d * (h - h.mean(0)) / np.sqrt(h.var(0) + 1e-5) + g,  # γ and δ swapped
        lambda h, g, d: g * h / np.sqrt(h.var(0) + 1e-5) + d,  # no centring
        lambda h, g, d: (h - h.mean(0)) / np.sqrt(h.var(0) + 1e-5),  # forgets γ and δ
        lambda h, g, d: ...,
    ]
    assert_check(check.batch_norm, chapter_batch_norm, wrongs, ["np.sqrt(v + 1e-5)"], capsys)
    assert_check(check.batch_norm, lambda h, g, d: res.affine_batch_norm(h, g, d), [], [], capsys)
    probe = [np.ones((2, 2)), 1.0, 0.0]
    assert_hint_or_not_answered(check.batch_norm, chapter_batch_norm, wrongs, probe, capsys)


# ------------------------------------------------------------------------------------------- residual block
class Block(torch.nn.Module):
    """The solution printed in chapter 11, parameterised to make the wrong variants."""

    def __init__(self, width, skip=True, order="bn-relu-linear", zero="linear"):
        super().__init__()
        self.skip, self.order = skip, order
        self.norm = torch.nn.BatchNorm1d(width)
        self.linear = torch.nn.Linear(width, width)
        with torch.no_grad():
            if zero in ("linear", "both"):
                self.linear.weight.zero_()
                self.linear.bias.zero_()
            if zero in ("norm", "both"):
                self.norm.weight.zero_()
                self.linear.bias.zero_()

    def forward(self, h):
        if self.order == "bn-relu-linear":
            branch = self.linear(torch.relu(self.norm(h)))
        elif self.order == "linear-bn-relu":
            branch = torch.relu(self.norm(self.linear(h)))
        else:
            branch = self.linear(torch.relu(h))
        return h + branch if self.skip else branch


def test_residual_block_check(capsys):
    wrongs = [
        lambda w: Block(w, skip=False),  # no skip connection
        lambda w: Block(w, zero="none"),  # not the identity at first
        lambda w: Block(w, order="linear-bn-relu"),  # ends with ReLU: can only add
        lambda w: Block(w, order="relu-linear"),  # no batch norm
        lambda w: Block(w, zero="norm"),  # zeroes batch norm's scale: identity, but learns nothing
        lambda w: torch.nn.Identity(),  # the identity, with nothing to learn
        lambda w: torch.nn.Linear(w, w),
        lambda w: ...,
        lambda w: "block",
    ]
    assert_check(check.residual_block, lambda w: Block(w), wrongs, ["BatchNorm1d(", "zero_()"], capsys)
    # the last four are told what to return instead ("not answered yet"), the others get a hint
    assert_hint_or_not_answered(check.residual_block, lambda w: Block(w), wrongs[:5] + [lambda w: ...], [4], capsys)


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported(
        [check.autocorrelation, check.residual_variance, check.batch_norm, check.residual_block], capsys
    )
