"""One name per topic, found rather than listed: kan_edu's topics are its modules, kan_edu.check re-exports every
check module's __all__, and a topic's module, check module and tests share its name."""

from __future__ import annotations

import importlib

import kan_edu
from kan_edu import check
from tests.helpers import ROOT

PACKAGE = ROOT / "kan_edu"


def topics(folder):
    """Public modules and packages in ``folder``, by name."""
    names = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
    return sorted(n for n in names if not n.startswith("_"))


def test_every_module_is_a_topic_and_resolves_lazily():
    assert kan_edu.__all__ == topics(PACKAGE)
    for name in kan_edu.__all__:
        assert getattr(kan_edu, name) is importlib.import_module(f"kan_edu.{name}")
        assert name in dir(kan_edu)


def test_check_reexports_every_check_module():
    exported = {"NotAnswered", "Verdict", "run"}
    for name in topics(PACKAGE / "check"):
        module = importlib.import_module(f"kan_edu.check.{name}")
        assert not exported & set(module.__all__), f"kan_edu.check.{name} repeats a check name"
        exported |= set(module.__all__)
        for attr in module.__all__:
            assert getattr(check, attr) is getattr(module, attr)
    assert set(check.__all__) == exported


def test_a_check_module_and_its_tests_are_named_after_the_module_they_check():
    for name in topics(PACKAGE / "check"):
        assert name in kan_edu.__all__, f"kan_edu/check/{name}.py checks no module kan_edu.{name}"
        assert (ROOT / "tests" / "checks" / f"test_{name}.py").exists(), f"tests/checks/test_{name}.py is missing"
    for name in kan_edu.__all__:
        if name != "check":
            assert (ROOT / "tests" / "package" / f"test_{name}.py").exists(), f"tests/package/test_{name}.py is missing"
