"""One setting (repository.url and repository.branch in _config.yml) drives every link to the repository:
the notebooks' install cells, the README's badges, the site's launch and repository buttons (tools/links.py)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import links  # tools/links.py
import nbformat
import pytest

import notebooks as nbtool  # tools/notebooks.py
from tests.helpers import ROOT, chapter_sources

UPSTREAM = "kan-edu/kan_edu"


def test_every_link_in_the_repository_follows_the_setting():
    problems = links.out_of_sync()
    assert not problems, "run `make sync`:\n" + "\n".join(problems)
    # and the places that must name the repository do name it
    repo = links.repository()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = f"notebooks/{chapter_sources()[0].stem}.ipynb"
    for url in (repo.site, repo.colab(first), repo.binder("notebooks"), repo.url):
        assert f"({url})" in readme or f" {url} " in readme, f"README.md does not link {url}"
    for md in chapter_sources():
        nb = nbformat.read(ROOT / "notebooks" / f"{md.stem}.ipynb", as_version=4)
        install = next(c for c in nb.cells if c.cell_type == "code").source
        assert f'"{repo.install}"' in install, f"{md.stem}: the install cell does not install {repo.install}"


def test_the_scan_covers_readme_notebooks_and_chapters():
    scanned = {p.relative_to(ROOT).as_posix() for p in links.scanned_files()}
    assert {"README.md", "_config.yml", ".github/workflows/book.yml"} <= scanned
    for md in chapter_sources():
        assert f"book/{md.name}" in scanned and f"notebooks/{md.stem}.ipynb" in scanned


def test_disagreements_finds_stale_links():
    repo = links.parse("https://github.com/teacher/dl-course", "fall-2026")
    stale = [
        "https://github.com/kan-edu/kan_edu",
        "see https://github.com/kan-edu/kan_edu/blob/main/README.md.",
        "https://github.com/teacher/dl-course/blob/main/notebooks/01-introduction.ipynb",
        '"kan_edu @ git+https://github.com/kan-edu/kan_edu@fall-2026"',
        '"kan_edu @ git+https://github.com/teacher/dl-course@main"',
        '"kan_edu @ git+https://github.com/teacher/dl-course"',
        "[c](https://colab.research.google.com/github/kan-edu/kan_edu/blob/fall-2026/notebooks/x.ipynb)",
        "[c](https://colab.research.google.com/github/teacher/dl-course/blob/main/notebooks/x.ipynb)",
        "https://mybinder.org/v2/gh/teacher/dl-course/main?urlpath=lab/tree/notebooks",
        "https://mybinder.org/v2/gh/kan-edu/kan_edu/fall-2026?urlpath=lab/tree/notebooks",
        "https://kan-edu.github.io/kan_edu/",
        "https://raw.githubusercontent.com/teacher/dl-course/main/README.md",
    ]
    for text in stale:
        assert links.disagreements(text, repo), f"not caught: {text}"
    fine = [
        "https://github.com/teacher/dl-course",
        "https://github.com/Teacher/DL-course/tree/fall-2026/book",
        '"kan_edu @ git+https://github.com/teacher/dl-course@fall-2026"',
        "[c](https://colab.research.google.com/github/teacher/dl-course/blob/fall-2026/notebooks/x.ipynb)",
        "https://mybinder.org/v2/gh/teacher/dl-course/fall-2026?urlpath=lab/tree/notebooks/x.ipynb",
        "https://teacher.github.io/dl-course/ and https://teacher.github.io/dl-course/book/intro.html",
        "https://udlbook.github.io/udlbook/ (listed in OTHER_REPOSITORIES)",
        "badges: https://colab.research.google.com/assets/colab-badge.svg https://mybinder.org/badge_logo.svg",
        "https://colab.research.google.com and https://mybinder.org (the _config.yml launch settings)",
        "an example: https://github.com/<you>/kan_edu, https://colab.research.google.com/github/<you>/x",
        "arXiv https://arxiv.org/abs/2404.19756",
    ]
    for text in fine:
        assert not links.disagreements(text, repo), f"flagged: {text}: {links.disagreements(text, repo)}"


def test_parse_and_site_address():
    repo = links.parse("https://github.com/Teacher/dl-course/", "v1.0")
    assert (repo.owner, repo.name, repo.branch) == ("Teacher", "dl-course", "v1.0")
    assert repo.site == "https://teacher.github.io/dl-course/"
    assert repo.install == "kan_edu @ git+https://github.com/Teacher/dl-course@v1.0"
    assert links.parse("https://github.com/teacher/teacher.github.io").site == "https://teacher.github.io/"
    for bad in (
        "https://github.com/a/b.git",
        "git@github.com:a/b",
        "https://gitlab.com/a/b",
        "https://github.com/a",
        "",
    ):
        with pytest.raises(ValueError):
            links.parse(bad)
    with pytest.raises(ValueError):
        links.parse("https://github.com/a/b", "two words")


def _copy_project(tmp_path):
    """The files that follow the setting, copied into a scratch project."""
    for name in ("_config.yml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "book").mkdir()
    for md in chapter_sources():
        shutil.copy(md, tmp_path / "book" / md.name)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "book" / "glue", tmp_path / "book" / "glue")  # the glued values the notebooks show
    return tmp_path


def test_changing_the_setting_and_syncing_moves_every_link(tmp_path):
    """A fork's `make sync REPO=... BRANCH=...`: afterwards nothing names the old repository or branch."""
    root = _copy_project(tmp_path)
    config_before = (root / "_config.yml").read_text(encoding="utf-8").splitlines()
    links.set_repository("https://github.com/teacher/dl-course", "fall-2026", root=root)
    config_after = (root / "_config.yml").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(config_before, config_after) if a != b]
    assert len(config_before) == len(config_after) and len(changed) == 2, changed  # comments kept
    assert links.out_of_sync(root) and nbtool.out_of_sync(root), "a stale copy passed the checks"

    links.sync_readme(root)
    nbtool.sync(root)
    assert links.out_of_sync(root) == [] and nbtool.out_of_sync(root) == []
    repo = links.repository(root)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "https://teacher.github.io/dl-course/" in readme
    assert "https://mybinder.org/v2/gh/teacher/dl-course/fall-2026?urlpath=lab/tree/notebooks" in readme
    for path in [root / "README.md", *(root / "book").glob("*.md"), *(root / "notebooks").glob("*.ipynb")]:
        text = path.read_text(encoding="utf-8")
        assert UPSTREAM not in text and f"{repo.slug}/main" not in text, f"{path.name} names the old place"
    nb = nbformat.read(root / "notebooks" / f"{chapter_sources()[0].stem}.ipynb", as_version=4)
    install = next(c for c in nb.cells if c.cell_type == "code").source
    assert '"kan_edu @ git+https://github.com/teacher/dl-course@fall-2026"' in install


def test_set_repository_refuses_a_bad_url(tmp_path):
    root = _copy_project(tmp_path)
    before = (root / "_config.yml").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="OWNER/REPO"):
        links.set_repository("https://github.com/teacher/dl-course.git", root=root)
    assert (root / "_config.yml").read_text(encoding="utf-8") == before


# --------------------------------------------------------------------------------------------- README
def _teacher_setup() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- teacher set-up -->\s*```bash\n(.*?)```", readme, re.S)
    assert match, "README.md has no teacher set-up block (<!-- teacher set-up --> then a ```bash block)"
    lines = [line.split("#")[0].strip() for line in match.group(1).splitlines()]
    return [line for line in lines if line]


def test_teacher_setup_is_at_most_four_commands_that_exist():
    commands = _teacher_setup()
    assert 0 < len(commands) <= 4, f"the teacher's set-up takes {len(commands)} commands: {commands}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    used = [t for line in commands for t in re.findall(r"\bmake (\w[\w-]*)", line)]
    assert {"sync", "publish", "student"} <= set(used), used
    for target in used:
        assert re.search(rf"^{target}:", makefile, re.M), f"README's `make {target}` is not a Makefile target"
    sync = next(line for line in commands if line.startswith("make sync"))
    assert "REPO=" in sync and "$(REPO)" in makefile


def test_readme_keeps_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    assert [line.split()[:2] for line in block.splitlines() if line.strip()] == [["make", "book"], ["make", "test"]]


# ------------------------------------------------------------------------------------------ the site
class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.anchors.append({k: v or "" for k, v in attrs})


def anchors(html: str) -> list[dict]:
    parser = _Anchors()
    parser.feed(html)
    return parser.anchors


@pytest.mark.book
def test_site_links_follow_the_setting(site):
    """Launch buttons, the repository button and every other link of the built site to the repository."""
    repo = links.repository()
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    repository_buttons, problems = 0, []
    for page in pages:
        hrefs = [a.get("href", "") for a in anchors(page.read_text(encoding="utf-8", errors="replace"))]
        problems += [f"{page.relative_to(site)}: {p}" for p in links.disagreements("\n".join(hrefs), repo)]
        for a in anchors(page.read_text(encoding="utf-8", errors="replace")):
            if "btn-source-repository-button" in a.get("class", ""):
                repository_buttons += 1
                if a["href"].rstrip("/") != repo.url:
                    problems.append(f"{page.relative_to(site)}: repository button {a['href']}")
    assert repository_buttons >= len(chapter_sources()), f"only {repository_buttons} repository buttons"
    for md in chapter_sources():
        html = (site / "book" / f"{md.stem}.html").read_text(encoding="utf-8")
        hrefs = {a.get("href") for a in anchors(html)}
        notebook = f"notebooks/{md.stem}.ipynb"
        for want in (repo.colab(notebook), repo.binder(notebook)):
            if want not in hrefs:
                problems.append(f"book/{md.stem}.html has no link {want}")
    assert not problems, "\n".join(problems[:20])
