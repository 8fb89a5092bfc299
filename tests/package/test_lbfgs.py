"""kan_edu.lbfgs against torch's LBFGS, numpy's least squares and scipy's BFGS."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize
import torch

from kan_edu.lbfgs import LBFGS


def _regression(opt_factory, steps=5):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()
    x = torch.randn(200, 3, dtype=torch.float64)
    y = torch.sin(x.sum(1, keepdim=True))
    opt = opt_factory(net.parameters())

    def closure():
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()])


def test_same_steps_as_torch_when_the_curvature_floor_is_torchs():
    ours = _regression(lambda p: LBFGS(p, history_size=10, tolerance_ys=1e-10))
    theirs = _regression(
        lambda p: torch.optim.LBFGS(
            p, history_size=10, line_search_fn="strong_wolfe", tolerance_grad=1e-32, tolerance_change=1e-32
        )
    )
    assert torch.equal(ours, theirs)


def test_keeps_learning_when_the_loss_is_tiny():
    # least squares scaled by 1e-12: every curvature pair has yᵀs far below torch's fixed floor of 1e-10
    g = torch.Generator().manual_seed(0)
    a = torch.randn(40, 6, generator=g, dtype=torch.float64)
    b = torch.randn(40, generator=g, dtype=torch.float64)
    exact = np.linalg.lstsq(a.numpy(), b.numpy(), rcond=None)[0]
    w = torch.zeros(6, dtype=torch.float64, requires_grad=True)
    opt = LBFGS([w])

    def closure():
        opt.zero_grad()
        loss = 1e-12 * ((a @ w - b) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    np.testing.assert_allclose(w.detach().numpy(), exact, atol=1e-8)


def test_rosenbrock_reaches_scipys_minimum():
    start = [-1.2, 1.0, -1.2, 1.0]
    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = LBFGS([x])

    def closure():
        opt.zero_grad()
        f = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        f.backward()
        return f

    for _ in range(10):
        opt.step(closure)
    reference = scipy.optimize.minimize(
        scipy.optimize.rosen, start, jac=scipy.optimize.rosen_der, method="BFGS", options={"gtol": 1e-10}
    ).x
    np.testing.assert_allclose(x.detach().numpy(), reference, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": -1.0}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"max_iter": 0}, "max_iter"),
        ({"history_size": 2.5}, "history_size"),
        ({"tolerance_ys": -1e-3}, "tolerance_ys"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LBFGS([torch.zeros(2, requires_grad=True)], **kwargs)


def test_needs_a_closure_and_one_group():
    w = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="closure"):
        LBFGS([w]).step(None)
    with pytest.raises(ValueError, match="one parameter group"):
        LBFGS([{"params": [w]}, {"params": [torch.zeros(1, requires_grad=True)]}])


def test_a_loss_that_is_not_finite_where_the_step_starts_is_an_error_not_a_crash():
    w = torch.zeros(2, requires_grad=True)
    optimizer = LBFGS([w])

    def closure():
        optimizer.zero_grad()
        loss = (w.sum() + float("inf")) * 1.0
        loss.backward()
        return loss

    with pytest.raises(FloatingPointError, match="not finite"):
        optimizer.step(closure)
    with pytest.raises(ValueError, match="params must list at least 1 tensors"):
        LBFGS([])
