"""Every repository path that the code, its comments and the docs name exists: a comment that points at a
file that was renamed or never written sends the reader nowhere."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT

#: Where prose points at files: the package, the tools, the tests, benchmarks and experiments, and the two docs.
SOURCES = ["kan_edu", "tools", "tests", "benchmarks", "experiments", "README.md", "CONTRIBUTING.md", "Makefile", ".ci"]
FOLDERS = ("kan_edu", "tools", "tests", "benchmarks", "experiments", "book", "notebooks", ".ci", ".github")
PATH = re.compile(r"(?<![\w./-])((?:" + "|".join(re.escape(f) for f in FOLDERS) + r")/[\w./-]*[\w/])")
#: Documents named by name alone (README.md, CONTRIBUTING.md, or a *-NOTES file) must be files at the top of the repository.
DOCUMENT = re.compile(r"(?<![\w/.-])([A-Z][A-Z]+(?:-[A-Z]+)*(?:\.md)|[A-Z]+-NOTES)\b")
#: Folders that builds and runs make (git ignores them), and patterns that stand for many files.
MADE = ("_build", "book/glue", "book/_build")
PATTERN = re.compile(r"NN|<|\*|\{|\.\.\.|/x\.|/name\b")


def sources():
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        yield from (f for f in files if f.suffix in {".py", ".md", ".sh", ".toml", ""} and f.is_file())


def named_paths():
    for source in sources():
        for number, line in enumerate(source.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for match in PATH.finditer(line):
                path = match.group(1).rstrip("./")
                if PATTERN.search(line[match.start() : match.end() + 1]) or path.startswith(MADE):
                    continue
                if path.endswith(".html"):  # an address in the built site, not a file of the repository
                    continue
                yield f"{source.relative_to(ROOT)}:{number}", path
            for match in DOCUMENT.finditer(line):
                name = match.group(1)
                yield f"{source.relative_to(ROOT)}:{number}", name if name.endswith(".md") else name + ".md"


def exists(path: str) -> bool:
    """A file or folder; a module's attribute (tools/execute.KERNEL_ENV); a chapter named without suffix."""
    module = path.rsplit(".", 1)[0] + ".py"
    return any((ROOT / p).exists() for p in (path, module, path + ".md", path + ".py"))


def test_the_scan_finds_paths():
    assert len(list(named_paths())) > 20


@pytest.mark.parametrize("where, path", sorted(set(named_paths())))
def test_named_path_exists(where, path):
    assert exists(path), f"{where} names {path}, which does not exist"
