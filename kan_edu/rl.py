"""kan_edu.rl: reinforcement learning on small grid worlds, in numpy (UDL chapter 19).

A Markov decision process (MDP) is written here as two arrays: ``P[s, a, s']``, the probability of moving
from state ``s`` to state ``s'`` when taking action ``a``, and ``R[s, a]``, the expected reward of that step.
A *policy* is either an array of actions, one per state (deterministic), or an array ``pi[s, a]`` of action
probabilities (stochastic). Everything in this module follows from one recursion, the return of an episode
``G_t = r_t + gamma * G_{t+1}`` and its expectation, the Bellman equation:

* **Returns**: :func:`discounted_returns` computes ``G_t`` for every step of one episode.
* **Dynamic programming** (the model ``P, R`` is known): :func:`policy_evaluation` iterates the Bellman
  expectation backup ``V <- R_pi + gamma P_pi V`` to its fixed point; :func:`policy_iteration` alternates that
  with greedy improvement; :func:`value_iteration` iterates the Bellman *optimality* backup
  ``V(s) <- max_a [R(s, a) + gamma sum_s' P(s, a, s') V(s')]``. :func:`q_values` is the one-step look-ahead.
* **Learning from samples** (the model is unknown, only :meth:`GridWorld.step` is): Monte Carlo
  (:func:`mc_evaluation`, :func:`mc_control`) averages observed returns; temporal-difference learning
  (:func:`td_evaluation`, :func:`sarsa`, :func:`q_learning`) bootstraps from its own next estimate.
  :func:`epsilon_greedy` is the exploring policy they act with.
* **Policy gradients**: a tabular softmax policy (:func:`softmax_policy`) improved by REINFORCE
  (:func:`reinforce_gradient`, :func:`reinforce`), with a baseline as a control variate; the exact gradient
  (:func:`policy_gradient`) comes from the policy-gradient theorem on the known model.

:class:`GridWorld` builds ``P`` and ``R`` from a picture made of characters, with an optional *slip* (the
agent moves sideways with that probability, as a penguin on ice); :func:`penguin` and :func:`cliff` are the
two worlds of the chapter. Actions are numbered 0 up, 1 right, 2 down, 3 left.

Conventions: a terminal state is absorbing with reward 0, so a finite episode is an infinite one with zeros at
the end; epsilon-greedy picks a uniformly random action with probability epsilon (which may be the greedy one)
and otherwise a greedy one, ties shared equally. ``discounted_returns`` and ``value_iteration`` take numpy
arrays or torch tensors and return the same kind; the rest is numpy.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from . import _validate as v

__all__ = [
    "discounted_returns",
    "q_values",
    "greedy_policy",
    "policy_matrix",
    "policy_evaluation",
    "value_iteration",
    "policy_iteration",
    "epsilon_greedy",
    "GridWorld",
    "penguin",
    "cliff",
    "mc_evaluation",
    "td_evaluation",
    "mc_control",
    "sarsa",
    "q_learning",
    "softmax_policy",
    "policy_gradient",
    "episode_gradient",
    "reinforce_gradient",
    "reinforce",
]

#: The four moves (row, column) of actions 0 up, 1 right, 2 down, 3 left, and an arrow for each.
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
ARROWS = "\u2191\u2192\u2193\u2190"
#: The characters of a layout: free ice or floor, start, goal (terminal), hole (terminal), cliff, wall.
CELLS = ".SGHC#"
DEFAULT_REWARDS = {"G": 1.0, "H": -1.0, "C": -100.0}
BASELINES = ("none", "average", "learned")
#: Dynamic programming refuses to sweep more often than this (gamma too close to 1 for the tolerance asked).
MAX_SWEEPS = 100_000


# --------------------------------------------------------------------------------------------- arguments
def _like(template, a: np.ndarray):
    """``a`` as the same kind (numpy array or torch tensor, dtype and device) as ``template``."""
    if hasattr(template, "detach") and hasattr(template, "device"):
        import torch

        dtype = template.dtype if template.is_floating_point() else torch.float64
        return torch.as_tensor(np.ascontiguousarray(a), dtype=dtype, device=template.device)
    return a


def _mdp(P, R):
    P = v.array("P", P, 3, empty=False, low=0, high=1)
    S, A, S2 = P.shape
    if S2 != S:
        raise ValueError(f"P must have shape (S, A, S), got shape {P.shape}")
    if not np.allclose(P.sum(axis=2), 1.0, atol=1e-8):
        raise ValueError("P must hold probabilities: P[s, a, :] must sum to 1 for every s and a")
    R = v.array("R", R, shape=(S, A), like="P")
    return P, R


def _gamma(gamma, strict: bool = True):
    return v.number("gamma", gamma, 0.0, 1.0, high_open=strict)


def _policy(P, policy, name: str = "policy") -> np.ndarray:
    """A deterministic (S,) or stochastic (S, A) policy as an (S, A) matrix of probabilities."""
    S, A = P.shape[:2]
    pi = v.array(name, policy, (1, 2), empty=False)
    if pi.ndim == 1:
        pi = v.array(name, pi, shape=(S,), like="P", low=0, high=A - 1, integral=True)
        return np.eye(A)[pi.astype(int)]
    pi = v.array(name, pi, shape=(S, A), like="P", low=0, high=1)
    if not np.allclose(pi.sum(axis=1), 1.0, atol=1e-8):
        raise ValueError(f"{name} must hold probabilities: each row of an (S, A) policy must sum to 1")
    return pi


def _env(env) -> GridWorld:
    if not isinstance(env, GridWorld):
        raise v.ArgumentTypeError(f"env must be a GridWorld, got {v._describe(env)}")
    return env


# ----------------------------------------------------------------------------------------------- returns
def discounted_returns(rewards, gamma):
    """The return ``G_t = r_t + gamma r_{t+1} + gamma^2 r_{t+2} + ...`` for every step t of one episode.

    ``rewards`` is the 1-D sequence r_0, ..., r_{T-1}; the result has the same length (and kind: numpy in, numpy
    out; torch in, torch out). It is the recursion ``G_t = r_t + gamma G_{t+1}`` run backwards from
    ``G_T = 0``, computed as a linear filter on the reversed rewards.
    """
    r = v.array("rewards", rewards, 1)
    gamma = _gamma(gamma, strict=False)
    out = lfilter([1.0], [1.0, -gamma], r[::-1])[::-1] if r.size else r.copy()
    return _like(rewards, out)


# ------------------------------------------------------------------------------------ dynamic programming
def _q(P, R, V, gamma):
    return R + gamma * P @ V


def q_values(P, R, V, gamma):
    """The one-step look-ahead ``Q[s, a] = R[s, a] + gamma * sum_s' P[s, a, s'] V[s']``, shape (S, A)."""
    P, R = _mdp(P, R)
    V = v.array("V", V, shape=(P.shape[0],), like="P")
    return _q(P, R, V, _gamma(gamma, strict=False))


def greedy_policy(Q):
    """The greedy deterministic policy of an action-value table Q (S, A): ``argmax_a Q[s, a]`` (lowest index on
    ties), as an integer array (S,)."""
    Q = v.array("Q", Q, 2, empty=False)
    return np.argmax(Q, axis=1)


def policy_matrix(P, policy):
    """A policy as an (S, A) matrix of probabilities: one-hot rows for a deterministic policy (S,) of actions."""
    P = v.array("P", P, 3, empty=False)
    return _policy(P, policy)


def _evaluate_exact(P, R, pi, gamma):
    S = P.shape[0]
    P_pi = np.einsum("sa,sat->st", pi, P)
    R_pi = np.einsum("sa,sa->s", pi, R)
    return np.linalg.solve(np.eye(S) - gamma * P_pi, R_pi)


def policy_evaluation(P, R, policy, gamma, tol=1e-10, sweeps=None):
    """The value ``V_pi`` of a policy, by iterating the Bellman expectation backup from ``V = 0``.

    ``V <- R_pi + gamma P_pi V`` with ``R_pi[s] = sum_a pi[s, a] R[s, a]`` and ``P_pi[s, s'] = sum_a pi[s, a]
    P[s, a, s']``. It is a contraction by ``gamma`` (< 1), so it stops when an update moves no value by more
    than ``tol``; with ``sweeps`` it does exactly that many backups instead. Returns V, shape (S,).
    """
    P, R = _mdp(P, R)
    pi = _policy(P, policy)
    gamma = _gamma(gamma)
    tol = v.positive("tol", tol)
    if sweeps is not None:
        sweeps = v.size("sweeps", sweeps, minimum=0)
    P_pi = np.einsum("sa,sat->st", pi, P)
    R_pi = np.einsum("sa,sa->s", pi, R)
    V = np.zeros(P.shape[0])
    for _ in range(sweeps if sweeps is not None else MAX_SWEEPS):
        new = R_pi + gamma * P_pi @ V
        delta = np.max(np.abs(new - V))
        V = new
        if sweeps is None and delta < tol:
            return V
    if sweeps is None:
        _not_converged(gamma, tol)
    return V


def _not_converged(gamma, tol):
    raise ValueError(
        f"no convergence in {MAX_SWEEPS} sweeps with gamma={gamma!r} and tol={tol!r}: "
        "use a smaller gamma or a larger tol"
    )


def value_iteration(P, R, gamma, tol=1e-10, sweeps=None):
    """The optimal values and a greedy optimal policy, by iterating the Bellman optimality backup from V = 0.

    ``V(s) <- max_a [R(s, a) + gamma sum_s' P(s, a, s') V(s')]`` until no value moves by more than ``tol``
    (or for exactly ``sweeps`` backups). Returns ``(V, policy)``: V (S,) and the greedy actions (S,) for the
    final V (lowest action on ties). numpy in, numpy out; torch in, torch out (the policy as int64).
    """
    Pa, Ra = _mdp(P, R)
    gamma = _gamma(gamma)
    tol = v.positive("tol", tol)
    if sweeps is not None:
        sweeps = v.size("sweeps", sweeps, minimum=0)
    V = np.zeros(Pa.shape[0])
    for i in range(sweeps if sweeps is not None else MAX_SWEEPS + 1):
        if i == MAX_SWEEPS:
            _not_converged(gamma, tol)
        new = _q(Pa, Ra, V, gamma).max(axis=1)
        delta = np.max(np.abs(new - V))
        V = new
        if sweeps is None and delta < tol:
            break
    policy = np.argmax(_q(Pa, Ra, V, gamma), axis=1)
    if hasattr(P, "detach") and hasattr(P, "device"):
        import torch

        return _like(P, V), torch.as_tensor(policy, dtype=torch.int64, device=P.device)
    return V, policy


def policy_iteration(P, R, gamma, policy=None):
    """Policy iteration: evaluate the policy exactly (a linear solve), make it greedy, repeat until it is stable.

    Starts from ``policy`` (default: action 0 everywhere). A policy changes only where another action is
    strictly better (by more than 1e-12), so the loop cannot cycle between equally good policies. Returns
    ``(V, policy, n_improvements)``.
    """
    P, R = _mdp(P, R)
    gamma = _gamma(gamma)
    S, A = R.shape
    pol = np.zeros(S, dtype=int) if policy is None else _policy(P, policy).argmax(axis=1)
    for n in range(1, v.MAX_SIZE):
        V = _evaluate_exact(P, R, np.eye(A)[pol], gamma)
        Q = _q(P, R, V, gamma)
        better = Q.max(axis=1) > Q[np.arange(S), pol] + 1e-12
        if not better.any():
            return V, pol, n
        pol = np.where(better, Q.argmax(axis=1), pol)
    raise RuntimeError("policy iteration did not converge")  # pragma: no cover - finite number of policies


def epsilon_greedy(q, epsilon):
    """The epsilon-greedy action probabilities for action values ``q`` (A,) or (S, A), same shape.

    With probability ``epsilon`` a uniformly random action (any of the A, the greedy one included), otherwise a
    greedy one; when several actions tie for the best, they share the greedy probability equally. Each row
    sums to 1, and the greedy action of a row without ties gets ``1 - epsilon + epsilon / A``.
    """
    q = v.array("q", q, (1, 2), empty=False)
    epsilon = v.number("epsilon", epsilon, 0.0, 1.0)
    best = q == q.max(axis=-1, keepdims=True)
    A = q.shape[-1]
    return epsilon / A + (1 - epsilon) * best / best.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------------------------- grid world
def _layout(layout) -> list[str]:
    if isinstance(layout, str):
        layout = layout.split()
    if not isinstance(layout, (list, tuple)) or not layout or not all(isinstance(row, str) for row in layout):
        raise v.ArgumentTypeError(f"layout must be a list of strings (one per row), got {v._describe(layout)}")
    if len({len(row) for row in layout}) != 1 or not layout[0]:
        raise ValueError("layout must be a rectangle: every row the same, non-zero length")
    if len(layout) * len(layout[0]) > 10_000:
        raise ValueError(f"layout must have at most 10000 cells, got {len(layout) * len(layout[0])}")
    for row in layout:
        for ch in row:
            v.choice("layout cell", ch, tuple(CELLS))
    if sum(row.count("S") for row in layout) != 1:
        raise ValueError("layout must have exactly one start cell 'S'")
    return list(layout)


class GridWorld:
    """A grid world built from a picture: ``GridWorld(["S..", ".H.", "..G"], slip=0.2)``.

    Cells: ``.`` free, ``S`` the start, ``G`` a goal and ``H`` a hole (both terminal), ``C`` a cliff (stepping
    on it costs its reward and puts the agent back on the start), ``#`` a wall. Entering a ``G``, ``H`` or
    ``C`` cell earns ``rewards[cell]`` (defaults: G +1, H -1, C -100) and every step also earns
    ``step_reward``. An action moves the agent one cell in its direction with probability ``1 - slip`` and
    to either side (a quarter turn) with probability ``slip / 2`` each; a move into a wall or off the grid
    leaves it where it is.

    Attributes: ``P`` (S, A, S) and ``R`` (S, A), the MDP; ``cells`` (S, 2), the row and column of each state
    (walls and cliff cells are not states); ``start``, the start state; ``terminal`` (S,) booleans;
    ``shape`` of the grid; ``layout``.
    """

    def __init__(self, layout, slip=0.0, step_reward=0.0, rewards=None):
        self.layout = _layout(layout)
        self.slip = v.number("slip", slip, 0.0, 1.0)
        self.step_reward = v.number("step_reward", step_reward)
        table = dict(DEFAULT_REWARDS)
        if rewards is not None:
            if not isinstance(rewards, dict):
                raise v.ArgumentTypeError(f"rewards must be a dict such as {{'G': 1.0}}, got {v._describe(rewards)}")
            for key, value in rewards.items():
                table[v.choice("rewards key", key, tuple("GHC"))] = v.number(f"rewards[{key!r}]", value)
        self.rewards = table
        rows, cols = len(self.layout), len(self.layout[0])
        self.shape = (rows, cols)
        self.cells = np.array(
            [(r, c) for r in range(rows) for c in range(cols) if self.layout[r][c] not in "#C"], dtype=int
        ).reshape(-1, 2)
        index = {tuple(rc): i for i, rc in enumerate(self.cells.tolist())}
        self._index = index
        S, A = len(self.cells), len(MOVES)
        self.start = next(i for i, (r, c) in enumerate(self.cells) if self.layout[r][c] == "S")
        self.terminal = np.array([self.layout[r][c] in "GH" for r, c in self.cells])
        # every (s, a) has three outcomes (straight, turned left, turned right): next state, reward, probability
        nxt = np.zeros((S, A, 3), dtype=int)
        rew = np.zeros((S, A, 3))
        prob = np.zeros((S, A, 3))
        for s, (r, c) in enumerate(self.cells):
            for a in range(A):
                if self.terminal[s]:
                    nxt[s, a], prob[s, a] = s, (1.0, 0.0, 0.0)
                    continue
                for k, (move, p) in enumerate(
                    ((a, 1 - self.slip), ((a + 3) % 4, self.slip / 2), ((a + 1) % 4, self.slip / 2))
                ):
                    dr, dc = MOVES[move]
                    r2, c2 = r + dr, c + dc
                    if not (0 <= r2 < rows and 0 <= c2 < cols) or self.layout[r2][c2] == "#":
                        r2, c2 = r, c
                    cell = self.layout[r2][c2]
                    reward = self.step_reward + table.get(cell, 0.0)
                    nxt[s, a, k] = self.start if cell == "C" else index[(r2, c2)]
                    rew[s, a, k], prob[s, a, k] = reward, p
        self._next, self._reward, self._prob = nxt, rew, prob
        self._cum = np.cumsum(prob, axis=2)
        self._cum[..., -1] = 1.0
        self.P = np.zeros((S, A, S))
        for k in range(3):
            np.add.at(self.P, (np.arange(S)[:, None], np.arange(A)[None, :], nxt[..., k]), prob[..., k])
        self.R = (prob * rew).sum(axis=2)

    @property
    def n_states(self) -> int:
        return len(self.cells)

    @property
    def n_actions(self) -> int:
        return len(MOVES)

    def __repr__(self) -> str:
        return f"GridWorld({self.layout!r}, slip={self.slip:g}, step_reward={self.step_reward:g})"

    def _step(self, s, a, u):
        k = int(np.searchsorted(self._cum[s, a], u, side="right"))
        k = min(k, 2)
        s2 = int(self._next[s, a, k])
        return s2, float(self._reward[s, a, k]), bool(self.terminal[s2])

    def step(self, state, action, rng):
        """One sampled step: ``(next_state, reward, done)``. ``rng`` is a numpy Generator or a seed."""
        state = v.size("state", state, minimum=0, maximum=self.n_states - 1)
        action = v.size("action", action, minimum=0, maximum=self.n_actions - 1)
        rng = _rng(rng, "rng")
        return self._step(state, action, rng.random())

    def to_grid(self, values):
        """Per-state ``values`` (S,) or (S, k) laid out on the grid, shape (rows, cols) or (rows, cols, k), with
        NaN on walls and cliff cells (for ``imshow``)."""
        values = v.array("values", values, (1, 2), finite=False)
        if values.shape[0] != self.n_states:
            raise ValueError(f"values must have one entry per state ({self.n_states}), got shape {values.shape}")
        out = np.full(self.shape + values.shape[1:], np.nan)
        out[self.cells[:, 0], self.cells[:, 1]] = values
        return out

    def episode(self, policy, seed=0, max_steps=1000):
        """Run one episode from the start with ``policy`` (actions (S,) or probabilities (S, A)).

        Returns a dict of arrays ``states`` (T + 1,), the last being where it ended, ``actions`` (T,) and
        ``rewards`` (T,). It ends at a terminal state or after ``max_steps`` steps.
        """
        pi = _policy(self.P, policy)
        rng = _rng(seed)
        max_steps = v.size("max_steps", max_steps)
        states, actions, rewards = _rollout(self, pi, rng, max_steps)
        return {"states": np.array(states), "actions": np.array(actions), "rewards": np.array(rewards)}


def _rng(seed, name="seed"):
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(v.random_seed(name, seed))


def _rollout(env, pi, rng, max_steps):
    """States, actions and rewards of one episode under the (S, A) policy matrix ``pi``."""
    cum = np.cumsum(pi, axis=1)
    s = env.start
    states, actions, rewards = [s], [], []
    u = rng.random((max_steps, 2))
    for t in range(max_steps):
        a = min(int(np.searchsorted(cum[s], u[t, 0], side="right")), env.n_actions - 1)
        s, r, done = env._step(s, a, u[t, 1])
        states.append(s)
        actions.append(a)
        rewards.append(r)
        if done:
            break
    return states, actions, rewards


def penguin(slip=0.25):
    """The chapter's 5 x 5 icy world: a penguin starts top left, holes (-1) lie on the ice, a fish (+1) waits
    bottom right; walls block two cells. ``slip`` is the chance of sliding sideways."""
    return GridWorld(["S....", ".#H..", "...H.", "H....", "..H.G"], slip=slip, rewards={"H": 0.0})


def cliff(width=12, height=4):
    """The cliff walk: start bottom left, goal bottom right, the cells between them are a cliff (-100 and back
    to the start), every step costs -1 and the goal ends the episode with no extra reward."""
    width = v.size("width", width, minimum=3, maximum=100)
    height = v.size("height", height, minimum=2, maximum=100)
    rows = ["." * width] * (height - 1) + ["S" + "C" * (width - 2) + "G"]
    return GridWorld(rows, slip=0.0, step_reward=-1.0, rewards={"G": 0.0})


# ------------------------------------------------------------------------------------ learning from samples
def _learning_args(env, episodes, gamma, seed, max_steps):
    env = _env(env)
    episodes = v.size("episodes", episodes)
    gamma = _gamma(gamma, strict=False)
    rng = _rng(seed)
    max_steps = v.size("max_steps", max_steps)
    return env, episodes, gamma, rng, max_steps


def _step_size(alpha):
    return None if alpha is None else v.number("alpha", alpha, 0.0, 1.0, low_open=True)


def mc_evaluation(env, policy, episodes=100, gamma=0.9, seed=0, max_steps=1000, alpha=None):
    """Every-visit Monte Carlo estimate of ``V_pi`` from the returns that followed each visit.

    With ``alpha=None``, ``V(s)`` is the running average of those returns (step 1/n(s) after the n-th visit);
    with a number, each return moves ``V(s)`` a constant fraction ``alpha`` of the way (constant-step MC), the
    rule TD(0) uses. Returns a dict: ``V`` (S,) after all episodes (0 where never visited) and ``history``
    (episodes, S), the estimate after each episode.
    """
    env, episodes, gamma, rng, max_steps = _learning_args(env, episodes, gamma, seed, max_steps)
    pi = _policy(env.P, policy)
    alpha = _step_size(alpha)
    V, count = np.zeros(env.n_states), np.zeros(env.n_states)
    history = np.zeros((episodes, env.n_states))
    for e in range(episodes):
        states, _, rewards = _rollout(env, pi, rng, max_steps)
        G = lfilter([1.0], [1.0, -gamma], np.asarray(rewards)[::-1])[::-1]
        for s, g in zip(states[:-1], G):
            count[s] += 1
            V[s] += (g - V[s]) * (1.0 / count[s] if alpha is None else alpha)
        history[e] = V
    return {"V": V.copy(), "history": history}


def td_evaluation(env, policy, episodes=100, alpha=0.1, gamma=0.9, seed=0, max_steps=1000):
    """TD(0) estimate of ``V_pi``: after every step, move ``V(s)`` towards ``r + gamma V(s')``.

    The step is ``alpha`` (a constant) or, with ``alpha=None``, 1/n(s) after the n-th visit of s (a running
    average of the bootstrapped targets). Returns a dict: ``V`` (S,) and ``history`` (episodes, S), the
    estimate after each episode.
    """
    env, episodes, gamma, rng, max_steps = _learning_args(env, episodes, gamma, seed, max_steps)
    pi = _policy(env.P, policy)
    alpha = _step_size(alpha)
    V, count = np.zeros(env.n_states), np.zeros(env.n_states)
    history = np.zeros((episodes, env.n_states))
    for e in range(episodes):
        states, _, rewards = _rollout(env, pi, rng, max_steps)
        for t, r in enumerate(rewards):
            s, s2 = states[t], states[t + 1]
            count[s] += 1
            step = 1.0 / count[s] if alpha is None else alpha
            V[s] += step * (r + gamma * V[s2] * (not env.terminal[s2]) - V[s])
        history[e] = V
    return {"V": V.copy(), "history": history}


def _act(q_row, epsilon, rng):
    """An epsilon-greedy action for one row of Q (random among tied greedy actions)."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))
    best = np.flatnonzero(q_row == q_row.max())
    return int(best[0]) if len(best) == 1 else int(best[rng.integers(len(best))])


def _control_args(env, episodes, alpha, gamma, epsilon, seed, max_steps, snapshots):
    env, episodes, gamma, rng, max_steps = _learning_args(env, episodes, gamma, seed, max_steps)
    alpha = v.number("alpha", alpha, 0.0, 1.0, low_open=True)
    epsilon = v.number("epsilon", epsilon, 0.0, 1.0)
    snaps = v.array("snapshots", snapshots, 1, low=0, high=episodes, integral=True).astype(int)
    return env, episodes, alpha, gamma, epsilon, rng, max_steps, snaps


def _td_control(env, episodes, alpha, gamma, epsilon, rng, max_steps, snaps, off_policy):
    Q = np.zeros((env.n_states, env.n_actions))
    returns, lengths, kept = np.zeros(episodes), np.zeros(episodes, dtype=int), {}
    if 0 in snaps:
        kept[0] = Q.copy()
    for e in range(episodes):
        s = env.start
        a = _act(Q[s], epsilon, rng)
        total, steps = 0.0, 0
        while steps < max_steps:
            s2, r, done = env._step(s, a, rng.random())
            total += r
            steps += 1
            a2 = _act(Q[s2], epsilon, rng)
            if done:
                target = r
            elif off_policy:  # Q-learning: the best next action, whatever the agent will do
                target = r + gamma * Q[s2].max()
            else:  # SARSA: the next action the agent actually takes
                target = r + gamma * Q[s2, a2]
            Q[s, a] += alpha * (target - Q[s, a])
            s, a = s2, a2
            if done:
                break
        returns[e], lengths[e] = total, steps
        if e + 1 in snaps:
            kept[e + 1] = Q.copy()
    return {"Q": Q, "returns": returns, "lengths": lengths, "snapshots": [kept[int(k)] for k in snaps]}


def sarsa(env, episodes=500, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0, max_steps=1000, snapshots=()):
    """SARSA, on-policy TD control: ``Q(s, a) += alpha [r + gamma Q(s', a') - Q(s, a)]`` with a' the
    epsilon-greedy action the agent then takes.

    Returns a dict: ``Q`` (S, A); ``returns`` and ``lengths`` (episodes,), the reward collected and the steps
    taken in each episode while learning; ``snapshots``, copies of Q after each episode count listed in
    ``snapshots`` (0 is before learning).
    """
    args = _control_args(env, episodes, alpha, gamma, epsilon, seed, max_steps, snapshots)
    return _td_control(*args, off_policy=False)


def q_learning(env, episodes=500, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0, max_steps=1000, snapshots=()):
    """Q-learning, off-policy TD control: ``Q(s, a) += alpha [r + gamma max_a' Q(s', a') - Q(s, a)]`` while
    acting epsilon-greedily. Returns the same dict as :func:`sarsa`."""
    args = _control_args(env, episodes, alpha, gamma, epsilon, seed, max_steps, snapshots)
    return _td_control(*args, off_policy=True)


def mc_control(env, episodes=500, gamma=1.0, epsilon=0.1, seed=0, max_steps=1000, snapshots=()):
    """On-policy every-visit Monte Carlo control: act epsilon-greedily for a whole episode, then move each
    visited ``Q(s, a)`` to the running average of the returns that followed it. Returns the same dict as
    :func:`sarsa`."""
    env, episodes, _, gamma, epsilon, rng, max_steps, snaps = _control_args(
        env, episodes, 0.5, gamma, epsilon, seed, max_steps, snapshots
    )
    Q = np.zeros((env.n_states, env.n_actions))
    count = np.zeros_like(Q)
    returns, lengths, kept = np.zeros(episodes), np.zeros(episodes, dtype=int), {}
    if 0 in snaps:
        kept[0] = Q.copy()
    for e in range(episodes):
        s, states, actions, rewards = env.start, [], [], []
        for _ in range(max_steps):
            a = _act(Q[s], epsilon, rng)
            s2, r, done = env._step(s, a, rng.random())
            states.append(s)
            actions.append(a)
            rewards.append(r)
            s = s2
            if done:
                break
        G = lfilter([1.0], [1.0, -gamma], np.asarray(rewards)[::-1])[::-1]
        for s_, a_, g in zip(states, actions, G):
            count[s_, a_] += 1
            Q[s_, a_] += (g - Q[s_, a_]) / count[s_, a_]
        returns[e], lengths[e] = float(np.sum(rewards)), len(rewards)
        if e + 1 in snaps:
            kept[e + 1] = Q.copy()
    return {"Q": Q, "returns": returns, "lengths": lengths, "snapshots": [kept[int(k)] for k in snaps]}


# ------------------------------------------------------------------------------------------ policy gradients
def _softmax(theta):
    z = np.exp(theta - theta.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def softmax_policy(theta):
    """The tabular softmax policy ``pi[s, a] = exp(theta[s, a]) / sum_b exp(theta[s, b])``, shape (S, A)."""
    return _softmax(v.array("theta", theta, 2, empty=False))


def _theta(env, theta):
    return v.array("theta", theta, shape=(env.n_states, env.n_actions), like="env")


def _objective(env, theta, gamma):
    pi = _softmax(theta)
    V = _evaluate_exact(env.P, env.R, pi, gamma)
    return pi, V


def policy_gradient(env, theta, gamma=0.9):
    """The exact gradient of ``J(theta) = V_pi(start)`` for the softmax policy, by the policy-gradient theorem.

    ``dJ/dtheta[s, a] = d(s) pi(a|s) (Q(s, a) - V(s))``, where ``d(s) = sum_t gamma^t Pr(s_t = s)`` is the
    discounted visit count from the start. Returns ``(gradient (S, A), J)``.
    """
    env = _env(env)
    theta = _theta(env, theta)
    gamma = _gamma(gamma)
    pi, V = _objective(env, theta, gamma)
    P_pi = np.einsum("sa,sat->st", pi, env.P)
    start = np.eye(env.n_states)[env.start]
    d = np.linalg.solve((np.eye(env.n_states) - gamma * P_pi).T, start)
    Q = _q(env.P, env.R, V, gamma)
    return d[:, None] * pi * (Q - V[:, None]), float(V[env.start])


def _score_terms(theta_pi, states, actions, weights):
    """sum_t weights[t] * grad log pi(a_t | s_t) for the softmax policy (a one-hot minus pi in row s_t)."""
    grad = np.zeros_like(theta_pi)
    np.add.at(grad, states, -weights[:, None] * theta_pi[states])
    np.add.at(grad, (states, actions), weights)
    return grad


def reinforce_gradient(env, theta, gamma=0.9, episodes=1, baseline=None, seed=0, max_steps=200):
    """The REINFORCE (score-function) estimate of ``dJ/dtheta`` from ``episodes`` sampled episodes.

    Each episode adds ``sum_t gamma^t (G_t - b(s_t)) grad log pi(a_t | s_t)``; the result is their mean.
    ``baseline`` is None (no baseline), a number, or an array (S,) of per-state baselines. Any baseline that
    does not depend on the action leaves the estimate unbiased; a good one lowers its variance. Episodes are
    cut after ``max_steps`` steps (a bias of order gamma^max_steps).
    """
    env = _env(env)
    theta = _theta(env, theta)
    gamma = _gamma(gamma)
    episodes = v.size("episodes", episodes)
    max_steps = v.size("max_steps", max_steps)
    rng = _rng(seed)
    b = _baseline(baseline, env.n_states)
    pi = _softmax(theta)
    grad = np.zeros_like(theta)
    for _ in range(episodes):
        grad += _episode_gradient(env, pi, gamma, b, rng, max_steps)[0]
    return grad / episodes


def _episode_gradient(env, pi, gamma, b, rng, max_steps):
    states, actions, rewards = _rollout(env, pi, rng, max_steps)
    s = np.asarray(states[:-1], dtype=int)
    a = np.asarray(actions, dtype=int)
    return _episode_score(pi, s, a, np.asarray(rewards, dtype=float), gamma, b), s, _returns(rewards, gamma)


def _returns(rewards, gamma):
    return lfilter([1.0], [1.0, -gamma], np.asarray(rewards, dtype=float)[::-1])[::-1]


def _episode_score(pi, s, a, rewards, gamma, b):
    G = _returns(rewards, gamma)
    return _score_terms(pi, s, a, gamma ** np.arange(len(G)) * (G - b[s]))


def episode_gradient(pi, states, actions, rewards, gamma, baseline=None):
    """The REINFORCE term of one episode, ``sum_t gamma^t (G_t - b(s_t)) grad_theta log pi(a_t | s_t)``.

    ``pi`` (S, A) is the softmax policy the episode was drawn from; ``states``, ``actions`` and ``rewards``
    (T,) are its steps (the state each action was taken in, not the final state). For the tabular softmax,
    ``d log pi(a | s) / d theta[s, b] = 1[a = b] - pi(b | s)`` and the derivative is 0 in the other rows.
    ``baseline`` is None, a number or an array (S,). Returns the gradient, shape (S, A).
    """
    pi = v.array("pi", pi, 2, empty=False, low=0, high=1)
    S, A = pi.shape
    states = v.array("states", states, 1, low=0, high=S - 1, integral=True).astype(int)
    actions = v.array("actions", actions, shape=(len(states),), like="states", low=0, high=A - 1, integral=True)
    rewards = v.array("rewards", rewards, shape=(len(states),), like="states")
    gamma = _gamma(gamma, strict=False)
    b = _baseline(baseline, S)
    return _episode_score(pi, states, actions.astype(int), rewards, gamma, b)


def _baseline(baseline, S):
    if baseline is None:
        return np.zeros(S)
    b = v.array("baseline", baseline, (0, 1))
    return np.full(S, float(b)) if b.ndim == 0 else v.array("baseline", b, shape=(S,), like="the states")


def reinforce(env, episodes=400, lr=1.0, gamma=0.9, batch=1, baseline="none", lr_baseline=0.1, seed=0, max_steps=200):
    """Train a tabular softmax policy (starting uniform) with REINFORCE.

    Every ``batch`` episodes the parameters take one step ``theta += lr * mean gradient estimate``
    (``episodes`` in total, so batches of different sizes see the same number of episodes). ``baseline``:
    ``"none"``; ``"average"``, the running mean of all returns seen before this batch; ``"learned"``, a table
    ``b(s)`` moved by ``lr_baseline`` towards the returns seen from s, updated after each batch. Both baselines
    use only earlier episodes, so every step stays unbiased.

    Returns a dict: ``theta`` (S, A); ``J`` (n_updates + 1,), the exact value of the start state before each
    update and after the last; ``episodes_seen`` (n_updates + 1,), the episode count at each entry of J.
    """
    env = _env(env)
    episodes = v.size("episodes", episodes)
    lr = v.positive("lr", lr)
    gamma = _gamma(gamma)
    batch = v.size("batch", batch, maximum=episodes)
    baseline = v.choice("baseline", baseline, BASELINES)
    lr_baseline = v.number("lr_baseline", lr_baseline, 0.0, 1.0, low_open=True)
    rng = _rng(seed)
    max_steps = v.size("max_steps", max_steps)
    theta = np.zeros((env.n_states, env.n_actions))
    b = np.zeros(env.n_states)
    mean_return, n_returns = 0.0, 0
    J, seen = [_objective(env, theta, gamma)[1][env.start]], [0]
    for start in range(0, episodes - batch + 1, batch):
        pi = _softmax(theta)
        grad = np.zeros_like(theta)
        visits = []
        for _ in range(batch):
            g, s, G = _episode_gradient(env, pi, gamma, b, rng, max_steps)
            grad += g
            visits.append((s, G))
        theta += lr * grad / batch
        for s, G in visits:  # the baselines learn from this batch only after it has been used
            if baseline == "average":
                for value in G:
                    n_returns += 1
                    mean_return += (value - mean_return) / n_returns
            elif baseline == "learned":
                for s_, value in zip(s, G):
                    b[s_] += lr_baseline * (value - b[s_])
        if baseline == "average":
            b[:] = mean_return
        J.append(_objective(env, theta, gamma)[1][env.start])
        seen.append(start + batch)
    return {"theta": theta, "J": np.array(J), "episodes_seen": np.array(seen)}
