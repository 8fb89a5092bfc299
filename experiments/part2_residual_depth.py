"""experiments/part2_residual_depth.py: the depth sweep of chapter 11 (residual networks).

    python experiments/part2_residual_depth.py   # one core: 29 minutes on a loaded 2-core machine;
                                                  # writes kan_edu/data_files/part2_residual_depth.json

Six variants of a width-64 multilayer perceptron (plain, plain with batch norm, residual, residual with batch
norm, residual with branches scaled by 1/sqrt(K), residual with zero-initialised branches) at depths 4 to 64,
three seeds each, trained on MNIST-1D (4000 training signals, 1000 test signals) with Adam (learning rate 1e-3,
batches of 100) for 10 epochs: learning curves, the lesion study of every trained network, and the variance and
gradient norms at initialisation. The settings live in kan_edu.residual.RESIDUAL_DEPTH;
tests/package/test_residual.py recomputes one run and compares it with the shipped file.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from kan_edu.residual import run_residual_depth  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part2_residual_depth.json"

if __name__ == "__main__":
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = run_residual_depth(progress=True)
    OUT.write_text(json.dumps(results, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} kB) in {time.perf_counter() - start:.1f} s")
