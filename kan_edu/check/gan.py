"""Checks for generative adversarial networks: a discriminator loss that survives large logits, the
Jensen-Shannon divergence of two histograms, and the 1-D Wasserstein distance by sorting."""

from __future__ import annotations

import math

import numpy as np

from .. import gan, generative
from ._core import answer, close, is_number, run, scalar

__all__ = ["discriminator_loss", "js_divergence", "wasserstein_sorted"]


def discriminator_loss(fn):
    """Check ``fn(logit_real, logit_fake)``: the discriminator's mean binary cross-entropy, from logits."""
    rng = np.random.default_rng(15)
    real, fake = rng.normal(1.0, 2.0, 7), rng.normal(-0.5, 2.0, 5)  # different lengths: each term is its own mean

    def loss(a, b):
        return answer(fn, np.array(a, dtype=float), np.array(b, dtype=float))

    def matches(a, b):
        out = loss(a, b)
        return is_number(out) and close(scalar(out), gan.discriminator_loss(np.array(a), np.array(b)), rtol=1e-7)

    big = ([50.0, 50.0], [50.0, -50.0])  # one fake the discriminator wrongly calls certainly real
    return run(
        "discriminator_loss",
        [
            (
                "the loss is one number",
                lambda: is_number(loss(real, fake)),
                "average over the samples: the loss of a batch is a single number.",
            ),
            (
                "when every logit is 0 (D = 1/2 everywhere) the loss is 2 log 2",
                lambda: close(scalar(loss(np.zeros(3), np.zeros(4))), 2 * math.log(2)),
                "each of the two terms is -log(1/2) when D is undecided; take the mean of each term, not the sum.",
            ),
            (
                "the loss matches binary cross-entropy on moderate logits",
                lambda: matches(real, fake),
                "real samples have label 1 and are penalised by -log D; fakes have label 0 and are penalised by "
                "-log(1 - D). Average the real and the fake terms separately (the batches differ in size).",
            ),
            (
                "the loss is finite and exact at logits of +-50",
                lambda: matches(*big) and matches([-50.0], [-50.0]),
                "at large logits the sigmoid rounds to exactly 0 or 1 (or a clipped value) and its log goes wrong; "
                "write -log sigmoid(a) and -log(1 - sigmoid(a)) in terms of the logit a itself.",
            ),
        ],
    )


def js_divergence(fn):
    """Check ``fn(p, q)``: the Jensen-Shannon divergence (nats) of two normalised histograms over the same bins."""
    rng = np.random.default_rng(16)
    p, q = rng.dirichlet(np.ones(9)), rng.dirichlet(np.ones(9) * 0.5)
    left, right = np.array([0.5, 0.5, 0, 0, 0]), np.array([0, 0, 0, 0.25, 0.75])
    partial = np.array([0.2, 0.8, 0, 0, 0]), np.array([0, 0.5, 0.5, 0, 0])

    def js(a, b):
        out = answer(fn, a.copy(), b.copy())
        if not is_number(out):
            raise AssertionError("not a number")
        return scalar(out)

    order = rng.permutation(9)
    return run(
        "js_divergence",
        [
            (
                "the divergence is one number, and 0 for two equal histograms",
                lambda: close(js(p, p), 0.0, atol=1e-10),
                "the JS divergence compares each histogram with their average m = (p + q) / 2; if p = q then "
                "m = p and every log ratio is 0.",
            ),
            (
                "it is symmetric: JS(p, q) = JS(q, p)",
                lambda: close(js(p, q), js(q, p), atol=1e-12),
                "both histograms are compared with the same mixture m = (p + q) / 2, and the two KL terms are "
                "averaged; a single KL(p || q) is not symmetric.",
            ),
            (
                "for histograms with no bin in common it is log 2 (natural log)",
                lambda: close(js(left, right), math.log(2)),
                "bins where p is 0 contribute nothing (0 log 0 = 0): leave them out of the sum rather than "
                "computing log 0; and use the natural logarithm.",
            ),
            (
                "it matches the reference on histograms that overlap in part, and on random ones",
                lambda: (
                    close(js(*partial), generative.js_divergence(*partial))
                    and close(js(p, q), generative.js_divergence(p, q))
                ),
                "compare each histogram with the mixture of the two, not with each other, and check the weights "
                "of the two terms against the chapter's definition.",
            ),
            (
                "it does not depend on the order of the bins",
                lambda: close(js(p[order], q[order]), js(p, q), atol=1e-12),
                "the divergence compares p and q bin by bin only; nothing should depend on where a bin is.",
            ),
        ],
    )


def wasserstein_sorted(fn):
    """Check ``fn(x, y)``: the Wasserstein-1 distance between two 1-D samples of the same size."""
    rng = np.random.default_rng(17)
    x, y = rng.normal(0.0, 2.0, 50), rng.exponential(size=50)  # quantiles that cross: W > |mean difference|

    def w(a, b):
        out = answer(fn, a.copy(), b.copy())
        if not is_number(out):
            raise AssertionError("not a number")
        return scalar(out)

    return run(
        "wasserstein_sorted",
        [
            (
                "the distance is one number, and 0 between a sample and a shuffled copy of itself",
                lambda: close(w(x, rng.permutation(x)), 0.0, atol=1e-12),
                "a sample is a set of points: the order in which they are listed must not matter. Pair the "
                "points by rank, not by position in the array.",
            ),
            (
                "shifting a sample by c moves it a distance |c|",
                lambda: close(w(x, x + 1.5), 1.5) and close(w(x + 0.7, x), 0.7),
                "every point travels c, so the average distance travelled is |c|: use absolute differences (not "
                "squares) and average them (not sum them).",
            ),
            (
                "it matches scipy's wasserstein_distance on two different samples",
                lambda: close(w(x, y), generative.wasserstein_1d(x, y)),
                "the distance between the means is only a lower bound: two samples can have the same mean and "
                "still be far apart; every point must be matched with a partner, and each pair's distance counts.",
            ),
        ],
    )
