"""tools/run_chapter.py: execute chapters on a fresh kernel, as the book build does, and time them.

    python tools/run_chapter.py book/03-shallow-networks.md [more.md ...] [--mode static|live|headless]
    python tools/run_chapter.py book/03-shallow-networks.md --student   # the student copy (no solutions)
    python tools/run_chapter.py book/03-shallow-networks.md --update-glue  # then: tools/notebooks.py sync

For authors: it writes nothing (the notebook runs in a temporary folder) except, with ``--update-glue``, the
chapter's glued values into ``book/glue/`` (what the paired notebook's text shows), and prints each chapter's wall time
and, on failure, the failing cell's error. Exit status 1 if any chapter failed. ``--figure-log F`` appends
each figure's redraw timings to F (see ``kan_edu.figures.show``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute import KERNEL_ENV  # noqa: E402  (tools/execute.py: the book build's kernel settings)

import notebooks  # noqa: E402  (tools/notebooks.py)


def execute(
    md: Path,
    mode: str = "static",
    student: bool = False,
    timeout: int = 300,
    figure_log: str | None = None,
    kernel: str = "python3",
) -> tuple[float, str | None, nbformat.NotebookNode]:
    """Run a chapter top to bottom; return (seconds, error or None, executed notebook)."""
    nb = notebooks.to_notebook(md.read_text(encoding="utf-8"), student=student)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import IPython, ipywidgets; print('versions:', ipywidgets.__version__, IPython.__version__)"
        )
    )
    for key, value in KERNEL_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["KAN_EDU_FIGURES"] = mode
    if figure_log:
        os.environ["KAN_EDU_FIGURE_LOG"] = str(Path(figure_log).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, resources={"metadata": {"path": tmp}})
        start = time.perf_counter()
        try:
            client.execute()
            error = None
        except CellExecutionError as err:
            error = str(err)[-3000:]
    return time.perf_counter() - start, error, nb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--mode", default="static", choices=["static", "live", "headless"])
    parser.add_argument("--student", action="store_true")
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--figure-log")
    parser.add_argument(
        "--update-glue",
        action="store_true",
        help="store the glued values in book/glue/ (run `tools/notebooks.py sync` after)",
    )
    parser.add_argument("--report", help="write a JSON report (time, error, widget views, ipywidgets version)")
    args = parser.parse_args()
    failed = 0
    report = {}
    for md in args.chapters:
        seconds, error, nb = execute(md, args.mode, args.student, args.timeout, args.figure_log)
        status = "ok" if error is None else "FAILED"
        print(f"{md.name}: {seconds:.1f} s {status}")
        report[md.stem] = {"seconds": seconds, "error": error, **widget_summary(nb)}
        if error:
            failed += 1
            print(error)
        elif args.update_glue and not args.student:
            values = notebooks.glue_from_notebook(nb)
            changed = notebooks.save_glue(md.stem, values)
            print(
                f"  {len(values)} glued values {'written to' if changed else 'unchanged in'} book/glue/{md.stem}.json"
            )
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 1 if failed else 0


def text_outputs(nb) -> list[tuple[int, str]]:
    """Every text a run printed, as (code cell number, text): streams and plain-text results; not the images
    or the figure players (their bytes depend on the runtime mode), nor glued values (compare those with
    ``notebooks.glue_from_notebook``)."""
    found = []
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for k, cell in enumerate(code_cells):
        last_stream = False
        for out in cell.get("outputs", []):
            if "scrapbook" in (out.get("metadata") or {}):
                continue
            if out.get("output_type") == "stream":
                text = f"{out.get('name')}: {out.get('text', '')}"
                # the kernel may send one cell's prints in one chunk or several (it flushes on a timer): join
                # consecutive chunks of the same stream, so that two runs that printed the same text compare equal
                if found and found[-1][0] == k and found[-1][1].startswith(f"{out.get('name')}: ") and last_stream:
                    found[-1] = (k, found[-1][1] + out.get("text", ""))
                else:
                    found.append((k, text))
                last_stream = True
                continue
            elif out.get("output_type") in ("execute_result", "display_data"):
                data = out.get("data", {})
                texts = [
                    f"{mime}: {data[mime]}"
                    for mime in sorted(data)
                    if mime.endswith("text/plain") and "widget" not in str(data.get(mime))
                ]
                found += [(k, t) for t in texts if not t.split(": ", 1)[1].startswith("<")]
            last_stream = False
    return found


def widget_summary(nb) -> dict:
    """How many live widget views the run displayed, and the kernel's ipywidgets and IPython versions."""
    views = sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    )
    shows = sum(cell.source.count("figures.show(") for cell in nb.cells if cell.cell_type == "code")
    versions = [out.get("text", "") for out in nb.cells[-1].get("outputs", []) if out.get("name") == "stdout"]
    found = versions[0].split() if versions else []
    return {
        "widget_views": views,
        "figures_show_calls": shows,
        "ipywidgets": found[1] if len(found) > 2 else None,
        "ipython": found[2] if len(found) > 2 else None,
    }


if __name__ == "__main__":
    sys.exit(main())
