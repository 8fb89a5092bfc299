"""benchmarks/chapter_times.py: each chapter's execution time in the last book build, against the budget.

The book build executes every chapter once (``make book``) and records the times in _build/exec_stats.json
(the same numbers as the book's Execution statistics page). This script prints them and exits 1 if a chapter
took more than 60 s or the book more than 12 minutes. Timings are not asserted in the test suite: a loaded
machine would make such a test flaky; this report is where a budget overrun shows.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_S, BOOK_S = 60.0, 720.0


def main() -> int:
    path = ROOT / "_build" / "exec_stats.json"
    if not path.exists():
        print("no _build/exec_stats.json: run `make book` first")
        return 2
    stats = json.loads(path.read_text())
    total, over = 0.0, []
    for doc, row in stats.items():
        t = row["runtime"] or 0.0
        total += t
        mark = "" if t <= CHAPTER_S else "  OVER BUDGET"
        if t > CHAPTER_S:
            over.append(doc)
        print(f"{doc:45s} {t:6.1f} s {'ok' if row['succeeded'] else 'FAILED'}{mark}")
    print(f"{'book':45s} {total:6.1f} s (budget {BOOK_S:.0f} s)")
    return 1 if over or total > BOOK_S else 0


if __name__ == "__main__":
    sys.exit(main())
