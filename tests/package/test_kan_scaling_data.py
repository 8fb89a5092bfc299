"""The shipped sweep of experiments/kan_scaling.py (chapter 24): its format, and that the comparison is fair."""

import json
from importlib.resources import files

import numpy as np

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
