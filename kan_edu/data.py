"""kan_edu.data: procedural, offline data sets.

Nothing here downloads anything: every data set is computed from a formula or comes from a package that ships
it (scikit-learn's digits, networkx's graphs, mnist1d's generator). Every random draw uses a local, seeded
generator, so the same seed gives the same data everywhere.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

__all__ = ["make_function_dataset", "knots", "KNOT_FEATURES"]

#: The hyperbolic invariants in the shipped knot sample (``knots``), in column order.
KNOT_FEATURES = ("volume", "chern_simons", "cusp_area", "meridian_re", "meridian_im", "longitude")


def _ranges(ranges, n_var: int) -> list[tuple[float, float]]:
    if len(ranges) == 2 and all(isinstance(r, (int, float)) for r in ranges):
        ranges = [tuple(ranges)] * n_var
    ranges = [tuple(map(float, r)) for r in ranges]
    if len(ranges) != n_var:
        raise ValueError(f"need one (lo, hi) range per variable ({n_var}), got {len(ranges)}")
    for lo, hi in ranges:
        if not lo < hi:
            raise ValueError(f"each range must have lo < hi, got ({lo}, {hi})")
    return ranges


def make_function_dataset(f: Callable[[torch.Tensor], torch.Tensor], n_var: int,
                          ranges: Sequence = (-1, 1), n_train: int = 1000, n_test: int = 1000, seed: int = 0,
                          dtype=torch.float32) -> dict:
    """Sample a function on a box: inputs uniform in ``ranges`` (one (lo, hi) for all, or one per variable).

    ``f`` maps a tensor (N, n_var) to (N,), (N, 1) or (N, n_out). Returns the dict KANs and MLPs train on:
    ``train_input`` (n_train, n_var), ``train_label`` (n_train, n_out), ``test_input``, ``test_label``; labels
    are always 2-D. The function is evaluated in float64 and the result cast to ``dtype``.
    """
    if not isinstance(n_var, int) or n_var < 1:
        raise ValueError(f"n_var must be a positive integer, got {n_var!r}")
    for name, n in (("n_train", n_train), ("n_test", n_test)):
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    box = _ranges(ranges, n_var)
    g = torch.Generator().manual_seed(int(seed))
    lo = torch.tensor([r[0] for r in box], dtype=torch.float64)
    hi = torch.tensor([r[1] for r in box], dtype=torch.float64)

    def sample(n):
        x = lo + (hi - lo) * torch.rand(n, n_var, generator=g, dtype=torch.float64)
        y = torch.as_tensor(f(x), dtype=torch.float64)
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[0] != n:
            raise ValueError(f"f must return shape (N,) or (N, n_out) for N = {n} inputs, got {tuple(y.shape)}")
        if not torch.isfinite(y).all():
            raise ValueError("f returned NaN or inf on part of the box: choose ranges where it is defined")
        return x.to(dtype), y.to(dtype)

    x_train, y_train = sample(n_train)
    x_test, y_test = sample(n_test)
    return {"train_input": x_train, "train_label": y_train, "test_input": x_test, "test_label": y_test}


def knots(features: Sequence[str] = KNOT_FEATURES):
    """The knot sample shipped with kan_edu: hyperbolic invariants and the signature of each knot.

    Made by ``experiments/make_knot_data.py`` from snappy's census of prime knots (a seeded random sample);
    the book only reads the file. Returns ``(x, signature, names)``: a float64 array (n_knots, len(features)),
    an integer array of signatures (always even), and the knots' census names.
    """
    import csv
    from importlib.resources import files

    import numpy as np

    unknown = [f for f in features if f not in KNOT_FEATURES]
    if unknown:
        raise ValueError(f"unknown knot features {unknown}; choose from {KNOT_FEATURES}")
    with files("kan_edu").joinpath("data_files/knots.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    x = np.array([[float(r[f]) for f in features] for r in rows])
    signature = np.array([int(r["signature"]) for r in rows])
    return x, signature, [r["name"] for r in rows]
