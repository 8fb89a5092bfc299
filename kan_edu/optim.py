"""kan_edu.optim: fitting a model by gradient descent and its relatives, in numpy (UDL chapter 6).

The update rules, one function each, written the way the chapter writes them:

* :func:`gd_step`: plain gradient descent, θ ← θ − α g;
* :func:`momentum_step`: momentum as an exponential moving average of the gradients,
  m ← β m + (1 − β) g, θ ← θ − α m (optionally Nesterov's look-ahead form);
* :func:`adam_step`: Adam, with both moving averages corrected for their start at zero.

``torch.optim.SGD(momentum=β)`` accumulates v ← β v + g without the factor (1 − β); since m = (1 − β) v, it
is the same optimiser with learning rate α(1 − β). The tests compare every rule with ``torch.optim`` step for
step in float64.

Around them: :func:`minibatch_indices` (shuffled mini-batches, epoch after epoch), :func:`optimize` (a whole
trajectory for any of the rules), a line search (:func:`bracket_minimum`, :func:`golden_section`,
:func:`line_search_descent`), :func:`critical_points` (minima, maxima and saddle points of a landscape), and
the chapter's small non-convex model, a *wave packet* with two parameters fitted to a procedural data set
(:class:`WavePacket`).
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import array as _array
from ._validate import choice, function, number, ordered, positive, random_seed, same_length, size

__all__ = [
    "gd_step",
    "momentum_step",
    "adam_step",
    "minibatch_indices",
    "optimize",
    "METHODS",
    "NoDescent",
    "bracket_minimum",
    "golden_section",
    "line_search_descent",
    "numerical_hessian",
    "critical_points",
    "minibatch_variance",
    "wave_packet",
    "wave_packet_data",
    "WavePacket",
]

GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0  # 0.618..., the golden-section ratio


# ------------------------------------------------------------------------------------------ validation
def _same_shape(theta, **others):
    theta = _array("theta", theta)
    out = [theta]
    return out + [_array(name, a, shape=theta.shape, like="theta") for name, a in others.items()]


def _unit_interval(name, value):
    return number(name, value, low=0, high=1, high_open=True)


# -------------------------------------------------------------------------------------- update rules
# The bare arithmetic of each rule (no checks), shared by the public step functions and by optimize().
def _gd(theta, grad, lr):
    return theta - lr * grad


def _momentum(theta, m, grad, lr, beta, nesterov):
    m = beta * m + (1.0 - beta) * grad
    step = beta * m + (1.0 - beta) * grad if nesterov else m
    return theta - lr * step, m


def _adam(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def gd_step(theta, grad, lr):
    """One step of gradient descent: ``theta - lr * grad`` (a new array)."""
    theta, grad = _same_shape(theta, grad=grad)
    return _gd(theta, grad, positive("lr", lr))


def momentum_step(theta, m, grad, lr, beta=0.9, nesterov=False):
    """One step of gradient descent with momentum; returns ``(theta, m)``.

    ``m`` is the moving average of the gradients (start it at zeros):

        m ← β m + (1 − β) g,    θ ← θ − α m.

    With ``nesterov=True`` the step looks ahead along the momentum: θ ← θ − α (β m + (1 − β) g), with the
    updated m. This matches ``torch.optim.SGD(lr=α(1 − β), momentum=β, nesterov=...)``.
    """
    theta, m, grad = _same_shape(theta, m=m, grad=grad)
    return _momentum(theta, m, grad, positive("lr", lr), _unit_interval("beta", beta), bool(nesterov))


def adam_step(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam; returns ``(theta, m, v)``. ``t`` counts steps from 1; start ``m``, ``v`` at zeros.

    m ← β₁ m + (1 − β₁) g,          v ← β₂ v + (1 − β₂) g²,
    m̂ = m / (1 − β₁ᵗ),              v̂ = v / (1 − β₂ᵗ),
    θ ← θ − α m̂ / (√v̂ + ε).
    """
    theta, m, grad = _same_shape(theta, m=m, grad=grad)
    v = _array("v", v, shape=theta.shape, like="theta", low=0)  # a moving average of squared gradients
    return _adam(
        theta,
        m,
        v,
        grad,
        size("t", t),
        positive("lr", lr),
        _unit_interval("beta1", beta1),
        _unit_interval("beta2", beta2),
        positive("eps", eps),
    )


# ------------------------------------------------------------------------------------ whole trajectories
def minibatch_indices(n_data, batch_size, steps, seed=0):
    """The mini-batches of ``steps`` steps of SGD: a list of index arrays.

    Each epoch visits the ``n_data`` examples once in a fresh random order and cuts it into consecutive batches
    of ``batch_size`` (the last batch of an epoch is smaller when ``batch_size`` does not divide ``n_data``).
    ``batch_size >= n_data`` gives the full data set at every step.
    """
    n_data, batch_size = size("n_data", n_data), size("batch_size", batch_size)
    steps, seed_ = size("steps", steps, minimum=0), random_seed("seed", seed)
    if batch_size >= n_data:
        return [np.arange(n_data)] * steps
    rng = np.random.default_rng(seed_)
    batches: list[np.ndarray] = []
    while len(batches) < steps:
        order = rng.permutation(n_data)
        batches += [order[i : i + batch_size] for i in range(0, n_data, batch_size)]
    return batches[:steps]


METHODS = ("gd", "momentum", "nesterov", "adam")


def optimize(
    grad, theta0, method="gd", steps=100, lr=0.1, beta=0.9, beta2=0.999, eps=1e-8, n_data=None, batch_size=None, seed=0
):
    """Run an optimiser and return its trajectory, an array of shape ``(steps + 1, P)`` starting at ``theta0``.

    ``grad(theta, idx)`` returns the gradient of the loss on the examples ``idx`` (``None`` means all of them).
    With ``n_data`` and ``batch_size`` the steps use the mini-batches of :func:`minibatch_indices` (stochastic
    gradient descent); without them every step sees the whole data set. ``method`` is one of :data:`METHODS`;
    ``beta`` is the momentum (β₁ for Adam).
    """
    choice("method", method, METHODS)
    function("grad", grad, "grad(theta, idx) -> gradient")
    theta = _array("theta0", theta0, 1).copy()
    steps = size("steps", steps, minimum=0)
    if (n_data is None) != (batch_size is None):
        raise ValueError("give both n_data and batch_size for mini-batches, or neither")
    batches = minibatch_indices(n_data, batch_size, steps, seed) if n_data is not None else [None] * steps
    path = np.empty((steps + 1, theta.size))
    path[0] = theta
    lr, beta = positive("lr", lr), _unit_interval("beta", beta)
    beta2, eps = _unit_interval("beta2", beta2), positive("eps", eps)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t, idx in enumerate(batches, start=1):
        g = np.asarray(grad(theta, idx), dtype=float)
        if g.shape != theta.shape:
            raise ValueError(f"grad returned shape {g.shape}, expected {theta.shape}")
        if method == "gd":
            theta = _gd(theta, g, lr)
        elif method == "adam":
            theta, m, v = _adam(theta, m, v, g, t, lr, beta, beta2, eps)
        else:
            theta, m = _momentum(theta, m, g, lr, beta, method == "nesterov")
        path[t] = theta
    return path


# ------------------------------------------------------------------------------------------ line search
class NoDescent(ValueError):
    """The loss does not decrease along the search direction (at a minimum, to rounding, or not downhill)."""


def bracket_minimum(f, step=0.01, grow=2.0, max_iter=60):
    """Find ``(a, b, c)`` with ``0 <= a < b < c`` and ``f(b) < f(a)``, ``f(b) <= f(c)``: a minimum lies in [a, c].

    ``f`` is the loss along a descent direction, a function of the step length ``s >= 0``. The first trial
    step is halved until the loss falls below f(0); then the trial steps grow geometrically by ``grow`` until
    the loss rises again. Raises ``ValueError`` when the loss never falls (not a descent direction) or never
    rises again within ``max_iter`` trials.
    """
    function("f", f, "f(s) -> loss")
    step, grow = positive("step", step), number("grow", grow, low=1, low_open=True)
    max_iter = size("max_iter", max_iter)
    fa = f(0.0)
    for _ in range(max_iter):
        fb = f(step)
        if fb < fa:
            break
        step /= 2
    else:
        raise NoDescent("the loss does not decrease along this direction: pass a descent direction")
    a, b = 0.0, step
    for _ in range(max_iter):
        c = b * grow
        fc = f(c)
        if fc >= fb:
            return a, b, c
        a, b, fb = b, c, fc
    raise ValueError(f"no minimum found within a step of {c:.3g}: the loss keeps decreasing")


def golden_section(f, a, b, tol=1e-8, max_iter=200, history=False):
    """Minimise a one-dimensional ``f`` on ``[a, b]`` by golden-section search.

    Each iteration compares two interior points and keeps the part of the bracket that must hold the minimum
    (for a unimodal ``f``), shrinking it by the factor 0.618; one new evaluation per iteration. Returns the
    midpoint of the final bracket, and with ``history=True`` also the list of brackets ``(lo, p, q, hi)``.
    """
    function("f", f, "f(s) -> loss")
    a, b = ordered("a", a, "b", b)
    tol, max_iter = positive("tol", tol), size("max_iter", max_iter, minimum=0)
    p, q = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    fp, fq = f(p), f(q)
    steps = [(a, p, q, b)]
    for _ in range(max_iter):
        if b - a <= tol:
            break
        if fp <= fq:  # the minimum is not in (q, b]
            b, q, fq = q, p, fp
            p = b - GOLDEN * (b - a)
            fp = f(p)
        else:  # the minimum is not in [a, p)
            a, p, fp = p, q, fq
            q = a + GOLDEN * (b - a)
            fq = f(q)
        steps.append((a, p, q, b))
    s = 0.5 * (a + b)
    return (s, steps) if history else s


def line_search_descent(loss, grad, theta0, steps=10, step=0.01, tol=1e-8, history=False):
    """Gradient descent with a line search: move along −g to the first minimum of the loss on that line.

    ``step`` is the length of the first trial move (the search brackets the minimum from there, see
    :func:`bracket_minimum`, and refines it by :func:`golden_section`). Returns ``(path, lengths)``: the points
    (steps + 1, P) and, for each step, the multiple s of the gradient moved (θ ← θ − s g). Stops early when
    the gradient vanishes or no step lowers the loss any more. With ``history=True`` a third item lists, per
    step, a dict with the gradient ``g``, the ``bracket`` (a, b, c), the golden-section brackets ``golden``
    and every step length at which the loss was evaluated, ``trials``.
    """
    function("loss", loss, "loss(theta) -> number")
    function("grad", grad, "grad(theta) -> gradient")
    theta = _array("theta0", theta0, 1).copy()
    step, tol, steps = positive("step", step), positive("tol", tol), size("steps", steps, minimum=0)
    path, lengths, info = [theta.copy()], [], []
    for _ in range(steps):
        g = _array("grad(theta) (theta from theta0)", grad(theta))
        norm = float(np.linalg.norm(g))
        if norm < 1e-12:
            break
        trials: list[float] = []

        def along(s, theta=theta, g=g, trials=trials):
            trials.append(s)
            return loss(theta - s * g)

        try:
            bracket = bracket_minimum(along, step / norm)
        except NoDescent:  # the gradient is too small to lower the loss in floating point: converged
            break
        s, golden = golden_section(along, bracket[0], bracket[2], tol / norm, history=True)
        theta = theta - s * g
        path.append(theta.copy())
        lengths.append(s)
        info.append({"g": g, "bracket": bracket, "golden": golden, "trials": np.array(trials)})
    out = (np.array(path), np.array(lengths))
    return out + (info,) if history else out


def minibatch_variance(example_grads, batch_size):
    """Variance of a mini-batch's mean gradient, per parameter, when the batch is drawn without replacement.

    ``example_grads`` (N, P) holds one gradient per example; their spread s² (over the N examples, dividing by
    N) shrinks in the mean of B distinct examples to  s² / B · (N − B) / (N − 1):  like 1/B for small batches,
    and zero for the full batch.
    """
    g = _array("example_grads", example_grads, 2, empty=False)
    n = g.shape[0]
    batch_size = size("batch_size", batch_size, maximum=n)
    if n == 1:
        return np.zeros(g.shape[1])
    return g.var(axis=0) / batch_size * (n - batch_size) / (n - 1)


# ----------------------------------------------------------------------------------- the loss landscape
def numerical_hessian(grad, theta, h=1e-5):
    """The Hessian by central differences of the gradient, symmetrised. ``grad(theta)`` returns a vector."""
    function("grad", grad, "grad(theta) -> gradient")
    theta, h = _array("theta", theta, 1), positive("h", h)
    P = theta.size
    H = np.empty((P, P))
    for i in range(P):
        e = np.zeros(P)
        e[i] = h
        H[i] = (np.asarray(grad(theta + e)) - np.asarray(grad(theta - e))) / (2 * h)
    return 0.5 * (H + H.T)


def critical_points(grad, starts, tol=1e-10, merge=1e-4):
    """Points where the gradient vanishes, found by Newton's method from each of ``starts``, and their kind.

    Returns a list of ``(point, kind)`` with kind ``"minimum"``, ``"maximum"`` or ``"saddle"`` (from the signs
    of the Hessian's eigenvalues), one entry per distinct point (closer than ``merge`` counts as the same).
    Newton's method goes to the nearest critical point of any kind, which is what makes it find saddles.
    """
    from scipy.optimize import root

    function("grad", grad, "grad(theta) -> gradient")
    starts = _array("starts", starts, (1, 2), empty=False)
    starts = starts[None] if starts.ndim == 1 else starts
    tol, merge = positive("tol", tol), number("merge", merge, low=0)
    found: list[tuple[np.ndarray, str]] = []
    for start in starts:
        sol = root(lambda p: np.asarray(grad(p), dtype=float), start, jac=lambda p: numerical_hessian(grad, p), tol=tol)
        if not sol.success or np.linalg.norm(grad(sol.x)) > 1e-7:
            continue
        if any(np.linalg.norm(sol.x - p) < merge for p, _ in found):
            continue
        eig = np.linalg.eigvalsh(numerical_hessian(grad, sol.x))
        kind = "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle"
        found.append((sol.x, kind))
    return found


# ----------------------------------------------------------------------------------- the chapter's model
ENVELOPE = 3.0  # width of the wave packet's envelope, in units of the phase u


def wave_packet(x, phi):
    """The two-parameter model f[x, φ] = sin(u) exp(−u² / (2·3²)) with u = φ₀ + φ₁ x.

    φ₀ shifts the phase (and the packet), φ₁ sets the frequency. ``phi`` has shape (2,) or (..., 2) (a grid of
    parameters); the result has shape ``phi.shape[:-1] + x.shape``.
    """
    x = _array("x", x)
    phi = _array("phi", phi)
    if phi.shape[-1:] != (2,):
        raise ValueError(f"phi must end in a dimension of 2 (phase, frequency), got shape {phi.shape}")
    u = phi[..., 0, None] + phi[..., 1, None] * x.reshape(-1)
    return (np.sin(u) * np.exp(-0.5 * (u / ENVELOPE) ** 2)).reshape(phi.shape[:-1] + x.shape)


def wave_packet_data(n=64, phi=(1.0, 2.0), noise=0.1, seed=0):
    """A procedural data set for the wave packet: ``x`` uniform on [−3, 3], ``y = f[x, phi] + noise``."""
    n, noise = size("n", n), number("noise", noise, low=0)
    phi = _array("phi", phi, shape=(2,))
    rng = np.random.default_rng(random_seed("seed", seed))
    x = rng.uniform(-3.0, 3.0, n)
    y = wave_packet(x, phi) + noise * rng.normal(size=n)
    return x, y


class WavePacket:
    """The least-squares loss of the wave packet on data ``(x, y)``: L(φ) = mean over examples of (f − y)².

    ``loss(phi, idx)`` and ``grad(phi, idx)`` use the examples ``idx`` (all when ``None``): the mini-batch loss
    and its gradient. ``loss`` also accepts a grid of parameters of shape (..., 2).
    """

    def __init__(self, x, y):
        x, y = _array("x", x, 1), _array("y", y, 1)
        same_length("x and y", x, y)
        self.x, self.y = x, y

    @property
    def n(self) -> int:
        return self.x.size

    def _batch(self, idx):
        """All examples, or those at the indices ``idx``."""
        if idx is None:
            return self.x, self.y
        idx = _array("idx", idx, 1, integral=True, low=0, high=self.n - 1).astype(int)
        return self.x[idx], self.y[idx]

    def loss(self, phi, idx=None):
        x, y = self._batch(idx)
        return ((wave_packet(x, phi) - y) ** 2).mean(-1)

    def example_grads(self, phi):
        """The gradient of each example's squared error, shape (N, 2); ``grad`` is their mean over a batch."""
        phi = _array("phi", phi, shape=(2,))
        u = phi[0] + phi[1] * self.x
        envelope = np.exp(-0.5 / ENVELOPE**2 * u * u)
        sin_u = np.sin(u)
        r = 2.0 * (sin_u * envelope - self.y) * (np.cos(u) - u * sin_u / ENVELOPE**2) * envelope
        return np.stack([r, r * self.x], axis=1)

    def grad(self, phi, idx=None):
        phi = _array("phi", phi, shape=(2,))
        x, y = self._batch(idx)
        u = phi[0] + phi[1] * x
        envelope = np.exp(-0.5 / ENVELOPE**2 * u * u)
        sin_u = np.sin(u)
        r = 2.0 * (sin_u * envelope - y) * (np.cos(u) - u * sin_u / ENVELOPE**2) * envelope  # d(residual²)/du
        n = x.size
        return np.array([r.sum() / n, r.dot(x) / n])
