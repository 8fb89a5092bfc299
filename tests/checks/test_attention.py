"""The checks of kan_edu.check.attention (chapter 12) pass the reference answers, fail plausible wrong ones,
never raise, never tell."""

import numpy as np
import pytest
import scipy.special

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


def softmax_rows(s):
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def head(X, Wq, Wk, Wv):
    A = softmax_rows((X @ Wq) @ (X @ Wk).T / np.sqrt(Wq.shape[1]))
    return A @ (X @ Wv), A


def causal(X, Wq, Wk, Wv):
    s = (X @ Wq) @ (X @ Wk).T / np.sqrt(Wq.shape[1])
    s = np.where(np.tril(np.ones_like(s, dtype=bool)), s, -np.inf)
    A = softmax_rows(s)
    return A @ (X @ Wv), A


def scaled(scale, axis=1, transpose_out=False, stable=True):
    """A head with a given scale of the logits, softmax axis and output product."""

    def fn(X, Wq, Wk, Wv):
        s = (X @ Wq) @ (X @ Wk).T / scale(X, Wq)
        if stable:
            s = s - s.max(axis=axis, keepdims=True)
        with np.errstate(over="ignore", invalid="ignore"):
            A = np.exp(s) / np.exp(s).sum(axis=axis, keepdims=True)
        return ((A.T if transpose_out else A) @ (X @ Wv)), A

    return fn


WRONG_HEADS = [
    lambda X, Wq, Wk, Wv: ...,
    scaled(lambda X, Wq: 1.0),  # no scaling
    scaled(lambda X, Wq: np.sqrt(X.shape[1])),  # the model width D instead of D_q
    scaled(lambda X, Wq: Wq.shape[1]),  # D_q instead of its square root
    scaled(lambda X, Wq: np.sqrt(Wq.shape[1]), axis=0),  # softmax over the queries
    scaled(lambda X, Wq: np.sqrt(Wq.shape[1]), transpose_out=True),  # A^T V
    scaled(lambda X, Wq: np.sqrt(Wq.shape[1]), stable=False),  # overflows for large logits
    lambda X, Wq, Wk, Wv: (lambda o, a: (o, a.T))(*head(X, Wq, Wk, Wv)),  # A transposed
    lambda X, Wq, Wk, Wv: (lambda A: (A @ (X @ Wv), A))(
        scipy.special.softmax((X @ Wq) @ (X @ Wk).T / np.sqrt(Wq.shape[1]))
    ),  # softmax of the whole matrix
]


def after_softmax(X, Wq, Wk, Wv):  # masks after normalising: rows no longer sum to one
    out, A = head(X, Wq, Wk, Wv)
    A = A * np.tril(np.ones_like(A))
    return A @ (X @ Wv), A


def strict(X, Wq, Wk, Wv):  # a token may not see itself: the first row is all -inf
    s = (X @ Wq) @ (X @ Wk).T / np.sqrt(Wq.shape[1])
    s = np.where(np.tril(np.ones_like(s, dtype=bool), -1), s, -np.inf)
    with np.errstate(invalid="ignore"):
        A = np.exp(s - s.max(1, keepdims=True))
        A = A / A.sum(1, keepdims=True)
    return A @ (X @ Wv), A


def anti(X, Wq, Wk, Wv):  # the mask the wrong way round: tokens see the future
    s = (X @ Wq) @ (X @ Wk).T / np.sqrt(Wq.shape[1])
    s = np.where(np.triu(np.ones_like(s, dtype=bool)), s, -np.inf)
    A = softmax_rows(s)
    return A @ (X @ Wv), A


def zero_masked_logits(X, Wq, Wk, Wv):  # sets masked logits to 0 instead of -inf
    s = (X @ Wq) @ (X @ Wk).T / np.sqrt(Wq.shape[1])
    s = np.where(np.tril(np.ones_like(s, dtype=bool)), s, 0.0)
    A = softmax_rows(s)
    return A @ (X @ Wv), A


def unscaled_causal(X, Wq, Wk, Wv):
    s = (X @ Wq) @ (X @ Wk).T
    s = np.where(np.tril(np.ones_like(s, dtype=bool)), s, -np.inf)
    A = softmax_rows(s)
    return A @ (X @ Wv), A


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (check.self_attention, head, WRONG_HEADS),
        (
            check.causal_attention,
            causal,
            [lambda *a: ..., head, after_softmax, strict, anti, zero_masked_logits, unscaled_causal],
        ),
    ],
    ids=["self_attention", "causal_attention"],
)
def test_attention_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["sqrt", "np.exp", "tril", "-inf", "@"], capsys)
    X = np.ones((3, 2))
    assert_hint_or_not_answered(checker, right, wrongs, (X, np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2))), capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.self_attention, check.causal_attention], capsys)


def test_a_torch_answer_is_accepted(capsys):
    import torch

    def torch_head(X, Wq, Wk, Wv):
        X, Wq, Wk, Wv = (torch.as_tensor(m) for m in (X, Wq, Wk, Wv))
        A = torch.softmax((X @ Wq) @ (X @ Wk).T / Wq.shape[1] ** 0.5, dim=1)
        return A @ (X @ Wv), A

    assert check.self_attention(torch_head)
