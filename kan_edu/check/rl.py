"""Checks for reinforcement learning: returns, policy evaluation, the Q-learning update, epsilon-greedy and
the REINFORCE gradient of one episode."""

from __future__ import annotations

import numpy as np

from .. import rl
from ._core import answer, close, is_distribution, run

__all__ = ["discounted_returns", "policy_evaluation", "q_learning_update", "epsilon_greedy", "reinforce_episode"]


def discounted_returns(fn):
    """Check ``fn(rewards, gamma)``: the return G_t of every step of one episode, shape (T,)."""
    rng = np.random.default_rng(19)
    r = rng.normal(size=12)
    sparse = np.zeros(8)
    sparse[-1] = 1.0

    def matches(rewards, gamma):
        return close(answer(fn, rewards.copy(), gamma), rl.discounted_returns(rewards, gamma), rtol=1e-7, atol=1e-10)

    return run(
        "discounted_returns",
        [
            (
                "there is one return per reward (shape (T,))",
                lambda: np.shape(answer(fn, r.copy(), 0.9)) == r.shape,
                "every step t has its own return G_t, the first step included.",
            ),
            (
                "with gamma = 0 the return of each step is its own reward",
                lambda: matches(r, 0.0),
                "G_t starts with the reward of step t itself, not the next one.",
            ),
            (
                "a single reward of 1 at the last of 8 steps is worth gamma**(T - 1 - t) at step t",
                lambda: matches(sparse, 0.5),
                "a return looks forward in time: rewards after step t count, rewards before it do not, and the "
                "discount grows with the distance from t, not from the start of the episode.",
            ),
            (
                "random rewards with gamma = 0.9 and gamma = 1",
                lambda: matches(r, 0.9) and matches(r, 1.0),
                "check the recursion G_t = r_t + gamma G_(t+1), with nothing after the last step.",
            ),
        ],
    )


def _mdp(seed, S=4, A=3):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.ones(S) * 0.7, size=(S, A))
    R = rng.normal(size=(S, A))
    pi = rng.dirichlet(np.ones(A), size=S)
    return P, R, pi


def policy_evaluation(fn):
    """Check ``fn(P, R, pi, gamma)``: the value V (S,) of the stochastic policy pi (S, A) in the MDP (P, R)."""
    cases = [_mdp(seed) for seed in (0, 1)]
    one_state = (np.ones((1, 2, 1)), np.array([[2.0, 4.0]]), np.array([[0.5, 0.5]]))

    def matches(P, R, pi, gamma):
        out = answer(fn, P.copy(), R.copy(), pi.copy(), gamma)
        return close(out, rl.policy_evaluation(P, R, pi, gamma), rtol=1e-6, atol=1e-6)

    return run(
        "policy_evaluation",
        [
            (
                "V has one value per state (shape (S,))",
                lambda: np.shape(answer(fn, *[a.copy() for a in cases[0]], 0.9)) == (4,),
                "average over the actions with the policy's probabilities, and over the next states with P.",
            ),
            (
                "a single state that always returns to itself has V = (average reward) / (1 - gamma)",
                lambda: matches(*one_state, 0.5),
                "weight each action's reward by pi, and let the future count gamma times the value of the next "
                "state (here the same state).",
            ),
            (
                "with gamma = 0 the value is the policy's expected immediate reward",
                lambda: matches(*cases[0], 0.0),
                "with no future, V(s) is the sum over actions of pi(a|s) R(s, a); the policy's probabilities "
                "weight the rewards, no action is picked as the best.",
            ),
            (
                "V solves the Bellman equation on two random MDPs with gamma = 0.9",
                lambda: matches(*cases[0], 0.9) and matches(*cases[1], 0.9),
                "P[s, a, s'] is the probability of moving from s to s'; check which axis you sum over, and "
                "iterate to convergence (or solve the linear system).",
            ),
        ],
    )


def q_learning_update(fn):
    """Check ``fn(Q, s, a, r, s_next, done, alpha, gamma)``: the table Q after one Q-learning update."""
    rng = np.random.default_rng(7)
    Q0 = rng.normal(size=(5, 3))
    Q0[3] = [0.5, 2.0, -1.0]  # at the next state, the best action (1) is not the action taken (0)

    def reference(s, a, r, s2, done, alpha, gamma):
        Q = Q0.copy()
        target = r if done else r + gamma * Q[s2].max()
        Q[s, a] += alpha * (target - Q[s, a])
        return Q

    def student(*args):
        return np.asarray(answer(fn, Q0.copy(), *args), dtype=float)

    step = (1, 0, 0.7, 3, False, 0.5, 0.9)
    return run(
        "q_learning_update",
        [
            (
                "the update returns the whole table Q, same shape",
                lambda: student(*step).shape == Q0.shape,
                "return the updated table (a copy or the same array), not just one entry.",
            ),
            (
                "with alpha = 0 nothing changes",
                lambda: close(student(1, 0, 0.7, 3, False, 0.0, 0.9), Q0),
                "alpha scales the whole correction.",
            ),
            (
                "only the entry Q[s, a] of the state and action just taken changes",
                lambda: close(np.delete(student(*step).ravel(), 1 * 3 + 0), np.delete(Q0.ravel(), 3)),
                "one experience (s, a, r, s') teaches about one pair (s, a) only.",
            ),
            (
                "Q[s, a] moves towards the target r + gamma * (value of the best action at s')",
                lambda: close(student(*step), reference(*step)),
                "Q-learning's target uses the best next action, whichever action the agent will take; the "
                "entry moves a fraction alpha of the way from its old value towards the target, not away.",
            ),
            (
                "at the end of an episode (done) the target is the reward alone",
                lambda: close(student(1, 0, 0.7, 3, True, 0.5, 0.9), reference(1, 0, 0.7, 3, True, 0.5, 0.9)),
                "after a terminal step there is no future to bootstrap from.",
            ),
        ],
    )


def epsilon_greedy(fn):
    """Check ``fn(q, epsilon)``: the epsilon-greedy probabilities (A,) for action values q (A,)."""
    q = np.array([0.2, 1.5, -0.3, 0.9])
    tied = np.array([1.0, 0.0, 1.0, 0.5, -2.0])

    def probs(values, eps):
        return np.asarray(answer(fn, values.copy(), eps), dtype=float)

    return run(
        "epsilon_greedy",
        [
            (
                "the result is a probability distribution over the actions",
                lambda: probs(q, 0.3).shape == q.shape and is_distribution(probs(q, 0.3)),
                "one probability per action, all >= 0, summing to 1.",
            ),
            (
                "with epsilon = 0 the best action is certain; with epsilon = 1 all actions are equally likely",
                lambda: close(probs(q, 0.0), rl.epsilon_greedy(q, 0.0)) and close(probs(q, 1.0), np.full(4, 0.25)),
                "epsilon is the chance of exploring; the rest of the time the agent takes the action with the "
                "largest value (not the smallest).",
            ),
            (
                "with epsilon = 0.3 the probabilities follow the chapter's convention",
                lambda: close(probs(q, 0.3), rl.epsilon_greedy(q, 0.3)),
                "when exploring, the random action is drawn from all A actions, the greedy one included, so the "
                "greedy action gets a little more than 1 - epsilon.",
            ),
            (
                "actions that tie for the best share the greedy probability equally",
                lambda: close(probs(tied, 0.2), rl.epsilon_greedy(tied, 0.2)),
                "find every action whose value equals the maximum, not only the first one.",
            ),
        ],
    )


def reinforce_episode(fn):
    """Check ``fn(pi, states, actions, rewards, gamma, baseline)``: one episode's REINFORCE gradient (S, A)."""
    rng = np.random.default_rng(23)
    S, A, T = 5, 3, 9
    pi = rl.softmax_policy(rng.normal(size=(S, A)))
    states = rng.integers(0, S - 1, T)  # state S - 1 is never visited
    actions = rng.integers(0, A, T)
    rewards = rng.normal(size=T) + 1.0
    baseline = rng.normal(size=S)
    zero = np.zeros(S)

    def student(s, a, r, gamma, b):
        return np.asarray(answer(fn, pi.copy(), s.copy(), a.copy(), r.copy(), gamma, b.copy()), dtype=float)

    def matches(s, a, r, gamma, b):
        return close(student(s, a, r, gamma, b), rl.episode_gradient(pi, s, a, r, gamma, b), rtol=1e-6, atol=1e-9)

    one = (states[:1], actions[:1], rewards[:1])
    return run(
        "reinforce_episode",
        [
            (
                "the gradient has one entry per parameter theta[s, a] (shape (S, A))",
                lambda: student(states, actions, rewards, 0.9, zero).shape == (S, A),
                "the softmax policy has one parameter per state and action, like pi.",
            ),
            (
                "a one-step episode with no baseline gives the reward times grad log pi of that step",
                lambda: matches(*one, 0.9, zero),
                "for the softmax, the derivative of log pi(a|s) by theta[s, b] is 1 for b = a minus pi(b|s); it is "
                "zero in every other row.",
            ),
            (
                "every row sums to zero and the row of a state never visited is zero",
                lambda: (
                    np.allclose(student(states, actions, rewards, 0.9, zero).sum(axis=1), 0)
                    and np.allclose(student(states, actions, rewards, 0.9, zero)[S - 1], 0)
                ),
                "the probabilities of a row sum to 1, so the derivatives of log pi along a row must cancel; "
                "check that the policy's probabilities are subtracted.",
            ),
            (
                "a whole episode with no baseline matches the reference",
                lambda: matches(states, actions, rewards, 0.9, zero),
                "each step is weighted by the return from that step on, not by the whole episode's, and later "
                "steps count less: compare the discount with the chapter's REINFORCE equation.",
            ),
            (
                "a whole episode with a baseline matches the reference",
                lambda: matches(states, actions, rewards, 0.9, baseline),
                "the baseline of the state at step t is taken away from the return G_t before weighting.",
            ),
        ],
    )
