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
