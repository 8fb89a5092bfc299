"""Chapter 20's checks pass the reference answers, fail plausible wrong ones, never raise, never tell."""

import numpy as np
import pytest
import torch

from kan_edu import check
from kan_edu import understanding as und
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------------ FGSM
def fgsm_solution(model, x, y, eps):
    """The solution printed in chapter 20 (kept in step with it)."""
    x = x.detach().clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    (grad,) = torch.autograd.grad(loss, x)
    return (x + eps * grad.sign()).clamp(0, 1).detach()


def _grad(model, x, y):
    x = x.detach().clone().requires_grad_(True)
    return torch.autograd.grad(torch.nn.functional.cross_entropy(model(x), y), x)[0]


def fgsm_descends(model, x, y, eps):  # sign error: a training step
    return (x - eps * _grad(model, x, y).sign()).clamp(0, 1)


def fgsm_raw_gradient(model, x, y, eps):  # the gradient itself instead of its sign
    return (x + eps * _grad(model, x, y)).clamp(0, 1)


def fgsm_unclipped(model, x, y, eps):  # forgets the valid pixel range
    return x + eps * _grad(model, x, y).sign()


def fgsm_clip_first(model, x, y, eps):  # clips the input, not the result
    return x.clamp(0, 1) + eps * _grad(model, x, y).sign()


def fgsm_sign_of_x(model, x, y, eps):  # moves along the input, not the gradient
    return (x + eps * x.sign()).clamp(0, 1)


def fgsm_in_place(model, x, y, eps):  # right values, but overwrites the caller's data
    g = _grad(model, x, y)
    return x.add_(eps * g.sign()).clamp_(0, 1)


def fgsm_attached(model, x, y, eps):  # right values, still part of a graph
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(torch.nn.functional.cross_entropy(model(x), y), x)
    return (x + eps * g.sign()).clamp(0, 1)


FGSM_WRONG = [
    fgsm_descends,
    fgsm_raw_gradient,
    fgsm_unclipped,
    fgsm_clip_first,
    fgsm_sign_of_x,
    fgsm_in_place,
    fgsm_attached,
]


def test_fgsm_check(capsys):
    assert_check(check.fgsm, fgsm_solution, FGSM_WRONG, ["sign()", "clamp(0, 1)", "autograd.grad"], capsys)
    assert check.fgsm(lambda m, x, y, eps: und.fgsm(m, x, y, eps))


def test_fgsm_check_hints(capsys):
    model, x, y = torch.nn.Linear(16, 4), torch.rand(3, 16), torch.tensor([0, 1, 2])
    assert_hint_or_not_answered(
        check.fgsm, fgsm_solution, [None, lambda *a: ..., *FGSM_WRONG], (model, x, y, 0.1), capsys
    )


# ------------------------------------------------------------------------------------------ masks
def mask_solution(w, sparsity):
    w = np.asarray(w)
    flat = np.abs(w).reshape(-1)
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat, kind="stable")[: int(round(sparsity * flat.size))]] = False
    return keep.reshape(w.shape)


def mask_by_value(w, s):  # forgets the absolute value: prunes large negative weights
    flat = w.reshape(-1)
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat)[: int(round(s * flat.size))]] = False
    return keep.reshape(w.shape)


def mask_keeps_smallest(w, s):  # True where a weight is removed (inverted)
    return ~mask_solution(w, s)


def mask_swapped_fraction(w, s):  # keeps the fraction `sparsity` instead of removing it
    return mask_solution(w, 1 - s)


def mask_flat(w, s):  # loses the layer's shape
    return mask_solution(w, s).reshape(-1)


def mask_floats(w, s):  # the masked weights instead of a mask
    return w * mask_solution(w, s)


def mask_threshold_quantile(w, s):  # a quantile threshold that is off: right at the ends, wrong in between
    return np.abs(w) > np.quantile(np.abs(w), min(s + 0.1, 1.0))


MASK_WRONG = [
    mask_by_value,
    mask_keeps_smallest,
    mask_swapped_fraction,
    mask_flat,
    mask_floats,
    mask_threshold_quantile,
]


def test_magnitude_mask_check(capsys):
    assert_check(check.magnitude_mask, mask_solution, MASK_WRONG, ["argsort", "round(", "kind="], capsys)
    assert check.magnitude_mask(und.magnitude_mask)
    # a threshold at the right quantile is a valid answer too (no ties among Gaussian weights)
    assert check.magnitude_mask(
        lambda w, s: (
            np.abs(w) > np.sort(np.abs(w).reshape(-1))[int(round(s * w.size)) - 1]
            if round(s * w.size)
            else np.ones(w.shape, bool)
        )
    )


def test_magnitude_mask_check_hints(capsys):
    assert_hint_or_not_answered(
        check.magnitude_mask, mask_solution, [None, lambda *a: ..., *MASK_WRONG], (np.ones((2, 2)), 0.5), capsys
    )


# ------------------------------------------------------------------------------------------ filter normalisation
def filters_solution(d, w):
    return d / d.norm(dim=1, keepdim=True) * w.norm(dim=1, keepdim=True)


WRONG_FILTERS = [
    lambda d, w: d / d.norm(dim=0, keepdim=True) * w.norm(dim=0, keepdim=True),  # columns, not rows
    lambda d, w: d / d.norm() * w.norm(),  # the whole matrix
    lambda d, w: d * w.norm(dim=1, keepdim=True),  # forgets to divide by d's row norms
    lambda d, w: d / d.norm(dim=1, keepdim=True),  # unit rows
    lambda d, w: -filters_solution(d, w),  # flips the direction
    lambda d, w: w.clone(),  # the weights themselves have the right norms
]


def test_normalize_filters_check(capsys):
    assert_check(check.normalize_filters, filters_solution, WRONG_FILTERS, ["norm(dim=1", "keepdim"], capsys)
    assert check.normalize_filters(lambda d, w: torch.nn.functional.normalize(d, dim=1) * w.norm(dim=1)[:, None])


def test_normalize_filters_check_hints(capsys):
    assert_hint_or_not_answered(
        check.normalize_filters,
        filters_solution,
        [None, lambda *a: ..., *WRONG_FILTERS],
        (torch.ones(2, 2), torch.ones(2, 2)),
        capsys,
    )


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.fgsm, check.magnitude_mask, check.normalize_filters], capsys)


@pytest.mark.parametrize("checker", [check.fgsm, check.magnitude_mask, check.normalize_filters])
def test_checks_never_raise_on_junk(checker, capsys):
    for junk in (3, "text", lambda *a: "text", lambda *a: np.zeros(3), lambda *a: torch.zeros(2)):
        assert not checker(junk)
