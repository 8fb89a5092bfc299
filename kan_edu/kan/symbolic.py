"""kan_edu.kan.symbolic: the symbolic library, fitting c·f(a·x + b) + d to a curve, and tidying formulas.

Each library entry is one function in two forms, torch (to evaluate a fixed edge) and sympy (to print the
network as a formula), with a complexity that the ranking in :meth:`KAN.suggest_symbolic` trades against fit.
:func:`fit_affine` finds the four constants of one entry for samples (x, y) of an edge; :func:`tidy` turns
fitted floats back into the simple numbers (rationals, multiples of π) they stand for.
"""

from __future__ import annotations

import hashlib
import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy
import torch

from .._validate import array, choice, instance, interval, number, same_length, size, total_size

__all__ = ["SymbolicFunction", "SYMBOLIC_LIB", "fit_affine", "tidy"]


@dataclass(frozen=True)
class SymbolicFunction:
    """A library entry: the same function for torch and for sympy, and how complex it counts."""

    torch: Callable
    sympy: Callable
    complexity: int


def _safe_inv(x):
    return 1 / torch.where(x.abs() < 1e-12, torch.full_like(x, 1e-12), x)


SYMBOLIC_LIB: dict[str, SymbolicFunction] = {
    "0": SymbolicFunction(lambda x: 0 * x, lambda x: sympy.Integer(0), 0),
    "x": SymbolicFunction(lambda x: x, lambda x: x, 1),
    "x^2": SymbolicFunction(lambda x: x**2, lambda x: x**2, 2),
    "x^3": SymbolicFunction(lambda x: x**3, lambda x: x**3, 3),
    "x^4": SymbolicFunction(lambda x: x**4, lambda x: x**4, 3),
    "1/x": SymbolicFunction(_safe_inv, lambda x: 1 / x, 2),
    "sqrt": SymbolicFunction(lambda x: torch.sqrt(x), sympy.sqrt, 2),
    "exp": SymbolicFunction(torch.exp, sympy.exp, 2),
    "log": SymbolicFunction(lambda x: torch.log(x), sympy.log, 2),
    "sin": SymbolicFunction(torch.sin, sympy.sin, 2),
    "tan": SymbolicFunction(torch.tan, sympy.tan, 3),
    "tanh": SymbolicFunction(torch.tanh, sympy.tanh, 3),
    "arctan": SymbolicFunction(torch.arctan, sympy.atan, 3),
    "arctanh": SymbolicFunction(torch.atanh, sympy.atanh, 3),
    "abs": SymbolicFunction(torch.abs, sympy.Abs, 3),
    "gaussian": SymbolicFunction(lambda x: torch.exp(-(x**2)), lambda x: sympy.exp(-(x**2)), 3),
    # (below: added in the second edition, toward pykan's library; functions that equal an earlier entry up to
    # the affine constants, as cos = sin shifted or arccos = π/2 − arcsin, count as more complex, so that a tie
    # goes to the earlier one and the ranking does not flip on rounding)
    "x^5": SymbolicFunction(lambda x: x**5, lambda x: x**5, 3),
    "1/x^2": SymbolicFunction(lambda x: _safe_inv(x) ** 2, lambda x: x**-2, 2),
    "1/x^3": SymbolicFunction(lambda x: _safe_inv(x) ** 3, lambda x: x**-3, 3),
    "1/x^4": SymbolicFunction(lambda x: _safe_inv(x) ** 4, lambda x: x**-4, 4),
    "1/sqrt": SymbolicFunction(lambda x: 1 / torch.sqrt(x), lambda x: 1 / sympy.sqrt(x), 2),
    "x^1.5": SymbolicFunction(lambda x: torch.sqrt(x) ** 3, lambda x: x ** sympy.Rational(3, 2), 4),
    "cos": SymbolicFunction(torch.cos, sympy.cos, 3),
    "sgn": SymbolicFunction(torch.sign, sympy.sign, 3),
    "arcsin": SymbolicFunction(torch.arcsin, sympy.asin, 4),
    "arccos": SymbolicFunction(torch.arccos, sympy.acos, 5),
    "sinh": SymbolicFunction(torch.sinh, sympy.sinh, 3),
    "cosh": SymbolicFunction(torch.cosh, sympy.cosh, 3),
}


def _r2(y, pred):
    ss = ((y - y.mean()) ** 2).sum()
    return 1 - ((y - pred) ** 2).sum() / ss if ss > 0 else torch.tensor(1.0 if torch.allclose(y, pred) else 0.0)


def fit_affine(
    x, y, name: str, a_range=(-10.0, 10.0), b_range=(-10.0, 10.0), n_grid: int = 41, zooms: int = 3
) -> tuple[tuple[float, float, float, float], float]:
    """Fit y ≈ c·f(a·x + b) + d for the library function ``name``; return ((a, b, c, d), R²).

    For each (a, b) on an ``n_grid`` x ``n_grid`` grid (over the standardised input), c and d follow by linear
    least squares; the grid zooms ``zooms`` times around the best pair (to the 4 x 4 steps around it, with at
    most 21 x 21 points), and Levenberg-Marquardt polishes all four constants at the end.
    Pairs where f is undefined (log or sqrt of a negative number) are skipped. ``x`` and ``y`` are arrays or
    tensors with the same number of entries (flattened), at least 2.
    """
    x, y = array("x", x).reshape(-1), array("y", y).reshape(-1)
    if same_length("x and y", x, y) < 2:
        raise ValueError(f"x and y need at least 2 samples, got {len(x)}")
    name = choice("name", name, SYMBOLIC_LIB)
    a_range, b_range = interval("a_range", a_range), interval("b_range", b_range)
    n_grid, zooms = size("n_grid", n_grid, minimum=2), size("zooms", zooms, minimum=0, maximum=MAX_ZOOMS)
    total_size("n_grid and x", n_grid * n_grid * len(x), "values of f per zoom")
    return _fit_affine(torch.from_numpy(x), torch.from_numpy(y), name, a_range, b_range, n_grid, zooms)


#: Each zoom shrinks the search box at least fivefold: after 30, float64 has nothing left to find.
MAX_ZOOMS = 30
#: Points per side of a zoom's grid (the first grid has ``n_grid``): 4 steps of the previous grid in 20.
ZOOM_GRID = 21


#: Fits already made, by their arguments (the samples by a digest of their bytes): ranking an edge and then
#: fixing it (``suggest_symbolic``, then ``auto_symbolic`` or ``fix_symbolic``) fits the same samples again.
_FITS: dict = {}
_MAX_FITS = 4096


@torch.no_grad()
def _fit_affine(x, y, name, a_range=(-10.0, 10.0), b_range=(-10.0, 10.0), n_grid=41, zooms=3):
    """:func:`fit_affine` for checked arguments (``x``, ``y`` finite tensors of the same length); a fit of the
    same samples with the same settings is looked up, not repeated (the result is a pure function of them)."""
    x = torch.as_tensor(x, dtype=torch.float64).detach().cpu().reshape(-1).contiguous()
    y = torch.as_tensor(y, dtype=torch.float64).detach().cpu().reshape(-1).contiguous()
    digest = hashlib.blake2b(x.numpy().tobytes() + b"|" + y.numpy().tobytes(), digest_size=16).digest()
    key = (name, tuple(map(float, a_range)), tuple(map(float, b_range)), n_grid, zooms, digest)
    if key not in _FITS:
        if len(_FITS) >= _MAX_FITS:
            _FITS.pop(next(iter(_FITS)))
        _FITS[key] = _search_affine(x, y, name, a_range, b_range, n_grid, zooms)
    return _FITS[key]


def _search_affine(x, y, name, a_range, b_range, n_grid, zooms):
    """The grid search and polish of :func:`fit_affine` (float64 tensors ``x`` and ``y``)."""
    if name == "0":
        return (0.0, 0.0, 0.0, 0.0), float(_r2(y, torch.zeros_like(y)))
    f = SYMBOLIC_LIB[name].torch
    # search on the standardised input z = (x − m)/s, so that the ranges fit any scale of x:
    # f(a'·z + b') = f(a·x + b) with a = a'/s, b = b' − a'·m/s
    m, s = x.mean(), x.std()
    s = s if s > 0 else torch.ones_like(s)
    x_raw, x = x, (x - m) / s
    (a_lo, a_hi), (b_lo, b_hi) = a_range, b_range
    y_centred = y - y.mean()
    y_ss = (y_centred * y_centred).sum()
    best, n = None, n_grid
    for _ in range(zooms + 1):
        a = torch.linspace(a_lo, a_hi, n, dtype=torch.float64)
        b = torch.linspace(b_lo, b_hi, n, dtype=torch.float64)
        fx = f(a[:, None, None] * x + b[None, :, None])  # (A, B, N)
        total = fx.sum(-1)
        # (A, B): f defined (and not near overflow) at every sample. A NaN or an infinity makes the sum
        # non-finite, so this costs one reduction instead of a pass of isfinite over all A·B·N values.
        defined = torch.isfinite(total)
        if not bool(defined.all()):  # (most functions are defined everywhere: skip the masking then)
            fx.nan_to_num_(nan=0.0, posinf=0.0, neginf=0.0)
            total = fx.sum(-1)
        centred = fx - (total / x.numel())[..., None]
        cov = centred @ y_centred
        var = torch.linalg.vector_norm(centred, dim=-1) ** 2
        ok = defined & (var > 1e-24 * (x.numel() - 1))  # f defined everywhere and not constant (std > 1e-12)
        r2 = torch.where(ok, cov**2 / (var * y_ss + 1e-300), torch.full_like(cov, -1.0))
        ia, ib = divmod(int(torch.argmax(r2)), n)
        if best is None or r2[ia, ib] >= best[2]:
            best = (float(a[ia]), float(b[ib]), float(r2[ia, ib]))
        da, db = (a_hi - a_lo) / (n - 1), (b_hi - b_lo) / (n - 1)
        a_lo, a_hi = best[0] - 2 * da, best[0] + 2 * da
        b_lo, b_hi = best[1] - 2 * db, best[1] + 2 * db
        n = min(n_grid, ZOOM_GRID)  # a zoom only refines a start for the polish below: a coarser grid will do
    a_best, b_best = best[0] / float(s), best[1] - best[0] * float(m) / float(s)
    x = x_raw
    fx = f(a_best * x + b_best)
    if not torch.isfinite(fx).all():
        return (a_best, b_best, 0.0, float(y.mean())), -1.0
    design = torch.stack([fx, torch.ones_like(fx)], dim=1)
    # the SVD driver: the default, gelsy (QR with column pivoting), rounds differently for copies of the same
    # matrix at different addresses, which made the fitted constants change from process to process
    c, d = torch.linalg.lstsq(design, y[:, None], driver="gelsd").solution[:, 0].tolist()
    r2 = float(_r2(y, c * fx + d))
    # polish all four constants together (Levenberg-Marquardt); keep the grid's answer if that is better
    from scipy.optimize import least_squares

    xn, yn = x.numpy(), y.numpy()

    def residuals(p):
        with np.errstate(all="ignore"):
            out = p[2] * f(torch.from_numpy(p[0] * xn + p[1])).numpy() + p[3] - yn
        return np.where(np.isfinite(out), out, 1e6)

    polished = least_squares(residuals, [a_best, b_best, c, d], method="lm", max_nfev=200)
    pa, pb, pc, pd = polished.x
    with np.errstate(all="ignore"):
        pred = pc * f(torch.tensor(pa * xn + pb)) + pd
    if torch.isfinite(pred).all():
        r2_polished = float(_r2(y, pred))
        if r2_polished > r2:
            return (float(pa), float(pb), float(pc), float(pd)), r2_polished
    return (a_best, b_best, c, d), r2


def tidy(expr, tolerance: float = 1e-8):
    """Replace every float in a sympy expression by the simplest rational or rational multiple of π within
    ``tolerance`` (leaving it alone when there is none), then simplify: 3.14159265358979·x becomes π·x.

    Products and powers are multiplied out first (not exponentials, logs or trig functions), so that constants
    which only make sense together, as in 0.0049·(14.28·y)², become one number (1.0000·y²); numbers no larger
    than ``tolerance`` become 0. ``expr`` is a sympy expression or a number: a string is refused, since
    sympy would evaluate it as Python code to parse it.
    """
    expr = instance("expr", expr, (sympy.Basic, numbers.Real), "a sympy expression or a number (text is not parsed)")
    tolerance = number("tolerance", tolerance, 1e-15, 1)  # (below float64's resolution sympy's search fails)
    expr = sympy.expand(sympy.sympify(expr), power_exp=False, log=False, trig=False)
    swap = {}
    for value in expr.atoms(sympy.Float):
        if abs(float(value)) <= tolerance:
            swap[value] = sympy.Integer(0)
            continue
        guess = sympy.nsimplify(value, [sympy.pi], tolerance=tolerance)
        if abs(float(guess) - float(value)) <= tolerance * max(1.0, abs(float(value))) and len(str(guess)) < 12:
            swap[value] = guess
    return sympy.simplify(expr.xreplace(swap))
