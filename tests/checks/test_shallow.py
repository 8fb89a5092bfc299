"""The checks of kan_edu.check.shallow (chapter 3) pass right answers, fail wrong ones, never raise, never tell."""

import numpy as np
import pytest

from kan_edu import check, shallow


def right_network(x, t0, t1, phi):
    return phi[0] + np.maximum(t0 + np.outer(x, t1), 0) @ phi[1:]


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.relu,
            lambda z: np.maximum(z, 0),
            [lambda z: z, lambda z: np.abs(z), lambda z: ..., None, lambda z: 1 / 0],
        ),
        (
            check.shallow_network,
            right_network,
            [
                lambda x, a, b, p: right_network(x, a, b, p) + 1,
                lambda x, a, b, p: np.maximum(a + np.outer(x, b), 0) @ p[1:],
                lambda x, a, b, p: ...,
            ],
        ),
        (check.region_count, shallow.max_regions, [lambda D, Di: D + 1, lambda D, Di: 2**D, lambda D, Di: ...]),
    ],
)
def test_checks_pass_right_fail_wrong_never_raise_never_tell(checker, right, wrongs, capsys):
    assert checker(right)
    assert "\u2714" in capsys.readouterr().out
    for wrong in wrongs:
        verdict = checker(wrong)
        out = capsys.readouterr().out
        assert not verdict and "\u2718" in out and "Hint" in out or "not answered" in out
        # the answer itself is never printed
        for secret in ("np.maximum(", "math.comb", "logaddexp", "log1p(np.exp(-np.abs"):
            assert secret not in out
