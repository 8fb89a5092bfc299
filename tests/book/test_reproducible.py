"""Two runs of a chapter print the same text (the book promises it: "two runs give the same numbers").

The book build ran every chapter once, into the execution cache; here the most sensitive chapter runs once more,
on a fresh kernel with the build's settings (``tools/execute.KERNEL_ENV``) but in the headless runtime, so that
the process allocates memory differently (what the rounding of some LAPACK routines depends on, and with it
the fitted constants of chapter 23). Every text output and every glued value must be identical, character for
character. No chapter may print a wall-clock time: no two runs would agree on it.
"""
from __future__ import annotations

import re

import pytest

import execute  # tools/execute.py
import notebooks as nbtool  # tools/notebooks.py
import run_chapter  # tools/run_chapter.py
from tests.helpers import ROOT, chapter_sources

pytestmark = pytest.mark.book
SENSITIVE = "23-kan-interpretability"  # fits symbolic constants after a long training: the first to drift
TIMING = re.compile(r"\(\d+(\.\d+)? ?s\)|\b\d+(\.\d+)? ?(seconds|ms)\b|\bin \d+\.\d+ ?s\b")


PLACEHOLDER_VERDICT = re.compile(r"stdout: (?:\u25b6|\u2718) (\S+): (?:run this cell|not answered yet).*", re.S)


def _same_mode(output):
    """An unanswered exercise prints a preview in the book build and "not answered yet" in other runtimes
    (kan_edu.check._core.in_book_build): the same verdict, worded for where it is read."""
    cell, text = output
    return cell, PLACEHOLDER_VERDICT.sub(r"placeholder verdict of \1", text)


def built(md):
    nb = execute.cached_notebook(md)
    assert nb is not None, f"{md.stem} is not in the execution cache (or out of date): run `make book`"
    return nb


@pytest.mark.slow
def test_a_fresh_run_prints_exactly_what_the_build_printed(site):
    md = ROOT / "book" / f"{SENSITIVE}.md"
    before = run_chapter.text_outputs(built(md))
    seconds, error, nb = run_chapter.execute(md, mode="headless")
    assert error is None, error
    after = run_chapter.text_outputs(nb)[: len(before)]  # run_chapter appends a versions cell
    assert before, "the build printed nothing to compare"
    differing = [(a, b) for a, b in zip(before, after) if _same_mode(a) != _same_mode(b)]
    assert not differing, f"{len(differing)} of {len(before)} text outputs differ; the first:\n" \
        f"build: {differing[0][0]}\nnow:   {differing[0][1]}"
    assert nbtool.glue_from_notebook(nb) == nbtool.collect_glue(site.parent).get(SENSITIVE, {})


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_no_chapter_prints_a_wall_clock_time(site, md):
    timed = [text for _, text in run_chapter.text_outputs(built(md)) if TIMING.search(text)]
    assert not timed, f"{md.stem} prints a time, which changes from run to run: {timed[0][:200]!r}"

