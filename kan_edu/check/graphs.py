"""Checks for graph neural networks: counting walks, Kipf's normalisation, a graph convolution, the Dirichlet energy."""

from __future__ import annotations

import numpy as np

from .. import graphs
from ._core import answer, close, equivariant, is_number, run, scalar

__all__ = ["walk_counts", "kipf_normalization", "graph_convolution", "smoothness_energy"]


def _graph(n: int, p: float, seed: int, directed: bool = False) -> np.ndarray:
    """A random 0/1 adjacency matrix without self-loops (symmetric unless ``directed``)."""
    rng = np.random.default_rng(seed)
    A = (rng.random((n, n)) < p).astype(float)
    np.fill_diagonal(A, 0.0)
    return A if directed else np.triu(A, 1) + np.triu(A, 1).T


def _with_isolated(A: np.ndarray) -> np.ndarray:
    """``A`` with its last node cut off from the others."""
    A = A.copy()
    A[-1, :] = A[:, -1] = 0.0
    return A


def _as_array(x) -> np.ndarray:
    return np.asarray(x.detach().numpy() if hasattr(x, "detach") else x, dtype=float)


def walk_counts(fn):
    """Check ``fn(A, L)``: the matrix whose (i, j) entry counts the walks of L steps from node i to node j."""
    A = _graph(6, 0.45, 1)
    D = _graph(5, 0.4, 2, directed=True)  # directed: the order of the factors matters
    M = A.copy()
    M[0, 1] = M[1, 0] = 2.0  # a double edge (a multigraph): two ways to take that step

    def counts(adj, L):
        return _as_array(answer(fn, adj, L))

    return run(
        "walk_counts",
        [
            (
                "the answer is an N x N matrix",
                lambda: counts(A, 2).shape == A.shape,
                "one count for every (start, end) pair of nodes.",
            ),
            (
                "walks of length 0: one from each node to itself and none elsewhere",
                lambda: close(counts(A, 0), np.eye(6)),
                "a walk of no steps stays where it starts; a matrix power of 0 is not an entry-wise power.",
            ),
            (
                "walks of length 1 are the edges",
                lambda: close(counts(A, 1), A),
                "one step from i to j exists exactly when A[i, j] = 1: check the number of factors you multiply.",
            ),
            (
                "walks of length 2, 3 and 4 on an undirected graph",
                lambda: all(close(counts(A, L), graphs.count_walks(A, L)) for L in (2, 3, 4)),
                "a walk of L steps is a walk of L - 1 steps followed by one more edge: that is a matrix product, "
                "not an element-wise one (A * A squares each entry).",
            ),
            (
                "walks on a directed graph go along the arrows, from i to j",
                lambda: all(close(counts(D, L), graphs.count_walks(D, L)) for L in (2, 3)),
                "the first step leaves i (row i of A), the last arrives at j (column j); no transpose is needed.",
            ),
            (
                "a double edge counts as two ways to take a step",
                lambda: close(counts(M, 3), graphs.count_walks(M.astype(int), 3)),
                "do not turn A into 0/1 values or booleans: multiply the counts themselves.",
            ),
        ],
    )


def kipf_normalization(fn):
    """Check ``fn(A)``: Kipf and Welling's aggregation matrix D̃^{-1/2} (A + I) D̃^{-1/2}."""
    A = _graph(7, 0.4, 3)
    A_iso = _with_isolated(A)
    star = graphs.adjacency([(0, k) for k in range(1, 5)], 5)  # degrees differ a lot: sides are easy to mix up

    def S(adj):
        return _as_array(answer(fn, adj))

    def top_vector_is_sqrt_degree():
        s = S(A)
        vals, vecs = np.linalg.eigh((s + s.T) / 2)
        v = vecs[:, -1] * np.sign(vecs[:, -1].sum())
        target = np.sqrt(A.sum(1) + 1)
        return close(vals[-1], 1.0, atol=1e-6) and close(v, target / np.linalg.norm(target), atol=1e-6)

    return run(
        "kipf_normalization",
        [
            (
                "the answer is an N x N matrix of finite numbers",
                lambda: S(A_iso).shape == A.shape and bool(np.all(np.isfinite(S(A_iso)))),
                "a node with no neighbours must not cause a division by zero: every node keeps a self-loop.",
            ),
            (
                "it is symmetric for an undirected graph",
                lambda: close(S(star), S(star).T),
                "scale rows and columns alike: each entry is divided by the square root of both of its nodes' "
                "degrees, not by one node's degree.",
            ),
            (
                "an isolated node keeps exactly its own feature (diagonal entry 1)",
                lambda: close(S(A_iso)[-1], np.eye(7)[-1]),
                "add the self-loops before counting degrees, so that an isolated node has degree 1.",
            ),
            (
                "its largest eigenvalue is 1, with eigenvector proportional to sqrt(degree + 1)",
                top_vector_is_sqrt_degree,
                "check which degrees you use (with or without the self-loops) and which power of them "
                "scales the matrix.",
            ),
            (
                "it matches the reference on a star and on a random graph",
                lambda: (
                    close(S(star), graphs.aggregation_matrix(star, "kipf"))
                    and close(S(A), graphs.aggregation_matrix(A, "kipf"))
                ),
                "the same matrix multiplies from the left and from the right.",
            ),
        ],
    )


def graph_convolution(fn):
    """Check ``fn(H, A, W, b)``: the layer ReLU((A + I) H W + b), one node per row of H."""
    rng = np.random.default_rng(4)
    A = _with_isolated(_graph(6, 0.5, 5))
    H, W, b = rng.normal(size=(6, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    perm = rng.permutation(6)

    def out(h=H, a=A, w=W, bias=b):
        return _as_array(answer(fn, h, a, w, bias))

    def reference(h=H, a=A, w=W, bias=b):
        return graphs.gcn_layer(h, a, w, bias)

    return run(
        "graph_convolution",
        [
            (
                "the output has one row per node and one column per output feature (6 x 4)",
                lambda: out().shape == (6, 4),
                "H is (nodes, features) and W is (features in, features out): nodes stay the rows.",
            ),
            (
                "an isolated node sees only its own features",
                lambda: close(out()[-1], np.maximum(H[-1] @ W + b, 0)),
                "each node must add its own features to its neighbours' (a self-loop): with A alone a node "
                "without neighbours would see nothing.",
            ),
            (
                "relabelling the nodes relabels the output the same way (equivariance)",
                lambda: equivariant(
                    lambda g: out(g[0], g[1]),
                    (H, A),
                    lambda g: (g[0][perm], g[1][perm][:, perm]),
                    lambda o: o[perm],
                ),
                "aggregate with A on the node axis (the rows of H); weights act on the feature axis only.",
            ),
            (
                "the output is never negative and is zero where the pre-activation is",
                lambda: bool(np.all(out(bias=b - 3) >= 0)) and close(out(bias=b - 3), reference(bias=b - 3)),
                "apply the ReLU after adding the bias.",
            ),
            (
                "it matches the reference on a graph whose nodes have different degrees",
                lambda: close(out(), reference()),
                "check that you sum rather than average over a neighbourhood, and that the bias is added once "
                "per node.",
            ),
        ],
    )


def smoothness_energy(fn):
    """Check ``fn(H, A)``: the Dirichlet energy ½ Σᵢⱼ Aᵢⱼ ‖hᵢ − hⱼ‖² of node features H (one node per row)."""
    rng = np.random.default_rng(6)
    A = _graph(7, 0.45, 7)
    H = rng.normal(size=(7, 3))
    perm = rng.permutation(7)

    def E(h=H, a=A):
        return answer(fn, h, a)

    return run(
        "smoothness_energy",
        [
            ("the answer is one number", lambda: is_number(E()), "sum over every edge and every feature."),
            (
                "the energy of features that are equal on every node is 0",
                lambda: close(scalar(E(np.ones((7, 3)) * 2.5)), 0.0),
                "compare the features of the two ends of each edge.",
            ),
            (
                "two nodes joined by one edge: the energy is the squared distance between their features",
                lambda: close(scalar(E(np.array([[0.0, 1.0], [3.0, -3.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]))), 25.0),
                "square the distance, and count each undirected edge once (A holds it twice, as A[i, j] and A[j, i]).",
            ),
            (
                "nodes that share no edge do not add to the energy",
                lambda: close(scalar(E(H, np.zeros((7, 7)))), 0.0),
                "weight each pair of nodes by its entry of A.",
            ),
            (
                "it matches the reference on a random graph",
                lambda: close(scalar(E()), graphs.dirichlet_energy(H, A)),
                "check the factor in front and that the distances are squared.",
            ),
            (
                "it does not change when the nodes are relabelled",
                lambda: close(scalar(E(H[perm], A[perm][:, perm])), scalar(E())),
                "use A[i, j] for the pair of nodes i and j, with the same order of nodes in H and in A.",
            ),
        ],
    )
