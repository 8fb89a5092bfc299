"""The paired notebooks (notebooks/*.ipynb) and the student build (tools/notebooks.py)."""
from __future__ import annotations

import json
import re

import nbformat
import pytest

import notebooks as nbtool  # tools/notebooks.py
from tests.helpers import ROOT, chapter_sources

CHAPTERS = chapter_sources()


def test_every_chapter_is_paired_and_in_sync():
    problems = nbtool.out_of_sync()
    assert not problems, "run `python tools/notebooks.py sync`:\n" + "\n".join(problems)


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(md):
    nb = nbformat.read(ROOT / "notebooks" / f"{md.stem}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{md.stem}: a cell carries outputs"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_first_code_cell_installs_kan_edu_from_the_one_url(md):
    nb = nbformat.read(ROOT / "notebooks" / f"{md.stem}.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    source = nbtool.install_source()  # URL@BRANCH from _config.yml: the notebook installs its own branch
    assert "google.colab" in first.source and f'"kan_edu @ git+{source}"' in first.source
    assert "remove-cell" in first.metadata.get("tags", [])


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_markdown_is_plain_for_colab(md):
    nb = nbformat.read(ROOT / "notebooks" / f"{md.stem}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for myst in ("```{", ":::{", "{eq}`", "{cite}`", "{ref}`", ":label:", ":class:"):
        assert myst not in text, f"{md.stem}: MyST syntax {myst!r} left in the Colab notebook"


def solution_texts(text: str) -> list[str]:
    """The substantive lines inside every solution of a chapter's MyST text."""
    lines = text.splitlines()
    found, inside, gate = [], None, False
    for start, end, name, _ in nbtool._blocks(lines):
        if name == "solution":
            found += lines[start + 1:end]
        elif name == "solution-start":
            gate = start
        elif name == "solution-end" and gate is not False:
            found += lines[gate + 1:start]
            gate = False
    return [line.strip() for line in found
            if len(line.strip()) > 12 and not line.strip().startswith((":", "```", "check."))]


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_student_copy_has_no_solution_text(md, tmp_path):
    text = md.read_text(encoding="utf-8")
    secrets = solution_texts(text)
    assert secrets, f"{md.stem} has no solutions to strip"
    nbtool.student(tmp_path)
    student = (tmp_path / f"{md.stem}.ipynb").read_text(encoding="utf-8")
    sources = "\n".join(c.source for c in nbformat.reads(student, as_version=4).cells)
    leaked = [s for s in secrets if s in sources]
    # A line may legitimately also appear outside the solution (for example `def relu(z):`).
    outside = nbtool.strip_solutions(text)
    leaked = [s for s in leaked if s not in outside]
    assert not leaked, f"{md.stem}: solution text survives in the student copy: {leaked[:3]}"
    assert "**Solution**" not in sources
    assert "**Exercise" in sources  # the exercises themselves stay


def test_strip_solutions_handles_gated_and_plain_blocks():
    text = "\n".join([
        "```{exercise} A", ":label: ex-a", "", "Do it.", "```", "",
        "```{solution-start} ex-a", ":class: dropdown", "```", "", "Secret words.", "",
        "```{code-cell} ipython3", "secret = 42", "```", "", "```{solution-end}", "```", "",
        "```{solution} ex-a", ":class: dropdown", "", "More secret.", "```", "", "After.",
    ])
    out = nbtool.strip_solutions(text)
    assert "Secret" not in out and "secret = 42" not in out and "More secret" not in out
    assert "Do it." in out and "After." in out
    with pytest.raises(ValueError, match="solution-end"):
        nbtool.strip_solutions("```{solution-start} x\n```\nno end")


def test_plain_markdown_conversions():
    md = "(ch-x)=\n# Title\n\n$$\ny = x\n$$ (eq-y)\n\nSee {eq}`eq-y` and {cite}`a,b` and {ref}`ch-x`.\n"
    out = nbtool.plain_markdown(md)
    assert "(ch-x)=" not in out and "$$ (eq-y)" not in out
    assert "(eq-y)" in out and "[a, b]" in out and "*ch-x*" in out


def _names(source: str) -> tuple[set, set]:
    """(names a cell defines, names it reads), ignoring IPython magics."""
    import ast

    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    tree = ast.parse(code)
    defined, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
    return defined, used


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_student_copy_needs_no_solution(md):
    """No cell of the student copy reads a name that only a (removed) solution defines."""
    teacher = nbtool.to_notebook(md.read_text(encoding="utf-8"))
    student_sources = {c.source for c in nbtool.to_notebook(md.read_text(encoding="utf-8"), student=True).cells
                       if c.cell_type == "code"}
    only_in_solutions, available = set(), set()
    for cell in teacher.cells:
        if cell.cell_type != "code":
            continue
        defined, used = _names(cell.source)
        if cell.source in student_sources:
            missing = (used & only_in_solutions) - available
            assert not missing, f"{md.stem}: a cell needs {sorted(missing)}, defined only in a solution"
            available |= defined
        else:
            only_in_solutions |= defined - available


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_code_the_book_hides_is_collapsed_in_jupyterlab_and_colab(md):
    nb = nbformat.read(ROOT / "notebooks" / f"{md.stem}.ipynb", as_version=4)
    hidden = [c for c in nb.cells if c.cell_type == "code" and "hide-input" in c.metadata.get("tags", [])]
    shown = [c for c in nb.cells if c.cell_type == "code" and "hide-input" not in c.metadata.get("tags", [])]
    for cell in hidden:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{md.stem}: {cell.id} not collapsed"
        assert cell.metadata.get("cellView") == "form" and cell.source.startswith("#@title"), cell.id
    for cell in shown:
        assert "cellView" not in cell.metadata and not cell.metadata.get("jupyter", {}).get("source_hidden")
