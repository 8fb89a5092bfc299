"""Shared fixtures (seeded random state, the built site) and the terminal summary; helpers are in tests/helpers.py.

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

from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "tools"))  # the tests import tools/*.py by name

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
