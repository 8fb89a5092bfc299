"""The checks of kan_edu.check.regression (chapter 2): right answers pass, wrong ones fail with a hint and no
exception, placeholders say "not answered", and the reference answer is never printed."""

from __future__ import annotations

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_names_the_mistake


def right_loss(phi0, phi1, x, y):
    return np.sum((phi0 + phi1 * x - y) ** 2)


def right_fit(x, y):
    xc, yc = x - x.mean(), y - y.mean()
    slope = (xc @ yc) / (xc @ xc)
    return y.mean() - slope * x.mean(), slope


def normal_equations_fit(x, y):  # also correct (solve, not invert), and fine for x in [10, 12]
    X = np.c_[np.ones_like(x), x]
    return tuple(np.linalg.solve(X.T @ X, X.T @ y))


CASES = [
    (
        check.least_squares_loss,
        right_loss,
        [
            lambda a, b, x, y: np.mean((a + b * x - y) ** 2),
            lambda a, b, x, y: np.sum(np.abs(a + b * x - y)),
            lambda a, b, x, y: (a + b * x - y) ** 2,
            lambda a, b, x, y: np.sum((b + a * x - y) ** 2),
            lambda a, b, x, y: ...,
            lambda a, b, x, y: undefined_name,  # noqa: F821  (raises NameError inside the student's code)
        ],
    ),
    (
        check.fit_line,
        right_fit,
        [
            lambda x, y: right_fit(x, y)[::-1],
            lambda x, y: (y.mean(), 0.0),
            lambda x, y: (0.0, (x @ y) / (x @ x)),
            lambda x, y: ...,
            None,
        ],
    ),
]
PROBE = {check.fit_line: [np.arange(2.0)] * 2, check.least_squares_loss: [0.0, 0.0, np.zeros(1), np.zeros(1)]}


@pytest.mark.parametrize("checker, right, wrongs", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_right_passes_wrong_fails_with_a_hint_and_nothing_is_told(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["xc @ yc", "(phi0 + phi1 * x - y) ** 2"], capsys)
    assert_hint_or_not_answered(checker, right, wrongs, PROBE[checker], capsys)


def test_alternative_correct_answers_pass(capsys):
    assert check.fit_line(normal_equations_fit)
    assert check.fit_line(lambda x, y: tuple(np.polyfit(x, y, 1)[::-1]))
    assert check.least_squares_loss(lambda a, b, x, y: float(((a + b * x - y) ** 2).sum()))
    capsys.readouterr()


# ------------------------------------------------------------------ chapter 1: linear maps and their collapse
def right_map(x, beta, Omega):
    return beta + x @ Omega.T


def right_collapse(betas, Omegas):
    beta, Omega = betas[0], Omegas[0]
    for b, W in zip(betas[1:], Omegas[1:]):
        beta, Omega = b + W @ beta, W @ Omega
    return beta, Omega


def collapse_reversed(betas, Omegas):  # multiplies the matrices in the wrong order
    beta, Omega = betas[0], Omegas[0]
    for b, W in zip(betas[1:], Omegas[1:]):
        beta, Omega = b + W @ beta, Omega @ W
    return beta, Omega


def collapse_adds_offsets(betas, Omegas):  # the offsets are just added up
    Omega = Omegas[0]
    for W in Omegas[1:]:
        Omega = W @ Omega
    return sum(betas[1:], betas[0].copy()) if len({b.shape for b in betas}) == 1 else betas[-1], Omega


def collapse_last_offset(betas, Omegas):  # forgets that the earlier offsets pass through later matrices
    Omega = Omegas[0]
    for W in Omegas[1:]:
        Omega = W @ Omega
    return betas[-1], Omega


def collapse_two_only(betas, Omegas):  # handles two layers and ignores the rest
    if len(betas) == 1:
        return betas[0], Omegas[0]
    return betas[1] + Omegas[1] @ betas[0], Omegas[1] @ Omegas[0]


def collapse_own_offset(betas, Omegas):  # passes each layer's own offset through its matrix
    beta, Omega = betas[0], Omegas[0]
    for b, W in zip(betas[1:], Omegas[1:]):
        beta, Omega = W @ b + b if W.shape[0] == W.shape[1] else b, W @ Omega
    return beta, Omega


MAP_WRONGS = {
    "transposed": lambda x, b, W: b + x @ W,
    "minus offset": lambda x, b, W: x @ W.T - b,
    "outputs in rows": lambda x, b, W: b[:, None] + W @ x.T,
    "no offset": lambda x, b, W: x @ W.T,
    "squeezed": lambda x, b, W: np.squeeze(b + x @ W.T),
    "placeholder": lambda x, b, W: ...,
}
MAP_SAYS = {
    "transposed": "columns of Omega",
    "minus offset": "Omega = 0",
    "outputs in rows": "shape (5, 2)",
    "no offset": "Omega = 0",
    "squeezed": "(1, 1)",
}
COLLAPSE_WRONGS = {
    "reversed": collapse_reversed,
    "adds offsets": collapse_adds_offsets,
    "last offset": collapse_last_offset,
    "two only": collapse_two_only,
    "own offset": collapse_own_offset,
    "swapped pair": lambda betas, Omegas: right_collapse(betas, Omegas)[::-1],
    "placeholder": lambda betas, Omegas: ...,
}
COLLAPSE_SAYS = {
    "reversed": "(2, 4)",
    "adds offsets": "same outputs as the stack",
    "last offset": "same outputs as the stack",
    "two only": "four layers",
    "own offset": "same outputs as the stack",
    "swapped pair": "a single layer collapses to itself",
}


@pytest.mark.parametrize(
    "checker, right, wrongs, says, probe",
    [
        (check.linear_map, right_map, MAP_WRONGS, MAP_SAYS, [np.zeros((1, 1)), np.zeros(1), np.zeros((1, 1))]),
        (check.collapse_linear, right_collapse, COLLAPSE_WRONGS, COLLAPSE_SAYS, [[np.zeros(1)], [np.zeros((1, 1))]]),
    ],
    ids=["linear_map", "collapse_linear"],
)
def test_linear_algebra_checks_name_the_mistake(checker, right, wrongs, says, probe, capsys):
    assert_check(checker, right, list(wrongs.values()), ["x @ Omega.T", "W @ beta", "W @ Omega"], capsys)
    assert_hint_or_not_answered(checker, right, list(wrongs.values()), probe, capsys)
    for name, fragment in says.items():
        assert not checker(wrongs[name])
        out = " ".join(capsys.readouterr().out.split())
        assert fragment in out, f"{name}: {out}"


def test_linear_algebra_alternatives_pass(capsys):
    assert check.linear_map(lambda x, b, W: np.einsum("di,ni->nd", W, x) + b)
    assert check.linear_map(lambda x, b, W: (W @ x.T + b[:, None]).T)

    def collapse_by_probing(betas, Omegas):  # feed the zero vector and the unit vectors through the stack
        n = Omegas[0].shape[1]
        h = np.vstack([np.zeros(n), np.eye(n)])
        for b, W in zip(betas, Omegas):
            h = b + h @ W.T
        return h[0], (h[1:] - h[0]).T

    assert check.collapse_linear(collapse_by_probing)
    capsys.readouterr()


# --------------------------------------------------------------------- chapter 2: several inputs
def right_fit_linear(X, y):
    A = np.c_[np.ones(len(X)), X]
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return coef[0], coef[1:]


def fit_linear_centred(X, y):
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    phi = np.linalg.solve(Xc.T @ Xc, Xc.T @ yc)
    return y.mean() - X.mean(axis=0) @ phi, phi


def fit_linear_inverse(X, y):  # right on easy data, loses digits far from zero
    A = np.c_[np.ones(len(X)), X]
    coef = np.linalg.inv(A.T @ A) @ A.T @ y
    return coef[0], coef[1:]


def fit_linear_no_offset(X, y):
    return 0.0, np.linalg.lstsq(X, y, rcond=None)[0]


def fit_linear_column_by_column(X, y):  # one line per input: right only for a single input
    fits = [right_fit(X[:, i], y) for i in range(X.shape[1])]
    return fits[0][0], np.array([f[1] for f in fits])


FIT_WRONGS = {
    "inverse": fit_linear_inverse,
    "no offset": fit_linear_no_offset,
    "column by column": fit_linear_column_by_column,
    "swapped": lambda X, y: right_fit_linear(X, y)[::-1],
    "mean offset": lambda X, y: (y.mean(), right_fit_linear(X, y)[1]),
    "placeholder": lambda X, y: ...,
}
FIT_SAYS = {
    "inverse": "far from zero",
    "no offset": "noise-free",
    "column by column": "noise-free",
    "swapped": "the answer is a pair",
    "mean offset": "noise-free",
}


def test_fit_linear_check_names_the_mistake(capsys):
    checker, wrongs = check.fit_linear, list(FIT_WRONGS.values())
    assert_check(checker, right_fit_linear, wrongs, ["lstsq", "np.ones(len"], capsys)
    assert_hint_or_not_answered(checker, right_fit_linear, wrongs, [np.zeros((2, 1)), np.zeros(2)], capsys)
    for name, fragment in FIT_SAYS.items():
        assert not checker(FIT_WRONGS[name])
        out = " ".join(capsys.readouterr().out.split())
        assert fragment in out, f"{name}: {out}"
    assert check.fit_linear(fit_linear_centred)
    assert check.fit_linear(lambda X, y: right_fit_linear(X, y)[0:1] + (list(right_fit_linear(X, y)[1]),))
    capsys.readouterr()


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _collapse_offsets_added(betas, Omegas):  # offsets added, not passed through the later matrices
    beta, Omega = betas[0], Omegas[0]
    for b, W in zip(betas[1:], Omegas[1:]):
        beta, Omega = b + beta[: len(b)] if len(beta) >= len(b) else b, W @ Omega
    return beta, Omega


def _fit_line_first_point(x, y):  # the slope is right, the line goes through the first point
    dx, dy = x - x.mean(), y - y.mean()
    slope = np.sum(dx * dy) / np.sum(dx**2)
    return y[0] - slope * x[0], slope


def _fit_line_cov_var(x, y):  # np.cov divides by N - 1, np.var by N
    slope = np.cov(x, y)[0, 1] / np.var(x)
    return y.mean() - slope * x.mean(), slope


def _fit_line_float32(x, y):
    x, y = x.astype(np.float32), y.astype(np.float32)
    dx, dy = x - x.mean(), y - y.mean()
    slope = np.sum(dx * dy) / np.sum(dx**2)
    return y.mean() - slope * x.mean(), slope


def _fit_linear_no_ones(X, y):  # slopes fitted without the offset column, offset from the mean residual
    phi = np.linalg.lstsq(X, y, rcond=None)[0]
    return np.mean(y - X @ phi), phi


def _fit_linear_ones_last(X, y):  # the column of ones appended last, but the offset read from the front
    coef = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    return coef[0], coef[1:]


def _fit_linear_float32(X, y):
    design = np.c_[np.ones(len(X)), X].astype(np.float32)
    coef = np.linalg.lstsq(design, y.astype(np.float32), rcond=None)[0]
    return coef[0], coef[1:]


REVIEW15 = [
    (check.linear_map, lambda x, b, O: (b + x @ O.T).astype(np.float32), "float32"),
    (check.linear_map, lambda x, b, O: (b + x @ O.T).tolist(), "list"),
    (check.linear_map, lambda x, b, O: b[:1] + x @ O.T, "offsets are added"),
    (check.collapse_linear, _collapse_offsets_added, "first offset is changed"),
    (check.collapse_linear, lambda bs, Os: (bs[-1] + Os[-1] @ bs[0], Os[-1] @ Os[0]), "Hint"),
    (check.least_squares_loss, lambda a, b, x, y: np.sum(a + b * x - y) ** 2, "duplicating every example"),
    (check.least_squares_loss, lambda a, b, x, y: 0.5 * np.sum((a + b * x - y) ** 2), "loss N"),
    (check.least_squares_loss, lambda a, b, x, y: np.sum((a + b * x[1:] - y[1:]) ** 2), "Hint"),
    (check.least_squares_loss, lambda a, b, x, y: np.float32(np.sum((a + b * x - y) ** 2)), "float32"),
    (check.fit_line, _fit_line_first_point, "partial derivatives"),
    (check.fit_line, _fit_line_cov_var, "noise-free data"),
    (check.fit_line, _fit_line_float32, "float32"),
    (check.fit_linear, _fit_linear_no_ones, "column of ones"),
    (check.fit_linear, _fit_linear_ones_last, "column of ones"),
    (check.fit_linear, _fit_linear_float32, "residuals sum to zero"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["x @ Omega.T", "W @ beta", "xc @ yc", "lstsq"], capsys)
