"""kan_edu.text against independent references: a naive byte-pair encoder that recounts every pair at every
step, Witten-Bell probabilities computed from raw substring counts, exhaustive search for beam search, and
the defining properties of temperature, top-k and nucleus filtering."""

import itertools
from collections import Counter

import numpy as np
import pytest
import scipy.special

from kan_edu import text as tx

TEXT = tx.corpus(max_chars=30_000)


def naive_bpe(text, n_merges):
    """Byte-pair encoding the slow, obvious way: recount all pairs of all words after every merge."""
    words = Counter(tx._words(text))
    segs = {w: list(w) for w in words}
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, c in words.items():
            for p in zip(segs[w], segs[w][1:]):
                pairs[p] += c
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        for w in segs:
            s, out, i = segs[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            segs[w] = out
    return merges, segs


def test_corpus_is_plain_prose():
    full = tx.corpus()
    assert len(full) > 100_000 and full.isascii()
    assert "   " not in full and "::=" not in full
    assert tx.corpus(max_chars=500) == full[:500]


@pytest.mark.parametrize("source, n", [(TEXT, 120), ("aaabdaaabac aaab low lower lowest newest widest", 30)])
def test_bpe_matches_the_naive_algorithm(source, n):
    merges, segs = naive_bpe(source, n)
    assert tx.bpe_train(source, n) == merges
    # encoding the training text reproduces the segmentation training ended with
    assert tx.bpe_encode(source, merges) == [t for w in tx._words(source) for t in segs[w]]


def test_bpe_encoding_round_trips_and_compresses():
    merges = tx.bpe_train(TEXT, 200)
    assert len(merges) == 200 and len(set(merges)) == 200
    other = tx.corpus()[-5000:]
    tokens = tx.bpe_encode(other, merges)
    assert "".join(tokens) == other
    assert len(tokens) < 0.6 * len(other)
    assert tx.bpe_encode(other, []) == list(other)
    assert tx._merge(["a", "a", "a"], ("a", "a")) == ["aa", "a"]


def test_bpe_stops_when_no_pair_is_left():
    assert tx.bpe_train("ab ab", 10) == [("a", "b"), (" ", "ab")]


def witten_bell(text, context, order, vocab):
    """p(x | context) from substring counts, by the recursive formula, one character at a time."""

    def p(x, ctx):
        if not ctx:
            counts = Counter(text)
            return (counts[x] + 1) / (len(text) + len(vocab))
        after = Counter(text[i + len(ctx)] for i in range(len(text) - len(ctx)) if text.startswith(ctx, i))
        if not after:
            return p(x, ctx[1:])
        total, distinct = sum(after.values()), len(after)
        return (after[x] + distinct * p(x, ctx[1:])) / (total + distinct)

    return np.array([p(x, context[max(0, len(context) - order + 1) :] if order > 1 else "") for x in vocab])


def test_ngram_matches_witten_bell_from_raw_counts():
    train = "the cat sat on the mat. the rat ate the hat."
    for order in (1, 2, 3, 4):
        lm = tx.NGramLM(order).fit(train)
        for context in ("", "t", "th", " the", "zq a", "xx", "at"):
            ctx = context.replace("z", "").replace("q", "").replace("x", "")
            np.testing.assert_allclose(lm.probs(ctx), witten_bell(train, ctx, order, lm.vocab), rtol=1e-12)


def test_ngram_distributions_and_perplexity():
    lm = tx.NGramLM(5).fit(TEXT)
    for ctx in ("The ", "tion", "", "xyz?"):
        p = lm.probs(ctx)
        assert p.shape == (len(lm.vocab),) and np.all(p > 0) and p.sum() == pytest.approx(1)
    held_out = tx.corpus()[-3000:]
    held_out = "".join(ch for ch in held_out if ch in lm.index)
    ppl = [tx.NGramLM(o).fit(TEXT).perplexity(held_out) for o in (1, 3, 5)]
    assert ppl[0] > ppl[1] > ppl[2] > 1
    assert lm.perplexity(TEXT[:2000]) < ppl[2]  # seen text is easier
    assert lm.log_prob("ab") == pytest.approx(lm.log_prob("a") + lm.log_prob("b", context="a"))
    with pytest.raises(ValueError, match="never saw"):
        lm.log_prob("\u00e9")


P = np.random.default_rng(0).dirichlet(np.full(20, 0.4))


def test_temperature_is_a_softmax_of_scaled_log_probabilities():
    np.testing.assert_allclose(tx.apply_temperature(P, 1.0), P, rtol=1e-12)
    np.testing.assert_allclose(tx.apply_temperature(P, 0.5), scipy.special.softmax(np.log(P) / 0.5), rtol=1e-10)
    cold = tx.apply_temperature(P, 1e-3)
    assert cold.argmax() == P.argmax() and cold.max() > 0.999
    hot = tx.apply_temperature(P, 1e3)
    assert np.ptp(hot) < 0.01


def test_top_k_filter():
    q = tx.top_k_filter(P, 5)
    assert np.count_nonzero(q) == 5 and q.sum() == pytest.approx(1)
    assert set(np.flatnonzero(q)) == set(np.argsort(P)[-5:])
    np.testing.assert_allclose(q[q > 0], P[q > 0] / P[q > 0].sum())
    np.testing.assert_allclose(tx.top_k_filter(P, 20), P)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("theta", [0.05, 0.5, 0.8, 0.99])
def test_top_p_filter_keeps_the_smallest_top_set(seed, theta):
    p = np.random.default_rng(seed).dirichlet(np.full(15, 0.3))
    q = tx.top_p_filter(p, theta)
    kept = q > 0
    assert q.sum() == pytest.approx(1)
    assert p[kept].min() >= p[~kept].max(initial=0)  # a top set
    assert p[kept].sum() >= theta  # with mass theta
    assert p[kept].sum() - p[kept].min() < theta  # and no smaller top set has it
    np.testing.assert_allclose(q[kept], p[kept] / p[kept].sum())


def test_top_p_filter_ends_and_an_exact_boundary():
    np.testing.assert_allclose(tx.top_p_filter(P, 1.0), P)
    assert np.flatnonzero(tx.top_p_filter(P, 1e-9)).tolist() == [P.argmax()]
    exact = np.array([0.5, 0.125, 0.25, 0.125])
    assert np.flatnonzero(tx.top_p_filter(exact, 0.75)).tolist() == [0, 2]
    with pytest.raises(ValueError, match="sum to 1"):
        tx.top_p_filter([0.5, 0.2], 0.5)


TABLE = np.random.default_rng(1).dirichlet(np.ones(4), size=(4, 4))  # p(next | last token, position mod 4)


def toy(ids):
    return TABLE[len(ids) % 4, ids[-1] if ids else 0]


def test_generate_greedy_and_seeded_sampling():
    greedy = tx.generate(toy, [1], 6, strategy="greedy")
    ids = [1]
    for _ in range(6):
        ids.append(int(np.argmax(toy(ids))))
    assert greedy == ids[1:]
    a = tx.generate(toy, [1], 30, strategy="nucleus", theta=0.7, seed=3)
    assert a == tx.generate(toy, [1], 30, strategy="nucleus", theta=0.7, seed=3)
    assert a != tx.generate(toy, [1], 30, strategy="nucleus", theta=0.7, seed=4)
    # top-k with k = 1 and a very low temperature are greedy too
    assert tx.generate(toy, [1], 6, strategy="top-k", k=1) == greedy
    assert tx.generate(toy, [1], 6, strategy="sample", temperature=1e-4) == greedy


def test_sampling_follows_the_distribution():
    p = np.array([0.6, 0.3, 0.1])
    draws = tx.generate(lambda ids: p, [], 6000, strategy="sample", seed=0)
    freq = np.bincount(draws, minlength=3) / 6000
    assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / 6000))
    draws = tx.generate(lambda ids: p, [], 3000, strategy="nucleus", theta=0.8, seed=0)
    assert set(draws) == {0, 1}


def test_beam_search_against_greedy_and_exhaustive_search():
    log = lambda ids: np.log(toy(ids))  # noqa: E731
    seq, score = tx.beam_search(log, [2], 5, width=1)
    assert seq == tx.generate(toy, [2], 5, strategy="greedy")
    for n in (1, 2, 3, 4):
        best = max(
            itertools.product(range(4), repeat=n), key=lambda s: sum(np.log(toy([2, *s[:t]])[s[t]]) for t in range(n))
        )
        seq, score = tx.beam_search(log, [2], n, width=4**n)
        assert seq == list(best)
        assert score == pytest.approx(sum(np.log(toy([2, *best[:t]])[best[t]]) for t in range(n)))
    assert tx.generate(toy, [2], 4, strategy="beam", width=4**4) == list(best)


def test_model_interface_for_generation():
    lm = tx.NGramLM(4).fit(TEXT)
    prompt = lm.encode("The ")
    out = tx.generate(lm.next_probs, prompt, 40, strategy="top-k", k=5, seed=0)
    assert len(out) == 40 and lm.decode(lm.encode("abc")) == "abc"
    np.testing.assert_allclose(lm.next_probs(prompt), lm.probs("The "))
