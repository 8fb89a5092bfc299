"""kan_edu.rl against independent references: the return recursion, linear solves of the Bellman equations,
brute force over every deterministic policy, finite differences of the exact objective, sampling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from kan_edu import rl
from kan_edu.check._core import unbiased


def random_mdp(S=4, A=3, seed=0, terminal=None):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.ones(S) * 0.5, size=(S, A))
    R = rng.normal(size=(S, A))
    if terminal is not None:
        P[terminal] = 0
        P[terminal, :, terminal] = 1
        R[terminal] = 0
    return P, R


def bellman_solve(P, R, pi, gamma):
    """V_pi from the linear system (I - gamma P_pi) V = R_pi, written with loops (no einsum)."""
    S, A = R.shape
    P_pi = np.zeros((S, S))
    R_pi = np.zeros(S)
    for s in range(S):
        for a in range(A):
            P_pi[s] += pi[s, a] * P[s, a]
            R_pi[s] += pi[s, a] * R[s, a]
    return np.linalg.solve(np.eye(S) - gamma * P_pi, R_pi)


# ----------------------------------------------------------------------------------------------- returns
def test_discounted_returns_follow_the_recursion():
    rng = np.random.default_rng(1)
    r = rng.normal(size=30)
    for gamma in (0.0, 0.5, 0.93, 1.0):
        G = rl.discounted_returns(r, gamma)
        expected = np.zeros(31)
        for t in range(29, -1, -1):
            expected[t] = r[t] + gamma * expected[t + 1]
        assert np.allclose(G, expected[:-1])
        direct = [sum(gamma**k * r[t + k] for k in range(30 - t)) for t in range(30)]
        assert np.allclose(G, direct)
    assert np.allclose(rl.discounted_returns(r, 0.0), r)
    assert np.allclose(rl.discounted_returns(r, 1.0), np.cumsum(r[::-1])[::-1])
    assert rl.discounted_returns([], 0.9).shape == (0,)


def test_discounted_returns_torch_in_torch_out():
    r = torch.tensor([1.0, 0.0, 2.0], dtype=torch.float32)
    G = rl.discounted_returns(r, 0.5)
    assert isinstance(G, torch.Tensor) and G.dtype == torch.float32
    assert torch.allclose(G, torch.tensor([1.5, 1.0, 2.0]))


# ---------------------------------------------------------------------------------- dynamic programming
@pytest.mark.parametrize("seed", range(4))
def test_policy_evaluation_solves_the_bellman_equation(seed):
    P, R = random_mdp(5, 3, seed)
    rng = np.random.default_rng(seed)
    pi = rng.dirichlet(np.ones(3), size=5)
    for gamma in (0.0, 0.6, 0.95):
        V = rl.policy_evaluation(P, R, pi, gamma)
        assert np.allclose(V, bellman_solve(P, R, pi, gamma), atol=1e-8)
    # a deterministic policy given as actions is its one-hot matrix
    actions = rng.integers(0, 3, 5)
    assert np.allclose(rl.policy_evaluation(P, R, actions, 0.9), bellman_solve(P, R, np.eye(3)[actions], 0.9))


def test_policy_evaluation_sweeps_converge_geometrically_and_rewards_are_monotone():
    P, R = random_mdp(5, 2, 3)
    pi = np.full((5, 2), 0.5)
    exact = bellman_solve(P, R, pi, 0.8)
    errors = [np.abs(rl.policy_evaluation(P, R, pi, 0.8, sweeps=k) - exact).max() for k in range(1, 15)]
    assert all(e2 <= 0.8 * e1 + 1e-12 for e1, e2 in zip(errors, errors[1:]))
    assert np.all(rl.policy_evaluation(P, R, pi, 0.8, sweeps=0) == 0)
    assert np.all(rl.policy_evaluation(P, R + 0.1, pi, 0.8) > rl.policy_evaluation(P, R, pi, 0.8))


def test_terminal_states_have_value_zero():
    P, R = random_mdp(4, 2, 5, terminal=3)
    V, _ = rl.value_iteration(P, R, 0.9)
    assert V[3] == 0
    env = rl.penguin(0.25)
    V, _ = rl.value_iteration(env.P, env.R, 0.9)
    assert np.all(V[env.terminal] == 0)


@pytest.mark.parametrize("seed", range(5))
def test_value_iteration_policy_iteration_and_brute_force_agree(seed):
    S, A, gamma = 4, 3, 0.9
    P, R = random_mdp(S, A, seed)
    best = np.full(S, -np.inf)
    for actions in itertools.product(range(A), repeat=S):  # all 81 deterministic policies
        best = np.maximum(best, bellman_solve(P, R, np.eye(A)[list(actions)], gamma))
    V_vi, pol_vi = rl.value_iteration(P, R, gamma)
    V_pi, pol_pi, n = rl.policy_iteration(P, R, gamma)
    assert np.allclose(V_vi, best, atol=1e-8) and np.allclose(V_pi, best, atol=1e-10)
    # the greedy policies are optimal: their values are the optimal values
    assert np.allclose(bellman_solve(P, R, np.eye(A)[pol_vi], gamma), best, atol=1e-8)
    assert np.allclose(bellman_solve(P, R, np.eye(A)[pol_pi], gamma), best, atol=1e-10)
    assert 1 <= n <= A**S
    # V* is the fixed point of the optimality backup
    assert np.allclose(rl.q_values(P, R, V_vi, gamma).max(axis=1), V_vi, atol=1e-9)


def test_value_iteration_torch_in_torch_out_and_sweeps():
    env = rl.penguin(0.0)
    V, pol = rl.value_iteration(torch.tensor(env.P), torch.tensor(env.R), 0.9)
    assert isinstance(V, torch.Tensor) and V.dtype == torch.float64 and pol.dtype == torch.int64
    V_np, pol_np = rl.value_iteration(env.P, env.R, 0.9)
    assert np.allclose(V.numpy(), V_np) and np.array_equal(pol.numpy(), pol_np)
    V1, _ = rl.value_iteration(env.P, env.R, 0.9, sweeps=1)
    assert np.allclose(V1, env.R.max(axis=1))
    # on deterministic ice with reward 1 at the fish, V* = gamma^(steps to the fish - 1)
    assert np.isclose(V_np[env.start], 0.9**7)


def test_epsilon_greedy_probabilities():
    q = np.array([[1.0, 3.0, 2.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
    p = rl.epsilon_greedy(q, 0.2)
    assert np.allclose(p.sum(axis=1), 1)
    assert np.allclose(p[0], [0.05, 0.85, 0.05, 0.05])
    assert np.allclose(p[1], [0.45, 0.45, 0.05, 0.05])
    assert np.allclose(rl.epsilon_greedy(q[0], 1.0), 0.25)
    assert np.allclose(rl.epsilon_greedy(q[0], 0.0), [0, 1, 0, 0])


# -------------------------------------------------------------------------------------------- grid worlds
def test_grid_world_model_matches_its_sampler():
    env = rl.penguin(0.3)
    assert env.P.shape == (env.n_states, 4, env.n_states) and np.allclose(env.P.sum(axis=2), 1)
    rng = np.random.default_rng(0)
    s = int(env.cells.tolist().index([2, 1]))
    for a in range(4):
        draws = [env.step(s, a, rng) for _ in range(4000)]
        counts = np.bincount([d[0] for d in draws], minlength=env.n_states) / 4000
        assert np.abs(counts - env.P[s, a]).max() < 0.03
        assert abs(np.mean([d[1] for d in draws]) - env.R[s, a]) < 0.03


def test_grid_world_moves_walls_and_slip():
    env = rl.GridWorld(["S#", ".G"], slip=0.0)
    s, g = env.start, int(np.flatnonzero(env.terminal)[0])
    down = env._index[(1, 0)]
    assert env.P[s, 1, s] == 1  # a wall: stays
    assert env.P[s, 0, s] == 1  # off the grid: stays
    assert env.P[s, 2, down] == 1 and env.P[down, 1, g] == 1 and env.R[down, 1] == 1.0
    assert np.all(env.P[g, :, g] == 1) and np.all(env.R[g] == 0)
    icy = rl.GridWorld(["S.", ".G"], slip=0.5)
    # moving right from the start: straight with 1/2, up (stays) 1/4, down 1/4
    right, below = icy._index[(0, 1)], icy._index[(1, 0)]
    assert np.isclose(icy.P[icy.start, 1, right], 0.5) and np.isclose(icy.P[icy.start, 1, below], 0.25)
    assert np.isclose(icy.P[icy.start, 1, icy.start], 0.25)


def test_cliff_sends_you_back_and_costs_100():
    env = rl.cliff()
    assert env.n_states == 4 * 12 - 10
    s2, r, done = env.step(env.start, 1, 0)
    assert (s2, r, done) == (env.start, -101.0, False)
    # the optimal path walks along the edge: 13 steps of -1
    V, _ = rl.value_iteration(env.P, env.R, 0.999999)
    assert abs(V[env.start] - (-13)) < 1e-3


def test_episode_and_to_grid():
    env = rl.penguin(0.0)
    _, pol = rl.value_iteration(env.P, env.R, 0.9)
    ep = env.episode(pol, seed=0)
    assert len(ep["states"]) == len(ep["actions"]) + 1 == 9 and ep["rewards"].sum() == 1
    assert env.terminal[ep["states"][-1]]
    grid = env.to_grid(np.arange(env.n_states, dtype=float))
    assert grid.shape == (5, 5) and np.isnan(grid[1, 1]) and grid[0, 0] == 0


# ---------------------------------------------------------------------------------- learning from samples
def test_mc_and_td_evaluation_approach_the_true_values():
    env = rl.GridWorld(["S..", ".H.", "..G"], slip=0.1)
    pi = np.full((env.n_states, 4), 0.25)
    V = bellman_solve(env.P, env.R, pi, 0.9)
    mc = rl.mc_evaluation(env, pi, episodes=2000, gamma=0.9, seed=0)
    td = rl.td_evaluation(env, pi, episodes=2000, alpha=0.02, gamma=0.9, seed=0)
    assert np.abs(mc["V"] - V).max() < 0.1 and np.abs(td["V"] - V).max() < 0.1
    # and they get closer with more episodes
    assert np.abs(mc["history"][1999] - V).mean() < 0.5 * np.abs(mc["history"][19] - V).mean()
    assert mc["history"].shape == (2000, env.n_states)
    # constant-step MC and running-average TD converge too
    mc_const = rl.mc_evaluation(env, pi, episodes=2000, gamma=0.9, seed=1, alpha=0.01)
    td_avg = rl.td_evaluation(env, pi, episodes=2000, alpha=None, gamma=0.9, seed=1)
    assert np.abs(mc_const["V"] - V).max() < 0.1 and np.abs(td_avg["V"] - V).max() < 0.15


def test_running_average_mc_is_the_mean_of_the_returns():
    env = rl.GridWorld(["S.G"], slip=0.3)
    pi = np.full((env.n_states, 4), 0.25)
    out = rl.mc_evaluation(env, pi, episodes=30, gamma=0.8, seed=2)
    rng = np.random.default_rng(2)  # replay the same episodes and average by hand
    total, count = np.zeros(env.n_states), np.zeros(env.n_states)
    for _ in range(30):
        states, _, rewards = rl._rollout(env, rl.policy_matrix(env.P, pi), rng, 1000)
        G = rl.discounted_returns(np.array(rewards), 0.8)
        np.add.at(total, states[:-1], G)
        np.add.at(count, states[:-1], 1)
    assert np.allclose(out["V"], np.divide(total, count, out=np.zeros(env.n_states), where=count > 0))


def test_sarsa_is_safe_and_q_learning_walks_the_edge_on_the_cliff():
    env = rl.cliff()
    edge = -13.0  # the shortest path: up, eleven steps right along the edge, down
    s, q = rl.sarsa(env, 400, seed=0, snapshots=[0, 400]), rl.q_learning(env, 400, seed=0)
    greedy_q = env.episode(rl.greedy_policy(q["Q"]), max_steps=100)["rewards"].sum()
    greedy_s = env.episode(rl.greedy_policy(s["Q"]), max_steps=100)["rewards"].sum()
    assert greedy_q == edge and greedy_s < edge  # Q-learning learns the optimal edge path, SARSA a safer one
    assert s["returns"][-100:].mean() > q["returns"][-100:].mean()  # but SARSA earns more while exploring
    assert np.all(s["snapshots"][0] == 0) and np.array_equal(s["snapshots"][1], s["Q"])


def test_mc_control_finds_the_fish():
    env = rl.penguin(0.0)
    out = rl.mc_control(env, 300, gamma=0.9, epsilon=0.2, seed=0)
    assert env.episode(rl.greedy_policy(out["Q"]), max_steps=50)["rewards"].sum() == 1


def test_learning_is_seeded():
    env = rl.cliff()
    a, b = rl.q_learning(env, 50, seed=3), rl.q_learning(env, 50, seed=3)
    assert np.array_equal(a["Q"], b["Q"]) and np.array_equal(a["returns"], b["returns"])


# ------------------------------------------------------------------------------------------ policy gradients
SMALL = ["S..H", "...G"]


def test_exact_policy_gradient_matches_finite_differences():
    env = rl.GridWorld(SMALL, slip=0.1, rewards={"H": 0.0})
    theta = np.random.default_rng(0).normal(size=(env.n_states, 4))
    grad, J = rl.policy_gradient(env, theta, 0.9)

    def objective(th):
        return bellman_solve(env.P, env.R, rl.softmax_policy(th), 0.9)[env.start]

    assert np.isclose(J, objective(theta))
    eps = 1e-6
    fd = np.zeros_like(theta)
    for idx in np.ndindex(*theta.shape):
        e = np.zeros_like(theta)
        e[idx] = eps
        fd[idx] = (objective(theta + e) - objective(theta - e)) / (2 * eps)
    assert np.allclose(grad, fd, atol=1e-7)


def test_softmax_policy_is_a_distribution_and_shift_invariant():
    theta = np.random.default_rng(1).normal(size=(3, 4)) * 50
    pi = rl.softmax_policy(theta)
    assert np.allclose(pi.sum(axis=1), 1) and np.all(pi >= 0)
    assert np.allclose(rl.softmax_policy(theta + 7.0), pi)


@pytest.mark.parametrize("baseline", ["none", "constant", "values"])
def test_reinforce_is_unbiased_with_any_baseline(baseline):
    env = rl.GridWorld(SMALL, slip=0.1, rewards={"H": 0.0})
    theta = np.random.default_rng(2).normal(size=(env.n_states, 4)) * 0.5
    grad, J = rl.policy_gradient(env, theta, 0.9)
    b = {"none": None, "constant": J, "values": bellman_solve(env.P, env.R, rl.softmax_policy(theta), 0.9)}[baseline]
    estimates = np.array([rl.reinforce_gradient(env, theta, 0.9, baseline=b, seed=i) for i in range(3000)])
    for idx in [(env.start, 1), (env.start, 2), (1, 1)]:
        assert unbiased(estimates[:, idx[0], idx[1]], grad[idx], sigmas=5)


def test_a_value_baseline_lowers_the_variance():
    env = rl.GridWorld(SMALL, slip=0.1, rewards={"H": 0.0})
    theta = np.zeros((env.n_states, 4))
    V = bellman_solve(env.P, env.R, rl.softmax_policy(theta), 0.9)
    none = np.array([rl.reinforce_gradient(env, theta, 0.9, seed=i) for i in range(1000)])
    value = np.array([rl.reinforce_gradient(env, theta, 0.9, baseline=V, seed=i) for i in range(1000)])
    assert value.var(axis=0).sum() < 0.8 * none.var(axis=0).sum()


def test_reinforce_improves_the_policy_and_counts_episodes():
    env = rl.GridWorld(SMALL, slip=0.1, rewards={"H": 0.0})
    for baseline in rl.BASELINES:
        out = rl.reinforce(env, 200, lr=1.0, gamma=0.9, batch=4, baseline=baseline, seed=0)
        assert out["J"][-1] > out["J"][0] + 0.2
        assert out["episodes_seen"][-1] == 200 and len(out["J"]) == 51


def test_episode_gradient_is_the_autograd_gradient_of_the_surrogate():
    rng = np.random.default_rng(5)
    S, A, T = 4, 3, 7
    theta = torch.tensor(rng.normal(size=(S, A)), requires_grad=True)
    states, actions = rng.integers(0, S, T), rng.integers(0, A, T)
    rewards, baseline, gamma = rng.normal(size=T), rng.normal(size=S), 0.8
    G = rl.discounted_returns(rewards, gamma)
    weights = torch.tensor(gamma ** np.arange(T) * (G - baseline[states]))
    log_pi = torch.log_softmax(theta, dim=1)[torch.tensor(states), torch.tensor(actions)]
    (weights * log_pi).sum().backward()
    pi = rl.softmax_policy(theta.detach().numpy())
    ours = rl.episode_gradient(pi, states, actions, rewards, gamma, baseline)
    assert np.allclose(ours, theta.grad.numpy())
    assert np.allclose(
        rl.episode_gradient(pi, states, actions, rewards, gamma, 0.5),
        rl.episode_gradient(pi, states, actions, rewards, gamma, np.full(S, 0.5)),
    )
