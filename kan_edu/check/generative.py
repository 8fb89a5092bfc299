"""Checks for sampling a latent variable model and for the measures of a generative model: ancestral sampling of a
Gaussian mixture, the Fréchet distance between two Gaussians, the test log-likelihood of a kernel density
estimate, and k-NN precision and recall. The references are the functions of :mod:`kan_edu.generative`."""

from __future__ import annotations

import numpy as np

from .. import generative
from ._core import answer, close, is_number, run, scalar

__all__ = ["mixture_sampling", "frechet_distance", "kde_log_likelihood", "precision_recall"]


def _real_number(x) -> bool:
    """One number with no imaginary part worth mentioning (``scipy.linalg.sqrtm`` returns complex arrays)."""
    if np.iscomplexobj(x):
        return False
    return is_number(x) and bool(np.isfinite(scalar(x)))


def _spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.5 * np.eye(d)


# ------------------------------------------------------------------------------------------ mixture sampling
def mixture_sampling(fn):
    """Check ``fn(means, stds, weights, n, rng)``: n samples (n, d) of the Gaussian mixture with means (K, d),
    per-axis standard deviations (K, d) and weights (K,) that sum to 1, drawn with the numpy Generator ``rng``."""
    means = np.array([[-3.0, 0.0], [2.0, 1.0], [0.0, 4.0]])
    stds = np.array([[0.5, 1.5], [1.0, 0.3], [0.8, 0.8]])
    weights = np.array([0.6, 0.3, 0.1])
    n = 20_000

    def draw(m, s, w, size, seed):
        return np.asarray(answer(fn, m.copy(), s.copy(), w.copy(), size, np.random.default_rng(seed)), dtype=float)

    def fractions():
        x = draw(means, np.zeros_like(stds), weights, n, 1)
        nearest = np.argmin(((x[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
        return np.bincount(nearest, minlength=3) / n

    def frequencies_ok():
        err = np.abs(fractions() - weights)
        return bool(np.all(err <= 5 * np.sqrt(weights * (1 - weights) / n)))

    def spreads_ok():
        x = draw(means[:1], stds[:1], np.ones(1), n, 2)
        return bool(np.all(np.abs(x.std(axis=0) - stds[0]) <= 5 * stds[0] / np.sqrt(2 * n)))

    def moments_ok():
        x = draw(means, stds, weights, n, 3)
        gm = generative.GaussianMixture(means, stds, weights)
        mean_se = np.sqrt(np.diag(gm.covariance()) / n)
        cov_err = np.abs(np.cov(x.T) - gm.covariance())
        return bool(
            np.all(np.abs(x.mean(0) - gm.mean()) <= 5 * mean_se)
            and np.all(cov_err <= 0.1 * np.abs(gm.covariance()).max())
        )

    return run(
        "mixture_sampling",
        [
            (
                "the answer has one row per sample and one column per dimension (shape (n, d))",
                lambda: draw(means, stds, weights, 7, 0).shape == (7, 2),
                "draw n points, each a vector of d coordinates.",
            ),
            (
                "with all standard deviations 0, every sample is one of the means",
                lambda: bool(
                    np.all(
                        np.min(((draw(means, np.zeros_like(stds), weights, 500, 0)[:, None] - means) ** 2).sum(-1), 1)
                        < 1e-20
                    )
                ),
                "pick ONE component for each sample and use it for all of that sample's coordinates; a component "
                "chosen separately for each coordinate mixes the means.",
            ),
            (
                "the components appear in proportion to the weights",
                frequencies_ok,
                "draw the component of every sample anew (not once for all), with probabilities given by the "
                "weights, not uniformly.",
            ),
            (
                "each component has the standard deviations asked for, axis by axis",
                spreads_ok,
                "stds are standard deviations, not variances: scale standard normal noise by them, on the matching "
                "axis.",
            ),
            (
                "the same generator state gives the same samples (the randomness comes from rng)",
                lambda: np.array_equal(draw(means, stds, weights, 50, 4), draw(means, stds, weights, 50, 4)),
                "take every random number from the rng you are given, so that a seeded run can be repeated.",
            ),
            (
                "the samples have the mean and covariance of the mixture",
                moments_ok,
                "first the component z of each sample (by the weights), then its coordinates, the mean of component "
                "z plus its own noise.",
            ),
        ],
    )


# ----------------------------------------------------------------------------------------- Fréchet distance
def frechet_distance(fn):
    """Check ``fn(mu1, C1, mu2, C2)``: the squared Fréchet (2-Wasserstein) distance between N(mu1, C1) and
    N(mu2, C2), a float."""
    rng = np.random.default_rng(14)
    mu1, mu2 = rng.normal(size=3), rng.normal(size=3)
    C1, C2 = _spd(rng, 3), _spd(rng, 3)  # full covariances that do not commute
    delta = np.array([0.6, -1.2, 2.0])

    def fd(*args):
        return answer(fn, *[np.array(a, dtype=float) for a in args])

    def number(*args):
        return scalar(fd(*args))

    return run(
        "frechet_distance",
        [
            (
                "the answer is one real number",
                lambda: _real_number(fd(mu1, C1, mu2, C2)),
                "return a single float; scipy.linalg.sqrtm returns a complex matrix (with tiny imaginary parts from "
                "rounding): keep its real part.",
            ),
            (
                "two identical Gaussians are at distance 0",
                lambda: abs(number(mu1, C1, mu1, C1)) < 1e-6,
                "with equal means and covariances both terms must vanish: tr(C + C - 2 (C C)^(1/2)) = 0 needs the "
                "matrix square root of the product, and the factor 2.",
            ),
            (
                "in 1-D the distance is (mu1 - mu2)**2 + (sigma1 - sigma2)**2",
                lambda: close(number([1.0], [[4.0]], [-0.5], [[0.25]]), 1.5**2 + 1.5**2, rtol=1e-6),
                "the first term is the SQUARED distance between the means (not its square root), and the covariance "
                "term is tr(C1 + C2 - 2 (C1 C2)^(1/2)), which in 1-D is (sigma1 - sigma2)**2.",
            ),
            (
                "shifting one mean by delta adds |delta|**2 to the distance between equal covariances",
                lambda: close(number(mu1, C1, mu1 + delta, C1), delta @ delta, rtol=1e-6),
                "the mean term is the squared Euclidean norm of mu1 - mu2, summed over the dimensions.",
            ),
            (
                "the distance is symmetric and matches the formula for full covariances that do not commute",
                lambda: (
                    close(number(mu1, C1, mu2, C2), number(mu2, C2, mu1, C1), rtol=1e-6)
                    and close(number(mu1, C1, mu2, C2), generative.frechet_distance(mu1, C1, mu2, C2), rtol=1e-6)
                ),
                "the cross term is the matrix square root of the product of the two covariances; elementwise square "
                "roots, or the product of each matrix's own square root, agree with it only when the covariances are "
                "diagonal (or commute).",
            ),
        ],
    )


# ----------------------------------------------------------------------------------- KDE log-likelihood
def kde_log_likelihood(fn):
    """Check ``fn(train, test, bandwidth)``: the mean log density of the test points (M, d) under a Gaussian
    kernel density estimate with bandwidth h on the training points (N, d), a float."""
    rng = np.random.default_rng(41)
    train, test = rng.normal(size=(40, 2)), rng.normal(size=(25, 2))
    one = np.array([[0.3]])
    points = np.array([[-1.0], [0.2], [1.5]])
    far = test + 30.0  # 30 bandwidths and more away: every kernel underflows to 0 in exp

    def ll(tr, te, h):
        return scalar(answer(fn, np.array(tr, dtype=float), np.array(te, dtype=float), h))

    def gauss_1d(x, mu, h):
        return float(np.mean(-0.5 * ((x - mu) / h) ** 2 - np.log(h * np.sqrt(2 * np.pi))))

    return run(
        "kde_log_likelihood",
        [
            (
                "the answer is one number",
                lambda: is_number(answer(fn, train.copy(), test.copy(), 0.5)),
                "average the log density over the test points: one number for the whole test set.",
            ),
            (
                "with one training point in 1-D it is the mean log density of a normal N(x_train, h**2)",
                lambda: close(ll(one, points, 0.7), gauss_1d(points[:, 0], 0.3, 0.7), rtol=1e-6),
                "each kernel is a normalised Gaussian density with standard deviation h: include the constant "
                "-log(h sqrt(2 pi)) per dimension, and divide the squared distance by h**2 (not by h).",
            ),
            (
                "the estimate averages its N kernels (it is a density: it integrates to 1)",
                lambda: close(ll(np.repeat(one, 5, axis=0), points, 0.7), gauss_1d(points[:, 0], 0.3, 0.7), rtol=1e-6),
                "five copies of the same training point must give the same density as one: the estimate averages "
                "its N kernels; adding them makes a function that integrates to N.",
            ),
            (
                "in d = 2 dimensions, scaling the data and h by s shifts the answer by -2 log s",
                lambda: close(ll(3 * train, 3 * test, 1.5) - ll(train, test, 0.5), -2 * np.log(3.0), rtol=1e-6),
                "a density in d dimensions scales like 1/s**d: the normalising constant is -(d/2) log(2 pi h**2), "
                "with d the number of columns.",
            ),
            (
                "it matches the reference on random 2-D data",
                lambda: close(ll(train, test, 0.5), generative.kde_log_likelihood(train, test, 0.5), rtol=1e-6),
                "take the log of each test point's density, then average over the test points (the mean of the "
                "logs, not the log of the mean density).",
            ),
            (
                "test points far from every training point still get a finite log density",
                lambda: close(ll(train, far, 0.5), generative.kde_log_likelihood(train, far, 0.5), rtol=1e-6),
                "exp(-900) is 0 in floating point, and log 0 = -inf: work with logs throughout and combine the "
                "kernels with a log-sum-exp (scipy.special.logsumexp).",
            ),
        ],
    )


# ------------------------------------------------------------------------------- k-NN precision and recall
def precision_recall(fn):
    """Check ``fn(real, fake, k)``: the k-NN precision and recall of ``fake`` samples against ``real`` ones
    (Kynkäänniemi et al. 2019), a pair of floats."""
    rng = np.random.default_rng(3)
    real = rng.normal(size=(200, 2))
    fake = 0.7 * rng.normal(size=(150, 2)) + [0.5, 0.0]
    blobs = np.concatenate([rng.normal(size=(100, 2)) * 0.3 - 3.0, rng.normal(size=(100, 2)) * 0.3 + 3.0])
    one_blob = blobs[:100] + 0.05 * rng.normal(size=(100, 2))  # a generator that covers only the left blob

    def pr(a, b, k=3):
        out = answer(fn, a.copy(), b.copy(), k)
        p, r = out
        return scalar(p), scalar(r)

    def matches(a, b, k):
        return close(pr(a, b, k), generative.precision_recall_knn(a, b, k=k), rtol=1e-9, atol=1e-12)

    return run(
        "precision_recall",
        [
            (
                "the answer is a pair (precision, recall) of fractions in [0, 1]",
                lambda: all(0.0 <= v <= 1.0 for v in pr(real, fake)),
                "each measure is the fraction of one set's points that fall inside the other set's balls.",
            ),
            (
                "a sample compared with itself has precision 1 and recall 1",
                lambda: close(pr(real, real), (1.0, 1.0)),
                "a point lies inside its own ball (distance 0); count a point as covered when its distance to some "
                "ball centre is at most that ball's radius.",
            ),
            (
                "samples from one of two real blobs have precision 1 and recall about 1/2",
                lambda: pr(blobs, one_blob)[0] > 0.95 and 0.3 < pr(blobs, one_blob)[1] < 0.7,
                "precision asks whether the FAKE points lie inside the REAL points' balls (quality); recall asks "
                "whether the REAL points lie inside the FAKE points' balls (coverage). Check the order of the pair.",
            ),
            (
                "swapping real and fake swaps precision and recall",
                lambda: close(pr(real, fake), pr(fake, real)[::-1]),
                "each set's balls use radii from that same set: the radius of a real point is its distance to its "
                "k-th nearest REAL neighbour, and likewise for the fake points.",
            ),
            (
                "it matches the reference on random data with k = 3 and k = 5",
                lambda: matches(real, fake, 3) and matches(real, fake, 5),
                "the radius is the distance to the k-th nearest OTHER point of the same set: a point's distance 0 to "
                "itself must not count as its first neighbour.",
            ),
        ],
    )
