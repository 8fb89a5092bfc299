"""kan_edu.kan.pde (the paper's Poisson problem) against independent references, and the shipped comparison
kan_edu/data_files/kan_poisson.json (made by experiments/kan_poisson.py) against a replay of its start."""

from __future__ import annotations

import json
import math
from importlib.resources import files

import numpy as np
import pytest
import sympy as sp
import torch

from kan_edu.kan import KAN
from kan_edu.kan.pde import fit_poisson, laplacian, poisson_loss, poisson_points, poisson_solution, poisson_source
from tests.helpers import load_experiment

torch.set_num_threads(1)
SHIPPED = files("kan_edu") / "data_files" / "kan_poisson.json"


def shipped() -> dict:
    return json.loads(SHIPPED.read_text())


class Formula(torch.nn.Module):
    """A "network" that is a known function of its inputs (no parameters)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def points(n=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 2, generator=g, dtype=torch.float64) * 2 - 1


def test_source_is_the_laplacian_of_the_solution_by_sympy():
    x, y = sp.symbols("x y")
    u = sp.sin(sp.pi * x) * sp.sin(sp.pi * y**2)
    f = sp.lambdify((x, y), sp.diff(u, x, 2) + sp.diff(u, y, 2), "numpy")
    p = points()
    assert torch.allclose(poisson_solution(p)[:, 0], torch.sin(math.pi * p[:, 0]) * torch.sin(math.pi * p[:, 1] ** 2))
    np.testing.assert_allclose(
        poisson_source(p)[:, 0].numpy(), f(p[:, 0].numpy(), p[:, 1].numpy()), rtol=1e-12, atol=1e-12
    )


def test_laplacian_of_known_functions():
    p = points()
    # the exact solution: its Laplacian is the source (checked against sympy above)
    assert torch.allclose(laplacian(Formula(poisson_solution), p), poisson_source(p), atol=1e-10)
    # a polynomial: ∇²(x³y + 2y²) = 6xy + 4, and a third input counts too: ∇²(x² + y² + z²) = 6
    cubic = laplacian(Formula(lambda v: v[:, :1] ** 3 * v[:, 1:] + 2 * v[:, 1:] ** 2), p)
    assert torch.allclose(cubic[:, 0], 6 * p[:, 0] * p[:, 1] + 4, atol=1e-12)
    p3 = torch.cat([p, p[:, :1]], 1)
    assert torch.allclose(
        laplacian(Formula(lambda v: (v**2).sum(1, keepdim=True)), p3), torch.full((50, 1), 6.0).double()
    )


def test_laplacian_of_a_kan_matches_finite_differences_and_trains():
    model = KAN([2, 3, 1], grid=5, seed=0, dtype=torch.float64, noise_scale=1.0)
    p = points(20, seed=1) * 0.9
    lap = laplacian(model, p)
    h = 1e-4
    with torch.no_grad():
        fd = sum((model(p + h * e) - 2 * model(p) + model(p - h * e)) / h**2 for e in torch.eye(2, dtype=torch.float64))
    assert torch.allclose(lap, fd, atol=1e-5)
    assert lap.abs().max() > 1e-2  # not a linear network: the comparison can fail
    # the Laplacian keeps its graph: a loss on it has a parameter gradient (what training needs)
    (lap**2).mean().backward()
    assert model.layers[0].coef.grad is not None and model.layers[0].coef.grad.abs().max() > 0


def test_poisson_loss_is_the_papers():
    xi, xb = poisson_points(40, 8, seed=3)
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    loss, residual, boundary = poisson_loss(model, xi, xb, alpha=0.3)
    ref_res = torch.mean((laplacian(model, xi) - poisson_source(xi)) ** 2)
    assert torch.isclose(residual, ref_res) and torch.isclose(boundary, torch.mean(model(xb) ** 2))
    assert torch.isclose(loss, 0.3 * ref_res + boundary)
    # the exact solution has no residual and vanishes on the boundary
    exact = poisson_loss(Formula(poisson_solution), xi, xb)[0]
    assert float(exact.detach()) < 1e-20


def test_laplacian_needs_one_output_per_point():
    with pytest.raises(ValueError, match="model must map"):
        laplacian(torch.nn.Linear(2, 3).double(), points(4))


def test_points():
    xi, xb = poisson_points(100, 40, seed=0)
    assert xi.shape == (100, 2) and xb.shape == (40, 2) and xi.dtype == torch.float64
    assert xi.abs().max() < 1 and torch.equal(xi, poisson_points(100, 40, seed=0)[0])
    assert torch.all(xb.abs().max(1).values == 1)  # every boundary point on a side
    assert torch.all(xb.abs().min(1).values < 1)  # and no corner
    with pytest.raises(ValueError, match="n_boundary must be a multiple of 4"):
        poisson_points(10, 6)


def test_fit_poisson_lowers_the_error():
    xi, xb = poisson_points(200, 40, seed=0)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    history = fit_poisson(model, xi, xb, steps=3)
    assert len(history["loss"]) == 4 and history["loss"][-1] < 0.9 * history["loss"][0]
    assert history["l2"][-1] < history["l2"][0]
    with pytest.raises(ValueError, match="update_grid"):
        fit_poisson(model, xi, xb, steps=1, update_grid=True)


# ---------------------------------------------------------------------------------- the shipped comparison
def experiment():
    return load_experiment("kan_poisson")


def test_shipped_file_is_a_fair_comparison():
    data = shipped()
    fair, runs = data["fairness"], data["runs"]
    assert fair["dtype"] == "float64" and "for both" in fair["optimizer"]
    seeds = {name: sorted(r["seed"] for r in runs if r["model"] == name) for name in ("KAN", "MLP")}
    assert seeds["KAN"] == seeds["MLP"] == fair["seeds"] and len(fair["seeds"]) >= 5
    assert abs(fair["kan_params"] - fair["mlp_params"]) <= 0.05 * fair["kan_params"]
    for r in runs:  # every run: the same number of steps, recorded at the same steps, finite results
        assert r["params"] == fair[f"{r['model'].lower()}_params"]
        assert r["steps"] == list(range(0, fair["steps"] + 1, fair["every"]))
        assert len(r["loss"]) == len(r["l2_curve"]) == len(r["steps"])
        assert (
            math.isfinite(r["l2"])
            and math.isfinite(r["residual"])
            and r["l2"] == pytest.approx(r["l2_curve"][-1], rel=1e-5)
        )
    for r in runs:
        if r["seed"] == 0:
            assert len(r["error_map"]) == fair["test_grid"] ** 2
    assert len(SHIPPED.read_bytes()) < 200_000


@pytest.mark.parametrize("name", ["KAN", "MLP"])
def test_shipped_file_replays(name):
    """Seed 0 of each network, retrained for two steps here, starts as the shipped run did."""
    module, data = experiment(), shipped()
    assert module.SETTINGS == {key: data["fairness"][key] for key in module.SETTINGS}
    every = data["fairness"]["every"]
    replay = module.run(name, 0, steps=every)
    run = next(r for r in data["runs"] if r["model"] == name and r["seed"] == 0)
    assert replay["params"] == run["params"]
    np.testing.assert_allclose(replay["loss"], run["loss"][:2], rtol=1e-5)
    np.testing.assert_allclose(replay["l2_curve"], run["l2_curve"][:2], rtol=1e-5)
