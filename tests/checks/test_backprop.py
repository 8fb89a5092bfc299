"""The checks of kan_edu.check.backprop (chapter 7) pass the reference answers, fail wrong ones, never raise,
never tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_names_the_mistake, assert_placeholders_and_errors_reported


def toy_right(x, y, phi):
    b0, w0, b1, w1, b2, w2 = phi
    z0 = b0 + w0 * np.asarray(x)
    h1 = np.tanh(z0)
    z1 = b1 + w1 * h1
    h2 = np.sin(z1)
    d_f = 2 * (b2 + w2 * h2 - y)
    d_z1 = d_f * w2 * np.cos(z1)
    d_z0 = d_z1 * w1 * (1 - h1**2)
    return np.array([np.sum(d_z0), np.sum(d_z0 * x), np.sum(d_z1), np.sum(d_z1 * h1), np.sum(d_f), np.sum(d_f * h2)])


def toy_wrong_sin(x, y, phi):
    g = toy_right(x, y, phi)
    g[:4] *= 1.3
    return g


def toy_wrong_tanh(x, y, phi):
    g = toy_right(x, y, phi)
    g[:2] *= -1
    return g


def toy_mean_not_sum(x, y, phi):
    return toy_right(x, y, phi) / np.size(x)


@pytest.mark.parametrize(
    "checker, right, wrongs",
    [
        (
            check.toy_backward,
            toy_right,
            [
                toy_wrong_sin,
                toy_wrong_tanh,
                toy_mean_not_sum,
                lambda x, y, phi: toy_right(x, y, phi)[:5],
                lambda x, y, phi: ...,
            ],
        ),
        (
            check.leaky_he_variance,
            lambda D, a: 2 / (D * (1 + a * a)),
            [
                lambda D, a: 2 / D,
                lambda D, a: 1 / D,
                lambda D, a: 2 / (D * (1 + a)),
                lambda D, a: -1.0,
                lambda D, a: ...,
                lambda D, a: 2 / (1 + a * a),
            ],
        ),
    ],
)
def test_gradient_checks(checker, right, wrongs, capsys):
    assert_check(checker, right, wrongs, ["1 + a * a", "(1 - h1", "np.cos(z1)"], capsys)


def test_placeholders_and_raising_code_are_reported(capsys):
    assert_placeholders_and_errors_reported([check.toy_backward, check.leaky_he_variance], capsys)


# ------------------------------------------------------------------ the canonical PyTorch training loop
def _loop(clear="before", reduction="mean", schedule="epoch", item=True, optimiser="sgd", momentum=0.9):
    def train_loop(model, loader, epochs, lr, gamma):
        import torch

        if optimiser == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=lr)
        else:
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
        losses = []
        for _ in range(epochs):
            if schedule == "start":
                sched.step()
            for x, y in loader:
                if clear == "before":
                    opt.zero_grad()
                loss = torch.nn.functional.mse_loss(model(x), y, reduction=reduction)
                loss.backward()
                if clear == "between":
                    opt.zero_grad()
                opt.step()
                losses.append(loss.item() if item else loss)
                if schedule == "batch":
                    sched.step()
            if schedule == "epoch":
                sched.step()
        return losses

    return train_loop


loop_right = _loop()
LOOP_HINTS = [
    (_loop(clear="never"), "without clearing them"),
    (_loop(clear="between"), "throws them away"),
    (_loop(reduction="sum"), "averages over the examples"),
    (_loop(schedule="batch"), "not in it"),
    (_loop(schedule="none"), "and step it"),
    (_loop(schedule="start"), "not at its start"),
    (_loop(item=False), "plain number"),
    (_loop(optimiser="adam"), "momentum 0.9"),
    (_loop(momentum=0.0), "momentum 0.9"),
]


def test_train_loop_passes_the_solution_and_names_each_mistake(capsys):
    assert check.train_loop(loop_right)
    capsys.readouterr()
    for wrong, words in LOOP_HINTS:
        assert not check.train_loop(wrong)
        out = " ".join(capsys.readouterr().out.split())
        assert words in out, out
        assert "zero_grad()" not in out and ".backward()" not in out and ".item()" not in out


def test_train_loop_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.train_loop], capsys)


def test_train_loop_blames_itself_not_the_reader_when_the_checker_breaks(monkeypatch):
    """An error in the checker's own reference raises (a bug to report), it is not printed as "your code raised"."""
    import kan_edu.check.backprop as module

    def broken(*args, **kwargs):
        raise RuntimeError("checker bug")

    monkeypatch.setattr(module, "_loop_variant", broken)
    with pytest.raises(RuntimeError, match="checker bug"):
        check.train_loop(loop_right)


# ------------------------------------------------------------------ backpropagation for any activation
def _net(slope_at="z", scale=None, out_act=False, bias="sum", transpose=False, sign=1.0, fixed=None):
    def net_gradients(params, X, target, act, act_grad):
        a, da = (act, act_grad) if fixed is None else fixed
        hs, zs = [X], []
        for k, (W, b) in enumerate(params):
            zs.append(hs[-1] @ W.T + b)
            if k < len(params) - 1:
                hs.append(a(zs[-1]))
        n = len(X) if scale is None else scale(len(X))
        dz = sign * 2 * (zs[-1] - target) / n
        if out_act:
            dz = dz * da(zs[-1])
        grads = [None] * len(params)
        for k in reversed(range(len(params))):
            W = params[k][0]
            dW = hs[k].T @ dz if transpose else dz.T @ hs[k]
            grads[k] = (dW, dz.sum(0) if bias == "sum" else dz.mean(0))
            if k > 0:
                dh = dz @ W
                dz = dh * (da(zs[k - 1]) if slope_at == "z" else da(hs[k]))
        return grads

    return net_gradients


net_right = _net()
NET_HINTS = [
    (_net(slope_at="h"), "not at its output h"),
    (_net(out_act=True), "output layer has no activation"),
    (_net(scale=lambda n: 1), "divides by N"),
    (_net(scale=lambda n: n - 1), "divides by N"),
    (_net(sign=-1.0), "positive where the output is above"),
    (_net(bias="mean"), "adds up the derivatives"),
    (_net(transpose=True), "shape (outputs, inputs)"),
    (_net(fixed=(np.tanh, lambda z: 1 - np.tanh(z) ** 2)), "act and act_grad you are given"),
    (lambda params, X, target, act, act_grad: [(W, b) for W, b in params], "offset's derivative"),
    (lambda params, X, target, act, act_grad: net_right(params, X, target, act, act_grad)[:-1], "one (weight"),
]


def test_net_gradients_passes_the_solution_and_names_each_mistake(capsys):
    assert check.net_gradients(net_right)
    capsys.readouterr()
    for wrong, words in NET_HINTS:
        assert not check.net_gradients(wrong)
        out = " ".join(capsys.readouterr().out.split())
        assert words in out, out
        assert "dz @ W" not in out and "dz.T @" not in out and ".sum(0)" not in out


def test_net_gradients_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.net_gradients], capsys)


# ------------------------------------------------------------------ variances measured layer by layer
def _measure(model, x, dout, forward_stat, backward_stat, where="z", order=1):
    """Run the model by hand, keep each linear layer's output (``where="z"``) or the ReLU's output after it
    (``"h"``), send ``dout`` back, and reduce each kept tensor and its gradient with the two statistics."""
    import torch

    kept, h = [], x
    for layer in model:
        h = layer(h)
        if isinstance(layer, torch.nn.Linear) == (where == "z"):
            h.retain_grad()
            kept.append(h)
    if where == "h":  # the output layer has no ReLU after it: keep its output too
        h.retain_grad()
        kept.append(h)
    h.backward(dout)
    forward = [forward_stat(t.detach()) for t in kept]
    backward = [backward_stat(t.grad) for t in kept][::order]
    return forward, backward


def profile_right(model, x, dout):
    return _measure(model, x, dout, lambda t: t.pow(2).mean().item(), lambda t: t.pow(2).mean().item())


def profile_unbiased_variance(model, x, dout):  # torch's var over all entries: also right (mean ~ 0, N large)
    return _measure(model, x, dout, lambda t: t.var().item(), lambda t: t.var().item())


def profile_std(model, x, dout):
    return _measure(model, x, dout, lambda t: t.std().item(), lambda t: t.std().item())


def profile_mean_abs(model, x, dout):
    return _measure(model, x, dout, lambda t: t.abs().mean().item(), lambda t: t.abs().mean().item())


def profile_batch_axis(model, x, dout):  # each unit's variance over the batch, averaged over the units
    return _measure(model, x, dout, lambda t: t.var(0).mean().item(), lambda t: t.var(0).mean().item())


def profile_per_unit(model, x, dout):  # a vector per layer instead of one number
    return _measure(model, x, dout, lambda t: t.var(0).numpy(), lambda t: t.var(0).numpy())


def profile_swapped(model, x, dout):
    forward, backward = profile_right(model, x, dout)
    return backward, forward


def profile_backward_in_backward_order(model, x, dout):
    stat = lambda t: t.pow(2).mean().item()  # noqa: E731
    return _measure(model, x, dout, stat, stat, order=-1)


def profile_after_relu(model, x, dout):
    stat = lambda t: t.pow(2).mean().item()  # noqa: E731
    return _measure(model, x, dout, stat, stat, where="h")


def profile_weight_gradients(model, x, dout):
    import torch

    forward, _ = profile_right(model, x, dout)
    model.zero_grad()
    model(x).backward(dout)
    return forward, [m.weight.grad.pow(2).mean().item() for m in model if isinstance(m, torch.nn.Linear)]


def _measure_from(model, x, start):
    """The right statistics, but the backward pass starts from ``start(out)`` instead of ``dout``."""
    import torch

    kept, h = [], x
    for layer in model:
        h = layer(h)
        if isinstance(layer, torch.nn.Linear):
            h.retain_grad()
            kept.append(h)
    start(h).backward()
    return [t.detach().pow(2).mean().item() for t in kept], [t.grad.pow(2).mean().item() for t in kept]


def profile_sum_upstream(model, x, dout):  # out.sum().backward(): an upstream gradient of ones
    return _measure_from(model, x, lambda out: out.sum())


def profile_own_loss(model, x, dout):  # a squared error against dout instead of the product with it
    return _measure_from(model, x, lambda out: ((out - dout) ** 2).mean())


def profile_raw_mean(model, x, dout):
    return _measure(model, x, dout, lambda t: t.mean().item(), lambda t: t.mean().item())


PROFILE_HINTS = [
    (profile_std, "standard deviation"),
    (profile_mean_abs, "a mean absolute value is not"),
    (profile_batch_axis, "variance over the batch of each unit"),
    (profile_per_unit, "not one per unit"),
    (profile_swapped, "swapped"),
    (profile_backward_in_backward_order, "last layer first"),
    (profile_after_relu, "before the ReLU"),
    (profile_weight_gradients, "not the gradients of the weights"),
    (profile_raw_mean, "without squaring"),
    (profile_sum_upstream, "not the gradient of a sum"),
    (profile_own_loss, "a loss of your own"),
]


def test_variance_profile_passes_right_answers_and_names_each_mistake(capsys):
    assert check.variance_profile(profile_right)
    assert check.variance_profile(profile_unbiased_variance)
    capsys.readouterr()
    for wrong, words in PROFILE_HINTS:
        assert_names_the_mistake(check.variance_profile, wrong, words, ("pow(2)", "** 2", "raised"), capsys)


def test_variance_profile_networks_follow_the_theory():
    """The check's networks: the measured factor per layer is within 0.05 of the theory's (in log), at every
    variance, so the check's tolerance of 0.2 tests the reader's code, not the luck of the draw."""
    from kan_edu.check.backprop import _log_slope, _profile_problem, _profile_reference

    for c in (0.5, 1.0, 2.0):
        params, _, x, dout = _profile_problem(c)
        forward, backward = _profile_reference(params, x, dout)
        assert abs(_log_slope(forward) - np.log(c)) < 0.05 and abs(_log_slope(backward) + np.log(c)) < 0.05


def test_variance_profile_reports_placeholder_and_errors(capsys):
    assert_placeholders_and_errors_reported([check.variance_profile], capsys)


# ------------------------------------------------------------------ review of issue 15: more plausible mistakes
def _loop15(mistake):
    def train_loop(model, loader, epochs, lr, gamma):
        import torch

        opt = torch.optim.SGD(
            model.parameters(),
            lr=0.05 if mistake == "lr fixed" else lr,
            momentum=0.9,
            nesterov=mistake == "nesterov",
            weight_decay=1e-3 if mistake == "weight decay" else 0.0,
        )
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95 if mistake == "gamma fixed" else gamma)
        losses = []
        for _ in range(epochs):
            epoch_losses = []
            for x, y in loader:
                opt.zero_grad()
                if mistake == "l1":
                    loss = torch.nn.functional.l1_loss(model(x), y)
                else:
                    loss = torch.nn.functional.mse_loss(model(x), y)
                loss.backward()
                opt.step()
                epoch_losses.append(loss.item())
            losses += [sum(epoch_losses) / len(epoch_losses)] if mistake == "per epoch" else epoch_losses
            sched.step()
        return losses

    return train_loop


def _toy(x, y, phi, mistake=None):
    b0, w0, b1, w1, b2, w2 = phi
    z0 = b0 + w0 * x
    h1 = np.tanh(z0)
    z1 = b1 + w1 * h1
    h2 = np.sin(z1)
    f = b2 + w2 * h2
    d_f = (f - y) if mistake == "no factor 2" else 2 * (f - y)
    d_z1 = np.cos(z1) * w2 * d_f
    d_z0 = (1 - (np.tanh(h1) if mistake == "tanh twice" else h1) ** 2) * w1 * d_z1
    g = np.array([np.sum(d_z0), np.sum(d_z0 * x), np.sum(d_z1), np.sum(d_z1 * h1), np.sum(d_f), np.sum(d_f * h2)])
    return g / np.size(x) if mistake == "mean" else g


def _net(params, X, target, act, act_grad, mistake=None):
    hs, zs = [X], []
    for k, (W, b) in enumerate(params):
        zs.append(hs[-1] @ W.T + b)
        if k < len(params) - 1:
            hs.append(act(zs[-1]))
    dz = 2 * (zs[-1] - target) / (1 if mistake == "sum" else len(X))
    grads = [None] * len(params)
    for k in reversed(range(len(params))):
        grads[k] = (dz.T @ hs[k], dz.mean(0) if mistake == "db mean" else dz.sum(0))
        if k > 0:
            slope = act_grad(hs[k]) if mistake == "slope at h" else act_grad(zs[k - 1])
            dz = (dz @ params[k][0]) * slope
    return grads


def _profile(model, x, dout, mistake):
    import torch

    zs, inputs, h = [], [], x
    for module in model:
        if isinstance(module, torch.nn.Linear):
            inputs.append(h.detach())
        h = module(h)
        if isinstance(module, torch.nn.Linear):
            h.retain_grad()
            zs.append(h)
    h.backward(dout)
    backward = [z.grad.pow(2).mean().item() for z in zs]
    if mistake == "first example only":
        return [z.detach()[0].pow(2).mean().item() for z in zs], [z.grad[0].pow(2).mean().item() for z in zs]
    if mistake == "inputs of the linear layers":
        return [a.pow(2).mean().item() for a in inputs], backward
    return [z.detach().pow(2).mean().item() for z in zs], backward[::-1]


REVIEW15 = [
    (check.train_loop, _loop15("nesterov"), "Hint"),
    (check.train_loop, _loop15("gamma fixed"), "Hint"),
    (check.train_loop, _loop15("lr fixed"), "Hint"),
    (check.train_loop, _loop15("weight decay"), "Hint"),
    (check.train_loop, _loop15("per epoch"), "Hint"),
    (check.train_loop, _loop15("l1"), "Hint"),
    (check.toy_backward, lambda x, y, p: _toy(x, y, p, "tanh twice"), "beta0 and omega0"),
    (check.toy_backward, lambda x, y, p: _toy(x, y, p, "mean"), "summed"),
    (check.toy_backward, lambda x, y, p: _toy(x, y, p, "no factor 2"), "Hint"),
    (check.leaky_he_variance, lambda D, a: 1.0 / (D * (1 + a**2)), "He's 2 / D"),
    (check.leaky_he_variance, lambda D, a: 2.0 / (D * (1 + a) ** 2), "1 / D"),
    (check.leaky_he_variance, lambda D, a: 2.0 / (D * (1 + a)), "any slope"),
    (check.net_gradients, lambda *a: _net(*a, mistake="slope at h"), "tanh hidden layer"),
    (check.net_gradients, lambda *a: _net(*a, mistake="db mean"), "linear model"),
    (check.net_gradients, lambda *a: _net(*a, mistake="sum"), "Hint"),
    (check.variance_profile, lambda *a: _profile(*a, "first example only"), "Hint"),
    (check.variance_profile, lambda *a: _profile(*a, "inputs of the linear layers"), "Hint"),
]


@pytest.mark.parametrize("checker, wrong, words", REVIEW15, ids=lambda c: getattr(c, "__name__", ""))
def test_more_plausible_mistakes_are_named(checker, wrong, words, capsys):
    assert_names_the_mistake(checker, wrong, words, ["zero_grad()\n", "2.0 / (fan_in", "dz.T @ hs"], capsys)
