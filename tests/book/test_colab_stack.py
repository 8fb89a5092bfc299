"""Every chapter under Colab's widget stack (ipywidgets 7.7.1, IPython 7.34) builds working live figures.

``make colab-env`` makes that stack in ``.venv-colab`` and registers its python as the Jupyter kernel
``kan-edu-colab`` (kept in ``.venv-colab/share/jupyter/kernels``). Each chapter of ``_toc.yml`` runs there top
to bottom, as its Colab notebook does: nbclient here is the frontend, the kernel is the Colab-stack python,
and ``KAN_EDU_FIGURES`` is *not* set, so ``kan_edu.figures`` must find out by itself that it runs live.

The chapters run two at a time (one per core, one thread each), each once. Per chapter: no error; the kernel reports ipywidgets 7.7.1 and IPython 7.34; every ``figures.show`` call
displayed exactly one widget view (``application/vnd.jupyter.widget-view+json``) whose saved model is a box of
core controls and one PNG ``Image``; and, in the kernel, moving each control of each figure re-encodes the
image (and moving it back restores it). A unit test also builds ``InteractiveFigure(...).widget()`` in
``.venv-colab`` directly. The chapters' run times under this stack are printed at the end.

Skips with a reason where ``.venv-colab`` is absent, except in CI (``CI=true``), where that is a failure.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import ROOT, toc_files
from execute import KERNEL_ENV  # tools/execute.py: the book build's kernel settings

pytestmark = pytest.mark.colab

VENV = ROOT / ".venv-colab"
PYTHON = VENV / "bin" / "python"
KERNELS = VENV / "share" / "jupyter" / "kernels"
KERNEL = "kan-edu-colab"
CHAPTERS = [ROOT / f"{doc}.md" for doc in toc_files() if re.search(r"(^|/)\d\d-[^/]+$", doc)]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CORE_CONTROLS = {"FloatSlider", "IntSlider", "Dropdown"}
MARK = "KAN_EDU_PROBE "
TIMINGS: dict[str, float] = {}

# First cell: count every InteractiveFigure.show call, the runtime it chose and the box it returned.
PROBE_START = textwrap.dedent("""\
    import kan_edu.figures as _kef_figures
    _kef_probe = {"shows": [], "boxes": []}
    _kef_show = _kef_figures.InteractiveFigure.show
    def _kef_probe_show(self, mode=None):
        box = _kef_show(self, mode)
        _kef_probe["shows"].append({"mode": mode or _kef_figures.runtime(), "box": box is not None})
        if box is not None:
            _kef_probe["boxes"].append(box)
        return box
    _kef_figures.InteractiveFigure.show = _kef_probe_show
""")

# Last cell: versions, and every control of every figure moved in the kernel as a reader moves it.
PROBE_END = textwrap.dedent("""\
    import json as _kef_json, IPython as _kef_ipython, ipywidgets as _kef_widgets
    def _kef_candidates(c):
        if isinstance(c, _kef_widgets.Dropdown):
            return [v for _, v in c.options if v != c.value] if c.options and isinstance(c.options[0], tuple) \\
                else [v for v in c.options if v != c.value]
        mid = type(c.value)(c.min + (c.max - c.min) / 2) if isinstance(c.value, float) else (c.min + c.max) // 2
        return [v for v in (c.max, c.min, mid) if v != c.value]
    def _kef_exercise(box):
        row, image, status = box.children[0], box.children[1], box.children[2]
        out = {"box": type(box).__name__, "row": type(row).__name__, "image": type(image).__name__,
               "format": getattr(image, "format", None), "png": bytes(image.value[:8]) == b"\\x89PNG\\r\\n\\x1a\\n",
               "controls": []}
        for c in row.children:
            start, before = c.value, image.value
            row_out = {"type": type(c).__name__, "description": c.description, "changed": None,
                       "restored": None, "status": "", "single": False}
            candidates = _kef_candidates(c)
            if not candidates:
                row_out["single"] = True
            for v in candidates:
                c.value = v
                row_out["status"] = status.value
                if image.value != before:
                    row_out["changed"] = repr(v)
                    break
            if candidates:
                c.value = start
                row_out["restored"] = image.value == before
                row_out["status"] = row_out["status"] or status.value
            out["controls"].append(row_out)
        return out
    print("%s" + _kef_json.dumps({
        "ipywidgets": _kef_widgets.__version__, "ipython": _kef_ipython.__version__,
        "runtime": _kef_figures.runtime(), "shows": _kef_probe["shows"],
        "figures": [_kef_exercise(b) for b in _kef_probe["boxes"]]}))
""") % MARK


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def colab_python() -> str:
    if not PYTHON.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("no .venv-colab: `make test` makes it with `make colab-env`")
        pytest.skip("no .venv-colab (Colab's ipywidgets 7.7.1 / IPython 7.34): run `make colab-env`")
    return str(PYTHON)


@pytest.fixture(scope="module")
def colab_kernel(colab_python) -> str:
    """The kernel spec kan-edu-colab inside .venv-colab (made by `make colab-env`; made here if missing)."""
    spec = KERNELS / KERNEL / "kernel.json"
    if not spec.exists():
        subprocess.run([colab_python, "-m", "ipykernel", "install", "--prefix", str(VENV), "--name", KERNEL,
                        "--display-name", "Python 3 (Colab stack: ipywidgets 7.7.1)"],
                       check=True, capture_output=True, timeout=120)
    argv = json.loads(spec.read_text())["argv"]
    assert Path(argv[0]).resolve() == PYTHON.resolve() or argv[0] == str(PYTHON), \
        f"{spec} does not start .venv-colab's python: {argv}"
    return KERNEL


@pytest.fixture(scope="module", autouse=True)
def timing_report(request):
    yield
    if not TIMINGS:
        return
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        reporter.write_line("")
        reporter.write_sep("-", "chapters under Colab's stack (ipywidgets 7.7.1, live figures)")
        for name, seconds in TIMINGS.items():
            reporter.write_line(f"{name:45s} {seconds:6.1f} s{'  over the 60 s budget' if seconds > 60 else ''}")
        reporter.write_line(f"{'total':45s} {sum(TIMINGS.values()):6.1f} s")


def _kernel_manager_class():
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from traitlets import default

    class ColabKernelManager(AsyncKernelManager):
        """Finds kan-edu-colab in .venv-colab without touching JUPYTER_PATH or the user's Jupyter folders."""

        @default("kernel_spec_manager")
        def _colab_specs(self):
            return KernelSpecManager(kernel_dirs=[str(KERNELS)], parent=self)

    return ColabKernelManager


def run_chapter(md: Path, kernel: str, timeout: int = 300):
    """Run ``md`` as its notebook on the Colab-stack kernel (tools/run_chapter.py's logic, live runtime)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    import notebooks  # tools/notebooks.py (conftest puts tools/ on the path)

    nb = notebooks.to_notebook(md.read_text(encoding="utf-8"))
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE_START))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_END))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAN_EDU_")}  # as on Colab: nothing forced
    env.update({k: v for k, v in KERNEL_ENV.items() if not k.startswith("KAN_EDU_")})  # one thread, reproducible
    with tempfile.TemporaryDirectory() as tmp:
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, kernel_manager_class=_kernel_manager_class(),
                                resources={"metadata": {"path": tmp}})
        start = time.perf_counter()
        try:
            client.execute(env=env, cwd=tmp)
            error = None
        except CellExecutionError as err:
            error = str(err)[-3000:]
        seconds = time.perf_counter() - start
    return nb, seconds, error


def _probe(nb) -> dict | None:
    for out in nb.cells[-1].get("outputs", []):
        for line in out.get("text", "").splitlines():
            if line.startswith(MARK):
                return json.loads(line[len(MARK):])
    return None


def _model(state: dict, ref: str) -> dict:
    return state.get(ref.replace("IPY_MODEL_", ""), {})


# ------------------------------------------------------------------------------------------ the tests
def test_chapters_are_listed():
    assert CHAPTERS, "_toc.yml lists no chapter (book/NN-*.md)"
    missing = [str(md.relative_to(ROOT)) for md in CHAPTERS if not md.exists()]
    assert not missing, f"_toc.yml lists chapters with no source: {missing}"


def chapter_problems(nb) -> list[str]:
    """What is wrong with an executed chapter under the Colab stack (empty when nothing is)."""
    probe = _probe(nb)
    if not probe:
        return ["the probe cell printed nothing"]
    problems = []
    if not (probe["ipywidgets"] == "7.7.1" and probe["ipython"].startswith("7.34")):
        problems.append(f"the kernel runs ipywidgets {probe['ipywidgets']} / IPython {probe['ipython']}")
    if probe["runtime"] != "live":
        problems.append(f"kan_edu.figures.runtime() is {probe['runtime']!r} in the kernel, not 'live'")
    shows = probe["shows"]
    if not shows:
        problems.append("no figures.show call ran")
    if not all(s["mode"] == "live" and s["box"] for s in shows):
        problems.append(f"a figure did not render live: {shows}")
    views = [out["data"][WIDGET_VIEW]["model_id"] for cell in nb.cells[1:-1] if cell.cell_type == "code"
             for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})]
    if len(views) != len(shows):
        problems.append(f"{len(shows)} figures.show call(s) but {len(views)} widget view output(s)")

    # the frontend's side: each view's saved model is a VBox of [HBox of core controls, Image, HTML]
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for n, model_id in enumerate(views, 1):
        box = state.get(model_id)
        if not box or box["model_name"] != "VBoxModel":
            problems.append(f"view {n} has no saved VBox model")
            continue
        row, image = (_model(state, ref) for ref in box["state"]["children"][:2])
        if image.get("model_name") != "ImageModel" or image["state"].get("format") != "png":
            problems.append(f"view {n} shows no PNG Image widget")
        names = [_model(state, ref).get("model_name", "?").replace("Model", "") for ref in row["state"]["children"]]
        if not names or not set(names) <= CORE_CONTROLS:
            problems.append(f"view {n} has controls {names}, expected core sliders and dropdowns")

    # the kernel's side: every control moves the picture and moving it back restores it
    for n, fig in enumerate(probe["figures"], 1):
        if not (fig["image"] == "Image" and fig["format"] == "png" and fig["png"]):
            problems.append(f"figure {n}: the image widget holds no PNG ({fig})")
        for c in fig["controls"]:
            name = f"figure {n}, control {c['description']!r} ({c['type']})"
            if c["type"] not in CORE_CONTROLS:
                problems.append(f"{name}: not a core ipywidgets control")
            if c["status"]:
                problems.append(f"{name}: redraw failed: {c['status']}")
            if c["single"]:
                continue  # a one-option control cannot move (test_browser reports it)
            if c["changed"] is None:
                problems.append(f"{name}: no value changes the picture")
            if c["restored"] is False:
                problems.append(f"{name}: moving it back does not restore the picture (update depends on history)")
    return problems


@pytest.fixture(scope="module")
def colab_runs(request, colab_kernel) -> dict:
    """Every selected chapter run once on the Colab-stack kernel, as many at a time as there are cores (one
    thread each, as in the book build), the longest first (by the book build's times, when there is one)."""
    selected = [item.callspec.params["md"] for item in request.session.items
                if item.originalname == "test_chapter_runs_live_under_ipywidgets_7" and hasattr(item, "callspec")]
    stats_path = ROOT / "_build" / "exec_stats.json"
    last = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
    selected.sort(key=lambda md: -((last.get(f"book/{md.stem}") or {}).get("runtime") or 0))
    with ThreadPoolExecutor(max_workers=max(1, min(os.cpu_count() or 1, len(selected)))) as pool:
        futures = {md: pool.submit(run_chapter, md, colab_kernel) for md in selected}
        return {md: future.result() for md, future in futures.items()}


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_live_under_ipywidgets_7(colab_runs, md):
    nb, seconds, error = colab_runs[md]
    TIMINGS[md.stem] = seconds
    assert error is None, f"{md.stem} failed under ipywidgets 7.7.1 / IPython 7.34 ({seconds:.0f} s):\n{error}"
    problems = chapter_problems(nb)
    assert not problems, f"{md.stem} under ipywidgets 7.7.1:\n" + "\n".join(problems)


SYNTHETIC = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A chapter with one good and two broken figures

```{code-cell} ipython3
import itertools
from kan_edu import figures
from kan_edu.figures import Choice, Slider

def good(fig):
    (line,) = fig.subplots().plot([0, 1], [0, 1])
    def update(a=0.0):
        line.set_ydata([0, a])
    return update

def dead(fig):
    fig.subplots().plot([0, 1], [0, 1])
    def update(a=0.0):
        pass
    return update

counter = itertools.count()
def drifting(fig):
    ax = fig.subplots()
    def update(kind="x"):
        ax.set_title(f"{kind} {next(counter)}")
    return update

figures.show(good, Slider("a", 0, 1, 0.5, 0.0))
figures.show(dead, Slider("a", 0, 1, 0.5, 0.0))
figures.show(drifting, Choice("kind", ["x", "y"]))
```
"""


def test_the_probe_catches_broken_live_figures(colab_kernel, tmp_path):
    """The checks above can fail: a control that changes nothing and a redraw that depends on history."""
    md = tmp_path / "99-synthetic.md"
    md.write_text(SYNTHETIC, encoding="utf-8")
    nb, _, error = run_chapter(md, colab_kernel, timeout=120)
    assert error is None, error
    problems = chapter_problems(nb)
    assert len(problems) == 2, problems
    assert "figure 2" in problems[0] and "no value changes the picture" in problems[0]
    assert "figure 3" in problems[1] and "depends on history" in problems[1]


def test_live_figure_widget_under_ipywidgets_7(colab_python):
    """InteractiveFigure(...).widget() in .venv-colab: the controls, the Image, and a redraw on every change."""
    script = textwrap.dedent("""
        import ipywidgets, IPython
        from kan_edu.figures import InteractiveFigure, Slider, Choice
        assert ipywidgets.__version__ == "7.7.1", ipywidgets.__version__
        assert IPython.__version__.startswith("7.34"), IPython.__version__
        def build(fig):
            ax = fig.subplots()
            (line,) = ax.plot([0, 1], [0, 1])
            ax.set_ylim(-10, 10)
            def update(a=1.0, n=2, kind="up"):
                line.set_ydata([0, a * n if kind == "up" else -a * n])
            return update
        spec = InteractiveFigure(build, [Slider("a", 0, 2, 0.5, 1.0, label="slope"),
                                         Slider("n", 1, 4, 1, 2, integer=True),
                                         Choice("kind", ["up", "down"])])
        box = spec.widget()
        assert isinstance(box, ipywidgets.VBox)
        row, image, status = box.children
        a, n, kind = row.children
        assert [type(c).__name__ for c in row.children] == ["FloatSlider", "IntSlider", "Dropdown"], row.children
        assert isinstance(image, ipywidgets.Image) and image.format == "png"
        assert image.value[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
        assert (a.min, a.max, a.step, a.value, a.description) == (0, 2, 0.5, 1.0, "slope")
        assert (n.value, kind.value, list(kind.options)) == (2, "up", ["up", "down"])
        first = image.value
        for control, value, y in ((a, 2.0, 4.0), (n, 3, 6.0), (kind, "down", -6.0)):
            before = image.value
            control.value = value
            assert image.value != before, f"{type(control).__name__} did not redraw"
            assert spec.figure.axes[0].lines[0].get_ydata()[1] == y
            assert status.value == ""
        a.value, n.value, kind.value = 1.0, 2, "up"
        assert image.value == first, "back at the defaults, the picture differs"
        print("ok", ipywidgets.__version__, IPython.__version__)
    """)
    out = subprocess.run([colab_python, "-c", script], capture_output=True, text=True, timeout=180, cwd=ROOT,
                         env={**{k: v for k, v in os.environ.items() if not k.startswith("KAN_EDU_")},
                              "OMP_NUM_THREADS": "1", "MPLBACKEND": "agg"})
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[:2] == ["ok", "7.7.1"], out.stdout
