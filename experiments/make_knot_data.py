"""experiments/make_knot_data.py: build kan_edu/data_files/knots.csv, the knot sample chapter 24 reads.

    python -m venv /tmp/snappyenv && /tmp/snappyenv/bin/pip install snappy numpy
    /tmp/snappyenv/bin/python experiments/make_knot_data.py [--n 1000]
    /tmp/snappyenv/bin/python experiments/make_knot_data.py --check 20   # recompute 20 shipped rows, compare

snappy (an optional dependency, about 300 MB; the book never imports it) ships the census of all 59,937 prime
knots with up to 14 crossings in its HTLinkExteriors table. For a seeded random sample of them this script
writes, per knot: the hyperbolic volume, the Chern-Simons invariant, the cusp area, the meridional translation
(real and imaginary parts) and the longitudinal translation, and the knot signature computed from a Seifert
matrix V from the eigenvalues of V + Vᵀ (numpy; snappy's own signature() needs SageMath), with the sign
convention of Davies et al. (2021): the number of negative eigenvalues minus the number of positive ones for
spherogram's V, which makes their relation "signature ≈ slope / 2" hold with a plus sign.
Knots that are not hyperbolic (volume below 1, as for torus knots), or whose invariants cannot be computed, are
skipped and counted.
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
    if float(M.volume()) < 1.0:  # hyperbolic knots have volume at least 2.0298 (the figure-eight knot)
        raise ValueError(f"{M.name()} is not hyperbolic")
    meridian, longitude = M.cusp_translations()[0]
    seifert = np.array(M.link().seifert_matrix(), dtype=float)
    eig = np.linalg.eigvalsh(seifert + seifert.T)
    # the sign convention of Davies et al. (2021), under which signature ≈ slope / 2 (sources differ on it)
    signature = int((eig < -1e-9).sum() - (eig > 1e-9).sum())
    return [
        M.name(),
        float(M.volume()),
        float(M.chern_simons()),
        float(M.cusp_areas()[0]),
        float(complex(meridian).real),
        float(complex(meridian).imag),
        float(complex(longitude).real),
        signature,
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", type=int, default=0, help="recompute this many shipped rows and compare")
    args = parser.parse_args()
    if args.check:
        return check(args.check)
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


def check(count):
    """Recompute ``count`` rows of the shipped CSV from snappy and compare them (relative tolerance 1e-8)."""
    with OUT.open(newline="") as fh:
        shipped = list(csv.reader(fh))[1:]
    bad = 0
    for r in shipped[:count]:
        fresh = row(snappy.Manifold(r[0]))
        same = fresh[-1] == int(r[-1]) and np.allclose(fresh[1:-1], [float(v) for v in r[1:-1]], rtol=1e-8, atol=1e-9)
        bad += not same
        if not same:
            print(f"{r[0]}: shipped {r[1:]}, recomputed {fresh[1:]}")
    print(f"{count - bad} of {count} shipped knots reproduced")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
