"""benchmarks/reproducible_outputs.py: do fresh runs of a chapter print the same text?

    python benchmarks/reproducible_outputs.py book/23-kan-interpretability.md --runs 10
    python benchmarks/reproducible_outputs.py book/23-kan-interpretability.md --runs 4 --env MKL_CBWR=

Executes the chapter ``--runs`` times, each on a fresh kernel (two at a time), with the book build's kernel
settings (``tools/execute.KERNEL_ENV``; ``--env NAME=VALUE`` overrides one, ``NAME=`` removes it), in the
headless runtime (the printed numbers do not depend on how figures are drawn), and compares every text output
(``tools/run_chapter.text_outputs``). Prints the number of distinct outcomes and the first outputs that differ.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import execute  # noqa: E402
import run_chapter  # noqa: E402


def one_run(md: str, env: dict[str, str | None]) -> tuple[float, str | None, list[tuple[int, str]]]:
    for key, value in {**execute.KERNEL_ENV, **env}.items():
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)
    seconds, error, nb = run_chapter.execute(Path(md), mode="headless")
    return seconds, error, run_chapter.text_outputs(nb)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapter", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the kernels (NAME= unsets)")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(one_run, [str(args.chapter)] * args.runs, [env] * args.runs))
    errors = [e for _, e, _ in runs if e]
    outcomes = Counter(tuple(texts) for _, _, texts in runs)
    print(
        f"{args.chapter.name}: {args.runs} runs, {len(errors)} failed, {len(outcomes)} distinct text outcome(s); "
        f"{sum(len(t) for t, _ in outcomes.items()) // max(len(outcomes), 1)} text outputs per run; "
        f"run times {', '.join(f'{s:.0f}' for s, _, _ in runs)} s; env {env or 'as the book build'}"
    )
    if len(outcomes) > 1:
        (first, _), (second, _) = outcomes.most_common(2)
        shown = 0
        for a, b in zip(first, second):
            if a != b and shown < 5:
                print(f"--- cell {a[0]}:\n{a[1][:400]}\n+++ cell {b[0]}:\n{b[1][:400]}")
                shown += 1
    for e in errors[:1]:
        print(e)
    return 0 if len(outcomes) == 1 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
