"""The checks of kan_edu.check.shallow (chapter 3) pass right answers, fail wrong ones, never raise, never tell."""

import math

import numpy as np
import pytest

from kan_edu import check, shallow
from tests.helpers import assert_check, assert_names_the_mistake


def right_network(x, t0, t1, phi):
    return phi[0] + np.maximum(t0 + np.outer(x, t1), 0) @ phi[1:]


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.relu,
            lambda z: np.maximum(z, 0),
            [lambda z: z, lambda z: np.abs(z), lambda z: ..., None, lambda z: 1 / 0],
        ),
        (
            check.shallow_network,
            right_network,
            [
                lambda x, a, b, p: right_network(x, a, b, p) + 1,
                lambda x, a, b, p: np.maximum(a + np.outer(x, b), 0) @ p[1:],
                lambda x, a, b, p: ...,
            ],
        ),
        (check.region_count, shallow.max_regions, [lambda D, Di: D + 1, lambda D, Di: 2**D, lambda D, Di: ...]),
    ],
)
def test_checks_pass_right_fail_wrong_never_raise_never_tell(checker, right, wrongs, capsys):
    assert checker(right)
    assert "\u2714" in capsys.readouterr().out
    for wrong in wrongs:
        verdict = checker(wrong)
        out = capsys.readouterr().out
        assert not verdict and "\u2718" in out and "Hint" in out or "not answered" in out
        # the answer itself is never printed
        for secret in ("np.maximum(", "math.comb", "logaddexp", "log1p(np.exp(-np.abs"):
            assert secret not in out


# ----------------------------------------------------------------- several inputs and outputs (eq. 3.5)
def right_multi(x, t0, T, p0, P):
    return p0 + np.maximum(t0 + x @ T.T, 0.0) @ P.T


MULTI_WRONGS = {
    "relu on output": lambda x, t0, T, p0, P: np.maximum(right_multi(x, t0, T, p0, P), 0.0),
    "offset inside": lambda x, t0, T, p0, P: np.maximum(t0 + x @ T.T, 0.0) @ P.T,
    "theta transposed": lambda x, t0, T, p0, P: p0 + np.maximum(t0 + x @ T, 0.0) @ P.T,
    "phi transposed": lambda x, t0, T, p0, P: p0 + np.maximum(t0 + x @ T.T, 0.0) @ P,
    "no relu": lambda x, t0, T, p0, P: p0 + (t0 + x @ T.T) @ P.T,
    "outputs in rows": lambda x, t0, T, p0, P: right_multi(x, t0, T, p0, P).T,
    "squeezed": lambda x, t0, T, p0, P: np.squeeze(right_multi(x, t0, T, p0, P)),
    "placeholder": lambda x, t0, T, p0, P: ...,
}
MULTI_SAYS = {
    "relu on output": "no activation",
    "offset inside": "negative ones included",
    "theta transposed": "Theta is (D, D_i)",
    "phi transposed": "Phi is (D_o, D)",
    "no relu": "every unit is off",
    "outputs in rows": "shape (7, 3)",
    "squeezed": "(1, 1)",
}


def test_shallow_network_multi_names_the_mistake(capsys):
    from tests.helpers import assert_hint_or_not_answered

    wrongs = list(MULTI_WRONGS.values())
    probe = [np.zeros((1, 1)), np.zeros(1), np.zeros((1, 1)), np.zeros(1), np.zeros((1, 1))]
    assert_check(check.shallow_network_multi, right_multi, wrongs, ["Theta.T", "@ Phi.T"], capsys)
    assert_hint_or_not_answered(check.shallow_network_multi, right_multi, wrongs, probe, capsys)
    for name, fragment in MULTI_SAYS.items():
        assert not check.shallow_network_multi(MULTI_WRONGS[name])
        out = " ".join(capsys.readouterr().out.split())
        assert fragment in out, f"{name}: {out}"


def test_region_count_wants_whole_numbers(capsys):
    import math

    right = lambda D, Di: sum(math.comb(D, j) for j in range(Di + 1))  # noqa: E731
    assert check.region_count(right)
    assert check.region_count(lambda D, Di: float(right(D, Di)))  # a whole number held in a float is fine
    assert not check.region_count(lambda D, Di: right(D, Di) + 0.4)  # int() would have truncated this to right
    out = " ".join(capsys.readouterr().out.split())
    assert "whole number" in out
    assert not check.region_count(lambda D, Di: [right(D, Di)] * 2)
    assert not check.region_count(lambda D, Di: "many")
    out = capsys.readouterr().out
    assert "could not use" not in out and "whole number" in out


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _relu_in_place(z):
    z = np.asarray(z)
    if z.ndim:
        z[z < 0] = 0
        return z
    return np.maximum(z, 0.0)


def _hidden(x, t0, t1):
    return np.maximum(t0[None] + x[:, None] * t1[None], 0.0)


REVIEW15 = [
    (check.relu, lambda z: np.maximum(z, 0.0).astype(np.float32), "float32"),
    (check.relu, lambda z: np.maximum(z, 1e-9), "exactly zero"),
    (check.relu, _relu_in_place, "in place"),
    (check.relu, lambda z: np.maximum(z, 0.0).tolist(), "list"),
    (check.shallow_network, lambda x, t0, t1, p: np.maximum(p[0] + _hidden(x, t0, t1) @ p[1:], 0.0), "Hint"),
    (check.shallow_network, lambda x, t0, t1, p: p[-1] + _hidden(x, t0, t1) @ p[:-1], "output offset"),
    (check.shallow_network, lambda x, t0, t1, p: p[0] + (_hidden(x, 0 * t0, t1) + t0) @ p[1:], "pre-activation"),
    (check.shallow_network, lambda x, t0, t1, p: (p[0] + _hidden(x, t0, t1) @ p[1:]).astype(np.float32), "float32"),
    (check.shallow_network_multi, lambda x, t0, T, p0, P: p0 + (np.maximum(x @ T.T, 0) + t0) @ P.T, "offsets phi0"),
    (
        check.shallow_network_multi,
        lambda x, t0, T, p0, P: (p0 + np.maximum(t0 + x @ T.T, 0) @ P.T).astype(np.float32),
        "Hint",
    ),
    (check.shallow_network_multi, lambda x, t0, T, p0, P: np.maximum(t0 + x @ T.T, 0) @ P.T, "offsets phi0"),
    (check.region_count, lambda D, Di: 2**D, "one joint"),
    (check.region_count, lambda D, Di: sum(math.comb(D, j) for j in range(Di)) + 1, "one joint"),
    (check.region_count, lambda D, Di: math.comb(D + Di - 1, Di) + (1 if Di == 1 else 0), "each new line"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["np.maximum(z, 0", "@ Phi.T", "math.comb"], capsys)
