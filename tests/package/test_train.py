"""kan_edu.train: seeded, deterministic training loops."""

import numpy as np
import pytest
import torch

from kan_edu import train


def data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 3, generator=g)
    y = (x @ torch.tensor([1.0, -2.0, 0.5]) > 0).long()
    return x, y


def run(seed):
    train.seed_everything(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    x, y = data()
    return train.fit(
        model,
        torch.nn.functional.cross_entropy,
        x,
        y,
        epochs=15,
        lr=0.2,
        x_test=x,
        y_test=y,
        metric=train.accuracy,
        seed=seed,
    )


def test_fit_learns_and_is_deterministic():
    h1, h2 = run(0), run(0)
    assert np.array_equal(h1["train_loss"], h2["train_loss"])
    assert h1["train_loss"][-1] < 0.5 * h1["train_loss"][0]
    assert h1["test_metric"][-1] > 0.9
    assert not np.array_equal(run(1)["train_loss"], h1["train_loss"])


def test_fit_rejects_bad_data():
    model = torch.nn.Linear(3, 2)
    x, y = data()
    with pytest.raises(ValueError, match="targets"):
        train.fit(model, torch.nn.functional.cross_entropy, x, y[:10])
    bad = x.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        train.fit(model, torch.nn.functional.cross_entropy, bad, y)
    with pytest.raises(ValueError, match="seed"):
        train.seed_everything(-1)
