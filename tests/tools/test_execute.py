"""tools/execute.py: which chapters a change re-executes (the build's execution cache)."""

from __future__ import annotations

import shutil

import execute  # tools/execute.py

from tests.helpers import ROOT

CH3 = "from kan_edu import check, figures, shallow\nfrom kan_edu.figures import Slider\ncheck.relu(relu)\n"
CH25 = "from kan_edu import check, figures, isometry as iso\ncheck.isometry_gap(gap)\n"


def names(paths, package=execute.PACKAGE):
    return {str(p.relative_to(package)) for p in paths}


def test_a_chapter_depends_on_the_modules_it_imports_and_what_they_import():
    deps = names(execute.dependencies(CH3))
    assert {"__init__.py", "shallow.py", "figures.py", "check/__init__.py", "check/_core.py"} <= deps
    assert "check/shallow.py" in deps, "the module that defines the check it calls"
    assert not {"kan.py", "isometry.py", "check/isometry.py"} & deps
    deps25 = names(execute.dependencies(CH25))
    assert {"isometry.py", "check/isometry.py"} <= deps25 and "shallow.py" not in deps25


def test_relative_imports_are_followed_from_subpackages(tmp_path):
    package = tmp_path / "kan_edu"
    (package / "check").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\nfrom .c import thing\n")
    (package / "b.py").write_text("import numpy as np\n")
    (package / "c.py").write_text("from kan_edu.d import x\n")
    (package / "d.py").write_text("x = 1\n")
    (package / "e.py").write_text("from .. import nothing\n")
    (package / "check" / "__init__.py").write_text("")
    (package / "check" / "_core.py").write_text("")
    (package / "check" / "a.py").write_text("from .. import a\nfrom ._core import run\ndef ok(f):\n    pass\n")
    assert names(execute.dependencies("from kan_edu import a", package), package) == {
        "__init__.py",
        "a.py",
        "b.py",
        "c.py",
        "d.py",
    }
    assert names(execute.dependencies("from kan_edu import check\ncheck.ok(f)", package), package) == {
        "__init__.py",
        "check/__init__.py",
        "check/_core.py",
        "check/a.py",
        "a.py",
        "b.py",
        "c.py",
        "d.py",
    }


def test_an_edit_changes_the_fingerprint_of_exactly_the_chapters_that_import_it(tmp_path):
    package = tmp_path / "kan_edu"
    shutil.copytree(ROOT / "kan_edu", package, ignore=shutil.ignore_patterns("__pycache__"))
    before = execute.fingerprint(CH3, package), execute.fingerprint(CH25, package)
    assert execute.fingerprint(CH3, package) == before[0], "the fingerprint is deterministic"
    with (package / "shallow.py").open("a") as f:
        f.write("\n# an edit\n")
    after = execute.fingerprint(CH3, package), execute.fingerprint(CH25, package)
    assert after[0] != before[0] and after[1] == before[1]
    with (package / "figures.py").open("a") as f:
        f.write("\n# an edit\n")
    assert execute.fingerprint(CH25, package) != before[1], "every chapter draws with kan_edu.figures"


def test_every_chapter_of_the_toc_is_found():
    found = [p.relative_to(ROOT).as_posix() for p in execute.toc_chapters()]
    assert found and all(p.startswith("book/") and p.endswith(".md") for p in found)
    assert sorted(found) == sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "book").glob("[0-9][0-9]-*.md"))
