"""The reinforcement-learning chapter's checks pass right answers, fail plausible wrong ones, never raise, never
tell."""

import numpy as np
import pytest

from kan_edu import check
from tests.helpers import assert_check, assert_hint_or_not_answered, assert_placeholders_and_errors_reported


# ------------------------------------------------------------------------------------------ returns
def returns_loop(rewards, gamma):  # the chapter's solution
    G = np.zeros(len(rewards))
    future = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        future = rewards[t] + gamma * future
        G[t] = future
    return G


def returns_forward(rewards, gamma):  # sums the past instead of the future
    return np.array([sum(gamma ** (t - k) * rewards[k] for k in range(t + 1)) for t in range(len(rewards))])


def returns_from_next(rewards, gamma):  # off by one: starts at r_{t+1}
    return np.append(returns_loop(rewards, gamma)[1:], 0.0)


def returns_discount_from_start(rewards, gamma):  # gamma^k with k counted from the start of the episode
    disc = gamma ** np.arange(len(rewards))
    return np.cumsum((disc * rewards)[::-1])[::-1]


def returns_only_first(rewards, gamma):  # agrees at gamma = 0 on the first step only
    return np.full(len(rewards), returns_loop(rewards, gamma)[0])


# ------------------------------------------------------------------------------------ policy evaluation
def evaluation_solve(P, R, pi, gamma):
    P_pi = np.einsum("sa,sat->st", pi, P)
    return np.linalg.solve(np.eye(len(R)) - gamma * P_pi, (pi * R).sum(axis=1))


def evaluation_iterate(P, R, pi, gamma):
    V = np.zeros(len(R))
    for _ in range(2000):
        V = (pi * (R + gamma * P @ V)).sum(axis=1)
    return V


def evaluation_transposed(P, R, pi, gamma):  # sums over the wrong state axis
    P_pi = np.einsum("sa,tas->st", pi, P)
    return np.linalg.solve(np.eye(len(R)) - gamma * P_pi, (pi * R).sum(axis=1))


def evaluation_no_gamma(P, R, pi, gamma):  # forgets to discount the future inside the loop
    V = np.zeros(len(R))
    for _ in range(50):
        V = (pi * (R + P @ V)).sum(axis=1) * (gamma > 0)
    return V


def evaluation_greedy(P, R, pi, gamma):  # the optimality backup: max instead of the policy's average
    V = np.zeros(len(R))
    for _ in range(2000):
        V = (R + gamma * P @ V).max(axis=1)
    return V


def evaluation_few_sweeps(P, R, pi, gamma):  # stops far from convergence
    V = np.zeros(len(R))
    for _ in range(3):
        V = (pi * (R + gamma * P @ V)).sum(axis=1)
    return V


# ------------------------------------------------------------------------------------------- Q-learning
def q_update(Q, s, a, r, s2, done, alpha, gamma):
    target = r if done else r + gamma * Q[s2].max()
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


def q_update_sarsa_like(Q, s, a, r, s2, done, alpha, gamma):  # bootstraps from the same action at s'
    target = r if done else r + gamma * Q[s2, a]
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


def q_update_ignores_done(Q, s, a, r, s2, done, alpha, gamma):
    Q[s, a] += alpha * (r + gamma * Q[s2].max() - Q[s, a])
    return Q


def q_update_sign(Q, s, a, r, s2, done, alpha, gamma):
    target = r if done else r + gamma * Q[s2].max()
    Q[s, a] -= alpha * (Q[s, a] - target) * -1
    return Q


def q_update_whole_row(Q, s, a, r, s2, done, alpha, gamma):
    target = r if done else r + gamma * Q[s2].max()
    Q[s] += alpha * (target - Q[s])
    return Q


def q_update_replace(Q, s, a, r, s2, done, alpha, gamma):  # jumps to the target, ignoring alpha
    Q[s, a] = r if done else r + gamma * Q[s2].max()
    return Q


# --------------------------------------------------------------------------------------- epsilon-greedy
def eps_greedy(q, epsilon):
    best = q == q.max()
    return epsilon / len(q) + (1 - epsilon) * best / best.sum()


def eps_greedy_other_convention(q, epsilon):  # greedy 1 - epsilon, the others share epsilon
    p = np.full(len(q), epsilon / (len(q) - 1))
    p[np.argmax(q)] = 1 - epsilon
    return p


def eps_greedy_first_max(q, epsilon):  # breaks ties by the first index
    p = np.full(len(q), epsilon / len(q))
    p[np.argmax(q)] += 1 - epsilon
    return p


def eps_greedy_argmin(q, epsilon):
    p = np.full(len(q), epsilon / len(q))
    p[np.argmin(q)] += 1 - epsilon
    return p


def eps_greedy_unnormalised(q, epsilon):
    return epsilon + (1 - epsilon) * (q == q.max())


# ----------------------------------------------------------------------------------------------- REINFORCE
def episode_returns(rewards, gamma):
    return returns_loop(np.asarray(rewards, dtype=float), gamma)


def score(pi, states, actions, weights):
    grad = np.zeros_like(pi)
    for s, a, w in zip(states, actions, weights):
        grad[s] -= w * pi[s]
        grad[s, a] += w
    return grad


def reinforce_right(pi, states, actions, rewards, gamma, baseline):  # the chapter's solution
    G = episode_returns(rewards, gamma)
    weights = gamma ** np.arange(len(G)) * (G - baseline[states])
    return score(pi, states, actions, weights)


def reinforce_no_discount(pi, states, actions, rewards, gamma, baseline):
    G = episode_returns(rewards, gamma)
    return score(pi, states, actions, G - baseline[states])


def reinforce_whole_return(pi, states, actions, rewards, gamma, baseline):  # G_0 for every step
    G = episode_returns(rewards, gamma)
    return score(pi, states, actions, gamma ** np.arange(len(G)) * (G[0] - baseline[states]))


def reinforce_baseline_added(pi, states, actions, rewards, gamma, baseline):
    G = episode_returns(rewards, gamma)
    return score(pi, states, actions, gamma ** np.arange(len(G)) * (G + baseline[states]))


def reinforce_score_sign(pi, states, actions, rewards, gamma, baseline):
    return -reinforce_right(pi, states, actions, rewards, gamma, baseline)


def reinforce_one_hot_only(pi, states, actions, rewards, gamma, baseline):  # forgets the -pi term
    G = episode_returns(rewards, gamma)
    grad = np.zeros_like(pi)
    np.add.at(grad, (states, actions), gamma ** np.arange(len(G)) * (G - baseline[states]))
    return grad


def reinforce_ignores_baseline(pi, states, actions, rewards, gamma, baseline):
    return reinforce_right(pi, states, actions, rewards, gamma, 0 * baseline)


CASES = [
    (
        check.discounted_returns,
        returns_loop,
        [returns_forward, returns_from_next, returns_discount_from_start, returns_only_first, lambda r, g: ...],
        ("r + gamma", "[::-1]", "future"),
    ),
    (
        check.policy_evaluation,
        evaluation_solve,
        [
            evaluation_transposed,
            evaluation_no_gamma,
            evaluation_greedy,
            evaluation_few_sweeps,
            lambda P, R, pi, g: ...,
        ],
        ("linalg", "einsum", "solve("),
    ),
    (
        check.q_learning_update,
        q_update,
        [
            q_update_sarsa_like,
            q_update_ignores_done,
            q_update_sign,
            q_update_whole_row,
            q_update_replace,
            lambda *a: ...,
        ],
        ("Q[s2].max()", "max()", "target ="),
    ),
    (
        check.epsilon_greedy,
        eps_greedy,
        [eps_greedy_other_convention, eps_greedy_first_max, eps_greedy_argmin, eps_greedy_unnormalised, None],
        ("epsilon / len", "best.sum", "/ A"),
    ),
    (
        check.reinforce_episode,
        reinforce_right,
        [
            reinforce_no_discount,
            reinforce_whole_return,
            reinforce_baseline_added,
            reinforce_score_sign,
            reinforce_one_hot_only,
            reinforce_ignores_baseline,
            lambda *a: ...,
        ],
        ("gamma ** np.arange", "G - b", "grad[s] -="),
    ),
]


@pytest.mark.parametrize("checker, right, wrongs, secrets", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_checks_pass_right_fail_wrong_never_tell(checker, right, wrongs, secrets, capsys):
    assert_check(checker, right, wrongs, secrets, capsys)


def test_the_iterative_solution_passes_too(capsys):
    assert check.policy_evaluation(evaluation_iterate)


def test_wrong_answers_get_hints_and_placeholders_say_not_answered(capsys):
    assert_hint_or_not_answered(
        check.discounted_returns, returns_loop, [returns_forward, lambda r, g: ...], (np.ones(3), 0.5), capsys
    )
    assert_hint_or_not_answered(
        check.epsilon_greedy, eps_greedy, [eps_greedy_first_max, None], (np.ones(3), 0.5), capsys
    )


def test_placeholders_and_errors_are_reported(capsys):
    assert_placeholders_and_errors_reported(
        [
            check.discounted_returns,
            check.policy_evaluation,
            check.q_learning_update,
            check.epsilon_greedy,
            check.reinforce_episode,
        ],
        capsys,
    )


def test_a_q_update_that_works_on_a_copy_passes(capsys):
    def on_copy(Q, *args):
        return q_update(Q.copy(), *args)

    assert check.q_learning_update(on_copy)
