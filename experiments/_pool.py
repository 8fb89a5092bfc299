"""experiments/_pool.py: the process pool of the experiment scripts that run many seeded jobs.

``pooled(fn, jobs, doc)`` reads ``--jobs N`` from the command line (worker processes; the default is the number of
cores), runs ``fn`` on every job in a pool of N processes and returns the results in the jobs' order, with N and
the wall time in seconds. Each job seeds itself and sets one thread, so what a script writes does not depend on N.
Scripts import it as ``from _pool import pooled``: Python puts a script's own folder first on its path.
"""

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor


def pooled(fn, jobs, doc: str, workers: int | None = None):
    """``([fn(job) for job in jobs], N, seconds)``, the calls spread over N processes (``--jobs N``; default
    ``workers``, else the cores). ``doc`` is the script's docstring, whose first line describes it in ``--help``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=workers or os.cpu_count(), help="worker processes")
    n = parser.parse_args().jobs
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(fn, jobs))
    return results, n, time.perf_counter() - start
