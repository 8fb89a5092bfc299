"""kan_edu: the helper package behind the kan_edu deep-learning textbook.

One idea per module; chapters import from here, never the reverse.

- ``kan_edu.kan``       Kolmogorov-Arnold Networks (B-splines, layers, fitting, pruning, symbolic regression)
- ``kan_edu.isometry``  the isometry gap, the paper's batch norm, deep BN MLPs and their gradients
- ``kan_edu.data``      procedural, offline data sets
- ``kan_edu.figures``   one figure spec, three runtimes (live widgets, static book player, headless)
- ``kan_edu.glue``      numbers in the prose that come from the run (myst-nb glue, readable in Colab too)
- ``kan_edu.check``     exercise checks that give hints, never answers
- ``kan_edu.train``     small seeded training loops: ``fit`` with per-epoch snapshots, ``steps`` for any other loop
- ``kan_edu.nn``        network builders that chapters share (an MLP, the MNIST-1D CNN)
- ``kan_edu.artists``   figure pieces updated in place: an image mosaic, a labelled heatmap
- ``kan_edu.regression``      1-D linear regression: the least-squares loss surface and its closed-form fit
- ``kan_edu.shallow``   shallow networks: hinges, joints, linear regions
- ``kan_edu.deep``      deep ReLU networks: matrix form, composition (folding), counting linear regions
- ``kan_edu.losses``    negative log-likelihoods: Gaussian, Bernoulli, categorical (stable log-sum-exp)
- ``kan_edu.optim``     gradient descent, momentum, Adam and line search in numpy, with trajectories
- ``kan_edu.backprop``  backpropagation by hand, finite differences, activation and gradient size vs init
- ``kan_edu.performance``   bias and variance, double descent, the geometry of high dimensions
- ``kan_edu.regularization``  ridge, early stopping, ensembles, Bayesian linear regression, implicit regularisation

Submodules are found by listing the package and imported on first use (``kan_edu.optim``), so that
``import kan_edu`` stays fast and a new topic module needs no line here.
"""

import importlib
import pkgutil

__version__ = "0.1.0"

#: The topic modules, found by listing the package (every public submodule; none is imported here).
__all__ = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'kan_edu' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
