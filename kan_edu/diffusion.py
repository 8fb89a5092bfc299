"""kan_edu.diffusion: denoising diffusion models on small data, with the exact answer alongside (UDL chapter 18).

The *forward process* adds a little Gaussian noise at each of T steps,
``z_t = sqrt(1 - beta_t) z_(t-1) + sqrt(beta_t) eps_t`` with ``z_0 = x``. Everything the chapter needs follows
from two closed forms, written with ``alpha_bar_t = prod_(s=1..t) (1 - beta_s)`` (and ``alpha_bar_0 = 1``):

* the **diffusion kernel** ``q(z_t | x) = N(sqrt(alpha_bar_t) x, (1 - alpha_bar_t) I)``
  (:func:`diffusion_kernel`, sampled by :func:`diffuse`);
* the **posterior** ``q(z_(t-1) | z_t, x)``, a Gaussian whose variance does not depend on x or z_t
  (:func:`posterior_q`).

A network ``eps_hat = g(z_t, t, label)`` (:class:`EpsMLP`) learns to predict the noise that was added; it is
trained by :func:`fit_denoiser` with label dropout (a null label), so one network serves unconditional and
conditional sampling. Two samplers run the process backwards: :func:`sample_ddpm` (ancestral, stochastic) and
:func:`sample_ddim` (deterministic when ``eta = 0``, on any subsequence of the steps, built from
:func:`ddim_step`), both with classifier-free guidance ``(1 + w) eps(z, label) - w eps(z, null)``.

For mixture data (``kan_edu.generative.GaussianMixture``) the marginal of z_t is again a mixture, so the best
possible noise prediction ``E[eps | z_t] = -sqrt(1 - alpha_bar_t) grad log q_t(z_t)`` is known in closed form:
:func:`exact_denoiser` wraps it with the same interface as a trained network, and every sampler can run on it.
:func:`denoising_loss` measures any denoiser on fresh draws; the exact one sets the floor that no network can
beat.

Steps t are counted from 1 to T; ``betas[t - 1]`` is beta_t. The closed forms take numpy arrays or torch tensors
and return the same kind; the samplers work in numpy (float64) and call the network under ``torch.no_grad``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import _validate as v
from .train import steps as train_steps

__all__ = [
    "schedule",
    "alpha_bars",
    "diffusion_kernel",
    "diffuse",
    "posterior_q",
    "ddim_step",
    "EpsMLP",
    "fit_denoiser",
    "exact_denoiser",
    "ExactDenoiser",
    "model_denoiser",
    "denoising_loss",
    "sample_ddpm",
    "sample_ddim",
]

SCHEDULES = ("linear", "cosine")
#: The most steps a schedule may have (a typo, not an experiment, beyond this).
MAX_STEPS = 100_000


# --------------------------------------------------------------------------------------------- schedules
def schedule(kind: str = "linear", T: int = 100, beta_min: float | None = None, beta_max: float | None = None):
    """The noise schedule beta_1..beta_T as a numpy array (T,).

    ``"linear"``: betas evenly spaced from ``beta_min`` to ``beta_max``; the defaults ``0.1 / T`` and ``20 / T``
    (at most 0.5) are Ho et al.'s 1e-4 and 0.02 at T = 1000, rescaled so that every T ends as close to pure noise.
    ``"cosine"`` (Nichol and Dhariwal): ``alpha_bar_t = f(t) / f(0)`` with ``f(t) = cos^2((t/T + 0.008)/1.008 pi/2)``,
    so alpha_bar falls slowly at both ends; betas are capped at 0.999.
    """
    kind = v.choice("kind", kind, SCHEDULES)
    T = v.size("T", T, maximum=MAX_STEPS)
    if kind == "cosine":
        if beta_min is not None or beta_max is not None:
            raise ValueError("beta_min and beta_max set the linear schedule; the cosine schedule takes neither")
        s = 0.008
        f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
        return np.clip(1 - f[1:] / f[:-1], 1e-8, 0.999)
    lo = v.number("beta_min", 0.1 / T if beta_min is None else beta_min, 0, 1, low_open=True, high_open=True)
    hi = v.number("beta_max", min(20.0 / T, 0.5) if beta_max is None else beta_max, 0, 1, low_open=True, high_open=True)
    v.ordered("beta_min", lo, "beta_max", hi)
    return np.linspace(lo, hi, T) if T > 1 else np.array([hi])


def _betas(betas) -> np.ndarray:
    b = v.array("betas", betas, 1, empty=False, low=0, high=1, low_open=True)
    if np.any(b >= 1):
        raise ValueError("betas must hold numbers in (0, 1): a beta of 1 erases the signal in one step")
    if len(b) > MAX_STEPS:
        raise ValueError(f"betas must have at most {MAX_STEPS} steps, got {len(b)}")
    return b


def _alpha_bars(b: np.ndarray) -> np.ndarray:
    return np.concatenate([[1.0], np.cumprod(1 - b)])


def alpha_bars(betas) -> np.ndarray:
    """``alpha_bar_t = prod_(s<=t) (1 - beta_s)`` for t = 0..T, shape (T + 1,); entry 0 is 1 (no noise yet)."""
    return _alpha_bars(_betas(betas))


# ------------------------------------------------------------------------------------------ closed forms
def _is_torch(x) -> bool:
    return isinstance(x, torch.Tensor)


def _step(name: str, t, T: int, low: int = 1, n: int | None = None):
    """An integer step in [low, T], or (when ``n`` is given) a 1-D array of n of them, as numpy ints."""
    if _is_torch(t) or isinstance(t, (np.ndarray, list, tuple)):
        a = v.array(name, t, (0, 1), empty=False, low=low, high=T, integral=True)
        if a.ndim == 1 and n is not None and len(a) != n:
            raise ValueError(f"{name} must be one step or one step per row of x ({n}), got {len(a)}")
        return a.astype(int)
    return np.asarray(v.size(name, t, minimum=low, maximum=T))


def _per_row(values: np.ndarray, like):
    """Step-wise numbers as a column that broadcasts against ``like`` (N, ...), in ``like``'s kind."""
    if values.ndim == 1:
        values = values.reshape((-1,) + (1,) * (len(like.shape) - 1))
    if _is_torch(like):
        return torch.as_tensor(values, dtype=like.dtype, device=like.device)
    return values


def _points(name: str, x, ndim=(1, 2)):
    if _is_torch(x):
        return v.tensor(name, x, ndim, floating=True, values=True, empty=False)
    return v.array(name, x, ndim, empty=False)


def diffusion_kernel(x, t, betas):
    """``(mean, std)`` of the diffusion kernel ``q(z_t | x) = N(sqrt(alpha_bar_t) x, (1 - alpha_bar_t) I)``.

    ``x`` is a number, (N,) or (N, d), numpy or torch; ``t`` a step from 1 to T, or one step per row of x;
    ``betas`` the schedule (T,). The mean has x's shape and kind; the std is a number (one step) or a column
    that broadcasts against x, in x's kind.
    """
    b = _betas(betas)
    x = _points("x", x, (0, 1, 2))
    t = _step("t", t, len(b), n=x.shape[0] if len(x.shape) else None)
    if t.ndim == 1 and len(x.shape) == 0:
        raise ValueError("t must be one step when x is a single number")
    ab = _alpha_bars(b)[t]
    mean = _per_row(np.sqrt(ab), x) * x
    std = _per_row(np.sqrt(1 - ab), x)
    if t.ndim == 0 and not _is_torch(x):
        std = float(std)
    return mean, std


def diffuse(x, t, betas, seed=0):
    """Draw ``z_t = sqrt(alpha_bar_t) x + sqrt(1 - alpha_bar_t) eps`` in one jump; returns ``(z_t, eps)``.

    Same arguments as :func:`diffusion_kernel`; the noise comes from ``seed`` (numpy's generator), as float64
    numpy arrays, or tensors of x's dtype when x is a tensor.
    """
    mean, std = diffusion_kernel(x, t, betas)
    rng = np.random.default_rng(v.random_seed("seed", seed))
    eps = rng.standard_normal(tuple(mean.shape))
    if _is_torch(mean):
        eps = torch.as_tensor(eps, dtype=mean.dtype, device=mean.device)
    return mean + std * eps, eps


def _matching(a_name: str, a, b_name: str, b):
    """Two arrays that go together (x and z_t, z_t and eps): checked, of one kind (numpy or torch) and one shape."""
    a = _points(a_name, a, (0, 1, 2))
    b = _points(b_name, b, (0, 1, 2))
    if _is_torch(a) != _is_torch(b):
        raise v.ArgumentTypeError(f"{b_name} must be the same kind as {a_name} (both numpy or both torch)")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{a_name} and {b_name} must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    return a, b


def posterior_q(x, z_t, t, betas):
    """``(mean, std)`` of ``q(z_(t-1) | z_t, x)``, the forward process run backwards when x is known.

    mean = ``sqrt(alpha_bar_(t-1)) beta_t / (1 - alpha_bar_t) x + sqrt(1 - beta_t) (1 - alpha_bar_(t-1)) /
    (1 - alpha_bar_t) z_t`` and variance ``beta_t (1 - alpha_bar_(t-1)) / (1 - alpha_bar_t)``, which depends on t
    only. At t = 1 the mean is x and the std 0. ``x`` and ``z_t`` have the same shape and kind.
    """
    b = _betas(betas)
    x, z_t = _matching("x", x, "z_t", z_t)
    if _is_torch(x):
        v.same_device("z_t", z_t, x.device, owner="x")
    t = _step("t", t, len(b), n=x.shape[0] if len(x.shape) else None)
    if t.ndim == 1 and len(x.shape) == 0:
        raise ValueError("t must be one step when x is a single number")
    ab = _alpha_bars(b)
    ab_t, ab_prev, beta = ab[t], ab[t - 1], b[t - 1]
    cx = np.sqrt(ab_prev) * beta / (1 - ab_t)
    cz = np.sqrt(1 - beta) * (1 - ab_prev) / (1 - ab_t)
    var = beta * (1 - ab_prev) / (1 - ab_t)
    mean = _per_row(cx, x) * x + _per_row(cz, x) * z_t
    std = _per_row(np.sqrt(var), x)
    if t.ndim == 0 and not _is_torch(x):
        std = float(std)
    return mean, std


def _ddim(z, eps, ab_t, ab_s):
    x_hat = (z - np.sqrt(1 - ab_t) * eps) / np.sqrt(ab_t)
    return np.sqrt(ab_s) * x_hat + np.sqrt(1 - ab_s) * eps


def ddim_step(z_t, eps, t, s, betas):
    """One deterministic DDIM step from step t back to an earlier step s (0 <= s < t).

    It estimates ``x_hat = (z_t - sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_bar_t)`` and re-noises it with the same
    ``eps``: ``z_s = sqrt(alpha_bar_s) x_hat + sqrt(1 - alpha_bar_s) eps``. With the true noise it lands exactly on
    the forward process (s = 0 returns x). ``z_t`` and ``eps`` have the same shape and kind.
    """
    b = _betas(betas)
    z_t, eps = _matching("z_t", z_t, "eps", eps)
    t = int(v.size("t", t, maximum=len(b)))
    s = v.size("s", s, minimum=0, maximum=t - 1)
    ab = _alpha_bars(b)
    return _ddim(z_t, eps, float(ab[t]), float(ab[s]))


# ------------------------------------------------------------------------------------------- the network
class EpsMLP(torch.nn.Module):
    """A small noise-prediction network ``eps_hat = g(z_t, t, label)`` for points in ``dim`` dimensions.

    The step t enters through sinusoidal features of ``t / T`` (``time_features`` of them), the label through a
    learnt embedding with one extra row, the *null* label ``n_classes``, that stands for "no label" (unconditional).
    Inputs are concatenated and pass through ``depth`` hidden layers of ``width`` SiLU units. With
    ``n_classes = 0`` the network is unconditional and ignores labels.
    """

    def __init__(self, dim=2, T=100, n_classes=0, width=64, depth=3, time_features=16, label_features=8, seed=0):
        super().__init__()
        self.dim = v.size("dim", dim, maximum=1024)
        self.T = v.size("T", T, maximum=MAX_STEPS)
        self.n_classes = v.size("n_classes", n_classes, minimum=0, maximum=10**4)
        width, depth = v.size("width", width, maximum=4096), v.size("depth", depth, maximum=32)
        self.time_features = v.size("time_features", time_features, minimum=2, maximum=256)
        label_features = v.size("label_features", label_features, maximum=256)
        if self.time_features % 2:
            raise ValueError(f"time_features must be even (sines and cosines), got {self.time_features}")
        v.total_size("width and depth", width * width * depth, "weights")
        v.total_size("dim and width", (self.dim + self.time_features + label_features) * width, "weights")
        seed = v.random_seed("seed", seed, sequences=False)
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        self.label_embedding = torch.nn.Embedding(self.n_classes + 1, label_features) if self.n_classes else None
        widths = [self.dim + self.time_features + (label_features if self.n_classes else 0)] + [width] * depth
        layers: list[torch.nn.Module] = []
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.SiLU()]
        layers.append(torch.nn.Linear(widths[-1], self.dim))
        self.net = torch.nn.Sequential(*layers)
        torch.random.set_rng_state(generator_state)
        self.register_buffer("frequencies", torch.pi * 2.0 ** torch.arange(self.time_features // 2) / 4)

    @property
    def null_label(self) -> int:
        """The label that means "no label" (the unconditional model)."""
        return self.n_classes

    def _forward(self, z, t, labels):
        phase = (t.to(z.dtype) / self.T)[:, None] * self.frequencies.to(z.dtype)
        parts = [z, torch.sin(phase), torch.cos(phase)]
        if self.label_embedding is not None:
            parts.append(self.label_embedding(labels).to(z.dtype))
        return self.net(torch.cat(parts, dim=1))

    def forward(self, z, t, labels=None):
        """The predicted noise (N, dim) for points ``z`` (N, dim) at steps ``t`` (one step, or (N,) integers
        from 1 to T) with ``labels`` ((N,) integers from 0 to n_classes; None or n_classes: unconditional)."""
        device = next(self.parameters()).device
        z = v.tensor("z", z, 2, floating=True, device=device, empty=False)
        if z.shape[1] != self.dim:
            raise ValueError(f"z must be (N, {self.dim}), got shape {tuple(z.shape)}")
        t = torch.as_tensor(_step("t", t, self.T, n=len(z)), device=device)
        t = t.expand(len(z)) if t.ndim == 0 else t
        labels = self._labels(labels, len(z), device)
        return self._forward(z.to(self.net[0].weight.dtype), t, labels).to(z.dtype)

    def _labels(self, labels, n, device):
        if labels is None:
            return torch.full((n,), self.n_classes, dtype=torch.long, device=device)
        a = v.array("labels", labels, 1, shape=(n,), like="z", low=0, high=self.n_classes, integral=True)
        return torch.as_tensor(a.astype(np.int64), device=device)


def fit_denoiser(
    model, x, betas, labels=None, steps=2000, batch=256, lr=3e-3, p_uncond=0.2, every=None, seed=0, progress=False
):
    """Train ``model`` (an :class:`EpsMLP`) to predict the noise: UDL's algorithm 18.1, with label dropout.

    Each step draws a minibatch of ``x`` (N, dim), a step t uniformly from 1..T and noise eps, forms z_t by
    :func:`diffuse`'s formula and takes an Adam step on ``|g(z_t, t, label) - eps|^2``. A conditional model
    (``labels`` (N,) given) sees the null label instead of the true one with probability ``p_uncond``. The
    learning rate decays along a cosine to zero. Returns the dict of :func:`kan_edu.train.steps`: ``"loss"`` per
    step and, every ``every`` steps, snapshots of the weights under ``"recorded"``.
    """
    from .train import snapshot

    model = v.instance("model", model, EpsMLP, "an EpsMLP")
    b = _betas(betas)
    if len(b) != model.T:
        raise ValueError(f"betas has {len(b)} steps but the model was built for T = {model.T}")
    device = next(model.parameters()).device
    x = v.array("x", x, 2, empty=False)
    if x.shape[1] != model.dim:
        raise ValueError(f"x must be (N, {model.dim}) points, got shape {x.shape}")
    if labels is not None:
        if not model.n_classes:
            raise ValueError("labels were given but the model is unconditional (n_classes = 0)")
        labels = v.array("labels", labels, 1, shape=(len(x),), like="x", low=0, high=model.n_classes - 1, integral=True)
    n_steps, batch = v.size("steps", steps), v.size("batch", batch, maximum=10**6)
    lr = v.number("lr", lr, 0, 10, low_open=True)
    p_uncond = v.number("p_uncond", p_uncond, 0, 1)
    every = n_steps if every is None else v.size("every", every)
    seed = v.random_seed("seed", seed, sequences=False)
    progress = v.flag("progress", progress)

    dtype = model.net[0].weight.dtype
    data = torch.as_tensor(x, dtype=dtype, device=device)
    classes = None if labels is None else torch.as_tensor(labels.astype(np.int64), device=device)
    ab = torch.as_tensor(_alpha_bars(b), dtype=dtype, device=device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: 0.5 * (1 + math.cos(math.pi * i / n_steps)))
    gen = torch.Generator(device=device).manual_seed(seed)

    def step(i):
        idx = torch.randint(0, len(data), (batch,), generator=gen, device=device)
        t = torch.randint(1, model.T + 1, (batch,), generator=gen, device=device)
        eps = torch.randn(batch, model.dim, generator=gen, device=device, dtype=dtype)
        a = ab[t][:, None]
        z = a.sqrt() * data[idx] + (1 - a).sqrt() * eps
        if classes is None:
            y = torch.full((batch,), model.n_classes, dtype=torch.long, device=device)
        else:
            drop = torch.rand(batch, generator=gen, device=device) < p_uncond
            y = torch.where(drop, torch.full_like(classes[idx], model.n_classes), classes[idx])
        loss = (model._forward(z, t, y) - eps).pow(2).sum(1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        return {"loss": loss.item()}

    model.train()
    out = train_steps(step, n_steps, record=lambda i: snapshot(model), every=every, seed=seed, progress=progress)
    model.eval()
    return out


# ----------------------------------------------------------------------------------------- denoisers
class ExactDenoiser:
    """The best possible noise prediction for mixture data: ``E[eps | z_t] = -sqrt(1 - alpha_bar_t) grad log q_t``.

    ``q_t`` is ``mixture.diffused(alpha_bar_t)``, the exact marginal of z_t. Called as ``denoiser(z, t, labels)``
    with z (N, d) numpy, t a step and labels (N,) component indices (or None, or the null label
    ``n_components``, for the whole mixture): a label picks that component alone, whose diffused score is
    ``-(z - sqrt(ab) mu_k) / (ab sigma_k^2 + 1 - ab)``. Use :func:`exact_denoiser` to build one.
    """

    def __init__(self, mixture, betas):
        if not all(hasattr(mixture, a) for a in ("diffused", "means", "stds", "weights")):
            raise v.ArgumentTypeError(f"mixture must be a GaussianMixture, got {v._describe(mixture)}")
        self.mixture = mixture
        self.betas = _betas(betas)
        self.T = len(self.betas)
        self.dim = int(mixture.dim)
        self.n_classes = int(mixture.n_components)
        self._ab = _alpha_bars(self.betas)

    @property
    def null_label(self) -> int:
        """The label that means "the whole mixture"."""
        return self.n_classes

    def __call__(self, z, t, labels=None):
        z = v.array("z", z, 2, empty=False)
        if z.shape[1] != self.dim:
            raise ValueError(f"z must be (N, {self.dim}), got shape {z.shape}")
        t = int(v.size("t", t, maximum=self.T))
        if labels is not None:
            labels = v.array("labels", labels, 1, shape=(len(z),), like="z", low=0, high=self.n_classes, integral=True)
        return self._eps(z, t, labels)

    def _eps(self, z, t, labels):
        ab = float(self._ab[t])
        marginal = self.mixture.diffused(ab)
        eps = -math.sqrt(1 - ab) * np.asarray(marginal.score(z)).reshape(z.shape)
        if labels is not None:
            own = labels < self.n_classes
            if own.any():
                k = labels[own].astype(int)
                var = marginal.stds[k] ** 2
                eps[own] = math.sqrt(1 - ab) * (z[own] - marginal.means[k]) / var
        return eps


def exact_denoiser(mixture, betas) -> ExactDenoiser:
    """The exact noise predictor of the forward process ``betas`` on ``mixture`` data (see :class:`ExactDenoiser`)."""
    return ExactDenoiser(mixture, betas)


def model_denoiser(model):
    """A trained :class:`EpsMLP` as a numpy denoiser ``f(z, t, labels)`` with ``dim``, ``T`` and ``null_label``,
    the interface the samplers use (the network runs under ``torch.no_grad``)."""
    model = v.instance("model", model, EpsMLP, "an EpsMLP")
    return _ModelDenoiser(model)


class _ModelDenoiser:
    def __init__(self, model: EpsMLP):
        self.model, self.dim, self.T, self.null_label = model, model.dim, model.T, model.n_classes
        self.n_classes = model.n_classes

    def __call__(self, z, t, labels=None):
        return self._eps(v.array("z", z, 2, empty=False), int(v.size("t", t, maximum=self.T)), labels)

    def _eps(self, z, t, labels):
        param = next(self.model.parameters())
        with torch.no_grad():
            zt = torch.as_tensor(z, dtype=param.dtype, device=param.device)
            tt = torch.full((len(z),), t, device=param.device)
            y = self.model._labels(labels, len(z), param.device)
            return self.model._forward(zt, tt, y).double().cpu().numpy()


def _denoiser(denoiser):
    if isinstance(denoiser, EpsMLP):
        return _ModelDenoiser(denoiser)
    if isinstance(denoiser, (ExactDenoiser, _ModelDenoiser)):
        return denoiser
    raise v.ArgumentTypeError(
        f"denoiser must be an EpsMLP, exact_denoiser(...) or model_denoiser(...), got {v._describe(denoiser)}"
    )


def denoising_loss(denoiser, x, t, betas, n_repeats=1, seed=0):
    """The mean of ``|eps_hat(z_t, t) - eps|^2`` over ``x`` (N, d) and fresh noise at step t (unconditional).

    For the exact denoiser this is the floor of the training loss at step t: the noise is never fully
    predictable from z_t. ``n_repeats`` draws that many noises per point.
    """
    d = _denoiser(denoiser)
    b = _betas(betas)
    if len(b) != d.T:
        raise ValueError(f"betas has {len(b)} steps but the denoiser has T = {d.T}")
    x = v.array("x", x, 2, empty=False)
    if x.shape[1] != d.dim:
        raise ValueError(f"x must be (N, {d.dim}) points, got shape {x.shape}")
    t = int(v.size("t", t, maximum=len(b)))
    n_repeats = v.size("n_repeats", n_repeats, maximum=1000)
    v.total_size("x and n_repeats", x.size * n_repeats)
    rng = np.random.default_rng(v.random_seed("seed", seed))
    ab = _alpha_bars(b)[t]
    xs = np.tile(x, (n_repeats, 1))
    eps = rng.standard_normal(xs.shape)
    z = math.sqrt(ab) * xs + math.sqrt(1 - ab) * eps
    return float(((d._eps(z, t, None) - eps) ** 2).sum(1).mean())


# ------------------------------------------------------------------------------------------- samplers
def _sampling_args(denoiser, betas, n, labels, w, seed):
    d = _denoiser(denoiser)
    b = _betas(betas)
    if len(b) != d.T:
        raise ValueError(f"betas has {len(b)} steps but the denoiser has T = {d.T}")
    n = v.size("n", n, maximum=10**6)
    v.total_size("n", n * d.dim, "numbers")
    if labels is not None:
        if not d.n_classes:
            raise ValueError("labels were given but the denoiser is unconditional")
        labels = v.array("labels", labels, 1, shape=(n,), like="n", low=0, high=d.n_classes - 1, integral=True)
        labels = labels.astype(int)
    w = v.number("w", w, 0, 100)
    if w and labels is None:
        raise ValueError("guidance w > 0 needs labels to guide towards")
    rng = np.random.default_rng(v.random_seed("seed", seed))
    return d, b, n, labels, w, rng


def _guided(d, z, t, labels, w):
    if labels is None:
        return d._eps(z, t, None)
    cond = d._eps(z, t, labels)
    if not w:
        return cond
    return (1 + w) * cond - w * d._eps(z, t, None)


def sample_ddpm(denoiser, betas, n, labels=None, w=0.0, seed=0, path=False):
    """Ancestral sampling (UDL's algorithm 18.2): from z_T ~ N(0, I), for t = T..1,
    ``z_(t-1) = (z_t - beta_t / sqrt(1 - alpha_bar_t) eps_hat) / sqrt(1 - beta_t) + sigma_t xi`` with
    sigma_t the posterior std of :func:`posterior_q` (no noise at the last step).

    ``denoiser``: an :class:`EpsMLP`, :func:`model_denoiser` or :func:`exact_denoiser`; ``labels`` (n,) ask for
    those classes, with classifier-free guidance ``w`` (0: plain conditional). Returns the samples (n, dim), or
    with ``path=True`` every state (T + 1, n, dim), from z_T (row 0) down to the samples (row T).
    """
    d, b, n, labels, w, rng = _sampling_args(denoiser, betas, n, labels, w, seed)
    path = v.flag("path", path)
    ab = _alpha_bars(b)
    z = rng.standard_normal((n, d.dim))
    states = [z]
    for t in range(len(b), 0, -1):
        eps = _guided(d, z, t, labels, w)
        z = (z - b[t - 1] / math.sqrt(1 - ab[t]) * eps) / math.sqrt(1 - b[t - 1])
        if t > 1:
            z = z + math.sqrt(b[t - 1] * (1 - ab[t - 1]) / (1 - ab[t])) * rng.standard_normal(z.shape)
        if path:
            states.append(z)
    return np.stack(states) if path else z


def sample_ddim(denoiser, betas, n, steps=None, labels=None, w=0.0, eta=0.0, seed=0, path=False):
    """DDIM sampling on ``steps`` evenly spaced steps from T down to 0 (all T when None).

    Each move from t to the next step s applies :func:`ddim_step`; with ``eta > 0`` part of the re-noising is
    fresh noise (``eta = 1`` is a DDPM-like stochastic sampler on the same steps). Only z_T is random when
    ``eta = 0``. Other arguments as :func:`sample_ddpm`; ``path=True`` returns the states (steps + 1, n, dim).
    """
    d, b, n, labels, w, rng = _sampling_args(denoiser, betas, n, labels, w, seed)
    T = len(b)
    n_steps = T if steps is None else v.size("steps", steps, maximum=T)
    eta = v.number("eta", eta, 0, 1)
    path = v.flag("path", path)
    ab = _alpha_bars(b)
    times = np.unique(np.round(np.linspace(0, T, n_steps + 1)).astype(int))[::-1]
    z = rng.standard_normal((n, d.dim))
    states = [z]
    for t, s in zip(times[:-1], times[1:]):
        eps = _guided(d, z, int(t), labels, w)
        if eta == 0:
            z = _ddim(z, eps, ab[t], ab[s])
        else:
            x_hat = (z - math.sqrt(1 - ab[t]) * eps) / math.sqrt(ab[t])
            sigma = eta * math.sqrt((1 - ab[s]) / (1 - ab[t]) * (1 - ab[t] / ab[s]))
            z = math.sqrt(ab[s]) * x_hat + math.sqrt(1 - ab[s] - sigma**2) * eps + sigma * rng.standard_normal(z.shape)
        if path:
            states.append(z)
    return np.stack(states) if path else z
