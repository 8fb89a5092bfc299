"""kan_edu.check._core's shared predicates: each accepts what it should and rejects near misses."""

import numpy as np
import torch

from kan_edu.check import _core


def test_equivariant_and_invariant():
    x = np.random.default_rng(0).normal(size=12)

    def shift(v):
        return np.roll(v, 1)

    def blur(v):  # circular convolution: shift-equivariant
        return v + 0.5 * np.roll(v, -1)

    def ramp(v):  # multiplying by position breaks it
        return v * np.arange(v.size)

    assert _core.equivariant(blur, x, shift)
    assert not _core.equivariant(ramp, x, shift)
    assert _core.equivariant(np.sum, x, shift, transform_out=lambda y: y)  # invariance
    assert not _core.equivariant(lambda v: v[0], x, shift, transform_out=lambda y: y)


def test_matches_autograd():
    x = np.array([0.3, -1.2, 2.0])
    assert _core.matches_autograd(lambda v: 2 * v * np.cos(v**2), lambda t: torch.sin(t**2), x)
    assert not _core.matches_autograd(lambda v: np.cos(v**2), lambda t: torch.sin(t**2), x)  # chain rule dropped
    assert not _core.matches_autograd(lambda v: -2 * v * np.cos(v**2), lambda t: torch.sin(t**2), x)  # sign


def test_is_distribution():
    assert _core.is_distribution(torch.softmax(torch.randn(4, 5), dim=-1))
    assert _core.is_distribution(np.array([[0.5, 0.5], [1.0, 0.0]]).T, axis=0)
    assert not _core.is_distribution(np.array([[0.5, 0.5], [1.0, 0.0]]).T, axis=1)
    assert not _core.is_distribution([1.2, -0.2]) and not _core.is_distribution([0.5, np.nan, 0.5])
    assert not _core.is_distribution([])


def test_unbiased_is_fixed_by_the_seed_and_catches_bias():
    rng = np.random.default_rng(7)
    draws = rng.normal(1.0, 2.0, size=4000)
    assert _core.unbiased(draws, 1.0)
    assert not _core.unbiased(draws + 0.5, 1.0)  # 0.5 is 16 standard errors
    assert not _core.unbiased(draws, 1.5)
    assert _core.unbiased(np.full(10, 3.0), 3.0) and not _core.unbiased(np.full(10, 3.0), 3.1)
    assert not _core.unbiased([1.0], 1.0)


def test_in_the_book_build_a_placeholder_gets_a_preview_not_a_cross(monkeypatch, capsys):
    properties = [
        ("the answer is a number", lambda: _core.value(None) is not None, "a hint"),
        ("it is positive", lambda: True, "another hint"),
    ]
    monkeypatch.setenv("KAN_EDU_FIGURES", "static")
    verdict = _core.run("Exercise 1", properties)
    out = " ".join(capsys.readouterr().out.split())  # the line is wrapped for the notebook
    assert not verdict and "\u2718" not in out and "run this cell" in out
    assert "the answer is a number" in out and "it is positive" in out and "hint" not in out
    wrong = _core.run("Exercise 1", [("it is positive", lambda: False, "mind the sign")])  # a wrong answer still fails
    assert not wrong and "\u2718" in capsys.readouterr().out
    monkeypatch.setenv("KAN_EDU_FIGURES", "live")
    _core.run("Exercise 1", properties)
    assert "not answered yet" in capsys.readouterr().out


def test_an_error_in_the_students_code_and_one_in_the_check_are_told_apart(capsys):
    def broken(x):
        return undefined_name  # noqa: F821  (raises NameError inside the student's function)

    verdict = _core.run("Exercise 2", [("it runs", lambda: _core.answer(broken, 1.0) == 1.0, "a hint")])
    out = " ".join(capsys.readouterr().out.split())
    assert not verdict and "your code raised NameError" in out and "the check could not" not in out

    def returns_text(x):
        return "one"

    verdict = _core.run("Exercise 2", [("it is a number", lambda: float(_core.answer(returns_text, 1.0)) > 0, "h")])
    out = " ".join(capsys.readouterr().out.split())
    assert not verdict and "the check could not use what your function returned" in out
    assert "your code raised" not in out and "ValueError" in out
