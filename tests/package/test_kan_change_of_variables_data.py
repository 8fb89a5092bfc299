"""The shipped seeds of experiments/kan_change_of_variables.py (chapter 23, section 23.4): their format, the facts
the chapter states in words, and one seed of each function recomputed."""

import json
from importlib.resources import files

import numpy as np
import pytest

from tests.helpers import load_experiment

SHIPPED = json.loads((files("kan_edu") / "data_files" / "kan_change_of_variables.json").read_text())


def runs(problem):
    return [r for r in SHIPPED["runs"] if r["problem"] == problem]


def test_shipped_runs_are_ten_seeds_of_each_function_with_a_verdict_each():
    for problem, spec in SHIPPED["problems"].items():
        got = runs(problem)
        assert [r["seed"] for r in got] == list(range(10))
        for r in got:
            assert len(r["candidates"]) == len(r["r2"]) == 3 and all(0 < v <= 1 for v in r["r2"])
            assert r["found"] == (r["candidates"] == spec["expected"]) and r["test_rmse"] > 0


def test_the_words_of_section_23_4_hold_for_the_shipped_seeds():
    """'log, log and exp for every seed'; for velocity 'seed 0 is a lucky draw', 'only' a few seeds find the
    rapidity, those that miss rank x first on an inner edge and 'also fit worse'."""
    assert all(r["found"] for r in runs("ratio"))
    velocity = runs("velocity")
    assert velocity[0]["found"] and sum(r["found"] for r in velocity) <= 3
    missed = [r for r in velocity if not r["found"]]
    assert all("x" in r["candidates"][:2] for r in missed)
    found_rmse = np.median([r["test_rmse"] for r in velocity if r["found"]])
    assert np.median([r["test_rmse"] for r in missed]) > 2 * found_rmse


@pytest.mark.parametrize("job", [("ratio", 0), ("velocity", 1)])
def test_one_seed_recomputes_with_the_chapter_recipe(job):
    script = load_experiment("kan_change_of_variables")
    assert json.loads(json.dumps(script.RECIPE)) == SHIPPED["recipe"]
    shipped = next(r for r in SHIPPED["runs"] if (r["problem"], r["seed"]) == job)
    again = script.run(job)
    assert again["candidates"] == shipped["candidates"] and again["found"] == shipped["found"]
    assert np.allclose(again["r2"], shipped["r2"], rtol=1e-9, atol=0)
    assert abs(again["test_rmse"] - shipped["test_rmse"]) <= 1e-6 * shipped["test_rmse"]
