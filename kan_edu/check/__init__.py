"""kan_edu.check: exercise checks that help without giving the answer away.

Every check takes the student's answer (usually a function), tests properties of it, prints one verdict
line (a tick, or the first failed property with a hint) and returns a :class:`Verdict`. It never raises on
a wrong answer and never prints the reference answer. The checks of a topic live in the submodule named after
the package module they check (``kan_edu.optim`` -> ``kan_edu.check.optim``), and every name in a submodule's
``__all__`` is re-exported here, found by listing the package, so a chapter simply calls ``check.relu(relu)``
and a new check module needs no line in this file.
"""

import importlib
import pkgutil

from ._core import NotAnswered, Verdict, run

__all__ = ["NotAnswered", "Verdict", "run"]


def _export_submodules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in module.__all__:
            if name in globals():
                raise ImportError(f"kan_edu.check.{info.name} exports {name!r}, which another check module has")
            globals()[name] = getattr(module, name)
            __all__.append(name)


_export_submodules()
