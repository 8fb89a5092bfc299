"""kan_edu.data: the procedural function data sets and the shipped knot sample."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from kan_edu.data import KNOT_FEATURES, knots, make_function_dataset
from tests.helpers import ROOT


def test_function_dataset_is_seeded_and_labelled():
    f = lambda x: torch.sin(x[:, [0]]) * x[:, [1]]  # noqa: E731
    a = make_function_dataset(f, 2, ranges=[(-1, 1), (0, 2)], n_train=50, n_test=20, seed=3)
    b = make_function_dataset(f, 2, ranges=[(-1, 1), (0, 2)], n_train=50, n_test=20, seed=3)
    for key in ("train_input", "train_label", "test_input", "test_label"):
        assert torch.equal(a[key], b[key]), key
    assert a["train_input"].shape == (50, 2) and a["test_label"].shape == (20, 1)
    assert a["train_input"][:, 1].min() >= 0 and a["train_input"][:, 1].max() <= 2
    torch.testing.assert_close(a["train_label"], f(a["train_input"]))


def test_knot_sample_is_complete_and_consistent():
    x, signature, names = knots()
    assert x.shape == (len(names), len(KNOT_FEATURES)) and len(names) >= 900
    assert len(set(names)) == len(names), "a knot appears twice"
    assert np.isfinite(x).all()
    assert (signature % 2 == 0).all(), "a knot signature is always even"
    assert (x[:, KNOT_FEATURES.index("volume")] > 2.0).all(), "hyperbolic knot volumes exceed 2.0298 (figure-eight)"
    # the relation of Davies et al. (2021): the signature is close to half the slope Re(longitude / meridian)
    meridian = x[:, KNOT_FEATURES.index("meridian_re")] + 1j * x[:, KNOT_FEATURES.index("meridian_im")]
    slope = (x[:, KNOT_FEATURES.index("longitude")] / meridian).real
    assert np.corrcoef(signature, slope / 2)[0, 1] > 0.9


def test_knot_features_select_columns():
    x, _, _ = knots(["volume", "cusp_area"])
    full, _, _ = knots()
    np.testing.assert_array_equal(x, full[:, [KNOT_FEATURES.index("volume"), KNOT_FEATURES.index("cusp_area")]])
    with pytest.raises(ValueError, match="unknown knot features"):
        knots(["volume", "crossings"])


def test_knot_rows_reproduce_from_snappy():
    """Where snappy is installed (an optional 300 MB dependency), recompute shipped rows from the census."""
    pytest.importorskip("snappy", reason="snappy is not installed; experiments/make_knot_data.py says how")
    result = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "make_knot_data.py"), "--check", "10"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
