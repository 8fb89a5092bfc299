"""Checks for chapter 21 (deep learning and ethics): group rates, equal-opportunity thresholds, precision from
the rates, a LIME-style explanation and the membership-inference AUC."""

from __future__ import annotations

import numpy as np

from .. import fairness
from ._core import answer, close, is_number, run, scalar

__all__ = ["approval_rates", "equal_opportunity", "precision_from_rates", "lime_slopes", "attack_auc"]


def _triple(out):
    if not (isinstance(out, (tuple, list)) and len(out) == 3 and all(is_number(v) for v in out)):
        return None
    return tuple(scalar(v) for v in out)


def approval_rates(fn):
    """Check ``fn(scores, y, tau) -> (approval_rate, tpr, fpr)`` for one group: approve when score >= tau."""
    rng = np.random.default_rng(21)
    y = (rng.random(400) < 0.3).astype(int)
    scores = np.round(rng.normal(size=400) + 1.2 * y, 1)  # rounded: many scores equal the threshold
    tau = 0.5

    def ref(t):
        r = fairness.group_rates(scores, y, np.zeros(400, int), t)
        return r["approval"][0], r["tpr"][0], r["fpr"][0]

    def matches(t):
        out = _triple(answer(fn, scores, y, t))
        return out is not None and all(close(a, b, rtol=1e-9) for a, b in zip(out, ref(t)))

    def extremes():
        low, high = _triple(answer(fn, scores, y, -1e9)), _triple(answer(fn, scores, y, 1e9))
        return low is not None and high is not None and close(low, (1, 1, 1)) and close(high, (0, 0, 0))

    return run(
        "approval_rates",
        [
            (
                "the function returns three numbers, (approval rate, TPR, FPR)",
                lambda: _triple(answer(fn, scores, y, tau)) is not None,
                "return a tuple of three rates, each one number between 0 and 1.",
            ),
            (
                "a threshold below every score approves everybody (1, 1, 1) and one above every score nobody (0, 0, 0)",
                extremes,
                "approve a person when the score reaches the threshold; each rate counts approvals.",
            ),
            (
                "the approval rate is right, with people whose score equals tau approved",
                lambda: close(_triple(answer(fn, scores, y, tau))[0], ref(tau)[0], rtol=1e-9),
                "a score exactly at the threshold gets the loan; the approval rate is over everybody in the group.",
            ),
            (
                "the true and false positive rates are right",
                lambda: matches(tau) and matches(-0.3) and matches(1.4),
                "the TPR counts approvals among those who repaid (y = 1) only, the FPR among those who defaulted "
                "(y = 0) only: divide by the size of that subgroup, not by everybody.",
            ),
        ],
    )


def equal_opportunity(fn):
    """Check ``fn(scores, y, group, target_tpr) -> thresholds`` (one per group) that give each group TPR = target."""
    rng = np.random.default_rng(7)
    group = np.repeat([0, 1, 2], [150, 120, 90])
    y = (rng.random(360) < np.array([0.6, 0.4, 0.25])[group]).astype(int)
    scores = rng.normal(size=360) + np.array([1.6, 1.0, 1.3])[group] * y - np.array([0.0, 0.4, -0.2])[group]
    n_pos = np.array([y[group == g].sum() for g in range(3)])

    def thresholds(target):
        return np.asarray(answer(fn, scores, y, group, target), dtype=float).reshape(-1)

    def hits(targets, slack=0.5):
        for target in targets:
            taus = thresholds(target)
            if taus.shape != (3,):
                return False
            tpr = fairness.group_rates(scores, y, group, taus)["tpr"]
            if np.any(np.abs(tpr - target) > slack / n_pos + 1e-12):
                return False
        return True

    return run(
        "equal_opportunity",
        [
            (
                "there is one threshold per group (three groups here)",
                lambda: thresholds(0.5).shape == (3,),
                "loop over the groups present in group and choose a threshold for each.",
            ),
            (
                "each group's true positive rate is the target (to within one person) for targets 0.3, 0.5 and 0.8",
                lambda: hits([0.3, 0.5, 0.8], slack=1.0),
                "only the people who repaid (y = 1) count towards the TPR: choose the threshold from their scores, "
                "not from the whole group's; and check that approval means score >= threshold.",
            ),
            (
                "targets that need an exact count of approvals are met exactly (no person too many or too few)",
                lambda: hits([k / n_pos[0] for k in (1, 17, n_pos[0] - 1)]),
                "count how many of the group's positives must be approved, then put the threshold between that "
                "many top scores and the next one (an off-by-one here approves one person too many or too few).",
            ),
            (
                "the targets 0 (approve no positive) and 1 (approve every positive) work too",
                lambda: hits([0.0, 1.0]),
                "at the ends there is no 'next' score: the threshold must lie above the highest or below the lowest.",
            ),
        ],
    )


def precision_from_rates(fn):
    """Check ``fn(base_rate, tpr, fpr) -> ppv``, the precision P(y = 1 | approved) of a group."""
    cases = [(0.5, 0.8, 0.2), (0.6, 0.8, 0.2), (0.3, 0.8, 0.2), (0.1, 0.9, 0.05), (0.75, 0.5, 0.5), (0.2, 1.0, 0.0)]

    def val(p, t, f):
        return scalar(answer(fn, p, t, f))

    def exact(p, t, f):
        return p * t / (p * t + (1 - p) * f)

    rng = np.random.default_rng(3)
    y = (rng.random(20000) < 0.35).astype(int)
    approve = np.where(y == 1, rng.random(20000) < 0.7, rng.random(20000) < 0.25)

    return run(
        "precision_from_rates",
        [
            (
                "a score that cannot tell people apart (TPR = FPR) has precision equal to the base rate",
                lambda: close(val(0.75, 0.5, 0.5), 0.75) and close(val(0.3, 0.4, 0.4), 0.3),
                "when approval does not depend on y, the approved people repay as often as everybody.",
            ),
            (
                "the precision is right when half the group repays",
                lambda: close(val(0.5, 0.8, 0.2), 0.8),
                "the approved people are the true positives plus the false positives.",
            ),
            (
                "the precision changes with the base rate in the right way",
                lambda: all(close(val(*c), exact(*c), rtol=1e-9) for c in cases),
                "the TPR is a fraction of the repayers and the FPR a fraction of the defaulters: weigh each by how "
                "large its part of the group is before you add them up.",
            ),
            (
                "it agrees with counting on a simulated group",
                lambda: close(
                    val(y.mean(), approve[y == 1].mean(), approve[y == 0].mean()), y[approve].mean(), rtol=1e-9
                ),
                "use the three rates you are given; precision is a fraction of the approved people.",
            ),
        ],
    )


def lime_slopes(fn):
    """Check ``fn(f, x0, sigma, n, seed) -> w``: the slopes of a least-squares plane fitted to f near x0."""
    w_true, offset = np.array([1.5, -2.0, 0.5]), 4.0

    def affine(z):
        return z @ w_true + offset

    def sine(z):  # depends on the first input only
        return np.sin(2 * z[:, 0])

    x0 = np.array([0.4, -1.0, 2.0])

    def slopes(f, sigma, n=4000, seed=0):
        return np.asarray(answer(fn, f, x0, sigma, n, seed), dtype=float).reshape(-1)

    # Stein's lemma: for Gaussian samples the least-squares slope of sin(2 z) is E[2 cos(2 z)] = 2 cos(2 x0) e^(-2 sigma^2)
    neighbourhood = 2 * np.cos(2 * x0[0]) * np.exp(-2 * 1.0**2)

    return run(
        "lime_slopes",
        [
            (
                "the explanation has one slope per input (shape (3,))",
                lambda: slopes(affine, 0.5).shape == (3,),
                "return the fitted slopes only, one per input, without the intercept.",
            ),
            (
                "an affine function f(z) = w·z + b gets its own slopes w back, whatever sigma",
                lambda: all(close(slopes(affine, s), w_true, rtol=1e-6, atol=1e-8) for s in (0.01, 1.0, 10.0)),
                "fit an intercept as well as the slopes (a column of ones in the design matrix); without it the "
                "offset f(x0) leaks into the slopes.",
            ),
            (
                "inputs that f ignores get slopes near 0",
                lambda: np.all(np.abs(slopes(sine, 0.5)[1:]) < 0.05),
                "perturb every input independently around x0 and regress f on all the perturbations at once.",
            ),
            (
                "as sigma shrinks the slopes tend to the gradient of f at x0",
                lambda: close(slopes(sine, 1e-3)[0], 2 * np.cos(2 * x0[0]), atol=1e-3),
                "sample z = x0 + sigma * noise with standard Gaussian noise, so that sigma sets the neighbourhood.",
            ),
            (
                "with sigma = 1 the slope describes the neighbourhood, not the point (it is not the gradient)",
                lambda: close(slopes(sine, 1.0, n=20000)[0], neighbourhood, atol=0.05),
                "draw the neighbourhood with Gaussian noise whose standard deviation is sigma, and fit the plane to f at those "
                "points by least squares: a derivative at x0 describes the point, not the neighbourhood.",
            ),
        ],
    )


def attack_auc(fn):
    """Check ``fn(member_losses, nonmember_losses) -> auc`` of the attack 'a lower loss means a member'."""
    rng = np.random.default_rng(9)
    members, others = np.round(rng.exponential(0.4, size=300), 1), np.round(rng.exponential(1.0, size=200), 1)

    def val(a, b):
        return scalar(answer(fn, np.asarray(a, float), np.asarray(b, float)))

    return run(
        "attack_auc",
        [
            (
                "members with lower losses than every non-member give AUC 1, and the reverse gives 0",
                lambda: close(val([0.1, 0.2, 0.3], [0.5, 0.9]), 1.0) and close(val([0.5, 0.9], [0.1, 0.2, 0.3]), 0.0),
                "the attack calls an example a member when its loss is LOW: a perfect attack ranks every member "
                "below every non-member.",
            ),
            (
                "equal losses count one half (identical lists give 0.5)",
                lambda: close(val([1.0, 2.0], [1.0, 2.0]), 0.5) and close(val([3.0], [3.0, 3.0]), 0.5),
                "a tie between a member and a non-member is a coin toss for the attacker.",
            ),
            (
                "the AUC is right on losses with many ties",
                lambda: close(val(members, others), fairness.membership_auc(members, others), rtol=1e-9),
                "compare every member with every non-member (the fraction of pairs the attack orders correctly), "
                "not the average losses.",
            ),
        ],
    )
