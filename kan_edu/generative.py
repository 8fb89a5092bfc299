"""kan_edu.generative: toy distributions with exact densities, and the measures of a generative model.

Part III of the book (UDL chapters 14-18) compares models that learn a distribution from its samples. To say
how well one did, we need data whose density is known exactly, and numbers that score a set of generated
samples. This module holds both, shared by the chapters on GANs, flows, VAEs and diffusion:

* **Toy distributions.** :class:`GaussianMixture` is a mixture of Gaussians with diagonal covariances. Its log
  density, its *score* ``grad_x log p(x)``, its component posteriors and its first two moments are closed
  forms, so a learnt density or a learnt score can be compared with the truth. :meth:`GaussianMixture.diffused`
  is the exact distribution of ``sqrt(ab) x + sqrt(1 - ab) eps`` (a mixture again), which is what a diffusion
  model's forward process makes of mixture data. :func:`ring` is the ring of Gaussians on which GANs show mode
  collapse; :func:`toy_2d` draws the usual 2-D data sets (moons, circles, a spiral, the ring).
* **Measures.** Likelihood of held-out data (:func:`kde_log_likelihood` for a kernel density estimate), the
  Frechet distance between Gaussians fitted to two samples (:func:`frechet_distance`, the "FID" without the
  Inception network), k-nearest-neighbour precision and recall (:func:`precision_recall_knn`, quality against
  coverage), :func:`mode_coverage` for mixtures with known modes, the 1-D Wasserstein distance
  (:func:`wasserstein_1d`) and the Kullback-Leibler and Jensen-Shannon divergences of two histograms.
* :func:`density_grid` evaluates a log-density on a grid for an image (see ``kan_edu.artists.density_image``).

numpy arrays or torch tensors go in; the same kind comes out (torch keeps autograd). Samples are numpy.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import linalg, stats
from scipy.special import logsumexp

from . import _validate as v

__all__ = [
    "GaussianMixture",
    "ring",
    "toy_2d",
    "kde_log_likelihood",
    "frechet_distance",
    "frechet_distance_samples",
    "precision_recall_knn",
    "mode_coverage",
    "wasserstein_1d",
    "kl_divergence",
    "js_divergence",
    "density_grid",
]

TOY_2D = ("moons", "circles", "spiral", "ring")


# ------------------------------------------------------------------------------------------ distributions
class GaussianMixture:
    """A mixture of K Gaussians in d dimensions with diagonal covariances, with every quantity in closed form.

    ``means`` is (K, d) (a flat list of K numbers is K one-dimensional components); ``stds`` is one number, K
    numbers (one per component, the same on every axis) or (K, d); ``weights`` are K positive numbers,
    normalised here (``None``: equal weights).

    Points ``x`` are (N, d); for a 1-D mixture a flat (N,) array also works and the results are then flat.
    """

    def __init__(self, means, stds, weights=None):
        means = v.array("means", means, (1, 2), empty=False)
        self.means = means[:, None] if means.ndim == 1 else means
        k, d = self.means.shape
        v.total_size("means", k * d, "numbers")
        stds = v.array("stds", stds, (0, 1, 2), low=0, low_open=True)
        if stds.ndim == 1 and stds.shape != (k,):
            raise ValueError(
                f"stds must be one number, {k} numbers (one per component) or ({k}, {d}), got {stds.shape}"
            )
        if stds.ndim == 2 and stds.shape != (k, d):
            raise ValueError(
                f"stds must be one number, {k} numbers (one per component) or ({k}, {d}), got {stds.shape}"
            )
        self.stds = np.broadcast_to(stds[:, None] if stds.ndim == 1 else stds, (k, d)).astype(float).copy()
        if weights is None:
            w = np.full(k, 1.0 / k)
        else:
            w = v.array("weights", weights, 1, shape=(k,), like="means", low=0)
            if w.sum() <= 0:
                raise ValueError("weights must not all be 0")
            w = w / w.sum()
        self.weights = w

    @property
    def dim(self) -> int:
        """The dimension d of a point."""
        return self.means.shape[1]

    @property
    def n_components(self) -> int:
        """The number K of components."""
        return self.means.shape[0]

    def __repr__(self) -> str:
        return f"GaussianMixture(n_components={self.n_components}, dim={self.dim})"

    # -- points in, torch inside, the caller's kind out
    def _points(self, x):
        """x as a float torch tensor (N, d), whether it came flat, and whether it came as numpy."""
        d = self.dim
        if isinstance(x, torch.Tensor):
            v.tensor("x", x, (1, 2) if d == 1 else 2, floating=True, values=True)
            t, numpy_in = x, False
        else:
            t, numpy_in = torch.from_numpy(v.array("x", x, (1, 2) if d == 1 else 2)), True
        flat = t.ndim == 1
        t = t[:, None] if flat else t
        if t.shape[1] != d:
            raise ValueError(f"x must be (N, {d}) points of this {d}-D mixture, got shape {tuple(t.shape)}")
        return t, flat, numpy_in

    def _parameters(self, like: torch.Tensor):
        kw = dict(dtype=like.dtype, device=like.device)
        return (
            torch.as_tensor(self.means, **kw),
            torch.as_tensor(self.stds, **kw),
            torch.as_tensor(np.log(np.maximum(self.weights, 1e-300)), **kw),
        )

    def _component_log_probs(self, t: torch.Tensor) -> torch.Tensor:
        """log w_k + log N(x; mu_k, diag sigma_k^2), shape (N, K)."""
        mu, sd, logw = self._parameters(t)
        z = (t[:, None, :] - mu) / sd
        log_norm = -0.5 * z.pow(2).sum(-1) - torch.log(sd).sum(-1) - 0.5 * self.dim * math.log(2 * math.pi)
        return logw + log_norm

    @staticmethod
    def _out(t: torch.Tensor, numpy_in: bool):
        return t.detach().numpy() if numpy_in else t

    def log_prob(self, x):
        """log p(x) for each point, shape (N,)."""
        t, _, numpy_in = self._points(x)
        return self._out(torch.logsumexp(self._component_log_probs(t), dim=1), numpy_in)

    def prob(self, x):
        """p(x) for each point, shape (N,)."""
        t, _, numpy_in = self._points(x)
        return self._out(torch.logsumexp(self._component_log_probs(t), dim=1).exp(), numpy_in)

    def responsibilities(self, x):
        """The posterior P(component k | x), shape (N, K); each row sums to 1."""
        t, _, numpy_in = self._points(x)
        return self._out(torch.softmax(self._component_log_probs(t), dim=1), numpy_in)

    def score(self, x):
        """The score grad_x log p(x) = sum_k r_k(x) (mu_k - x) / sigma_k^2, same shape as x."""
        t, flat, numpy_in = self._points(x)
        mu, sd, _ = self._parameters(t)
        r = torch.softmax(self._component_log_probs(t), dim=1)
        s = (r[:, :, None] * (mu - t[:, None, :]) / sd.pow(2)).sum(1)
        return self._out(s[:, 0] if flat else s, numpy_in)

    def sample(self, n, seed=0, return_labels: bool = False):
        """n points (n, d) as a numpy array, drawn with their own generator (``seed``); with ``return_labels``
        also the component of each point (n,)."""
        n = v.size("n", n, minimum=0)
        v.total_size("n", n * self.dim, "numbers")
        rng = np.random.default_rng(v.random_seed("seed", seed))
        labels = rng.choice(self.n_components, size=n, p=self.weights)
        x = self.means[labels] + self.stds[labels] * rng.standard_normal((n, self.dim))
        return (x, labels) if v.flag("return_labels", return_labels) else x

    def diffused(self, alpha_bar) -> GaussianMixture:
        """The distribution of sqrt(ab) x + sqrt(1 - ab) eps for x from this mixture and eps ~ N(0, I):
        a mixture with means sqrt(ab) mu_k and variances ab sigma_k^2 + (1 - ab)."""
        ab = v.number("alpha_bar", alpha_bar, 0, 1)
        return GaussianMixture(math.sqrt(ab) * self.means, np.sqrt(ab * self.stds**2 + (1 - ab)), self.weights)

    def mean(self) -> np.ndarray:
        """E[x], shape (d,)."""
        return self.weights @ self.means

    def covariance(self) -> np.ndarray:
        """Cov[x] (d, d): the weighted component covariances plus the spread of the means."""
        centred = self.means - self.mean()
        within = np.diag(self.weights @ self.stds**2)
        return within + (self.weights[:, None] * centred).T @ centred


def ring(k=8, radius=2.0, std=0.05) -> GaussianMixture:
    """k equal Gaussians (std ``std``) evenly spaced on a circle of radius ``radius``, the first on the x axis."""
    k = v.size("k", k, maximum=10**5)
    radius = v.number("radius", radius, 0, low_open=True)
    std = v.number("std", std, 0, low_open=True)
    angles = 2 * np.pi * np.arange(k) / k
    return GaussianMixture(radius * np.stack([np.cos(angles), np.sin(angles)], 1), std)


def toy_2d(name, n, seed=0, noise=None) -> np.ndarray:
    """n points (n, 2) of a standard 2-D toy data set, on a scale of about 1.

    ``"moons"`` (two interleaved half circles) and ``"circles"`` (two concentric circles) come from sklearn,
    centred and scaled; ``"spiral"`` is a two-turn spiral; ``"ring"`` samples :func:`ring`. ``noise`` is the
    standard deviation of the Gaussian noise added (defaults: 0.1, 0.05, 0.05, ring's own 0.05)."""
    name = v.choice("name", name, TOY_2D)
    n = v.size("n", n, maximum=10**6)
    seed = v.random_seed("seed", seed, sequences=False)
    defaults = {"moons": 0.1, "circles": 0.05, "spiral": 0.05, "ring": 0.05}
    noise = defaults[name] if noise is None else v.number("noise", noise, 0)
    if name == "ring":
        return ring(std=max(noise, 1e-12)).sample(n, seed)
    if name == "spiral":
        rng = np.random.default_rng(seed)
        t = np.sqrt(rng.uniform(0, 1, n)) * 4 * np.pi
        x = np.stack([t * np.cos(t), t * np.sin(t)], 1) / (2 * np.pi)
        return x + noise * rng.standard_normal((n, 2))
    from sklearn import datasets

    if name == "moons":
        x, _ = datasets.make_moons(n, noise=noise, random_state=seed)
        return (x - [0.5, 0.25]) / 0.85
    x, _ = datasets.make_circles(n, noise=noise, factor=0.5, random_state=seed)
    return x


# -------------------------------------------------------------------------------------------- measures
def _points(name: str, x, like: np.ndarray | None = None, like_name: str = "") -> np.ndarray:
    """Points as a float array (N, d) (a flat array is N one-dimensional points), with as many columns as the
    points ``like`` (called ``like_name``) when those are given."""
    x = v.array(name, x, (1, 2), empty=False)
    x = x[:, None] if x.ndim == 1 else x
    if like is not None and x.shape[1] != like.shape[1]:
        raise ValueError(
            f"{name} must have as many columns as {like_name}: {name} is {x.shape}, {like_name} is {like.shape}"
        )
    return x


def kde_log_likelihood(train, test, bandwidth) -> float:
    """The mean log density of the ``test`` points under a Gaussian kernel density estimate built on the
    ``train`` points: p(x) = (1/n) sum_i N(x; x_i, h^2 I), computed exactly with logsumexp. Points are (N, d)."""
    train = _points("train", train)
    test = _points("test", test, train, "train")
    h = v.number("bandwidth", bandwidth, 0, low_open=True)
    v.total_size("train and test", len(train) * len(test), "pairs")
    d = train.shape[1]
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(-1)
    log_k = -0.5 * sq / h**2 - d * math.log(h) - 0.5 * d * math.log(2 * math.pi)
    return float(np.mean(logsumexp(log_k, axis=1) - math.log(len(train))))


def _moments(mu_name, mu, c_name, c):
    mu = np.atleast_1d(v.array(mu_name, mu, (0, 1), empty=False))
    c = np.atleast_2d(v.array(c_name, c, (0, 2), shape=None))
    if c.shape != (mu.size, mu.size):
        raise ValueError(f"{c_name} must be ({mu.size}, {mu.size}) like {mu_name}, got shape {c.shape}")
    if not np.allclose(c, c.T, rtol=1e-8, atol=1e-10 * max(1.0, float(np.abs(c).max()))):
        raise ValueError(f"{c_name} must be a symmetric covariance matrix")
    if np.linalg.eigvalsh(c).min() < -1e-8 * max(1.0, float(np.abs(c).max())):
        raise ValueError(f"{c_name} must be positive semi-definite (a covariance), it has a negative eigenvalue")
    return mu, c


def frechet_distance(mu1, C1, mu2, C2) -> float:
    """The Frechet (2-Wasserstein squared) distance between N(mu1, C1) and N(mu2, C2):
    |mu1 - mu2|^2 + tr(C1 + C2 - 2 (C1 C2)^(1/2)). Means (d,) and covariances (d, d); numbers for d = 1."""
    mu1, C1 = _moments("mu1", mu1, "C1", C1)
    mu2, C2 = _moments("mu2", mu2, "C2", C2)
    if mu1.size != mu2.size:
        raise ValueError(f"mu1 and mu2 must have the same dimension, got {mu1.size} and {mu2.size}")
    # (C1 C2)^(1/2) has the trace of (C1^(1/2) C2 C1^(1/2))^(1/2), a symmetric PSD matrix: stabler to compute.
    r1 = linalg.sqrtm(C1)
    r1 = np.real(r1)
    middle = r1 @ C2 @ r1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2)
    cross = np.sqrt(np.clip(eig, 0, None)).sum()
    d = float(np.sum((mu1 - mu2) ** 2) + np.trace(C1) + np.trace(C2) - 2 * cross)
    return max(d, 0.0)


def frechet_distance_samples(x, y) -> float:
    """:func:`frechet_distance` between Gaussians fitted (mean and covariance) to two samples (N, d)."""
    x = _points("x", x)
    y = _points("y", y, x, "x")
    if len(x) < 2 or len(y) < 2:
        raise ValueError("x and y need at least 2 points each to estimate a covariance")
    cov = lambda a: np.atleast_2d(np.cov(a, rowvar=False))  # noqa: E731
    return frechet_distance(x.mean(0), cov(x), y.mean(0), cov(y))


def _kth_neighbour_radius(points: np.ndarray, k: int) -> np.ndarray:
    from scipy.spatial import cKDTree

    # k + 1 because each point is its own nearest neighbour.
    dist, _ = cKDTree(points).query(points, k=k + 1)
    return dist[:, -1]


def _inside(points: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """For each point, whether it lies within some centre's radius."""
    from scipy.spatial import cKDTree

    tree = cKDTree(centres)
    hits = tree.query_ball_point(points, r=radii.max())
    out = np.zeros(len(points), bool)
    for i, js in enumerate(hits):
        if js:
            js = np.asarray(js)
            out[i] = bool(np.any(np.linalg.norm(centres[js] - points[i], axis=1) <= radii[js]))
    return out


def precision_recall_knn(real, fake, k=3):
    """Precision and recall of generated samples (Kynkaanniemi et al., 2019).

    Each set is approximated by the union of balls around its points, of radius the distance to the point's
    k-th nearest neighbour in the same set. *Precision* is the fraction of ``fake`` points inside the real
    set's balls (are the samples realistic?); *recall* is the fraction of ``real`` points inside the fake set's
    balls (is all of the data covered?). Swapping the arguments swaps the two numbers.
    """
    real = _points("real", real)
    fake = _points("fake", fake, real, "real")
    k = v.size("k", k)
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"real and fake need more than k = {k} points each, got {len(real)} and {len(fake)}")
    precision = _inside(fake, real, _kth_neighbour_radius(real, k)).mean()
    recall = _inside(real, fake, _kth_neighbour_radius(fake, k)).mean()
    return float(precision), float(recall)


def mode_coverage(samples, means, radius, min_count=1):
    """How many modes a sample finds: a mode (a row of ``means``) is covered when at least ``min_count``
    samples lie within ``radius`` of it. Returns ``(modes_covered, on_mode_fraction)``, the second the fraction
    of samples within ``radius`` of some mode."""
    samples = _points("samples", samples)
    means = _points("means", means, samples, "samples")
    radius = v.number("radius", radius, 0, low_open=True)
    min_count = v.size("min_count", min_count)
    v.total_size("samples and means", len(samples) * len(means), "pairs")
    dist = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=2)
    near = dist <= radius
    return int(np.sum(near.sum(0) >= min_count)), float(near.any(1).mean())


def wasserstein_1d(x, y) -> float:
    """The Wasserstein-1 (earth mover's) distance between two 1-D samples: the area between their empirical
    distribution functions. For equal sizes it is the mean |x_(i) - y_(i)| of the sorted samples."""
    x = v.array("x", x, 1, empty=False)
    y = v.array("y", y, 1, empty=False)
    if len(x) == len(y):
        return float(np.mean(np.abs(np.sort(x) - np.sort(y))))
    return float(stats.wasserstein_distance(x, y))


def _histograms(p, q):
    p = v.array("p", p, 1, empty=False, low=0)
    q = v.array("q", q, 1, shape=(len(p),), like="p", low=0)
    for name, a in (("p", p), ("q", q)):
        if a.sum() <= 0:
            raise ValueError(f"{name} must have a positive total, got all zeros")
    return p / p.sum(), q / q.sum()


def kl_divergence(p, q) -> float:
    """KL(p || q) = sum_i p_i log(p_i / q_i) of two histograms over the same bins (normalised here), in nats;
    terms with p_i = 0 count 0, and it is inf where q_i = 0 < p_i."""
    p, q = _histograms(p, q)
    on = p > 0
    if np.any(q[on] == 0):
        return math.inf
    return float(max(np.sum(p[on] * (np.log(p[on]) - np.log(q[on]))), 0.0))


def js_divergence(p, q) -> float:
    """The Jensen-Shannon divergence (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2, in nats: symmetric,
    finite, and log 2 when p and q share no bin."""
    p, q = _histograms(p, q)
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)


def density_grid(log_prob, extent, n=100):
    """``(xs, ys, density)``: a log-density callable evaluated on an n x n grid over
    ``extent = (xmin, xmax, ymin, ymax)``; ``density[i, j]`` is p at (xs[j], ys[i]) (rows are y, as ``imshow``
    with ``origin="lower"`` draws them). ``log_prob`` takes (M, 2) numpy points and returns M numbers."""
    log_prob = v.function("log_prob", log_prob, "(points)")
    extent = v.array("extent", extent, 1, shape=(4,))
    v.ordered("extent[0]", extent[0], "extent[1]", extent[1])
    v.ordered("extent[2]", extent[2], "extent[3]", extent[3])
    n = v.size("n", n, minimum=2, maximum=2000)
    xs = np.linspace(extent[0], extent[1], n)
    ys = np.linspace(extent[2], extent[3], n)
    gx, gy = np.meshgrid(xs, ys)
    values = log_prob(np.stack([gx.ravel(), gy.ravel()], 1))
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    values = v.array("log_prob(points)", values, (1, 2), finite=False)
    if values.size != n * n:
        raise ValueError(f"log_prob must return one number per point ({n * n}), got shape {values.shape}")
    return xs, ys, np.exp(values.reshape(n, n))
