"""Shared fixtures: where the repository, the built site and the tools are.

The book is built once (``make book``, which ``make test`` runs first); tests read that build instead of
executing the chapters again. ``KAN_EDU_SITE`` points at another build's html folder. Without a build, the
book tests skip with a reason, except in CI (``CI=true``), where a missing build is a failure.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same global random state, whatever ran before it (tests that draw data
    without their own generator are then deterministic too)."""
    import random

    import numpy as np
    import torch

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


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


@pytest.fixture(scope="session")
def site() -> Path:
    html = Path(os.environ.get("KAN_EDU_SITE", ROOT / "_build" / "html"))
    if not (html / "index.html").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no built book at {html}: `make test` builds it first")
        pytest.skip(f"no built book at {html}: run `make book` first")
    return html


@pytest.fixture(scope="session")
def exec_stats(site) -> dict:
    path = site.parent / "exec_stats.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: the book build writes it (book/_ext/kan_edu_book.py)")
    return json.loads(path.read_text(encoding="utf-8"))


def pytest_terminal_summary(terminalreporter):
    """Print each chapter's execution time from the book build (the one execution the tests share)."""
    html = Path(os.environ.get("KAN_EDU_SITE", ROOT / "_build" / "html"))
    path = html.parent / "exec_stats.json"
    if not path.exists():
        return
    stats = json.loads(path.read_text(encoding="utf-8"))
    terminalreporter.section("chapter execution (from the book build)")
    total = 0.0
    for doc, row in stats.items():
        seconds = row.get("runtime") or 0.0
        total += seconds
        flag = "" if row.get("succeeded") else "  FAILED"
        over = "  over the 60 s budget" if seconds > 60 else ""
        terminalreporter.write_line(f"{doc:45s} {seconds:6.1f} s{flag}{over}")
    terminalreporter.write_line(f"{'total':45s} {total:6.1f} s")


def assert_check(checker, right, wrongs, secrets, capsys):
    """An exercise check passes ``right``, fails every one of ``wrongs`` without raising, and never prints any
    of ``secrets`` (fragments of the reference answer)."""
    assert checker(right), f"{checker.__name__} rejects the reference answer"
    for wrong in wrongs:
        assert not checker(wrong), f"{checker.__name__} accepts a wrong answer"
    out = capsys.readouterr().out
    for secret in secrets:
        assert secret not in out, f"{checker.__name__} printed {secret!r}"
