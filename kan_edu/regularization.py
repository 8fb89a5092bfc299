"""kan_edu.regularization: ways to make a model generalise better (UDL chapter 9), in numpy (torch for the
self-supervised encoder).

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
  task with few data then uses as its features;
* **self-supervised learning** on unlabelled 1-D signals: hide a random stretch of each signal
  (:func:`mask_signals`) and train a small encoder and decoder to fill it in (:func:`masked_pretext_train`);
  the same network trained on labels alone is the baseline (:func:`train_classifier`);
  the encoder's features (:func:`apply_network`) are then read out by a linear probe, multinomial logistic regression
  with an L2 penalty, fitted to a few labelled examples (:func:`linear_probe`).

And for the **implicit regularisation** of gradient descent with a finite step α, which follows the gradient
flow of the modified loss L + (α/4)|∇L|² more closely than the flow of L itself:
:func:`gradient_descent`, :func:`gradient_flow`, :func:`modified_gradient` and a two-parameter toy loss
:func:`product_loss` whose minima form a curve of sharp and flat points.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validate import (
    MAX_SIZE,
    function,
    interval,
    module,
    non_negative,
    number,
    positive,
    random_seed,
    size,
    sizes,
    total_size,
)
from ._validate import array as _array

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
    "mask_signals",
    "masked_pretext_train",
    "train_classifier",
    "apply_network",
    "linear_probe",
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


# ---------------------------------------------------------------------------- self-supervised learning
def mask_signals(x, length: int, seed: int = 0):
    """Hide one random stretch of ``length`` consecutive samples in each signal of ``x`` (N, L).

    The stretch starts at a position drawn uniformly from 0..L − ``length`` (numpy, from ``seed``); hidden
    samples are set to 0. Returns ``(masked, mask)``: the masked signals (N, L) and a boolean array (N, L) that
    is True where a sample was hidden.
    """
    x = _array("x", x, 2, empty=False)
    length = size("length", length, maximum=x.shape[1])
    return _mask_signals(x, length, np.random.default_rng(random_seed("seed", seed)))


def _mask_signals(x, length, rng):
    """:func:`mask_signals` on checked arguments, drawing from the generator ``rng``."""
    start = rng.integers(0, x.shape[1] - length + 1, size=len(x))
    position = np.arange(x.shape[1])
    mask = (position >= start[:, None]) & (position < start[:, None] + length)
    return np.where(mask, 0.0, x), mask


def _check_network(n_in, hidden, n_out, names="hidden"):
    """Refuse widths whose network would only exhaust the memory (the message names the arguments ``names``)."""
    widths = [n_in, *hidden, n_out]
    total_size(names, sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:])), "parameters")


def _encoder(n_in, hidden, seed):
    """The encoder of :func:`masked_pretext_train` and :func:`train_classifier`: ReLU layers ``[n_in, *hidden]``."""
    import torch

    from .nn import mlp

    return torch.nn.Sequential(*mlp([n_in, *hidden], seed=seed), torch.nn.ReLU())


def _adam(params, loss_of_step, steps, lr, betas=(0.9, 0.999), eps=1e-8):
    """``steps`` Adam steps on ``params`` (the update of torch.optim.Adam, written out; unlike that class it does
    not import torch's compiler, which costs seconds once). ``loss_of_step(i)`` returns step i's loss tensor.
    Returns the loss of every step."""
    import torch

    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    losses = []
    for t in range(1, steps + 1):
        loss = loss_of_step(t - 1)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g, m_p, v_p in zip(params, grads, m, v):
                m_p.lerp_(g, 1 - betas[0])  # running mean of the gradient
                v_p.mul_(betas[1]).addcmul_(g, g, value=1 - betas[1])  # and of its square
                denom = (v_p / (1 - betas[1] ** t)).sqrt_().add_(eps)
                p.addcdiv_(m_p, denom, value=-lr / (1 - betas[0] ** t))
        losses.append(loss.item())
    return np.array(losses)


def masked_pretext_train(
    x, hidden=(64, 64), mask_length: int = 8, steps: int = 300, batch_size: int = 128, lr: float = 3e-3, seed: int = 0
):
    """Self-supervised pre-training by masked-signal prediction on unlabelled signals ``x`` (N, L).

    The encoder is an MLP ``[L, *hidden]`` with a ReLU after every layer (:func:`kan_edu.nn.mlp` plus a final
    ReLU), the decoder one linear layer back to L samples. Each step draws ``batch_size`` signals, hides a fresh
    random stretch of ``mask_length`` samples in each (:func:`mask_signals`), and takes an Adam step on the mean
    squared error of the decoder's output *on the hidden samples only*: the network must guess what it cannot
    see from what it can. Everything (weights, batches, masks) is drawn from ``seed``; with ``steps=0`` the
    networks are returned as initialised, the same architecture untrained. Returns ``(encoder, decoder,
    losses)``: two torch modules in float32 on the CPU, without gradients, and the loss of every step (numpy,
    shape (steps,)).
    """
    import torch

    from .nn import mlp

    x = _array("x", x, 2, empty=False)
    hidden = sizes("hidden", hidden)
    mask_length = size("mask_length", mask_length, maximum=x.shape[1])
    steps, batch_size = size("steps", steps, minimum=0), size("batch_size", batch_size)
    total_size("batch_size and x", batch_size * x.shape[1], "samples per batch")
    lr, seed = positive("lr", lr), random_seed("seed", seed, sequences=False)
    _check_network(x.shape[1], hidden, x.shape[1])
    encoder, decoder = _encoder(x.shape[1], hidden, seed), mlp([hidden[-1], x.shape[1]], seed=seed + 1)
    rng = np.random.default_rng(seed)

    def loss_of_step(_):
        batch = x[rng.integers(0, len(x), size=batch_size)]
        masked, mask = _mask_signals(batch, mask_length, rng)
        guess = decoder(encoder(torch.as_tensor(masked, dtype=torch.float32)))
        return ((guess - torch.as_tensor(batch, dtype=torch.float32))[torch.as_tensor(mask)] ** 2).mean()

    losses = _adam([*encoder.parameters(), *decoder.parameters()], loss_of_step, steps, lr)
    return encoder.requires_grad_(False), decoder.requires_grad_(False), losses


def train_classifier(
    x, labels, hidden=(64, 64), n_classes: int | None = None, steps: int = 200, lr: float = 3e-3, seed: int = 0
):
    """The encoder of :func:`masked_pretext_train` (the same architecture and, for the same ``seed``, the same
    initial weights) plus a linear head to ``n_classes`` logits, trained end to end on labelled signals: ``steps``
    full-batch Adam steps on the mean cross-entropy of ``x`` (N, L) and ``labels`` (N,) in 0..K−1 (K defaults to
    the largest label + 1). Returns the network (a torch module without gradients) and the loss of every step.
    """
    import torch

    from .nn import mlp

    x = _array("x", x, 2, empty=False)
    labels = _array("labels", labels, shape=(len(x),), like="x", low=0, high=MAX_SIZE, integral=True).astype(int)
    hidden = sizes("hidden", hidden)
    k = int(labels.max()) + 1 if n_classes is None else size("n_classes", n_classes, minimum=int(labels.max()) + 1)
    steps, lr = size("steps", steps, minimum=0), positive("lr", lr)
    seed = random_seed("seed", seed, sequences=False)
    _check_network(x.shape[1], hidden, k, "hidden, labels and n_classes")
    net = torch.nn.Sequential(*_encoder(x.shape[1], hidden, seed), *mlp([hidden[-1], k], seed=seed + 1))
    x_t, y_t = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(labels)
    losses = _adam(list(net.parameters()), lambda _: torch.nn.functional.cross_entropy(net(x_t), y_t), steps, lr)
    return net.requires_grad_(False), losses


def apply_network(net, x):
    """What the torch network ``net`` computes for the rows of ``x`` (N, L), as a float64 numpy array: the frozen
    features of an encoder, say, or a decoder's output. Runs without gradients, in float32."""
    import torch

    net = module("net", net)
    x = _array("x", x, 2)
    first = next((m for m in net.modules() if isinstance(m, torch.nn.Linear)), None)
    if first is None:
        raise ValueError("net must start with a torch.nn.Linear layer (it reads rows of x), found none")
    if first.weight.device.type != "cpu":
        raise ValueError(f"net must be on the CPU, got {first.weight.device}")
    if x.shape[1] != first.in_features:
        raise ValueError(f"x must have {first.in_features} columns, the inputs of net, got shape {x.shape}")
    with torch.no_grad():
        return net(torch.as_tensor(x, dtype=torch.float32)).double().numpy()


def linear_probe(features, labels, lam: float = 1e-2, n_classes: int | None = None, tol: float = 1e-12):
    """A linear probe: multinomial logistic regression with an L2 penalty on the weights (not the biases).

    Minimises (1/N) Σᵢ −log softmax(W ᵀfᵢ + b)[yᵢ] + (λ/2)|W|², a convex problem, with L-BFGS (scipy) from zero.
    ``features`` (N, P), ``labels`` (N,) integers in 0..K−1 with K = ``n_classes`` (default: the largest label
    + 1). This is scikit-learn's ``LogisticRegression(C=1/(λN))``. L-BFGS stops when a step lowers the loss by
    less than ``tol`` relative to it (smaller is more exact and slower: a small λ on separable data needs many
    steps). Returns ``(W, b)`` of shapes (P, K) and (K,): the class scores of new features F are F @ W + b.
    """
    from scipy.optimize import minimize
    from scipy.special import log_softmax

    features = _array("features", features, 2, empty=False)
    labels = _array(
        "labels", labels, shape=(len(features),), like="features", low=0, high=MAX_SIZE, integral=True
    ).astype(int)
    lam, tol = positive("lam", lam), positive("tol", tol)
    k = int(labels.max()) + 1 if n_classes is None else size("n_classes", n_classes, minimum=int(labels.max()) + 1)
    n, p = features.shape
    total_size("features, labels and n_classes", (p + 1) * k, "weights")
    onehot = np.eye(k)[labels]

    def loss_and_grad(theta):
        W, b = theta[: p * k].reshape(p, k), theta[p * k :]
        logp = log_softmax(features @ W + b, axis=1)
        residual = (np.exp(logp) - onehot) / n
        loss = -np.sum(onehot * logp) / n + 0.5 * lam * np.sum(W * W)
        return loss, np.concatenate([(features.T @ residual + lam * W).ravel(), residual.sum(0)])

    with np.errstate(all="ignore"):  # features too large overflow: refused below
        theta = minimize(
            loss_and_grad,
            np.zeros(p * k + k),
            jac=True,
            method="L-BFGS-B",
            options=dict(maxiter=5000, ftol=tol, gtol=1e-10),
        ).x
    if not np.all(np.isfinite(theta)):
        raise ValueError("features are too large: the probe's fit overflows (standardise them first)")
    return theta[: p * k].reshape(p, k), theta[p * k :]


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
