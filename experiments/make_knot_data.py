"""experiments/make_knot_data.py: build kan_edu/data_files/knots.csv, the knot sample chapter 24 reads.

    python -m venv /tmp/snappyenv && /tmp/snappyenv/bin/pip install snappy numpy
    /tmp/snappyenv/bin/python experiments/make_knot_data.py [--n 2000]

snappy (an optional dependency, about 300 MB; the book never imports it) ships the census of all 59,937 prime
knots with up to 15 crossings in its HTLinkExteriors table. For a seeded random sample of them this script
writes, per knot: the hyperbolic volume, the Chern-Simons invariant, the cusp area, the meridional translation
(real and imaginary parts) and the longitudinal translation, and the knot signature computed from a Seifert
matrix V as the signature of V + Vᵀ (numpy's eigenvalues; snappy's own signature() needs SageMath).
Knots whose invariants cannot be computed are skipped and counted.
"""
import argparse
import csv
import random
import time
from pathlib import Path

import numpy as np
import snappy

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "knots.csv"
COLUMNS = ["name", "volume", "chern_simons", "cusp_area", "meridian_re", "meridian_im", "longitude", "signature"]


def row(M):
    meridian, longitude = M.cusp_translations()[0]
    seifert = np.array(M.link().seifert_matrix(), dtype=float)
    eig = np.linalg.eigvalsh(seifert + seifert.T)
    signature = int((eig > 1e-9).sum() - (eig < -1e-9).sum())
    return [M.name(), float(M.volume()), float(M.chern_simons()), float(M.cusp_areas()[0]),
            float(complex(meridian).real), float(complex(meridian).imag), float(complex(longitude).real), signature]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    census = snappy.HTLinkExteriors(knots_vs_links="knots")
    indices = random.Random(args.seed).sample(range(len(census)), args.n)
    start, rows, skipped = time.time(), [], 0
    for i in indices:
        try:
            rows.append(row(census[i]))
        except Exception:  # a knot whose invariants snappy cannot compute
            skipped += 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([r[0]] + [f"{v:.10g}" if isinstance(v, float) else v for v in r[1:]])
    print(f"wrote {len(rows)} knots to {OUT} ({skipped} skipped) in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
