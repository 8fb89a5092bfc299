"""The VAE chapter's checks pass right answers, fail plausible wrong ones (with a hint that names the mistake),
never raise, never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------------- kl_gaussian
def kl_right(mu, logvar):  # the chapter's solution
    return 0.5 * (mu**2 + np.exp(logvar) - 1 - logvar).sum(axis=-1)


def kl_sign(mu, logvar):
    return -kl_right(mu, logvar)


def kl_logvar_as_variance(mu, logvar):  # treats logvar as the variance
    return 0.5 * (mu**2 + logvar - 1 - np.log(np.abs(logvar))).sum(axis=-1)


def kl_logvar_as_log_std(mu, logvar):  # treats logvar as log sigma
    return 0.5 * (mu**2 + np.exp(2 * logvar) - 1 - 2 * logvar).sum(axis=-1)


def kl_mean(mu, logvar):  # averages over the latent dimensions instead of summing
    return 0.5 * (mu**2 + np.exp(logvar) - 1 - logvar).mean(axis=-1)


def kl_no_half(mu, logvar):
    return (mu**2 + np.exp(logvar) - 1 - logvar).sum(axis=-1)


def kl_per_dimension(mu, logvar):  # forgets to reduce
    return 0.5 * (mu**2 + np.exp(logvar) - 1 - logvar)


def kl_unstable(mu, logvar):  # goes through the variance and back, with an epsilon that swamps a tiny variance
    var = np.exp(logvar)
    return 0.5 * (mu**2 + var - 1 - np.log(var + 1e-8)).sum(axis=-1)


# --------------------------------------------------------------------------------- reparameterisation
def reparam_right(df, mu, log_sigma, eps):  # the chapter's solution
    sigma = np.exp(log_sigma)
    g = df(mu + sigma * eps)
    return np.stack([g, g * sigma * eps], axis=1)


def reparam_variance(df, mu, log_sigma, eps):  # uses the variance as the scale
    var = np.exp(2 * log_sigma)
    g = df(mu + var * eps)
    return np.stack([g, g * var * eps], axis=1)


def reparam_forgets_sigma(df, mu, log_sigma, eps):  # dz/dlog sigma taken as eps
    g = df(mu + np.exp(log_sigma) * eps)
    return np.stack([g, g * eps], axis=1)


def reparam_forgets_eps(df, mu, log_sigma, eps):  # dz/dlog sigma taken as sigma
    sigma = np.exp(log_sigma)
    g = df(mu + sigma * eps)
    return np.stack([g, g * sigma], axis=1)


def reparam_at_mean(df, mu, log_sigma, eps):  # evaluates f' at mu, not at the sample
    g = df(mu + 0 * eps)
    return np.stack([g, g * np.exp(log_sigma) * eps], axis=1)


def reparam_sign(df, mu, log_sigma, eps):
    return -reparam_right(df, mu, log_sigma, eps)


# ---------------------------------------------------------------------------------------- score function
def score_right(f, mu, log_sigma, eps):  # the chapter's solution
    fz = f(mu + np.exp(log_sigma) * eps)
    return np.stack([fz * eps / np.exp(log_sigma), fz * (eps**2 - 1)], axis=1)


def score_no_minus_one(f, mu, log_sigma, eps):  # forgets the normaliser's -1: biased
    fz = f(mu + np.exp(log_sigma) * eps)
    return np.stack([fz * eps / np.exp(log_sigma), fz * eps**2], axis=1)


def score_times_sigma(f, mu, log_sigma, eps):  # (z - mu) * sigma instead of (z - mu) / sigma^2
    sigma = np.exp(log_sigma)
    fz = f(mu + sigma * eps)
    return np.stack([fz * eps * sigma, fz * (eps**2 - 1)], axis=1)


def score_sign(f, mu, log_sigma, eps):
    return -score_right(f, mu, log_sigma, eps)


def score_variance_scale(f, mu, log_sigma, eps):  # samples with the variance as the scale
    var = np.exp(2 * log_sigma)
    fz = f(mu + var * eps)
    return np.stack([fz * eps / var, fz * (eps**2 - 1)], axis=1)


# -------------------------------------------------------------------------------- importance sampling
def iw_right(log_w):  # the chapter's solution
    top = log_w.max(axis=-1, keepdims=True)
    return np.log(np.exp(log_w - top).mean(axis=-1)) + top[..., 0]


def iw_naive(log_w):  # exp underflows for very negative log-weights
    return np.log(np.exp(log_w).mean(axis=-1))


def iw_log_sum(log_w):  # log-sum instead of log-mean
    top = log_w.max(axis=-1, keepdims=True)
    return np.log(np.exp(log_w - top).sum(axis=-1)) + top[..., 0]


def iw_mean_of_logs(log_w):  # the ELBO-like lower bound, not the estimate
    return log_w.mean(axis=-1)


def iw_max(log_w):  # keeps only the largest weight
    return log_w.max(axis=-1)


def iw_wrong_axis(log_w):
    top = log_w.max(axis=0, keepdims=True)
    return np.log(np.exp(log_w - top).mean(axis=0)) + top[0]


CASES = [
    (
        check.kl_gaussian,
        kl_right,
        [
            kl_sign,
            kl_logvar_as_variance,
            kl_logvar_as_log_std,
            kl_mean,
            kl_no_half,
            kl_per_dimension,
            kl_unstable,
            lambda m, lv: ...,
        ],
        ("exp(logvar)", "- 1 - logvar", "mu**2 + "),
    ),
    (
        check.reparam_gradient,
        reparam_right,
        [reparam_variance, reparam_forgets_sigma, reparam_forgets_eps, reparam_at_mean, reparam_sign, lambda *a: ...],
        ("sigma * eps", "g * sigma", "* eps / sigma"),
    ),
    (
        check.score_gradient,
        score_right,
        [score_no_minus_one, score_times_sigma, score_sign, score_variance_scale, lambda *a: ...],
        ("eps**2 - 1", "eps / sigma", "(z - mu) / sigma"),
    ),
    (
        check.importance_log_likelihood,
        iw_right,
        [iw_naive, iw_log_sum, iw_mean_of_logs, iw_max, iw_wrong_axis, lambda a: ...],
        ("logsumexp", "log(K)", "max(axis"),
    ),
]


@pytest.mark.parametrize("checker, right, wrongs, secrets", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_checks_pass_right_fail_wrong_never_tell(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_scipy_logsumexp_solution_passes(capsys):
    from scipy.special import logsumexp

    assert check.importance_log_likelihood(lambda a: logsumexp(a, axis=-1) - np.log(a.shape[-1]))


def test_wrong_answers_get_hints_and_placeholders_say_not_answered(capsys):
    mu = np.zeros((2, 3))
    assert_hint_or_not_answered(check.kl_gaussian, kl_right, [kl_mean, kl_sign, lambda m, lv: ...], (mu, mu), capsys)
    args = (np.cos, 0.0, 0.0, np.ones(3))
    assert_hint_or_not_answered(
        check.reparam_gradient, reparam_right, [reparam_forgets_sigma, reparam_variance, lambda *a: ...], args, capsys
    )
    assert_hint_or_not_answered(
        check.score_gradient, score_right, [score_no_minus_one, score_times_sigma, lambda *a: ...], args, capsys
    )
    assert_hint_or_not_answered(
        check.importance_log_likelihood, iw_right, [iw_naive, iw_log_sum, None], (np.zeros((2, 3)),), capsys
    )


def test_each_wrong_answer_fails_on_the_property_its_hint_names(capsys):
    """The hint shown is the one about the mistake made: a sum/mean slip hears about the mean, an unstable exp
    about taking the largest log-weight out, variance-for-std about the standard deviation."""
    check.kl_gaussian(kl_mean)
    assert "not averaged" in capsys.readouterr().out
    check.kl_gaussian(kl_logvar_as_log_std)
    assert "standard deviation" in capsys.readouterr().out
    check.importance_log_likelihood(iw_naive)
    assert "largest log-weight" in capsys.readouterr().out
    check.importance_log_likelihood(iw_log_sum)
    assert "MEAN" in capsys.readouterr().out
    check.reparam_gradient(reparam_forgets_sigma)
    assert "d sigma / d log sigma" in capsys.readouterr().out
    check.reparam_gradient(reparam_variance)
    assert "not the variance" in capsys.readouterr().out
    check.reparam_gradient(reparam_at_mean)
    assert "not at the mean" in capsys.readouterr().out
    check.score_gradient(score_no_minus_one)
    assert "normalising factor" in capsys.readouterr().out


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported(
        [check.kl_gaussian, check.reparam_gradient, check.score_gradient, check.importance_log_likelihood], capsys
    )
