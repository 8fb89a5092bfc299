"""kan_edu.graphs against independent references: brute-force walk enumeration, explicit permutation matrices,
dense formulas, networkx's shortest paths and graph properties, hand-written loops, and closed-form limits."""

import itertools

import matplotlib
import networkx as nx
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from kan_edu import graphs

matplotlib.use("Agg")


def random_graph(n=7, p=0.4, seed=0, directed=False, isolated=False):
    rng = np.random.default_rng(seed)
    A = (rng.random((n, n)) < p).astype(float)
    np.fill_diagonal(A, 0)
    if not directed:
        A = np.triu(A, 1) + np.triu(A, 1).T
    if isolated:
        A[-1, :] = A[:, -1] = 0
    return A


def perm_matrix(perm):
    P = np.zeros((len(perm), len(perm)))
    P[np.arange(len(perm)), perm] = 1
    return P


RNG = np.random.default_rng(0)
A7 = random_graph(isolated=True)
H7 = RNG.normal(size=(7, 3))
W34 = RNG.normal(size=(3, 4))
B4 = RNG.normal(size=4)


# ------------------------------------------------------------------------------------------------ walks
@pytest.mark.parametrize("directed", [False, True])
def test_count_walks_equals_brute_force_enumeration(directed):
    A = random_graph(5, 0.5, seed=3, directed=directed)
    A[0, 1] = 2.0  # a double edge counts twice
    for L in range(5):
        brute = np.zeros((5, 5))
        for i, j in itertools.product(range(5), repeat=2):
            for middle in itertools.product(range(5), repeat=max(L - 1, 0)):
                path = (i, *middle, j)
                brute[i, j] += np.prod([A[a, b] for a, b in zip(path, path[1:])]) if L else float(i == j)
        assert np.array_equal(graphs.count_walks(A, L), brute), L
    assert graphs.count_walks(A, 3).dtype == np.int64
    assert torch.equal(
        graphs.count_walks(torch.tensor(A), 3), torch.tensor(graphs.count_walks(A, 3), dtype=torch.float64)
    )


def test_count_walks_is_invariant_to_relabelling():
    perm = np.random.default_rng(1).permutation(7)
    W = graphs.count_walks(A7, 3)
    _, PA = graphs.permute(H7, A7, perm)
    assert np.array_equal(graphs.count_walks(PA, 3), W[perm][:, perm])


def test_k_hop_matches_networkx_distances():
    A, _ = graphs.karate()
    G = nx.from_numpy_array(A)
    for node in (0, 16, 33):
        dist = nx.single_source_shortest_path_length(G, node)
        for k in range(5):
            expected = np.array([dist.get(i, np.inf) <= k for i in range(34)])
            assert np.array_equal(graphs.k_hop(A, node, k), expected)


def test_karate_is_zacharys_club():
    A, club = graphs.karate()
    assert A.shape == (34, 34) and A.sum() == 2 * 78 and np.array_equal(A, A.T) and not A.diagonal().any()
    assert club[0] == 0 and club[33] == 1 and club.sum() == 17


def test_adjacency_from_edges():
    A = graphs.adjacency([(0, 1), (1, 2), (1, 2)], 4)
    G = nx.Graph([(0, 1), (1, 2)])
    G.add_node(3)
    expected = nx.to_numpy_array(G, nodelist=range(4), weight=None)
    assert np.array_equal(A, expected)
    D = graphs.adjacency([(0, 1)], 2, directed=True)
    assert D[0, 1] == 1 and D[1, 0] == 0


# -------------------------------------------------------------------------------------------- relabelling
def test_permute_is_P_X_and_P_A_P_transpose():
    perm = np.random.default_rng(2).permutation(7)
    P = perm_matrix(perm)
    PX, PA = graphs.permute(H7, A7, perm)
    np.testing.assert_allclose(PX, P @ H7)
    np.testing.assert_allclose(PA, P @ A7 @ P.T)
    tx, ta = graphs.permute(torch.tensor(H7), torch.tensor(A7), perm)
    assert isinstance(tx, torch.Tensor) and np.allclose(tx.numpy(), PX) and np.allclose(ta.numpy(), PA)
    with pytest.raises(ValueError, match="perm"):
        graphs.permute(H7, A7, [0, 0, 1, 2, 3, 4, 5])


@pytest.mark.parametrize("aggregation", ["sum", "mean", "kipf", "max"])
def test_gcn_layer_is_permutation_equivariant(aggregation):
    for seed in range(3):
        P = perm_matrix(np.random.default_rng(seed).permutation(7))
        out = graphs.gcn_layer(H7, A7, W34, B4, aggregation=aggregation)
        moved = graphs.gcn_layer(P @ H7, P @ A7 @ P.T, W34, B4, aggregation=aggregation)
        np.testing.assert_allclose(moved, P @ out, atol=1e-12)


def test_gcn_layer_is_the_dense_formula_and_keeps_torch_gradients():
    np.testing.assert_allclose(graphs.gcn_layer(H7, A7, W34, B4), np.maximum((A7 + np.eye(7)) @ H7 @ W34 + B4, 0))
    np.testing.assert_allclose(graphs.gcn_layer(H7, A7, W34), np.maximum((A7 + np.eye(7)) @ H7 @ W34, 0))
    # the isolated last node sees only itself
    np.testing.assert_allclose(graphs.gcn_layer(H7, A7, W34, B4)[-1], np.maximum(H7[-1] @ W34 + B4, 0))
    W = torch.tensor(W34, requires_grad=True)
    out = graphs.gcn_layer(torch.tensor(H7), torch.tensor(A7), W, torch.tensor(B4), activation="identity")
    out.sum().backward()
    # d/dW of sum((A+I) H W + b) = ((A+I) H)ᵀ 1
    expected = ((A7 + np.eye(7)) @ H7).T @ np.ones((7, 4))
    np.testing.assert_allclose(W.grad.numpy(), expected)
    assert out.dtype == torch.float64


def test_aggregations_against_loops():
    At = A7 + np.eye(7)
    deg = At.sum(1)
    np.testing.assert_allclose(graphs.aggregate(H7, A7, "sum"), At @ H7)
    np.testing.assert_allclose(graphs.aggregate(H7, A7, "mean"), At @ H7 / deg[:, None])
    np.testing.assert_allclose(graphs.aggregation_matrix(A7, "mean").sum(1), 1.0)
    kipf = np.diag(deg**-0.5) @ At @ np.diag(deg**-0.5)
    np.testing.assert_allclose(graphs.aggregation_matrix(A7, "kipf"), kipf)
    loop_max = np.array([H7[np.nonzero(At[i])[0]].max(0) for i in range(7)])
    np.testing.assert_allclose(graphs.aggregate(H7, A7, "max"), loop_max)
    batch = torch.stack([torch.tensor(A7), torch.tensor(random_graph(seed=5))])
    Hb = torch.tensor(RNG.normal(size=(2, 7, 3)))
    for b in range(2):
        assert torch.allclose(graphs._max_aggregate(Hb, batch)[b], graphs._max_aggregate(Hb[b], batch[b]))


def test_kipf_matrix_spectrum():
    A, _ = graphs.karate()
    S = graphs.aggregation_matrix(A, "kipf")
    assert np.allclose(S, S.T)
    vals, vecs = np.linalg.eigh(S)
    assert vals.min() > -1 and np.isclose(vals.max(), 1.0)
    v = np.abs(vecs[:, -1])
    target = np.sqrt(A.sum(1) + 1)
    np.testing.assert_allclose(v, target / np.linalg.norm(target), atol=1e-10)


def test_graph_attention_rows_are_distributions_over_the_neighbourhood():
    a_t, a_s = RNG.normal(size=4), RNG.normal(size=4)
    out, w = graphs.graph_attention(H7, A7, W34, a_t, a_s)
    np.testing.assert_allclose(w.sum(1), 1.0)
    assert np.all(w[(A7 + np.eye(7)) == 0] == 0) and np.isclose(w[-1, -1], 1.0)
    Z = H7 @ W34
    ref = np.zeros((7, 7))
    for i in range(7):
        nbrs = np.nonzero(A7[i] + np.eye(7)[i])[0]
        e = np.array([a_t @ Z[i] + a_s @ Z[j] for j in nbrs])
        e = np.where(e > 0, e, 0.2 * e)
        ref[i, nbrs] = np.exp(e) / np.exp(e).sum()
    np.testing.assert_allclose(w, ref, atol=1e-12)
    np.testing.assert_allclose(out, ref @ Z, atol=1e-12)
    perm = np.random.default_rng(4).permutation(7)
    out_p, w_p = graphs.graph_attention(H7[perm], A7[perm][:, perm], W34, a_t, a_s)
    np.testing.assert_allclose(out_p, out[perm], atol=1e-12)


def test_readouts_are_invariant_and_respect_the_mask():
    perm = np.random.default_rng(5).permutation(7)
    for kind in graphs.READOUTS:
        np.testing.assert_allclose(graphs.readout(H7[perm], kind), graphs.readout(H7, kind))
        padded = np.concatenate([H7, 100 * np.ones((3, 3))])[None]
        mask = np.r_[np.ones(7), np.zeros(3)][None].astype(bool)
        np.testing.assert_allclose(graphs.readout(padded, kind, mask)[0], graphs.readout(H7, kind))
    np.testing.assert_allclose(graphs.readout(H7, "sum"), H7.sum(0))
    np.testing.assert_allclose(graphs.readout(H7, "mean"), H7.mean(0))
    np.testing.assert_allclose(graphs.readout(H7, "max"), H7.max(0))


# ----------------------------------------------------------------------------------------- over-smoothing
def test_dirichlet_energy_is_the_laplacian_quadratic_form():
    A, _ = graphs.karate()
    H = np.random.default_rng(6).normal(size=(34, 2))
    L = nx.laplacian_matrix(nx.from_numpy_array(A)).toarray()
    assert np.isclose(graphs.dirichlet_energy(H, A), np.trace(H.T @ L @ H))
    deg = A.sum(1) + 1
    norm_lap = np.eye(34) - np.diag(deg**-0.5) @ (A + np.eye(34)) @ np.diag(deg**-0.5)
    assert np.isclose(graphs.dirichlet_energy(H, A, normalized=True), np.trace(H.T @ norm_lap @ H))
    assert np.isclose(graphs.dirichlet_energy(np.sqrt(deg)[:, None] * np.ones((1, 2)), A, normalized=True), 0)
    assert np.isclose(graphs.dirichlet_energy(np.ones((34, 2)), A), 0)


def test_propagation_converges_to_the_closed_form_limits():
    A, _ = graphs.karate()
    H0 = np.random.default_rng(7).normal(size=(34, 2))
    deg = A.sum(1) + 1
    mean_limit = np.ones((34, 1)) * (deg @ H0 / deg.sum())  # the random walk's stationary average
    np.testing.assert_allclose(graphs.propagate(H0, A, 400, "mean")[-1], mean_limit, atol=1e-6)
    s = np.sqrt(deg)
    kipf_limit = np.outer(s, s @ H0) / deg.sum()
    np.testing.assert_allclose(graphs.propagate(H0, A, 400, "kipf")[-1], kipf_limit, atol=1e-6)
    # a skip connection keeps the features apart: the fixed point α (I − (1 − α) S)⁻¹ H0
    S = graphs.aggregation_matrix(A, "kipf")
    fixed = 0.2 * np.linalg.solve(np.eye(34) - 0.8 * S, H0)
    np.testing.assert_allclose(graphs.propagate(H0, A, 200, "kipf", skip=0.2)[-1], fixed, atol=1e-8)
    assert graphs.propagate(H0, A, 3).shape == (4, 34, 2)


# ------------------------------------------------------------------------------------------- graph families
def test_motif_graphs_are_trees_with_a_house_or_a_pentagon():
    data = graphs.motif_graphs(40, seed=3)
    again = graphs.motif_graphs(40, seed=3)
    assert torch.equal(data["adjacency"], again["adjacency"]) and torch.equal(data["label"], again["label"])
    assert int(data["label"].sum()) == 20
    for A, m, label in zip(data["adjacency"], data["mask"], data["label"]):
        n = int(m.sum())
        a = A[:n, :n].numpy()
        assert np.array_equal(a, a.T) and not A[n:].any() and not A[:, n:].any()
        G = nx.from_numpy_array(a)
        assert nx.is_connected(G) and 13 <= n <= 21
        # independent cycles (edges − nodes + 1): 2 for the house (square and roof), 1 for the pentagon
        assert G.number_of_edges() - n + 1 == (2 if label == 0 else 1)
        assert (max(len(c) for c in nx.cycle_basis(G)) == 5) == (label == 1)


# ------------------------------------------------------------------------------------------------- model
@pytest.mark.parametrize("aggregation", graphs.AGGREGATIONS)
def test_gcn_node_outputs_are_equivariant_and_graph_outputs_invariant(aggregation):
    A, _ = graphs.karate()
    X = torch.tensor(np.random.default_rng(8).normal(size=(34, 5)))
    perm = np.random.default_rng(9).permutation(34)
    Xp, Ap = graphs.permute(X, torch.tensor(A), perm)
    node = graphs.GCN(5, 8, 3, aggregation=aggregation, dtype=torch.float64)
    assert torch.allclose(node(Xp, Ap), node(X, torch.tensor(A))[perm], atol=1e-10)
    for readout in graphs.READOUTS:
        graph = graphs.GCN(5, 8, 3, aggregation=aggregation, readout=readout, dtype=torch.float64)
        assert torch.allclose(graph(Xp, Ap), graph(X, torch.tensor(A)), atol=1e-10)


def test_a_padded_batch_gives_each_graphs_own_output():
    data = graphs.motif_graphs(6, seed=1)
    A, m = data["adjacency"], data["mask"]
    X = torch.rand(A.shape[0], A.shape[1], 2) * m[..., None]
    for aggregation in graphs.AGGREGATIONS:
        model = graphs.GCN(2, 4, 2, aggregation=aggregation, readout="mean", seed=2)
        batch = model(X, A, m)
        for k in range(6):
            n = int(m[k].sum())
            assert torch.allclose(batch[k], model(X[k, :n], A[k, :n, :n]), atol=1e-5)


def test_mean_max_and_attention_are_blind_to_structure_when_features_are_equal():
    data = graphs.motif_graphs(20, seed=2)
    X = 0.1 * data["mask"].float()[..., None]
    for aggregation, blind in [("mean", True), ("max", True), ("attention", True), ("sum", False)]:
        model = graphs.GCN(1, 8, 2, aggregation=aggregation, readout="mean", seed=3)
        out = model(X, data["adjacency"], data["mask"])
        assert bool(torch.allclose(out, out[:1].expand_as(out), atol=1e-6)) == blind, aggregation


def test_fit_gcn_learns_the_karate_club_from_two_labels():
    A, club = graphs.karate()
    model = graphs.GCN(34, 16, 2, seed=0)
    run = graphs.fit_gcn(
        model,
        torch.eye(34),
        torch.tensor(A, dtype=torch.float32),
        torch.tensor(club),
        train=[0, 33],
        epochs=100,
        record=lambda s: s,
        every=50,
    )
    assert run["loss"][-1] < run["loss"][0] / 10 and run["recorded"] == [0, 50, 100]
    acc = (model(torch.eye(34), torch.tensor(A, dtype=torch.float32)).argmax(1).numpy() == club).mean()
    assert acc > 0.9


def test_shipped_aggregation_sweep_is_reproduced():
    shipped = graphs.aggregation_results()
    assert set(shipped) - {"setup"} == {f"{a}/{r}" for a, r in graphs.SWEEP}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        again = graphs.classify_motifs("sum", "max", seed=1)
    finally:
        torch.set_num_threads(threads)
    # the same run; a different CPU may round differently and flip a graph or two, not more
    assert abs(again["test_accuracy"] - shipped["sum/max"]["test_accuracy"][1]) <= 0.02
    np.testing.assert_allclose(again["test_curve"], shipped["sum/max"]["test_curve"][1], atol=0.03)
    assert shipped["sum/max"]["test_accuracy"][1] > 0.9  # a run that learnt, not one stuck at chance


# ------------------------------------------------------------------------------------------------ drawing
def test_draw_graph_recolours_in_place():
    A, club = graphs.karate()
    fig = Figure()
    ax = fig.subplots()
    pos = graphs.layout(A)
    art = graphs.draw_graph(ax, A, pos, club)
    children = list(ax.get_children())
    art.set_values(np.arange(34))
    art.set_outlines(np.ones(34))
    assert list(ax.get_children()) == children and np.array_equal(art.nodes.get_array(), np.arange(34))
    assert len(art.edges.get_segments()) == 78
    np.testing.assert_allclose(graphs.layout(A), pos)  # no randomness
