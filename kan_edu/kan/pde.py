"""kan_edu.kan.pde: solving the paper's Poisson problem with a physics-informed loss.

Section 3.4 of the KAN paper (Liu et al. 2024, bibtex ``liu2024kan``) solves, on Ω = [-1, 1]²,

    u_xx + u_yy = f  in Ω,        u = 0  on ∂Ω,

with f = -π²(1 + 4y²) sin(πx) sin(πy²) + 2π sin(πx) cos(πy²), whose solution is u = sin(πx) sin(πy²). A network
u_θ learns it from the equation alone, never from values of u: the loss is

    α · mean over interior points of (∇²u_θ − f)²  +  mean over boundary points of u_θ²

(α = 0.01 in the paper). The Laplacian ∇²u_θ = ∂²u_θ/∂x² + ∂²u_θ/∂y² is a second derivative of the network with
respect to its *inputs*, and the loss is then differentiated with respect to the *parameters*: autograd must
build the graph of the first derivative (``create_graph=True``) so that the second, and the parameter gradient
after it, can flow through it. Any network whose output for one sample depends only on that sample's inputs
works here (a KAN, an MLP; not batch normalisation).

Reading order: the exact solution and source, :func:`laplacian`, the collocation points, the loss, and
:func:`fit_poisson`, a full-batch LBFGS loop (the optimiser and settings of ``KAN.fit``) that records the
error against the exact solution as it goes.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .._validate import flag, floating_dtype, module, non_negative, random_seed, size, tensor
from ..lbfgs import LBFGS

__all__ = ["poisson_solution", "poisson_source", "laplacian", "poisson_points", "poisson_loss", "fit_poisson"]


def _points(name: str, x) -> torch.Tensor:
    """``x`` checked: a finite floating tensor of shape (N, 2), N ≥ 1."""
    return tensor(name, x, 2, floating=True, values=True, shape=(None, 2), empty=False)


def poisson_solution(x: torch.Tensor) -> torch.Tensor:
    """The exact solution u(x, y) = sin(πx) sin(πy²) at the points ``x`` (N, 2); returns (N, 1)."""
    x = _points("x", x)
    return _solution(x)


def _solution(x):
    return torch.sin(math.pi * x[:, :1]) * torch.sin(math.pi * x[:, 1:] ** 2)


def poisson_source(x: torch.Tensor) -> torch.Tensor:
    """The source f = ∇²u = -π²(1 + 4y²) sin(πx) sin(πy²) + 2π sin(πx) cos(πy²) at ``x`` (N, 2); returns (N, 1).

    (u_xx = -π² u; u_yy = sin(πx)·(2π cos(πy²) - 4π²y² sin(πy²)) by the chain rule on sin(πy²).)
    """
    x = _points("x", x)
    return _source(x)


def _source(x):
    sx, y2 = torch.sin(math.pi * x[:, :1]), math.pi * x[:, 1:] ** 2
    return -(math.pi**2) * (1 + 4 * x[:, 1:] ** 2) * sx * torch.sin(y2) + 2 * math.pi * sx * torch.cos(y2)


def laplacian(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """∇²u = Σ_i ∂²u/∂x_i² of the scalar network ``model`` at the points ``x`` (N, d); returns (N, 1).

    Differentiable with respect to the model's parameters (the graph of every derivative is kept), so a loss
    built on it trains the network. Each sample's output must depend only on its own inputs: then the gradient
    of the summed output with respect to the batch holds every sample's own gradient.
    """
    model = module("model", model)
    x = tensor("x", x, 2, floating=True, values=True, empty=False)
    return _laplacian(model, x)


def _laplacian(model, x):
    x = x.detach().requires_grad_(True)
    u = model(x)
    if u.ndim != 2 or u.shape[1] != 1:
        raise ValueError(f"model must map (N, d) to (N, 1) (one scalar u per point), got shape {tuple(u.shape)}")
    (grad,) = torch.autograd.grad(u.sum(), x, create_graph=True)
    lap = torch.zeros_like(u)
    for i in range(x.shape[1]):  # the i-th diagonal entry of each sample's Hessian
        (row,) = torch.autograd.grad(grad[:, i].sum(), x, create_graph=True)
        lap = lap + row[:, i : i + 1]
    return lap


def poisson_points(
    n_interior: int, n_boundary: int, seed: int = 0, dtype: torch.dtype = torch.float64
) -> tuple[torch.Tensor, torch.Tensor]:
    """Collocation points on [-1, 1]²: ``n_interior`` drawn uniformly inside (seeded), and ``n_boundary`` (a
    multiple of 4) evenly spaced along the four sides, corners excluded. Returns (interior, boundary)."""
    n_interior, n_boundary = size("n_interior", n_interior), size("n_boundary", n_boundary, minimum=4)
    if n_boundary % 4:
        raise ValueError(f"n_boundary must be a multiple of 4 (one share per side), got {n_boundary}")
    seed, dtype = random_seed("seed", seed, sequences=False), floating_dtype("dtype", dtype)
    g = torch.Generator().manual_seed(seed)
    interior = (torch.rand(n_interior, 2, generator=g, dtype=torch.float64) * 2 - 1).to(dtype)
    m = n_boundary // 4
    t = torch.linspace(-1, 1, m + 2, dtype=torch.float64)[1:-1]  # inside each side
    one = torch.ones_like(t)
    boundary = torch.cat(
        [torch.stack([t, -one], 1), torch.stack([one, t], 1), torch.stack([-t, one], 1), torch.stack([-one, -t], 1)]
    ).to(dtype)
    return interior, boundary


def poisson_loss(
    model: torch.nn.Module, x_interior: torch.Tensor, x_boundary: torch.Tensor, alpha: float = 0.01
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The paper's physics-informed loss α·mean (∇²u − f)² + mean u² (interior, boundary points).

    Returns (loss, interior mean square residual, boundary mean square), the first differentiable."""
    model = module("model", model)
    x_interior, x_boundary = _points("x_interior", x_interior), _points("x_boundary", x_boundary)
    return _poisson_loss(model, x_interior, x_boundary, non_negative("alpha", alpha))


def _poisson_loss(model, x_interior, x_boundary, alpha):
    residual = torch.mean((_laplacian(model, x_interior) - _source(x_interior)) ** 2)
    boundary = torch.mean(model(x_boundary) ** 2)
    return alpha * residual + boundary, residual, boundary


def fit_poisson(
    model: torch.nn.Module,
    x_interior: torch.Tensor,
    x_boundary: torch.Tensor,
    steps: int = 50,
    alpha: float = 0.01,
    x_test: torch.Tensor | None = None,
    update_grid: bool = False,
    stop_grid_update_step: int = 20,
    grid_update_every: int = 5,
) -> dict:
    """Train ``model`` on the Poisson problem with full-batch LBFGS (lr 1, history 10, 20 iterations a step:
    ``KAN.fit``'s optimiser and settings) for ``steps`` steps; return the history.

    The history holds numpy arrays with one entry before training and one after each step: ``loss``,
    ``residual`` and ``boundary`` (the two mean squares of the loss, on the training points), and, on ``x_test``
    (default: the interior points), ``l2`` (root mean squared error of u against the exact solution) and
    ``test_residual`` (root mean square of ∇²u − f). With ``update_grid`` (a KAN only) the grids are re-fitted
    to the interior points every ``grid_update_every`` steps before ``stop_grid_update_step``.
    """
    model = module("model", model)
    x_interior, x_boundary = _points("x_interior", x_interior), _points("x_boundary", x_boundary)
    x_test = x_interior if x_test is None else _points("x_test", x_test)
    steps, alpha = size("steps", steps, minimum=0), non_negative("alpha", alpha)
    update_grid = flag("update_grid", update_grid)
    stop = size("stop_grid_update_step", stop_grid_update_step, minimum=0)
    every = size("grid_update_every", grid_update_every)
    if update_grid and not hasattr(model, "update_grid"):
        raise ValueError("update_grid=True needs a model with an update_grid method (a KAN)")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters")
    exact = _solution(x_test)
    source = _source(x_test)
    history = {key: [] for key in ("loss", "residual", "boundary", "l2", "test_residual")}

    def record(loss, residual, boundary):
        history["loss"].append(float(loss))
        history["residual"].append(float(residual))
        history["boundary"].append(float(boundary))
        lap = _laplacian(model, x_test).detach()
        with torch.no_grad():
            history["l2"].append(float(torch.sqrt(torch.mean((model(x_test) - exact) ** 2))))
        history["test_residual"].append(float(torch.sqrt(torch.mean((lap - source) ** 2))))

    record(*(v.detach() for v in _poisson_loss(model, x_interior, x_boundary, alpha)))
    optimizer = LBFGS(params, lr=1.0, history_size=10)
    for step in range(steps):
        if update_grid and step < stop and step % every == 0:
            model.update_grid(x_interior)

        def closure():
            optimizer.zero_grad()
            loss = _poisson_loss(model, x_interior, x_boundary, alpha)[0]
            loss.backward()
            return loss

        optimizer.step(closure)
        values = [v.detach() for v in _poisson_loss(model, x_interior, x_boundary, alpha)]
        if not math.isfinite(float(values[0])):
            raise FloatingPointError(f"training diverged at step {step} (loss is {float(values[0])})")
        record(*values)
    return {key: np.array(v) for key, v in history.items()}
