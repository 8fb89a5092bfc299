"""kan_edu.fairness: measuring what a model does to people (chapter 21).

A decision rule ``approve when score >= tau`` splits every group of applicants four ways: approved people who
repay (true positives), approved people who default (false positives), and the two kinds of refusals. The
fairness criteria of the literature are equalities between groups of rates built from those four counts:

* **demographic parity**: the same approval rate ``P(approve | group)``;
* **equal opportunity**: the same true positive rate ``P(approve | repays, group)``;
* **equalised odds**: the same true *and* false positive rates;
* **predictive parity**: the same precision ``P(repays | approved, group)``.

When the groups' base rates ``P(repays | group)`` differ, these cannot all hold at once unless the score is
perfect (section 21.1 of the book proves it). This module generates synthetic applicants
(:func:`loan_scores`, :func:`biased_history`; no real data set is downloaded), measures the rates
(:func:`group_rates`, :func:`roc_by_group`), finds per-group thresholds that meet a criterion
(:func:`thresholds_for`), and holds three tools for looking inside or attacking a model: individual
conditional expectation curves (:func:`ice_curves`), local linear explanations in the style of LIME
(:func:`lime`), and the area under the ROC curve of a loss-threshold membership-inference attack
(:func:`membership_auc`). Everything is numpy in, numpy out, and seeded.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from ._validate import array, choice, function, number, random_seed, same_length, size

__all__ = [
    "CRITERIA",
    "loan_scores",
    "group_rates",
    "roc_by_group",
    "thresholds_for",
    "biased_history",
    "black_box",
    "black_box_gradient",
    "ice_curves",
    "lime",
    "membership_auc",
]

#: The most groups the rate functions accept (group indices run from 0 to MAX_GROUPS - 1).
MAX_GROUPS = 100

#: The criteria that :func:`thresholds_for` can meet, and the rate each one equalises.
CRITERIA = {"demographic_parity": "approval", "equal_opportunity": "tpr", "equal_fpr": "fpr"}


# ------------------------------------------------------------------------------------------- the data
def loan_scores(
    n: int = 2000,
    base_rates=(0.6, 0.4),
    separation=(2.0, 1.2),
    shift=(0.0, -0.3),
    seed: int = 0,
) -> dict:
    """Synthetic credit scores for two equally large groups (0 "blue" and 1 "yellow").

    In group g a fraction ``base_rates[g]`` of the applicants would repay (``y = 1``). A score is Gaussian with
    unit variance given the outcome, centred at ``shift[g] + separation[g] / 2`` for those who repay and at
    ``shift[g] - separation[g] / 2`` for those who default: ``separation`` is how informative the score is
    (the d' of signal detection), and a smaller one for a group models a score that knows that group less well.

    Returns a dict of numpy arrays of length ``n``: ``score`` (float), ``y`` (0/1 int), ``group`` (0/1 int).
    """
    n = size("n", n, minimum=4)
    rates = array("base_rates", base_rates, 1, shape=(2,), low=0, high=1)
    sep = array("separation", separation, 1, shape=(2,), low=0)
    shift = array("shift", shift, 1, shape=(2,))
    rng = np.random.default_rng(random_seed("seed", seed))
    group = np.repeat([0, 1], [n - n // 2, n // 2])
    y = (rng.random(n) < rates[group]).astype(int)
    score = shift[group] + (y - 0.5) * sep[group] + rng.normal(size=n)
    return {"score": score, "y": y, "group": group}


def biased_history(
    n: int = 4000,
    proxy_strength: float = 0.8,
    label_bias: float = 1.0,
    seed: int = 0,
) -> dict:
    """Synthetic loan history in which the *labels* are biased and a *proxy* feature reveals the group.

    Every applicant has a group (0 or 1, half each) and an ability to repay that does not depend on the group.
    Three features are recorded: ``income`` (ability plus noise), ``postcode`` (a number that says nothing about
    ability; its correlation with the group coding ±1 is ``proxy_strength``) and ``group`` itself. The
    outcome that *should* be predicted, ``y_true``, is whether the applicant would repay. The labels a model is
    trained on, ``y_history``, are past decisions that held group 1 to a stricter standard: the same ability
    minus ``label_bias`` for group 1.

    Returns a dict: ``x`` (n, 3) float features in the order of ``features``, ``features`` (names),
    ``y_history`` and ``y_true`` (0/1 int), ``group`` (0/1 int).
    """
    n = size("n", n, minimum=4)
    rho = number("proxy_strength", proxy_strength, -1, 1)
    bias = number("label_bias", label_bias)
    rng = np.random.default_rng(random_seed("seed", seed))
    group = rng.permutation(np.repeat([0, 1], [n - n // 2, n // 2]))
    ability = rng.normal(size=n)
    income = ability + 0.5 * rng.normal(size=n)
    postcode = rho * (2 * group - 1) + np.sqrt(1 - rho**2) * rng.normal(size=n)
    y_true = (ability + 0.5 * rng.normal(size=n) > 0).astype(int)
    y_history = (ability + 0.5 * rng.normal(size=n) - bias * group > 0).astype(int)
    x = np.column_stack([income, postcode, group.astype(float)])
    return {
        "x": x,
        "features": ("income", "postcode", "group"),
        "y_history": y_history,
        "y_true": y_true,
        "group": group,
    }


# ---------------------------------------------------------------------------------------- the rates
def _labels(name: str, a) -> np.ndarray:
    """A 1-D array of whole numbers >= 0 (labels or group indices) as ints."""
    return array(name, a, 1, empty=False, low=0, integral=True).astype(int)


def _scored(scores, y, group) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scores = array("scores", scores, 1, empty=False)
    y = _labels("y", y)
    array("y", y, high=1)
    group = _labels("group", group)
    array("group", group, high=MAX_GROUPS - 1)
    same_length("scores, y and group", scores, y, group)
    return scores, y, group


def _rates(scores, y, group, taus) -> dict:
    n_groups = len(taus)
    out = {k: np.full(n_groups, np.nan) for k in ("approval", "tpr", "fpr", "ppv", "base_rate", "accuracy")}
    for g in range(n_groups):
        s, t = scores[group == g], y[group == g]
        if len(s) == 0:
            continue
        approve = s >= taus[g]
        pos, neg = t == 1, t == 0
        out["approval"][g] = approve.mean()
        out["base_rate"][g] = pos.mean()
        out["accuracy"][g] = (approve == pos).mean()
        if pos.any():
            out["tpr"][g] = approve[pos].mean()
        if neg.any():
            out["fpr"][g] = approve[neg].mean()
        if approve.any():
            out["ppv"][g] = pos[approve].mean()
    return out


def group_rates(scores, y, group, thresholds) -> dict:
    """Per-group rates of the rule "approve when ``scores >= thresholds[group]``".

    ``scores`` (N,) floats, ``y`` (N,) outcomes in {0, 1}, ``group`` (N,) indices 0..G-1 and ``thresholds``
    one number for everybody or one per group, (G,). ``-inf`` approves everybody and ``inf`` nobody.

    Returns a dict of (G,) arrays: ``approval`` P(approve), ``tpr`` P(approve | y = 1), ``fpr``
    P(approve | y = 0), ``ppv`` P(y = 1 | approve), ``base_rate`` P(y = 1) and ``accuracy``; a rate whose
    condition never occurs in a group (no approvals, say) is NaN.
    """
    scores, y, group = _scored(scores, y, group)
    n_groups = int(group.max()) + 1
    taus = array("thresholds", thresholds, (0, 1), finite=False)
    array("thresholds", np.where(np.isinf(taus), 0.0, taus))  # refuses NaN; +-inf approve nobody / everybody
    if taus.ndim == 1:
        array("thresholds", taus, shape=(n_groups,), like="the number of groups", finite=False)
    taus = np.broadcast_to(taus, (n_groups,))
    return _rates(scores, y, group, taus)


def roc_by_group(scores, y, group) -> list[dict]:
    """The ROC curve of the scores within each group: a list with one dict per group 0..G-1.

    Each dict holds ``fpr`` and ``tpr`` (the operating points of every threshold, from approving nobody to
    approving everybody), ``thresholds`` (the threshold of each point: approve when score >= threshold;
    the first is ``inf``) and ``auc``, computed by scikit-learn's ``roc_curve`` and ``auc``. A group needs
    both outcomes.
    """
    from sklearn.metrics import auc, roc_curve

    scores, y, group = _scored(scores, y, group)
    curves = []
    for g in range(int(group.max()) + 1):
        t = y[group == g]
        if t.size == 0 or t.min() == t.max():
            raise ValueError(f"group {g} must contain both outcomes (y = 0 and y = 1) to have an ROC curve")
        fpr, tpr, thr = roc_curve(t, scores[group == g], drop_intermediate=False)
        curves.append({"fpr": fpr, "tpr": tpr, "thresholds": thr, "auc": float(auc(fpr, tpr))})
    return curves


def _threshold_for_rate(s: np.ndarray, rate: float) -> float:
    """A threshold that approves round(rate * len(s)) of the scores s (fewer or more only when scores tie)."""
    ordered = np.sort(s)[::-1]
    k = int(round(rate * len(ordered)))
    if k == 0:
        return float(ordered[0] + 1.0)
    if k == len(ordered):
        return float(ordered[-1] - 1.0)
    return float(0.5 * (ordered[k - 1] + ordered[k]))


def thresholds_for(criterion: str, scores, y, group, target: float) -> np.ndarray:
    """One threshold per group that brings the group's rate named by ``criterion`` to ``target``.

    ``criterion`` is one of :data:`CRITERIA`: ``"demographic_parity"`` (the approval rate),
    ``"equal_opportunity"`` (the true positive rate) or ``"equal_fpr"`` (the false positive rate). Each group's
    threshold lies halfway between two of its scores, so with n people counted (n positives for the TPR) the
    rate is within 1/(2n) of the target when no scores tie. Returns a (G,) array.
    """
    choice("criterion", criterion, CRITERIA)
    scores, y, group = _scored(scores, y, group)
    target = number("target", target, 0, 1)
    taus = []
    for g in range(int(group.max()) + 1):
        s, t = scores[group == g], y[group == g]
        counted = {"demographic_parity": s, "equal_opportunity": s[t == 1], "equal_fpr": s[t == 0]}[criterion]
        if len(counted) == 0:
            raise ValueError(f"group {g} has nobody to count for {criterion} (no such people in y and group)")
        taus.append(_threshold_for_rate(counted, target))
    return np.array(taus)


# ------------------------------------------------------------------------------------- explanations
def _inputs(name: str, x, d: int | None = None) -> np.ndarray:
    x = array(name, x, (1, 2), empty=False)
    x2 = np.atleast_2d(x)
    if d is not None:
        array(name, x2, shape=(None, d))
    return x2


def black_box(x):
    """A smooth "black box" of four inputs, (N, 4) -> (N,), for explanation methods to explain.

    ``f(x) = sin(2 x0) + x1**2 + 0.5 x0 x2``: input 0 acts nonlinearly, input 1 matters a lot away from
    ``x1 = 0`` but has no slope there, input 2 matters only through its interaction with input 0, and input 3
    is ignored. A single point (4,) gives a one-element array.
    """
    x = _inputs("x", x, 4)
    return np.sin(2 * x[:, 0]) + x[:, 1] ** 2 + 0.5 * x[:, 0] * x[:, 2]


def black_box_gradient(x):
    """The exact gradient of :func:`black_box`, (N, 4) -> (N, 4)."""
    x = _inputs("x", x, 4)
    return np.column_stack([2 * np.cos(2 * x[:, 0]) + 0.5 * x[:, 2], 2 * x[:, 1], 0.5 * x[:, 0], np.zeros(len(x))])


def _model_outputs(f, z: np.ndarray, name: str = "f") -> np.ndarray:
    out = np.asarray(f(z), dtype=float).reshape(-1)
    if out.shape != (len(z),):
        raise ValueError(
            f"{name} must return one number per row of its (N, d) input, got {out.size} numbers for N={len(z)}"
        )
    return out


def ice_curves(f, x, feature: int, grid) -> np.ndarray:
    """Individual conditional expectation: ``f`` along ``grid`` for input ``feature`` of every row of ``x``.

    Row i of the result is ``f`` at ``x[i]`` with its ``feature``-th entry replaced by each grid value in
    turn, so the result has shape (N, len(grid)); its mean over rows is the partial dependence curve.
    ``f`` maps an (M, d) array to M outputs.
    """
    function("f", f, "f(x) -> one output per row")
    x = _inputs("x", x)
    feature = size("feature", feature, minimum=0, maximum=x.shape[1] - 1)
    grid = array("grid", grid, 1, empty=False)
    z = np.repeat(x[:, None, :], len(grid), axis=1)
    z[:, :, feature] = grid
    return _model_outputs(f, z.reshape(-1, x.shape[1])).reshape(len(x), len(grid))


def lime(f, x0, sigma: float, n: int = 1000, seed: int = 0) -> np.ndarray:
    """A local linear explanation of ``f`` at ``x0``: the slopes of a least-squares plane fitted nearby.

    Draws ``n`` points ``z = x0 + sigma * noise`` (standard Gaussian noise), evaluates ``f`` there, and
    fits ``f(z) ≈ b + w·(z - x0)`` by least squares; returns ``w`` (d,). It is exact for a linear (affine)
    ``f``, gives about 0 to an input ``f`` ignores, and tends to the gradient of a smooth ``f`` as
    ``sigma -> 0``; at a larger ``sigma`` it describes the neighbourhood, not the point. (The LIME of Ribeiro et
    al. also weights the samples by their distance and works on interpretable features; here the Gaussian
    sampling plays the part of the weighting.)
    """
    function("f", f, "f(x) -> one output per row")
    x0 = array("x0", x0, 1, empty=False)
    sigma = number("sigma", sigma, low=0, low_open=True)
    n = size("n", n, minimum=x0.size + 2)
    rng = np.random.default_rng(random_seed("seed", seed))
    dz = sigma * rng.normal(size=(n, x0.size))
    design = np.column_stack([np.ones(n), dz])
    coef, *_ = np.linalg.lstsq(design, _model_outputs(f, x0 + dz), rcond=None)
    return coef[1:]


# ------------------------------------------------------------------------------------------ privacy
def membership_auc(member_losses, nonmember_losses) -> float:
    """The AUC of the attack "a lower loss means the example was in the training set".

    The probability that a random member (training example) has a lower loss than a random non-member,
    counting ties as one half: 0.5 is guessing, 1 is a perfect attack. This is the Mann-Whitney statistic,
    computed from the ranks of all the losses.
    """
    a = array("member_losses", member_losses, 1, empty=False)
    b = array("nonmember_losses", nonmember_losses, 1, empty=False)
    ranks = rankdata(np.concatenate([-a, -b]))  # high rank = low loss
    u = ranks[: len(a)].sum() - len(a) * (len(a) + 1) / 2
    return float(u / (len(a) * len(b)))
