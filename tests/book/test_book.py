"""The built book (``make book``): execution results, figures, launch buttons, hidden solutions, numbering.

These tests read the one build that ``make test`` makes first; they do not execute anything again.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT, chapter_sources, toc_files

pytestmark = pytest.mark.book
CHAPTERS = [md.stem for md in chapter_sources()]


def page(site, stem):
    return (site / "book" / f"{stem}.html").read_text(encoding="utf-8")


def test_every_toc_page_was_built(site):
    for doc in toc_files():
        assert (site / f"{doc}.html").exists(), f"{doc}.html missing"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_executed_successfully(exec_stats, stem):
    row = exec_stats.get(f"book/{stem}")
    assert row is not None, f"book/{stem} was not executed by the build"
    assert row["succeeded"], f"book/{stem} failed: {row.get('error')}"
    assert row["method"] in ("auto", "force", "cache", "inline")


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_has_static_figure_players(site, stem):
    html = page(site, stem)
    players = re.findall(r'<figure class="kanfig" id="(kanfig-[0-9a-f]+)"', html)
    assert players, f"{stem}: no interactive figure in the built page"
    assert len(set(players)) == len(players), f"{stem}: two players share an id"
    assert html.count('class="kanfig-image"') == len(players)
    assert "Traceback" not in html and "Error" not in re.sub(r"<[^>]+>", "", html).split("Exercises")[0][-0:]


@pytest.mark.parametrize("stem", CHAPTERS)
def test_launch_buttons_open_the_paired_notebook(site, stem):
    html = page(site, stem)
    links = re.findall(r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)[^"]+)"', html)
    assert len(links) >= 2, f"{stem}: Colab and Binder buttons missing"
    for link in links:
        assert f"notebooks/{stem}.ipynb" in link and ".md" not in link, link
    assert (ROOT / "notebooks" / f"{stem}.ipynb").exists()


def test_pages_without_notebooks_have_no_launch_buttons(site):
    html = (site / "book" / "bibliography.html").read_text(encoding="utf-8")
    assert "colab.research.google.com" not in html


@pytest.mark.parametrize("stem", CHAPTERS)
def test_solutions_are_folded(site, stem):
    html = page(site, stem)
    solutions = re.findall(r'<div class="([^"]*\bsolution\b[^"]*)"', html)
    assert solutions, f"{stem}: no solutions rendered"
    for cls in solutions:
        assert "dropdown" in cls, f"{stem}: a solution is shown unfolded ({cls})"
    assert "solution_end_node" not in html and "solution-start" not in html


@pytest.mark.parametrize("stem", CHAPTERS)
def test_equations_are_numbered_by_chapter(site, stem):
    html = page(site, stem)
    number = int(stem[:2])
    numbers = re.findall(r'<span class="eqno">\((\d+)\.(\d+)\)', html)
    src = (ROOT / "book" / f"{stem}.md").read_text(encoding="utf-8")
    labelled = len(re.findall(r"^\s*\$\$ \([\w-]+\)", src, re.M))  # in a list item too
    assert len(numbers) == labelled
    assert all(int(ch) == number for ch, _ in numbers), f"{stem}: equations not numbered by chapter"


def test_execution_statistics_page_lists_every_chapter(site):
    html = (site / "book" / "execution-statistics.html").read_text(encoding="utf-8")
    for stem in CHAPTERS:
        assert stem in html, f"{stem} missing from the execution statistics"


def test_no_execution_reports(site):
    reports = list((site / "reports").rglob("*.log")) if (site / "reports").exists() else []
    assert not reports, f"execution error reports: {reports}"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_static_exercises_show_no_red_cross(site, stem):
    """In the built book nobody can run a cell: a placeholder exercise says what its check will test."""
    html = page(site, stem)
    assert "\u2718" not in html, f"{stem}: a check shows a red cross in the static book"
    if "check." in html:
        assert "\u25b6" in html, f"{stem}: no exercise check says what it will test"


# UDL's chapters ("UDL chapter 5", "Prince's notebooks for chapter 6") and a cited book's ("[Bishop, 2006], chapter 9")
NOT_OURS = re.compile(r"((UDL|Prince)(['’]s)?\W{0,3}(\w+\W+){0,2}|\]\W{0,3})$")


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapters_named_in_the_text_are_links(site, stem):
    """ "chapter 5" in the running text links to chapter 5 of the book (book/_ext/kan_edu_book.py, item 13):
    outside code, math, titles and links, no mention of one of this book's chapters is left as plain text,
    except UDL's chapters and a cited book's ("UDL chapter 5", "[Bishop, 2006] (chapters 9 and 10)")."""
    html = page(site, stem)
    article = re.search(r'<article class="bd-article">(.*)</article>', html, re.S).group(1)
    # drop what is not running text: code, math, headings, links, scripts and the figure players
    for block in ("pre", "code", "script", "style", "figure", "h1", "h2", "h3", "h4", "a"):
        article = re.sub(rf"<{block}\b.*?</{block}>", f" {block.upper()} ", article, flags=re.S)
    article = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', " MATH ", article, flags=re.S)
    text = re.sub(r"<[^>]+>", "", article)
    own = int(stem[:2])
    plain = [
        m.group(0)
        for m in re.finditer(r"\b[Cc]hapters?\s+(\d{1,2})\b", text)
        if int(m.group(1)) != own and not NOT_OURS.search(text[max(0, m.start() - 40) : m.start()])
    ]
    assert not plain, f"{stem}: chapters named as plain text, not links: {plain[:5]}"
    links = re.findall(r'class="chapter-link reference internal" href="([^"#]+)', html)
    for href in links:
        assert (site / "book" / href).exists(), f"{stem}: a chapter link points at {href}, which was not built"
