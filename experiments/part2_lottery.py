"""experiments/part2_lottery.py: the lottery-ticket sweep of chapter 20 (why does deep learning work?).

    python experiments/part2_lottery.py   # a few minutes on one core; writes kan_edu/data_files/part2_lottery.json

An MLP (40 -> 128 -> 128 -> 10) is trained with Adam on 4000 MNIST-1D examples; its weight matrices are pruned by
magnitude, layer by layer and in one shot, to seven sparsities from 0 to 98.4 %; the surviving weights are
retrained with the same optimiser, epochs and data, once from their original initial values (rewound) and once
from a fresh random initialisation (reinitialised). Five seeds. The settings live in
kan_edu.understanding.LOTTERY; tests/package/test_understanding.py reruns one seed at two sparsities and
compares it with the shipped file.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from kan_edu.understanding import run_lottery  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part2_lottery.json"

if __name__ == "__main__":
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = run_lottery()
    OUT.write_text(json.dumps(results, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.1f} kB) in {time.perf_counter() - start:.1f} s")
