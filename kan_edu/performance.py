"""kan_edu.performance: measuring how well a model generalises (UDL chapter 8), in numpy.

Three experiments that run in well under a second each:

* **Bias and variance.** A procedural 1-D regression problem (:func:`target_1d`, :func:`sample_1d`) is fitted
  by least squares with a *hinge model* of D evenly spaced ReLU joints (:func:`hinge_features`, the shallow
  network of chapter 3 with its first layer fixed). Fitting many seeded data sets gives, at every test input,
  the spread of the fits; :func:`decompose` splits the expected test error into noise + bias² + variance,
  and :func:`bias_variance_components` prepares the predictions for any noise level at once (least squares is
  linear in the targets).
* **Double descent.** Minimum-norm least squares on random ReLU features (:func:`random_relu_features`,
  :func:`double_descent`): the test error rises towards the interpolation threshold (features = data points)
  and falls again beyond it. The book's run on scikit-learn's digits ships as JSON
  (:data:`DOUBLE_DESCENT`, :func:`run_double_descent`, :func:`double_descent_results`).
* **High-dimensional geometry.** The volume of a ball (:func:`ball_volume`), the fraction of it near its
  surface (:func:`shell_fraction`), and how pairwise distances concentrate as the dimension grows
  (:func:`pairwise_distances`, :func:`distance_concentration`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

from ._validate import array as _array
from ._validate import choice, flag, interval, non_negative, number, random_seed, size

#: The largest label noise :func:`bias_variance` takes: beyond it σ·(noise fit) overflows float64.
MAX_NOISE = 1e100

__all__ = [
    "target_1d",
    "sample_1d",
    "hinge_features",
    "least_squares",
    "decompose",
    "bias_variance_components",
    "bias_variance",
    "monte_carlo_test_error",
    "random_relu_features",
    "double_descent",
    "DOUBLE_DESCENT",
    "digits_data",
    "run_double_descent",
    "double_descent_results",
    "ball_volume",
    "shell_fraction",
    "pairwise_distances",
    "distance_concentration",
]


# --------------------------------------------------------------------------------------------- checks
# ----------------------------------------------------------------------------------- the 1-D problem
def target_1d(x):
    """The true function of the chapter's regression problem: exp(sin 2πx) − 1 (smooth, one bump and one dip)."""
    x = _array("x", x)
    return np.exp(np.sin(2 * np.pi * x)) - 1.0


def sample_1d(n: int, noise_std: float, seed: int = 0, x_range=(0.0, 1.0), design: str = "stratified"):
    """A noisy training set ``(x, y)`` of ``n`` points: y = target_1d(x) + noise_std · ε, ε ~ N(0, 1).

    ``design="stratified"`` puts one uniform point in each of n equal cells of ``x_range`` (no big gaps, so
    the least-squares fits stay well posed); ``"uniform"`` draws the inputs independently; ``"grid"`` uses the
    cell centres (only the noise is random). ``x`` is sorted.
    """
    n = size("n", n)
    noise_std = non_negative("noise_std", noise_std)
    lo, hi = interval("x_range", x_range)
    choice("design", design, ("stratified", "uniform", "grid"))
    rng = np.random.default_rng(random_seed("seed", seed))
    if design == "stratified":
        u = (np.arange(n) + rng.uniform(size=n)) / n
    elif design == "uniform":
        u = np.sort(rng.uniform(size=n))
    else:  # "grid"
        u = (np.arange(n) + 0.5) / n
    x = lo + (hi - lo) * u
    return x, target_1d(x) + noise_std * rng.normal(size=n)


def hinge_features(x, n_hidden: int, x_range=(0.0, 1.0)):
    """The design matrix of a hinge model with ``n_hidden`` ReLU joints evenly spaced on ``x_range``.

    Columns: a constant, then ``relu(x − k_d)`` for joints k_d = lo + d·(hi − lo)/D, d = 0..D−1. The first
    hinge starts at ``lo``, so on ``x_range`` the model is a continuous piecewise-linear function with D
    pieces and D + 1 parameters. Shape (N, D + 1), also for a stack of inputs (..., N) → (..., N, D + 1).
    """
    x = _array("x", x)
    n_hidden = size("n_hidden", n_hidden)
    lo, hi = interval("x_range", x_range)
    joints = lo + (hi - lo) * np.arange(n_hidden) / n_hidden
    hinges = np.maximum(x[..., None] - joints, 0.0)
    return np.concatenate([np.ones(x.shape + (1,)), hinges], axis=-1)


def least_squares(phi, y, rcond: float = 1e-10):
    """Minimum-norm least-squares coefficients: argmin |Φw − y|², the smallest |w| among ties.

    ``phi`` (N, P), ``y`` (N,) or (N, m). Singular values below ``rcond`` times the largest count as zero
    (numpy's ``lstsq``), so the answer is the pseudo-inverse solution Φ⁺y also when P > N.
    """
    phi = _array("phi", phi, 2)
    y = _array("y", y, (1, 2))
    if y.shape[0] != phi.shape[0]:
        raise ValueError(f"y must have one row per row of phi ({phi.shape[0]}), got shape {y.shape}")
    return np.linalg.lstsq(phi, y, rcond=number("rcond", rcond, low=0))[0]


# ------------------------------------------------------------------------------------ bias, variance
def decompose(predictions, f_test, noise_std: float) -> dict:
    """Split the expected squared test error of many fitted models into noise + bias² + variance.

    ``predictions`` (K, T): K models (each fitted to its own training set) evaluated at T test inputs;
    ``f_test`` (T,): the true function there; ``noise_std``: σ of the label noise. Averaged over the T inputs:

    * ``bias2``    = mean_t (mean_k f̂_k(x_t) − f(x_t))²
    * ``variance`` = mean_t mean_k (f̂_k(x_t) − mean_k f̂_k(x_t))²   (population variance over the K fits)
    * ``noise``    = σ²,   ``total`` = noise + bias2 + variance.

    ``bias2 + variance`` equals mean_k mean_t (f̂_k − f)² exactly, and ``total`` is then the expected error
    against fresh noisy targets y = f + σε.
    """
    predictions = _array("predictions", predictions, 2)
    f_test = _array("f_test", f_test, 1)
    if predictions.shape[1] != f_test.shape[0]:
        raise ValueError(f"predictions have {predictions.shape[1]} test points but f_test has {f_test.shape[0]}")
    noise = np.square(non_negative("noise_std", noise_std))  # (inf, not an OverflowError, for a huge σ)
    mean = predictions.mean(axis=0)
    bias2 = float(np.mean((mean - f_test) ** 2))
    variance = float(np.mean((predictions - mean) ** 2))
    return {"noise": noise, "bias2": bias2, "variance": variance, "total": noise + bias2 + variance}


def bias_variance_components(
    capacities, n_train: int = 15, n_datasets: int = 200, n_test: int = 201, seed: int = 0, x_range=(0.0, 1.0)
) -> dict:
    """Least-squares hinge-model fits to ``n_datasets`` seeded training sets, for every noise level at once.

    Each training set k has stratified inputs X_k and standard-normal noise E_k. Least squares is linear in
    the targets, so the fit to y = f(X_k) + σE_k, evaluated at the test inputs, is ``A + σ·B`` where A fits
    f(X_k) and B fits E_k. Returns ``x_test`` (T,), ``f_test`` (T,), ``capacities`` and arrays ``A``, ``B`` of
    shape (len(capacities), K, T); ``predictions(A, B, σ)[i]`` is what :func:`decompose` takes.
    """
    capacities = [size("capacities[]", c) for c in _array("capacities", capacities, (0, 1), empty=False).reshape(-1)]
    seed = random_seed("seed", seed)
    n_train = size("n_train", n_train, minimum=2)
    n_datasets = size("n_datasets", n_datasets, minimum=2)
    n_test = size("n_test", n_test, minimum=2)
    lo, hi = interval("x_range", x_range)
    xs, noises = [], []
    for k in range(n_datasets):
        x, y = sample_1d(n_train, 1.0, seed=[seed, k], x_range=(lo, hi))
        xs.append(x)
        noises.append(y - target_1d(x))
    X, E = np.array(xs), np.array(noises)  # (K, n)
    x_test = np.linspace(lo, hi, n_test)
    f_test = target_1d(x_test)
    A = np.empty((len(capacities), n_datasets, n_test))
    B = np.empty_like(A)
    for i, D in enumerate(capacities):
        pinv = np.linalg.pinv(hinge_features(X, D, (lo, hi)), rcond=1e-10)  # (K, D + 1, n), stacked
        test_phi = hinge_features(x_test, D, (lo, hi))  # (T, D + 1)
        A[i] = np.einsum("tp,kpn,kn->kt", test_phi, pinv, target_1d(X))
        B[i] = np.einsum("tp,kpn,kn->kt", test_phi, pinv, E)
    return {
        "x_test": x_test,
        "f_test": f_test,
        "capacities": np.array(capacities),
        "A": A,
        "B": B,
        "x_train": X,
        "noise_train": E,
    }


def bias_variance(
    n_hidden: int, noise_std: float, n_train: int = 15, n_datasets: int = 200, n_test: int = 201, seed: int = 0
) -> dict:
    """:func:`decompose` for the hinge model with ``n_hidden`` joints; adds ``predictions`` and ``x_test``."""
    noise_std = number("noise_std", noise_std, 0, MAX_NOISE)  # (larger: the predictions overflow)
    n_hidden = size("n_hidden", n_hidden)
    comp = bias_variance_components([n_hidden], n_train, n_datasets, n_test, seed)
    predictions = comp["A"][0] + noise_std * comp["B"][0]
    out = decompose(predictions, comp["f_test"], noise_std)
    out.update(predictions=predictions, x_test=comp["x_test"], f_test=comp["f_test"])
    return out


def monte_carlo_test_error(predictions, f_test, noise_std: float, n_draws: int = 20, seed: int = 0) -> float:
    """The test error measured directly: mean of (f̂_k(x_t) − y)² over fresh noisy targets y = f(x_t) + σε."""
    predictions = _array("predictions", predictions, 2)
    f_test = _array("f_test", f_test, shape=predictions.shape[1:], like="predictions")
    noise_std = non_negative("noise_std", noise_std)
    rng = np.random.default_rng(random_seed("seed", seed))
    y = f_test + noise_std * rng.normal(size=(size("n_draws", n_draws),) + predictions.shape)
    return float(np.mean((predictions - y) ** 2))


# ------------------------------------------------------------------------------------ double descent
def random_relu_features(x, n_features: int, seed=0, scale: float = 1.0):
    """Random ReLU features relu(x W + b) / √p of inputs ``x`` (N, d) (or (N,) for one input).

    W has independent N(0, scale²/d) entries and b independent N(0, 1/4) entries, drawn from ``seed``: the
    same seed gives the same features, so call it once for the training inputs and once for the test inputs.
    This is a shallow network whose first layer is frozen at random. Shape (N, p).
    """
    x = _array("x", x, (1, 2))
    x = x[:, None] if x.ndim == 1 else x
    p = size("n_features", n_features)
    scale = number("scale", scale, low=0, low_open=True)
    rng = np.random.default_rng(random_seed("seed", seed))
    w = rng.normal(scale=scale / math.sqrt(x.shape[1]), size=(x.shape[1], p))
    b = rng.normal(scale=0.5, size=p)
    return np.maximum(x @ w + b, 0.0) / math.sqrt(p)


def double_descent(
    x,
    targets,
    x_test,
    targets_test,
    widths,
    ridges=(0.0,),
    n_draws: int = 3,
    seed: int = 0,
    scale: float = 1.0,
    rcond: float = 1e-10,
) -> dict:
    """Least squares on random ReLU features of growing width: train and test errors, for several ridges.

    ``targets`` (N, m), for example one-hot labels, or (S, N, m) for S target sets that share the inputs (for
    example clean and noisy labels); ``targets_test`` (T, m) or (S, T, m). For every width p, ``n_draws``
    seeded feature draws are fitted with w = argmin |Φw − Y|² + λ|w|² for each λ in ``ridges``; λ = 0 is the
    minimum-norm solution (one SVD serves every λ). Returns ``widths``, ``ridges`` and arrays of shape
    (S, len(widths), n_draws, len(ridges)) (no S axis for 2-D targets):

    * ``train_mse``, ``test_mse``: squared error per example, summed over the m outputs;
    * ``test_error``: the fraction of test examples whose largest output is not the target's largest entry
      (the classification error, when the targets are one-hot);
    * ``weight_norm``: |w| (Frobenius norm over the m outputs).
    """
    x = _array("x", x, (1, 2))
    x_test = _array("x_test", x_test, (1, 2))
    y = _array("targets", targets, (2, 3))
    y_test = _array("targets_test", targets_test, (2, 3))
    single = y.ndim == 2
    y = y[None] if single else y
    y_test = np.broadcast_to(y_test, (y.shape[0],) + y_test.shape[-2:]) if y_test.ndim == 2 else y_test
    if (
        y.shape[1] != len(x)
        or y_test.shape[1] != len(x_test)
        or y_test.shape[0] != y.shape[0]
        or y.shape[2] != y_test.shape[2]
    ):
        raise ValueError(
            f"shapes do not match: x {x.shape}, targets {y.shape}, x_test {x_test.shape}, targets_test {y_test.shape}"
        )
    ridges = _array("ridges", ridges, (0, 1), empty=False, low=0).reshape(-1).tolist()
    widths = [size("widths[]", w) for w in _array("widths", widths, (0, 1), empty=False).reshape(-1).tolist()]
    n_draws, seed = size("n_draws", n_draws), random_seed("seed", seed)
    rcond = number("rcond", rcond, low=0)
    S, N, m = y.shape
    stacked = y.transpose(1, 0, 2).reshape(N, S * m)  # all target sets as columns
    truth = y_test.argmax(axis=2)  # (S, T)
    shape = (S, len(widths), n_draws, len(ridges))
    out = {k: np.empty(shape) for k in ("train_mse", "test_mse", "test_error", "weight_norm")}
    for i, p in enumerate(widths):
        for j in range(n_draws):
            draw = [seed, p, j]
            phi = random_relu_features(x, p, draw, scale)
            phi_test = random_relu_features(x_test, p, draw, scale)
            u, s, vt = np.linalg.svd(phi, full_matrices=False)
            keep = s > rcond * s[0]
            u, s, vt = u[:, keep], s[keep], vt[keep]
            uty = u.T @ stacked
            for k, lam in enumerate(ridges):
                w = vt.T @ ((s / (s**2 + lam))[:, None] * uty)  # (p, S·m)
                fit = (phi @ w).reshape(N, S, m).transpose(1, 0, 2)
                pred = (phi_test @ w).reshape(len(x_test), S, m).transpose(1, 0, 2)
                out["train_mse"][:, i, j, k] = np.mean(np.sum((fit - y) ** 2, axis=2), axis=1)
                out["test_mse"][:, i, j, k] = np.mean(np.sum((pred - y_test) ** 2, axis=2), axis=1)
                out["test_error"][:, i, j, k] = np.mean(pred.argmax(axis=2) != truth, axis=1)
                out["weight_norm"][:, i, j, k] = np.sqrt(np.sum(w.reshape(p, S, m) ** 2, axis=(0, 2)))
    if single:
        out = {k: v[0] for k, v in out.items()}
    out.update(widths=np.array(widths), ridges=np.array(ridges))
    return out


#: The double-descent experiment whose results ship with the book (``experiments/part1_double_descent.py``
#: writes them to ``kan_edu/data_files/part1_double_descent.json``): random ReLU features on 200 of
#: scikit-learn's 8×8 digits, clean labels and labels of which 20 % were redrawn at random.
DOUBLE_DESCENT = {
    "n_train": 200,
    "n_test": 500,
    "label_noise": 0.2,
    "widths": tuple(sorted({int(w) for w in np.round(np.geomspace(10, 3000, 25))} | {200})),
    "ridges": (0.0, 1e-3, 1e-1),
    "n_draws": 7,
    "seed": 0,
    "scale": 1.0,
}
_DD_FILE = "data_files/part1_double_descent.json"


def digits_data(n_train: int = 200, n_test: int = 500, label_noise: float = 0.2, seed: int = 0):
    """scikit-learn's 8×8 digits (shipped with the package) split at random, pixels scaled to [0, 1].

    Returns ``(x, targets, x_test, targets_test)``: ``x`` (n_train, 64); ``targets`` (2, n_train, 10) one-hot,
    first with the true labels and then with a fraction ``label_noise`` of them redrawn uniformly at random
    (so about 90 % of those redrawn end up wrong); ``targets_test`` (n_test, 10) one-hot, always clean.
    """
    from .data import digits

    n_train = size("n_train", n_train)
    n_test = size("n_test", n_test)
    label_noise = number("label_noise", label_noise, low=0, high=1)
    x, labels = digits()
    if n_train + n_test > len(x):
        raise ValueError(f"n_train + n_test must be at most {len(x)}, got {n_train + n_test}")
    rng = np.random.default_rng([random_seed("seed", seed), 8])
    order = rng.permutation(len(x))
    train, test = order[:n_train], order[n_train : n_train + n_test]
    noisy = labels[train].copy()
    flip = rng.uniform(size=n_train) < label_noise
    noisy[flip] = rng.integers(0, 10, size=int(flip.sum()))
    eye = np.eye(10)
    return x[train], np.stack([eye[labels[train]], eye[noisy]]), x[test], eye[labels[test]]


def run_double_descent(**setup) -> dict:
    """Run the digits double-descent experiment (:data:`DOUBLE_DESCENT`, overridden by ``setup``) and summarise
    it over the feature draws: for each metric of :func:`double_descent`, the median and the quartiles, as
    nested lists of shape (label set, width, ridge) with label sets ``("clean", "noisy")``. JSON-ready.
    """
    unknown = set(setup) - set(DOUBLE_DESCENT)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; choose from {sorted(DOUBLE_DESCENT)}")
    cfg = {**DOUBLE_DESCENT, **setup}
    x, targets, x_test, targets_test = digits_data(cfg["n_train"], cfg["n_test"], cfg["label_noise"], cfg["seed"])
    res = double_descent(
        x, targets, x_test, targets_test, cfg["widths"], cfg["ridges"], cfg["n_draws"], cfg["seed"], cfg["scale"]
    )
    out = {
        "setup": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
        "label_sets": ["clean", "noisy"],
    }
    for key in ("train_mse", "test_mse", "test_error", "weight_norm"):
        q1, med, q3 = np.percentile(res[key], [25, 50, 75], axis=2)
        out[key] = {"median": med.tolist(), "q1": q1.tolist(), "q3": q3.tolist()}
    return out


def double_descent_results() -> dict:
    """The shipped results of :func:`run_double_descent` with the defaults; lists become numpy arrays."""
    import json
    from importlib.resources import files

    raw = json.loads(files("kan_edu").joinpath(_DD_FILE).read_text(encoding="utf-8"))
    out = {
        "setup": raw["setup"],
        "label_sets": raw["label_sets"],
        "widths": np.array(raw["setup"]["widths"]),
        "ridges": np.array(raw["setup"]["ridges"]),
    }
    for key in ("train_mse", "test_mse", "test_error", "weight_norm"):
        out[key] = {stat: np.array(v) for stat, v in raw[key].items()}
    return out


# ---------------------------------------------------------------------------- high-dimensional space
def ball_volume(dim: int, radius: float = 1.0, log: bool = False) -> float:
    """Volume of the ``dim``-dimensional ball: π^(d/2) r^d / Γ(d/2 + 1); its natural log with ``log=True``
    (the volume itself underflows to 0 beyond a few hundred dimensions for r < 1)."""
    dim, radius, log = size("dim", dim), number("radius", radius, low=0), flag("log", log)
    if radius == 0:
        return -math.inf if log else 0.0
    value = 0.5 * dim * math.log(math.pi) + dim * math.log(radius) - float(gammaln(0.5 * dim + 1))
    return value if log else (math.exp(value) if value < 709.0 else math.inf)  # e^710 overflows a float


def shell_fraction(dim, eps):
    """Fraction of a ``dim``-dimensional ball's volume within ``eps`` (relative) of its surface: 1 − (1 − ε)^d.

    Works elementwise on arrays of dimensions and/or shell widths ε ∈ [0, 1].
    """
    dim = _array("dim", dim, low=1, integral=True)
    eps = _array("eps", eps, low=0, high=1)
    with np.errstate(divide="ignore"):  # eps = 1: log(0) = -inf gives exactly 1
        out = -np.expm1(dim * np.log1p(-eps))
    return float(out) if out.ndim == 0 else out


def pairwise_distances(points):
    """Euclidean distances between all pairs of rows of ``points`` (N, d), as a condensed vector of length
    N(N−1)/2 in the order of ``scipy.spatial.distance.pdist`` (row i with every later row j)."""
    points = _array("points", points, 2)
    sq = np.sum(points**2, axis=1)
    gram = points @ points.T
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * gram, 0.0)
    i, j = np.triu_indices(len(points), k=1)
    return np.sqrt(d2[i, j])


def distance_concentration(dims, n_points: int = 100, seed: int = 0) -> dict:
    """Pairwise distances of ``n_points`` uniform points in the unit cube [0, 1]^d, for each d in ``dims``.

    Returns ``dims``, ``distances`` (a list of condensed distance vectors, each divided by √d, the scale at
    which the mean distance settles near 1/√6 ≈ 0.41) and ``contrast``: (max − min) / min of the distances,
    which shrinks towards 0 as d grows: far and near neighbours become alike.
    """
    dims = [size("dims[]", d) for d in _array("dims", dims, (0, 1), empty=False).reshape(-1)]
    seed = random_seed("seed", seed, sequences=False)
    n_points = size("n_points", n_points, minimum=2)
    distances, contrast = [], []
    for d in dims:
        rng = np.random.default_rng([seed, d])
        dist = pairwise_distances(rng.uniform(size=(n_points, d)))
        distances.append(dist / math.sqrt(d))
        contrast.append(float((dist.max() - dist.min()) / dist.min()) if dist.min() > 0 else math.inf)
    return {"dims": np.array(dims), "distances": distances, "contrast": np.array(contrast)}
