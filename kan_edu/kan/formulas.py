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

from .._validate import choice, flag, sequence, size, strings
from .symbolic import SYMBOLIC_LIB, _fit_affine
from .training import _as_dataset, _losses

__all__ = ["FormulaMixin"]


class FormulaMixin:
    """Symbolic-regression methods of :class:`KAN`."""

    def _edge_data(self, l: int, i: int, j: int, x: torch.Tensor):
        """The inputs of edge (l, i, j) and its activations there, for the (checked) network inputs ``x``."""
        with torch.no_grad():
            h = x.to(self.layers[0].coef.dtype)
            for m, layer in enumerate(self.layers[:l]):
                h = self._nodes(m, layer._forward(h))
            phi = self.layers[l]._edge_activations(h)[:, i, j]
        return h[:, i], phi

    def _index(self, l, i, j) -> tuple[int, int, int]:
        """(l, i, j) checked: layer l, its input i and output j."""
        l = size("l", l, minimum=0, maximum=len(self.layers) - 1)
        layer = self.layers[l]
        return l, size("i", i, minimum=0, maximum=layer.in_dim - 1), size("j", j, minimum=0, maximum=layer.out_dim - 1)

    @staticmethod
    def _library(lib) -> list[str]:
        """The library names ``lib`` checked (None: every function but "0")."""
        if lib is None:
            return [n for n in SYMBOLIC_LIB if n != "0"]
        return [choice(f"lib[{k}]", name, SYMBOLIC_LIB) for k, name in enumerate(sequence("lib", lib, 1, "names"))]

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
        l, i, j = self._index(l, i, j)
        names, topk, x = self._library(lib), size("topk", topk), self._samples(x)
        out = self._suggest(l, i, j, names, topk, x)
        if flag("verbose", verbose):
            for name, r2, c in out:
                print(f"{name:10s} R² = {r2:.6f}  complexity {c}")
        return out

    def _suggest(self, l, i, j, names, topk, x):
        xi, phi = self._edge_data(l, i, j, x)
        rows = []
        for name in names:
            _, r2 = _fit_affine(xi, phi, name)
            score = math.log2(max(1 - r2, 0.0) + 1e-8) / 4 + SYMBOLIC_LIB[name].complexity
            rows.append((score, name, r2, SYMBOLIC_LIB[name].complexity))
        rows.sort()
        return [(name, r2, c) for _, name, r2, c in rows[:topk]]

    def fix_symbolic(self, l: int, i: int, j: int, name: str, x: torch.Tensor | None = None) -> float:
        """Replace edge (l, i, j) by c·f(a·x + b) + d fitted to its current curve; return the fit's R².
        The four constants stay trainable: fit again afterwards to polish them. ``name`` is looked up in
        :data:`.symbolic.SYMBOLIC_LIB` (never parsed)."""
        l, i, j = self._index(l, i, j)
        return self._fix(l, i, j, choice("name", name, SYMBOLIC_LIB), self._samples(x))

    def _fix(self, l, i, j, name, x):
        xi, phi = self._edge_data(l, i, j, x)
        (a, b, c, d), r2 = _fit_affine(xi, phi, name)
        layer = self.layers[l]
        with torch.no_grad():
            layer.sym_params[i, j] = torch.tensor([a, b, c, d], dtype=layer.sym_params.dtype)
            layer.sym_mask[i, j] = 1.0
        layer.sym_names[i][j] = name
        return r2

    def unfix_symbolic(self, l: int, i: int, j: int):
        """Turn edge (l, i, j) back into its spline (the coefficients it had when it was fixed)."""
        l, i, j = self._index(l, i, j)
        layer = self.layers[l]
        with torch.no_grad():
            layer.sym_mask[i, j] = 0.0
            layer.sym_params[i, j] = 0.0
        layer.sym_names[i][j] = "0"

    def auto_symbolic(
        self, lib: Sequence[str] | None = None, x: torch.Tensor | None = None, verbose: bool = False
    ) -> dict:
        """Fix every active numeric edge to its best-ranked library function; return {(l, i, j): name}."""
        names, x, verbose = self._library(lib), self._samples(x), flag("verbose", verbose)
        chosen = {}
        for l, layer in enumerate(self.layers):
            for i in range(layer.in_dim):
                for j in range(layer.out_dim):
                    if layer.mask[i, j] == 0 or layer.sym_mask[i, j] == 1:
                        continue
                    name = self._suggest(l, i, j, names, 1, x)[0][0]
                    r2 = self._fix(l, i, j, name, x)
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

        data, max_nfev = _as_dataset(dataset, self.n_in), size("max_nfev", max_nfev)
        _losses(None, self.n_out, data["train_label"])  # (the labels' columns are the outputs)
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
        names = (
            [f"x_{i + 1}" for i in self.input_ids] if var_names is None else strings("var_names", var_names, self.n_in)
        )
        digits = None if digits is None else size("digits", digits, minimum=0)
        exprs = [sympy.Symbol(n) for n in names]  # (a symbol's name is a label: nothing is parsed)

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
