"""experiments/part3_vae_beta_seeds.py: how often chapter 17's β-VAEs collapse a latent dimension, over seeds.

    python experiments/part3_vae_beta_seeds.py [--jobs N]   # about a minute of CPU; writes kan_edu/data_files/part3_vae_beta_seeds.json

Chapter 17 (section 17.5) trains three VAEs with a 2-D latent space on scikit-learn's 8×8 digits (1,500 to train,
the rest to test, in an order drawn with numpy seed 0), β = 1, 4 and 16 on the KL term, with kan_edu.vae.fit_vae
(40 epochs, 64 hidden units, batches of 128, learning rate 3e-3, decoder standard deviation 0.2) from seed 0.
This script trains the same three from the seeds 0 to 9 and keeps, per seed and β, the test ELBO (β = 1 in the
bound, as the chapter reports it) and the KL of each latent dimension on the test digits. Each run is seeded on
its own, so the file does not depend on N.
"""

import json
from pathlib import Path

import numpy as np
import torch
from _pool import pooled

from kan_edu import data, vae

OUT = Path(__file__).resolve().parents[1] / "kan_edu" / "data_files" / "part3_vae_beta_seeds.json"
SEEDS = tuple(range(10))
BETAS = (1, 4, 16)
RECIPE = {"n_train": 1500, "split_seed": 0, "epochs": 40, "hidden": 64, "batch_size": 128, "lr": 3e-3,
          "decoder_std": 0.2, "betas": list(BETAS)}  # fmt: skip


def digit_split():
    """The chapter's training and test digits (float32 tensors of 64 pixels)."""
    pixels, _ = data.digits()
    order = np.random.default_rng(RECIPE["split_seed"]).permutation(len(pixels))
    train, test = order[: RECIPE["n_train"]], order[RECIPE["n_train"] :]
    return torch.tensor(pixels[train], dtype=torch.float32), torch.tensor(pixels[test], dtype=torch.float32)


def run(job: tuple[int, int]) -> dict:
    """The chapter's VAE for (seed, β): its test ELBO and the KL of each latent dimension."""
    seed, beta = job
    torch.set_num_threads(1)
    x_train, x_test = digit_split()
    options = {key: RECIPE[key] for key in ("epochs", "hidden", "batch_size", "lr", "decoder_std")}
    model, _ = vae.fit_vae(x_train, beta=beta, seed=seed, **options)
    with torch.no_grad():
        elbo = model.elbo(x_test, beta=1.0).mean().item()
        kl = model.kl_per_dimension(x_test).tolist()
    return {"seed": seed, "beta": beta, "test_elbo": elbo, "kl_per_dimension": kl}


def main():
    runs, jobs, seconds = pooled(run, [(seed, beta) for seed in SEEDS for beta in BETAS], __doc__)
    for r in runs:
        print(
            f"seed {r['seed']} beta {r['beta']:2d}: ELBO {r['test_elbo']:6.1f}, KL {np.round(r['kl_per_dimension'], 3)}"
        )
    OUT.write_text(json.dumps({"recipe": RECIPE, "runs": runs}, indent=1) + "\n")
    print(f"wrote {OUT} in {seconds:.0f} s with {jobs} workers")


if __name__ == "__main__":
    main()
