"""kan_edu.gan: generative adversarial networks on toys small enough to see everything (UDL chapter 15).

- The losses: :func:`discriminator_loss` (binary cross-entropy on logits, stable for any logit) and
  :func:`generator_loss` (the minimax, non-saturating or Wasserstein form).
- The 1-D toy of UDL figure 15.1: a generator ``x = z + theta`` and a logistic discriminator
  ``D(x) = sigmoid(phi0 + phi1 x)``, whose gradients are short closed forms (:func:`toy_gradients`), trained
  by alternating gradient steps (:func:`train_toy`).
- The theory: :func:`optimal_discriminator` ``p / (p + q)``, and the Wasserstein distance between two
  histograms as the linear program of optimal transport (:func:`wasserstein_lp`), whose dual variables are
  the best 1-Lipschitz critic.
- A 2-D GAN on the ring of 8 Gaussians (:func:`train_gan_2d`), trained once with snapshots of its samples and
  of its discriminator, and the seed sweep of how often it finds every mode (:func:`ring_sweep`, shipped as
  ``kan_edu/data_files/part3_gan_seeds.json`` by ``experiments/part3_gan_seeds.py``).

The divergences and measures (Jensen-Shannon, 1-D Wasserstein by sorting, mode coverage) come from
:mod:`kan_edu.generative`.
"""

from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import torch
from scipy.optimize import linprog

from . import _validate as v
from .generative import mode_coverage, ring
from .nn import mlp
from .train import steps as train_steps

__all__ = [
    "LOSSES",
    "discriminator_loss",
    "generator_loss",
    "optimal_discriminator",
    "toy_gradients",
    "train_toy",
    "wasserstein_lp",
    "train_gan_2d",
    "ring_sweep",
    "RING_SWEEP",
    "ring_sweep_results",
]

#: The generator losses :func:`generator_loss` and :func:`train_gan_2d` know.
LOSSES = ("non-saturating", "minimax", "wasserstein")


# ------------------------------------------------------------------------------------------------ losses
def _logits(name, x):
    if isinstance(x, torch.Tensor):
        return v.tensor(name, x, floating=True, empty=False, values=True)
    return v.array(name, x, empty=False)


def _softplus(t):
    """log(1 + e^t), exact for any t (no overflow at +50, no loss of precision at -50)."""
    if isinstance(t, torch.Tensor):
        return torch.nn.functional.softplus(t)
    return np.logaddexp(0.0, t)


def _mean(t):
    return t.mean() if isinstance(t, torch.Tensor) else float(np.mean(t))


def discriminator_loss(logit_real, logit_fake):
    """The discriminator's binary cross-entropy, from logits: ``-mean log D(x_real) - mean log(1 - D(x_fake))``
    with ``D = sigmoid(logit)``. Written with softplus (``-log sigmoid(a) = softplus(-a)``), so that it stays
    finite and exact at logits of +-50 and beyond. numpy in, float out; torch in, a 0-d tensor out."""
    real, fake = _logits("logit_real", logit_real), _logits("logit_fake", logit_fake)
    if isinstance(real, torch.Tensor) != isinstance(fake, torch.Tensor):
        raise TypeError("logit_real and logit_fake must both be numpy arrays or both torch tensors")
    return _discriminator_loss(real, fake)


def _discriminator_loss(real, fake):
    return _mean(_softplus(-real)) + _mean(_softplus(fake))


def generator_loss(logit_fake, loss: str = "non-saturating"):
    """What the generator minimises, from the discriminator's logits on its samples.

    ``"minimax"``: ``mean log(1 - D)``, the game's own objective (it saturates when D rejects the samples);
    ``"non-saturating"``: ``-mean log D``; ``"wasserstein"``: ``-mean critic``, the logits read as critic values.
    """
    return _generator_loss(_logits("logit_fake", logit_fake), v.choice("loss", loss, LOSSES))


def _generator_loss(fake, loss):
    if loss == "minimax":
        return -_mean(_softplus(fake))
    if loss == "non-saturating":
        return _mean(_softplus(-fake))
    return -_mean(fake)


def optimal_discriminator(p_real, p_fake):
    """The best discriminator for fixed densities, ``D*(x) = p_real(x) / (p_real(x) + p_fake(x))``, pointwise
    from arrays of density values (same shape); 1/2 where both densities are zero (any value is optimal there)."""
    p = v.array("p_real", p_real, low=0)
    q = v.array("p_fake", p_fake, shape=p.shape, like="p_real", low=0)
    total = p + q
    out = np.full(p.shape, 0.5)
    np.divide(p, total, out=out, where=total > 0)
    return out


# ------------------------------------------------------------------------------------------- the 1-D toy
def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # = 1 / (1 + e^-a), without overflow


def toy_gradients(theta, phi, x_real, z, loss: str = "non-saturating") -> dict:
    """Closed-form gradients of the 1-D toy GAN (UDL figure 15.1).

    Generator ``x = z + theta``; discriminator ``D(x) = sigmoid(phi[0] + phi[1] x)``. Returns ``{"phi": (2,)
    gradient of discriminator_loss, "theta": gradient of generator_loss (loss), "d_loss", "g_loss"}``. With
    ``a = phi0 + phi1 x``: ``dL_D/dphi = -mean (1 - D(x_r)) (1, x_r) + mean D(x_f) (1, x_f)``, and
    ``dL_G/dtheta = -phi1 mean (1 - D(x_f))`` (non-saturating) or ``-phi1 mean D(x_f)`` (minimax).
    """
    theta = v.number("theta", theta)
    phi = v.array("phi", phi, 1, shape=(2,))
    x_real = v.array("x_real", x_real, 1, empty=False)
    z = v.array("z", z, 1, empty=False)
    loss = v.choice("loss", loss, LOSSES[:2])
    return _toy_gradients(theta, phi, x_real, z, loss)


def _toy_gradients(theta, phi, x_real, z, loss):
    x_fake = z + theta
    a_real, a_fake = phi[0] + phi[1] * x_real, phi[0] + phi[1] * x_fake
    d_real, d_fake = _sigmoid(a_real), _sigmoid(a_fake)
    grad_phi = np.array(
        [np.mean(d_fake) - np.mean(1 - d_real), np.mean(d_fake * x_fake) - np.mean((1 - d_real) * x_real)]
    )
    weight = 1 - d_fake if loss == "non-saturating" else d_fake
    return {
        "phi": grad_phi,
        "theta": float(-phi[1] * np.mean(weight)),
        "d_loss": discriminator_loss(a_real, a_fake),
        "g_loss": generator_loss(a_fake, loss),
    }


def train_toy(
    rounds: int = 20,
    d_steps: int = 5,
    g_steps: int = 1,
    *,
    theta: float = 3.0,
    phi=(-2.0, 1.0),
    lr_d: float = 0.1,
    lr_g: float = 0.5,
    loss: str = "non-saturating",
    n: int = 20,
    real_mean: float = 7.5,
    seed: int = 0,
) -> dict:
    """Train the 1-D toy GAN by alternating plain gradient steps on one fixed batch.

    ``n`` real samples ``N(real_mean, 1)`` and ``n`` latent draws ``z ~ N(0, 1)`` come from ``seed``. Each round
    takes ``d_steps`` discriminator steps (learning rate ``lr_d``) and then ``g_steps`` generator steps
    (``lr_g``). Returns ``theta`` (rounds + 1,), ``phi`` (rounds + 1, 2) and the losses ``d_loss``, ``g_loss``
    (rounds + 1,) at the start and after each round, and the data ``x_real`` and ``z``.
    """
    rounds = v.size("rounds", rounds, minimum=0, maximum=100_000)
    d_steps = v.size("d_steps", d_steps, minimum=0, maximum=100_000)
    g_steps = v.size("g_steps", g_steps, minimum=0, maximum=100_000)
    v.total_size("rounds * (d_steps + g_steps)", rounds * (d_steps + g_steps), "steps")
    theta = v.number("theta", theta, -1e6, 1e6)
    phi = v.array("phi", phi, 1, shape=(2,), low=-1e6, high=1e6)
    lr_d = v.number("lr_d", lr_d, 0, v.MAX_LR)
    lr_g = v.number("lr_g", lr_g, 0, v.MAX_LR)
    loss = v.choice("loss", loss, LOSSES[:2])
    n = v.size("n", n, maximum=1_000_000)
    real_mean = v.number("real_mean", real_mean, -1e6, 1e6)
    rng = np.random.default_rng(v.random_seed("seed", seed))
    x_real = real_mean + rng.standard_normal(n)
    z = rng.standard_normal(n)
    thetas, phis, d_losses, g_losses = [theta], [phi.copy()], [], []

    def losses():
        g = _toy_gradients(theta, phi, x_real, z, loss)
        d_losses.append(g["d_loss"])
        g_losses.append(g["g_loss"])

    losses()
    for _ in range(rounds):
        for _ in range(d_steps):
            phi = phi - lr_d * _toy_gradients(theta, phi, x_real, z, loss)["phi"]
        for _ in range(g_steps):
            theta = theta - lr_g * _toy_gradients(theta, phi, x_real, z, loss)["theta"]
        thetas.append(theta)
        phis.append(phi.copy())
        losses()
    return {
        "theta": np.array(thetas),
        "phi": np.array(phis),
        "d_loss": np.array(d_losses),
        "g_loss": np.array(g_losses),
        "x_real": x_real,
        "z": z,
    }


# ------------------------------------------------------------------------------------- optimal transport
def wasserstein_lp(p, q, positions=None) -> dict:
    """The Wasserstein-1 distance between two histograms, solved as the linear program of optimal transport.

    ``p`` and ``q`` (n,) are masses on the same ``positions`` ((n,) or (n, d); default 0, 1, ..., n-1),
    normalised here. The LP: minimise ``sum_ij P_ij |x_i - x_j|`` over plans ``P >= 0`` whose rows sum to p and
    columns to q (scipy's ``linprog``, HiGHS). Returns ``{"distance", "plan" (n, n), "critic" (n,)}``; the
    critic is the LP's dual solution, a function f with ``|f(x_i) - f(x_j)| <= |x_i - x_j|`` and
    ``distance = sum_i f_i (p_i - q_i)`` (Kantorovich-Rubinstein), shifted to mean zero.
    """
    p = v.array("p", p, 1, empty=False, low=0)
    q = v.array("q", q, 1, shape=p.shape, like="p", low=0)
    for name, a in (("p", p), ("q", q)):
        if a.sum() <= 0:
            raise ValueError(f"{name} must have a positive total, got all zeros")
    n = len(p)
    v.total_size("len(p) ** 2", n * n, "plan entries")
    if n > 400:
        raise ValueError(f"p has {n} bins; the LP has n^2 unknowns, so at most 400 bins are allowed")
    if positions is None:
        x = np.arange(n, dtype=float)[:, None]
    else:
        x = v.array("positions", positions, (1, 2))
        x = x[:, None] if x.ndim == 1 else x
        if len(x) != n:
            raise ValueError(f"positions must hold one position per bin ({n}), got {len(x)}")
    p, q = p / p.sum(), q / q.sum()
    cost = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2)
    # equality constraints on the flattened plan (row-major): row sums = p, column sums = q
    rows = np.kron(np.eye(n), np.ones((1, n)))
    cols = np.kron(np.ones((1, n)), np.eye(n))
    a_eq, b_eq = np.vstack([rows, cols])[:-1], np.concatenate([p, q])[:-1]  # one constraint is redundant
    res = linprog(cost.ravel(), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:  # pragma: no cover - the transport LP is always feasible and bounded
        raise RuntimeError(f"linprog failed: {res.message}")
    plan = res.x.reshape(n, n)
    # duals u (rows) and w (columns) satisfy u_i + w_j <= cost_ij; the c-transform min_j (cost_kj - w_j) is
    # 1-Lipschitz (a minimum of 1-Lipschitz functions) and attains the LP's optimum (Kantorovich-Rubinstein)
    w = np.concatenate([res.eqlin.marginals[n:], [0.0]])
    critic = np.min(cost - w[None, :], axis=1)
    critic -= critic.mean()
    return {"distance": float(np.sum(plan * cost)), "plan": plan, "critic": critic}


# ----------------------------------------------------------------------------------------- the 2-D GAN
def _sample_pool(target, n, seed):
    return torch.as_tensor(target.sample(n, seed=seed), dtype=torch.float32)


def train_gan_2d(
    loss: str = "non-saturating",
    steps: int = 1500,
    snapshot_every: int = 100,
    seed: int = 0,
    *,
    width: int = 64,
    latent: int = 2,
    batch: int = 256,
    lr: float = 1e-3,
    n_show: int = 500,
    grid: int = 48,
    extent=(-3.0, 3.0, -3.0, 3.0),
    radius: float = 2.0,
    std: float = 0.05,
) -> dict:
    """Train a GAN on the ring of 8 Gaussians (:func:`kan_edu.generative.ring`) and keep snapshots.

    Generator and discriminator are MLPs ``[latent, width, width, 2]`` and ``[2, width, width, 1]`` (ReLU,
    :func:`kan_edu.nn.mlp`), both trained with Adam (``lr``, betas (0.5, 0.999)), one discriminator step and one
    generator step per iteration on fresh batches. ``loss`` is the generator's loss (:func:`generator_loss`);
    the discriminator always minimises :func:`discriminator_loss`. Everything is seeded by ``seed``.

    Every ``snapshot_every`` steps (and before the first and after the last) it keeps ``n_show`` samples from a
    fixed latent batch, the discriminator's probability ``D(x)`` on a ``grid`` x ``grid`` grid over ``extent``
    (rows = y, for an image with origin "lower"), and the number of modes covered (a mode counts when at least
    1% of the samples lie within 3 standard deviations of it). Returns the per-step ``d_loss`` and
    ``g_loss``, the snapshots ``samples`` (S, n_show, 2), ``disc`` (S, grid, grid), ``modes`` (S,), ``on_mode``
    (S,) and their ``snapshot_steps`` (S,), the ring's ``means`` and ``real`` samples, and ``extent``.
    """
    loss = v.choice("loss", loss, LOSSES[:2])
    steps = v.size("steps", steps, maximum=1_000_000)
    snapshot_every = v.size("snapshot_every", snapshot_every)
    seed = v.random_seed("seed", seed, sequences=False)
    width = v.size("width", width, maximum=4096)
    latent = v.size("latent", latent, maximum=4096)
    batch = v.size("batch", batch, maximum=100_000)
    v.total_size("steps * batch", steps * batch, "samples")
    lr = v.number("lr", lr, 0, 1, low_open=True)
    n_show = v.size("n_show", n_show, minimum=100, maximum=100_000)
    grid = v.size("grid", grid, minimum=2, maximum=512)
    extent = v.array("extent", extent, 1, shape=(4,))
    v.ordered("extent[0]", extent[0], "extent[1]", extent[1])
    v.ordered("extent[2]", extent[2], "extent[3]", extent[3])
    target = ring(
        8, radius=v.number("radius", radius, 0, 1e3, low_open=True), std=v.number("std", std, 0, 1e3, low_open=True)
    )

    g_net = mlp([latent, width, width, 2], "relu", seed=seed)
    d_net = mlp([2, width, width, 1], "relu", seed=seed + 1)
    # foreach=True: the same updates, bit for bit, in a few batched calls instead of a loop over the tensors
    opt_g = torch.optim.Adam(g_net.parameters(), lr=lr, betas=(0.5, 0.999), foreach=True)
    opt_d = torch.optim.Adam(d_net.parameters(), lr=lr, betas=(0.5, 0.999), foreach=True)
    gen = torch.Generator().manual_seed(seed)
    pool = _sample_pool(target, min(steps * batch, 200_000), seed)
    z_show = torch.randn(n_show, latent, generator=torch.Generator().manual_seed(seed + 2))
    xs, ys = np.linspace(extent[0], extent[1], grid), np.linspace(extent[2], extent[3], grid)
    gx, gy = np.meshgrid(xs, ys)
    grid_points = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)

    def step(i):
        real = pool[torch.randint(len(pool), (batch,), generator=gen)]
        z = torch.randn(batch, latent, generator=gen)
        with torch.no_grad():  # the discriminator's step needs no gradient through the generator
            fake = g_net(z)
        d_loss = _discriminator_loss(d_net(real), d_net(fake))  # (the checked losses' insides: no NaN check a step)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        d_net.requires_grad_(False)  # the generator's step: gradients through D to the samples, not for D's weights
        g_loss = _generator_loss(d_net(g_net(torch.randn(batch, latent, generator=gen))), loss)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        d_net.requires_grad_(True)
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}

    @torch.no_grad()
    def record(i):
        samples = g_net(z_show).numpy().astype(np.float64)
        disc = torch.sigmoid(d_net(grid_points)).numpy().reshape(grid, grid)
        modes, on_mode = mode_coverage(samples, target.means, 3 * target.stds.max(), max(1, n_show // 100))
        return samples, disc, modes, on_mode

    out = train_steps(step, steps, record=record, every=snapshot_every, seed=seed)
    samples, disc, modes, on_mode = zip(*out["recorded"])
    return {
        "loss": loss,
        "d_loss": out["d_loss"],
        "g_loss": out["g_loss"],
        "samples": np.array(samples),
        "disc": np.array(disc),
        "modes": np.array(modes),
        "on_mode": np.array(on_mode),
        "snapshot_steps": out["recorded_steps"],
        "means": target.means.copy(),
        "real": target.sample(n_show, seed=seed + 3),
        "extent": tuple(float(e) for e in extent),
    }


# ----------------------------------------------------------------------------------- the shipped sweep
#: The seed sweep that ships with the book (``experiments/part3_gan_seeds.py``): the chapter's 2-D GAN,
#: trained with each loss for the chapter's number of steps from ten seeds; the modes found at the end.
RING_SWEEP = {"losses": ("non-saturating", "minimax"), "steps": 1500, "seeds": tuple(range(10))}
_RING_SWEEP_FILE = "data_files/part3_gan_seeds.json"


def ring_sweep(losses=RING_SWEEP["losses"], steps: int = RING_SWEEP["steps"], seeds=RING_SWEEP["seeds"]) -> dict:
    """Train :func:`train_gan_2d` for every loss and seed; JSON-ready ``{"setup", loss: {"modes", "on_mode"}}``,
    each a list over the seeds of the final number of modes covered and the fraction of samples on a mode."""
    losses = [v.choice("losses[]", x, LOSSES[:2]) for x in v.sequence("losses", losses, 1, "loss names")]
    steps = v.size("steps", steps, maximum=1_000_000)
    seeds = [v.random_seed("seeds[]", s, sequences=False) for s in v.sequence("seeds", seeds, 1, "seeds")]
    out = {"setup": {"losses": list(losses), "steps": steps, "seeds": list(seeds)}}
    for name in losses:
        runs = [train_gan_2d(name, steps, steps, seed) for seed in seeds]
        out[name] = {"modes": [int(r["modes"][-1]) for r in runs], "on_mode": [float(r["on_mode"][-1]) for r in runs]}
    return out


def ring_sweep_results() -> dict:
    """The shipped seed sweep (see :data:`RING_SWEEP` and :func:`ring_sweep`)."""
    return json.loads(files("kan_edu").joinpath(_RING_SWEEP_FILE).read_text(encoding="utf-8"))
