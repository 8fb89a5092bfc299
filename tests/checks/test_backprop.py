"""The checks of kan_edu.check.backprop (chapter 7) pass the reference answers, fail wrong ones, never raise,
never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_placeholders_and_errors_reported


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


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.toy_backward,
            toy_right,
            [
                toy_wrong_sin,
                toy_wrong_tanh,
                toy_mean_not_sum,
                lambda x, y, phi: toy_right(x, y, phi)[:5],
                lambda x, y, phi: ...,
            ],
        ),
        (
            check.leaky_he_variance,
            lambda D, a: 2 / (D * (1 + a * a)),
            [
                lambda D, a: 2 / D,
                lambda D, a: 1 / D,
                lambda D, a: 2 / (D * (1 + a)),
                lambda D, a: -1.0,
                lambda D, a: ...,
                lambda D, a: 2 / (1 + a * a),
            ],
        ),
    ],
)
def test_gradient_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["1 + a * a", "(1 - h1", "np.cos(z1)"], capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.toy_backward, check.leaky_he_variance], capsys)
