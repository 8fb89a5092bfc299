"""Checks for chapter 9 (regularization): ridge regression, the Bayesian posterior predictive, dropout,
augmentation by shifts, and a straight line across a hidden stretch of a signal."""

from __future__ import annotations

import numpy as np

from .. import regularization
from ._core import answer, close, is_float64, run

__all__ = ["ridge", "posterior_predictive", "dropout", "augment_shifts", "fill_gap"]


def _augmented(phi, y, lam):
    """An independent ridge solve: least squares on [phi; sqrt(lam) I] w = [y; 0]."""
    p = phi.shape[1]
    return np.linalg.lstsq(np.vstack([phi, np.sqrt(lam) * np.eye(p)]), np.r_[y, np.zeros(p)], rcond=None)[0]


def ridge(fn):
    """Check ``fn(phi, y, lam) -> w``, the minimiser of |phi w - y|^2 + lam |w|^2."""
    rng = np.random.default_rng(21)
    phi, y = rng.normal(size=(30, 5)), rng.normal(size=30)
    wide, y_wide = rng.normal(size=(6, 12)), rng.normal(size=6)

    def w(a, b, lam):
        return np.asarray(answer(fn, a, b, lam), dtype=float)

    return run(
        "ridge",
        [
            (
                "w has one entry per feature (shape (P,))",
                lambda: w(phi, y, 1.0).shape == (5,),
                "phi has shape (N, P): the weights live in the P-dimensional feature space.",
            ),
            (
                "w is a numpy array of float64 numbers",
                lambda: is_float64(answer(fn, phi, y, 1.0), array=True),
                "keep numpy's double precision: rounding to float32 keeps only about 7 digits of the weights.",
            ),
            (
                "with a tiny lambda, w is the ordinary least-squares solution",
                lambda: close(w(phi, y, 1e-10), np.linalg.lstsq(phi, y, rcond=None)[0], rtol=1e-5, atol=1e-7),
                "set the gradient of |phi w - y|^2 + lam |w|^2 to zero and solve the linear system for w.",
            ),
            (
                "w minimises |phi w - y|^2 + lam |w|^2 for lam = 0.5 and lam = 20",
                lambda: all(
                    close(w(phi, y, lam), _augmented(phi, y, lam), rtol=1e-6, atol=1e-9) for lam in (0.5, 20.0)
                ),
                "set the gradient of the penalised loss to zero: the penalty contributes a term in w to every equation of the "
                "normal equations.",
            ),
            (
                "with a huge lambda, w shrinks towards zero",
                lambda: close(1e9 * w(phi, y, 1e9), phi.T @ y, rtol=1e-4, atol=1e-6),
                "as lam grows the penalty dominates; w should shrink like phi^T y / lam, not vanish or blow up.",
            ),
            (
                "it also works with more features than data points (P > N) when lam > 0",
                lambda: close(w(wide, y_wide, 0.1), _augmented(wide, y_wide, 0.1), rtol=1e-6, atol=1e-9),
                "with P > N, phi^T phi alone is singular; solve the penalised P x P system instead of inverting it.",
            ),
        ],
    )


def posterior_predictive(fn):
    """Check ``fn(phi, y, phi_test, prior_std, noise_std) -> (mean, var)`` of Bayesian linear regression, where
    ``var`` is the variance of the function value (without the observation noise)."""
    rng = np.random.default_rng(22)
    phi, y, phi_test = rng.normal(size=(12, 4)), rng.normal(size=12), rng.normal(size=(7, 4))
    sp, sn = 0.9, 0.4
    mean_ref, cov_ref = regularization.bayes_posterior(phi, y, sp, sn)
    m_ref, v_ref = regularization.bayes_predictive(phi_test, mean_ref, cov_ref)

    def out(*args):
        res = answer(fn, *args)
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            raise ValueError("return a pair (mean, var)")
        return np.asarray(res[0], dtype=float), np.asarray(res[1], dtype=float)

    def no_data_is_prior():
        m, v = out(phi[:0], y[:0], phi_test, sp, sn)
        return close(m, np.zeros(7), atol=1e-10) and close(v, sp**2 * np.sum(phi_test**2, 1), rtol=1e-8)

    return run(
        "posterior_predictive",
        [
            (
                "mean and var have one entry per test input",
                lambda: all(a.shape == (7,) for a in out(phi, y, phi_test, sp, sn)),
                "phi_test has one row per test input; return the diagonal of the predictive covariance, not the matrix.",
            ),
            (
                "with no data, the prediction is the prior's: mean 0 and variance prior_std^2 |phi_test row|^2",
                no_data_is_prior,
                "with N = 0 rows the posterior equals the prior N(0, prior_std^2 I).",
            ),
            (
                "the predictive mean is the ridge prediction with lambda = noise_std^2 / prior_std^2",
                lambda: close(out(phi, y, phi_test, sp, sn)[0], m_ref, rtol=1e-6, atol=1e-9),
                "the posterior precision adds the data's precision to the prior's; compare your mean with section 9.5.",
            ),
            (
                "the predictive variance matches the posterior covariance of the weights",
                lambda: close(out(phi, y, phi_test, sp, sn)[1], v_ref, rtol=1e-6, atol=1e-9),
                "the prediction at a test input is a linear function of the weights, so its variance is a quadratic form "
                "in the posterior covariance (the inverse of the posterior precision); do not add the noise variance here.",
            ),
        ],
    )


# ------------------------------------------------------------------ dropout
def dropout(fn):
    """Check ``fn(h, p, rng, training) -> array``: inverted dropout, each entry dropped with probability ``p`` and
    the survivors scaled by 1 / (1 - p) while training; the identity when not training."""
    h = np.random.default_rng(31).normal(size=(6, 9))
    ones = np.ones((400, 500))  # 200 000 entries: the fraction dropped is p to within about 0.001

    changed = []  # set when the student's function writes into the h it is given

    def out(x, p, seed=0, training=True):
        x_in = x.copy()
        res = np.asarray(answer(fn, x_in, p, np.random.default_rng(seed), training), dtype=float)
        if not np.array_equal(x_in, x):
            changed.append(True)
        return res

    def same_shape():
        shapes = out(h, 0.5).shape == h.shape and out(h, 0.5, training=False).shape == h.shape
        return shapes and not changed

    def new_array_at_test_time():
        h_in = h.copy()
        res = answer(fn, h_in, 0.5, np.random.default_rng(0), False)
        return isinstance(res, np.ndarray) and not np.shares_memory(res, h_in)

    def two_values(p):
        y = out(ones, p, seed=1)
        kept = y[y != 0]
        return kept.size > 0 and np.ptp(kept) < 1e-12

    def fraction_dropped(p):
        return float(np.mean(out(ones, p, seed=2) == 0))

    def survivor_scale(p):
        y = out(ones, p, seed=3)
        kept = y[y != 0]
        return float(kept[0]) if kept.size else np.nan

    def independent_entries():
        y = out(ones[:50, :60], 0.5, seed=4) != 0
        return len({tuple(r) for r in y}) > 1 and len({tuple(c) for c in y.T}) > 1

    def follows_rng():
        a, b, c = out(h, 0.4, seed=5), out(h, 0.4, seed=5), out(h, 0.4, seed=6)
        return np.array_equal(a, b) and not np.array_equal(a, c)

    def unbiased_mean():
        y = out(ones, 0.25, seed=7)
        return abs(y.mean() - 1.0) < 0.01

    return run(
        "dropout",
        [
            (
                "the output has the shape of h, and h itself is left unchanged",
                same_shape,
                "return a new array of the same shape; do not write into h.",
            ),
            (
                "with training=False the output is h itself (no units dropped, nothing rescaled)",
                lambda: close(out(h, 0.5, training=False), h, rtol=0, atol=0),
                "at test time the network uses every unit as it is: the rescaling already happened while training "
                "(inverted dropout), so nothing is multiplied at test time.",
            ),
            (
                "every entry is either dropped (0) or kept and multiplied by one common factor",
                lambda: two_values(0.3) and two_values(0.6),
                "multiply h by a mask of zeros and ones and by one scale factor; do not add noise to the kept units.",
            ),
            (
                "every entry is dropped or kept on its own (the mask differs between the examples and between the units)",
                independent_entries,
                "draw one random number for every entry of h, so that each example of the batch gets its own mask.",
            ),
            (
                "a fraction p of the entries is dropped (0.3 of them for p = 0.3, 0.8 for p = 0.8)",
                lambda: abs(fraction_dropped(0.3) - 0.3) < 0.005 and abs(fraction_dropped(0.8) - 0.8) < 0.005,
                "p is the probability of dropping an entry, not of keeping it.",
            ),
            (
                "the kept entries are scaled so that the mean of the output equals the mean of h",
                lambda: unbiased_mean() and close(survivor_scale(0.3), 1 / 0.7) and close(survivor_scale(0.8), 5.0),
                "with a fraction p dropped, the survivors must make up for the missing ones on average; "
                "compare the expected value of one output entry with the input entry.",
            ),
            (
                "with p = 0 nothing is dropped and nothing changes",
                lambda: close(out(h, 0.0), h, rtol=1e-12, atol=0),
                "p is the probability of dropping a unit; with p = 0 every unit survives unscaled.",
            ),
            (
                "the mask comes from the generator rng that is passed in",
                follows_rng,
                "draw the random numbers with rng itself (not np.random's global functions or a new generator), so "
                "that the same seed gives the same mask.",
            ),
            (
                "with training=False the output is a new array, not the array h itself",
                new_array_at_test_time,
                "return a copy at test time: handing back h itself lets a later in-place change of the output "
                "change the caller's h as well.",
            ),
        ],
    )


# ------------------------------------------------------------------ augmentation by circular shifts
def augment_shifts(fn):
    """Check ``fn(x, labels, shifts) -> (x_aug, labels_aug)``: the signals, then one block of copies circularly
    shifted by each entry of ``shifts`` along the signal (np.roll's direction), labels repeated to match."""
    rng = np.random.default_rng(41)
    x = rng.normal(size=(5, 7))
    labels = np.array([3, 1, 4, 1, 5])
    shifts = [2, -1, 0]
    x_ref, labels_ref = regularization.augment_shifts(x, labels, shifts)  # before run(): its errors are ours
    ramp = np.tile(np.arange(1.0, 8.0), (2, 1)) + 10 * np.arange(2)[:, None]  # row r: 10r + 1, ..., 10r + 7

    def out(a=x, b=labels, s=shifts):
        res = answer(fn, a.copy(), b.copy(), list(s))
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            return None, None
        return np.asarray(res[0], dtype=float), np.asarray(res[1])

    def sizes():
        xa, la = out()
        return xa is not None and xa.shape == x_ref.shape and la.shape == labels_ref.shape

    def originals_first():
        xa, la = out()
        return close(xa[:5], x, rtol=0, atol=0)

    def within_rows():
        xa, _ = out(ramp, np.array([0, 1]), [1])
        # every nonzero value of a copy comes from its own signal (zeros are judged by the next property)
        return all(set(row[row != 0]) <= set(ramp[i % 2]) for i, row in enumerate(xa))

    def direction():
        xa, _ = out(ramp, np.array([0, 1]), [1])
        return close(xa[2, :2], [7.0, 1.0], rtol=0, atol=0)

    return run(
        "augment_shifts",
        [
            (
                "with 5 signals and 3 shifts the result has 20 signals of the same length, and 20 labels",
                sizes,
                "return a pair: all the signals, the originals plus one copy of each per shift, and one label per "
                "signal.",
            ),
            (
                "the first block holds the original signals, unchanged",
                originals_first,
                "put the data themselves first, before any shifted copy.",
            ),
            (
                "a shifted copy of a signal holds that signal's own values (nothing moves from one signal to another)",
                within_rows,
                "shift along each signal's positions (the second axis), not along the list of signals, and do not "
                "shift the flattened array (values would spill from one signal into the next).",
            ),
            (
                "a shift of +1 moves every value one position to the right, and the last one comes round to the front",
                direction,
                "a positive shift moves values towards higher positions, circularly (np.roll's direction), without "
                "padding with zeros.",
            ),
            (
                "each block's labels are those of its signals, in the same order",
                lambda: np.array_equal(out()[1], labels_ref),
                "every block has the same N labels in the same order as the originals: the label of a copy is "
                "that of its signal (repeat the whole list, not each label in place).",
            ),
            (
                "every block matches the reference, in the order of shifts",
                lambda: close(out()[0], x_ref, rtol=0, atol=0),
                "one block per entry of shifts, in the order given (a shift of 0 is a plain copy).",
            ),
        ],
    )


def _line_fill(masked, mask):
    """An independent reference: each hidden sample on the straight line between the nearest visible samples on
    either side (the nearest visible value where the hidden stretch reaches an end of the signal)."""
    out = masked.copy()
    for r in range(len(out)):
        visible = np.flatnonzero(~mask[r])
        for i in np.flatnonzero(mask[r]):
            left, right = visible[visible < i], visible[visible > i]
            if len(left) and len(right):
                a, b = left[-1], right[0]
                out[r, i] = masked[r, a] + (masked[r, b] - masked[r, a]) * (i - a) / (b - a)
            else:
                out[r, i] = masked[r, (left[-1] if len(left) else right[0])]
    return out


def fill_gap(fn):
    """Check ``fn(masked, mask) -> filled``: the signals with every hidden sample (``mask`` True) replaced by the
    straight line between the nearest visible samples around it, and by the nearest visible value where the
    hidden stretch touches an end; visible samples unchanged."""
    rng = np.random.default_rng(51)
    x = rng.normal(size=(6, 12))
    mask = np.zeros_like(x, dtype=bool)
    for r, (start, length) in enumerate([(3, 4), (0, 3), (8, 4), (5, 1), (1, 6), (4, 5)]):
        mask[r, start : start + length] = True
    masked = np.where(mask, 0.0, x)
    ramp = np.tile(np.arange(12.0), (2, 1)) * np.array([[1.0], [-2.0]])  # two straight lines
    ramp_mask = np.zeros_like(ramp, dtype=bool)
    ramp_mask[0, 2:6], ramp_mask[1, 5:9] = True, True

    changed = []  # set when the student's function writes into the arrays it is given

    def out(a=masked, m=mask):
        a_in, m_in = a.copy(), m.copy()
        res = np.asarray(answer(fn, a_in, m_in), dtype=float)
        if not (np.array_equal(a_in, a) and np.array_equal(m_in, m)):
            changed.append(True)
        return res

    def leaves_inputs():
        out()
        return not changed

    def inner_rows():
        inner = [0, 3, 4, 5]  # the rows whose hidden stretch has visible samples on both sides
        return close(out()[inner], _line_fill(masked, mask)[inner], rtol=1e-9, atol=1e-12)

    return run(
        "fill_gap",
        [
            (
                "the result has the shape of the signals",
                lambda: out().shape == x.shape,
                "return one filled signal per row of masked, each as long as before.",
            ),
            (
                "the arrays passed in (masked and mask) are left unchanged",
                leaves_inputs,
                "your function changed the arrays it was given: build a new array (a copy of masked) and fill that "
                "one, instead of writing into masked.",
            ),
            (
                "the result is a numpy array of float64 numbers",
                lambda: is_float64(answer(fn, masked.copy(), mask.copy()), array=True),
                "keep numpy's double precision: do not round the signals to float32 or turn them into lists.",
            ),
            (
                "the visible samples are unchanged",
                lambda: close(out()[~mask], x[~mask], rtol=0, atol=0),
                "only the samples where mask is True are guesses; copy the others as they are.",
            ),
            (
                "a straight line with a hidden stretch is filled back exactly",
                lambda: close(out(np.where(ramp_mask, 0.0, ramp), ramp_mask), ramp, rtol=1e-9, atol=1e-12),
                "a hidden sample lies on the line through the last visible sample before the stretch and the first "
                "visible sample after it, at its own position between them.",
            ),
            (
                "each hidden sample inside a signal lies on the line between its visible neighbours, row by row",
                inner_rows,
                "treat every row on its own, with its own hidden stretch; the two ends of the line are the visible "
                "samples just outside the stretch, not the first and last samples of the signal.",
            ),
            (
                "a stretch that touches an end of the signal takes the value of the nearest visible sample",
                lambda: close(out()[[1, 2]], _line_fill(masked, mask)[[1, 2]], rtol=1e-9, atol=1e-12),
                "where there is a visible sample on one side only, there is no line to draw: repeat that sample's "
                "value across the hidden stretch.",
            ),
        ],
    )
