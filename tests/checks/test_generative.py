"""The unsupervised-learning chapter's checks (measures of a generative model) pass right answers, fail plausible
wrong ones with a hint, never raise, never tell."""

import numpy as np
import pytest
from scipy.linalg import sqrtm
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.neighbors import NearestNeighbors

from kan_edu import check
from tests.helpers import assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------------ mixture sampling
def sampling_solution(means, stds, weights, n, rng):  # the chapter's solution
    z = rng.choice(len(weights), size=n, p=weights / weights.sum())
    return means[z] + stds[z] * rng.standard_normal((n, means.shape[1]))


def sampling_loop(means, stds, weights, n, rng):  # an independent right answer, one sample at a time
    out = []
    for _ in range(n):
        k = rng.choice(len(weights), p=weights)
        out.append(rng.normal(means[k], stds[k]))
    return np.array(out)


def sampling_per_coordinate(means, stds, weights, n, rng):  # a component for each coordinate separately
    d = means.shape[1]
    z = rng.choice(len(weights), size=(n, d), p=weights)
    return means[z, np.arange(d)] + stds[z, np.arange(d)] * rng.standard_normal((n, d))


def sampling_one_component(means, stds, weights, n, rng):  # z drawn once for the whole batch
    k = rng.choice(len(weights), p=weights)
    return means[k] + stds[k] * rng.standard_normal((n, means.shape[1]))


def sampling_uniform(means, stds, weights, n, rng):  # ignores the weights
    z = rng.integers(0, len(weights), size=n)
    return means[z] + stds[z] * rng.standard_normal((n, means.shape[1]))


def sampling_variances(means, stds, weights, n, rng):  # scales the noise by the variance
    z = rng.choice(len(weights), size=n, p=weights)
    return means[z] + stds[z] ** 2 * rng.standard_normal((n, means.shape[1]))


def sampling_swapped_axes(means, stds, weights, n, rng):  # the standard deviations of the other axis
    z = rng.choice(len(weights), size=n, p=weights)
    return means[z] + stds[z][:, ::-1] * rng.standard_normal((n, means.shape[1]))


def sampling_global_random(means, stds, weights, n, rng):  # numpy's global, unseeded generator
    z = np.random.choice(len(weights), size=n, p=weights)
    return means[z] + stds[z] * np.random.standard_normal((n, means.shape[1]))


SAMPLING_WRONG = [
    sampling_per_coordinate,
    sampling_one_component,
    sampling_uniform,
    sampling_variances,
    sampling_swapped_axes,
    sampling_global_random,
]


def test_sampling_accepts_an_independent_answer(capsys):
    assert check.mixture_sampling(sampling_loop)


@pytest.mark.parametrize("wrong", SAMPLING_WRONG, ids=lambda f: f.__name__)
def test_mixture_sampling_rejects(wrong, capsys):
    assert_hint_or_not_answered(check.mixture_sampling, sampling_solution, [wrong], (), capsys)


# ------------------------------------------------------------------------------------------ Fréchet distance
def fd_solution(mu1, C1, mu2, C2):  # the chapter's solution
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(C1 + C2 - 2 * np.real(sqrtm(C1 @ C2))))


def fd_complex(mu1, C1, mu2, C2):  # forgets the real part of sqrtm
    return np.sum((mu1 - mu2) ** 2) + np.trace(C1 + C2 - 2 * sqrtm(C1 @ C2).astype(complex))


def fd_no_two(mu1, C1, mu2, C2):  # drops the factor 2
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(C1 + C2 - np.real(sqrtm(C1 @ C2))))


def fd_norm_not_squared(mu1, C1, mu2, C2):  # the distance of the means instead of its square
    return float(np.linalg.norm(mu1 - mu2) + np.trace(C1 + C2 - 2 * np.real(sqrtm(C1 @ C2))))


def fd_elementwise(mu1, C1, mu2, C2):  # elementwise square root: right for diagonal covariances only
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(C1 + C2 - 2 * np.sqrt(np.abs(C1 * C2))))


def fd_product_of_roots(mu1, C1, mu2, C2):  # sqrtm(C1) sqrtm(C2): right when C1 and C2 commute
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(C1 + C2 - 2 * np.real(sqrtm(C1) @ sqrtm(C2))))


def fd_distance_not_squared(mu1, C1, mu2, C2):  # returns the Wasserstein-2 distance itself
    return float(np.sqrt(max(fd_solution(mu1, C1, mu2, C2), 0.0)))


FD_WRONG = [fd_no_two, fd_norm_not_squared, fd_elementwise, fd_product_of_roots, fd_distance_not_squared, fd_complex]


@pytest.mark.parametrize("wrong", FD_WRONG, ids=lambda f: f.__name__)
def test_frechet_distance_rejects(wrong, capsys):
    assert_hint_or_not_answered(check.frechet_distance, fd_solution, [wrong], (), capsys)


def test_frechet_distance_elementwise_and_product_fail_only_on_full_covariances(capsys):
    for wrong in (fd_elementwise, fd_product_of_roots):
        check.frechet_distance(wrong)
        out = capsys.readouterr().out
        assert "do not commute" in out and "elementwise" in out


# ------------------------------------------------------------------------------------------ KDE likelihood
def kde_solution(train, test, bandwidth):  # the chapter's solution
    n, d = train.shape
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(axis=-1)
    log_k = -sq / (2 * bandwidth**2) - d / 2 * np.log(2 * np.pi * bandwidth**2)
    return float(np.mean(logsumexp(log_k, axis=1) - np.log(n)))


def kde_scipy(train, test, bandwidth):  # an independent right answer: scipy's normal densities, mixed in logs
    logs = np.stack([multivariate_normal(c, bandwidth**2 * np.eye(train.shape[1])).logpdf(test) for c in train])
    return float(np.mean(logsumexp(logs.reshape(len(train), -1), axis=0) - np.log(len(train))))


def kde_naive(train, test, bandwidth):  # exp then log: underflows far from the data
    n, d = train.shape
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(axis=-1)
    dens = np.exp(-sq / (2 * bandwidth**2)).mean(axis=1) / (2 * np.pi * bandwidth**2) ** (d / 2)
    with np.errstate(divide="ignore"):
        return float(np.mean(np.log(dens)))


def kde_no_constant(train, test, bandwidth):  # unnormalised kernels
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(axis=-1)
    return float(np.mean(logsumexp(-sq / (2 * bandwidth**2), axis=1) - np.log(len(train))))


def kde_h_not_squared(train, test, bandwidth):  # divides by h, not h**2
    n, d = train.shape
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(axis=-1)
    log_k = -sq / (2 * bandwidth) - d / 2 * np.log(2 * np.pi * bandwidth**2)
    return float(np.mean(logsumexp(log_k, axis=1) - np.log(n)))


def kde_sum_not_mean(train, test, bandwidth):  # adds the kernels: integrates to N
    return kde_solution(train, test, bandwidth) + np.log(len(train))


def kde_one_dimensional_constant(train, test, bandwidth):  # the 1-D normalising constant in every dimension count
    n, d = train.shape
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(axis=-1)
    log_k = -sq / (2 * bandwidth**2) - 0.5 * np.log(2 * np.pi * bandwidth**2)
    return float(np.mean(logsumexp(log_k, axis=1) - np.log(n)))


def kde_log_of_mean(train, test, bandwidth):  # log of the mean density over the test points
    n, d = train.shape
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(axis=-1)
    log_k = -sq / (2 * bandwidth**2) - d / 2 * np.log(2 * np.pi * bandwidth**2)
    per_point = logsumexp(log_k, axis=1) - np.log(n)
    return float(logsumexp(per_point) - np.log(len(test)))


def kde_per_point(train, test, bandwidth):  # forgets to average over the test points
    n, d = train.shape
    sq = ((test[:, None, :] - train[None, :, :]) ** 2).sum(axis=-1)
    log_k = -sq / (2 * bandwidth**2) - d / 2 * np.log(2 * np.pi * bandwidth**2)
    return logsumexp(log_k, axis=1) - np.log(n)


KDE_WRONG = [
    kde_naive,
    kde_no_constant,
    kde_h_not_squared,
    kde_sum_not_mean,
    kde_one_dimensional_constant,
    kde_log_of_mean,
    kde_per_point,
]


def test_kde_accepts_an_independent_answer(capsys):
    assert check.kde_log_likelihood(kde_scipy)


@pytest.mark.parametrize("wrong", KDE_WRONG, ids=lambda f: f.__name__)
def test_kde_log_likelihood_rejects(wrong, capsys):
    assert_hint_or_not_answered(check.kde_log_likelihood, kde_solution, [wrong], (), capsys)


def test_kde_naive_passes_everything_but_the_far_points(capsys):
    check.kde_log_likelihood(kde_naive)
    assert "far from every training point" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------- precision/recall
def _radii(x, k):
    dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x)
    return dist[:, -1]


def _covered(points, centres, radii):
    d = np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1))
    return float((d <= radii[None, :]).any(axis=1).mean())


def pr_solution(real, fake, k):  # the chapter's solution
    return _covered(fake, real, _radii(real, k)), _covered(real, fake, _radii(fake, k))


def pr_self_neighbour(real, fake, k):  # counts each point as its own first neighbour
    return _covered(fake, real, _radii(real, k - 1)), _covered(real, fake, _radii(fake, k - 1))


def pr_swapped(real, fake, k):  # returns (recall, precision)
    return pr_solution(real, fake, k)[::-1]


def pr_wrong_radii(real, fake, k):  # the fake points' balls measured with the real points' radii
    r = _radii(real, k)
    return _covered(fake, real, r), _covered(real, fake, np.full(len(fake), r.mean()))


def pr_nearest_only(real, fake, k):  # ignores k: the radius to the nearest other point
    return pr_solution(real, fake, 1)


PR_WRONG = [pr_self_neighbour, pr_swapped, pr_wrong_radii, pr_nearest_only]


@pytest.mark.parametrize("wrong", PR_WRONG, ids=lambda f: f.__name__)
def test_precision_recall_rejects(wrong, capsys):
    assert_hint_or_not_answered(check.precision_recall, pr_solution, [wrong], (), capsys)


def test_swapped_pair_gets_the_order_hint(capsys):
    check.precision_recall(pr_swapped)
    assert "order of the pair" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------ all
CHECKS = [check.mixture_sampling, check.frechet_distance, check.kde_log_likelihood, check.precision_recall]


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported(CHECKS, capsys)


def test_checks_never_print_the_reference(capsys):
    for checker, wrong in zip(CHECKS, [sampling_uniform, fd_no_two, kde_no_constant, pr_swapped]):
        checker(wrong)
    out = capsys.readouterr().out
    for secret in ("logsumexp(log_k", "sqrtm(C1 @ C2)", "np.trace(C1 + C2"):
        assert secret not in out
