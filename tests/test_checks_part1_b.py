"""Chapters 6 and 7's checks pass the reference answers, fail wrong ones, never raise, never tell."""
import numpy as np
import pytest

from conftest import assert_check
from kan_edu import check


# ------------------------------------------------------------------------------------------- chapter 6
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


@pytest.mark.parametrize("checker, right, wrongs", [
    (check.momentum_step, momentum_right,
     [momentum_torch_form, momentum_old_m, momentum_in_place, lambda *a: ..., lambda *a: a[0] - a[3] * a[2]]),
    (check.adam_step, adam_right,
     [adam_no_correction, adam_eps_inside, adam_abs_not_square, adam_t_off_by_one, lambda *a: ...,
      lambda *a: (a[0] - a[5] * np.sign(a[3]), a[1], a[2])]),
])
def test_fitting_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["(1 - beta) * grad", "beta1 ** t)", "array("], capsys)


def test_placeholder_says_not_answered(capsys):
    def placeholder(*args):
        ...  # your code here

    assert not check.momentum_step(placeholder)
    assert not check.adam_step(placeholder)
    assert not check.toy_backward(placeholder)
    assert not check.leaky_he_variance(placeholder)
    out = capsys.readouterr().out
    assert out.count("not answered yet") == 4 and "raised" not in out


# ------------------------------------------------------------------------------------------- chapter 7
def toy_right(x, y, phi):
    b0, w0, b1, w1, b2, w2 = phi
    z0 = b0 + w0 * np.asarray(x)
    h1 = np.tanh(z0)
    z1 = b1 + w1 * h1
    h2 = np.sin(z1)
    d_f = 2 * (b2 + w2 * h2 - y)
    d_z1 = d_f * w2 * np.cos(z1)
    d_z0 = d_z1 * w1 * (1 - h1**2)
    return np.array([np.sum(d_z0), np.sum(d_z0 * x), np.sum(d_z1), np.sum(d_z1 * h1), np.sum(d_f), np.sum(d_f * h2)])


def toy_wrong_sin(x, y, phi):
    g = toy_right(x, y, phi)
    g[:4] *= 1.3
    return g


def toy_wrong_tanh(x, y, phi):
    g = toy_right(x, y, phi)
    g[:2] *= -1
    return g


def toy_mean_not_sum(x, y, phi):
    return toy_right(x, y, phi) / np.size(x)


@pytest.mark.parametrize("checker, right, wrongs", [
    (check.toy_backward, toy_right,
     [toy_wrong_sin, toy_wrong_tanh, toy_mean_not_sum, lambda x, y, phi: toy_right(x, y, phi)[:5],
      lambda x, y, phi: ...]),
    (check.leaky_he_variance, lambda D, a: 2 / (D * (1 + a * a)),
     [lambda D, a: 2 / D, lambda D, a: 1 / D, lambda D, a: 2 / (D * (1 + a)), lambda D, a: -1.0,
      lambda D, a: ..., lambda D, a: 2 / (1 + a * a)]),
])
def test_gradient_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["1 + a * a", "(1 - h1", "np.cos(z1)"], capsys)


def test_checks_survive_code_that_raises(capsys):
    def broken(*args):
        raise RuntimeError("boom")

    for checker in (check.momentum_step, check.adam_step, check.toy_backward, check.leaky_he_variance):
        assert not checker(broken)
    assert capsys.readouterr().out.count("RuntimeError") == 4
