"""experiments/_pool.py, the process pool the experiment scripts share: results in the jobs' order, --jobs read."""

import sys

from tests.helpers import load_experiment


def test_pooled_keeps_the_jobs_order_and_reads_the_worker_count(monkeypatch):
    pool = load_experiment("_pool")
    monkeypatch.setattr(sys, "argv", ["script.py", "--jobs", "2"])
    results, workers, seconds = pool.pooled(abs, [-3, 1, -2, 5], "A script.\n\nMore.")
    assert results == [3, 1, 2, 5] and workers == 2 and seconds >= 0
    monkeypatch.setattr(sys, "argv", ["script.py"])
    assert pool.pooled(abs, [], "A script.", workers=1)[:2] == ([], 1)
