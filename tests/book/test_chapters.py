"""Every chapter source meets the chapter contract (CONTRIBUTING.md), read from the text."""
from __future__ import annotations

import re
from collections import Counter

import pytest

import notebooks as nbtool
from tests.helpers import ROOT, chapter_sources, toc_files

CHAPTERS = chapter_sources()


def blocks(text):
    return list(nbtool._blocks(text.splitlines()))


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_contract(md):
    text = md.read_text(encoding="utf-8")
    names = [name for _, _, name, _ in blocks(text)]
    assert re.search(r"^# \d+\. ", text, re.M), "title '# NN. Title'"
    assert "You will be able to" in text and "**Time:**" in text, "objectives and time"
    assert "prince2023understanding" in text, "cite the UDL chapter it follows"
    n_objectives = len(re.findall(r"^- ", text.split("**Time:**")[0].split("You will be able to")[1], re.M))
    assert 3 <= n_objectives <= 5, f"3-5 learning objectives, found {n_objectives}"
    assert "# Colab setup" in text
    assert len(re.findall(r"figures\.show(_pictures)?\(", text)) >= 1, "at least one interactive figure"
    assert "Predict, then reveal" in text, "a predict-then-reveal prompt"
    assert names.count("exercise") >= 3, "at least 3 exercises"
    assert names.count("solution-start") >= 1, "at least one coding exercise with a gated solution"
    assert names.count("solution-start") == names.count("solution-end")
    assert re.search(r"^check\.\w+\(", text, re.M), "a kan_edu.check call"
    assert "## Summary" in text


def test_labels_are_unique_book_wide():
    labels = Counter()
    for md in CHAPTERS:
        text = md.read_text(encoding="utf-8")
        labels.update(re.findall(r"^:label: ([\w-]+)", text, re.M))
        labels.update(re.findall(r"^\$\$ \(([\w-]+)\)", text, re.M))
        labels.update(re.findall(r"^\(([\w-]+)\)=", text, re.M))
    dupes = [k for k, n in labels.items() if n > 1]
    assert not dupes, f"labels used twice: {dupes}"


def test_every_chapter_is_in_the_table_of_contents():
    listed = set(toc_files())
    missing = [md.stem for md in CHAPTERS if f"book/{md.stem}" not in listed]
    assert not missing, f"chapters not in _toc.yml: {missing}"


def test_chapter_numbers_match_file_names():
    for md in CHAPTERS:
        number = int(md.name[:2])
        title = re.search(r"^# (\d+)\. ", md.read_text(encoding="utf-8"), re.M)
        assert title and int(title.group(1)) == number, md.name


def _bindings(cell: str) -> tuple[set[str], set[str]]:
    """Top-level names a code cell defines as functions, and those it assigns values to."""
    import ast

    try:
        tree = ast.parse(cell)
    except SyntaxError:  # IPython magics: a chapter's own test (run_chapter) reports those
        return set(), set()
    functions, values = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            functions.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                values |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return functions, values


@pytest.mark.parametrize("md", chapter_sources(), ids=lambda p: p.stem)
def test_no_name_is_both_data_and_a_function(md):
    """A live figure looks its data up when the reader moves a control, after every cell has run: a later
    exercise that defines a function with the name of that data breaks the figure (it happened to an
    autocorrelation table and to a dict of energies). So no chapter binds one name to both."""
    text = md.read_text(encoding="utf-8")
    functions, values = set(), set()
    for cell in re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, re.S):
        f, v = _bindings(cell)
        functions |= f
        values |= v
    both = sorted(functions & values)
    assert not both, f"{md.stem}: {both} name both data and a function; rename the data"
