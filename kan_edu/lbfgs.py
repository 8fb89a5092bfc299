"""kan_edu.lbfgs: limited-memory BFGS that keeps learning when the loss is tiny.

KANs fit smooth targets to 1e-6 and below, where the mean squared error is 1e-12. ``torch.optim.LBFGS`` then
stops improving: it stores a curvature pair (s, y) only when yᵀs > 1e-10, a fixed floor in the units of the
loss. Once the loss itself is near 1e-10 no pair passes, the quasi-Newton model freezes, and training stalls
(a [2,1,1] KAN on exp(sin(πx) + y²) plateaued near RMSE 5e-5 instead of reaching 6e-7 at G = 50). pykan works
around this with its own copy of the optimizer; here is ours, short enough to read.

The method (Nocedal & Wright, *Numerical Optimization*, 2nd ed., algorithms 7.4 and 7.5): keep the last m
steps s_i = x_{i+1} − x_i and gradient changes y_i = g_{i+1} − g_i; the two-loop recursion turns them into
d = −H g, an approximate Newton direction, with H₀ = (sᵀy / yᵀy)·I from the latest pair; a line search along
d picks a step length that satisfies the strong Wolfe conditions. The only difference from torch's optimizer
is that the curvature floor ``tolerance_ys`` is a parameter (default 1e-32: any positive curvature counts).
The line search is torch's own strong-Wolfe routine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch.optim.lbfgs import _strong_wolfe  # torch's line search (cubic interpolation, Wolfe conditions)

from ._validate import MAX_LR, function, instance, non_negative, number, sequence, size

__all__ = ["LBFGS"]


class LBFGS(torch.optim.Optimizer):
    """Full-batch L-BFGS with a strong-Wolfe line search; ``step(closure)`` runs up to ``max_iter`` iterations.

    ``closure`` must zero the gradients, compute the loss, call ``backward`` and return the loss. A step
    evaluates it at most ``max_eval`` times (1.25·max_iter by default, as torch). The history of curvature
    pairs is kept across calls to ``step``. Training stops early within a step when the largest
    gradient entry is at most ``tolerance_grad`` or the loss or the step changes by less than
    ``tolerance_change``.
    """

    def __init__(
        self,
        params,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        history_size: int = 10,
        tolerance_grad: float = 1e-32,
        tolerance_change: float = 1e-32,
        tolerance_ys: float = 1e-32,
    ):
        lr, tolerance_grad = number("lr", lr, 0, MAX_LR), non_negative("tolerance_grad", tolerance_grad)
        tolerance_change, tolerance_ys = (
            non_negative("tolerance_change", tolerance_change),
            non_negative("tolerance_ys", tolerance_ys),
        )
        max_iter, history_size = size("max_iter", max_iter), size("history_size", history_size)
        max_eval = max_iter * 5 // 4 if max_eval is None else size("max_eval", max_eval)
        if not isinstance(params, torch.Tensor):  # (torch's own message names a lone tensor)
            params = sequence(
                "params", list(instance("params", params, Iterable, "an iterable of tensors")), 1, "tensors"
            )
        super().__init__(
            params,
            dict(
                lr=lr,
                max_iter=max_iter,
                max_eval=max_eval,
                history_size=history_size,
                tolerance_grad=tolerance_grad,
                tolerance_change=tolerance_change,
                tolerance_ys=tolerance_ys,
            ),
        )
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS takes one parameter group")
        self._params = self.param_groups[0]["params"]

    # -- the parameters as one flat vector ---------------------------------------------------------------
    def _flat_grad(self) -> torch.Tensor:
        return torch.cat(
            [torch.zeros_like(p).reshape(-1) if p.grad is None else p.grad.reshape(-1) for p in self._params]
        )

    def _flat_params(self) -> torch.Tensor:
        return torch.cat([p.detach().reshape(-1) for p in self._params])

    @torch.no_grad()
    def _move_to(self, x: torch.Tensor, t: float, d: torch.Tensor):
        """Set the parameters to x + t·d (each one copied from x, then moved by t·d)."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p.copy_(x[offset : offset + n].view_as(p))
            p.add_(d[offset : offset + n].view_as(p), alpha=t)
            offset += n

    def _evaluate(self, closure, x: torch.Tensor, t: float, d: torch.Tensor):
        """Loss and gradient at x + t·d (the line search's probe)."""
        self._move_to(x, t, d)
        with torch.enable_grad():
            loss = float(closure().detach())
        return loss, self._flat_grad()

    # -- one call: up to max_iter iterations -------------------------------------------------------------
    @torch.no_grad()
    def step(self, closure):
        function("closure", closure, "that zeroes the gradients, computes the loss, calls backward and returns it")
        group = self.param_groups[0]
        lr, tol_grad, tol_change = group["lr"], group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("n_iter", 0)
        state.setdefault("pairs", [])  # (s, y, 1/yᵀs), oldest first

        with torch.enable_grad():
            first_loss = closure()
        loss, g = float(first_loss), self._flat_grad()
        if not (math.isfinite(loss) and bool(torch.isfinite(g).all())):
            raise FloatingPointError(f"the loss or its gradient is not finite (loss {loss}) where the step starts")
        if g.abs().max() <= tol_grad:
            return first_loss
        evals = 1

        for _ in range(group["max_iter"]):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, h0 = -g, 1.0
            else:
                y, s = g - state["g"], state["d"] * state["t"]
                ys = float(y @ s)
                if ys > group["tolerance_ys"]:  # keep pairs with positive curvature only
                    state["pairs"] = (state["pairs"] + [(s, y, 1.0 / ys)])[-group["history_size"] :]
                    state["h0"] = ys / float(y @ y)
                d, h0 = -g.clone(), state.get("h0", 1.0)
                alphas = []
                for s_i, y_i, rho in reversed(state["pairs"]):  # first loop: newest to oldest
                    a = rho * float(s_i @ d)
                    d.add_(y_i, alpha=-a)
                    alphas.append(a)
                d.mul_(h0)
                for (s_i, y_i, rho), a in zip(state["pairs"], reversed(alphas)):  # second loop: oldest first
                    b = rho * float(y_i @ d)
                    d.add_(s_i, alpha=a - b)
            # the very first step is scaled so that it moves the parameters by at most lr in L1
            t = min(1.0, 1.0 / float(g.abs().sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(g @ d)
            if gtd > -tol_change:  # not a descent direction (numerically): nothing left to gain
                break
            prev_loss = loss
            x = self._flat_params()
            probe = lambda x_, t_, d_: self._evaluate(closure, x_, t_, d_)  # noqa: E731
            loss, g_new, t, n_evals = _strong_wolfe(probe, x, t, d, loss, g, gtd, max_ls=group["max_eval"] - evals)
            self._move_to(x, t, d)
            state.update(d=d, t=t, g=g)
            g = g_new
            evals += n_evals
            done = (
                evals >= group["max_eval"]
                or g.abs().max() <= tol_grad
                or (d * t).abs().max() <= tol_change
                or abs(loss - prev_loss) < tol_change
            )
            if done:
                break
        return first_loss
