"""The normalising-flow chapter's checks pass right answers, fail plausible wrong ones, never raise, never tell."""

import math

import numpy as np
import pytest
import torch

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------------ affine flow
def affine_right(x, a, b):  # the chapter's solution
    z = (x - b) / a
    return -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - np.log(abs(a))


def affine_plus_log_det(x, a, b):  # the sign of the Jacobian term flipped
    z = (x - b) / a
    return -0.5 * z**2 - 0.5 * np.log(2 * np.pi) + np.log(abs(a))


def affine_no_abs(x, a, b):  # log a instead of log |a|: NaN for a flipped axis
    z = (x - b) / a
    with np.errstate(invalid="ignore"):
        return -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - np.log(a)


def affine_no_jacobian(x, a, b):  # the base density at the pulled-back point, no change of volume
    z = (x - b) / a
    return -0.5 * z**2 - 0.5 * np.log(2 * np.pi)


def affine_pushed_not_pulled(x, a, b):  # evaluates the base density at a x + b
    z = a * x + b
    return -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - np.log(abs(a))


def affine_wrong_shift(x, a, b):  # z = (x + b) / a
    z = (x + b) / a
    return -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - np.log(abs(a))


# ------------------------------------------------------------------------------------ piecewise linear
def pl_right(h, phi):
    K = len(phi)
    b = np.minimum(np.floor(K * h).astype(int), K - 1)
    before = np.concatenate([[0.0], np.cumsum(phi)])[b]
    return before + (K * h - b) * phi[b]


def pl_first_printing(h, phi):  # UDL's first printing: b counted from 1, and K h - b (off by one bin)
    K = len(phi)
    b = np.minimum(np.floor(K * h).astype(int), K - 1) + 1
    before = np.concatenate([[0.0], np.cumsum(phi)])[b - 1]
    return before + (K * h - b) * phi[b - 1]


def pl_no_k(h, phi):  # forgets to stretch the bin to unit width
    K = len(phi)
    b = np.minimum(np.floor(K * h).astype(int), K - 1)
    before = np.concatenate([[0.0], np.cumsum(phi)])[b]
    return before + (h - b / K) * phi[b]


def pl_last_bin_overflow(h, phi):  # h = 1 falls into a bin K that does not exist: clipped to 0
    K = len(phi)
    b = np.floor(K * h).astype(int)
    padded = np.append(phi, 0.0)
    before = np.concatenate([[0.0], np.cumsum(phi)])[np.minimum(b, K - 1)]
    return np.where(b < K, before + (K * h - b) * padded[b], 0.0)


def pl_includes_own_bin(h, phi):  # adds the bin's own height twice
    K = len(phi)
    b = np.minimum(np.floor(K * h).astype(int), K - 1)
    return np.cumsum(phi)[b] + (K * h - b) * phi[b]


# --------------------------------------------------------------------------------------------- coupling
def coupling_right(z, mask, s_fn, t_fn, inverse=False):
    s, t = s_fn(z * mask), t_fn(z * mask)
    s, t = s * (1 - mask), t * (1 - mask)
    if not inverse:
        return z * torch.exp(s) + t, s.sum(dim=1)
    return (z - t) * torch.exp(-s), -s.sum(dim=1)


def coupling_all_dims(z, mask, s_fn, t_fn, inverse=False):  # scales the kept coordinates too
    s, t = s_fn(z * mask), t_fn(z * mask)
    if not inverse:
        return z * torch.exp(s) + t, s.sum(dim=1)
    return (z - t) * torch.exp(-s), -s.sum(dim=1)


def coupling_log_det_sign(z, mask, s_fn, t_fn, inverse=False):  # the log-dets' signs swapped
    x, log_det = coupling_right(z, mask, s_fn, t_fn, inverse)
    return x, -log_det


def coupling_inverse_order(z, mask, s_fn, t_fn, inverse=False):  # undoes scale and shift in the wrong order
    if not inverse:
        return coupling_right(z, mask, s_fn, t_fn)
    s, t = s_fn(z * mask) * (1 - mask), t_fn(z * mask) * (1 - mask)
    return z * torch.exp(-s) - t, -s.sum(dim=1)


def coupling_conditions_on_everything(z, mask, s_fn, t_fn, inverse=False):  # s, t read the changed coords too
    s, t = s_fn(z) * (1 - mask), t_fn(z) * (1 - mask)
    if not inverse:
        return z * torch.exp(s) + t, s.sum(dim=1)
    return (z - t) * torch.exp(-s), -s.sum(dim=1)


def coupling_log_det_all(z, mask, s_fn, t_fn, inverse=False):  # sums the log-scales of every coordinate
    x, _ = coupling_right(z, mask, s_fn, t_fn, inverse)
    s = s_fn(z * mask)
    return x, (-1 if inverse else 1) * s.sum(dim=1)


# -------------------------------------------------------------------------------------- fixed point
def fp_right(g, y, n):
    z = y.copy()
    for _ in range(n):
        z = y - g(z)
    return z


def fp_plus(g, y, n):  # z <- y + g(z)
    z = y.copy()
    for _ in range(n):
        z = y + g(z)
    return z


def fp_of_g(g, y, n):  # the fixed point of g instead of the inverse of z + g(z)
    z = y.copy()
    for _ in range(n):
        z = g(z)
    return z


def fp_one_step(g, y, n):  # a single step, whatever n is
    return y - g(y)


def fp_newton_free_guess(g, y, n):  # returns y - g(y) iterated on y instead of z (no feedback)
    z = y.copy()
    for _ in range(n):
        z = z - g(y)
    return z


CASES = [
    (
        check.affine_flow_log_density,
        affine_right,
        [
            affine_plus_log_det,
            affine_no_abs,
            affine_no_jacobian,
            affine_pushed_not_pulled,
            affine_wrong_shift,
            lambda *a: ...,
        ],
        ("np.log(abs(a))", "log|a|", "(x - b) / a"),
    ),
    (
        check.piecewise_linear_map,
        pl_right,
        [pl_first_printing, pl_no_k, pl_last_bin_overflow, pl_includes_own_bin, lambda *a: ...],
        ("cumsum", "K * h - b", "floor"),
    ),
    (
        check.coupling_layer,
        coupling_right,
        [
            coupling_all_dims,
            coupling_log_det_sign,
            coupling_inverse_order,
            coupling_conditions_on_everything,
            coupling_log_det_all,
            lambda *a, **k: ...,
        ],
        ("torch.exp(-s)", "(z - t)", "s.sum"),
    ),
    (
        check.fixed_point_iteration,
        fp_right,
        [fp_plus, fp_of_g, fp_one_step, fp_newton_free_guess, lambda *a: ...],
        ("y - g(z)", "z = y"),
    ),
]


@pytest.mark.parametrize("checker, right, wrongs, secrets", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_checks_pass_right_fail_wrong_never_tell(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_wrong_answers_get_hints_and_placeholders_say_not_answered(capsys):
    assert_hint_or_not_answered(
        check.affine_flow_log_density,
        affine_right,
        [affine_plus_log_det, affine_no_abs, None],
        (np.ones(2), 2.0, 0.0),
        capsys,
    )
    y = np.ones(2)
    assert_hint_or_not_answered(check.fixed_point_iteration, fp_right, [fp_plus, fp_one_step], (np.sin, y, 3), capsys)


def test_the_specific_hints_name_the_mistake(capsys):
    check.affine_flow_log_density(affine_plus_log_det)
    assert "sign" in capsys.readouterr().out
    check.affine_flow_log_density(affine_no_abs)
    assert "absolute value" in capsys.readouterr().out
    check.piecewise_linear_map(pl_first_printing)
    assert "off-by-one" in capsys.readouterr().out
    check.coupling_layer(coupling_all_dims)
    assert "unchanged" in capsys.readouterr().out
    check.coupling_layer(coupling_log_det_sign)
    assert "autograd" in capsys.readouterr().out


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported(
        [check.affine_flow_log_density, check.piecewise_linear_map, check.coupling_layer, check.fixed_point_iteration],
        capsys,
    )


def test_a_closed_form_affine_answer_with_scipy_passes(capsys):
    from scipy import stats

    assert check.affine_flow_log_density(lambda x, a, b: stats.norm(b, abs(a)).logpdf(x))
    assert math.isfinite(1.0)
