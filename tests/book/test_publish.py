"""Publishing the built site (tools/publish.py, `make publish`): the gh-pages branch of a remote holds the site
and a .nojekyll, and its index.html opens offline. Tested against a bare repository in tmp_path (no network)."""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

import publish  # tools/publish.py
from tests.helpers import ROOT
from tests.book.test_offline_html import EXTERNAL, external_loads, page_loads

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def _needs_ghp_import():
    if importlib.util.find_spec("ghp_import") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ghp-import is not installed: `make venv` installs it (the book extra)")
        pytest.skip("ghp-import is not installed: `make venv` installs it (the book extra)")


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def branch_files(bare: Path, branch: str = "gh-pages") -> set[str]:
    return set(filter(None, git("--git-dir", str(bare), "ls-tree", "-r", "-z", "--name-only", branch).split("\0")))


def branch_file(bare: Path, path: str, branch: str = "gh-pages") -> str:
    return git("--git-dir", str(bare), "show", f"{branch}:{path}")


def offline_problems(read, exists, page: str = "index.html", follow: int = 2) -> list[str]:
    """What stops ``page`` of a site from opening offline: loads from other servers, local loads that are
    missing. A redirect page (meta refresh, as Jupyter Book's index.html) is followed. ``read(path)`` gives a
    file's text, ``exists(path)`` says whether the site has it; paths are relative to the site's root."""
    html = read(page)
    loads = page_loads(html)
    problems = [f"{page}: {load} comes from another server" for load in external_loads(html)]
    if not loads:
        problems.append(f"{page} loads nothing: is it a page of the site?")
    for kind, url in loads:
        if EXTERNAL.match(url):
            continue  # external_loads judged it (sphinx-thebe names a CDN script it never loads unasked)
        path = unquote(re.split(r"[?#]", url)[0])
        if not path or url.startswith("data:"):
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(page), path)).replace(os.sep, "/")
        if target.startswith("..") or not exists(target):
            problems.append(f"{page}: {kind} {url} is not in the site")
        elif kind == "<meta refresh>" and follow:
            problems += offline_problems(read, exists, target, follow - 1)
    return problems


def fake_site(root: Path) -> Path:
    """A tiny site shaped like Jupyter Book's: a redirecting index.html, a page, _static files, an image."""
    site = root / "_build" / "html"
    (site / "_static" / "styles").mkdir(parents=True)
    (site / "book").mkdir()
    (site / "_images").mkdir()
    (site / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/intro.html" />\n')
    (site / "book" / "intro.html").write_text(
        '<html><head><link rel="stylesheet" href="../_static/styles/theme.css">'
        '<script src="../_static/app.js"></script></head>'
        '<body><img src="../_images/fig.png"><a href="https://colab.research.google.com/x">Colab</a></body></html>')
    (site / "_static" / "styles" / "theme.css").write_text("body { color: black }\n")
    (site / "_static" / "app.js").write_text("console.log('hi');\n")
    (site / "_images" / "fig.png").write_bytes(b"\x89PNG fake")
    return site


@pytest.fixture
def project(tmp_path, _needs_ghp_import):
    """A git project with one commit and a built site, and an empty bare repository as its remote."""
    root = tmp_path / "project"
    root.mkdir()
    git("init", "-q", cwd=root)
    git("config", "user.name", "Test", cwd=root)
    git("config", "user.email", "test@example.invalid", cwd=root)
    (root / "README.md").write_text("a course\n")
    git("add", "README.md", cwd=root)
    git("commit", "-q", "-m", "start", cwd=root)
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(bare))
    return root, fake_site(root), bare


def test_publish_puts_the_site_on_gh_pages(project):
    root, site, bare = project
    commit = publish.publish(site, remote=str(bare), repo=root)
    files = branch_files(bare)
    want = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert files == want | {".nojekyll"}
    assert branch_file(bare, "book/intro.html") == (site / "book" / "intro.html").read_text()
    assert git("--git-dir", str(bare), "rev-parse", "gh-pages").strip() == commit
    source = git("rev-parse", "--short", "HEAD", cwd=root).strip()
    assert source in git("--git-dir", str(bare), "log", "-1", "--format=%s", "gh-pages")
    # the project's own branch is untouched
    assert git("--git-dir", str(bare), "branch", "--list").split() == ["gh-pages"]


def test_published_index_opens_offline(project):
    root, site, bare = project
    publish.publish(site, remote=str(bare), repo=root)
    files = branch_files(bare)
    problems = offline_problems(lambda p: branch_file(bare, p), lambda p: p in files)
    assert not problems, problems
    # the check itself sees a missing file and a CDN load
    (site / "_static" / "app.js").unlink()
    (site / "book" / "intro.html").write_text('<script src="https://cdn.example/x.js"></script>'
                                              '<link rel="stylesheet" href="../_static/styles/theme.css">')
    publish.publish(site, remote=str(bare), repo=root)
    files = branch_files(bare)
    problems = offline_problems(lambda p: branch_file(bare, p), lambda p: p in files)
    assert any("cdn.example" in p for p in problems), problems
    assert "_static/app.js" not in files  # a file gone from the site is gone from the branch


def test_publish_again_replaces_the_site_even_without_the_local_branch(project):
    """A second laptop (or CI) has no local gh-pages: the push is forced, the branch holds the new site only."""
    root, site, bare = project
    publish.publish(site, remote=str(bare), repo=root)
    git("branch", "-D", "gh-pages", cwd=root)
    (site / "_images" / "fig.png").unlink()
    (site / "book" / "new.html").write_text("<p>new</p>")
    publish.publish(site, remote=str(bare), repo=root)
    files = branch_files(bare)
    assert "book/new.html" in files and "_images/fig.png" not in files and ".nojekyll" in files


def test_publish_refuses_a_folder_without_index(project):
    root, site, bare = project
    (site / "index.html").unlink()
    with pytest.raises(SystemExit, match="index.html"):
        publish.publish(site, remote=str(bare), repo=root)
    assert git("--git-dir", str(bare), "branch", "--list").strip() == ""


def test_make_publish_passes_the_remote():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")

    def dry_run(*args):
        return subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    assert 'tools/publish.py _build/html --remote "origin"' in dry_run("publish")
    assert 'tools/publish.py _build/html --remote "/tmp/x.git"' in dry_run("publish", "REMOTE=/tmp/x.git")
    sync = dry_run("sync", "REPO=https://github.com/t/c", "BRANCH=v1")
    assert 'tools/links.py sync --url "https://github.com/t/c" --branch "v1"' in sync
    assert sync.index("tools/links.py sync") < sync.index("tools/notebooks.py sync")


@pytest.mark.book
def test_published_book_opens_offline(site, project):
    """The real built site, published to a bare repository: its index.html (and the page it leads to) loads
    only files that are in the gh-pages branch."""
    root, _, bare = project
    publish.publish(site, remote=str(bare), repo=root)
    files = branch_files(bare)
    assert "index.html" in files and ".nojekyll" in files
    assert len(files) >= sum(1 for p in site.rglob("*") if p.is_file())
    problems = offline_problems(lambda p: branch_file(bare, p), lambda p: p in files)
    assert not problems, problems[:10]
