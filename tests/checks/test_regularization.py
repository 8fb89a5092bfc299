"""The checks of kan_edu.check.regularization (chapter 9) pass the reference answers, fail wrong ones, never
raise, never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_names_the_mistake, assert_placeholders_and_errors_reported


def ridge_right(phi, y, lam):
    return np.linalg.solve(phi.T @ phi + lam * np.eye(phi.shape[1]), phi.T @ y)


def predictive_right(phi, y, phi_test, prior_std, noise_std):
    precision = phi.T @ phi / noise_std**2 + np.eye(phi.shape[1]) / prior_std**2
    cov = np.linalg.inv(precision)
    mean = cov @ phi.T @ y / noise_std**2
    return phi_test @ mean, np.einsum("ij,jk,ik->i", phi_test, cov, phi_test)


@pytest.mark.parametrize(
    "checker, right, wrongs, secrets",
    [
        (
            check.ridge,
            ridge_right,
            [
                lambda a, b, lam: ...,
                lambda a, b, lam: np.linalg.lstsq(a, b, rcond=None)[0],
                lambda a, b, lam: np.linalg.solve(a.T @ a + lam, a.T @ b),
                lambda a, b, lam: np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ b) / (1 + lam),
                lambda a, b, lam: np.linalg.solve(a.T @ a + np.sqrt(lam) * np.eye(a.shape[1]), a.T @ b),
                lambda a, b, lam: np.linalg.pinv(a.T @ a + lam * np.eye(a.shape[1])) @ a.T @ b.reshape(-1, 1),
                lambda a, b, lam: np.linalg.solve(a @ a.T + lam * np.eye(a.shape[0]), b),
            ],
            ["solve", "np.eye", "lstsq"],
        ),
        (
            check.posterior_predictive,
            predictive_right,
            [
                lambda *a: ...,
                lambda p, y, t, sp, sn: (
                    predictive_right(p, y, t, sp, sn)[0],
                    predictive_right(p, y, t, sp, sn)[1] + sn**2,
                ),
                lambda p, y, t, sp, sn: predictive_right(p, y, t, sn, sp),
                lambda p, y, t, sp, sn: (
                    (t @ np.linalg.lstsq(p, y, rcond=None)[0], np.zeros(len(t))) if len(p) else None
                ),
                lambda p, y, t, sp, sn: predictive_right(p, y, t, sp, sn)[0],
            ],
            ["inv(", "einsum", "precision"],
        ),
    ],
)
def test_regularization_checks(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.ridge, check.posterior_predictive], capsys)


# ------------------------------------------------------------------ dropout
def dropout_right(h, p, rng, training=True):
    if not training:
        return h.copy()  # the chapter asks for a new array
    return h * (rng.random(h.shape) >= p) / (1 - p)


def _dropout(mask_of, scale_of=lambda p: 1 / (1 - p), test_scale=lambda p: 1.0):
    def dropout(h, p, rng, training=True):
        if not training:
            return h * test_scale(p)
        return h * mask_of(rng, h.shape, p) * scale_of(p)

    return dropout


def _keep(rng, shape, p):
    return rng.random(shape) >= p


def dropout_in_place(h, p, rng, training=True):
    if training:
        h *= (rng.random(h.shape) >= p) / (1 - p)
    return h


def dropout_global_rng(h, p, rng, training=True):
    return h * (np.random.random(h.shape) >= p) / (1 - p) if training else h


def dropout_gaussian(h, p, rng, training=True):
    return h * (1 + np.sqrt(p / (1 - p)) * rng.normal(size=h.shape)) if training else h


DROPOUT_HINTS = [
    (_dropout(_keep, scale_of=lambda p: 1.0), "make up for the missing ones"),
    (_dropout(_keep, scale_of=lambda p: 1 / p), "make up for the missing ones"),
    (_dropout(_keep, scale_of=lambda p: 1 - p), "make up for the missing ones"),
    (_dropout(lambda rng, shape, p: rng.random(shape) < p, scale_of=lambda p: 1 / p), "not of keeping it"),
    (_dropout(lambda rng, shape, p: rng.random(shape[-1:]) >= p), "its own mask"),
    (_dropout(lambda rng, shape, p: rng.random((shape[0], 1)) >= p), "its own mask"),
    (_dropout(_keep, scale_of=lambda p: 1.0, test_scale=lambda p: 1 - p), "nothing is multiplied at test time"),
    (_dropout(_keep, test_scale=lambda p: 1 - p), "nothing is multiplied at test time"),
    (lambda h, p, rng, training=True: dropout_right(h, p, rng, True), "nothing is multiplied at test time"),
    (dropout_in_place, "do not write into h"),
    (dropout_global_rng, "generator"),
    (dropout_gaussian, "do not add noise"),
    (lambda h, p, rng, training=True: dropout_right(h, p, rng, training)[:, :-1], "same shape"),
]


def test_dropout_passes_the_solution_and_names_each_mistake(capsys):
    assert check.dropout(dropout_right)
    capsys.readouterr()
    for wrong, words in DROPOUT_HINTS:
        assert not check.dropout(wrong)
        out = " ".join(capsys.readouterr().out.split())
        assert words in out, out
        assert "1 - p)" not in out and "1 / (1 - p)" not in out and ">= p" not in out


def test_dropout_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.dropout], capsys)


# ------------------------------------------------------------------ augmentation by circular shifts
def augment_right(x, labels, shifts):
    blocks = [x] + [np.roll(x, k, axis=1) for k in shifts]
    return np.concatenate(blocks), np.concatenate([labels] * len(blocks))


def _pad_shift(x, k):
    out = np.zeros_like(x)
    if k >= 0:
        out[:, k:] = x[:, : x.shape[1] - k]
    else:
        out[:, :k] = x[:, -k:]
    return out


AUGMENT_HINTS = [
    (lambda x, lab, s: (np.concatenate([np.roll(x, k, axis=1) for k in s]), np.tile(lab, len(s))), "return a pair"),
    (
        lambda x, lab, s: (np.concatenate([np.roll(x, k, axis=1) for k in s] + [x]), np.tile(lab, len(s) + 1)),
        "data themselves first",
    ),
    (
        lambda x, lab, s: (np.concatenate([x] + [np.roll(x, k, axis=0) for k in s]), np.tile(lab, len(s) + 1)),
        "second axis",
    ),
    (
        lambda x, lab, s: (np.concatenate([x] + [np.roll(x, k) for k in s]), np.tile(lab, len(s) + 1)),
        "flattened array",
    ),
    (
        lambda x, lab, s: (np.concatenate([x] + [np.roll(x, -k, axis=1) for k in s]), np.tile(lab, len(s) + 1)),
        "np.roll's direction",
    ),
    (
        lambda x, lab, s: (np.concatenate([x] + [_pad_shift(x, k) for k in s]), np.tile(lab, len(s) + 1)),
        "without padding",
    ),
    (lambda x, lab, s: (augment_right(x, lab, s)[0], np.repeat(lab, len(s) + 1)), "not each label in place"),
    (lambda x, lab, s: augment_right(x, lab, list(reversed(s))), "order given"),
    (lambda x, lab, s: augment_right(x, lab, s)[0], "return a pair"),
]


def test_augment_shifts_passes_the_solution_and_names_each_mistake(capsys):
    assert check.augment_shifts(augment_right)
    capsys.readouterr()
    for wrong, words in AUGMENT_HINTS:
        assert not check.augment_shifts(wrong)
        out = " ".join(capsys.readouterr().out.split())
        assert words in out, out
        assert "axis=1" not in out and "np.concatenate" not in out and "np.tile" not in out


def test_augment_shifts_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.augment_shifts], capsys)


def fill_gap_right(masked, mask):
    filled = masked.copy()
    for row, hid in zip(filled, mask):
        row[hid] = np.interp(np.flatnonzero(hid), np.flatnonzero(~hid), row[~hid])
    return filled


def _fill_flat(masked, mask):  # one long signal: rows leak into each other
    flat, hid = masked.ravel().copy(), mask.ravel()
    flat[hid] = np.interp(np.flatnonzero(hid), np.flatnonzero(~hid), flat[~hid])
    return flat.reshape(masked.shape)


def _fill_ends(masked, mask):  # a line from the first to the last sample of the signal
    filled = masked.copy()
    for row, hid in zip(filled, mask):
        row[hid] = np.interp(np.flatnonzero(hid), [0, len(row) - 1], [row[0], row[-1]])
    return filled


def _fill_in_place(masked, mask):
    for row, hid in zip(masked, mask):
        row[hid] = np.interp(np.flatnonzero(hid), np.flatnonzero(~hid), row[~hid])
    return masked


FILL_HINTS = [
    (lambda m, k: m[:, :-1], "each as long as before"),
    (lambda m, k: np.where(k, m.mean(), m), "on the line through"),
    (lambda m, k: np.where(k, 0.0, m) + k * 1.0, "on the line through"),
    (_fill_ends, "just outside the stretch"),
    (_fill_flat, "visible sample on one side only"),
    (_fill_in_place, "changed the arrays"),
]


def test_fill_gap_passes_the_solution_and_names_each_mistake(capsys):
    assert check.fill_gap(fill_gap_right)
    capsys.readouterr()
    for wrong, words in FILL_HINTS:
        assert not check.fill_gap(wrong)
        out = " ".join(capsys.readouterr().out.split())
        assert words in out, out
        assert "np.interp" not in out and "flatnonzero" not in out


def test_fill_gap_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.fill_gap], capsys)


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _ridge(phi, y, lam, penalty=lambda lam, P, N: lam * np.eye(P)):
    return np.linalg.solve(phi.T @ phi + penalty(lam, phi.shape[1], len(y)), phi.T @ y)


def _posterior(phi, y, phi_test, prior_std, noise_std, mistake):
    if mistake == "stds as variances":
        precision = phi.T @ phi / noise_std + np.eye(phi.shape[1]) / prior_std
    else:
        precision = phi.T @ phi / noise_std**2 + np.eye(phi.shape[1]) / prior_std**2
    cov = np.linalg.inv(precision)
    mean = cov @ phi.T @ y / noise_std**2
    var = np.sum((phi_test @ cov) * phi_test, axis=1)
    return phi_test @ mean, var + noise_std**2 if mistake == "noise added" else var


def _dropout15(h, p, rng, training=True, mistake=None):
    if not training:
        return h if mistake == "h itself" else h.copy()
    p = 0.5 if mistake == "p fixed" else p
    return h * (rng.random(h.shape) >= p) / (1 - p)


def _augment(x, labels, shifts, mistake):
    blocks = [x] + [np.roll(x, -k if mistake == "negated" else k, axis=1) for k in shifts]
    if mistake == "interleaved":
        return np.stack(blocks, 1).reshape(-1, x.shape[1]), np.repeat(labels, len(blocks))
    if mistake == "original last":
        blocks = blocks[1:] + blocks[:1]
    return np.concatenate(blocks), np.concatenate([labels] * len(blocks))


def _fill(masked, mask, mistake=None):
    filled = masked if mistake == "in place" else masked.copy()
    for row, hidden in zip(filled, mask):
        if mistake == "mean":
            row[hidden] = row[~hidden].mean()
        else:
            ends = dict(left=0.0, right=0.0) if mistake == "zero ends" else {}
            row[hidden] = np.interp(np.flatnonzero(hidden), np.flatnonzero(~hidden), row[~hidden], **ends)
    return filled.astype(np.float32) if mistake == "float32" else filled


REVIEW15 = [
    (check.ridge, lambda P, y, lam: _ridge(P, y, lam, lambda lam, n, N: 0.5 * lam * np.eye(n)), "lam = 0.5"),
    (check.ridge, lambda P, y, lam: _ridge(P, y, lam, lambda lam, n, N: lam * np.ones((n, n))), "lam = 0.5"),
    (check.ridge, lambda P, y, lam: _ridge(P, y, lam, lambda lam, n, N: N * lam * np.eye(n)), "lam = 0.5"),
    (check.ridge, lambda P, y, lam: _ridge(P, y, lam).astype(np.float32), "float32"),
    (check.posterior_predictive, lambda *a: _posterior(*a, "stds as variances"), "no data"),
    (check.posterior_predictive, lambda *a: _posterior(*a, "noise added"), "no data"),
    (check.dropout, lambda h, p, rng, training=True: _dropout15(h, p, rng, training, "h itself"), "new array"),
    (check.dropout, lambda h, p, rng, training=True: _dropout15(h, p, rng, training, "p fixed"), "Hint"),
    (check.augment_shifts, lambda *a: _augment(*a, "negated"), "one position"),
    (check.augment_shifts, lambda *a: _augment(*a, "interleaved"), "original signals"),
    (check.augment_shifts, lambda *a: _augment(*a, "original last"), "original signals"),
    (check.fill_gap, lambda *a: _fill(*a, "zero ends"), "touches an end"),
    (check.fill_gap, lambda *a: _fill(*a, "mean"), "filled back exactly"),
    (check.fill_gap, lambda *a: _fill(*a, "float32"), "float32"),
    (check.fill_gap, lambda *a: _fill(*a, "in place"), "writing into masked"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["lam * np.eye", "np.roll(x, k", "np.interp("], capsys)
