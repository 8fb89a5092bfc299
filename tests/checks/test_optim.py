"""The checks of kan_edu.check.optim (chapter 6) pass the reference answers, fail wrong ones, never raise, never
tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_placeholders_and_errors_reported


def momentum_right(theta, m, grad, lr, beta):
    m = beta * m + (1 - beta) * grad
    return theta - lr * m, m


def momentum_torch_form(theta, m, grad, lr, beta):
    m = beta * m + grad
    return theta - lr * m, m


def momentum_old_m(theta, m, grad, lr, beta):
    return theta - lr * m, beta * m + (1 - beta) * grad


def momentum_in_place(theta, m, grad, lr, beta):
    m *= beta
    m += (1 - beta) * grad
    theta -= lr * m
    return theta, m


def adam_right(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_no_correction(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_eps_inside(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_abs_not_square(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * np.abs(grad)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_t_off_by_one(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return adam_right(theta, m, v, grad, t + 1, lr, beta1, beta2, eps)


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.momentum_step,
            momentum_right,
            [momentum_torch_form, momentum_old_m, momentum_in_place, lambda *a: ..., lambda *a: a[0] - a[3] * a[2]],
        ),
        (
            check.adam_step,
            adam_right,
            [
                adam_no_correction,
                adam_eps_inside,
                adam_abs_not_square,
                adam_t_off_by_one,
                lambda *a: ...,
                lambda *a: (a[0] - a[5] * np.sign(a[3]), a[1], a[2]),
            ],
        ),
    ],
)
def test_fitting_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["(1 - beta) * grad", "beta1 ** t)", "array("], capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.momentum_step, check.adam_step], capsys)
