"""kan_edu.kan.formulas: a KAN's edges as formulas, and the whole network as sympy expressions.

For one edge, every library function f is fitted as c·f(a·x + b) + d to the edge's samples and ranked by fit
and simplicity (:meth:`suggest_symbolic`); :meth:`fix_symbolic` replaces the spline by the formula;
:meth:`fit_constants` polishes all constants together; :meth:`symbolic_formula` composes the layers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import sympy
import torch

from .symbolic import SYMBOLIC_LIB, fit_affine
from .training import _as_dataset

__all__ = ["FormulaMixin"]


class FormulaMixin:
    """Symbolic-regression methods of :class:`KAN`."""

    def _edge_data(self, l: int, i: int, j: int, x: torch.Tensor | None = None):
        self._index(l, i, j)
        with torch.no_grad():
            h = self._samples(x).to(self.layers[0].coef.dtype)
            for m, layer in enumerate(self.layers[:l]):
                h = self._nodes(m, layer(h))
            phi = self.layers[l].edge_activations(h)[:, i, j]
        return h[:, i], phi

    def _index(self, l, i, j):
        if not 0 <= l < len(self.layers):
            raise IndexError(f"layer index {l} out of range: the network has {len(self.layers)} layers")
        layer = self.layers[l]
        if not 0 <= i < layer.in_dim:
            raise IndexError(f"input index {i} out of range: layer {l} has {layer.in_dim} inputs")
        if not 0 <= j < layer.out_dim:
            raise IndexError(f"output index {j} out of range: layer {l} has {layer.out_dim} outputs")

    def suggest_symbolic(
        self,
        l: int,
        i: int,
        j: int,
        lib: Sequence[str] | None = None,
        topk: int = 5,
        x: torch.Tensor | None = None,
        verbose: bool = False,
    ) -> list[tuple[str, float, int]]:
        """Rank library functions for edge (l, i, j): ``[(name, R², complexity), ...]``, best first.

        The ranking trades fit for simplicity: score = log2(1 − R² + 1e-8) / 4 + complexity, so one unit of
        complexity must buy a 16-fold smaller unexplained variance. Lower is better.
        """
        names = list(lib) if lib is not None else [n for n in SYMBOLIC_LIB if n != "0"]
        for name in names:
            if name not in SYMBOLIC_LIB:
                raise ValueError(f"unknown symbolic function {name!r}; choose one of {sorted(SYMBOLIC_LIB)}")
        xi, phi = self._edge_data(l, i, j, x)
        rows = []
        for name in names:
            _, r2 = fit_affine(xi, phi, name)
            score = math.log2(max(1 - r2, 0.0) + 1e-8) / 4 + SYMBOLIC_LIB[name].complexity
            rows.append((score, name, r2, SYMBOLIC_LIB[name].complexity))
        rows.sort()
        out = [(name, r2, c) for _, name, r2, c in rows[:topk]]
        if verbose:
            for name, r2, c in out:
                print(f"{name:10s} R² = {r2:.6f}  complexity {c}")
        return out

    def fix_symbolic(self, l: int, i: int, j: int, name: str, x: torch.Tensor | None = None) -> float:
        """Replace edge (l, i, j) by c·f(a·x + b) + d fitted to its current curve; return the fit's R².
        The four constants stay trainable: fit again afterwards to polish them."""
        if name not in SYMBOLIC_LIB:
            raise ValueError(f"unknown symbolic function {name!r}; choose one of {sorted(SYMBOLIC_LIB)}")
        xi, phi = self._edge_data(l, i, j, x)
        (a, b, c, d), r2 = fit_affine(xi, phi, name)
        layer = self.layers[l]
        with torch.no_grad():
            layer.sym_params[i, j] = torch.tensor([a, b, c, d], dtype=layer.sym_params.dtype)
            layer.sym_mask[i, j] = 1.0
        layer.sym_names[i][j] = name
        return r2

    def unfix_symbolic(self, l: int, i: int, j: int):
        """Turn edge (l, i, j) back into its spline (the coefficients it had when it was fixed)."""
        self._index(l, i, j)
        layer = self.layers[l]
        with torch.no_grad():
            layer.sym_mask[i, j] = 0.0
            layer.sym_params[i, j] = 0.0
        layer.sym_names[i][j] = "0"

    def auto_symbolic(
        self, lib: Sequence[str] | None = None, x: torch.Tensor | None = None, verbose: bool = False
    ) -> dict:
        """Fix every active numeric edge to its best-ranked library function; return {(l, i, j): name}."""
        chosen = {}
        for l, layer in enumerate(self.layers):
            for i in range(layer.in_dim):
                for j in range(layer.out_dim):
                    if layer.mask[i, j] == 0 or layer.sym_mask[i, j] == 1:
                        continue
                    name = self.suggest_symbolic(l, i, j, lib, topk=1, x=x)[0][0]
                    r2 = self.fix_symbolic(l, i, j, name, x)
                    chosen[(l, i, j)] = name
                    if verbose:
                        print(f"edge ({l},{i},{j}) -> {name} (R² = {r2:.5f})")
        return chosen

    def fit_constants(self, dataset: dict, max_nfev: int = 200) -> float:
        """Polish the constants (a, b, c, d) of every symbolic edge by Levenberg-Marquardt on the training set.

        Once the edges are formulas, few constants remain but their problem is badly conditioned (a tiny c
        times exp of a large a·x + b, say), where LBFGS crawls; scipy's Levenberg-Marquardt (finite-difference
        Jacobian) converges in a few dozen iterations. Spline edges stay fixed. Returns the training RMSE.
        """
        from scipy.optimize import least_squares

        data = _as_dataset(dataset)
        layers = [layer for layer in self.layers if layer.sym_mask.any()]
        if not layers:
            raise ValueError("no symbolic edge to fit: call fix_symbolic or auto_symbolic first")
        dtype = self.layers[0].coef.dtype
        x, y = data["train_input"].to(dtype), data["train_label"].to(dtype)
        slots = [(layer, layer.sym_mask.bool()) for layer in layers]
        start = torch.cat([layer.sym_params.detach()[m].reshape(-1) for layer, m in slots]).to(torch.float64)

        def load(theta):
            theta = torch.as_tensor(theta, dtype=torch.float64)
            offset = 0
            with torch.no_grad():
                for layer, m in slots:
                    n = int(m.sum()) * 4
                    layer.sym_params[m] = theta[offset : offset + n].reshape(-1, 4).to(dtype)
                    offset += n

        def residuals(theta):
            load(theta)
            with torch.no_grad():
                return (self(x) - y).reshape(-1).to(torch.float64).numpy()

        result = least_squares(
            residuals, start.numpy(), method="lm", max_nfev=max_nfev, xtol=1e-15, ftol=1e-15, gtol=1e-15
        )
        load(result.x)
        return float(np.sqrt(np.mean(result.fun**2)))

    def symbolic_formula(self, var_names: Sequence[str] | None = None, digits: int | None = None) -> list:
        """The network as sympy expressions, one per output, once every active edge is symbolic.

        ``digits`` rounds every constant to that many decimals (None keeps them all).
        """
        names = list(var_names) if var_names is not None else [f"x_{i + 1}" for i in self.input_ids]
        if len(names) != self.n_in:
            raise ValueError(f"need {self.n_in} variable names, got {len(names)}")
        exprs = [sympy.Symbol(n) for n in names]

        def num(v):
            v = float(v)
            return sympy.Float(round(v, digits)) if digits is not None else sympy.Float(v)

        for l, layer in enumerate(self.layers):
            out = []
            for j in range(layer.out_dim):
                total = sympy.Integer(0)
                for i in range(layer.in_dim):
                    if layer.mask[i, j] == 0:
                        continue
                    if layer.sym_mask[i, j] == 0:
                        raise ValueError(f"edge ({l}, {i}, {j}) is still a spline: call fix_symbolic or auto_symbolic")
                    a, b, c, d = layer.sym_params[i, j].tolist()
                    f = SYMBOLIC_LIB[layer.sym_names[i][j]].sympy
                    total += num(c) * f(num(a) * exprs[i] + num(b)) + num(d)
                out.append(total)
            m = self.mult[l + 1]  # product nodes multiply their two subnodes
            s = len(out) - 2 * m
            exprs = out[:s] + [out[s + 2 * q] * out[s + 2 * q + 1] for q in range(m)]
        return [sympy.nsimplify(e, rational=False) if digits is not None else e for e in exprs]
