"""kan_edu.fairness against independent references: scikit-learn's metrics, brute force and closed forms."""

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score, roc_curve

from kan_edu import fairness as F


@pytest.fixture(scope="module")
def loans():
    return F.loan_scores(n=3000, seed=1)


def brute_rates(scores, y, group, taus):
    """Count by hand, person by person."""
    out = {}
    for g in (0, 1):
        rows = [(s, t) for s, t, k in zip(scores, y, group) if k == g]
        approved = [(s >= taus[g], t) for s, t in rows]
        tp = sum(a and t == 1 for a, t in approved)
        fp = sum(a and t == 0 for a, t in approved)
        pos = sum(t == 1 for _, t in rows)
        out[g] = dict(
            approval=(tp + fp) / len(rows),
            tpr=tp / pos,
            fpr=fp / (len(rows) - pos),
            ppv=tp / (tp + fp),
            base=pos / len(rows),
        )
    return out


def test_loan_scores_follow_their_parameters():
    d = F.loan_scores(n=40000, base_rates=(0.7, 0.2), separation=(2.0, 1.0), shift=(0.5, -0.5), seed=3)
    assert d["score"].shape == d["y"].shape == d["group"].shape == (40000,)
    assert set(np.unique(d["group"])) == {0, 1} and set(np.unique(d["y"])) == {0, 1}
    for g, (p, sep, mid) in enumerate([(0.7, 2.0, 0.5), (0.2, 1.0, -0.5)]):
        s, y = d["score"][d["group"] == g], d["y"][d["group"] == g]
        assert abs(y.mean() - p) < 0.015
        assert abs(s[y == 1].mean() - (mid + sep / 2)) < 0.05 and abs(s[y == 0].mean() - (mid - sep / 2)) < 0.05
        assert abs(s[y == 1].std() - 1) < 0.05
        # the AUC of a binormal score with unit variances is Phi(d' / sqrt 2)
        assert abs(roc_auc_score(y, s) - norm.cdf(sep / np.sqrt(2))) < 0.015
    again = F.loan_scores(n=40000, base_rates=(0.7, 0.2), separation=(2.0, 1.0), shift=(0.5, -0.5), seed=3)
    assert np.array_equal(d["score"], again["score"])


def test_group_rates_match_brute_force(loans):
    s, y, g = loans["score"], loans["y"], loans["group"]
    taus = np.array([0.3, -0.4])
    ours = F.group_rates(s, y, g, taus)
    ref = brute_rates(s, y, g, taus)
    for k in (0, 1):
        assert ours["approval"][k] == pytest.approx(ref[k]["approval"])
        assert ours["tpr"][k] == pytest.approx(ref[k]["tpr"])
        assert ours["fpr"][k] == pytest.approx(ref[k]["fpr"])
        assert ours["ppv"][k] == pytest.approx(ref[k]["ppv"])
        assert ours["base_rate"][k] == pytest.approx(ref[k]["base"])
    # the approval rate is the base-rate mixture of TPR and FPR
    r = ours
    assert np.allclose(r["approval"], r["base_rate"] * r["tpr"] + (1 - r["base_rate"]) * r["fpr"])


def test_group_rates_limits_monotone_and_permutation_invariant(loans):
    s, y, g = loans["score"], loans["y"], loans["group"]
    low, high = F.group_rates(s, y, g, -np.inf), F.group_rates(s, y, g, np.inf)
    for key in ("approval", "tpr", "fpr"):
        assert np.all(low[key] == 1) and np.all(high[key] == 0)
    assert np.allclose(low["ppv"], low["base_rate"]) and np.all(np.isnan(high["ppv"]))
    taus = np.linspace(-3, 3, 25)
    curves = np.array([[F.group_rates(s, y, g, t)[k] for k in ("approval", "tpr", "fpr")] for t in taus])
    assert np.all(np.diff(curves, axis=0) <= 0) and curves.min() >= 0 and curves.max() <= 1
    perm = np.random.default_rng(0).permutation(len(s))
    a, b = F.group_rates(s, y, g, [0.1, 0.2]), F.group_rates(s[perm], y[perm], g[perm], [0.1, 0.2])
    assert all(np.allclose(a[k], b[k]) for k in a)


def test_roc_by_group_matches_sklearn_and_brute_force(loans):
    s, y, g = loans["score"], loans["y"], loans["group"]
    curves = F.roc_by_group(s, y, g)
    assert len(curves) == 2
    for k, c in enumerate(curves):
        fpr, tpr, _ = roc_curve(y[g == k], s[g == k], drop_intermediate=False)
        assert np.allclose(c["fpr"], fpr) and np.allclose(c["tpr"], tpr)
        assert c["auc"] == pytest.approx(roc_auc_score(y[g == k], s[g == k]))
        for i in (5, len(c["thresholds"]) // 2, len(c["thresholds"]) - 3):
            taus = np.full(2, c["thresholds"][i])
            r = F.group_rates(s, y, g, taus)
            assert r["tpr"][k] == pytest.approx(c["tpr"][i]) and r["fpr"][k] == pytest.approx(c["fpr"][i])
    # the less separable group has the lower AUC
    assert curves[0]["auc"] > curves[1]["auc"]


@pytest.mark.parametrize("criterion, key", list(F.CRITERIA.items()))
@pytest.mark.parametrize("target", [0.0, 0.13, 0.5, 0.87, 1.0])
def test_thresholds_hit_the_target_within_one_over_n(loans, criterion, key, target):
    s, y, g = loans["score"], loans["y"], loans["group"]
    taus = F.thresholds_for(criterion, s, y, g, target)
    rates = F.group_rates(s, y, g, taus)[key]
    for k in (0, 1):
        counted = {"approval": g == k, "tpr": (g == k) & (y == 1), "fpr": (g == k) & (y == 0)}[key].sum()
        assert abs(rates[k] - target) <= 1 / counted


def test_with_one_roc_curve_equal_odds_and_parity_exclude_each_other():
    """Same score quality, different base rates: equal TPRs bring equal FPRs, and then the approval rates must
    differ by (p0 - p1)(TPR - FPR)."""
    d = F.loan_scores(n=20000, base_rates=(0.6, 0.4), separation=(1.5, 1.5), shift=(0.0, 0.0), seed=4)
    s, y, g = d["score"], d["y"], d["group"]
    r = F.group_rates(s, y, g, F.thresholds_for("equal_opportunity", s, y, g, 0.7))
    assert abs(r["fpr"][0] - r["fpr"][1]) < 0.02
    gap = r["approval"][0] - r["approval"][1]
    assert gap == pytest.approx((r["base_rate"][0] - r["base_rate"][1]) * (0.7 - r["fpr"].mean()), abs=0.02)
    assert gap > 0.05
    r = F.group_rates(s, y, g, F.thresholds_for("demographic_parity", s, y, g, 0.5))
    assert r["tpr"][0] - r["tpr"][1] < -0.05 and r["fpr"][0] - r["fpr"][1] < -0.05


def test_thresholds_refuse_a_group_with_nobody_to_count():
    with pytest.raises(ValueError, match="group 1"):
        F.thresholds_for("equal_opportunity", [0.1, 0.2, 0.3], [1, 0, 0], [0, 1, 1], 0.5)
    with pytest.raises(ValueError, match="criterion"):
        F.thresholds_for("parity", [0.1, 0.2], [1, 0], [0, 0], 0.5)
    with pytest.raises(ValueError, match="y must"):
        F.group_rates([0.1, 0.2], [2, 0], [0, 0], 0.0)


def test_biased_history_has_the_structure_it_promises():
    d = F.biased_history(n=20000, proxy_strength=0.6, label_bias=1.0, seed=2)
    x, group = d["x"], d["group"]
    assert x.shape == (20000, 3) and d["features"] == ("income", "postcode", "group")
    assert np.array_equal(x[:, 2], group)
    assert np.corrcoef(x[:, 1], 2 * group - 1)[0, 1] == pytest.approx(0.6, abs=0.02)
    # the truth does not depend on the group; the history does
    t0, t1 = d["y_true"][group == 0].mean(), d["y_true"][group == 1].mean()
    h0, h1 = d["y_history"][group == 0].mean(), d["y_history"][group == 1].mean()
    assert abs(t0 - t1) < 0.03 and h0 - h1 > 0.25
    # income carries the ability: it predicts the truth equally well in both groups
    for k in (0, 1):
        assert roc_auc_score(d["y_true"][group == k], x[group == k, 0]) > 0.8
    unbiased = F.biased_history(n=20000, label_bias=0.0, seed=2)
    assert abs(unbiased["y_history"][group == 0].mean() - unbiased["y_history"][group == 1].mean()) < 0.03


def test_black_box_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4))
    h = 1e-6
    fd = np.column_stack([(F.black_box(x + h * e) - F.black_box(x - h * e)) / (2 * h) for e in np.eye(4)])
    assert np.allclose(F.black_box_gradient(x), fd, atol=1e-7)
    assert F.black_box(x[0]).shape == (1,)


def test_ice_curves_against_brute_force_and_partial_dependence():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 4))
    grid = np.linspace(-2, 2, 9)
    ice = F.ice_curves(F.black_box, x, 0, grid)
    assert ice.shape == (7, 9)
    for i in range(7):
        for j, v in enumerate(grid):
            z = x[i].copy()
            z[0] = v
            assert ice[i, j] == pytest.approx(F.black_box(z)[0])
    # an ignored input gives flat curves; an additive one gives parallel curves
    assert np.allclose(np.ptp(F.ice_curves(F.black_box, x, 3, grid), axis=1), 0)
    ice1 = F.ice_curves(F.black_box, x, 1, grid)
    assert np.allclose(ice1 - ice1[:, :1], grid**2 - grid[0] ** 2)


def test_lime_is_exact_for_affine_functions():
    w, b = np.array([1.5, -2.0, 0.0, 0.25]), 3.0
    for sigma in (1e-3, 0.5, 5.0):
        out = F.lime(lambda z: z @ w + b, np.array([0.2, -1.0, 4.0, 0.0]), sigma, n=50, seed=4)
        assert np.allclose(out, w, atol=1e-9)


def test_lime_ignores_irrelevant_inputs_and_tends_to_the_gradient():
    x0 = np.array([0.3, 0.8, -0.5, 1.0])
    grad = F.black_box_gradient(x0)[0]
    errors = [np.abs(F.lime(F.black_box, x0, s, n=4000, seed=0) - grad).max() for s in (1.0, 0.1, 0.01, 0.001)]
    assert errors[-1] < 1e-3 and errors == sorted(errors, reverse=True)
    for s in (0.01, 0.5, 2.0):
        assert abs(F.lime(F.black_box, x0, s, n=4000, seed=1)[3]) < 0.1  # input 3 is ignored
    # for x1 at 0 the slope is 0 however much x1 matters further out: the linear surrogate cannot see x1^2
    assert abs(F.lime(F.black_box, np.array([0.3, 0.0, -0.5, 1.0]), 1.0, n=4000, seed=2)[1]) < 0.15


def test_lime_rejects_a_function_with_the_wrong_output():
    with pytest.raises(ValueError, match="f must return one number per row"):
        F.lime(lambda z: z, np.zeros(3), 0.1)


def test_membership_auc_matches_sklearn():
    rng = np.random.default_rng(5)
    members, others = rng.exponential(0.5, size=200), rng.exponential(1.0, size=300)
    labels = np.r_[np.ones(200), np.zeros(300)]
    assert F.membership_auc(members, others) == pytest.approx(roc_auc_score(labels, -np.r_[members, others]))
    # ties count one half: losses rounded to a coarse grid still agree
    m, o = np.round(members, 1), np.round(others, 1)
    assert F.membership_auc(m, o) == pytest.approx(roc_auc_score(labels, -np.r_[m, o]))
    assert F.membership_auc([0.1, 0.2], [0.3, 0.4]) == 1.0 and F.membership_auc([0.3, 0.4], [0.1, 0.2]) == 0.0
    assert F.membership_auc([1.0, 1.0], [1.0]) == 0.5
    same = rng.normal(size=4000)
    assert abs(F.membership_auc(same[:2000], same[2000:]) - 0.5) < 0.03
