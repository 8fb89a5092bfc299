"""kan_edu.regularization: ways to make a model generalise better (UDL chapter 9), in numpy.

For a model that is linear in its parameters, y = Φw (for example the hinge model of
:mod:`kan_edu.performance`), with the least-squares loss L(w) = |Φw − y|²:

* **explicit L2 regularisation** (ridge): argmin L(w) + λ|w|², in closed form (:func:`ridge`, and
  :func:`ridge_path` for many λ from one SVD);
* **early stopping**: gradient descent from w = 0, stopped after t steps (:func:`gd_least_squares` gives the
  iterates in closed form; :func:`early_stopping` picks the step from validation errors);
* **ensembling**: bootstrap fits averaged (:func:`bootstrap_fits`);
* **the Bayesian view**: a Gaussian prior on w is an L2 regulariser; the posterior and the posterior
  predictive have closed forms (:func:`bayes_posterior`, :func:`bayes_predictive`);
* **data augmentation**: shifted copies of 1-D signals (:func:`augment_shifts`);
* **noise injection** into the inputs of the hinge model: the exact mean and covariance of its features at
  noisy inputs (:func:`input_noise_moments`), and the fit that minimises the loss averaged over the noise
  (:func:`input_noise_fit`), which is least squares plus the quadratic penalty wᵀCw;
* **multi-task and transfer learning** with a linear layer on top of fixed features: the rank-r layer that
  serves many related tasks best, learnt from their data at once (:func:`multitask_basis`), whose r outputs a new
  task with few data then uses as its features.

And for the **implicit regularisation** of gradient descent with a finite step α, which follows the gradient
flow of the modified loss L + (α/4)|∇L|² more closely than the flow of L itself:
:func:`gradient_descent`, :func:`gradient_flow`, :func:`modified_gradient` and a two-parameter toy loss
:func:`product_loss` whose minima form a curve of sharp and flat points.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validate import array as _array
from ._validate import function, interval, non_negative, number, positive, random_seed, size

__all__ = [
    "ridge",
    "ridge_path",
    "gd_least_squares",
    "early_stopping",
    "bootstrap_fits",
    "bayes_posterior",
    "bayes_predictive",
    "augment_shifts",
    "input_noise_moments",
    "input_noise_fit",
    "multitask_basis",
    "product_loss",
    "gradient_descent",
    "gradient_flow",
    "modified_gradient",
]


# --------------------------------------------------------------------------------------------- checks
def _design(phi, y, y_ndim=(1, 2)):
    phi = _array("phi", phi, 2, empty=False)
    y = _array("y", y, y_ndim)
    if y.shape[0] != phi.shape[0]:
        raise ValueError(f"y must have one row per row of phi ({phi.shape[0]}), got shape {y.shape}")
    return phi, y


def _svd(phi, rcond):
    u, s, vt = np.linalg.svd(phi, full_matrices=False)
    keep = s > rcond * (s[0] if len(s) else 0.0)
    return u, s, vt, keep


# -------------------------------------------------------------------------------------- L2 / ridge
def ridge(phi, y, lam: float, rcond: float = 1e-10):
    """Ridge regression: the w that minimises |Φw − y|² + λ|w|², that is (ΦᵀΦ + λI)⁻¹Φᵀy.

    ``phi`` (N, P), ``y`` (N,) or (N, m). Computed from the SVD Φ = U S Vᵀ as w = V diag(s/(s² + λ)) Uᵀy,
    which stays accurate for tiny λ and P > N; λ = 0 gives the minimum-norm least-squares solution Φ⁺y
    (singular values below ``rcond`` times the largest count as zero). As λ → ∞, w → 0.
    """
    phi, y = _design(phi, y)
    return _ridge_path(phi, y, [non_negative("lam", lam)], non_negative("rcond", rcond))[0]


def ridge_path(phi, y, lams, rcond: float = 1e-10):
    """Ridge solutions for every λ in ``lams`` from one SVD; shape (len(lams), P) or (len(lams), P, m)."""
    phi, y = _design(phi, y)
    lams = _array("lams", lams, (0, 1), empty=False, low=0).reshape(-1).tolist()
    return _ridge_path(phi, y, lams, non_negative("rcond", rcond))


def _ridge_path(phi, y, lams, rcond):
    """:func:`ridge_path` on checked arguments."""
    u, s, vt, keep = _svd(phi, rcond)
    uty = u.T @ y  # (r,) or (r, m)
    out = []
    for lam in lams:
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(keep, s / (s**2 + lam), 0.0)
        out.append(vt.T @ (gain.reshape((-1,) + (1,) * (uty.ndim - 1)) * uty))
    return np.array(out)


# ------------------------------------------------------------------------------------ early stopping
def gd_least_squares(phi, y, lr: float, steps, w0=None):
    """Gradient-descent iterates on L(w) = |Φw − y|² (gradient 2Φᵀ(Φw − y)) after each number of ``steps``.

    Exact, in closed form: in the SVD basis each coordinate moves independently, and from ``w0`` (default 0)
    w_t = w* + V (1 − 2α s²)^t Vᵀ(w0 − w*) for the minimum-norm solution w* (in the null space of Φ nothing
    moves). Returns shape (len(steps), P). Stable when α < 1/s_max²; larger steps raise a ValueError.
    """
    phi, y = _design(phi, y, 1)
    lr = positive("lr", lr)
    steps = _array("steps", steps, (0, 1), low=0, integral=True).reshape(-1)
    u, s, vt, keep = _svd(phi, 1e-12)
    if lr * s[0] ** 2 >= 1:
        raise ValueError(
            f"lr = {lr} is too large for phi: gradient descent diverges unless lr < 1/s_max(phi)^2 = {1 / s[0] ** 2:.4g}"
        )
    w0 = np.zeros(phi.shape[1]) if w0 is None else _array("w0", w0, shape=(phi.shape[1],))
    u, s, vt = u[:, keep], s[keep], vt[keep]
    w_star = vt.T @ ((u.T @ y) / s)
    start = vt @ (w0 - w_star)  # coordinates that move
    decay = (1.0 - 2.0 * lr * s**2)[None, :] ** steps.astype(float)[:, None]
    return w0 + (vt.T @ ((decay - 1.0) * start).T).T


def early_stopping(val_errors, patience: int | None = None) -> int:
    """The index at which to stop, given validation errors recorded during training.

    Without ``patience`` it is the index of the smallest error. With ``patience`` = k, training is imagined
    to stop the first time the error has not improved for k evaluations in a row, and the best index seen
    up to then is returned (what a training loop that keeps the best checkpoint would give back).
    """
    val = _array("val_errors", val_errors, 1, empty=False)
    if patience is None:
        return int(np.argmin(val))
    patience = size("patience", patience)
    best, waited = 0, 0
    for i in range(1, len(val)):
        if val[i] < val[best]:
            best, waited = i, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best


# ------------------------------------------------------------------------------------------ ensembles
def bootstrap_fits(phi, y, n_models: int, lam: float = 0.0, seed: int = 0):
    """Bagging: ``n_models`` ridge fits, each to a bootstrap resample (N rows drawn with replacement).

    Returns the weights, shape (n_models, P); the ensemble predicts ``(phi_test @ W.T).mean(axis=1)``.
    """
    phi, y = _design(phi, y)
    n_models, lam = size("n_models", n_models), non_negative("lam", lam)
    rng = np.random.default_rng(random_seed("seed", seed))
    n = phi.shape[0]
    return np.array([_ridge_path(phi[idx], y[idx], [lam], 1e-10)[0] for idx in rng.integers(0, n, size=(n_models, n))])


# ------------------------------------------------------------------------------------ Bayesian view
def bayes_posterior(phi, y, prior_std: float, noise_std: float):
    """Posterior of the weights of y = Φw + ε, with prior w ~ N(0, σ_p² I) and noise ε ~ N(0, σ² I).

    Returns ``(mean, cov)``: cov = (ΦᵀΦ/σ² + I/σ_p²)⁻¹ and mean = cov Φᵀy/σ². The mean is the ridge solution
    with λ = σ²/σ_p².
    """
    phi, y = _design(phi, y, 1)
    prior_var = np.square(positive("prior_std", prior_std))  # (np.square: inf, not an OverflowError)
    noise_var = np.square(positive("noise_std", noise_std))
    precision = phi.T @ phi / noise_var + np.eye(phi.shape[1]) / prior_var
    chol = np.linalg.cholesky(precision)
    inv_chol = np.linalg.solve(chol, np.eye(phi.shape[1]))
    cov = inv_chol.T @ inv_chol
    cov = 0.5 * (cov + cov.T)
    return cov @ (phi.T @ y) / noise_var, cov


def bayes_predictive(phi_test, mean, cov, noise_std: float = 0.0):
    """The posterior predictive at new inputs: Gaussian with mean Φ*μ and variance diag(Φ* Σ Φ*ᵀ) + σ².

    ``noise_std`` = 0 gives the uncertainty of the function itself; the noise standard deviation gives that
    of a new observation. Returns ``(mean, variance)``, each of shape (T,).
    """
    phi_test = _array("phi_test", phi_test, 2)
    p = phi_test.shape[1]  # features
    mean = _array("mean", mean, shape=(p,), like="phi_test's columns")
    cov = _array("cov", cov, shape=(p, p), like="phi_test's columns")
    noise_var = np.square(non_negative("noise_std", noise_std))
    var = np.einsum("tp,pq,tq->t", phi_test, cov, phi_test) + noise_var
    return phi_test @ mean, np.maximum(var, 0.0)


# ------------------------------------------------------------------------------------- augmentation
def augment_shifts(x, y, shifts):
    """Data augmentation for 1-D signals: the data plus a copy circularly shifted by each of ``shifts``.

    ``x`` (N, L) signals, ``y`` (N,) labels. Returns ``(x_aug, y_aug)`` with (1 + len(shifts))·N rows: the
    originals first, then one block per shift (``np.roll`` along the signal; a shift of 0 is allowed).
    """
    x = _array("x", x, 2)
    y = np.asarray(y)
    if y.shape[:1] != x.shape[:1]:
        raise ValueError(f"y must hold one label per signal of x ({x.shape[0]}), got shape {y.shape}")
    shifts = [int(k) for k in _array("shifts", shifts, (0, 1), integral=True).reshape(-1)]
    xs = [x] + [np.roll(x, k, axis=1) for k in shifts]
    return np.concatenate(xs), np.concatenate([y] * len(xs))


# ---------------------------------------------------------------------------------- noise injection
def input_noise_moments(x, n_hidden: int, noise_std: float, x_range=(0.0, 1.0)):
    """The features of the hinge model (:func:`kan_edu.performance.hinge_features`) at noisy inputs x + ε,
    ε ~ N(0, σ²): their exact means, one row per input, and their covariances summed over the inputs.

    Returns ``(mean, cov)`` of shapes (N, D + 1) and (D + 1, D + 1). For u = x + ε − k ~ N(μ, σ²) with
    μ = x − k, t = μ/σ: E[relu(u)] = μΦ(t) + σφ(t) and E[relu(u)²] = (μ² + σ²)Φ(t) + μσφ(t); two hinges at
    joints k < k' share the same ε, and relu(u)·relu(u') = relu(u')² + (k' − k)·relu(u'). So the expected
    loss Σᵢ E[(h(xᵢ + εᵢ)ᵀw − yᵢ)²] is |Φ̄w − y|² + wᵀCw: least squares at the mean features plus a penalty.
    """
    from scipy.special import ndtr  # the standard normal's cdf, without scipy.stats' overhead

    x = _array("x", x, 1, empty=False)
    n_hidden = size("n_hidden", n_hidden)
    noise_std = non_negative("noise_std", noise_std)
    lo, hi = interval("x_range", x_range)
    joints = lo + (hi - lo) * np.arange(n_hidden) / n_hidden
    mu = x[:, None] - joints  # (N, D): the mean of each hinge's argument
    if noise_std == 0.0:  # no noise: the features themselves, and no spread
        return np.concatenate([np.ones((len(x), 1)), np.maximum(mu, 0.0)], axis=1), np.zeros((n_hidden + 1,) * 2)
    t = mu / noise_std
    cdf, pdf = ndtr(t), np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi)
    first = mu * cdf + noise_std * pdf  # E relu(u)
    second_same = (mu**2 + noise_std**2) * cdf + mu * noise_std * pdf  # E relu(u)^2
    # E[relu(u_j) relu(u_l)] for j <= l (joint l to the right): E relu(u_l)^2 + (k_l - k_j) E relu(u_l)
    later = np.maximum.outer(np.arange(n_hidden), np.arange(n_hidden))  # the index of the joint further right
    gap = np.abs(joints[:, None] - joints[None, :])
    second = second_same[:, later] + gap * first[:, later]  # (N, D, D)
    mean = np.concatenate([np.ones((len(x), 1)), first], axis=1)
    hinge_cov = second - first[:, :, None] * first[:, None, :]
    cov = np.zeros((n_hidden + 1, n_hidden + 1))
    cov[1:, 1:] = hinge_cov.sum(axis=0)  # the constant feature has no variance
    return mean, (cov + cov.T) / 2.0


def input_noise_fit(x, y, n_hidden: int, noise_std: float, x_range=(0.0, 1.0), rcond: float = 1e-10):
    """The hinge model's weights that minimise the squared loss averaged over Gaussian input noise:
    argmin Σᵢ E_ε[(h(xᵢ + ε)ᵀw − yᵢ)²] = argmin |Φ̄w − y|² + wᵀCw (see :func:`input_noise_moments`).

    This is what training on ever more noisy copies of the data converges to. The smallest-norm minimiser is
    returned (with ``noise_std=0`` it is the minimum-norm least-squares fit). Shape (D + 1,).
    """
    x = _array("x", x, 1, empty=False)
    y = _array("y", y, shape=(len(x),), like="x")
    mean, cov = input_noise_moments(x, n_hidden, noise_std, x_range)
    rcond = non_negative("rcond", rcond)
    lam, vecs = np.linalg.eigh(cov)
    root = np.sqrt(np.clip(lam, 0.0, None))[:, None] * vecs.T  # rootᵀ root = cov
    stacked = np.concatenate([mean, root])
    return np.linalg.lstsq(stacked, np.concatenate([y, np.zeros(len(root))]), rcond=rcond)[0]


# ---------------------------------------------------------------------------------- multi-task learning
def multitask_basis(phi, y, rank: int, lam: float = 1e-3, rcond: float = 1e-10):
    """The shared layer of a multi-task linear network, learnt from T related tasks observed at the same inputs
    (``y`` of shape (N, T), one column per task).

    The network maps the features ``phi`` (N, P) through a layer B (P, r) to r shared units, and each task t
    reads them out with its own head a_t: predictions Φ B a_t, all tasks' weights W = B A of rank at most r.
    Each task is first fitted alone (ridge with the small ``lam``, which keeps this well posed when P > N), and
    B keeps the top ``rank`` right singular directions of the fitted values ΦŴ: Φ B spans their top left
    singular vectors. With ``lam=0`` and ΦᵀΦ invertible this is reduced-rank regression, the exact minimiser of
    Σ_t |Φ w_t − y_t|² over all W of rank ≤ r (Eckart-Young, as the residual of Ŵ is orthogonal to Φ's columns).
    Returns B (P, r), scaled so that the shared units have unit mean square on these inputs: (Φ B)ᵀ(Φ B)/N = I.
    """
    phi, y = _design(phi, y, y_ndim=2)
    rank = size("rank", rank, maximum=min(phi.shape[1], y.shape[1]))
    rcond = number("rcond", rcond, low=0, high=1, high_open=True)  # a relative cut-off: 1 or more keeps nothing
    W = ridge(phi, y, lam, rcond)  # (P, T): every task fitted alone
    fitted = phi @ W
    if not np.all(np.isfinite(fitted)):
        raise ValueError("phi and y are too large: the tasks' fits overflow")
    _, s, vt = np.linalg.svd(fitted, full_matrices=False)
    if not s[rank - 1] > rcond * s[0]:
        raise ValueError(f"phi and y: the tasks' fits have fewer than rank={rank} independent directions")
    B = W @ vt[:rank].T  # (P, r): Φ B = U_r S_r
    return B * (np.sqrt(len(phi)) / s[:rank])


# --------------------------------------------------------------------------- implicit regularisation
def product_loss(theta):
    """A toy loss of two parameters, L(a, b) = ½(ab − 1)², with its gradient and Hessian.

    Its minima form the hyperbola ab = 1. At a minimum the Hessian's largest eigenvalue is a² + b², so the
    minima are flattest at a = b = ±1 and sharper further out. Returns ``(L, grad (2,), hess (2, 2))``.
    """
    a, b = _array("theta", theta, shape=(2,))
    r = a * b - 1.0
    grad = np.array([r * b, r * a])
    hess = np.array([[b * b, 2 * a * b - 1.0], [2 * a * b - 1.0, a * a]])
    return 0.5 * r * r, grad, hess


def gradient_descent(grad: Callable, theta0, lr: float, steps: int):
    """Plain gradient descent θ ← θ − α∇L(θ); returns the path, shape (steps + 1, P)."""
    lr = positive("lr", lr)
    steps, grad = size("steps", steps, minimum=0), function("grad", grad, "grad(theta) -> gradient")
    theta = _array("theta0", theta0, 1).copy()
    path = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * np.asarray(grad(theta), dtype=float)
        path.append(theta.copy())
    return np.array(path)


def gradient_flow(grad: Callable, theta0, duration: float, n_steps: int = 1000):
    """The gradient flow dθ/dt = −∇L(θ) from θ0 for a time ``duration``, integrated with ``n_steps`` classical
    Runge-Kutta (RK4) steps. Returns the path at times 0, h, ..., duration: shape (n_steps + 1, P)."""
    duration = non_negative("duration", duration)
    n_steps, grad = size("n_steps", n_steps), function("grad", grad, "grad(theta) -> gradient")
    theta = _array("theta0", theta0, 1).copy()
    h = duration / n_steps

    def f(t):
        return -np.asarray(grad(t), dtype=float)

    path = [theta.copy()]
    for _ in range(n_steps):
        k1 = f(theta)
        k2 = f(theta + 0.5 * h * k1)
        k3 = f(theta + 0.5 * h * k2)
        k4 = f(theta + h * k3)
        theta = theta + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        path.append(theta.copy())
    return np.array(path)


def modified_gradient(grad: Callable, hess: Callable, lr: float) -> Callable:
    """The gradient of the modified loss L̃ = L + (α/4)|∇L|², which is ∇L + (α/2) H ∇L (H the Hessian of L).

    Gradient descent with step α stays within O(α²) of the gradient flow of L̃ over a fixed time, but only
    within O(α) of the flow of L.
    """
    lr = non_negative("lr", lr)
    function("grad", grad, "grad(theta) -> gradient")
    function("hess", hess, "hess(theta) -> Hessian")

    def g(theta):
        gr = np.asarray(grad(theta), dtype=float)
        return gr + 0.5 * lr * np.asarray(hess(theta), dtype=float) @ gr

    return g
