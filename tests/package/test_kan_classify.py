"""experiments/kan_classify.py's shipped file, which chapter 22 glues: its shape, its fairness, and one seed rerun."""

from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import pytest
import torch

from tests.helpers import load_experiment

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def shipped():
    return json.loads((files("kan_edu") / "data_files" / "kan_classify.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def script():
    return load_experiment("kan_classify")  # (only definitions: main() runs under __main__ alone)


def test_the_comparison_is_fair(shipped):
    settings = shipped["_settings"]
    kan, mlp = settings["kan"], settings["mlp"]
    for key in ("optimiser", "lr", "steps", "batch", "loss"):
        assert kan[key] == mlp[key], key
    assert kan["loss"] == "cross_entropy"
    assert len(settings["seeds"]) >= 5 and len(shipped["sizes"]) >= 2
    assert settings["n_train"] + settings["n_test"] == 1797
    for size in shipped["sizes"]:
        k, m = size["kan"], size["mlp"]
        assert [r["seed"] for r in k] == [r["seed"] for r in m] == settings["seeds"]
        n_kan, n_mlp = k[0]["params"], m[0]["params"]
        assert all(r["params"] == n_kan for r in k) and all(r["params"] == n_mlp for r in m)
        assert abs(n_kan - n_mlp) <= 75 / 2  # the closest width: one more unit adds 75 parameters
        assert size["mlp_width"][0] == size["kan_width"][0] == 64 and size["mlp_width"][2] == 10
        for r in k + m:
            assert 0 <= r["test_acc"] <= 1 and 0 <= r["train_acc"] <= 1 and r["test_loss"] > 0
            assert r["cpu_seconds"] > 0
            assert len(r["test_acc_every_10"]) == kan["steps"] // settings["record_every"]
            assert r["test_acc_every_10"][-1] == r["test_acc"]
        assert size["step_seconds"]["kan"] > 0 and size["step_seconds"]["mlp"] > 0
    # accuracies are counts over the test set
    n_test = settings["n_test"]
    for size in shipped["sizes"]:
        for r in size["kan"] + size["mlp"]:
            assert r["test_acc"] * n_test == pytest.approx(round(r["test_acc"] * n_test), abs=1e-6)


def test_parameter_counts_agree_with_the_networks(script, shipped):
    from kan_edu.kan import KAN

    for size in shipped["sizes"]:
        h = size["kan_width"][1]
        assert KAN(size["kan_width"], grid=script.GRID, k=script.K).n_params() == size["kan"][0]["params"]
        assert script.kan_params(h) == size["kan"][0]["params"]
        mlp = script.make_mlp(size["mlp_width"][1], 0)
        assert sum(p.numel() for p in mlp.parameters()) == size["mlp"][0]["params"]


def test_one_seed_reruns(script, shipped):
    """The first 20 steps of one seed of the smallest pair, rerun: they are the first 20 steps of the shipped runs
    (KAN.fit's schedule does not depend on the total number of steps)."""
    size = shipped["sizes"][0]
    h, seed, steps = size["kan_width"][1], shipped["_settings"]["seeds"][1], 20
    assert (
        script.STEPS == shipped["_settings"]["kan"]["steps"] and list(script.HIDDEN) == shipped["_settings"]["hidden"]
    )
    for kind in ("kan", "mlp"):
        rerun = script.run(kind, h, seed, steps=steps)
        stored = next(r for r in size[kind] if r["seed"] == seed)
        assert rerun["params"] == stored["params"]
        assert rerun["test_acc_every_10"] == pytest.approx(stored["test_acc_every_10"][:2], abs=1.5 / 597)
        assert rerun["test_loss_every_10"] == pytest.approx(stored["test_loss_every_10"][:2], rel=1e-6)


def test_data_split_and_standardisation(script, shipped):
    data, mean, std = script.dataset()
    settings = shipped["_settings"]
    assert len(data["train_input"]) == settings["n_train"] and len(data["test_input"]) == settings["n_test"]
    assert mean == pytest.approx(settings["standardisation"]["mean"]) and std == pytest.approx(
        settings["standardisation"]["std"]
    )
    x = data["train_input"].numpy()
    assert abs(x.mean()) < 1e-12 and abs(x.std() - 1) < 1e-12  # one mean, one std over all training pixels
    labels = np.concatenate([data["train_label"][:, 0].numpy(), data["test_label"][:, 0].numpy()])
    assert sorted(np.unique(labels)) == list(range(10))
