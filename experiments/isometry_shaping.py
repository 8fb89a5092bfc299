"""experiments/isometry_shaping.py: the activation-shaping sweep of chapter 25, computed once and shipped.

    python experiments/isometry_shaping.py   # about 15 s on one core; writes kan_edu/data_files/isometry_shaping.json

For tanh and sin networks (orthogonal weights, the paper's batch norm, width = batch = 32, seed 0) and every gain
exponent 0, 0.05, ..., 0.6, the log-norm of the first layer's gradient at depths 10, 30, 100, 300 and 1000
(kan_edu.isometry.shaping_sweep with the settings of kan_edu.isometry.SHAPING_SWEEP): the 26 curves of the
chapter's shaping figure and of its exercise. Running them in the chapter took about a third of its time.
tests/package/test_isometry.py reruns a slice and compares it with the shipped file.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from kan_edu.isometry import shaping_sweep  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "isometry_shaping.json"

if __name__ == "__main__":
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = shaping_sweep()
    OUT.write_text(json.dumps(results, separators=(",", ":"), allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.1f} kB) in {time.perf_counter() - start:.1f} s")
