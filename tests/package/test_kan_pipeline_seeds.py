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
    for r in runs:  # section 23.1: each regulariser weight's test RMSE and pruned width
        assert list(r["sparsity"]) == [str(lamb) for lamb in SHIPPED["recipe"]["lambdas"]]
        assert all(s["test_rmse"] > 0 and s["pruned_width"][0] == 2 for s in r["sparsity"].values())
        assert r["sparsity"][str(SHIPPED["recipe"]["lamb"])]["pruned_width"] == r["pruned_width"]


def test_one_seed_recomputes_with_the_chapter_recipe():
    script = load_experiment("kan_pipeline_seeds")
    assert script.RECIPE == SHIPPED["recipe"]
    shipped = SHIPPED["runs"][0]
    again = script.run(0)
    assert again["pruned_width"] == shipped["pruned_width"] and again["formula"] == shipped["formula"]
    assert again["exact"] == shipped["exact"]
    assert abs(again["test_rmse"] - shipped["test_rmse"]) <= 1e-6 * shipped["test_rmse"]
    for lamb, expected in shipped["sparsity"].items():
        assert again["sparsity"][lamb]["pruned_width"] == expected["pruned_width"]
        assert abs(again["sparsity"][lamb]["test_rmse"] - expected["test_rmse"]) <= 1e-6 * expected["test_rmse"]
