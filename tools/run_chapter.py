"""tools/run_chapter.py: execute chapters on a fresh kernel, as the book build does, and time them.

    python tools/run_chapter.py book/03-shallow-networks.md [more.md ...] [--mode static|live|headless]
    python tools/run_chapter.py book/03-shallow-networks.md --student   # the student copy (no solutions)

For authors: it writes nothing (the notebook runs in a temporary folder) and prints each chapter's wall time
and, on failure, the failing cell's error. Exit status 1 if any chapter failed. ``--figure-log F`` appends
each figure's redraw timings to F (see ``kan_edu.figures.show``).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks  # noqa: E402  (tools/notebooks.py)


def execute(md: Path, mode: str = "static", student: bool = False, timeout: int = 300,
            figure_log: str | None = None, kernel: str = "python3") -> tuple[float, str | None, nbformat.NotebookNode]:
    """Run a chapter top to bottom; return (seconds, error or None, executed notebook)."""
    nb = notebooks.to_notebook(md.read_text(encoding="utf-8"), student=student)
    os.environ["KAN_EDU_FIGURES"] = mode
    if figure_log:
        os.environ["KAN_EDU_FIGURE_LOG"] = str(Path(figure_log).resolve())
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
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
    args = parser.parse_args()
    failed = 0
    for md in args.chapters:
        seconds, error, _ = execute(md, args.mode, args.student, args.timeout, args.figure_log)
        status = "ok" if error is None else "FAILED"
        print(f"{md.name}: {seconds:.1f} s {status}")
        if error:
            failed += 1
            print(error)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
