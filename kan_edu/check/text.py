"""Checks for kan_edu.text (chapter 12): one byte-pair merge, nucleus filtering and beam search."""

from __future__ import annotations

import itertools

import numpy as np

from .. import text
from ._core import answer, close, is_distribution, run

__all__ = ["bpe_merge", "nucleus_filter", "beam_search"]


def bpe_merge(fn):
    """Check ``fn(symbols, pair) -> list``: every occurrence of the adjacent ``pair`` fused, left to right."""
    low = ["l", "o", "w", " ", "l", "o", "w", "e", "r"]

    def merged(symbols, pair):
        out = answer(fn, list(symbols), pair)
        return [str(s) for s in out] if isinstance(out, (list, tuple)) else None

    def unchanged_input():
        symbols = list(low)
        answer(fn, symbols, ("l", "o"))
        return symbols == low

    return run(
        "bpe_merge",
        [
            (
                "it returns a list of strings that spell the same text",
                lambda: merged(low, ("l", "o")) is not None and "".join(merged(low, ("l", "o"))) == "".join(low),
                "a merge only moves the boundaries between tokens: join the tokens and you must get the text back.",
            ),
            (
                "it fuses every occurrence of the pair, not only the first",
                lambda: merged(low, ("l", "o")).count("lo") == 2 and len(merged(low, ("l", "o"))) == 7,
                "keep scanning after a fusion: the pair may occur again later in the list.",
            ),
            (
                "a pair that does not occur leaves the tokens as they were",
                lambda: merged(low, ("w", "l")) == low and merged(["ba", "b"], ("a", "b")) == ["ba", "b"],
                "match whole tokens: 'a' followed by 'b' is not there when the tokens are 'ba' and 'b', even though "
                "the letters touch.",
            ),
            (
                "overlapping occurrences are fused from the left ('a','a','a' with ('a','a') gives 'aa','a')",
                lambda: (
                    merged(["a", "a", "a"], ("a", "a")) == ["aa", "a"]
                    and merged(["a", "a", "a", "a", "b"], ("a", "a")) == ["aa", "aa", "b"]
                ),
                "after fusing two tokens, continue after both of them: a token cannot be used twice.",
            ),
            (
                "it does not modify the list it was given",
                unchanged_input,
                "build a new list rather than editing the input in place.",
            ),
        ],
    )


_DISTRIBUTIONS = [np.random.default_rng(s).dirichlet(np.full(12, 0.5)) for s in (51, 52, 53)]
_EXACT = np.array([0.5, 0.125, 0.25, 0.125])  # binary fractions: the mass 0.75 is reached exactly


def nucleus_filter(fn):
    """Check ``fn(p, theta) -> q``: keep the smallest top set with mass >= theta, renormalised."""

    def q(p, theta):
        return np.asarray(answer(fn, p.copy(), theta), dtype=float)

    def cases():
        for p in _DISTRIBUTIONS:
            for theta in (0.3, 0.6, 0.9):
                yield p, theta, q(p, theta)

    def top_set():
        return all(p[out > 0].min() >= p[out == 0].max(initial=0) for p, _, out in cases())

    def reaches():
        return all(p[out > 0].sum() >= theta - 1e-12 for p, theta, out in cases())

    def smallest():
        return all(p[out > 0].sum() - p[out > 0].min() < theta for p, theta, out in cases())

    def ratios():
        return all(close(out[out > 0], p[out > 0] / p[out > 0].sum(), rtol=1e-9) for p, _, out in cases())

    return run(
        "nucleus_filter",
        [
            (
                "the result is a distribution over the same tokens",
                lambda: all(out.shape == p.shape and is_distribution(out) for p, _, out in cases()),
                "zero the dropped tokens (keep their places) and divide the kept ones by their total.",
            ),
            (
                "the kept tokens are the most likely ones",
                top_set,
                "rank the tokens from the most to the least likely before accumulating their probabilities.",
            ),
            (
                "the kept tokens hold at least theta of the probability",
                reaches,
                "keep the token whose probability makes the running total cross theta: without it the set holds "
                "less than theta.",
            ),
            (
                "the kept set is the smallest such set (drop its least likely token and the mass falls below theta)",
                lambda: smallest() and np.count_nonzero(q(_EXACT, 0.75)) == 2,
                "stop as soon as the running total reaches theta; when it equals theta exactly, that is enough.",
            ),
            (
                "the kept tokens keep their probability ratios",
                ratios,
                "only renormalise the kept probabilities; do not flatten or sharpen them.",
            ),
            (
                "a tiny theta keeps only the most likely token, and theta = 1 changes nothing",
                lambda: all(
                    np.argmax(q(p, 1e-9)) == np.argmax(p) and np.count_nonzero(q(p, 1e-9)) == 1 and close(q(p, 1.0), p)
                    for p in _DISTRIBUTIONS
                ),
                "check the two ends of theta's range against the rule.",
            ),
        ],
    )


def _trap(ids):
    """A model where the greedy first choice is a dead end (vocabulary of 3)."""
    last = ids[-1] if ids else None
    p = {None: [0.5, 0.4, 0.1], 0: [1 / 3, 1 / 3, 1 / 3], 1: [0.9, 0.05, 0.05], 2: [0.2, 0.2, 0.6]}[last]
    return np.log(np.array(p))


def _trap2(ids):
    """A model (of the position and the last token) where the best 3 tokens need a beam's second-best extension."""
    table = {
        0: {None: [0.5, 0.4, 0.1]},
        1: {0: [0.5, 0.45, 0.05], 1: [0.4, 0.3, 0.3], 2: [1 / 3, 1 / 3, 1 / 3]},
        2: {0: [0.5, 0.25, 0.25], 1: [0.05, 0.05, 0.9], 2: [1 / 3, 1 / 3, 1 / 3]},
    }
    return np.log(np.array(table[min(len(ids), 2)][ids[-1] if ids else None]))


_TABLE = np.log(np.random.default_rng(61).dirichlet(np.ones(4), size=(5, 4)))  # (length, last token, next)


def _random_model(ids):
    """A fixed random model of 4 tokens whose distribution depends on the position and the last token."""
    return _TABLE[len(ids) % 5, ids[-1] if ids else 0]


def _exhaustive(log_probs, prompt, n, vocab):
    best = max(itertools.product(range(vocab), repeat=n), key=lambda s: _score(log_probs, prompt, list(s)))
    return list(best), _score(log_probs, prompt, list(best))


def _score(log_probs, prompt, seq):
    return sum(float(log_probs(list(prompt) + seq[:t])[tok]) for t, tok in enumerate(seq))


def beam_search(fn):
    """Check ``fn(log_probs, prompt, n, width) -> (tokens, log_prob)``."""

    def out(log_probs, prompt, n, width):
        res = answer(fn, log_probs, list(prompt), n, width)
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            raise ValueError("return a pair (tokens, total log-probability)")
        return [int(t) for t in res[0]], float(res[1])

    def greedy(log_probs, prompt, n):
        seq = []
        for _ in range(n):
            seq.append(int(np.argmax(log_probs(list(prompt) + seq))))
        return seq

    def consistent():
        tokens, score = out(_random_model, [1], 4, 3)
        return len(tokens) == 4 and abs(score - _score(_random_model, [1], tokens)) < 1e-9

    best = {s: _exhaustive(_random_model, [s], 3, 4) for s in range(4)}
    return run(
        "beam_search",
        [
            (
                "it returns n new tokens (without the prompt) and their total log-probability",
                consistent,
                "the score of a sequence is the sum of the log-probabilities of each token given everything before it.",
            ),
            (
                "with width 1 it is greedy decoding",
                lambda: out(_random_model, [0], 5, 1)[0] == greedy(_random_model, [0], 5),
                "with one beam, each step keeps the single best extension.",
            ),
            (
                "with width 2 it escapes greedy dead ends in two small models",
                lambda: (
                    out(_trap, [], 2, 2)[0] == text.beam_search(_trap, [], 2, 2)[0]
                    and out(_trap2, [], 3, 2)[0] == text.beam_search(_trap2, [], 3, 2)[0]
                ),
                "keep `width` partial sequences, ranked by their total log-probability so far (not by the last "
                "token's probability alone), chosen among all extensions of all kept sequences.",
            ),
            (
                "with widths 2 and 3 it keeps the same sequences as a reference beam search on a random model",
                lambda: all(
                    out(_random_model, [s], 4, w)[0] == text.beam_search(_random_model, [s], 4, w)[0]
                    for s in range(4)
                    for w in (2, 3)
                ),
                "rank all the extensions of all the kept sequences together by their total log-probability, and "
                "keep the best `width` of them for the next step.",
            ),
            (
                "with a width as large as all sequences, it finds the most likely one",
                lambda: all(
                    (lambda r: r[0] == best[s][0] and abs(r[1] - best[s][1]) < 1e-9)(out(_random_model, [s], 3, 64))
                    for s in range(4)
                ),
                "at every step, extend every kept sequence by every token before choosing the best `width` of them.",
            ),
        ],
    )
