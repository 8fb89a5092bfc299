"""benchmarks/chapter_times.py: the chapters' execution times, and what a build costs, against the budgets.

    python benchmarks/chapter_times.py             # report the last build's times (_build/exec_stats.json)
    python benchmarks/chapter_times.py --measure   # time a clean `make book`, then `make book` after edits

The report lists each chapter's execution time (one thread, from the execution cache that `make book` fills;
the same numbers as the book's Execution statistics page), their serial sum, and flags a chapter over 60 s.
Timings are not asserted in the test suite (a loaded machine would make such a test flaky): this report is
where a budget overrun shows; exit status 1 when a chapter is over.

``--measure`` (about the time of two book builds) runs, and times:
1. a clean ``make book``: the execution cache, the rendered site and the doctrees removed first (the venv and
   the vendored scripts stay). Target: wall time ≤ 60% of the serial sum of the chapter times (2 cores);
2. ``make book`` after a prose edit of one chapter (nothing to execute, one page to read again);
3. ``make book`` after a code edit of one chapter (a comment added to its last code cell): that chapter
   executes again. Target: ≤ that chapter's execution time + 45 s.
The edited chapter is restored afterwards, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_S = 60.0
STATS = ROOT / "_build" / "exec_stats.json"


def report() -> tuple[dict[str, float], bool]:
    stats = json.loads(STATS.read_text(encoding="utf-8"))
    times, ok = {}, True
    for doc, row in stats.items():
        t = row["runtime"] or 0.0
        times[doc] = t
        over = t > CHAPTER_S
        ok &= bool(row["succeeded"]) and not over
        print(f"{doc:45s} {t:6.1f} s {'ok' if row['succeeded'] else 'FAILED'}{'  OVER 60 s' if over else ''}")
    print(f"{'serial sum (one thread each)':45s} {sum(times.values()):6.1f} s over {len(times)} chapters")
    return times, ok


def make_book() -> float:
    start = time.perf_counter()
    subprocess.run(["make", "book"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(chapter: Path) -> None:
    for path in ("_build/.jupyter_cache", "_build/html", "_build/.doctrees", "_build/jupyter_execute"):
        shutil.rmtree(ROOT / path, ignore_errors=True)
    clean = make_book()
    times, _ = report()
    serial = sum(times.values())
    print(
        f"\nclean make book: {clean:.0f} s wall = {clean / serial:.0%} of the serial sum {serial:.0f} s (target <= 60%)"
    )
    original = chapter.read_bytes()
    text = original.decode("utf-8")
    try:
        chapter.write_text(text.replace("\n## Summary", "\n## Summary\n", 1), encoding="utf-8")
        prose = make_book()
        print(f"make book after a prose edit of {chapter.name}: {prose:.0f} s")
        cut = text.rindex("```{code-cell}")
        end = text.index("\n```", cut + 10)
        chapter.write_text(text[:end] + "\n# an edit" + text[end:], encoding="utf-8")
        code = make_book()
        own = json.loads(STATS.read_text(encoding="utf-8"))[f"book/{chapter.stem}"]["runtime"]
        print(
            f"make book after a code edit of {chapter.name}: {code:.0f} s = its execution {own:.0f} s "
            f"+ {code - own:.0f} s (target <= +45 s)"
        )
    finally:
        chapter.write_bytes(original)
    make_book()  # back to the committed chapter (from the cache: nothing executes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measure", action="store_true", help="time a clean build and builds after edits")
    parser.add_argument("--chapter", type=Path, default=ROOT / "book" / "07-gradients-and-initialization.md")
    args = parser.parse_args()
    if args.measure:
        measure(args.chapter.resolve())
        return 0
    if not STATS.exists():
        print("no _build/exec_stats.json: run `make book` first")
        return 2
    _, ok = report()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
