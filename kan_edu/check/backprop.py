"""Checks for gradients and initialisation (chapter 7): the toy model's backward pass, a variance for leaky ReLU,
backpropagation in matrix form for any activation, the canonical PyTorch training loop, and the variances of the
activations and gradients measured layer by layer."""

from __future__ import annotations

import numpy as np

from .. import backprop
from ._core import answer, close, run

__all__ = ["toy_backward", "leaky_he_variance", "train_loop", "net_gradients", "variance_profile"]


def toy_backward(fn):
    """Check ``fn(x, y, phi)``: the gradient of the toy model's loss, in the order β₀, ω₀, β₁, ω₁, β₂, ω₂."""
    rng = np.random.default_rng(11)
    cases = [(float(rng.normal()), float(rng.normal()), rng.normal(size=6)) for _ in range(3)]
    xs, ys = rng.normal(size=5), rng.normal(size=5)

    def student(x, y, phi):
        return np.asarray(answer(fn, x, y, phi.copy()), dtype=float)

    def part(sl):
        return all(
            close(student(x, y, phi)[sl], backprop.toy_backward(x, y, phi)[sl], rtol=1e-6, atol=1e-9)
            for x, y, phi in cases
        )

    return run(
        "toy_backward",
        [
            (
                "the gradient has 6 entries, one per parameter",
                lambda: student(*cases[0]).shape == (6,),
                "return one derivative per entry of phi, in the same order.",
            ),
            (
                "the derivatives for beta2 and omega2 (the last stage) are right",
                lambda: part(slice(4, 6)),
                "start from the derivative of the squared error with respect to f; f depends linearly on beta2 and omega2.",
            ),
            (
                "the derivatives for beta1 and omega1 are right",
                lambda: part(slice(2, 4)),
                "go back through h2 = sin(z1): multiply by omega2, then by the derivative of sin at the stored z1.",
            ),
            (
                "the derivatives for beta0 and omega0 are right",
                lambda: part(slice(0, 2)),
                "go back through z1 = beta1 + omega1 * h1 and h1 = tanh(z0); the derivative of tanh is 1 - tanh².",
            ),
            (
                "for arrays x and y the gradient is summed over the examples",
                lambda: close(student(xs, ys, cases[0][2]), backprop.toy_backward(xs, ys, cases[0][2]), rtol=1e-6),
                "the loss is a sum over examples, so its gradient is the sum of their gradients (np.sum).",
            ),
        ],
    )


def leaky_he_variance(fn):
    """Check ``fn(fan_in, slope)``: the weight variance that keeps pre-activations level through leaky ReLUs."""

    def value(D, a):
        return float(answer(fn, D, a))

    def keeps_level():
        D, a = 100, 0.3
        s2 = value(D, a)
        z = np.random.default_rng(0).normal(size=200_000)  # pre-activations of mean square 1
        h = np.where(z > 0, z, a * z)
        return np.isfinite(s2) and abs(s2 * D * np.mean(h * h) - 1) < 0.02  # next layer's mean square

    return run(
        "leaky_he_variance",
        [
            ("the answer is a positive number", lambda: value(64, 0.1) > 0, "a variance is positive."),
            (
                "with slope 0 (plain ReLU) it is He's 2 / D",
                lambda: np.isclose(value(64, 0.0), 2 / 64) and np.isclose(value(10, 0.0), 2 / 10),
                "half of the pre-activations are zeroed, so each layer halves the mean square.",
            ),
            (
                "with slope 1 (no nonlinearity) the variance is 1 / D",
                lambda: np.isclose(value(50, 1.0), 1 / 50),
                "a linear layer needs D * sigma² = 1.",
            ),
            (
                "it is right for any slope",
                lambda: all(
                    np.isclose(value(D, a), 2 / (D * (1 + a * a))) for D, a in [(32, 0.2), (100, 0.5), (7, -0.3)]
                ),
                "work out the mean of a(z)² for z ~ N(0, q): the positive half gives q/2, the negative half slope² · q/2.",
            ),
            (
                "a leaky ReLU layer initialised with it keeps the mean square of the pre-activations",
                keeps_level,
                "the next pre-activation sums D terms w * h, each of mean square sigma² times the mean of h².",
            ),
        ],
    )


# ------------------------------------------------------------------ the canonical PyTorch training loop
_LOOP_SETUP = dict(epochs=3, lr=0.05, gamma=0.5)


def _loop_problem():
    """A small regression problem, a seeded network and a loader without shuffling (4 batches: 6, 6, 6, 2)."""
    import torch

    g = torch.Generator().manual_seed(7)
    x = torch.randn(20, 3, generator=g, dtype=torch.float64)
    y = torch.sin(x.sum(1, keepdim=True)) + 0.1 * torch.randn(20, 1, generator=g, dtype=torch.float64)
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1)).double()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=6, shuffle=False)
    return model, loader


def _loop_variant(
    model, loader, epochs, lr, gamma, clear=True, reduction="mean", schedule="epoch", early_schedule=False
):
    """Our own loop, right or with one known mistake; returns (the losses, the final parameters as one vector)."""
    import torch

    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
    losses = []
    for _ in range(epochs):
        if early_schedule:
            sched.step()
        for xb, yb in loader:
            if clear:
                opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(xb), yb, reduction=reduction)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if schedule == "batch":
                sched.step()
        if schedule == "epoch" and not early_schedule:
            sched.step()
    return np.array(losses), torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy().copy()


def train_loop(fn):
    """Check ``fn(model, loader, epochs, lr, gamma) -> losses``: SGD with momentum 0.9 on the mean squared error,
    an ExponentialLR scheduler stepped once per epoch, the loss of every batch (before its step) as numbers."""
    import warnings

    import torch

    def ours(**mistake):
        model, loader = _loop_problem()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns when a scheduler steps before the optimiser
            return _loop_variant(model, loader, **_LOOP_SETUP, **mistake)

    # computed before run(): an error here is the checker's, and raises, rather than being blamed on the reader
    reference = ours()
    other_setup = dict(epochs=2, lr=0.02, gamma=0.8)  # a second setting: the arguments must be used, not assumed
    model_other, loader_other = _loop_problem()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference_other = _loop_variant(model_other, loader_other, **other_setup)
    mistakes = {
        "no_clear": ours(clear=False)[1],
        "sum": ours(reduction="sum")[1],
        "per_batch": ours(schedule="batch")[1],
        "no_schedule": ours(schedule="none")[1],
        "early": ours(early_schedule=True)[1],
    }
    start = torch.nn.utils.parameters_to_vector(_loop_problem()[0].parameters()).detach().numpy()
    results = {}

    def student():
        if "out" not in results:
            model, loader = _loop_problem()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = answer(fn, model, loader, *_LOOP_SETUP.values())
            params = torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy().copy()
            results["out"] = (out, params)
        return results["out"]

    def losses_are_numbers():
        out, _ = student()
        if not isinstance(out, (list, tuple, np.ndarray)) or len(out) != len(reference[0]):
            return False
        return all(isinstance(v, (int, float, np.floating)) for v in out)

    def params():
        return student()[1]

    def uses_its_arguments():
        model, loader = _loop_problem()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = answer(fn, model, loader, *other_setup.values())
        got = torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy()
        return np.allclose(got, reference_other[1], rtol=1e-9, atol=1e-12) and np.allclose(
            np.asarray(out, dtype=float), reference_other[0], rtol=1e-9, atol=1e-12
        )

    def differs(key):
        return not np.allclose(params(), mistakes[key], rtol=1e-9, atol=1e-12)

    return run(
        "train_loop",
        [
            (
                "the function returns a list of 12 Python numbers, the loss of each of the 4 batches in 3 epochs",
                losses_are_numbers,
                "append each batch's loss as a plain number (a tensor that still needs its gradient keeps the whole "
                "graph of the step alive); the loader gives 4 batches per epoch.",
            ),
            (
                "training changes the model's parameters",
                lambda: not np.allclose(params(), start),
                "build the optimiser from model.parameters(), and call its step after the backward pass; "
                "clearing the gradients between backward and step throws them away.",
            ),
            (
                "the gradients are cleared before every backward pass",
                lambda: differs("no_clear"),
                "backward adds to the .grad of every parameter; without clearing them each step, a batch's "
                "gradient also contains those of all the batches before it.",
            ),
            (
                "the loss is the mean squared error over the batch",
                lambda: differs("sum"),
                "the loss of the exercise averages over the examples of the batch (the default reduction).",
            ),
            (
                "the scheduler steps once per epoch",
                lambda: differs("per_batch"),
                "the learning rate decays per epoch: step the scheduler after the loop over the batches, not in it.",
            ),
            (
                "the learning rate decays",
                lambda: differs("no_schedule"),
                "make an ExponentialLR scheduler on the optimiser, and step it.",
            ),
            (
                "the first epoch uses the learning rate lr",
                lambda: differs("early"),
                "step the scheduler at the end of each epoch, not at its start.",
            ),
            (
                "the final parameters and every recorded loss match the reference loop",
                lambda: (
                    np.allclose(params(), reference[1], rtol=1e-9, atol=1e-12)
                    and np.allclose(np.asarray(student()[0], dtype=float), reference[0], rtol=1e-9, atol=1e-12)
                ),
                "use SGD with momentum 0.9, record each batch's loss before the optimiser's step, and take no "
                "extra steps.",
            ),
            (
                "with other arguments (2 epochs, lr = 0.02, gamma = 0.8) it matches the reference loop as well",
                uses_its_arguments,
                "use the epochs, lr and gamma the function is given, not numbers of your own: the loop must train "
                "with any setting.",
            ),
        ],
    )


# ------------------------------------------------------------------ backpropagation for any activation
_ACTIVATIONS = {
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, "tanh"),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z: 1.0 / (1.0 + np.exp(-z)), "softplus"),
    "identity": (lambda z: z, lambda z: np.ones_like(z), "identity"),
}


def _autograd_gradients(params, X, target, name):
    """dL/dOmega_k and dL/dbeta_k of L = sum (f - target)^2 / N, by torch's autograd in float64."""
    import torch

    act = {"tanh": torch.tanh, "softplus": torch.nn.functional.softplus, "identity": lambda z: z}[name]
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W, _ in params]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for _, b in params]
    h = torch.tensor(X, dtype=torch.float64)
    for k, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W.T + b
        if k < len(Ws) - 1:
            h = act(h)
    loss = ((h - torch.tensor(target, dtype=torch.float64)) ** 2).sum() / len(X)
    grads = torch.autograd.grad(loss, Ws + bs)
    n = len(Ws)
    return [(grads[k].numpy(), grads[n + k].numpy()) for k in range(n)]


def net_gradients(fn):
    """Check ``fn(params, X, target, act, act_grad) -> [(dW, db), ...]``: backpropagation in matrix form for a
    network of any depth with the activation ``act`` (slope ``act_grad``) and the loss sum((f - target)^2) / N."""
    rng = np.random.default_rng(71)

    def problem(widths, n=7):
        params = [(rng.normal(size=(o, i)) / np.sqrt(i), rng.normal(size=o) * 0.3) for i, o in zip(widths, widths[1:])]
        return params, rng.normal(size=(n, widths[0])), rng.normal(size=(n, widths[-1]))

    cases = {
        "linear": (problem([3, 2]), "identity"),
        "identity": (problem([3, 5, 2]), "identity"),
        "tanh": (problem([3, 5, 2]), "tanh"),
        "deep": (problem([4, 6, 3, 5, 2]), "tanh"),
        "softplus": (problem([2, 4, 4, 3]), "softplus"),
    }
    # the references, computed before run(): an error here is the checker's own and raises
    reference = {key: _autograd_gradients(*p, name) for key, (p, name) in cases.items()}

    def student(key):
        (params, X, target), name = cases[key]
        act, act_grad, _ = _ACTIVATIONS[name]
        copies = [(W.copy(), b.copy()) for W, b in params]
        out = answer(fn, copies, X.copy(), target.copy(), act, act_grad)
        if not isinstance(out, (list, tuple)) or len(out) != len(params):
            return None
        try:
            return [(np.asarray(dW, dtype=float), np.asarray(db, dtype=float)) for dW, db in out]
        except (TypeError, ValueError):
            return None

    def shapes(key):
        got = student(key)
        params = cases[key][0][0]
        return got is not None and all(
            dW.shape == W.shape and db.shape == b.shape for (dW, db), (W, b) in zip(got, params)
        )

    def matches(key, which=(0, 1), layers=None):
        got = student(key)
        if got is None:
            return False
        ref = reference[key]
        layers = range(len(ref)) if layers is None else layers
        return all(close(got[k][i], ref[k][i], rtol=1e-7, atol=1e-10) for k in layers for i in which)

    return run(
        "net_gradients",
        [
            (
                "the function returns one pair (dL/dOmega_k, dL/dbeta_k) per layer, each of its parameter's shape",
                lambda: shapes("linear") and shapes("deep"),
                "return a list with one (weight gradient, offset gradient) pair per layer, in the order of params; "
                "the weight gradient of a layer has the shape (outputs, inputs) of its weight matrix.",
            ),
            (
                "for a network without hidden layers (a linear model) the offset gradient is right",
                lambda: matches("linear", which=(1,)),
                "the offset's derivative adds up the derivatives at the output over the batch; the loss divides "
                "by N, and its derivative is positive where the output is above the target.",
            ),
            (
                "for a linear model the weight gradient is right",
                lambda: matches("linear", which=(0,)),
                "the weight gradient pairs the derivative at each output unit with the input it multiplied, summed "
                "over the examples: (outputs, N) times (N, inputs).",
            ),
            (
                "with one hidden layer and the identity activation, the first layer's gradients are right",
                lambda: matches("identity"),
                "going down through a layer, each input unit collects the derivatives of all the output units it "
                "feeds, weighted by the weights that connect them; and use the act and act_grad you are given (here "
                "the identity, of slope 1), not a fixed activation.",
            ),
            (
                "with one tanh hidden layer, the output layer's gradients are right",
                lambda: matches("tanh", layers=[1]),
                "the output layer has no activation: start the backward pass from the loss's derivative as it is.",
            ),
            (
                "with one tanh hidden layer, the hidden layer's gradients are right",
                lambda: matches("tanh"),
                "each hidden layer's slope act_grad is evaluated at the pre-activation z that went into it (keep "
                "every z from the forward pass), not at its output h.",
            ),
            (
                "a network with three hidden layers of different widths gets every gradient right",
                lambda: matches("deep"),
                "repeat the step for every layer from the top down, and stop after the first layer (its input "
                "X needs no derivative).",
            ),
            (
                "it works for another activation (softplus) too",
                lambda: matches("softplus"),
                "use the act and act_grad you are given rather than a fixed activation.",
            ),
        ],
    )


# ------------------------------------------------------------------ variances measured layer by layer
_PROFILE_DEPTH, _PROFILE_WIDTH, _PROFILE_BATCH, _PROFILE_SEED = 10, 128, 128, 3


def _profile_problem(multiple):
    """A ReLU MLP of ``_PROFILE_DEPTH`` linear layers (zero offsets, weights of variance ``multiple`` times He's),
    as numpy parameters and as a float64 ``torch.nn.Sequential``, with the batch and the upstream gradient.

    The weights are the same standard normal draws for every ``multiple``, rescaled: a ReLU network without
    offsets is positively homogeneous, so the profiles at ½, 1 and 2 times He's variance are exact geometric
    rescalings of each other and the theory's factor is the only thing that changes. The inputs and the upstream
    gradient are scaled so that, at He's variance, the first layer's mean square and the last hidden layer's
    gradient mean square are exactly 1: there a standard deviation and a variance agree, and only the factor per
    layer at the other two variances tells them apart (the check's hint for that mistake is then the right one).
    """
    import torch

    rng = np.random.default_rng(_PROFILE_SEED)
    D = _PROFILE_WIDTH
    he = [np.sqrt(2.0 / D) * rng.normal(size=(D, D)) for _ in range(_PROFILE_DEPTH)]
    x = rng.normal(size=(_PROFILE_BATCH, D))
    x /= np.sqrt(np.mean((x @ he[0].T) ** 2))
    dout = rng.normal(size=(_PROFILE_BATCH, D))
    _, cache = backprop._forward([(W, np.zeros(D)) for W in he], x)
    dout /= np.sqrt(np.mean(((dout @ he[-1]) * (cache["z"][-2] > 0)) ** 2))
    params = [(np.sqrt(multiple) * W, np.zeros(D)) for W in he]
    layers = []
    for k, (W, b) in enumerate(params):
        linear = torch.nn.Linear(D, D).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear] + ([torch.nn.ReLU()] if k < len(params) - 1 else [])
    return params, torch.nn.Sequential(*layers), x, dout


def _profile_reference(params, x, dout):
    """Mean squares of every layer's pre-activations and of their gradients, by numpy backpropagation."""
    out, cache = backprop._forward(params, x)
    _, dzs = backprop._backward(params, cache, dout)
    return np.array([np.mean(z * z) for z in cache["z"]]), np.array([np.mean(d * d) for d in dzs])


def _log_slope(values):
    """The least-squares slope of log(values) against the layer number: log of the mean factor per layer."""
    return float(np.polyfit(np.arange(len(values)), np.log(values), 1)[0])


def variance_profile(fn):
    """Check ``fn(model, x, dout) -> (forward, backward)``: for every ``nn.Linear`` of a ReLU MLP, in layer order,
    the mean square of its outputs z_k (the pre-activations) over the batch and the units, and the mean square
    of ∂L/∂z_k for L = Σ out · dout, measured by hand on networks at ½, 1 and 2 times He's variance."""
    import torch

    multiples = (0.5, 1.0, 2.0)
    problems = {c: _profile_problem(c) for c in multiples}  # outside run: an error here is the check's own
    reference = {c: _profile_reference(p[0], p[2], p[3]) for c, p in problems.items()}
    n_layers = _PROFILE_DEPTH

    def measured(c):
        _, model, x, dout = _profile_problem(c)  # a fresh model: what the student's code does to it stays there
        out = answer(fn, model, torch.tensor(x), torch.tensor(dout))
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return None
        try:
            pair = [np.array([float(v) for v in (s.detach() if hasattr(s, "detach") else s)]) for s in out]
        except (TypeError, ValueError, RuntimeError):
            return None
        return pair if all(a.shape == (n_layers,) for a in pair) else None

    def positive():
        return all(
            (got := measured(c)) is not None and all(np.all(np.isfinite(a)) and np.all(a > 0) for a in got)
            for c in multiples
        )

    def directions():
        forward, backward = measured(2.0)
        return forward[-1] > forward[0] and backward[0] > backward[-1]

    def level(which, layer):
        return close(measured(1.0)[which][layer], reference[1.0][which][layer], rtol=0.03)

    def theory():
        for c in multiples:
            forward, backward = measured(c)
            factor = np.log(c)  # σ²D/2 is c times He's factor of 1
            if abs(_log_slope(forward) - factor) > 0.2 or abs(_log_slope(backward) + factor) > 0.2:
                return False
        return True

    def every_layer():
        return all(
            close(measured(c)[0], reference[c][0], rtol=0.03) and close(measured(c)[1], reference[c][1], rtol=0.03)
            for c in multiples
        )

    return run(
        "variance_profile",
        [
            (
                f"the function returns two sequences (forward, backward) of {n_layers} numbers, one per nn.Linear "
                "layer of the model",
                lambda: all(measured(c) is not None for c in multiples),
                "return a pair: one number per linear layer for the activations, one per linear layer for the "
                "gradients (average each layer's values into a single number, not one per unit or per example).",
            ),
            (
                "every value is a positive, finite number",
                positive,
                "a mean square is positive; a mean of the raw values (without squaring) is near zero and may be "
                "negative.",
            ),
            (
                "at twice He's variance, the forward values grow from the first layer to the last and the gradients "
                "shrink from the first layer to the last (both listed in layer order)",
                directions,
                "are the two lists swapped, or the gradients listed in the order the backward pass visits the "
                "layers (last layer first)? Both lists run from the first linear layer to the last.",
            ),
            (
                "at He's variance, the first layer's forward value is the mean square of its pre-activations z",
                lambda: level(0, 0),
                "measure the outputs of the linear layers (the pre-activations z, before the ReLU), and average "
                "their squares (a mean absolute value is not a mean square).",
            ),
            (
                "at He's variance, the last hidden layer's gradient value is the mean square of dL/dz there",
                lambda: level(1, n_layers - 2),
                "take the gradients with respect to those same outputs, with the backward pass started from dout "
                "itself: not with respect to the ReLU's outputs, not the gradients of the weights, not the gradient "
                "of a sum or of a loss of your own.",
            ),
            (
                "the forward values change by about the factor sigma^2 D / 2 per layer (x1/2, x1 and x2 at 1/2, 1 "
                "and 2 times He's variance), and the gradients by the same factor per layer going down",
                theory,
                "a spread in the units of z (a standard deviation, a mean absolute value) changes by only the "
                "square root of that factor: the theory is about the mean square.",
            ),
            (
                "every layer's values are the mean squares over the whole batch and all the units (within 3%)",
                every_layer,
                "average over the batch and the units together: the theory's variance is over the random weights, "
                "so across the units. A variance over the batch of each unit leaves out what all the inputs share, "
                "and deep layers make the inputs alike.",
            ),
        ],
    )
