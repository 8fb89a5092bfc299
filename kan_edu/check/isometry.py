"""Checks for the isometry gap and depth: implementing φ, predicting its drop under BN, shaping gains."""

from __future__ import annotations

import math

import numpy as np

from .. import isometry as iso
from ._core import answer, run, value

__all__ = ["isometry_gap", "gap_drop", "shaping_exponent", "fixed_rotation_gap"]


def isometry_gap(fn):
    """Check ``fn(h)``: the isometry gap of an (n, d) numpy array, as a float (inf for dependent samples)."""
    rng = np.random.default_rng(7)
    h = rng.standard_normal((5, 8))
    rot = np.linalg.qr(rng.standard_normal((8, 8)))[0]

    def close(a, b):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)

    def dup():
        d = rng.standard_normal((6, 6))
        d[4] = d[1]
        out = float(answer(fn, d))
        return math.isinf(out) and out > 0

    return run(
        "isometry_gap",
        [
            (
                "a square batch of orthonormal samples has gap 0",
                lambda: close(answer(fn, np.eye(4)), 0.0) and close(answer(fn, rot), 0.0),
                "the arithmetic and geometric means of equal numbers agree.",
            ),
            (
                "the gap of diag(1, 2) is right",
                lambda: close(answer(fn, np.diag([1.0, 2.0])), iso.isometry_gap(np.diag([1.0, 2.0]))),
                "here the Gram matrix has eigenvalues 1 and 4: compare the log of their mean with the mean of their "
                "logs, in natural logarithms (not log10), as in the chapter's equation.",
            ),
            (
                "a batch of 3 samples with more features (5 or 8) gets the gap of its 3 samples",
                lambda: close(answer(fn, rot[:3]), 0.0) and close(answer(fn, h[:3, :5]), iso.isometry_gap(h[:3, :5])),
                "h has one row per sample: the n×n matrix of inner products between samples is h @ h.T. The d×d matrix "
                "h.T @ h has the same non-zero eigenvalues plus d − n zeros, which make the gap infinite.",
            ),
            (
                "the gap does not change when h is scaled",
                lambda: close(answer(fn, 7.5 * h), answer(fn, h)),
                "compare log(mean λ) with mean(log λ): scaling adds the same constant to both.",
            ),
            (
                "the gap does not change when the features are rotated",
                lambda: close(answer(fn, h @ rot.T), answer(fn, h)),
                "a rotation of the features leaves h @ h.T unchanged.",
            ),
            (
                "random samples give the right positive value",
                lambda: close(answer(fn, h), iso.isometry_gap(h)),
                "φ = log(mean λ) − mean(log λ), natural logarithms.",
            ),
            (
                "a batch with a repeated sample gives inf",
                dup,
                "a repeated sample makes the Gram matrix singular: its smallest eigenvalue is 0 in exact arithmetic, but "
                "rounding leaves a tiny number. Decide rank from the singular values with a tolerance, and return math.inf.",
            ),
        ],
    )


def gap_drop(fn):
    """Check ``fn(h)``: the predicted drop φ(h) − φ(BN h) for a square h, computed from h's feature norms only."""
    rng = np.random.default_rng(11)

    def matches():
        for d in (3, 6, 12):
            h = rng.standard_normal((d, d)) * rng.uniform(0.1, 4.0, size=d)
            actual = iso.isometry_gap(h) - iso.isometry_gap(iso.batch_norm(h))
            if not math.isclose(float(answer(fn, h)), actual, rel_tol=1e-6, abs_tol=1e-9):
                return False
        return True

    def equal_norms_no_drop():
        q = np.linalg.qr(rng.standard_normal((5, 5)))[0]
        return math.isclose(float(answer(fn, 3.0 * q)), 0.0, abs_tol=1e-9)

    return run(
        "gap_drop",
        [
            (
                "the drop is zero when every feature has the same norm",
                equal_norms_no_drop,
                "batch norm changes nothing then (up to scale).",
            ),
            (
                "the drop is never negative",
                lambda: all(
                    float(answer(fn, rng.standard_normal((6, 6)) * rng.uniform(0.1, 3, 6))) >= -1e-12 for _ in range(5)
                ),
                "compare an arithmetic mean with a geometric mean, in logs.",
            ),
            (
                "it predicts φ(h) − φ(BN h) for square h",
                matches,
                "work with r_j, the squared norm of feature (column) j over the batch.",
            ),
        ],
    )


def _change(exponent: float, activation: str) -> float:
    logs = iso.log_grad_norm_vs_depth([10, 1000], activation=activation, gain_exponent=exponent)
    return float(logs[1] - logs[0])


def shaping_exponent(answer_value, activation: str = "tanh", step: float = 0.05, bound: float = 2.0):
    """Check a gain exponent: the smallest multiple of ``step`` that keeps the log-gradient growth from depth
    10 to depth 1000 within ``bound`` for ``activation``."""

    def on_grid():
        v = float(value(answer_value, "your exponent"))
        return 0 <= v <= 1 and abs(v / step - round(v / step)) < 1e-9

    def bounded():
        return _change(float(value(answer_value)), activation) <= bound

    def smallest():
        v = float(value(answer_value))
        return v < step / 2 or _change(v - step, activation) > bound

    return run(
        "shaping_exponent",
        [
            (f"the exponent is a multiple of {step} between 0 and 1", on_grid, f"try 0, {step}, {2 * step}, ..."),
            (
                f"with this exponent the log-gradient grows by at most {bound} from depth 10 to 1000",
                bounded,
                "the gradients still explode: a larger exponent damps the deep layers more.",
            ),
            (
                f"the exponent one step smaller ({step} less) is not enough",
                smallest,
                "it is bounded, but a smaller exponent is bounded too: shaping costs expressiveness, so use as little as needed.",
            ),
        ],
    )


def fixed_rotation_gap(fn):
    """Check ``fn(h, depth)``: φ after ``depth`` ≥ 1 linear layers H ← BN(H Wᵀ) with W the identity (paper's BN),
    for a square batch ``h`` — the prediction the chapter asks for, computed without running the layers."""
    rng = np.random.default_rng(13)
    batches = [rng.standard_normal((d, d)) * rng.uniform(0.2, 3.0, size=d) for d in (4, 8, 16)]

    def after(h, depth):
        return float(value(answer(fn, h, depth), "the gap"))

    def reference(h):
        return iso.isometry_gap(iso.batch_norm(h))

    def near(a, b):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)

    return run(
        "fixed_rotation_gap",
        [
            (
                "after one layer the gap is that of the batch-normalised input",
                lambda: all(near(after(h, 1), reference(h)) for h in batches),
                "one layer multiplies by the identity, which changes nothing, then applies batch norm once: "
                "the gap drops by the amount of the chapter's identity, neither more nor less.",
            ),
            (
                "the gap after 2, 10 and 200 layers equals the gap after one",
                lambda: all(near(after(h, depth), reference(h)) for h in batches for depth in (2, 10, 200)),
                "after the first batch norm every feature has the same norm over the batch, and the identity keeps "
                "those norms: what is left for the second batch norm to change?",
            ),
        ],
    )
