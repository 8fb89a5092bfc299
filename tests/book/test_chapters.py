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
