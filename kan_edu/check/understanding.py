"""Checks for chapter 20 (why does deep learning work?): FGSM, magnitude masks, filter normalisation."""

from __future__ import annotations

import numpy as np
import torch

from ._core import answer, run

__all__ = ["fgsm", "magnitude_mask", "normalize_filters"]


def _linear_setup():
    """A seeded linear classifier and a batch of inputs inside (0, 1), far from the ends."""
    gen = torch.Generator().manual_seed(20)
    model = torch.nn.Linear(16, 4)
    with torch.no_grad():
        model.weight.copy_(torch.randn(4, 16, generator=gen))
        model.bias.copy_(torch.randn(4, generator=gen))
    x = 0.3 + 0.4 * torch.rand(12, 16, generator=gen)
    y = torch.randint(0, 4, (12,), generator=gen)
    return model, x, y


def _input_gradient(model, x, y):
    x = x.clone().requires_grad_(True)
    return torch.autograd.grad(torch.nn.functional.cross_entropy(model(x), y), x)[0]


def fgsm(fn):
    """Check ``fn(model, x, y, eps)``: the fast gradient sign method with cross-entropy, clipped to [0, 1]."""
    model, x, y = _linear_setup()
    grad = _input_gradient(model, x, y)
    eps = 0.05

    def result(x_in=x, eps_in=eps):
        out = answer(fn, model, x_in.clone(), y, eps_in)
        if not isinstance(out, torch.Tensor):
            raise TypeError(f"expected a torch tensor, got {type(out).__name__}")
        return out

    def loss(z):
        with torch.no_grad():
            return float(torch.nn.functional.cross_entropy(model(z), y))

    def unchanged_input():
        x_in = x.clone()
        answer(fn, model, x_in, y, eps)
        return torch.equal(x_in, x)

    def clipped():
        gen = torch.Generator().manual_seed(3)
        edge = torch.rand(12, 16, generator=gen).round()  # pixels at 0 and at 1
        out = result(edge, 0.3).detach()
        g = _input_gradient(model, edge, y)
        return bool(out.min() >= 0 and out.max() <= 1) and torch.allclose(
            out, (edge + 0.3 * g.sign()).clamp(0, 1), atol=1e-6
        )

    return run(
        "fgsm",
        [
            ("the result has the shape of x", lambda: tuple(result().shape) == tuple(x.shape), "one output per input."),
            (
                "the result does not require gradients",
                lambda: not result().requires_grad,
                "the attack's output is data, not part of a graph: detach it.",
            ),
            (
                "ε = 0 leaves the inputs as they are",
                lambda: torch.allclose(result(x, 0.0).detach(), x, atol=1e-7),
                "with a zero budget nothing may move.",
            ),
            (
                "the inputs you were given are not modified",
                unchanged_input,
                "work on a copy of x; an in-place update changes the caller's data.",
            ),
            (
                "no coordinate moves by more than ε",
                lambda: float((result().detach() - x).abs().max()) <= eps + 1e-6,
                "a step proportional to the gradient can be large in some coordinates; FGSM fixes the size of "
                "every coordinate's move.",
            ),
            (
                "the loss goes up",
                lambda: loss(result().detach()) > loss(x),
                "you step downhill, as training does; an attack must climb the loss.",
            ),
            (
                "every coordinate moves by ε in the direction in which the loss grows",
                lambda: torch.allclose(result().detach(), x + eps * grad.sign(), atol=1e-6),
                "use the gradient of the loss with respect to the inputs (not the weights, not the inputs "
                "themselves), and move every coordinate by the full budget.",
            ),
            (
                "pixels pushed past 0 or 1 stop there",
                clipped,
                "images live in [0, 1]; limit the result after the step, not the input before it.",
            ),
        ],
    )


def magnitude_mask(fn):
    """Check ``fn(w, sparsity)``: a boolean mask that removes the ``sparsity`` fraction of smallest |w|."""
    rng = np.random.default_rng(20)
    w = rng.standard_normal((5, 10))
    w[0, :3] = [-9.0, -8.0, -7.0]  # large negative weights must be kept

    def mask(weights=w, s=0.3):
        out = np.asarray(answer(fn, weights.copy(), s))
        return out

    def count_ok():
        for s in (0.3, 0.55, 0.9):
            out = mask(w, s)
            if out.shape != w.shape or abs(int((~out.astype(bool)).sum()) - s * w.size) >= 1:
                return False
        return True

    def largest_kept():
        for s in (0.3, 0.55, 0.9):
            keep = mask(w, s).astype(bool)
            if keep.all() or not keep.any():
                return False
            if np.abs(w[keep]).min() < np.abs(w[~keep]).max():
                return False
        return True

    return run(
        "magnitude_mask",
        [
            (
                "the mask is a boolean array of w's shape",
                lambda: mask().dtype == bool and mask().shape == w.shape,
                "return True/False for every weight, and keep the layer's shape (reshape after working on a "
                "flat copy).",
            ),
            (
                "sparsity 0 keeps every weight and sparsity 1 removes every weight",
                lambda: bool(mask(w, 0.0).all()) and not bool(mask(w, 1.0).any()),
                "True means kept; the sparsity is the fraction removed.",
            ),
            (
                "the number of removed weights is the sparsity times the number of weights (to within one)",
                count_ok,
                "the sparsity is the fraction that is switched off (False), not the fraction kept.",
            ),
            (
                "every kept weight is at least as large in magnitude as every removed one",
                largest_kept,
                "rank the weights by size regardless of sign: a large negative weight matters as much as a large "
                "positive one, and the small ones go.",
            ),
        ],
    )


def normalize_filters(fn):
    """Check ``fn(d, w)``: the rows of the direction ``d`` rescaled to the norms of the rows of ``w``."""
    gen = torch.Generator().manual_seed(20)
    w = (
        torch.randn(6, 9, generator=gen, dtype=torch.float64)
        * torch.linspace(0.2, 5.0, 6, dtype=torch.float64)[:, None]
    )
    d = (
        torch.randn(6, 9, generator=gen, dtype=torch.float64)
        * torch.linspace(3.0, 0.5, 6, dtype=torch.float64)[:, None]
    )

    def out(d_in=d, w_in=w):
        result = answer(fn, d_in.clone(), w_in.clone())
        if not isinstance(result, torch.Tensor):
            raise TypeError(f"expected a torch tensor, got {type(result).__name__}")
        return result.detach().to(torch.float64)

    def row_norms():
        return torch.allclose(out().norm(dim=1), w.norm(dim=1), rtol=1e-6)

    def same_directions():
        result = out()
        cosine = (result * d).sum(dim=1) / (result.norm(dim=1) * d.norm(dim=1))
        return torch.allclose(cosine, torch.ones(6, dtype=torch.float64), atol=1e-9)

    def scaling():
        return torch.allclose(out(7.0 * d, 3.0 * w), 3.0 * out(), rtol=1e-6)

    return run(
        "normalize_filters",
        [
            ("the result has the shape of d", lambda: tuple(out().shape) == tuple(d.shape), "one entry per weight."),
            (
                "each row keeps the direction of the same row of d",
                same_directions,
                "only the length of each row of d may change; its direction (and sign) must stay.",
            ),
            (
                "each row has the norm of the same row of w",
                row_norms,
                "a filter is a row (the weights into one unit), not a column and not the whole matrix; and the "
                "row of d must lose its own length before it takes w's.",
            ),
            (
                "scaling d changes nothing and scaling w scales the result",
                scaling,
                "the length of d must cancel out completely.",
            ),
        ],
    )
