"""The checks of kan_edu.check.optim (chapter 6) pass the reference answers, fail wrong ones, never raise, never
tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_names_the_mistake, assert_placeholders_and_errors_reported


def momentum_right(theta, m, grad, lr, beta):
    m = beta * m + (1 - beta) * grad
    return theta - lr * m, m


def momentum_torch_form(theta, m, grad, lr, beta):
    m = beta * m + grad
    return theta - lr * m, m


def momentum_old_m(theta, m, grad, lr, beta):
    return theta - lr * m, beta * m + (1 - beta) * grad


def momentum_in_place(theta, m, grad, lr, beta):
    m *= beta
    m += (1 - beta) * grad
    theta -= lr * m
    return theta, m


def adam_right(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_no_correction(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_eps_inside(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_abs_not_square(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * np.abs(grad)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_t_off_by_one(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return adam_right(theta, m, v, grad, t + 1, lr, beta1, beta2, eps)


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.momentum_step,
            momentum_right,
            [momentum_torch_form, momentum_old_m, momentum_in_place, lambda *a: ..., lambda *a: a[0] - a[3] * a[2]],
        ),
        (
            check.adam_step,
            adam_right,
            [
                adam_no_correction,
                adam_eps_inside,
                adam_abs_not_square,
                adam_t_off_by_one,
                lambda *a: ...,
                lambda *a: (a[0] - a[5] * np.sign(a[3]), a[1], a[2]),
            ],
        ),
    ],
)
def test_fitting_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["(1 - beta) * grad", "beta1 ** t)", "array("], capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.momentum_step, check.adam_step], capsys)


# ------------------------------------------------------------------ mini-batch SGD with a learning-rate schedule
def sgd_right(grad, phi0, n_data, batch_size, epochs, lr0, decay, seed):
    rng = np.random.default_rng(seed)
    phi, path = phi0.copy(), [phi0.copy()]
    for epoch in range(epochs):
        lr = lr0 * decay**epoch
        order = rng.permutation(n_data)
        for start in range(0, n_data, batch_size):
            phi = phi - lr * grad(phi, order[start : start + batch_size])
            path.append(phi)
    return np.array(path)


def _sgd_variant(order_of, lr_of=lambda lr0, decay, epoch, step: lr0 * decay**epoch, sign=1.0, last=True):
    def sgd(grad, phi0, n_data, batch_size, epochs, lr0, decay, seed):
        rng = np.random.default_rng(seed)
        phi, path, step = phi0.copy(), [phi0.copy()], 0
        fixed = np.random.default_rng(seed + 1).permutation(n_data)  # (not from rng: the others match it)
        for epoch in range(epochs):
            order = order_of(rng, n_data, seed, fixed)
            stop = n_data if last else n_data - batch_size + 1
            for start in range(0, stop, batch_size):
                phi = phi - sign * lr_of(lr0, decay, epoch, step) * grad(phi, order[start : start + batch_size])
                path.append(phi)
                step += 1
        return np.array(path)

    return sgd


def _fresh(rng, n, seed, fixed):
    return rng.permutation(n)


sgd_drops_last_batch = _sgd_variant(_fresh, last=False)
sgd_with_replacement = _sgd_variant(lambda rng, n, seed, fixed: rng.integers(0, n, size=n))
sgd_shuffles_once = _sgd_variant(lambda rng, n, seed, fixed: fixed)
sgd_never_shuffles = _sgd_variant(lambda rng, n, seed, fixed: np.arange(n))
sgd_new_generator_each_epoch = _sgd_variant(lambda rng, n, seed, fixed: np.random.default_rng(seed).permutation(n))
sgd_decays_first_epoch = _sgd_variant(_fresh, lr_of=lambda lr0, decay, epoch, step: lr0 * decay ** (epoch + 1))
sgd_decays_every_step = _sgd_variant(_fresh, lr_of=lambda lr0, decay, epoch, step: lr0 * decay**step)
sgd_uphill = _sgd_variant(_fresh, sign=-1.0)


def sgd_without_start(*args):
    return sgd_right(*args)[1:]


def sgd_in_place(grad, phi0, n_data, batch_size, epochs, lr0, decay, seed):
    rng = np.random.default_rng(seed)
    phi, path = phi0, [phi0.copy()]
    for epoch in range(epochs):
        order = rng.permutation(n_data)
        for start in range(0, n_data, batch_size):
            phi -= lr0 * decay**epoch * grad(phi, order[start : start + batch_size])
            path.append(phi.copy())
    return np.array(path)


def sgd_final_point_only(*args):
    return sgd_right(*args)[-1]


def sgd_stale_gradient(grad, phi0, n_data, batch_size, epochs, lr0, decay, seed):
    rng = np.random.default_rng(seed)
    phi, previous, path = phi0.copy(), phi0.copy(), [phi0.copy()]
    for epoch in range(epochs):
        order = rng.permutation(n_data)
        for start in range(0, n_data, batch_size):
            g = grad(previous, order[start : start + batch_size])  # the gradient one step behind
            previous, phi = phi, phi - lr0 * decay**epoch * g
            path.append(phi)
    return np.array(path)


SGD_HINTS = [
    (sgd_drops_last_batch, "smaller batch"),
    (sgd_with_replacement, "with replacement"),
    (sgd_shuffles_once, "not once before the loop"),
    (sgd_never_shuffles, "not once before the loop"),
    (sgd_new_generator_each_epoch, "a new generator every epoch"),
    (sgd_decays_first_epoch, "the first epoch"),
    (sgd_decays_every_step, "counts epochs, not steps"),
    (sgd_uphill, "against the gradient"),
    (sgd_without_start, "starting point"),
    (sgd_in_place, "new arrays"),
    (sgd_final_point_only, "whole path"),
    (sgd_stale_gradient, "current point"),
]


def test_sgd_schedule_passes_the_solution_and_names_each_mistake(capsys):
    assert check.sgd_schedule(sgd_right)
    capsys.readouterr()
    for wrong, words in SGD_HINTS:
        assert not check.sgd_schedule(wrong), wrong.__name__
        out = " ".join(capsys.readouterr().out.split())  # the verdict is wrapped to the notebook's width
        assert words in out, (wrong.__name__, out)
        assert "permutation(" not in out and "decay**" not in out and "decay **" not in out


def test_sgd_schedule_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.sgd_schedule], capsys)


# ------------------------------------------------------------------ Nesterov momentum, UDL's look-ahead form
def nesterov_right(grad, phi0, lr, beta, steps):
    phi, m = phi0.copy(), np.zeros_like(phi0)
    path = [phi]
    for _ in range(steps):
        m = beta * m + (1 - beta) * grad(phi - lr * beta * m)
        phi = phi - lr * m
        path.append(phi)
    return np.array(path)


def _nesterov_variant(look=lambda phi, m, lr, beta: phi - lr * beta * m, weight=True, step_from=None, sign=1.0):
    """UDL's loop with one thing changed: where the gradient is taken, the average's weight, where the step
    starts, or the sign of the step."""

    def nesterov(grad, phi0, lr, beta, steps):
        phi, m = phi0.copy(), np.zeros_like(phi0)
        path = [phi]
        for _ in range(steps):
            ahead = look(phi, m, lr, beta)
            m = beta * m + ((1 - beta) if weight else 1.0) * grad(ahead)
            phi = (ahead if step_from == "ahead" else phi) - sign * lr * m
            path.append(phi)
        return np.array(path)

    return nesterov


nesterov_heavy_ball = _nesterov_variant(look=lambda phi, m, lr, beta: phi)
nesterov_look_behind = _nesterov_variant(look=lambda phi, m, lr, beta: phi + lr * beta * m)
nesterov_look_without_lr = _nesterov_variant(look=lambda phi, m, lr, beta: phi - beta * m)
nesterov_look_without_beta = _nesterov_variant(look=lambda phi, m, lr, beta: phi - lr * m)
nesterov_torch_weights = _nesterov_variant(weight=False)
nesterov_steps_from_ahead = _nesterov_variant(step_from="ahead")
nesterov_uphill = _nesterov_variant(sign=-1.0)


def nesterov_old_average(grad, phi0, lr, beta, steps):  # the step order off by one: step, then update m
    phi, m = phi0.copy(), np.zeros_like(phi0)
    path = [phi]
    for _ in range(steps):
        g = grad(phi - lr * beta * m)
        phi = phi - lr * m
        m = beta * m + (1 - beta) * g
        path.append(phi)
    return np.array(path)


def nesterov_library_form(grad, phi0, lr, beta, steps):  # right, but in the rewritten variables (look-ahead points)
    phi, m = phi0.copy(), np.zeros_like(phi0)
    path = [phi]
    for _ in range(steps):
        g = grad(phi)
        m = beta * m + (1 - beta) * g
        phi = phi - lr * (beta * m + (1 - beta) * g)
        path.append(phi)
    return np.array(path)


def nesterov_records_look_ahead(grad, phi0, lr, beta, steps):  # UDL's loop, but the path keeps the look-ahead points
    phi, m = phi0.copy(), np.zeros_like(phi0)
    path = [phi]
    for _ in range(steps):
        m = beta * m + (1 - beta) * grad(phi - lr * beta * m)
        phi = phi - lr * m
        path.append(phi - lr * beta * m)
    return np.array(path)


def nesterov_two_gradients(grad, phi0, lr, beta, steps):
    grad(phi0)  # an extra evaluation at the current point
    return nesterov_right(grad, phi0, lr, beta, steps)


def nesterov_no_start(*args):
    return nesterov_right(*args)[1:]


def nesterov_one_step_more(grad, phi0, lr, beta, steps):
    return nesterov_right(grad, phi0, lr, beta, steps + 1)


def nesterov_in_place(grad, phi0, lr, beta, steps):
    phi, m = phi0, np.zeros_like(phi0)
    path = [phi.copy()]
    for _ in range(steps):
        m = beta * m + (1 - beta) * grad(phi - lr * beta * m)
        phi -= lr * m
        path.append(phi.copy())
    return np.array(path)


def nesterov_m_reset_each_step(grad, phi0, lr, beta, steps):
    phi, path = phi0.copy(), [phi0.copy()]
    for _ in range(steps):
        m = np.zeros_like(phi0)
        m = beta * m + (1 - beta) * grad(phi - lr * beta * m)
        phi = phi - lr * m
        path.append(phi)
    return np.array(path)


NESTEROV_HINTS = [
    (nesterov_heavy_ball, "heavy-ball"),
    (nesterov_look_behind, "sign of the look-ahead"),
    (nesterov_look_without_lr, "both the learning rate and beta"),
    (nesterov_look_without_beta, "both the learning rate and beta"),
    (nesterov_torch_weights, "weights sum to one"),
    (nesterov_steps_from_ahead, "starts from the current parameters"),
    (nesterov_uphill, "a sign is flipped"),
    (nesterov_old_average, "off by one"),
    (nesterov_library_form, "look-ahead points"),
    (nesterov_records_look_ahead, "look-ahead points"),
    (nesterov_two_gradients, "once per step"),
    (nesterov_no_start, "steps + 1 rows"),
    (nesterov_one_step_more, "steps + 1 rows"),
    (nesterov_in_place, "in place"),
    (nesterov_m_reset_each_step, "set back to zero"),
]


def test_nesterov_passes_the_solution_and_names_each_mistake(capsys):
    assert check.nesterov(nesterov_right)
    capsys.readouterr()
    for wrong, words in NESTEROV_HINTS:
        assert_names_the_mistake(check.nesterov, wrong, words, ("lr * beta * m", "(1 - beta) * grad", "raised"), capsys)


def test_nesterov_reference_is_udl_form_written_directly():
    """The check's torch-derived reference equals UDL's look-ahead loop in numpy (and its ψ are the points where
    that loop takes its gradients): the change of variables in its docstring holds."""
    from kan_edu.check.optim import _NESTEROV_START, _nesterov_reference, _PointRecorder

    phis, psis = _nesterov_reference(_NESTEROV_START, 0.07, 0.85, 20)
    grad = _PointRecorder()
    assert np.allclose(nesterov_right(grad, _NESTEROV_START.copy(), 0.07, 0.85, 20), phis, rtol=1e-12, atol=1e-14)
    assert np.allclose(np.array(grad.points), psis[:-1], rtol=1e-12, atol=1e-14)
    assert np.allclose(nesterov_library_form(_PointRecorder(), _NESTEROV_START.copy(), 0.07, 0.85, 20), psis)


def test_nesterov_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.nesterov], capsys)


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _momentum_in_place(theta, m, grad, lr, beta):
    m *= beta
    m += (1 - beta) * grad
    theta -= lr * m
    return theta, m


def _adam(theta, m, v, grad, t, lr, beta1, beta2, eps, mistake=None):
    if mistake == "in place":
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad**2
        theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return theta, m, v
    m_new, v_new = beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2
    tc = t + 1 if mistake == "t + 1" else t
    m_hat, v_hat = m_new / (1 - beta1**tc), v_new / (1 - beta2**tc)
    if mistake == "no v correction":
        v_hat = v_new
    step = m_hat / np.sqrt(v_hat + eps) if mistake == "eps inside" else m_hat / (np.sqrt(v_hat) + eps)
    if mistake == "corrected moments returned":
        return theta - lr * step, m_hat, v_hat
    return theta - lr * step, m_new, v_new


def _sgd(grad, phi0, n_data, batch_size, epochs, lr0, decay, seed, mistake=None):
    rng = np.random.default_rng(0 if mistake == "seed ignored" else seed)
    phi = np.array(phi0, dtype=float)
    path = [phi]
    for epoch in range(epochs):
        lr = lr0 * decay ** (epoch + 1 if mistake == "epoch + 1" else epoch)
        if mistake == "new generator each epoch":
            rng = np.random.default_rng(seed)
        order = rng.permutation(n_data)
        stop = n_data - batch_size + 1 if mistake == "drop last" else n_data
        for start in range(0, stop, batch_size):
            phi = phi - lr * grad(phi, order[start : start + batch_size])
            path.append(phi)
            if mistake == "decay every step":
                lr *= decay
    out = np.array(path)
    return out.astype(np.float32) if mistake == "float32" else out


def _nesterov(grad, phi0, lr, beta, steps, mistake=None):
    phi = np.array(phi0, dtype=float)
    m = np.zeros_like(phi)
    path = [phi]
    for _ in range(steps):
        ahead = (
            phi + lr * beta * m if mistake == "ahead +" else phi - (beta * m if mistake == "no lr" else lr * beta * m)
        )
        m = beta * m + (1 - beta) * grad(ahead)
        phi = phi - lr * m
        path.append(phi)
    out = np.array(path)
    if mistake == "float32":
        return out.astype(np.float32)
    return out[1:] if mistake == "no start" else out


REVIEW15 = [
    (check.momentum_step, _momentum_in_place, "unchanged"),
    (check.momentum_step, lambda th, m, g, lr, b: (th - lr * (b * m + g), b * m + g), "moving average"),
    (check.momentum_step, lambda th, m, g, lr, b: (th - lr * m, b * m + (1 - b) * g), "beta = 0"),
    (
        check.momentum_step,
        lambda th, m, g, lr, b: tuple(
            a.astype(np.float32) for a in (th - lr * (b * m + (1 - b) * g), b * m + (1 - b) * g)
        ),
        "25 steps",
    ),
    (check.adam_step, lambda *a: _adam(*a, mistake="in place"), "unchanged"),
    (check.adam_step, lambda *a: _adam(*a, mistake="t + 1"), "very first step"),
    (check.adam_step, lambda *a: _adam(*a, mistake="no v correction"), "very first step"),
    (check.adam_step, lambda *a: _adam(*a, mistake="eps inside"), "after the square root"),
    (check.adam_step, lambda *a: _adam(*a, mistake="corrected moments returned"), "moving average"),
    (check.sgd_schedule, lambda *a: _sgd(*a, mistake="epoch + 1"), "first epoch"),
    (check.sgd_schedule, lambda *a: _sgd(*a, mistake="drop last"), "3 steps"),
    (check.sgd_schedule, lambda *a: _sgd(*a, mistake="decay every step"), "constant within an epoch"),
    (check.sgd_schedule, lambda *a: _sgd(*a, mistake="float32"), "Hint"),
    (check.sgd_schedule, lambda *a: _sgd(*a, mistake="new generator each epoch"), "new random order"),
    (check.sgd_schedule, lambda *a: _sgd(*a, mistake="seed ignored"), "one generator made from seed"),
    (check.nesterov, lambda *a: _nesterov(*a, mistake="ahead +"), "ahead of phi_1"),
    (check.nesterov, lambda *a: _nesterov(*a, mistake="no lr"), "look-ahead point"),
    (check.nesterov, lambda *a: _nesterov(*a, mistake="float32"), "first step"),
    (check.nesterov, lambda *a: _nesterov(*a, mistake="no start"), "whole path"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["beta * m + (1 - beta)", "np.sqrt(v_hat) + eps"], capsys)
