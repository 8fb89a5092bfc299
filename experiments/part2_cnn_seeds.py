"""experiments/part2_cnn_seeds.py: chapter 10's MNIST-1D comparison from every seed (results for section 10.6).

    python experiments/part2_cnn_seeds.py [--jobs N]   # about 1.5 CPU minutes; writes kan_edu/data_files/part2_cnn_seeds.json

Three models get the same optimiser (SGD with momentum 0.9, learning rate 0.05, batches of 100), the same 20
epochs and the same data (kan_edu.data.mnist1d_data(): 4000 training and 1000 test signals): the CNN
kan_edu.nn.mnist1d_cnn, an MLP [40, 100, 100, 10], and the CNN on signals whose 40 positions are shuffled by one
fixed permutation (torch.randperm(40) from a generator seeded with 0). The seed sets the initial weights and the
order of the batches. For seeds 0 to 3 the file keeps every run's per-epoch history: training and test loss and
accuracy. Chapter 10 trains seed 0 itself, prints it beside the file's, and takes seeds 1 to 3 from here; a test
reruns one run of seed 0. Each run is seeded on its own, so the file does not depend on N.
"""

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from _pool import pooled

from kan_edu import data, nn, train

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part2_cnn_seeds.json"
SETUPS = ("CNN", "MLP", "CNN, permuted inputs")
SEEDS = (0, 1, 2, 3)
RECIPE = {"lr": 0.05, "momentum": 0.9, "batch_size": 100, "epochs": 20, "permutation_seed": 0}


def run(setup: str, seed: int) -> dict:
    """One model trained from ``seed``, as chapter 10 trains it: its history, one list per quantity."""
    torch.set_num_threads(1)
    mnist = data.mnist1d_data()
    x_train, x_test = mnist["train_input"], mnist["test_input"]
    if setup == "CNN, permuted inputs":
        perm = torch.randperm(40, generator=torch.Generator().manual_seed(RECIPE["permutation_seed"]))
        x_train, x_test = x_train[:, perm], x_test[:, perm]
    model = nn.mlp([40, 100, 100, 10], seed=seed) if setup == "MLP" else nn.mnist1d_cnn(seed=seed)
    sgd = torch.optim.SGD(model.parameters(), lr=RECIPE["lr"], momentum=RECIPE["momentum"])
    history = train.fit(model, F.cross_entropy, x_train, mnist["train_label"], epochs=RECIPE["epochs"],
                        batch_size=RECIPE["batch_size"], optimizer=sgd, seed=seed, metric=train.accuracy,
                        x_test=x_test, y_test=mnist["test_label"])  # fmt: skip
    return {key: values.tolist() for key, values in history.items()}


def _job(args):
    return args, run(*args)


def main():
    todo = [(setup, seed) for seed in SEEDS for setup in SETUPS]
    runs, jobs, seconds = pooled(_job, todo, __doc__)
    done = dict(runs)
    results = {"recipe": RECIPE, "seeds": list(SEEDS), "runs": {s: [done[(s, seed)] for seed in SEEDS] for s in SETUPS}}
    for setup in SETUPS:
        print(f"{setup:22s} final test accuracy", [f"{h['test_metric'][-1]:.1%}" for h in results["runs"][setup]])
    OUT.write_text(json.dumps(results) + "\n")
    print(f"wrote {OUT} in {seconds:.0f} s with {jobs} workers")


if __name__ == "__main__":
    main()
