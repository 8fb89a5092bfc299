"""kan_edu.vae: latent variable models and variational autoencoders (UDL chapter 17).

A latent variable model draws a hidden ``z`` from a prior ``p(z)`` and then the data from ``p(x | z)``; its
likelihood ``p(x) = ∫ p(x | z) p(z) dz`` is an infinite mixture. The module holds three models, from the one
where everything is visible to the one that is trained:

* :class:`CurveModel`: Prince's one-dimensional latent variable model (notebook 17.1): ``z ~ N(0, 1)`` and
  ``x | z ~ N(f(z), sigma^2 I)`` in two dimensions, with ``f`` a nonlinear curve. Its evidence and posterior have
  no closed form, but one dimension of ``z`` is cheap to integrate on a grid.
* :class:`ConjugateGaussian`: ``z ~ N(0, 1)``, ``x | z ~ N(w z + b, s^2)``. Here the evidence, the posterior,
  the ELBO of any Gaussian ``q(z) = N(m, v)`` and its gap (the KL from ``q`` to the posterior) are all exact.
* :class:`VAE`: an encoder ``q(z | x) = N(mu(x), diag exp(logvar(x)))`` and a Gaussian decoder
  ``p(x | z) = N(g(z), sigma_x^2 I)``, trained by :func:`fit_vae` on the ELBO (with a weight ``beta`` on its KL
  term), with an importance-sampled estimate of ``log p(x)`` (:meth:`VAE.log_likelihood`).

Two estimators of the gradient of an expectation ``d/dtheta E_{z ~ N(mu, sigma^2)}[f(z)]`` with respect to
``theta = (mu, log sigma)``: :func:`reparam_grad` (through ``z = mu + sigma * eps``, using ``f'``) and
:func:`score_grad` (REINFORCE: ``f(z)`` times the gradient of ``log N(z; mu, sigma^2)``, no ``f'`` needed).
:func:`expected_gradient` is the exact answer by Gauss-Hermite quadrature. :func:`kl_gaussian` is the KL term of
every VAE and :func:`log_mean_exp` the stable average of importance weights.

``kl_gaussian`` and ``log_mean_exp`` take numpy arrays or torch tensors and return the same kind; the 1-D
models are numpy; the estimators take ``f`` written with torch operations (so that ``f'`` comes from autograd).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import _validate as v
from . import nn as knn
from . import train

__all__ = [
    "kl_gaussian",
    "log_mean_exp",
    "CurveModel",
    "ConjugateGaussian",
    "reparam_grad",
    "score_grad",
    "expected_value",
    "expected_gradient",
    "VAE",
    "vae_loss",
    "fit_vae",
]

LOG_2PI = math.log(2 * math.pi)
#: Gauss-Hermite nodes for expectations under a Gaussian (exact for polynomials of degree < 2 * 160).
_HERMITE_NODES = 160


def _is_tensor(x) -> bool:
    return isinstance(x, torch.Tensor)


# ------------------------------------------------------------------------------------------ closed forms
def kl_gaussian(mu, logvar):
    """KL( N(mu, diag exp(logvar)) || N(0, I) ), summed over the last axis.

    ``mu`` and ``logvar`` have the same shape (..., d); the result has shape (...). Per dimension the KL is
    ``(mu^2 + exp(logvar) - 1 - logvar) / 2``. numpy in, numpy out (float64); torch in, torch out
    (differentiable, the tensors' dtype).
    """
    if _is_tensor(mu) != _is_tensor(logvar):
        raise v.ArgumentTypeError(
            "mu and logvar must both be numpy arrays or both torch tensors, got "
            f"mu as {type(mu).__name__} and logvar as {type(logvar).__name__}"
        )
    if _is_tensor(mu):
        mu = v.tensor("mu", mu, floating=True, empty=False)
        logvar = v.tensor("logvar", logvar, floating=True, empty=False, shape=tuple(mu.shape))
        if mu.ndim == 0:
            raise ValueError("mu must have at least one axis (the latent dimensions), got a 0-D tensor")
        v.same_device("logvar", logvar, mu.device, owner="mu")
        return 0.5 * (mu**2 + torch.exp(logvar) - 1.0 - logvar).sum(dim=-1)
    mu = v.array("mu", mu, empty=False)
    if mu.ndim == 0:
        raise ValueError("mu must have at least one axis (the latent dimensions), got a number")
    logvar = v.array("logvar", logvar, shape=mu.shape, like="mu", high=700)
    return 0.5 * (mu**2 + np.exp(logvar) - 1.0 - logvar).sum(axis=-1)


def log_mean_exp(a, axis: int = -1):
    """``log(mean(exp(a)))`` along ``axis``, computed stably (the largest entry is taken out first).

    The importance-sampled log-likelihood is this of the log importance weights. numpy or torch in, same kind
    out; entries may be ``-inf`` (a zero weight) but not NaN or ``+inf``.
    """
    if _is_tensor(a):
        t = v.tensor("a", a, floating=True, empty=False, finite=False, values=True)
        if torch.isnan(t).any() or torch.isposinf(t).any():
            raise ValueError("a contains NaN or +inf")
        ax = v.axis("axis", axis, max(t.ndim, 1))
        t = t.reshape(1) if t.ndim == 0 else t
        return torch.logsumexp(t, dim=ax) - math.log(t.shape[ax])
    x = v.array("a", a, empty=False, finite=False)
    if np.isnan(x).any() or np.isposinf(x).any():
        raise ValueError("a contains NaN or +inf")
    x = np.atleast_1d(x)
    ax = v.axis("axis", axis, x.ndim)
    from scipy.special import logsumexp

    return logsumexp(x, axis=ax) - math.log(x.shape[ax])


# ----------------------------------------------------------------------------------- the curve model
class CurveModel:
    """Prince's 1-D latent variable model (notebook 17.1): ``z ~ N(0, 1)``, ``x | z ~ N(f(z), sigma^2 I_2)``.

    ``f(z) = (0.5 exp(sin(2 + 3.675 z)), cos(2 + 2.85 z))`` traces a curve in the plane; ``sigma`` blurs it. The
    marginal ``p(x)`` is a continuous mixture of Gaussians along the curve; :meth:`log_evidence` integrates it over
    a grid of ``z`` (``n_grid`` points on [-6, 6], trapezoid rule in log space), which is exact to many digits
    because the integrand is smooth and the prior's tails beyond 6 hold less than 1e-8 of its mass.
    """

    def __init__(self, sigma: float = 0.2, n_grid: int = 2001):
        self.sigma = v.number("sigma", sigma, 1e-3, 10.0)
        self.n_grid = v.size("n_grid", n_grid, minimum=11, maximum=10**6)
        self.z_grid = np.linspace(-6.0, 6.0, self.n_grid)

    @staticmethod
    def _curve(z: np.ndarray) -> np.ndarray:
        return np.stack([0.5 * np.exp(np.sin(2.0 + 3.675 * z)), np.cos(2.0 + 2.85 * z)], axis=-1)

    def curve(self, z):
        """The curve ``f(z)``: ``z`` of shape (N,) (or a number) → (N, 2) points."""
        z = np.atleast_1d(v.array("z", z, (0, 1)))
        return self._curve(z)

    def _x(self, x) -> np.ndarray:
        x = v.array("x", x, (1, 2), empty=False)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.shape[1] != 2:
            raise ValueError(f"x must hold 2-D points, shape (N, 2), got shape {x.shape}")
        return x

    def _log_joint(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        f = self._curve(z)  # (K, 2)
        sq = ((x[:, None, :] - f[None, :, :]) ** 2).sum(-1)
        return -0.5 * sq / self.sigma**2 - 2 * math.log(self.sigma) - LOG_2PI - 0.5 * z**2 - 0.5 * LOG_2PI

    def log_joint(self, x, z):
        """``log p(x | z) + log p(z)`` for every point of ``x`` (N, 2) and every ``z`` (K,): shape (N, K)."""
        return self._log_joint(self._x(x), np.atleast_1d(v.array("z", z, (0, 1))))

    def log_evidence(self, x):
        """``log p(x)`` for every point of ``x`` (N, 2), by integrating the joint over the z grid: shape (N,)."""
        from scipy.special import logsumexp

        x = self._x(x)
        lj = self._log_joint(x, self.z_grid)
        w = np.full(self.n_grid, self.z_grid[1] - self.z_grid[0])
        w[[0, -1]] /= 2  # trapezoid weights
        return logsumexp(lj + np.log(w), axis=1)

    def posterior(self, x):
        """The posterior density ``p(z | x)`` on the grid ``self.z_grid`` for every point of ``x``: (N, n_grid)."""
        x = self._x(x)
        return np.exp(self._log_joint(x, self.z_grid) - self.log_evidence(x)[:, None])

    def sample(self, n: int, seed=0):
        """``n`` draws ``(x, z)`` from the model: ``x`` (n, 2) and the latent ``z`` (n,) that made each."""
        n = v.size("n", n, maximum=10**7)
        rng = np.random.default_rng(v.random_seed("seed", seed))
        z = rng.standard_normal(n)
        return self._curve(z) + self.sigma * rng.standard_normal((n, 2)), z


# ------------------------------------------------------------------------------ the conjugate model
class ConjugateGaussian:
    """``z ~ N(0, 1)``, ``x | z ~ N(w z + b, s^2)``: a latent variable model where everything is exact.

    The evidence is ``N(x; b, w^2 + s^2)``; the posterior is Gaussian with variance ``s^2 / (w^2 + s^2)`` and
    mean ``w (x - b) / (w^2 + s^2)``. For a Gaussian ``q(z) = N(q_mean, q_std^2)`` the ELBO has a closed form,
    and ``log p(x) - ELBO = KL(q || p(z | x))``. Every method broadcasts over numpy arrays of ``x``, ``q_mean``
    and ``q_std``.
    """

    def __init__(self, w: float = 1.5, b: float = 0.0, noise_std: float = 0.5):
        self.w = v.number("w", w, -1e3, 1e3)
        self.b = v.number("b", b, -1e3, 1e3)
        self.noise_std = v.number("noise_std", noise_std, 1e-3, 1e3)

    def _args(self, **arrays):
        out = [v.array(name, a, empty=False, low=-1e150, high=1e150) for name, a in arrays.items()]
        return self._broadcast(arrays, out)

    @staticmethod
    def _broadcast(arrays, out):
        try:
            np.broadcast_shapes(*(a.shape for a in out))
        except ValueError:
            shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(arrays, out))
            raise ValueError(f"{' and '.join(arrays)} must broadcast together, got shapes {shapes}") from None
        return out

    def _q(self, x, q_mean, q_std):
        x, q_mean = self._args(x=x, q_mean=q_mean)
        q_std = v.array("q_std", q_std, empty=False, low=0, low_open=True, high=1e150)
        self._broadcast({"x": x, "q_mean": q_mean, "q_std": q_std}, [x, q_mean, q_std])
        return x, q_mean, q_std

    def log_joint(self, x, z):
        """``log p(x | z) + log p(z)`` (broadcast over ``x`` and ``z``)."""
        x, z = self._args(x=x, z=z)
        s2 = self.noise_std**2
        return -0.5 * (x - self.w * z - self.b) ** 2 / s2 - 0.5 * math.log(s2) - 0.5 * z**2 - LOG_2PI

    def log_evidence(self, x):
        """``log p(x) = log N(x; b, w^2 + s^2)``."""
        (x,) = self._args(x=x)
        var = self.w**2 + self.noise_std**2
        return -0.5 * (x - self.b) ** 2 / var - 0.5 * math.log(var) - 0.5 * LOG_2PI

    def posterior(self, x):
        """``(mean, std)`` of the Gaussian posterior ``p(z | x)``."""
        (x,) = self._args(x=x)
        var = self.w**2 + self.noise_std**2
        return self.w * (x - self.b) / var, np.full_like(x, self.noise_std / math.sqrt(var))

    def elbo(self, x, q_mean, q_std):
        """``E_q[log p(x | z)] - KL(q || p(z))`` for ``q = N(q_mean, q_std^2)``, in closed form."""
        x, m, sd = self._q(x, q_mean, q_std)
        s2 = self.noise_std**2
        expected_loglik = -0.5 * ((x - self.b - self.w * m) ** 2 + self.w**2 * sd**2) / s2 - 0.5 * (
            math.log(s2) + LOG_2PI
        )
        m, sd = np.broadcast_arrays(m, sd)
        return expected_loglik - kl_gaussian(m[..., None], 2 * np.log(sd)[..., None])

    def kl_to_posterior(self, x, q_mean, q_std):
        """``KL(q || p(z | x))``, the gap between ``log p(x)`` and the ELBO."""
        x, m, sd = self._q(x, q_mean, q_std)
        pm, ps = self.posterior(x)
        return np.log(ps / sd) + (sd**2 + (m - pm) ** 2) / (2 * ps**2) - 0.5


# ---------------------------------------------------------------------------- gradient estimators
def _mu_log_sigma(mu, log_sigma):
    return v.number("mu", mu, -1e6, 1e6), v.number("log_sigma", log_sigma, -20.0, 20.0)


def _call_f(f, z: np.ndarray, grad: bool):
    t = torch.as_tensor(z, dtype=torch.float64).requires_grad_(grad)
    y = f(t)
    if not isinstance(y, torch.Tensor) or tuple(y.shape) != tuple(t.shape):
        raise ValueError(
            "f must map a tensor of z values to a tensor of the same shape (one f(z) per z), "
            f"got {type(y).__name__} of shape {tuple(getattr(y, 'shape', ()))}"
        )
    if grad:
        (g,) = torch.autograd.grad(y.sum(), t)
        return y.detach().numpy(), g.numpy()
    return y.detach().numpy(), None


def _draws(n, seed) -> np.ndarray:
    n = v.size("n", n, maximum=10**7)
    return np.random.default_rng(v.random_seed("seed", seed)).standard_normal(n)


def reparam_grad(f, mu: float, log_sigma: float, n: int = 1, seed=0) -> np.ndarray:
    """``n`` independent one-sample reparameterisation estimates of ``d/d(mu, log sigma) E[f(z)]``: (n, 2).

    With ``z = mu + sigma * eps``, ``eps ~ N(0, 1)``, the chain rule gives ``f'(z) * (1, sigma * eps)``; ``f'`` comes
    from autograd, so ``f`` must be written with torch operations. ``seed`` fixes the draws of eps (the same eps as
    :func:`score_grad` with the same seed).
    """
    f = v.function("f", f, "f(z) -> tensor of the same shape")
    mu, log_sigma = _mu_log_sigma(mu, log_sigma)
    eps = _draws(n, seed)
    sigma = math.exp(log_sigma)
    _, df = _call_f(f, mu + sigma * eps, grad=True)
    return np.stack([df, df * sigma * eps], axis=1)


def score_grad(f, mu: float, log_sigma: float, n: int = 1, seed=0, baseline: float = 0.0) -> np.ndarray:
    """``n`` one-sample score-function (REINFORCE) estimates of ``d/d(mu, log sigma) E[f(z)]``: (n, 2).

    ``(f(z) - baseline) * d/dtheta log N(z; mu, sigma^2)``, where the score is ``(eps / sigma, eps^2 - 1)`` for
    ``z = mu + sigma * eps``. It needs only values of ``f``; a constant ``baseline`` leaves it unbiased (the score
    has mean zero) and changes its variance.
    """
    f = v.function("f", f, "f(z) -> tensor of the same shape")
    mu, log_sigma = _mu_log_sigma(mu, log_sigma)
    baseline = v.number("baseline", baseline, -1e12, 1e12)
    eps = _draws(n, seed)
    sigma = math.exp(log_sigma)
    fz, _ = _call_f(f, mu + sigma * eps, grad=False)
    weight = fz - baseline
    return np.stack([weight * eps / sigma, weight * (eps**2 - 1.0)], axis=1)


def _hermite():
    nodes, weights = np.polynomial.hermite_e.hermegauss(_HERMITE_NODES)
    return nodes, weights / weights.sum()


def expected_value(f, mu: float, log_sigma: float) -> float:
    """``E_{z ~ N(mu, sigma^2)}[f(z)]`` by Gauss-Hermite quadrature (160 nodes; exact for smooth ``f``)."""
    f = v.function("f", f, "f(z) -> tensor of the same shape")
    mu, log_sigma = _mu_log_sigma(mu, log_sigma)
    eps, w = _hermite()
    fz, _ = _call_f(f, mu + math.exp(log_sigma) * eps, grad=False)
    return float(w @ fz)


def expected_gradient(f, mu: float, log_sigma: float) -> np.ndarray:
    """The exact gradient ``d/d(mu, log sigma) E[f(z)]`` (2,), by Gauss-Hermite quadrature of ``f'(z) (1, sigma eps)``."""
    f = v.function("f", f, "f(z) -> tensor of the same shape")
    mu, log_sigma = _mu_log_sigma(mu, log_sigma)
    eps, w = _hermite()
    sigma = math.exp(log_sigma)
    _, df = _call_f(f, mu + sigma * eps, grad=True)
    return np.array([w @ df, w @ (df * sigma * eps)])


# --------------------------------------------------------------------------------------------- the VAE
class VAE(torch.nn.Module):
    """A variational autoencoder with a Gaussian encoder and a Gaussian decoder of fixed noise ``decoder_std``.

    Encoder: an MLP ``n_in → hidden → hidden → 2 n_latent`` giving ``mu(x)`` and ``logvar(x)``. Decoder: an MLP
    ``n_latent → hidden → hidden → n_in`` followed by a sigmoid, the mean ``g(z)`` of ``p(x | z) = N(g(z),
    decoder_std^2 I)`` (pixels lie in [0, 1]). ``forward(x)`` returns ``(x_mean, mu, logvar)`` for one
    reparameterised draw of ``z`` per input (torch's global random state: :func:`fit_vae` seeds it).
    """

    def __init__(self, n_in: int = 64, n_latent: int = 2, hidden: int = 128, decoder_std: float = 0.1, seed=0):
        super().__init__()
        self.n_in = v.size("n_in", n_in, maximum=10**5)
        self.n_latent = v.size("n_latent", n_latent, maximum=10**4)
        self.hidden = v.size("hidden", hidden, maximum=10**4)
        v.total_size("n_in, n_latent and hidden", (self.n_in + self.n_latent) * self.hidden, "weights")
        self.decoder_std = v.number("decoder_std", decoder_std, 1e-3, 1e3)
        seed = v.random_seed("seed", seed, sequences=False)
        self.encoder = knn.mlp([self.n_in, self.hidden, self.hidden, 2 * self.n_latent], "relu", seed)
        self.decoder = knn.mlp([self.n_latent, self.hidden, self.hidden, self.n_in], "relu", seed + 1)

    # -- the pieces (trusting their inputs; the public methods check them)
    def _encode(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=-1)
        return mu, logvar.clamp(-12.0, 8.0)

    def _decode(self, z):
        return torch.sigmoid(self.decoder(z))

    def _log_px_z(self, x, x_mean):
        s = self.decoder_std
        return -0.5 * ((x - x_mean) ** 2).sum(-1) / s**2 - self.n_in * (math.log(s) + 0.5 * LOG_2PI)

    def _data(self, x):
        x = v.tensor("x", x, 2, floating=True, empty=False, device=train.device_of(self), values=True)
        if x.shape[1] != self.n_in:
            raise ValueError(f"x must have {self.n_in} columns (one per pixel), got shape {tuple(x.shape)}")
        return x.to(next(self.parameters()).dtype)

    def _z(self, z):
        z = v.tensor("z", z, 2, floating=True, empty=False, device=train.device_of(self), values=True)
        if z.shape[1] != self.n_latent:
            raise ValueError(f"z must have {self.n_latent} columns (the latent dimensions), got shape {tuple(z.shape)}")
        return z.to(next(self.parameters()).dtype)

    # -- public
    def forward(self, x):
        x = self._data(x)
        mu, logvar = self._encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self._decode(z), mu, logvar

    def encode(self, x):
        """``(mu, logvar)`` of ``q(z | x)`` for a batch ``x`` (N, n_in): two (N, n_latent) tensors."""
        return self._encode(self._data(x))

    def decode(self, z):
        """The decoder's mean ``g(z)`` (N, n_in) for latent codes ``z`` (N, n_latent)."""
        return self._decode(self._z(z))

    def elbo(self, x, beta: float = 1.0, seed=0):
        """The (beta-weighted) ELBO of every row of ``x`` with one seeded draw of z: shape (N,).

        ``E_q[log p(x | z)] - beta * KL(q(z | x) || N(0, I))``; the KL is exact, the expectation one sample.
        """
        x = self._data(x)
        beta = v.number("beta", beta, 0.0, 1e6)
        gen = torch.Generator(device="cpu").manual_seed(v.random_seed("seed", seed, sequences=False))
        mu, logvar = self._encode(x)
        eps = torch.randn(mu.shape, generator=gen, dtype=mu.dtype).to(mu.device)
        x_mean = self._decode(mu + torch.exp(0.5 * logvar) * eps)
        return self._log_px_z(x, x_mean) - beta * kl_gaussian(mu, logvar)

    def kl_per_dimension(self, x):
        """The KL term of each latent dimension, averaged over the rows of ``x``: shape (n_latent,).

        A dimension whose KL is about 0 carries no information about x: the posterior has collapsed onto the prior.
        """
        mu, logvar = self._encode(self._data(x))
        return (0.5 * (mu**2 + torch.exp(logvar) - 1.0 - logvar)).mean(0)

    @torch.no_grad()
    def log_weights(self, x, n_samples: int = 64, seed=0):
        """Log importance weights ``log p(x | z_k) + log p(z_k) - log q(z_k | x)`` for ``n_samples`` seeded draws
        ``z_k ~ q(z | x)`` per row of ``x``: shape (n_samples, N)."""
        x = self._data(x)
        K = v.size("n_samples", n_samples, maximum=10**5)
        v.total_size("n_samples times the rows of x", K * x.shape[0] * self.n_in, "pixels")
        gen = torch.Generator(device="cpu").manual_seed(v.random_seed("seed", seed, sequences=False))
        mu, logvar = self._encode(x)
        std = torch.exp(0.5 * logvar)
        eps = torch.randn((K,) + tuple(mu.shape), generator=gen, dtype=mu.dtype).to(mu.device)
        z = mu + std * eps  # (K, N, d)
        log_q = (-0.5 * eps**2 - torch.log(std) - 0.5 * LOG_2PI).sum(-1)
        log_prior = (-0.5 * z**2 - 0.5 * LOG_2PI).sum(-1)
        return self._log_px_z(x, self._decode(z)) + log_prior - log_q

    @torch.no_grad()
    def log_likelihood(self, x, n_samples: int = 64, seed=0):
        """Importance-sampled ``log p(x)`` of every row of ``x``, with ``n_samples`` draws from ``q(z | x)``: (N,).

        ``log (1/K) sum_k p(x | z_k) p(z_k) / q(z_k | x)`` (:meth:`log_weights`, :func:`log_mean_exp`). Its
        expectation is at most ``log p(x)`` and rises towards it with K; K = 1 is an unbiased estimate of the ELBO.
        """
        return log_mean_exp(self.log_weights(x, n_samples, seed), axis=0)

    @torch.no_grad()
    def sample(self, n: int, seed=0):
        """``n`` decoded means ``g(z)`` for ``z`` drawn from the prior (seeded): (n, n_in)."""
        n = v.size("n", n, maximum=10**6)
        gen = torch.Generator(device="cpu").manual_seed(v.random_seed("seed", seed, sequences=False))
        p = next(self.parameters())
        z = torch.randn((n, self.n_latent), generator=gen, dtype=p.dtype).to(p.device)
        return self._decode(z)


def vae_loss(beta: float = 1.0):
    """A loss for :func:`kan_edu.train.fit`: ``loss(model(x), x)`` is minus the mean beta-ELBO per example.

    The model's output is ``(x_mean, mu, logvar)`` (a :class:`VAE`'s forward); the decoder noise is read from
    ``x_mean`` being a mean of ``N(x_mean, decoder_std^2)``, so the loss is bound to a model by :func:`fit_vae`.
    """
    beta = v.number("beta", beta, 0.0, 1e6)

    def bind(model: VAE):
        def loss(out, x):
            x_mean, mu, logvar = out
            return -(model._log_px_z(x, x_mean) - beta * kl_gaussian(mu, logvar)).mean()

        return loss

    return bind


def fit_vae(
    x,
    n_latent: int = 2,
    beta: float = 1.0,
    epochs: int = 60,
    hidden: int = 128,
    decoder_std: float = 0.1,
    lr: float = 1e-3,
    batch_size: int = 64,
    seed=0,
    callback=None,
):
    """Train a :class:`VAE` on the rows of ``x`` (N, D) with Adam on minus the beta-ELBO; return ``(model, history)``.

    Everything is seeded by ``seed`` (the weights, the minibatch order, the reparameterisation draws).
    ``callback(epoch, model)`` runs before training and after every epoch (:func:`kan_edu.train.fit`); the history
    holds ``train_loss``, minus the mean beta-ELBO per example of each epoch, in nats.
    """
    x = v.tensor("x", x, 2, floating=True, empty=False, values=True)
    seed = v.random_seed("seed", seed, sequences=False)
    model = VAE(x.shape[1], n_latent, hidden, decoder_std, seed=seed).to(x.dtype)
    lr = v.number("lr", lr, 0.0, 10.0, low_open=True)
    train.seed_everything(seed)
    # foreach=True: the same updates, bit for bit, in a few batched calls instead of a loop over the tensors
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, foreach=True)
    history = train.fit(
        model,
        vae_loss(beta)(model),
        x,
        x,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        seed=seed,
        callback=callback,
    )
    return model, history
