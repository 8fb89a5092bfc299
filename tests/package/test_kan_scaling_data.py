"""The shipped sweep of experiments/kan_scaling.py (chapter 24 §24.1): its format, that the comparison is fair,
and one run of each kind recomputed."""

import json
from importlib.resources import files

import numpy as np
import pytest
import torch

from kan_edu.data import make_function_dataset
from tests.helpers import load_experiment

DATA = json.loads((files("kan_edu") / "data_files" / "kan_scaling.json").read_text())


def test_the_comparison_is_fair():
    settings = DATA["_settings"]
    assert settings["optimiser"] == "kan_edu.lbfgs.LBFGS"
    assert settings["mlp_steps"] == settings["steps_per_grid"] * len(settings["grids"])  # the KAN's whole budget
    assert len(settings["seeds"]) >= 5


def test_rows_hold_median_range_and_every_seed():
    n_seeds = len(DATA["_settings"]["seeds"])
    targets = [name for name in DATA if name != "_settings"]
    assert len(targets) == 3
    for name in targets:
        for kind, sizes in (("kan", DATA["_settings"]["grids"]), ("mlp", DATA["_settings"]["mlp_widths"])):
            rows = DATA[name][kind]
            assert [row[2] for row in rows] == sizes
            for params, median, _, low, high, seeds in rows:
                assert isinstance(params, int) and params > 0
                assert len(seeds) == n_seeds and all(np.isfinite(seeds))
                assert low == min(seeds) and high == max(seeds) and median == np.median(seeds)
                assert low <= median <= high
        mlp_params = [row[0] for row in DATA[name]["mlp"]]
        assert mlp_params == [w * w + 5 * w + 1 for w in DATA["_settings"]["mlp_widths"]]  # [2, w, w, 1] with biases


def test_one_run_of_each_kind_recomputes():
    """The smallest MLP and the KAN's first grid of one seed on the elliptic integral, rerun with the script's
    own settings (the KAN stops after its first grid, so only the G = 5 point is compared)."""
    script = load_experiment("kan_scaling")
    name = "elliptic E(phi|m)"
    f, box, width = script.TARGETS[name]
    data = make_function_dataset(f, 2, ranges=box, seed=0, dtype=torch.float64)
    seed = DATA["_settings"]["seeds"][1]
    params, rmse = script.mlp_run(data, DATA["_settings"]["mlp_widths"][0], seed)
    row = DATA[name]["mlp"][0]
    assert params == row[0] and rmse == pytest.approx(row[5][1], rel=1e-6)
    script.GRIDS = script.GRIDS[:1]
    ((kan_params, kan_rmse),) = script.kan_run(data, width, box, seed)
    row = DATA[name]["kan"][0]
    assert kan_params == row[0] and kan_rmse == pytest.approx(row[5][1], rel=1e-6)
