"""The checks of kan_edu.check.graphs (chapter 13) pass right answers, fail wrong ones, never raise, never tell."""

import numpy as np
import pytest
import torch

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported

SECRETS = ("matrix_power", "np.diag", "** -0.5", "rsqrt", "np.maximum(", "0.5 *", "A + np.eye")


def walks(A, L):
    return np.linalg.matrix_power(np.asarray(A), L)


def kipf(A):
    At = A + np.eye(len(A))
    r = 1 / np.sqrt(At.sum(1))
    return r[:, None] * At * r[None, :]


def conv(H, A, W, b):
    return np.maximum((A + np.eye(len(A))) @ H @ W + b, 0)


def energy(H, A):
    return 0.5 * float((A * ((H[:, None] - H[None]) ** 2).sum(-1)).sum())


WALK_WRONGS = [
    lambda A, L: np.asarray(A) ** L,  # element-wise power: right at L = 1
    lambda A, L: np.linalg.matrix_power(np.asarray(A), max(L - 1, 0)),  # off by one
    lambda A, L: np.linalg.matrix_power(np.asarray(A).T, L),  # transposed: right on undirected graphs
    lambda A, L: np.linalg.matrix_power((np.asarray(A) > 0).astype(float), L),  # 0/1 only: wrong on multigraphs
    lambda A, L: sum(np.linalg.matrix_power(np.asarray(A), k) for k in range(L + 1)),  # walks of length <= L
]


def kipf_no_self_loops(A):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = 1 / np.sqrt(A.sum(1))
        return r[:, None] * A * r[None, :]


KIPF_WRONGS = [
    kipf_no_self_loops,
    lambda A: (A + np.eye(len(A))) / (A + np.eye(len(A))).sum(1, keepdims=True),  # mean: not symmetric
    lambda A: (A + np.eye(len(A))) / np.sqrt(A.sum(1) + 1)[:, None],  # one side only
    lambda A: (A + np.eye(len(A))) / np.sqrt(np.maximum(A.sum(1), 1))[:, None] / np.sqrt(np.maximum(A.sum(1), 1)),
    lambda A: kipf(A) ** 2,
]

CONV_WRONGS = [
    lambda H, A, W, b: np.maximum(A @ H @ W + b, 0),  # no self-loop
    lambda H, A, W, b: np.maximum((A + np.eye(len(A))) @ H @ W, 0),  # no bias
    lambda H, A, W, b: (A + np.eye(len(A))) @ H @ W + b,  # no ReLU
    lambda H, A, W, b: np.maximum(((A + np.eye(len(A))) @ H @ W) / (A.sum(1, keepdims=True) + 1) + b, 0),  # mean
    lambda H, A, W, b: np.maximum(H @ W + b, 0),  # no neighbours at all: right on the isolated node
    lambda H, A, W, b: np.maximum((A + np.eye(len(A))) @ (H @ W + b), 0),  # bias summed over the neighbours
]

ENERGY_WRONGS = [
    lambda H, A: 2 * energy(H, A),  # each edge counted twice
    lambda H, A: 0.5 * float((A * np.sqrt(((H[:, None] - H[None]) ** 2).sum(-1))).sum()),  # not squared
    lambda H, A: 0.5 * float(((H[:, None] - H[None]) ** 2).sum()),  # every pair, not the edges
    lambda H, A: float(np.trace(H.T @ A @ H)),  # A instead of the Laplacian
    lambda H, A: energy(H, A.T[::-1]),  # nodes of A in another order than H's
]


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (check.walk_counts, walks, WALK_WRONGS),
        (check.kipf_normalization, kipf, KIPF_WRONGS),
        (check.graph_convolution, conv, CONV_WRONGS),
        (check.smoothness_energy, energy, ENERGY_WRONGS),
    ],
    ids=["walks", "kipf", "conv", "energy"],
)
def test_checks_pass_the_solution_and_fail_wrong_answers_without_telling(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, SECRETS, capsys)


@pytest.mark.parametrize(
    "checker, right, wrongs, probe",
    [
        (check.walk_counts, walks, WALK_WRONGS[:2], (np.eye(2), 1)),
        (check.kipf_normalization, kipf, KIPF_WRONGS[1:3], (np.eye(2),)),
        (check.graph_convolution, conv, CONV_WRONGS[:2], (np.eye(2), np.eye(2), np.eye(2), np.zeros(2))),
        (check.smoothness_energy, energy, ENERGY_WRONGS[:2], (np.eye(2), np.eye(2))),
    ],
    ids=["walks", "kipf", "conv", "energy"],
)
def test_wrong_answers_get_a_hint(checker, right, wrongs, probe, capsys):
    assert_hint_or_not_answered(checker, right, wrongs, probe, capsys)


def test_placeholders(capsys):
    assert_placeholders_and_errors_reported(
        [check.walk_counts, check.kipf_normalization, check.graph_convolution, check.smoothness_energy], capsys
    )


def test_torch_answers_are_accepted(capsys):
    def torch_conv(H, A, W, b):
        H, A, W, b = (torch.as_tensor(v) for v in (H, A, W, b))
        return torch.relu((A + torch.eye(len(A), dtype=A.dtype)) @ H @ W + b)

    assert check.graph_convolution(torch_conv)
    assert check.walk_counts(lambda A, L: torch.linalg.matrix_power(torch.as_tensor(A), L))
