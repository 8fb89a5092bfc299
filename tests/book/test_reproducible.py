"""Two runs of a chapter print the same text (the book promises it: "two runs give the same numbers").

The book build ran every chapter once; here the most sensitive chapter runs once more, on a fresh kernel with
the build's settings (``tools/execute.KERNEL_ENV``) but in the headless runtime, so that the process allocates
memory differently (what used to change the rounding of MKL's matmuls, and with it the fitted constants of
chapter 23). Every text output and every glued value must be identical, character for character.
"""
from __future__ import annotations

import nbformat
import pytest

import notebooks as nbtool  # tools/notebooks.py
import run_chapter  # tools/run_chapter.py
from tests.helpers import ROOT

pytestmark = [pytest.mark.book, pytest.mark.slow]
SENSITIVE = "23-kan-interpretability"  # fits symbolic constants after a long training: the first to drift


def test_a_fresh_run_prints_exactly_what_the_build_printed(site):
    executed = site.parent / "jupyter_execute" / "book" / f"{SENSITIVE}.ipynb"
    assert executed.exists(), f"the build kept no executed {SENSITIVE}"
    built = nbformat.read(executed, as_version=4)
    seconds, error, nb = run_chapter.execute(ROOT / "book" / f"{SENSITIVE}.md", mode="headless")
    assert error is None, error
    before, after = run_chapter.text_outputs(built), run_chapter.text_outputs(nb)
    assert len(before) == len(after) > 0, f"{len(before)} text outputs in the build, {len(after)} now"
    differing = [(a, b) for a, b in zip(before, after) if a != b]
    assert not differing, f"{len(differing)} of {len(before)} text outputs differ; the first:\n" \
        f"build: {differing[0][0]}\nnow:   {differing[0][1]}"
    glue_path = site.parent / "jupyter_execute" / "book" / f"{SENSITIVE}.glue.json"
    if glue_path.exists():
        built_glue = nbtool.collect_glue(site.parent).get(SENSITIVE, {})
        assert nbtool.glue_from_notebook(nb) == built_glue
