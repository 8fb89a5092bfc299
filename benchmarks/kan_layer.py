"""benchmarks/kan_layer.py: speed and memory of kan_edu's KANLayer against the matmul floor (and pykan).

    python benchmarks/kan_layer.py            # every case, 1 and 2 threads
    python benchmarks/kan_layer.py --quick    # the big case only, 1 thread
    python benchmarks/kan_layer.py --threads 1  # every case, 1 thread only
    python benchmarks/kan_layer.py --network  # one training evaluation of a [2,5,1] on an adapted grid, and its floor
    python benchmarks/kan_layer.py --memory   # peak memory of the 4096x256->256 step, ours and the floor's

For each (batch, in → out) at G = 5 and G = 50, k = 3, it times forward and forward+backward and records the
peak memory the step allocates, for:
- kan_edu's KANLayer, with gradients for its weights (``kan_edu``, comparable with the floor) and also for
  its input (``kan+dx``, as a layer inside a network needs);
- the matmul floor: an nn.Linear with the same number of parameters applied to an already expanded basis
  (what any spline layer must at least do); for ``--memory`` the floor's step also allocates that expanded
  input, as the KAN's step allocates its basis (measured before the step, the floor would leave out the one
  buffer both must hold: 12 MB against 47 MB at 4096x256->256, G = 5);
- pykan's KANLayer, when pykan is importable (an optional extra: ``pip install pykan``).
Ratios are printed against the floor. Timings are the median of several repeats, after a warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from kan_edu.kan import KANLayer

CASES = [(1024, 2, 5), (1024, 64, 64), (4096, 256, 256)]


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mb(fn):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn()
    return max(0.0, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)


def bench(batch, n_in, n_out, grid, repeats):
    torch.manual_seed(0)
    x = torch.rand(batch, n_in) * 2 - 1
    layer = KANLayer(n_in, n_out, grid=grid, k=3)
    xg = x.clone().requires_grad_(True)
    rows = {}

    def kan_fwd():
        with torch.no_grad():
            layer(x)

    def kan_fb():
        layer.zero_grad(set_to_none=True)
        layer(xg).sum().backward()

    def kan_fb_weights():  # gradients for the weights only, as the floor computes
        layer.zero_grad(set_to_none=True)
        layer(x).sum().backward()

    rows["kan_edu"] = (timed(kan_fwd, repeats), timed(kan_fb_weights, repeats))
    rows["kan+dx"] = (rows["kan_edu"][0], timed(kan_fb, repeats))  # also the input gradient, as inside a network
    expanded = torch.rand(batch, n_in * (grid + 3 + 1))
    floor = torch.nn.Linear(n_in * (grid + 3 + 1), n_out, bias=False)

    def floor_fwd():
        with torch.no_grad():
            floor(expanded)

    def floor_fb():
        floor.zero_grad(set_to_none=True)
        floor(expanded).sum().backward()

    rows["floor"] = (timed(floor_fwd, repeats), timed(floor_fb, repeats))
    try:
        from kan.KANLayer import KANLayer as PyKANLayer  # pykan, optional

        ref = PyKANLayer(n_in, n_out, num=grid, k=3)

        def py_fwd():
            with torch.no_grad():
                ref(x)

        def py_fb():
            ref.zero_grad(set_to_none=True)
            ref(xg)[0].sum().backward()

        rows["pykan"] = (timed(py_fwd, max(1, repeats // 3)), timed(py_fb, max(1, repeats // 3)))
    except ImportError:
        pass
    return rows


_MEMORY_CHILD = """
import resource, sys, torch
torch.set_num_threads(1)
from kan_edu.kan import KANLayer
impl, batch, n_in, n_out, grid = sys.argv[1], *map(int, sys.argv[2:])
x = torch.rand(batch, n_in) * 2 - 1
if impl == "kan_edu":
    layer = KANLayer(n_in, n_out, grid=grid, k=3)
    step = lambda: layer(x).sum().backward()
else:  # the floor builds its expanded input inside the step, as any spline layer must build its basis
    floor = torch.nn.Linear(n_in * (grid + 3 + 1), n_out, bias=False)
    step = lambda: floor(torch.rand(batch, n_in * (grid + 3 + 1))).sum().backward()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


def peak_memory(batch=4096, n_in=256, n_out=256, grid=5):
    """Peak memory (MB) one forward+backward step adds, each measured in a fresh process (ru_maxrss only
    grows, so a process can measure one peak)."""
    import subprocess
    import sys

    out = {}
    for impl in ("kan_edu", "floor"):
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, impl, str(batch), str(n_in), str(n_out), str(grid)],
            capture_output=True,
            text=True,
            check=True,
        )
        out[impl] = float(result.stdout.strip())
    return out


def network_evaluation(repeats=7, calls=50):
    """ms per training evaluation (loss, forward and backward) of a [2,5,1] on 1000 points, adapted grid, and
    two reference points for it (lists of ``repeats`` timings each):

    - ``floor``: the same evaluation with every layer's feature buffer replaced by a fixed one, carried to the
      layer's input by one multiplication (so the backward still reaches the first layer): the weight assembly,
      matmuls, b(x), loss and backward that any implementation of this layer design still does, with no
      spline work at all;
    - ``search``: the two interval searches (``torch.searchsorted``) that any evaluation on adapted knots needs.
    """
    from kan_edu.data import make_function_dataset
    from kan_edu.kan import KAN

    ds = make_function_dataset(
        lambda x: torch.exp(torch.sin(torch.pi * x[:, [0]]) + x[:, [1]] ** 2), 2, dtype=torch.float64
    )
    model = KAN([2, 5, 1], grid=5, seed=0, dtype=torch.float64)
    model.update_grid(ds["train_input"])  # quantile grids: the general path, as in every chapter's training
    x, y = ds["train_input"], ds["train_label"]
    inputs = [h.detach() for h in model.layer_inputs(x)]
    fixed = [layer._features(h).detach() for layer, h in zip(model.layers, inputs)]

    def evaluation():
        model.zero_grad(set_to_none=True)
        torch.mean((model(x) - y) ** 2).backward()

    def floor():
        model.zero_grad(set_to_none=True)
        h = x
        for layer, buffer in zip(model.layers, fixed):
            h = layer._combine(buffer * h.unsqueeze(-1))
        torch.mean((h - y) ** 2).backward()

    def search():
        for layer, h in zip(model.layers, inputs):
            torch.searchsorted(layer.knots, h.t().contiguous(), right=True)

    return {
        name: [1e3 * timed(lambda: [fn() for _ in range(calls)], 1) / calls for _ in range(repeats)]
        for name, fn in (("evaluation", evaluation), ("floor", floor), ("search", search))
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--network", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--threads", type=int, nargs="+", help="thread counts to time (default: 1 and 2)")
    args = parser.parse_args()
    if args.network:
        torch.set_num_threads(1)
        ms = network_evaluation()
        label = {"evaluation": "per evaluation", "floor": "floor (no spline work)", "search": "interval searches"}
        print("[2,5,1], 1000 points, adapted grid, forward and backward:")
        for name, times in ms.items():
            print(
                f"  {label[name]:>24}: {statistics.median(times):.2f} ms "
                f"(median of {len(times)}; all: {' '.join(f'{t:.2f}' for t in times)})"
            )
        return
    if args.memory:
        mb = peak_memory()
        print(
            f"4096x256->256, G=5, fwd+bwd peak: kan_edu {mb['kan_edu']:.0f} MB, floor {mb['floor']:.0f} MB "
            f"({mb['kan_edu'] / mb['floor']:.2f}x)"
        )
        return
    cases = [(4096, 256, 256)] if args.quick else CASES
    threads = args.threads or ([1] if args.quick else [1, 2])
    print(f"{'threads':>7} {'case':>18} {'G':>3} {'impl':>8} {'fwd s':>9} {'fwd+bwd s':>10} {'x floor':>8}")
    for n_threads in threads:
        torch.set_num_threads(n_threads)
        for batch, n_in, n_out in cases:
            for grid in (5, 50):
                repeats = 3 if batch * n_in * grid > 1e7 else 10
                rows = bench(batch, n_in, n_out, grid, repeats)
                floor_fb = rows["floor"][1]
                for impl, (fwd, fb) in rows.items():
                    print(
                        f"{n_threads:7d} {f'{batch} {n_in}->{n_out}':>18} {grid:3d} {impl:>8} {fwd:9.4f} "
                        f"{fb:10.4f} {fb / floor_fb:8.2f}"
                    )
                if "pykan" in rows:  # both compute the input gradient: the fair comparison
                    print(f"{'':>30} pykan / kan+dx, fwd+bwd: {rows['pykan'][1] / rows['kan+dx'][1]:.1f}x")


if __name__ == "__main__":
    main()
