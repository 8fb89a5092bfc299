"""kan_edu.glue and the way glued numbers reach the book and the Colab notebooks (tools/notebooks.py)."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest
import torch
from nbclient import NotebookClient

import notebooks as nbtool  # tools/notebooks.py
from kan_edu.glue import format_value, glue
from tests.helpers import ROOT, chapter_sources

CHAPTERS = chapter_sources()


@pytest.mark.parametrize(
    "value, fmt, text",
    [
        (0.123456, None, "0.123"),
        (12345.678, None, "1.23e+04"),
        (7, None, "7"),
        (np.int64(7), None, "7"),
        (np.float32(0.5), "{:.2f}", "0.50"),
        (torch.tensor(0.25), "{:.0%}", "25%"),
        (torch.tensor([3]), None, "3"),
        (1234567, "{:,}", "1,234,567"),
        ("the CNN", None, "the CNN"),
        (2.5e-7, "{:.1e}", "2.5e-07"),
        (6.3e-11, "sci", "6 × 10⁻¹¹"),
        (6.34e-11, "sci.1", "6.3 × 10⁻¹¹"),
        (1e-5, "sci", "10⁻⁵"),
        (2.1e15, "sci", "2 × 10¹⁵"),
        (-3e4, "sci", "−3 × 10⁴"),
        (1.0, "sci", "10⁰"),
    ],
)
def test_format_value(value, fmt, text):
    assert format_value(value, fmt) == text


@pytest.mark.parametrize(
    "value, fmt, error",
    [
        (float("nan"), None, ValueError),
        (np.inf, None, ValueError),
        (np.zeros(3), None, ValueError),
        (True, None, TypeError),
        ([1.0], None, TypeError),
        ("", None, ValueError),
        ("text", "{:.2f}", ValueError),
        (1.0, ".2f", ValueError),
        (1.0, "{:d}", ValueError),
        (None, None, TypeError),
    ],
)
def test_format_value_rejects_what_prose_cannot_state(value, fmt, error):
    with pytest.raises(error, match="glue"):
        format_value(value, fmt)


@pytest.mark.parametrize("name", ["", "Best", "best_width", "-a", "a--b", 3])
def test_glue_names_are_checked(name):
    with pytest.raises(ValueError, match="name"):
        glue(name, 1.0)


def test_glue_roundtrips_through_a_kernel_to_myst_nb_and_the_notebook_text():
    """A kernel's glue outputs are what myst-nb extracts and what tools/notebooks.py pastes into Colab text."""
    from myst_nb.core.variables import format_plain_text
    from myst_nb.ext.glue import extract_glue_data_cell

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from kan_edu.glue import glue\nglue('best-width', 0.123456)\n"
            "glue('winner', 'the CNN')\nglue('ratio', 3, '{:d}x')\n"
            "glue('big', 11000.0, '{:,.0f}')"
        )
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert not [o for o in nb.cells[0].outputs if o.output_type == "stream"], "glue printed something"
    values = nbtool.glue_from_notebook(nb)
    assert values == {"best-width": "0.123", "winner": "the CNN", "ratio": "3x", "big": "11,000"}
    extracted = dict(extract_glue_data_cell(nbformat.from_dict(nb.cells[0])))
    for name, text in values.items():  # what the page shows: myst-nb's own reading of the stored value
        assert format_plain_text(extracted[name]["data"]["text/plain"], "") == text, name
    text = "Width {glue:text}`best-width`, as {glue:text}`best-width:.1f`; {glue}`winner` wins by {glue:md}`ratio`."
    assert nbtool.paste_glue(text, values) == "Width 0.123, as 0.1; the CNN wins by 3x."
    with pytest.raises(KeyError, match="missing-name"):
        nbtool.paste_glue("{glue:text}`missing-name`", values, "book/x.md")


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_every_glued_name_in_the_prose_is_glued_by_the_code(md):
    """A role whose name no code cell glues would be a blank in the book (and fail its -W build)."""
    text = md.read_text(encoding="utf-8")
    used = nbtool.glue_names(text)
    code = "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, re.S))
    glued = set(re.findall(r"""\bglue\(\s*["']([a-z0-9-]+)["']""", code))
    # names made in a loop, glue(f"{model}-mean", ...): each {...} stands for a piece of a name
    patterns = [
        re.compile(
            "".join("[a-z0-9-]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]*\})", f))
            + "$"
        )
        for f in re.findall(r"""\bglue\(\s*f["']([^"']+)["']""", code)
    ]
    missing = [name for name in used if name not in glued and not any(p.match(name) for p in patterns)]
    assert not missing, f"{md.stem}: the prose uses glued names that no code cell glues: {missing}"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_colab_notebook_has_a_value_for_every_glued_name(md):
    """The paired notebook shows the values of the last build: none may be missing (Colab would show a blank)."""
    used = nbtool.glue_names(md.read_text(encoding="utf-8"))
    stored = nbtool.load_glue().get(md.stem, {})
    missing = [name for name in used if name not in stored]
    assert not missing, f"{md.stem}: book/glue/{md.stem}.json lacks {missing}: run `make book` and commit it"
    nb = (ROOT / "notebooks" / f"{md.stem}.ipynb").read_text(encoding="utf-8")
    assert "{glue" not in nb, f"{md.stem}: a raw glue role reached the Colab notebook"


@pytest.mark.book
@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_the_build_glued_every_name_the_prose_uses(site, md):
    """Against the run itself: each name in the prose was glued when the book's build executed the chapter."""
    built = nbtool.collect_glue(site.parent)
    values = built.get(md.stem, {})
    missing = [name for name in nbtool.glue_names(md.read_text(encoding="utf-8")) if name not in values]
    assert not missing, f"{md.stem}: the run did not glue {missing}"
    assert values == nbtool.load_glue().get(md.stem, {}), (
        f"{md.stem}: book/glue/{md.stem}.json differs from this build's values (make book writes it: commit it)"
    )
