"""kan_edu._validate: the one input check the numpy modules share (private).

Public functions call it on every array argument so that bad input fails early with a message that names the
argument, instead of deep inside numpy or as a silent NaN.
"""

from __future__ import annotations

import numpy as np


def finite_array(name: str, a, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """``a`` as a float array; ValueError if it has NaN or inf, or (when ``ndim`` is given) another dimension."""
    a = np.asarray(a, dtype=float)
    if ndim is not None and a.ndim not in np.atleast_1d(ndim):
        allowed = " or ".join(f"{n}-D" for n in np.atleast_1d(ndim))
        raise ValueError(f"{name} must be {allowed}, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a
