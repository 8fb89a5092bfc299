"""The GAN chapter's checks pass right answers, fail plausible wrong ones (unstable variants that agree on easy
inputs included), never raise, never tell."""

import numpy as np
import pytest
from scipy.special import expit

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------ discriminator loss
def d_loss(real, fake):  # the chapter's solution
    return np.mean(np.logaddexp(0, -real)) + np.mean(np.logaddexp(0, fake))


def d_loss_naive(real, fake):  # sigmoid, then log: right on moderate logits, -log(0) = inf at +50
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(expit(real))) - np.mean(np.log(1 - expit(fake)))


def d_loss_clipped(real, fake):  # clips D to [eps, 1 - eps]: finite, but wrong at +-50
    eps = 1e-7
    d_r, d_f = np.clip(expit(real), eps, 1 - eps), np.clip(expit(fake), eps, 1 - eps)
    return -np.mean(np.log(d_r)) - np.mean(np.log(1 - d_f))


def d_loss_swapped(real, fake):  # labels the fakes as real
    return np.mean(np.logaddexp(0, real)) + np.mean(np.logaddexp(0, -fake))


def d_loss_sum(real, fake):  # sums instead of averaging
    return np.sum(np.logaddexp(0, -real)) + np.sum(np.logaddexp(0, fake))


def d_loss_pooled(real, fake):  # one mean over both batches: right only when they are the same size
    return np.mean(np.r_[np.logaddexp(0, -real), np.logaddexp(0, fake)]) * 2


def d_loss_per_sample(real, fake):  # forgets to reduce
    return np.logaddexp(0, -real)[: len(fake)] + np.logaddexp(0, fake)


# ------------------------------------------------------------------------------------------- JS divergence
def js(p, q):
    m = (p + q) / 2

    def kl(a):
        on = a > 0
        return np.sum(a[on] * np.log(a[on] / m[on]))

    return 0.5 * kl(p) + 0.5 * kl(q)


def js_nan_at_zeros(p, q):  # 0 * log 0 = nan: right on positive histograms only
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return 0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m))


def js_eps(p, q):  # an epsilon in the logs instead of masking: close, not exact, when bins are empty
    m = (p + q) / 2
    eps = 1e-3
    return 0.5 * np.sum(p * np.log((p + eps) / (m + eps))) + 0.5 * np.sum(q * np.log((q + eps) / (m + eps)))


def js_kl(p, q):  # KL(p || q): not symmetric
    on = p > 0
    with np.errstate(divide="ignore"):
        return np.sum(p[on] * np.log(p[on] / q[on]))


def js_log2(p, q):  # bits instead of nats
    return js(p, q) / np.log(2)


def js_no_half(p, q):  # forgets the 1/2
    return 2 * js(p, q)


def js_sorted(p, q):  # sorts the bins (of each histogram separately)
    return js(np.sort(p), np.sort(q))


# -------------------------------------------------------------------------------------------- Wasserstein
def w1(x, y):
    return np.mean(np.abs(np.sort(x) - np.sort(y)))


def w1_unsorted(x, y):  # pairs points by position: right for a shift of the same array
    return np.mean(np.abs(x - y))


def w1_means(x, y):  # distance between the means: right for shifts only
    return abs(np.mean(x) - np.mean(y))


def w1_squared(x, y):  # W2 squared
    return np.mean((np.sort(x) - np.sort(y)) ** 2)


def w1_sum(x, y):  # forgets to average
    return np.sum(np.abs(np.sort(x) - np.sort(y)))


def w1_signed(x, y):  # no absolute value
    return np.mean(np.sort(x) - np.sort(y))


CASES = {
    "discriminator_loss": (
        check.discriminator_loss,
        d_loss,
        [d_loss_naive, d_loss_clipped, d_loss_swapped, d_loss_sum, d_loss_pooled, d_loss_per_sample],
    ),
    "js_divergence": (check.js_divergence, js, [js_nan_at_zeros, js_eps, js_kl, js_log2, js_no_half, js_sorted]),
    "wasserstein_sorted": (check.wasserstein_sorted, w1, [w1_unsorted, w1_means, w1_squared, w1_sum, w1_signed]),
}


@pytest.mark.parametrize("name", CASES)
def test_check_accepts_the_solution_and_rejects_wrong_answers(name, capsys):
    checker, right, wrongs = CASES[name]
    assert_check(checker, right, wrongs, secrets=["logaddexp", "np.sort", "a[on]"], capsys=capsys)


@pytest.mark.parametrize("name", CASES)
def test_wrong_answers_get_a_hint(name, capsys):
    checker, right, wrongs = CASES[name]
    assert_hint_or_not_answered(checker, right, wrongs, (np.ones(2), np.ones(2)), capsys)


def test_the_unstable_variants_agree_on_easy_inputs():
    # the point of the +-50 property: without it these would pass
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=5), rng.normal(size=3)
    assert np.isclose(d_loss_naive(real, fake), d_loss(real, fake))
    assert np.isclose(d_loss_clipped(real, fake), d_loss(real, fake))
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    assert np.isclose(js_nan_at_zeros(p, q), js(p, q))
    x = rng.normal(size=10)
    assert np.isclose(w1_unsorted(x, x + 1), 1.0) and np.isclose(w1_means(x, x + 1), 1.0)


def test_hints_name_the_mistake(capsys):
    check.discriminator_loss(d_loss_naive)
    assert "large logits" in capsys.readouterr().out
    check.js_divergence(js_nan_at_zeros)
    assert "0 log 0" in capsys.readouterr().out
    check.wasserstein_sorted(w1_means)
    assert "means" in capsys.readouterr().out
    check.wasserstein_sorted(w1_unsorted)
    assert "rank" in capsys.readouterr().out


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported([c for c, _, _ in CASES.values()], capsys)
