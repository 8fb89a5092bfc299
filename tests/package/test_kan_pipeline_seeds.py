"""The shipped seeds of experiments/kan_pipeline_seeds.py (chapter 23): their format, and one seed recomputed."""

import json
from importlib.resources import files

from tests.helpers import load_experiment

SHIPPED = json.loads((files("kan_edu") / "data_files" / "kan_pipeline_seeds.json").read_text())


def test_shipped_runs_are_ten_seeds_with_a_verdict_each():
    runs = SHIPPED["runs"]
    assert [r["seed"] for r in runs] == list(range(10))
    assert all(isinstance(r["exact"], bool) and r["formula"] and r["test_rmse"] > 0 for r in runs)
    assert all(r["pruned_width"][0] == 2 and r["pruned_width"][-1] == 1 for r in runs)
    assert all(r["exact"] == (r["formula"] == "exp(y**2 + sin(pi*x))") for r in runs)


def test_one_seed_recomputes_with_the_chapter_recipe():
    script = load_experiment("kan_pipeline_seeds")
    assert script.RECIPE == SHIPPED["recipe"]
    shipped = SHIPPED["runs"][0]
    again = script.run(0)
    assert again["pruned_width"] == shipped["pruned_width"] and again["formula"] == shipped["formula"]
    assert again["exact"] == shipped["exact"]
    assert abs(again["test_rmse"] - shipped["test_rmse"]) <= 1e-6 * shipped["test_rmse"]
