"""The diffusion chapter's checks pass right answers, fail plausible wrong ones, never raise, never tell."""

import numpy as np
import pytest
import torch

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------ diffusion kernel
def kernel(x, t, betas):  # the chapter's solution
    alpha_bar = np.prod(1 - betas[:t])
    return np.sqrt(alpha_bar) * x, np.sqrt(1 - alpha_bar)


def kernel_variance(x, t, betas):  # returns the variance where the std is asked for
    alpha_bar = np.prod(1 - betas[:t])
    return np.sqrt(alpha_bar) * x, 1 - alpha_bar


def kernel_off_by_one(x, t, betas):  # the product stops one step early
    alpha_bar = np.prod(1 - betas[: t - 1])
    return np.sqrt(alpha_bar) * x, np.sqrt(1 - alpha_bar)


def kernel_one_step_alpha(x, t, betas):  # alpha_t instead of alpha_bar_t
    alpha = 1 - betas[t - 1]
    return np.sqrt(alpha) * x, np.sqrt(1 - alpha)


def kernel_constant_power(x, t, betas):  # (1 - beta_t)^t: right only for a constant schedule
    alpha_bar = (1 - betas[t - 1]) ** t
    return np.sqrt(alpha_bar) * x, np.sqrt(1 - alpha_bar)


def kernel_no_sqrt_mean(x, t, betas):  # the mean scaled by alpha_bar, not its square root
    alpha_bar = np.prod(1 - betas[:t])
    return alpha_bar * x, np.sqrt(1 - alpha_bar)


# ------------------------------------------------------------------------------------------- posterior
def posterior(x, z_t, t, betas):  # the chapter's solution
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    beta, ab_t, ab_prev = betas[t - 1], alpha_bar[t], alpha_bar[t - 1]
    mean = np.sqrt(ab_prev) * beta / (1 - ab_t) * x + np.sqrt(1 - beta) * (1 - ab_prev) / (1 - ab_t) * z_t
    return mean, np.sqrt(beta * (1 - ab_prev) / (1 - ab_t))


def posterior_variance(x, z_t, t, betas):
    mean, std = posterior(x, z_t, t, betas)
    return mean, std**2


def posterior_shifted(x, z_t, t, betas):  # alpha_bar_t for step t - 1 and alpha_bar_(t+1) for step t
    alpha_bar = np.concatenate([np.cumprod(1 - betas), [np.prod(1 - betas) * (1 - betas[-1])]])
    beta, ab_t, ab_prev = betas[t - 1], alpha_bar[t], alpha_bar[t - 1]
    mean = np.sqrt(ab_prev) * beta / (1 - ab_t) * x + np.sqrt(1 - beta) * (1 - ab_prev) / (1 - ab_t) * z_t
    return mean, np.sqrt(beta * (1 - ab_prev) / (1 - ab_t))


def posterior_bar_on_z(x, z_t, t, betas):  # sqrt(alpha_bar_t) where sqrt(alpha_t) weights z_t
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    beta, ab_t, ab_prev = betas[t - 1], alpha_bar[t], alpha_bar[t - 1]
    mean = np.sqrt(ab_prev) * beta / (1 - ab_t) * x + np.sqrt(ab_t) * (1 - ab_prev) / (1 - ab_t) * z_t
    return mean, np.sqrt(beta * (1 - ab_prev) / (1 - ab_t))


def posterior_beta_std(x, z_t, t, betas):  # the forward step's std instead of the posterior's
    mean, _ = posterior(x, z_t, t, betas)
    return mean, np.sqrt(betas[t - 1])


def posterior_depends_on_z(x, z_t, t, betas):
    mean, std = posterior(x, z_t, t, betas)
    return mean, std * (1 + 0.1 * np.abs(z_t))


# ------------------------------------------------------------------------------------------------ DDIM
def ddim(z_t, eps, t, s, betas):  # the chapter's solution
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    x_hat = (z_t - np.sqrt(1 - alpha_bar[t]) * eps) / np.sqrt(alpha_bar[t])
    return np.sqrt(alpha_bar[s]) * x_hat + np.sqrt(1 - alpha_bar[s]) * eps


def ddim_x_only(z_t, eps, t, s, betas):  # forgets to re-noise: always returns the estimate of x
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    return (z_t - np.sqrt(1 - alpha_bar[t]) * eps) / np.sqrt(alpha_bar[t])


def ddim_one_step_alpha(z_t, eps, t, s, betas):  # alpha_t = 1 - beta_t where alpha_bar_t belongs
    alpha = 1 - betas[t - 1]
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    x_hat = (z_t - np.sqrt(1 - alpha) * eps) / np.sqrt(alpha)
    return np.sqrt(alpha_bar[s]) * x_hat + np.sqrt(1 - alpha_bar[s]) * eps


def ddim_off_by_one(z_t, eps, t, s, betas):  # alpha_bar indexed from 0 at step 1
    alpha_bar = np.cumprod(1 - betas)
    x_hat = (z_t - np.sqrt(1 - alpha_bar[t - 1]) * eps) / np.sqrt(alpha_bar[t - 1])
    ab_s = alpha_bar[s - 1] if s > 0 else 1.0
    return np.sqrt(alpha_bar[max(s - 1, 0)]) * x_hat + np.sqrt(1 - ab_s) * eps


def ddim_fresh_noise(z_t, eps, t, s, betas):  # re-noises with new noise: a different sampler, not deterministic
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    x_hat = (z_t - np.sqrt(1 - alpha_bar[t]) * eps) / np.sqrt(alpha_bar[t])
    return np.sqrt(alpha_bar[s]) * x_hat + np.sqrt(1 - alpha_bar[s]) * np.random.standard_normal(np.shape(eps))


def ddim_variance_scale(z_t, eps, t, s, betas):  # (1 - alpha_bar) where its square root belongs
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    x_hat = (z_t - (1 - alpha_bar[t]) * eps) / np.sqrt(alpha_bar[t])
    return np.sqrt(alpha_bar[s]) * x_hat + (1 - alpha_bar[s]) * eps


CASES = [
    (
        check.diffusion_kernel,
        kernel,
        [
            kernel_variance,
            kernel_off_by_one,
            kernel_one_step_alpha,
            kernel_constant_power,
            kernel_no_sqrt_mean,
            lambda x, t, b: ...,
        ],
        ("np.prod", "cumprod", "betas[:t]"),
    ),
    (
        check.diffusion_posterior,
        posterior,
        [
            posterior_variance,
            posterior_shifted,
            posterior_bar_on_z,
            posterior_beta_std,
            posterior_depends_on_z,
            lambda *a: ...,
        ],
        ("np.sqrt(1 - beta)", "(1 - ab_t)", "ab_prev"),
    ),
    (
        check.ddim_step,
        ddim,
        [ddim_x_only, ddim_one_step_alpha, ddim_off_by_one, ddim_fresh_noise, ddim_variance_scale, lambda *a: ...],
        ("x_hat", "np.sqrt(alpha_bar[s])", "alpha_bar[t]"),
    ),
]


@pytest.mark.parametrize("checker, right, wrongs, secrets", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_checks_pass_right_fail_wrong_never_tell(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_wrong_answers_get_hints_naming_the_mistake(capsys):
    expected = [
        (check.diffusion_kernel, kernel_variance, "variance"),
        (check.diffusion_kernel, kernel_off_by_one, "off-by-one"),
        (check.diffusion_kernel, kernel_constant_power, "constant schedule"),
        (check.diffusion_posterior, posterior_variance, "not the variance itself"),
        (check.diffusion_posterior, posterior_shifted, "alpha_bar goes with t"),
        (check.diffusion_posterior, posterior_bar_on_z, "one-step alpha_t"),
        (check.ddim_step, ddim_x_only, "returning the estimate of x itself"),
        (check.ddim_step, ddim_one_step_alpha, "not from the one-step alpha_t"),
        (check.ddim_step, ddim_fresh_noise, "draws no new noise"),
    ]
    capsys.readouterr()
    for checker, wrong, words in expected:
        assert not checker(wrong)
        out = capsys.readouterr().out
        assert words in " ".join(out.split()), (wrong.__name__, out)


def test_placeholders_say_not_answered(capsys):
    assert_hint_or_not_answered(
        check.diffusion_kernel, kernel, [kernel_variance, lambda x, t, b: ...], (np.ones(2), 1, np.ones(2) / 4), capsys
    )


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported(
        [check.diffusion_kernel, check.diffusion_posterior, check.ddim_step], capsys
    )


def test_the_library_functions_and_torch_answers_pass(capsys):
    from kan_edu import diffusion

    assert check.diffusion_kernel(diffusion.diffusion_kernel)
    assert check.diffusion_posterior(diffusion.posterior_q)
    assert check.ddim_step(diffusion.ddim_step)

    def kernel_torch(x, t, betas):
        ab = torch.prod(1 - torch.as_tensor(betas)[:t])
        return torch.sqrt(ab) * torch.as_tensor(x), torch.sqrt(1 - ab)

    assert check.diffusion_kernel(kernel_torch)
