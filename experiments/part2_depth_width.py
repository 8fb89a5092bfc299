"""experiments/part2_depth_width.py: depth against width at a fixed parameter budget, for chapter 20.

    python experiments/part2_depth_width.py   # a few minutes on one core;
                                               # writes kan_edu/data_files/part2_depth_width.json

ReLU MLPs with 1, 2, 3, 4, 6 and 8 hidden layers, each as wide as a budget of about 20,000 parameters allows,
are trained with Adam on 4000 MNIST-1D examples for the same number of epochs, five seeds each. The settings
live in kan_edu.understanding.DEPTH_WIDTH; tests/package/test_understanding.py reruns one network and
compares it with the shipped file.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from kan_edu.understanding import run_depth_width  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part2_depth_width.json"

if __name__ == "__main__":
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = run_depth_width()
    OUT.write_text(json.dumps(results, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.1f} kB) in {time.perf_counter() - start:.1f} s")
