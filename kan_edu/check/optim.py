"""Checks for fitting models (chapter 6): one step of momentum, one step of Adam, mini-batch SGD with a schedule,
and Nesterov momentum in UDL's look-ahead form."""

from __future__ import annotations

import numpy as np

from .. import optim
from ._core import NotAnswered, answer, close, run

__all__ = ["momentum_step", "adam_step", "sgd_schedule", "nesterov"]


def _arrays(out, count, shape):
    """The student's tuple of ``count`` arrays, each of ``shape`` (else False)."""
    if not isinstance(out, (tuple, list)) or len(out) != count:
        return False
    return all(np.shape(a) == shape for a in out)


def _call(fn, *args):
    """Call with copies, so that a student's in-place update cannot change our reference inputs."""
    return answer(fn, *[a.copy() if isinstance(a, np.ndarray) else a for a in args])


def momentum_step(fn):
    """Check ``fn(theta, m, grad, lr, beta) -> (theta, m)``: m ← βm + (1 − β)g, θ ← θ − α m."""
    rng = np.random.default_rng(6)
    theta, m, g = rng.normal(size=(3, 4))
    lr, beta = 0.1, 0.8

    def ref(theta, m, g, lr, beta):
        return optim.momentum_step(theta, m, g, lr, beta)

    def trajectory(step):
        A = np.diag([1.0, 4.0, 0.5])  # the loss θᵀAθ/2, gradient Aθ
        th, mm = np.array([1.0, -1.0, 2.0]), np.zeros(3)
        for _ in range(25):
            out = step(th, mm, A @ th, 0.3, 0.9)
            if not _arrays(out, 2, (3,)):
                return None
            th, mm = np.asarray(out[0], float), np.asarray(out[1], float)
        return th

    def follows_reference():
        got = trajectory(lambda *a: _call(fn, *a))
        return got is not None and close(got, trajectory(ref), rtol=1e-8, atol=1e-10)

    def leaves_inputs():
        args = [theta.copy(), m.copy(), g.copy()]
        answer(fn, *args, lr, beta)
        return all(np.array_equal(a, b) for a, b in zip(args, (theta, m, g)))

    return run(
        "momentum_step",
        [
            (
                "the function returns a pair (new theta, new m), each of the shape of theta",
                lambda: _arrays(_call(fn, theta, m, g, lr, beta), 2, theta.shape),
                "return theta_new, m_new.",
            ),
            (
                "with beta = 0 it is plain gradient descent, and m becomes the gradient",
                lambda: (
                    close(_call(fn, theta, m, g, lr, 0.0)[0], theta - lr * g)
                    and close(_call(fn, theta, m, g, lr, 0.0)[1], g)
                ),
                "with beta = 0 the moving average keeps only the newest gradient.",
            ),
            (
                "the new m is the moving average of the old m and the gradient",
                lambda: close(_call(fn, theta, m, g, lr, beta)[1], ref(theta, m, g, lr, beta)[1]),
                "the old m keeps the weight beta and the new gradient gets the rest, so that the two weights sum to one.",
            ),
            (
                "the step uses the updated m",
                lambda: close(_call(fn, theta, m, g, lr, beta)[0], ref(theta, m, g, lr, beta)[0]),
                "first update m, then move theta against the new m, scaled by the learning rate.",
            ),
            (
                "the inputs are left unchanged (no in-place updates)",
                leaves_inputs,
                "build new arrays (m = beta * m + ...) instead of writing into the arguments (m *= beta).",
            ),
            (
                "25 steps on a quadratic bowl follow the reference trajectory",
                follows_reference,
                "the step must work for any number of parameters and any lr and beta.",
            ),
        ],
    )


def adam_step(fn):
    """Check ``fn(theta, m, v, grad, t, lr, beta1, beta2, eps) -> (theta, m, v)``: Adam with bias correction."""
    rng = np.random.default_rng(7)
    theta, m, g = rng.normal(size=(3, 5))
    v = rng.uniform(0.1, 1.0, 5)
    hyper = dict(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-8)

    def student(theta, m, v, grad, t, lr, beta1, beta2, eps):
        out = _call(fn, theta, m, v, grad, t, lr, beta1, beta2, eps)
        if not _arrays(out, 3, theta.shape):
            raise NotAnswered("Return the three arrays (theta_new, m_new, v_new), each of the shape of theta.")
        return [np.asarray(a, dtype=float) for a in out]

    def ref(theta, m, v, grad, t, lr, beta1, beta2, eps):
        return optim.adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)

    def same(i, *args, **kw):
        return close(student(*args, **kw)[i], ref(*args, **kw)[i], rtol=1e-8, atol=1e-12)

    def first_step():
        z = np.zeros_like(theta)
        new = student(theta, z, z, g, 1, 0.01, 0.9, 0.999, 1e-8)[0]
        return close(new, theta - 0.01 * np.sign(g), rtol=1e-6, atol=1e-7)

    def leaves_inputs():
        args = [theta.copy(), m.copy(), v.copy(), g.copy()]
        answer(fn, *args[:3], args[3], 3, *hyper.values())
        return all(np.array_equal(a, b) for a, b in zip(args, (theta, m, v, g)))

    def trajectory(step):
        A = np.diag([1.0, 10.0, 0.1])
        th, mm, vv = np.array([1.0, -1.0, 2.0]), np.zeros(3), np.zeros(3)
        for t in range(1, 31):
            th, mm, vv = step(th, mm, vv, A @ th, t, 0.1, 0.9, 0.999, 1e-8)
        return th

    return run(
        "adam_step",
        [
            (
                "the function returns three arrays (theta, m, v) of the shape of theta",
                lambda: _arrays(_call(fn, theta, m, v, g, 3, *hyper.values()), 3, theta.shape),
                "return theta_new, m_new, v_new.",
            ),
            (
                "m is the moving average of the gradients with weight beta1",
                lambda: same(1, theta, m, v, g, 3, **hyper),
                "the new m mixes the old m (weight beta1) with the new gradient (the remaining weight).",
            ),
            (
                "v is the moving average of the squared gradients with weight beta2",
                lambda: same(2, theta, m, v, g, 3, **hyper),
                "v averages grad ** 2, element by element.",
            ),
            (
                "the inputs are left unchanged (no in-place updates)",
                leaves_inputs,
                "build new arrays (m = beta1 * m + ...) instead of writing into the arguments (m *= beta1, "
                "theta -= ...): the caller's arrays must keep their values.",
            ),
            (
                "the very first step (t = 1, m = v = 0) moves every parameter by lr, against the gradient's sign",
                first_step,
                "correct m and v for their start at zero before using them (bias correction, with t counting from 1).",
            ),
            (
                "theta moves by lr * m_hat / (sqrt(v_hat) + eps) at a later step",
                lambda: same(0, theta, m, v, g, 3, **hyper) and same(0, theta, m, v, g, 7, **hyper),
                "use the corrected m_hat and v_hat, and the step number t in the powers beta ** t.",
            ),
            (
                "eps is added after the square root",
                lambda: same(0, theta, m, 1e-6 * v, 1e-3 * g, 2, lr=0.05, beta1=0.8, beta2=0.95, eps=1e-2),
                "add eps after taking the square root of v_hat, not inside the root.",
            ),
            (
                "30 steps on an ill-conditioned quadratic follow the reference trajectory",
                lambda: close(trajectory(student), trajectory(ref), rtol=1e-8, atol=1e-10),
                "pass t = 1, 2, 3, ... and carry m and v from one step to the next.",
            ),
        ],
    )


# ------------------------------------------------------------------ mini-batch SGD with a learning-rate schedule
def _sgd_reference(grad, phi0, n_data, batch_size, epochs, lr0, decay, seed):
    """The trajectory the exercise asks for, written independently of the student's code."""
    rng = np.random.default_rng(seed)
    path = [np.array(phi0, dtype=float)]
    for epoch in range(epochs):
        order = rng.permutation(n_data)
        for start in range(0, n_data, batch_size):
            path.append(path[-1] - lr0 * decay**epoch * np.asarray(grad(path[-1], order[start : start + batch_size])))
    return np.array(path)


class _Recorder:
    """A gradient that remembers the index arrays it was called with and returns a fixed direction (ones)."""

    def __init__(self, n_params):
        self.calls, self.n_params = [], n_params

    def __call__(self, phi, idx):
        self.calls.append(np.array(idx, copy=True).reshape(-1))
        return np.ones(self.n_params)


def sgd_schedule(fn):
    """Check ``fn(grad, phi0, n_data, batch_size, epochs, lr0, decay, seed) -> path`` of shape (steps + 1, P):
    mini-batch SGD, each epoch a fresh permutation from one generator, the rate ``lr0 * decay ** epoch``."""
    n, B, E, P = 10, 4, 3, 2
    per_epoch = -(-n // B)  # 3 batches: 4, 4 and 2 examples
    phi0 = np.array([0.5, -1.0])
    rng = np.random.default_rng(16)
    A = np.diag([1.0, 3.0])
    targets = rng.normal(size=(n, P))

    def bowl(phi, idx):  # the gradient of the mean over idx of |phi - target_i|_A^2 / 2
        return A @ (phi - targets[np.asarray(idx)].mean(axis=0))

    reference = _sgd_reference(bowl, phi0, n, B, E, 0.2, 0.7, 5)  # outside run: an error here is ours, not theirs
    reference_batches = _recorded_reference(5, n, B, E, P)

    def path_of(grad, lr0=0.2, decay=0.7, seed=5, start=phi0):
        out = np.asarray(answer(fn, grad, start.copy(), n, B, E, lr0, decay, seed), dtype=float)
        if out.ndim != 2 or out.shape[1] != P:
            raise NotAnswered(f"Return the whole path, one row per point: an array of shape (steps + 1, {P}).")
        return out

    def recorded(seed=5):
        grad = _Recorder(P)
        path_of(grad, seed=seed)
        return grad.calls

    def epochs_of(calls):
        return [np.concatenate(calls[e * per_epoch : (e + 1) * per_epoch]) for e in range(E)]

    def step_lengths():
        path = path_of(_Recorder(P), lr0=0.2, decay=0.5)
        return -np.diff(path[:, 0])  # the gradient is all ones, so each step is as long as its learning rate

    def leaves_start():
        start = phi0.copy()
        answer(fn, _Recorder(P), start, n, B, E, 0.2, 0.7, 5)
        return np.array_equal(start, phi0)

    def downhill():
        path = path_of(bowl)
        return np.linalg.norm(path[-1] - targets.mean(0)) < np.linalg.norm(phi0 - targets.mean(0))

    return run(
        "sgd_schedule",
        [
            (
                "the path starts at phi0 and phi0 itself is left unchanged",
                lambda: close(path_of(_Recorder(P))[0], phi0) and leaves_start(),
                "put a copy of the starting point in the path first, and build new arrays for the later points.",
            ),
            (
                "an epoch of 10 examples in batches of 4 takes 3 steps (4 + 4 + 2 examples), so 3 epochs make "
                "a path of 10 points",
                lambda: path_of(_Recorder(P)).shape == (E * per_epoch + 1, P),
                "keep the last, smaller batch of each epoch (do not drop it), take no extra step, and record "
                "the starting point as well as every point after a step.",
            ),
            (
                "every epoch uses each of the 10 examples exactly once",
                lambda: all(np.array_equal(np.sort(o), np.arange(n)) for o in epochs_of(recorded())),
                "an epoch is one pass through all the examples in a shuffled order, cut into consecutive "
                "batches; drawing each batch at random (with replacement) repeats some examples and skips others.",
            ),
            (
                "each epoch visits the examples in a new random order",
                lambda: len({tuple(o) for o in epochs_of(recorded())} | {tuple(range(n))}) == E + 1,
                "shuffle at the start of every epoch, not once before the loop (and not never); a new generator every "
                "epoch made from the same seed repeats the same order.",
            ),
            (
                "the batches come from one generator made from seed, one permutation per epoch",
                lambda: all(np.array_equal(a, b) for a, b in zip(recorded(), reference_batches)),
                "create the generator from seed once, before the first epoch, and draw each epoch's order from it "
                "with its permutation method (a new generator every epoch repeats the same order).",
            ),
            (
                "the steps go downhill on a quadratic bowl",
                downhill,
                "step against the gradient (subtract it), not along it.",
            ),
            (
                "the learning rate stays constant within an epoch (for a gradient of ones, so do the steps)",
                lambda: close(np.ptp(step_lengths().reshape(E, per_epoch), axis=1), np.zeros(E), atol=1e-12),
                "the schedule counts epochs, not steps: change the rate between epochs, not after every step.",
            ),
            (
                "the steps of the first epoch are lr0 long (for a gradient of ones)",
                lambda: close(step_lengths()[:per_epoch], 0.2 * np.ones(per_epoch)),
                "the first epoch (epoch 0) uses lr0 itself: lower the rate only from the second epoch on.",
            ),
            (
                "the learning rate is multiplied by decay from one epoch to the next",
                lambda: close(step_lengths(), 0.2 * 0.5 ** np.repeat(np.arange(E), per_epoch)),
                "every step of epoch e uses decay times the rate of epoch e - 1 (so epoch 2 uses decay times "
                "decay times lr0).",
            ),
            (
                "the whole path on a quadratic bowl matches the reference",
                lambda: close(path_of(bowl), reference, rtol=1e-10, atol=1e-12),
                "evaluate the gradient at the current point on the current batch, and use it at once.",
            ),
        ],
    )


def _recorded_reference(seed, n, B, E, P):
    """The index arrays the reference trajectory passes to the gradient (for :func:`sgd_schedule`)."""
    grad = _Recorder(P)
    _sgd_reference(grad, np.zeros(P), n, B, E, 0.2, 0.7, seed)
    return grad.calls


# ------------------------------------------------------------------ Nesterov momentum, UDL's look-ahead form
# The loss the check runs on: a coupled quadratic plus a quartic, so that the gradient is not linear and a
# gradient taken at the wrong point cannot be undone by rescaling anything. Its gradient is written out here
# for the student's loop; the reference trajectory gets its gradients from torch's autograd instead.
_NESTEROV_A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 4.0]])
_NESTEROV_START = np.array([1.0, -1.5, 0.5])


def _nesterov_grad(phi):
    phi = np.asarray(phi, dtype=float)
    return _NESTEROV_A @ phi + 0.4 * phi**3


def _nesterov_reference(phi0, lr, beta, steps):
    """UDL's Nesterov trajectory φ_0..φ_T and the look-ahead points ψ_0..ψ_T, from ``torch.optim.SGD``.

    UDL writes m_{t+1} = β m_t + (1 − β) ∇L(φ_t − αβ m_t), φ_{t+1} = φ_t − α m_{t+1}. With ψ_t = φ_t − αβ m_t
    (the look-ahead point) this becomes ψ_{t+1} = ψ_t − α(β m_{t+1} + (1 − β) ∇L(ψ_t)), and with
    m = (1 − β) b that is ``torch.optim.SGD(lr=α(1 − β), momentum=β, nesterov=True)`` acting on ψ, with b its
    momentum buffer. So torch's parameters are the look-ahead points, and φ_t = ψ_t + αβ(1 − β) b_t.
    """
    import torch

    p = torch.tensor(phi0, dtype=torch.float64, requires_grad=True)
    A = torch.tensor(_NESTEROV_A)
    opt = torch.optim.SGD([p], lr=lr * (1 - beta), momentum=beta, nesterov=True)
    phis, psis = [np.array(phi0, dtype=float)], []
    for _ in range(steps):
        psis.append(p.detach().numpy().copy())
        opt.zero_grad()
        (0.5 * p @ A @ p + 0.1 * (p**4).sum()).backward()
        opt.step()
        buffer = opt.state[p]["momentum_buffer"].detach().numpy()
        phis.append(p.detach().numpy() + lr * beta * (1 - beta) * buffer)
    psis.append(p.detach().numpy().copy())
    return np.array(phis), np.array(psis)


class _PointRecorder:
    """The check's gradient, remembering every point it was evaluated at."""

    def __init__(self):
        self.points = []

    def __call__(self, phi):
        self.points.append(np.array(phi, dtype=float, copy=True))
        return _nesterov_grad(phi)


def nesterov(fn):
    """Check ``fn(grad, phi0, lr, beta, steps) -> path`` of shape (steps + 1, P): Nesterov momentum as UDL writes
    it, m ← β m + (1 − β) ∇L(φ − αβ m), φ ← φ − α m, with m = 0 at the start, one gradient per step. The
    reference is torch's ``SGD(nesterov=True)`` mapped back from its look-ahead points (see
    :func:`_nesterov_reference`)."""
    lr, beta, steps = 0.1, 0.8, 6
    ref_phi, ref_psi = _nesterov_reference(_NESTEROV_START, lr, beta, steps)  # outside run: errors are ours
    long_phi, long_psi = _nesterov_reference(_NESTEROV_START, 0.05, 0.9, 30)

    def run_student(lr=lr, beta=beta, steps=steps):
        grad, start = _PointRecorder(), _NESTEROV_START.copy()
        out = answer(fn, grad, start, lr, beta, steps)
        path = np.asarray(out, dtype=float)
        if path.shape != (steps + 1, start.size):
            return None, grad.points, start
        return path, grad.points, start

    def shape_ok():
        path, _, _ = run_student()
        return path is not None and close(path[0], _NESTEROV_START)

    def leaves_start():
        _, _, start = run_student()
        return np.array_equal(start, _NESTEROV_START)

    def one_gradient_per_step():
        return len(run_student()[1]) == steps

    def path():
        return run_student()[0]

    def second_call():
        return run_student()[1][1]

    g0 = _nesterov_grad(_NESTEROV_START)
    return run(
        "nesterov",
        [
            (
                f"the function returns the whole path, an array of shape (steps + 1, {_NESTEROV_START.size}) that "
                "starts at phi0",
                shape_ok,
                "record the starting point first, then the point after each step: steps + 1 rows in all "
                "(no step missing, none extra).",
            ),
            (
                "phi0 itself is left unchanged",
                leaves_start,
                "build new arrays at every step instead of updating phi0 in place.",
            ),
            (
                "grad is called once per step",
                one_gradient_per_step,
                "Nesterov momentum costs one gradient per step, the one at the look-ahead point; do not also "
                "evaluate it at the current point.",
            ),
            (
                "the parameters move in the first step",
                lambda: not close(path()[1], _NESTEROV_START),
                "m starts at zero, so a step along the old average goes nowhere: update the average first, then "
                "step along the new one (the step order is off by one).",
            ),
            (
                "the first step goes downhill",
                lambda: float(np.dot(path()[1] - _NESTEROV_START, g0)) < 0,
                "subtract the step: the parameters move against the averaged gradient (a sign is flipped).",
            ),
            (
                "the path holds UDL's parameters phi_t, not the look-ahead points of the rewritten (library) form",
                lambda: not close(path(), ref_psi),
                "that is the form libraries use, whose parameters are the look-ahead points; this exercise asks "
                "for UDL's form: keep phi, take the gradient at the look-ahead point, and step from phi.",
            ),
            (
                "the first step, with m = 0, moves by lr (1 - beta) times the gradient at phi0",
                lambda: close(path()[1], ref_phi[1], rtol=1e-9, atol=1e-12),
                "the newest gradient enters the average with the weight that beta leaves over (the two weights "
                "sum to one), and the step is the learning rate times the new average.",
            ),
            (
                "the second gradient is not taken at the current point phi_1",
                lambda: not close(second_call(), path()[1], rtol=1e-9, atol=1e-12),
                "a gradient at the current point is plain (heavy-ball) momentum; Nesterov takes it where the "
                "momentum is about to carry the parameters (and m, once it is no longer zero, must not be set back "
                "to zero at the next step).",
            ),
            (
                "the second gradient is taken ahead of phi_1, in the direction the parameters are moving",
                lambda: float(np.dot(second_call() - path()[1], path()[1] - _NESTEROV_START)) > 0,
                "the look-ahead point lies where the momentum carries the parameters, not behind them: check the "
                "sign of the look-ahead.",
            ),
            (
                "the second gradient is taken exactly at the look-ahead point",
                lambda: close(second_call(), ref_psi[1], rtol=1e-9, atol=1e-12),
                "the look-ahead is the step the old average alone would take: scale it by both the learning rate "
                "and beta.",
            ),
            (
                "the second step starts from phi_1 and moves along the updated average",
                lambda: close(path()[2], ref_phi[2], rtol=1e-9, atol=1e-12),
                "the look-ahead point is only where the gradient is taken: the step itself starts from the "
                "current parameters.",
            ),
            (
                "30 steps with lr = 0.05 and beta = 0.9 follow the reference (torch.optim.SGD with nesterov=True, "
                "mapped back to UDL's parameters)",
                lambda: _follows(run_student(0.05, 0.9, 30), long_phi, long_psi),
                "carry m from one step to the next (it starts at zero once, before the loop), and use lr and beta "
                "as given.",
            ),
        ],
    )


def _follows(result, ref_phi, ref_psi):
    """The student's path and gradient points (from ``run_student``) equal the reference's."""
    path, points, _ = result
    return (
        path is not None
        and len(points) == len(ref_psi) - 1
        and close(path, ref_phi, rtol=1e-9, atol=1e-12)
        and close(np.array(points), ref_psi[:-1], rtol=1e-9, atol=1e-12)
    )
