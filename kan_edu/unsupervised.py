"""kan_edu.unsupervised: density estimators and a tunable toy generator for unsupervised learning (UDL chapter 14).

Two pieces of plumbing that the chapter on unsupervised learning drives; the measures of a generative model
(test log-likelihood, Fréchet distance, k-NN precision and recall) live in :mod:`kan_edu.generative`.

* :func:`fit_density` fits one of three classical density estimators to samples, all behind one interface
  (:class:`Density`: ``log_prob(x)`` and ``sample(n, seed)``): a single Gaussian, a mixture of Gaussians
  (``complexity`` = number of components, fitted by EM in scikit-learn) and a kernel density estimate
  (``complexity`` = bandwidth). Comparing their training and test log-likelihoods as the complexity grows shows
  under- and over-fitting of a density, as in supervised learning.
* :func:`tempered` turns a Gaussian mixture into a "generator" with two knobs that real generative models have
  in disguise: a *temperature* that scales every component's spread (a low temperature gives crisp, typical
  samples; a high one gives diverse, blurry ones) and the number of *modes kept* (a generator that has
  forgotten part of the data). Sweeping both shows why quality and coverage need separate measures.
"""

from __future__ import annotations

import numpy as np

from ._validate import array as _array
from ._validate import choice, number, random_seed, size

__all__ = ["KINDS", "fit_density", "tempered"]

#: The largest coordinate :func:`fit_density` accepts: beyond it squared distances overflow float64.
MAX_ABS = 1e100

#: The density estimators :func:`fit_density` knows, and what their ``complexity`` means.
KINDS = {
    "gaussian": "ignored (one Gaussian with a full covariance)",
    "mixture": "the number of Gaussian components (full covariances, fitted by EM)",
    "kde": "the bandwidth h of a Gaussian kernel density estimate (smaller = more complex)",
}


class Density:
    """A fitted density estimator (made by :func:`fit_density`): ``log_prob(x)`` and ``sample(n, seed)``.

    Attributes: ``kind``, ``complexity`` and ``dim`` (the dimension of the data), and ``estimator`` (the fitted
    scikit-learn object: ``sklearn.mixture.GaussianMixture`` or ``sklearn.neighbors.KernelDensity``).
    """

    def __init__(self, kind: str, complexity, estimator, dim: int):
        self.kind, self.complexity, self.estimator, self.dim = kind, complexity, estimator, dim

    def __repr__(self) -> str:
        return f"Density(kind={self.kind!r}, complexity={self.complexity!r}, dim={self.dim})"

    def log_prob(self, x) -> np.ndarray:
        """The log density at each row of ``x`` (N, dim), in nats: shape (N,)."""
        x = _array("x", x, 2, shape=(None, self.dim), low=-MAX_ABS, high=MAX_ABS)
        if len(x) == 0:  # no points, no densities (scikit-learn refuses an empty batch)
            return np.empty(0)
        return self.estimator.score_samples(x)

    def sample(self, n: int, seed=0) -> np.ndarray:
        """``n`` samples (n, dim) drawn from the fitted density with a seeded generator."""
        n = size("n", n, maximum=10**7)
        seed = random_seed("seed", seed, sequences=False)
        if self.kind == "kde":  # sklearn's KernelDensity.sample takes a random_state
            return self.estimator.sample(n, random_state=seed)
        # sklearn's GaussianMixture samples from its own random_state: draw components and normals here, seeded
        rng = np.random.default_rng(seed)
        est = self.estimator
        labels = rng.choice(len(est.weights_), size=n, p=est.weights_ / est.weights_.sum())
        noise = rng.standard_normal((n, self.dim))
        return est.means_[labels] + np.einsum("nij,nj->ni", np.linalg.cholesky(est.covariances_)[labels], noise)


def fit_density(kind: str, x, complexity=None, seed=0) -> Density:
    """Fit a density estimator of ``kind`` (``"gaussian"``, ``"mixture"`` or ``"kde"``) to the samples ``x``.

    ``x`` is (N, d) numpy (or a CPU tensor). ``complexity`` is the number of mixture components (an integer
    from 1 to N) for ``"mixture"``, the bandwidth (> 0) for ``"kde"``, and unused for ``"gaussian"`` (see
    :data:`KINDS`). Mixtures are fitted by EM from a k-means start drawn from ``seed``, with a small floor on the
    variances (scikit-learn's ``reg_covar=1e-6``) so that a component cannot collapse onto one point.
    Returns a :class:`Density`.
    """
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import KernelDensity

    kind = choice("kind", kind, tuple(KINDS))
    x = _array("x", x, 2, empty=False, low=-MAX_ABS, high=MAX_ABS)
    n, d = x.shape
    seed = random_seed("seed", seed, sequences=False)
    if kind == "gaussian":
        if n < 2:
            raise ValueError(f"x must hold at least 2 samples to fit a Gaussian, got {n}")
        complexity = 1
        estimator = GaussianMixture(1, covariance_type="full", random_state=seed).fit(x)
    elif kind == "mixture":
        complexity = size("complexity (the number of components)", complexity, maximum=10**4)
        if n < max(complexity, 2):
            raise ValueError(f"x must hold at least {max(complexity, 2)} samples for {complexity} components, got {n}")
        estimator = GaussianMixture(complexity, covariance_type="full", random_state=seed).fit(x)
    else:
        complexity = number("complexity (the bandwidth)", complexity, low=0, low_open=True)
        estimator = KernelDensity(bandwidth=complexity).fit(x)
    return Density(kind, complexity, estimator, d)


def tempered(mixture, temperature: float = 1.0, modes: int | None = None):
    """A "generator" made from ``mixture`` (a :class:`kan_edu.generative.GaussianMixture`): every component's
    standard deviations multiplied by ``temperature`` (> 0), and only its first ``modes`` components kept (all by
    default), their weights renormalised. Returns a new GaussianMixture: exact ``log_prob`` and seeded ``sample``.
    """
    from .generative import GaussianMixture

    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be a kan_edu.generative.GaussianMixture, got {type(mixture).__name__}")
    temperature = number("temperature", temperature, low=0, low_open=True, high=1e6)
    modes = mixture.n_components if modes is None else size("modes", modes, maximum=mixture.n_components)
    return GaussianMixture(mixture.means[:modes], mixture.stds[:modes] * temperature, weights=mixture.weights[:modes])
