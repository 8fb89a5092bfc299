"""What tests share besides fixtures: where the repository is, the chapters, and the exercise-check contract.

Tests import these names (``from tests.helpers import ROOT``); fixtures live in ``tests/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chapter_sources() -> list[Path]:
    return sorted((ROOT / "book").glob("[0-9][0-9]-*.md"))


def toc_files() -> list[str]:
    """Every file listed in _toc.yml, as 'book/...' without suffix."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
    return files


def assert_check(checker, right, wrongs, secrets, capsys):
    """An exercise check passes ``right``, fails every one of ``wrongs`` without raising, and never prints any
    of ``secrets`` (fragments of the reference answer)."""
    assert checker(right), f"{checker.__name__} rejects the reference answer"
    for wrong in wrongs:
        assert not checker(wrong), f"{checker.__name__} accepts a wrong answer"
    out = capsys.readouterr().out
    for secret in secrets:
        assert secret not in out, f"{checker.__name__} printed {secret!r}"


def assert_hint_or_not_answered(checker, right, wrongs, probe_args, capsys):
    """``checker`` ticks ``right``; for each wrong answer it prints a cross without raising, and says "not
    answered" for a placeholder (None, or a function returning ``...`` on ``probe_args``) or gives a hint."""
    assert checker(right) and "\u2714" in capsys.readouterr().out
    for wrong in wrongs:
        verdict = checker(wrong)  # never raises
        out = capsys.readouterr().out
        assert not verdict and "\u2718" in out
        try:
            placeholder = wrong is None or wrong(*probe_args) is Ellipsis
        except Exception:
            placeholder = False
        assert ("not answered" if placeholder else "Hint") in out


def assert_placeholders_and_errors_reported(checkers, capsys):
    """A placeholder (a body of ``...``) is "not answered yet" and student code that raises is reported, by
    every one of ``checkers``, never raised."""

    def placeholder(*args): ...  # your code here

    def broken(*args):
        raise RuntimeError("boom")

    for checker in checkers:
        assert not checker(placeholder)
    out = capsys.readouterr().out
    assert out.count("not answered yet") == len(checkers) and "raised" not in out
    for checker in checkers:
        assert not checker(broken)
    assert capsys.readouterr().out.count("RuntimeError") == len(checkers)


def assert_names_the_mistake(checker, wrong, words, secrets, capsys):
    """``checker`` rejects ``wrong`` with a cross and a hint (no exception), the output contains ``words`` (what
    names the mistake), and it prints none of ``secrets`` (fragments of the reference answer)."""
    capsys.readouterr()
    verdict = checker(wrong)
    out = " ".join(capsys.readouterr().out.split())
    assert not verdict, f"{checker.__name__} accepts a wrong answer"
    assert "\u2718" in out and "Hint" in out, out
    assert words in out, out
    for secret in secrets:
        assert secret not in out, f"{checker.__name__} printed {secret!r}"


def load_experiment(name: str):
    """Import experiments/<name>.py as a module (the folder is not a package), for tests that rerun a slice of it."""
    import importlib.util
    import sys

    folder = str(ROOT / "experiments")
    if folder not in sys.path:  # as when the script runs: its folder first, for ``from _pool import pooled``
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
