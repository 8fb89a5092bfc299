"""kan_edu.data: procedural, offline data sets.

Nothing here downloads anything: every data set is computed from a formula or comes from a package that ships
it (scikit-learn's digits, mnist1d's generator). Every random draw uses a local, seeded
generator, so the same seed gives the same data everywhere.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Callable

import torch

from ._validate import floating_dtype, function, interval, number, random_seed, sequence, size

__all__ = ["make_function_dataset", "knots", "KNOT_FEATURES"]

#: The hyperbolic invariants in the shipped knot sample (``knots``), in column order.
KNOT_FEATURES = ("volume", "chern_simons", "cusp_area", "meridian_re", "meridian_im", "longitude")


def _ranges(ranges, n_var: int) -> list[tuple[float, float]]:
    """One (lo, hi) for every variable, from one pair for all or a pair per variable."""
    if isinstance(ranges, (list, tuple)) and len(ranges) == 2 and all(isinstance(r, numbers.Real) for r in ranges):
        return [interval("ranges", ranges)] * n_var
    if not isinstance(ranges, (list, tuple)) or len(ranges) != n_var:
        raise ValueError(f"ranges must be one (lo, hi) or one per variable ({n_var}), got {ranges!r:.80}")
    return [interval(f"ranges[{i}]", r) for i, r in enumerate(ranges)]


def make_function_dataset(
    f: Callable[[torch.Tensor], torch.Tensor],
    n_var: int,
    ranges: Sequence = (-1, 1),
    n_train: int = 1000,
    n_test: int = 1000,
    seed: int = 0,
    dtype=torch.float32,
) -> dict:
    """Sample a function on a box: inputs uniform in ``ranges`` (one (lo, hi) for all, or one per variable).

    ``f`` maps a tensor (N, n_var) to (N,), (N, 1) or (N, n_out). Returns the dict KANs and MLPs train on:
    ``train_input`` (n_train, n_var), ``train_label`` (n_train, n_out), ``test_input``, ``test_label``; labels
    are always 2-D. The function is evaluated in float64 and the result cast to ``dtype``.
    """
    f, n_var = function("f", f, "f(x) -> y"), size("n_var", n_var, maximum=10_000)
    n_train, n_test = size("n_train", n_train), size("n_test", n_test)
    dtype = floating_dtype("dtype", dtype)
    box = _ranges(ranges, n_var)
    g = torch.Generator().manual_seed(random_seed("seed", seed, sequences=False))
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

    features = sequence("features", features, what=f"names from {KNOT_FEATURES}")
    unknown = [f for f in features if f not in KNOT_FEATURES]
    if unknown:
        raise ValueError(f"unknown knot features {unknown}; choose from {KNOT_FEATURES}")
    with files("kan_edu").joinpath("data_files/knots.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    x = np.array([[float(r[f]) for f in features] for r in rows])
    signature = np.array([int(r["signature"]) for r in rows])
    return x, signature, [r["name"] for r in rows]


_MNIST1D_CACHE: dict = {}


def mnist1d_data(
    num_samples: int = 5000, train_split: float = 0.8, seed: int = 42, dtype=torch.float32, **overrides
) -> dict:
    """MNIST-1D (Greydanus 2020), generated offline by the ``mnist1d`` package: 40-sample 1-D signals, 10 classes.

    With the defaults this is the standard set (4000 training and 1000 test examples), made by
    ``mnist1d.data.make_dataset(get_dataset_args())``; it never downloads or writes anything. ``overrides`` set
    other generator arguments (for example ``iid_noise_scale`` or ``shuffle_seq``). Returns the dict the book
    trains on: ``train_input`` (N, 40) and ``test_input`` in ``dtype``, ``train_label`` and ``test_label`` as int64
    class indices of shape (N,). The global ``random``/``numpy`` state that the generator reseeds is restored.
    """
    import random

    import numpy as np
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args(as_dict=True)
    num_samples = size("num_samples", num_samples, minimum=20, maximum=1_000_000)
    train_split = number("train_split", train_split, low=0, high=1, low_open=True, high_open=True)
    seed, dtype = random_seed("seed", seed, sequences=False), floating_dtype("dtype", dtype)
    unknown = set(overrides) - set(args) | ({"url"} & set(overrides))
    if unknown:
        raise ValueError(f"unknown MNIST-1D argument(s) {sorted(unknown)}; choose from {sorted(set(args) - {'url'})}")
    args.update(num_samples=int(num_samples), train_split=float(train_split), seed=int(seed), **overrides)
    key = tuple(sorted((k, repr(v)) for k, v in args.items()))
    if key not in _MNIST1D_CACHE:
        py_state, np_state = random.getstate(), np.random.get_state()
        try:
            raw = make_dataset(get_dataset_args().__class__(args))
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
        _MNIST1D_CACHE[key] = {
            name: torch.as_tensor(np.asarray(raw[src]))
            for name, src in (
                ("train_input", "x"),
                ("train_label", "y"),
                ("test_input", "x_test"),
                ("test_label", "y_test"),
            )
        }
    cached = _MNIST1D_CACHE[key]
    return {name: (t.to(dtype) if name.endswith("input") else t.to(torch.int64)).clone() for name, t in cached.items()}


__all__ += ["mnist1d_data"]


# --------------------------------------------------------------- 1-D toys for chapters 2 and 5 (numpy)
def noisy_line(
    n: int = 20,
    intercept: float = 0.4,
    slope: float = 0.7,
    noise: float = 0.2,
    x_range=(0.0, 2.0),
    seed: int = 0,
    grid: bool = False,
    noise_growth: float = 0.0,
):
    """A 1-D regression set: y = intercept + slope·x + Gaussian noise. Returns numpy ``(x, y)``, sorted by x.

    ``grid=True`` puts the inputs evenly on ``x_range`` instead of drawing them uniformly. The noise's standard
    deviation is ``noise + noise_growth·(x − x_range[0])``, so ``noise_growth > 0`` makes it heteroscedastic.
    """
    import numpy as np

    n, (lo, hi) = size("n", n), interval("x_range", x_range)
    intercept, slope = number("intercept", intercept), number("slope", slope)
    noise, noise_growth = number("noise", noise, low=0), number("noise_growth", noise_growth, low=0)
    rng = np.random.default_rng(random_seed("seed", seed))
    x = np.linspace(lo, hi, n) if grid else np.sort(rng.uniform(lo, hi, n))
    sd = noise + noise_growth * (x - lo)
    return x, intercept + slope * x + sd * rng.standard_normal(n)


def binary_labels_1d(
    n: int = 30, intercept: float = 0.0, slope: float = 3.0, x_range=(-2.0, 2.0), seed: int = 0, grid: bool = False
):
    """A 1-D binary classification set: labels drawn with Pr(y = 1 | x) = sigmoid(intercept + slope·x).

    Returns numpy ``(x, y)`` sorted by x, with y a float array of 0s and 1s. ``grid=True`` puts the inputs
    evenly on ``x_range``.
    """
    import numpy as np

    n, (lo, hi) = size("n", n), interval("x_range", x_range)
    intercept, slope = number("intercept", intercept), number("slope", slope)
    rng = np.random.default_rng(random_seed("seed", seed))
    x = np.linspace(lo, hi, n) if grid else np.sort(rng.uniform(lo, hi, n))
    p = 1.0 / (1.0 + np.exp(-(intercept + slope * x)))
    return x, (rng.uniform(size=n) < p).astype(float)


__all__ += ["noisy_line", "binary_labels_1d"]


# ------------------------------------------------------------------------------ images shipped with sklearn
def digits():
    """scikit-learn's 8×8 handwritten digits (shipped inside scikit-learn, nothing downloaded): every image.

    Returns numpy ``(x, labels)``: ``x`` (N, 64) float64 pixels scaled to [0, 1] and ``labels`` (N,) int64 classes
    0–9, N = 1797. The chapters split them with their own seeded shuffles (sizes come from N, not constants).
    """
    import numpy as np
    from sklearn.datasets import load_digits

    x, labels = load_digits(return_X_y=True)
    return x / 16.0, np.asarray(labels, dtype=np.int64)


__all__ += ["digits"]


def sample_image(name: str = "china.jpg", factor: int = 1):
    """One of scikit-learn's two shipped photographs (``"china.jpg"``, a temple, or ``"flower.jpg"``) in grey.

    The colour channels are mixed with the ITU-R 601 luma weights (0.299 R + 0.587 G + 0.114 B) and scaled to
    [0, 1]; ``factor`` > 1 shrinks the photo by averaging each ``factor`` × ``factor`` block of pixels (rows and
    columns that do not fill a block are dropped). Returns a float64 numpy array (H, W); the full photos are
    427 × 640. Nothing is downloaded: the JPEGs ship inside scikit-learn.
    """
    import numpy as np
    from sklearn.datasets import load_sample_image

    from ._validate import choice

    name = choice("name", name, ("china.jpg", "flower.jpg"))
    factor = size("factor", factor, maximum=100)
    rgb = np.asarray(load_sample_image(name), dtype=np.float64) / 255.0
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    h, w = (grey.shape[0] // factor) * factor, (grey.shape[1] // factor) * factor
    return grey[:h, :w].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


__all__ += ["sample_image"]
