"""tools/links.py: every link from the book to its own repository follows ONE setting.

The setting is ``repository.url`` (``https://github.com/OWNER/REPO``) and ``repository.branch`` (a branch or a
tag) in ``_config.yml``. From it follow:

* the site's address, ``https://OWNER.github.io/REPO/`` (GitHub Pages, published by ``make publish`` or by
  ``.github/workflows/book.yml``);
* the launch buttons (Colab, Binder) and the repository button of the built site: Jupyter Book reads the setting;
* every chapter's Colab install cell, ``pip install "kan_edu @ git+URL@BRANCH"``: ``tools/notebooks.py sync``;
* the README's badges and links, the block between the two ``links`` comments: ``sync`` below rewrites it.

Usage::

    python tools/links.py sync [--url URL] [--branch BRANCH]   # change the setting (optional), rewrite README
    python tools/links.py check                                # exit 1 and list every link that disagrees

``make sync REPO=... BRANCH=...`` runs this and then ``tools/notebooks.py sync``.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB_REPO = re.compile(r"^https://github\.com/(?P<owner>[A-Za-z0-9-]+)/(?P<name>[A-Za-z0-9._-]+?)/?$")
BEGIN = "<!-- links: written by `make sync` from repository.url and repository.branch in _config.yml -->"
END = "<!-- /links -->"
# Files whose links to this repository must follow the setting (tests/ and tools/ hold examples on purpose).
SCANNED = [
    "README.md",
    "CONTRIBUTING.md",
    "environment.yml",
    "pyproject.toml",
    "_config.yml",
    "_toc.yml",
    "book/**/*.md",
    "book/*.bib",
    "notebooks/*.ipynb",
    "kan_edu/**/*.py",
    ".github/**/*.yml",
]
# Other people's repositories (or their github.io sites) that the book links to on purpose ("owner/name", lower
# case). Any other GitHub repository named in a scanned file is taken for a stale copy of this one's address.
OTHER_REPOSITORIES = {"udlbook/udlbook"}  # Prince's book site, udlbook.github.io/udlbook (references.bib)
URL = re.compile(r"(?:git\+)?https?://[^\s\"'<>()\[\]\\`]+")


@dataclass(frozen=True)
class Repository:
    url: str  # https://github.com/OWNER/REPO
    owner: str
    name: str
    branch: str  # a branch or a tag

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def site(self) -> str:
        """The GitHub Pages address of the published book."""
        host = f"{self.owner.lower()}.github.io"
        return f"https://{host}/" if self.name.lower() == host else f"https://{host}/{self.name}/"

    @property
    def install(self) -> str:
        """The pip requirement of the Colab install cell: this repository's kan_edu at this branch."""
        return f"kan_edu @ git+{self.url}@{self.branch}"

    def colab(self, path: str) -> str:
        return f"https://colab.research.google.com/github/{self.slug}/blob/{self.branch}/{path}"

    def binder(self, path: str) -> str:
        return f"https://mybinder.org/v2/gh/{self.slug}/{self.branch}?urlpath=lab/tree/{path}"


def parse(url: str, branch: str = "main") -> Repository:
    """The repository of a ``https://github.com/OWNER/REPO`` URL; ValueError for anything else."""
    match = GITHUB_REPO.match(url.strip())
    if not match or match.group("name").endswith(".git"):
        raise ValueError(
            f"repository.url must look like https://github.com/OWNER/REPO (no .git), not {url!r}: "
            "the Colab and Binder buttons and the GitHub Pages address are made from OWNER and REPO"
        )
    if not branch or re.search(r"[\s~^:?*\[\\]|\.\.|@\{", branch):
        raise ValueError(f"repository.branch {branch!r} is not a valid git branch or tag name")
    return Repository(url=url.strip().rstrip("/"), owner=match.group("owner"), name=match.group("name"), branch=branch)


def repository(root: Path = ROOT) -> Repository:
    """The one setting, read from ``_config.yml``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    repo = config.get("repository") or {}
    return parse(str(repo.get("url") or ""), str(repo.get("branch") or "main"))


# ------------------------------------------------------------------------------------ the setting itself
def set_repository(url: str | None = None, branch: str | None = None, root: Path = ROOT) -> Repository:
    """Write a new ``repository.url`` and/or ``repository.branch`` into ``_config.yml``, keeping its comments."""
    old = repository(root)
    new = parse(url or old.url, branch or old.branch)
    path = root / "_config.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "repository:"), None)
    if start is None:
        raise ValueError("_config.yml has no top-level 'repository:' block")
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    values = {"url": new.url, "branch": new.branch}
    for i in range(start + 1, end):
        key = re.match(r"^(\s+)(url|branch):", lines[i])
        if key:
            lines[i] = f"{key.group(1)}{key.group(2)}: {values.pop(key.group(2))}\n"
    for key, value in values.items():  # a key the block did not have yet
        lines.insert(start + 1, f"  {key}: {value}\n")
    path.write_text("".join(lines), encoding="utf-8")
    written = repository(root)
    assert written == new, f"_config.yml now reads {written}, expected {new}"
    return written


# ------------------------------------------------------------------------------------------- the README
def chapter_notebooks(root: Path = ROOT) -> list[str]:
    return [f"notebooks/{md.stem}.ipynb" for md in sorted((root / "book").glob("[0-9][0-9]-*.md"))]


def readme_links(repo: Repository, notebooks: list[str]) -> str:
    """The README's block of badges and links (between BEGIN and END)."""
    first = notebooks[0] if notebooks else "notebooks"
    chapters = " ".join(f"[{int(Path(nb).name[:2])}]({repo.colab(nb)})" for nb in notebooks)
    return "\n".join(
        [
            BEGIN,
            f"[![Read the book](https://img.shields.io/badge/read-the%20book-blue)]({repo.site})",
            f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({repo.colab(first)})",
            f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({repo.binder('notebooks')})",
            "",
            f"**Read it online:** {repo.site}  ",
            f"**Run a chapter in Colab:** {chapters}  ",
            f"**Source:** {repo.url} (branch `{repo.branch}`)",
            END,
        ]
    )


def with_readme_links(readme: str, block: str) -> str:
    """The README with its links block replaced by ``block`` (ValueError if the markers are missing)."""
    begin = readme.find(BEGIN)
    end = readme.find(END, begin + 1)
    if begin < 0 or end < 0:
        raise ValueError(f"README.md has no links block: put the two lines\n{BEGIN}\n{END}\nunder its title")
    return readme[:begin] + block + readme[end + len(END) :]


def sync_readme(root: Path = ROOT) -> bool:
    path = root / "README.md"
    text = path.read_text(encoding="utf-8")
    fixed = with_readme_links(text, readme_links(repository(root), chapter_notebooks(root)))
    if fixed != text:
        path.write_text(fixed, encoding="utf-8")
    return fixed != text


# --------------------------------------------------------------------------------- checking every link
def disagreements(text: str, repo: Repository) -> list[str]:
    """Every link in ``text`` that names a GitHub repository, a Colab or Binder launch, a Pages site or a pip
    git requirement and does not follow ``repo``: each URL with what it should have said."""
    problems = []
    ours = repo.slug.lower()
    for match in URL.finditer(text):
        if text[match.end() : match.end() + 1] == "<":
            continue  # an example with a placeholder, such as https://github.com/<you>/kan_edu
        url = match.group(0).rstrip(".,;:!*_")
        pip = url.startswith("git+")
        parts = urlsplit(url[4:] if pip else url)
        host, path = parts.netloc.lower(), parts.path.strip("/")
        segments = path.split("/")

        def slug(first: int) -> str:  # "owner/name" from segments[first], segments[first + 1]
            return "/".join(segments[first : first + 2]).lower()

        def tail(first: int) -> str:  # the path from segments[first] on, with a final "/"
            return "/".join(segments[first:]) + "/"

        if host in ("github.com", "www.github.com") and pip:
            name, _, ref = path.partition("@")
            if name.lower().removesuffix(".git") != ours or ref != repo.branch:
                problems.append(f"{url} (want git+{repo.url}@{repo.branch})")
        elif host in ("github.com", "www.github.com") and len(segments) >= 2:
            if slug(0) != ours:
                if slug(0).removesuffix(".git") not in OTHER_REPOSITORIES:
                    problems.append(f"{url} (want {repo.url}, or list {slug(0)} in OTHER_REPOSITORIES)")
            elif segments[2:3] in (["blob"], ["tree"]) and not tail(3).startswith(repo.branch + "/"):
                problems.append(f"{url} (want branch {repo.branch})")
        elif host == "colab.research.google.com" and segments[0] == "github":
            if slug(1) != ours or segments[3:4] != ["blob"] or not tail(4).startswith(repo.branch + "/"):
                problems.append(f"{url} (want {repo.colab('...')})")
        elif host == "mybinder.org" and segments[:2] == ["v2", "gh"]:
            if slug(2) != ours or tail(4) != repo.branch + "/":
                problems.append(f"{url} (want {repo.binder('...')})")
        elif host == "raw.githubusercontent.com":
            if slug(0) != ours or not tail(2).startswith(repo.branch + "/"):
                problems.append(f"{url} (want branch {repo.branch} of {repo.slug})")
        elif host.endswith(".github.io"):  # https://OWNER.github.io/NAME/ is the site of OWNER/NAME
            owner = host.removesuffix(".github.io")
            site_of = f"{owner}/{segments[0] or host}".lower()
            if site_of != ours and site_of not in OTHER_REPOSITORIES:
                problems.append(f"{url} (want {repo.site}, or list {site_of} in OTHER_REPOSITORIES)")
    return problems


def scanned_files(root: Path = ROOT) -> list[Path]:
    files = set()
    for pattern in SCANNED:
        files.update(p for p in root.glob(pattern) if p.is_file())
    return sorted(files)


def out_of_sync(root: Path = ROOT) -> list[str]:
    """Every place that disagrees with the setting, as messages (empty when all agree)."""
    try:
        repo = repository(root)
    except ValueError as error:
        return [f"_config.yml: {error}"]
    problems = []
    readme = (root / "README.md").read_text(encoding="utf-8")
    try:
        if with_readme_links(readme, readme_links(repo, chapter_notebooks(root))) != readme:
            problems.append("README.md: its links block is out of date (make sync)")
    except ValueError as error:
        problems.append(str(error))
    for path in scanned_files(root):
        for problem in disagreements(path.read_text(encoding="utf-8", errors="replace"), repo):
            problems.append(f"{path.relative_to(root)}: {problem}")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/links.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["sync", "check"])
    parser.add_argument("--url", help="new repository.url, https://github.com/OWNER/REPO")
    parser.add_argument("--branch", help="new repository.branch (a branch, or a tag to pin a release)")
    args = parser.parse_args(argv)
    if args.command == "sync":
        if args.url or args.branch:
            repo = set_repository(args.url, args.branch)
            print(f"_config.yml: repository {repo.url} at {repo.branch}")
        if sync_readme():
            print("wrote README.md")
        print(f"site: {repository().site}")
        return 0
    problems = out_of_sync()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
