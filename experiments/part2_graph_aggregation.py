"""Chapter 13's graph-classification comparison: which aggregation and readout tell motif graphs apart.

    PYTHONPATH=. python experiments/part2_graph_aggregation.py

Trains a 3-layer GCN (kan_edu.graphs.classify_motifs, defaults) for every (aggregation, readout) pair of
kan_edu.graphs.SWEEP and seeds 0-4, on one thread, and writes kan_edu/data_files/part2_graph_aggregation.json,
which kan_edu.graphs.aggregation_results() loads. Minutes on one core (330 s on a loaded 2-core machine); the chapter reruns one of the
runs live and tests/package/test_graphs.py checks that a shipped run is reproduced.
"""

import json
import time
from pathlib import Path

import torch

from kan_edu import graphs

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part2_graph_aggregation.json"
SEEDS = (0, 1, 2, 3, 4)

if __name__ == "__main__":
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = graphs.aggregation_sweep(seeds=SEEDS)
    setup = {
        "seeds": list(SEEDS),
        "pairs": [list(p) for p in graphs.SWEEP],
        "note": "kan_edu.graphs.classify_motifs defaults: 400 motif graphs (300 train, 100 test), 3 layers of 16, "
        "150 Adam steps at lr 0.01, every node's feature 0.1",
        "torch": torch.__version__,
    }
    OUT.write_text(json.dumps({"setup": setup, "results": results}, indent=1) + "\n", encoding="utf-8")
    for key, runs in results.items():
        print(f"{key:16s}", [round(r["test_accuracy"], 3) for r in runs])
    print(f"wrote {OUT} in {time.perf_counter() - start:.0f} s")
