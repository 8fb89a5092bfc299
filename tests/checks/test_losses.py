"""The checks of kan_edu.check.losses (chapters 1 and 5): right answers pass, wrong ones fail with a hint and no
exception, placeholders say "not answered", and the reference answer is never printed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_names_the_mistake


def right_gauss(y, mu, sigma):
    return np.sum(0.5 * ((y - mu) / sigma) ** 2 + np.log(sigma) + 0.5 * np.log(2 * np.pi))


def right_ce(labels, logits):
    return np.sum(logsumexp(logits, axis=1) - logits[np.arange(len(labels)), labels])


def naive_ce(labels, logits):  # right formula, but overflows on huge logits
    with np.errstate(all="ignore"):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(len(labels)), labels]).sum()


CASES = [
    (
        check.gaussian_nll,
        right_gauss,
        [
            lambda y, m, s: np.sum(0.5 * ((y - m) / s) ** 2),
            lambda y, m, s: np.sum(0.5 * ((y - m) / s) ** 2 + np.log(s)),
            lambda y, m, s: np.sum(0.5 * (y - m) ** 2 / s + np.log(s) + 0.5 * np.log(2 * np.pi)),
            lambda y, m, s: np.sum((y - m) ** 2 + 0.5 * np.log(2 * np.pi)),
            lambda y, m, s: 0.5 * ((y - m) / s) ** 2 + np.log(s) + 0.5 * np.log(2 * np.pi),
            lambda y, m, s: ...,
        ],
    ),
    (
        check.softmax_cross_entropy,
        right_ce,
        [
            naive_ce,
            lambda lab, z: np.sum(-z[np.arange(len(lab)), lab]),
            lambda lab, z: np.sum(logsumexp(z, axis=0)[lab] - z[np.arange(len(lab)), lab]),
            lambda lab, z: np.mean(logsumexp(z, axis=1) - z[np.arange(len(lab)), lab]),
            lambda lab, z: ...,
        ],
    ),
]
PROBE = {
    check.softmax_cross_entropy: [np.zeros(1), np.zeros((1, 2))],
    check.gaussian_nll: [np.zeros(1), np.zeros(1), 1.0],
}


@pytest.mark.parametrize("checker, right, wrongs", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_right_passes_wrong_fails_with_a_hint_and_nothing_is_told(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["logsumexp(", "np.log(2 * np.pi)"], capsys)
    assert_hint_or_not_answered(checker, right, wrongs, PROBE[checker], capsys)


def test_alternative_correct_answers_pass(capsys):
    import torch

    assert check.softmax_cross_entropy(
        lambda lab, z: torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(lab), reduction="sum")
    )
    assert check.gaussian_nll(
        lambda y, m, s: -np.sum(np.log(np.exp(-((y - m) ** 2) / (2 * s**2)) / np.sqrt(2 * np.pi * s**2)))
    )
    capsys.readouterr()


def test_naive_cross_entropy_is_told_about_overflow(capsys):
    assert not check.softmax_cross_entropy(naive_ce)
    out = capsys.readouterr().out
    assert "huge logits" in out and "Hint" in out


def test_softplus_check(capsys):
    assert check.softplus(lambda z: np.logaddexp(0, z))
    for wrong in (lambda z: np.log(1 + np.exp(z)), lambda z: np.maximum(z, 0), lambda z: ...):
        assert not check.softplus(wrong)
    out = capsys.readouterr().out
    assert "\u2714" in out and "Hint" in out and "not answered" in out
    assert "logaddexp" not in out and "log1p(np.exp(-np.abs" not in out


# ------------------------------------------------------------------------------------------ binary cross-entropy
def right_bce(y, z):
    return np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))


def bce_from_probabilities(y, z):  # right formula, but forms the probability: fails on huge logits
    with np.errstate(all="ignore"):
        lam = 1 / (1 + np.exp(-z))
        return -np.sum(y * np.log(lam) + (1 - y) * np.log(1 - lam))


def bce_without_log1p(y, z):  # stable; log(1 + tiny) loses losses below 1e-16, as PyTorch's does: accepted
    return np.sum(np.maximum(z, 0) - y * z + np.log(1 + np.exp(-np.abs(z))))


def bce_naive_softplus(y, z):  # softplus(z) - y z with the overflowing softplus
    with np.errstate(all="ignore"):
        return np.sum(np.log(1 + np.exp(z)) - y * z)


BCE_WRONGS = {
    "probabilities": bce_from_probabilities,
    "naive softplus": bce_naive_softplus,
    "mean": lambda y, z: np.mean(np.logaddexp(0, z) - y * z),
    "labels swapped": lambda y, z: np.sum(np.logaddexp(0, z) - (1 - y) * z),
    "sign of z": lambda y, z: np.sum(np.logaddexp(0, -z) - y * z),
    "per example": lambda y, z: np.logaddexp(0, z) - y * z,
    "placeholder": lambda y, z: ...,
}
BCE_SAYS = {
    "probabilities": "huge logits",
    "naive softplus": "huge logits",
    "mean": "duplicating",
    "labels swapped": "a positive logit",
    "sign of z": "a positive logit",
    "per example": "single number",
}


def test_binary_cross_entropy_check_names_the_mistake(capsys):
    wrongs = list(BCE_WRONGS.values())
    assert_check(check.binary_cross_entropy, right_bce, wrongs, ["log1p(", "np.maximum(z"], capsys)
    assert_hint_or_not_answered(check.binary_cross_entropy, right_bce, wrongs, [np.zeros(1), np.zeros(1)], capsys)
    for name, fragment in BCE_SAYS.items():
        assert not check.binary_cross_entropy(BCE_WRONGS[name])
        out = " ".join(capsys.readouterr().out.split())
        assert fragment in out, f"{name}: {out}"


def test_binary_cross_entropy_alternatives_pass(capsys):
    import torch

    assert check.binary_cross_entropy(
        lambda y, z: torch.nn.functional.binary_cross_entropy_with_logits(
            torch.tensor(z), torch.tensor(y), reduction="sum"
        )
    )
    assert check.binary_cross_entropy(lambda y, z: np.sum(np.logaddexp(0, z) - y * z))
    assert check.binary_cross_entropy(bce_without_log1p)
    assert check.binary_cross_entropy(lambda y, z: np.sum(np.where(y == 1, np.logaddexp(0, -z), np.logaddexp(0, z))))
    capsys.readouterr()


def test_softplus_check_wants_the_tiny_values(capsys):
    stable_but_imprecise = lambda z: np.maximum(z, 0) + np.log(1 + np.exp(-np.abs(z)))  # noqa: E731
    assert not check.softplus(stable_but_imprecise)
    out = " ".join(capsys.readouterr().out.split())
    assert "very negative inputs" in out and "Hint" in out


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _sp(z):
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


_HALF = 0.5 * np.log(2 * np.pi)


def _softmax_ce(labels, logits, one_shift=False, in_place=False, dtype=float):
    m = logits.max() if one_shift else logits.max(axis=1, keepdims=True)  # one shift for all rows: underflow
    if in_place:  # shifts the caller's logits
        logits -= m
        m = 0.0 * m
    shifted = logits - m
    lse = np.log(np.exp(shifted).sum(axis=1))
    return dtype(np.sum(lse - shifted[np.arange(len(labels)), labels]))


def _softmax_ce_max_logit(labels, logits):  # the largest logit used in place of the true class's
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return np.sum(lse) - np.sum(logits.max(axis=1))


REVIEW15 = [
    (check.softplus, lambda z: _sp(z).astype(np.float32), "float32"),
    (check.softplus, lambda z: np.maximum(z, 0.0) + np.log(1 + np.exp(-np.abs(z))), "very negative inputs"),
    (
        check.softplus,
        lambda z: np.where(np.abs(z) > 20, np.maximum(z, 0.0), np.log1p(np.exp(np.clip(z, -20, 20)))),
        "for z in [-30, 30]",
    ),
    (check.gaussian_nll, lambda y, mu, s: np.sum((y - mu) ** 2 / (2 * s**2) + np.log(s**2) + _HALF), "log(sigma)"),
    (check.gaussian_nll, lambda y, mu, s: np.sum((y - mu) ** 2 / (2 * s**2) + np.log(s) + 2 * _HALF), "0.919"),
    (check.gaussian_nll, lambda y, mu, s: np.sum((y - mu) ** 2 / (2 * s**2)) + np.log(s) + len(y) * _HALF, "adds"),
    (check.gaussian_nll, lambda y, mu, s: np.mean((y - mu) ** 2 / (2 * s**2) + np.log(s) + _HALF), "adds"),
    (
        check.gaussian_nll,
        lambda y, mu, s: np.float32(np.sum((y - mu) ** 2 / (2 * s**2) + np.log(s) + _HALF)),
        "float32",
    ),
    (
        check.binary_cross_entropy,
        lambda y, z: (
            -np.sum(
                y * np.log(np.clip(1 / (1 + np.exp(-z)), 1e-300, 1))
                + (1 - y) * np.log(np.clip(1 - 1 / (1 + np.exp(-z)), 1e-300, 1))
            )
        ),
        "huge logits",
    ),
    (check.binary_cross_entropy, lambda y, z: np.sum(_sp(-z) + y * z), "positive logit"),
    (check.binary_cross_entropy, lambda y, z: np.mean(_sp(z) - y * z), "adds over examples"),
    (check.softmax_cross_entropy, lambda lab, z: _softmax_ce(lab, z, one_shift=True), "its own maximum"),
    (check.softmax_cross_entropy, lambda lab, z: _softmax_ce(lab, z, in_place=True), "in place"),
    (check.softmax_cross_entropy, _softmax_ce_max_logit, "small random logits"),
    (check.softmax_cross_entropy, lambda lab, z: _softmax_ce(lab, z, dtype=np.float32), "huge logits"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["np.log1p(np.exp(-np.abs", "keepdims=True", "logaddexp"], capsys)
