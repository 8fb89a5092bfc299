"""kan_edu.kan: Kolmogorov-Arnold networks, written to be read and to be fast.

A Kolmogorov-Arnold network (KAN, Liu et al. 2024, arXiv 2404.19756, bibtex ``liu2024kan``) puts a learnable
one-dimensional function on every *edge* and only sums at the nodes. Layer l maps n_l inputs to n_{l+1}
outputs by

    y_j = Σ_i φ_ij(x_i),        φ_ij(x) = w_b,ij · silu(x) + w_s,ij · Σ_m c_ijm B_m(x),

where the B_m are B-splines of order k on a grid of G intervals (extended by k knots on each side, so there
are G + k of them), c are the spline coefficients and w_b, w_s per-edge scales.

Reading order, one idea per module:

1. :mod:`.splines`: B-spline bases where they are non-zero; one general recursion (any knots,
   differentiable to any order) and one fast one (uniform knots, in place).
2. :mod:`.features`: a layer's feature buffer [b(x), B(x)] and its input gradient, right to every order.
3. :mod:`.layer`: :class:`KANLayer`, all edges of a layer by ONE matmul; grid updates and grid extension.
4. :mod:`.symbolic`: the symbolic library, :func:`fit_affine` (c·f(a·x+b)+d) and :func:`tidy`.
5. :mod:`.network`: :class:`KAN`, the stack of layers, with its methods from :mod:`.training`,
   :mod:`.pruning`, :mod:`.formulas` and :mod:`.plot`.
6. :mod:`.pde`: the paper's Poisson problem, a physics-informed loss on the network's Laplacian.
"""

from .features import BASE_FUNCTIONS  # noqa: F401  (the names below, less used, keep importing from here)
from .layer import KANLayer
from .network import KAN
from .pde import fit_poisson, laplacian, poisson_loss, poisson_points, poisson_solution, poisson_source
from .splines import _local_bases, _local_bases_uniform, _uniform_spacing, bspline_basis, uniform_knots  # noqa: F401
from .symbolic import SYMBOLIC_LIB, SymbolicFunction, fit_affine, tidy  # noqa: F401

__all__ = [
    "bspline_basis",
    "uniform_knots",
    "KANLayer",
    "KAN",
    "SYMBOLIC_LIB",
    "fit_affine",
    "tidy",
    "poisson_solution",
    "poisson_source",
    "laplacian",
    "poisson_points",
    "poisson_loss",
    "fit_poisson",
]
