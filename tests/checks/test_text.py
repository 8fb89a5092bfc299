"""The checks of kan_edu.check.text (chapter 12) pass the reference answers, fail plausible wrong ones, never
raise, never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


def merge(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == tuple(pair):
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def merge_first_only(symbols, pair):
    for i in range(len(symbols) - 1):
        if (symbols[i], symbols[i + 1]) == tuple(pair):
            return symbols[:i] + [symbols[i] + symbols[i + 1]] + symbols[i + 2 :]
    return list(symbols)


def merge_right_to_left(symbols, pair):
    return [s[::-1] for s in merge([s[::-1] for s in symbols[::-1]], (pair[1][::-1], pair[0][::-1]))][::-1]


def merge_by_text(symbols, pair):  # joins with spaces and replaces: loses the token boundaries
    return " ".join(symbols).replace(f"{pair[0]} {pair[1]}", pair[0] + pair[1]).split(" ")


def merge_overlapping(symbols, pair):  # fuses every position, reusing tokens
    out = []
    for i in range(len(symbols)):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == tuple(pair):
            out.append(symbols[i] + symbols[i + 1])
        elif i == 0 or (symbols[i - 1], symbols[i]) != tuple(pair):
            out.append(symbols[i])
    return out


def merge_in_place(symbols, pair):
    new = merge(symbols, pair)
    symbols[:] = new
    return symbols


def nucleus(p, theta):
    order = np.argsort(-p, kind="stable")
    before = np.cumsum(p[order]) - p[order]
    q = np.zeros_like(p)
    keep = order[before < theta]
    q[keep] = p[keep]
    return q / q.sum()


def nucleus_variant(kind):
    def fn(p, theta):
        order = np.argsort(p if kind == "ascending" else -p, kind="stable")
        cum = np.cumsum(p[order])
        before = cum - p[order]
        if kind == "exclusive":  # drops the token that crosses theta
            keep = order[cum < theta]
        elif kind == "one-more":  # `<=`: one token too many at an exact boundary
            keep = order[before <= theta]
        else:
            keep = order[before < theta]
        q = np.zeros_like(p)
        q[keep] = p[keep]
        if kind == "unnormalised":
            return q
        if kind == "uniform":
            q[keep] = 1.0
        return q / q.sum() if q.sum() > 0 else q

    return fn


def threshold(p, theta):  # keeps every token above theta
    q = np.where(p >= theta, p, 0.0)
    return q / q.sum() if q.sum() > 0 else p


def beam(log_probs, prompt, n, width):
    beams = [(0.0, [])]
    for _ in range(n):
        cands = []
        for score, seq in beams:
            lp = log_probs(prompt + seq)
            cands += [(score + lp[t], seq + [t]) for t in range(len(lp))]
        cands.sort(key=lambda c: -c[0])
        beams = cands[:width]
    return beams[0][1], beams[0][0]


def greedy_only(log_probs, prompt, n, width):
    return beam(log_probs, prompt, n, 1)


def last_step_ranking(log_probs, prompt, n, width):
    beams = [(0.0, [])]
    for _ in range(n):
        cands = []
        for score, seq in beams:
            lp = log_probs(prompt + seq)
            cands += [(lp[t], score + lp[t], seq + [t]) for t in range(len(lp))]
        cands.sort(key=lambda c: -c[0])
        beams = [(c[1], c[2]) for c in cands[:width]]
    return beams[0][1], beams[0][0]


def with_prompt(log_probs, prompt, n, width):
    seq, score = beam(log_probs, prompt, n, width)
    return prompt + seq, score


def probability_not_log(log_probs, prompt, n, width):
    seq, score = beam(log_probs, prompt, n, width)
    return seq, float(np.exp(score))


def top_of_each_beam(log_probs, prompt, n, width):  # extends each beam only by its own best token
    beams = [(0.0, [])]
    for step in range(n):
        cands = []
        for score, seq in beams:
            lp = log_probs(prompt + seq)
            tops = np.argsort(-lp)[: (width if step == 0 else 1)]
            cands += [(score + lp[t], seq + [int(t)]) for t in tops]
        cands.sort(key=lambda c: -c[0])
        beams = cands[:width]
    return beams[0][1], beams[0][0]


@pytest.mark.parametrize(
    "checker, right, wrongs, secrets, probe",
    [
        (
            check.bpe_merge,
            merge,
            [lambda s, p: ..., merge_first_only, merge_right_to_left, merge_by_text, merge_overlapping, merge_in_place],
            ["i += 2", "append"],
            (["a"], ("a", "b")),
        ),
        (
            check.nucleus_filter,
            nucleus,
            [
                lambda p, t: ...,
                nucleus_variant("ascending"),
                nucleus_variant("exclusive"),
                nucleus_variant("one-more"),
                nucleus_variant("unnormalised"),
                nucleus_variant("uniform"),
                threshold,
                lambda p, t: p,
            ],
            ["cumsum", "argsort", "before < theta"],
            (np.array([1.0]), 0.5),
        ),
        (
            check.beam_search,
            beam,
            [lambda *a: ..., greedy_only, last_step_ranking, with_prompt, probability_not_log, top_of_each_beam],
            ["sort", "cands", "argmax"],
            (lambda ids: np.log([0.5, 0.5]), [], 1, 1),
        ),
    ],
    ids=["bpe_merge", "nucleus_filter", "beam_search"],
)
def test_text_checks(checker, right, wrongs, secrets, probe, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)
    assert_hint_or_not_answered(checker, right, wrongs, probe, capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.bpe_merge, check.nucleus_filter, check.beam_search], capsys)
