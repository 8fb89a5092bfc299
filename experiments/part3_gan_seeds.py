"""experiments/part3_gan_seeds.py: how often the 2-D GAN of chapter 15 finds every mode of the ring of 8.

    python experiments/part3_gan_seeds.py   # a few minutes on one core; writes kan_edu/data_files/part3_gan_seeds.json

The chapter's GAN (kan_edu.gan.train_gan_2d: MLP generator and discriminator, Adam, one step each per
iteration) is trained with each generator loss from ten seeds, for the chapter's number of steps; the file keeps
the number of modes covered and the fraction of samples on a mode at the end of each run. The settings live in
kan_edu.gan.RING_SWEEP; tests/package/test_gan.py reruns one seed and compares it with the shipped file.
"""

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from kan_edu.gan import ring_sweep  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part3_gan_seeds.json"

if __name__ == "__main__":
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = ring_sweep()
    OUT.write_text(json.dumps(results, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.1f} kB) in {time.perf_counter() - start:.1f} s")
