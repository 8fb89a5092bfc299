"""experiments/part1_double_descent.py: the double-descent curves of chapter 8 (measuring performance).

    python experiments/part1_double_descent.py   # about half a minute on one core;
                                                  # writes kan_edu/data_files/part1_double_descent.json

Random ReLU features relu(xW + b)/sqrt(p) of 200 of scikit-learn's 8x8 digits, fitted to one-hot labels by least
squares (minimum norm, and ridge with lambda = 1e-3 and 0.1), for 26 widths p from 10 to 3000 and 7 seeded
feature draws each; clean labels, and labels of which 20 % were redrawn at random. Test on 500 other digits.
The settings live in kan_edu.performance.DOUBLE_DESCENT; tests/package/test_performance.py recomputes a few widths
and compares them with the shipped file.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from kan_edu.performance import run_double_descent  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part1_double_descent.json"

if __name__ == "__main__":
    start = time.perf_counter()
    results = run_double_descent()
    OUT.write_text(json.dumps(results, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} kB) in {time.perf_counter() - start:.1f} s")
