"""Checks for fitting models (chapter 6): one step of momentum, one step of Adam."""

from __future__ import annotations

import numpy as np

from .. import optim
from ._core import NotAnswered, answer, close, run

__all__ = ["momentum_step", "adam_step"]


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
                "weight the old m by beta and the gradient by (1 - beta).",
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
                "m_new = beta1 * m + (1 - beta1) * grad.",
            ),
            (
                "v is the moving average of the squared gradients with weight beta2",
                lambda: same(2, theta, m, v, g, 3, **hyper),
                "v averages grad ** 2, element by element.",
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
                "the denominator is sqrt(v_hat) + eps, not sqrt(v_hat + eps).",
            ),
            (
                "30 steps on an ill-conditioned quadratic follow the reference trajectory",
                lambda: close(trajectory(student), trajectory(ref), rtol=1e-8, atol=1e-10),
                "pass t = 1, 2, 3, ... and carry m and v from one step to the next.",
            ),
        ],
    )
