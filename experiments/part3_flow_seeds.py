"""experiments/part3_flow_seeds.py: the spread over seeds of chapter 16's RealNVP on two moons.

    python experiments/part3_flow_seeds.py   # about a minute on one core; writes kan_edu/data_files/part3_flow_seeds.json

The chapter's flow (kan_edu.flows.RealNVP, six coupling layers, trained by kan_edu.flows.fit_flow with the recipe in
kan_edu.flows.MOONS_SWEEP) is trained from ten seeds; the file keeps each run's test negative log-likelihood. The
chapter trains seed 0 itself (its figures open that flow up) and reads the spread from here;
tests/package/test_flows.py reruns seed 0 and compares it with the shipped file.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from kan_edu.flows import moons_sweep  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part3_flow_seeds.json"

if __name__ == "__main__":
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = moons_sweep()
    OUT.write_text(json.dumps(results, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.1f} kB) in {time.perf_counter() - start:.1f} s")
