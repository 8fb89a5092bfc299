"""The shipped runs of experiments/part2_cnn_seeds.py (chapter 10, section 10.6): their format, one run recomputed."""

import json
from importlib.resources import files

import numpy as np

from tests.helpers import load_experiment

SHIPPED = json.loads((files("kan_edu") / "data_files" / "part2_cnn_seeds.json").read_text())
KEYS = {"train_loss", "test_loss", "train_metric", "test_metric"}


def test_shipped_runs_hold_every_setup_and_seed_with_its_history():
    assert SHIPPED["seeds"] == [0, 1, 2, 3] and SHIPPED["recipe"]["epochs"] == 20
    assert list(SHIPPED["runs"]) == ["CNN", "MLP", "CNN, permuted inputs"]
    for runs in SHIPPED["runs"].values():
        assert len(runs) == 4
        for history in runs:
            assert set(history) == KEYS and all(len(v) == 20 for v in history.values())
            assert all(0 <= a <= 1 for a in history["test_metric"] + history["train_metric"])
            assert all(np.isfinite(history["train_loss"])) and min(history["test_loss"]) > 0


def test_the_cnn_from_seed_zero_recomputes():
    script = load_experiment("part2_cnn_seeds")
    assert script.RECIPE == SHIPPED["recipe"]
    assert script.run("CNN", 0) == SHIPPED["runs"]["CNN"][0]
