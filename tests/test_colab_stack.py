"""Every chapter under Colab's widget stack (ipywidgets 7.7.1, IPython 7.34) builds its live figures.

``make colab-env`` makes that stack in .venv-colab; the chapters run there in the live runtime (real ipywidgets
controls), and each ``figures.show`` call must display one widget view. Skips where .venv-colab is absent,
except in CI (CI=true), where that is a failure.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, chapter_sources

pytestmark = pytest.mark.colab
PYTHON = ROOT / ".venv-colab" / "bin" / "python"
CHAPTERS = chapter_sources()


@pytest.fixture(scope="module")
def colab_python():
    if not PYTHON.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("no .venv-colab: `make test` makes it with `make colab-env`")
        pytest.skip("no .venv-colab: run `make colab-env`")
    return str(PYTHON)


@pytest.fixture(scope="module")
def report(colab_python, tmp_path_factory):
    out = tmp_path_factory.mktemp("colab") / "report.json"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    subprocess.run([colab_python, str(ROOT / "tools" / "run_chapter.py"), *map(str, CHAPTERS), "--mode", "live",
                    "--report", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    return json.loads(out.read_text())


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_live_under_ipywidgets_7(report, md):
    row = report[md.stem]
    assert row["error"] is None, f"{md.stem} failed under ipywidgets 7.7.1:\n{row['error']}"
    assert row["ipywidgets"] == "7.7.1" and row["ipython"] == "7.34.0"
    assert row["figures_show_calls"] >= 1
    assert row["widget_views"] == row["figures_show_calls"], (
        f"{md.stem}: {row['figures_show_calls']} figures but {row['widget_views']} live widget views")


def test_live_figure_redraws_under_ipywidgets_7(colab_python):
    script = textwrap.dedent("""
        import ipywidgets, numpy as np
        from kan_edu.figures import InteractiveFigure, Slider, Choice
        def build(fig):
            ax = fig.subplots(); (line,) = ax.plot([0, 1], [0, 1])
            def update(a=1.0, n=2, kind="up"):
                line.set_ydata([0, a * n if kind == "up" else -a * n])
            return update
        spec = InteractiveFigure(build, [Slider("a", 0, 2, 0.5, 1.0), Slider("n", 1, 4, 1, 2, integer=True),
                                         Choice("kind", ["up", "down"])])
        box = spec.widget()
        controls, image = box.children[0].children, box.children[1]
        assert [type(c).__name__ for c in controls] == ["FloatSlider", "IntSlider", "Dropdown"], controls
        before = image.value
        controls[0].value = 2.0
        assert image.value != before
        controls[2].value = "down"
        assert spec.figure.axes[0].lines[0].get_ydata()[1] == -4.0
        print("ok", ipywidgets.__version__)
    """)
    out = subprocess.run([colab_python, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok 7.7.1"
