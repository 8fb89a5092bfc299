"""The shipped runs of experiments/kan_knots.py (chapter 24, section 24.3): their format, and seed 0 recomputed."""

import json
from importlib.resources import files

import numpy as np

from kan_edu.data import KNOT_FEATURES
from tests.helpers import load_experiment

SHIPPED = json.loads((files("kan_edu") / "data_files" / "kan_knots.json").read_text())


def test_shipped_runs_compare_both_networks_on_every_seed():
    script = load_experiment("kan_knots")
    n_test = len(script.knot_split()["test_label"])
    runs = SHIPPED["runs"]
    assert [r["seed"] for r in runs] == list(range(5))
    for r in runs:
        assert (r["kan_params"], r["mlp_params"]) == (runs[0]["kan_params"], runs[0]["mlp_params"])
        for key in ("kan_accuracy", "mlp_accuracy"):  # a whole number of the test knots
            assert 0 < r[key] <= 1 and abs(r[key] * n_test - round(r[key] * n_test)) < 1e-9
        assert list(r["kan_input_scores"]) == list(KNOT_FEATURES) and min(r["kan_input_scores"].values()) > 0


def test_seed_zero_recomputes_with_the_chapter_recipe():
    script = load_experiment("kan_knots")
    assert script.RECIPE == SHIPPED["recipe"]
    again = script.run(0)
    shipped = SHIPPED["runs"][0]
    for key in ("kan_accuracy", "mlp_accuracy", "kan_params", "mlp_params"):
        assert again[key] == shipped[key], key
    scores = [again["kan_input_scores"][name] for name in KNOT_FEATURES]
    assert np.allclose(scores, [shipped["kan_input_scores"][name] for name in KNOT_FEATURES], rtol=1e-6, atol=0)
