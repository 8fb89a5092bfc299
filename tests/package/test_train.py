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


def test_fit_callback_sees_every_epoch_and_snapshots_are_frozen():
    x, y = data()
    model = torch.nn.Linear(3, 2)
    seen, states = [], []

    def keep(epoch, m):
        seen.append(epoch)
        states.append(train.snapshot(m))

    train.fit(model, torch.nn.functional.cross_entropy, x, y, epochs=3, lr=0.5, callback=keep)
    assert seen == [0, 1, 2, 3]
    assert not torch.equal(states[0]["weight"], states[-1]["weight"])  # training moved on ...
    assert torch.equal(states[-1]["weight"], model.weight)  # ... and the last copy is the final state
    model.load_state_dict(states[0])
    assert torch.equal(model.weight, states[0]["weight"])


def test_steps_collects_reports_records_and_is_seeded():
    def run(seed):
        w = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)

        def step(i):
            opt.zero_grad()
            loss = ((w - torch.randn(1)) ** 2).sum()
            loss.backward()
            opt.step()
            return {"loss": loss.item(), **({"odd": 1.0} if i % 2 else {})}

        return train.steps(step, 7, record=lambda i: float(w), every=3, seed=seed)

    a, b, c = run(0), run(0), run(1)
    assert np.array_equal(a["loss"], b["loss"]) and not np.array_equal(a["loss"], c["loss"])
    assert a["loss"].shape == (7,)
    assert np.isnan(a["odd"][[0, 2, 4, 6]]).all() and (a["odd"][[1, 3, 5]] == 1).all()
    assert list(a["recorded_steps"]) == [0, 3, 6, 7] and a["recorded"][0] == 0.0
    assert train.steps(lambda i: None, 3) == {}
    with pytest.raises(TypeError, match="step_fn"):
        train.steps(lambda i: 1.0, 2)
