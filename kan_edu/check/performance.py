"""Checks for chapter 8 (measuring performance): the bias-variance split, the volume near a sphere's surface, and
the variance of a model against the size of its training set."""

from __future__ import annotations

import numpy as np

from .. import performance
from ._core import answer, close, is_float64, run

__all__ = ["bias_variance", "shell_fraction", "variance_by_size"]


def _is_pair(out) -> bool:
    return isinstance(out, (tuple, list)) and len(out) == 2 and all(np.ndim(v) == 0 for v in out)


def _pair(out):
    if not _is_pair(out):
        return np.nan, np.nan  # fails every comparison; the first property already says what to return
    return float(out[0]), float(out[1])


def bias_variance(fn):
    """Check ``fn(predictions, f_true) -> (bias2, variance)``: predictions (K models, T inputs), f_true (T,)."""
    rng = np.random.default_rng(11)
    f = rng.normal(size=25)
    preds = f + 0.4 + rng.normal(scale=0.7, size=(40, 25))
    ref = performance.decompose(preds, f, 0.0)

    def shape_ok():
        return _is_pair(answer(fn, preds, f))

    def perfect():
        b, v = _pair(answer(fn, np.tile(f, (5, 1)), f))
        return abs(b) < 1e-12 and abs(v) < 1e-12

    def shifted():
        b, v = _pair(answer(fn, np.tile(f + 0.5, (6, 1)), f))
        return close(b, 0.25) and abs(v) < 1e-12

    def adds_up():
        b, v = _pair(answer(fn, preds, f))
        return close(b + v, np.mean((preds - f) ** 2), rtol=1e-8)

    def matches():
        b, v = _pair(answer(fn, preds, f))
        return close(b, ref["bias2"], rtol=1e-8) and close(v, ref["variance"], rtol=1e-8)

    return run(
        "bias_variance",
        [
            (
                "the function returns two numbers, (bias2, variance)",
                shape_ok,
                "average over the models (axis 0) first, then over the test inputs, so each answer is one number.",
            ),
            (
                "models that all equal the truth have zero bias and zero variance",
                perfect,
                "the bias compares the average model with f_true; the variance compares each model with the average model.",
            ),
            (
                "models that all equal f_true + 0.5 have bias2 = 0.25 and variance 0",
                shifted,
                "square the difference between the mean prediction and f_true, then average over the inputs.",
            ),
            (
                "bias2 + variance equals the mean squared difference between the models and f_true",
                adds_up,
                "use the population variance (divide by K, numpy's default ddof=0), and the same averages in both terms.",
            ),
            (
                "both numbers match the decomposition on a random example",
                matches,
                "check the axis of every average: the average model is taken over the models (axis 0), and both "
                "terms then average over the test inputs.",
            ),
        ],
    )


def shell_fraction(fn):
    """Check ``fn(dim, eps)``: the fraction of a unit ball's volume within ``eps`` of its surface."""
    cases = [(1, 0.3), (2, 0.5), (3, 0.1), (10, 0.05), (100, 0.01), (1000, 0.001), (7, 0.9)]

    def val(d, e):
        return float(answer(fn, d, e))

    return run(
        "shell_fraction",
        [
            (
                "a shell of width 0 holds no volume, and a shell of width 1 holds all of it",
                lambda: close(val(5, 0.0), 0.0) and close(val(5, 1.0), 1.0),
                "the inner ball has radius 1 - eps; what fraction of the volume does it take?",
            ),
            (
                "the fraction is a double-precision (float64) number",
                lambda: is_float64(answer(fn, 3, 0.1)),
                "keep Python's or numpy's float64: rounding to float32 keeps only about 7 digits.",
            ),
            (
                "in one dimension the shell fraction is eps itself",
                lambda: close(val(1, 0.3), 0.3),
                "in 1-D the 'ball' is the interval [-1, 1] and its 'shell' is the two ends of length eps.",
            ),
            (
                "in two dimensions, a shell of width 0.5 holds 3/4 of the disc",
                lambda: close(val(2, 0.5), 0.75),
                "the area of a disc grows like r^2.",
            ),
            (
                "the fraction is right in higher dimensions too",
                lambda: all(close(val(d, e), float(performance.shell_fraction(d, e)), rtol=1e-6) for d, e in cases),
                "the volume of a d-dimensional ball is proportional to r^d.",
            ),
        ],
    )


# ------------------------------------------------------------------ variance against the size of the training set
_X_TEST = np.linspace(0.0, 1.0, 31)


def _hinge_fit(x, y):
    """Least squares with 3 hinges, evaluated at the test inputs (the chapter's model, at a small capacity)."""
    return performance.hinge_features(_X_TEST, 3) @ performance.least_squares(performance.hinge_features(x, 3), y)


def _draw(n, k):
    return performance.sample_1d(n, 0.3, seed=[n, k])


def _variance_reference(fit_predict, draw, sizes, n_sets):
    out = []
    for n in sizes:
        fits = np.array([fit_predict(*draw(n, k)) for k in range(n_sets)])  # (n_sets, T)
        out.append(np.mean((fits - fits.mean(axis=0)) ** 2))
    return np.array(out)


def variance_by_size(fn):
    """Check ``fn(fit_predict, draw, sizes, n_sets) -> variances``: for each size n, fit ``n_sets`` models to the
    training sets ``draw(n, 0)``, ``draw(n, 1)``, ...; the variance over the fits, averaged over the test inputs."""
    sizes, n_sets = [8, 16, 32], 20
    reference = _variance_reference(_hinge_fit, _draw, sizes, n_sets)  # outside run: an error here is ours

    def result(fit_predict=_hinge_fit, draw=_draw, sizes=sizes, n_sets=n_sets):
        out = np.asarray(answer(fn, fit_predict, draw, list(sizes), n_sets), dtype=float)
        return out

    def one_per_size():
        out = result()
        return out.shape == (len(sizes),) and bool(np.all(np.isfinite(out)))

    def own_training_sets():
        calls = []

        def draw(n, k):
            calls.append((int(n), int(k)))
            return _draw(n, k)

        result(draw=draw)
        return all(sorted(k for m, k in calls if m == n) == list(range(n_sets)) for n in sizes)

    def level_fits():
        # every fit is the same curve, which varies along x: the fits do not vary, so the variance is zero
        return close(result(fit_predict=lambda x, y: np.sin(3 * _X_TEST)), np.zeros(len(sizes)), atol=1e-12)

    def plus_minus_two():
        # two fits, the truth plus and minus 2 at every test input: they differ from their mean by 2 everywhere
        def fit(x, y):
            return np.sin(3 * _X_TEST) + (2.0 if x[0] < 0 else -2.0)

        def draw(n, k):
            return np.full(n, -1.0 if k == 0 else 1.0), np.zeros(n)

        return close(result(fit_predict=fit, draw=draw, sizes=[5, 9], n_sets=2), [4.0, 4.0], rtol=1e-10)

    return run(
        "variance_by_size",
        [
            (
                "the function returns one finite number per training-set size",
                one_per_size,
                "loop over sizes and keep one number for each, in the same order.",
            ),
            (
                "for every size n, the fits use the training sets draw(n, k) for k = 0, 1, ..., n_sets - 1",
                own_training_sets,
                "each of the n_sets models needs its own training set: the second argument of draw numbers them "
                "from 0, and the first is the size n itself (not its position in the list).",
            ),
            (
                "fits that are all the same curve have zero variance, however much that curve varies along x",
                level_fits,
                "the variance is the spread across the fits at each test input (axis 0 of an (n_sets, T) array), "
                "not the spread of one fit across the test inputs.",
            ),
            (
                "two fits at +2 and -2 from their mean everywhere have a variance of 4",
                plus_minus_two,
                "use the population variance of the bias-variance split: squared deviations from the mean of the "
                "fits, averaged over the fits (not divided by n_sets - 1) and then over the test inputs (not "
                "summed), and not square-rooted.",
            ),
            (
                "the variances of the chapter's hinge model with 3 units match the reference",
                lambda: close(result(), reference, rtol=1e-8, atol=1e-12),
                "fit each model to its training set with the given fit_predict, and compare the fits at the same "
                "test inputs.",
            ),
        ],
    )
