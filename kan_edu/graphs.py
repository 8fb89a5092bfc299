"""kan_edu.graphs: graph neural networks from an adjacency matrix and a few matrix products.

A graph with N nodes is a pair (X, A): a node-feature matrix X of shape (N, D), one row per node, and an
adjacency matrix A of shape (N, N), with A[i, j] = 1 when an edge joins node i and node j (symmetric for an
undirected graph). Everything a graph network does is built from products with A:

* **Walks.** (A^L)[i, j] counts the walks of L steps from node i to node j (:func:`count_walks`); the nodes
  with a nonzero count for some L <= k are the ones within k hops (:func:`k_hop`).
* **Relabelling.** Numbering the nodes differently gives (P X, P A Pᵀ) for a permutation matrix P
  (:func:`permute`). A node-level map f must be *equivariant*, f(P X, P A Pᵀ) = P f(X, A); a graph-level
  map must be *invariant*, g(P X, P A Pᵀ) = g(X, A).
* **Aggregation.** A graph-convolution layer mixes each node with its neighbours through a fixed matrix S
  built from Ã = A + I (the self-loops keep each node's own features), then applies a shared weight:

      H' = a(S H W + b),   S = Ã ("sum"),  D̃⁻¹ Ã ("mean"),  D̃^{-1/2} Ã D̃^{-1/2} ("kipf"),

  with D̃ the diagonal of the degrees of Ã. "max" takes the largest value over the neighbourhood instead of a
  weighted sum, and "attention" learns the weights of the sum from the features (:func:`graph_attention`).
  Every one of them is equivariant, because S(P A Pᵀ) = P S(A) Pᵀ (:func:`gcn_layer`).
* **Readout.** Sum, mean or max over the nodes turns node features into one invariant vector per graph
  (:func:`readout`). Sum keeps how many nodes there were; mean and max forget it, and with identical node
  features so does every mean or max aggregation: this is what sum can tell apart that they cannot.
* **Over-smoothing.** Applying S again and again averages the features of neighbours until every node
  carries (nearly) the same feature: the Dirichlet energy ½ Σᵢⱼ Aᵢⱼ ‖hᵢ − hⱼ‖² measures what is left
  (:func:`dirichlet_energy`, :func:`propagate`).

:class:`GCN` is a small graph network in plain torch (no graph library) for node and graph tasks, batched over
graphs padded to one size; :func:`karate` and :func:`motif_graphs` are its data; :func:`draw_graph` draws a
graph once and recolours its nodes in place. Conventions: one node per row; numpy arrays in give numpy arrays
out and torch tensors in give torch tensors out (on the tensor's device, with its dtype and gradients).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ._validate import (
    ArgumentTypeError,
    array,
    choice,
    flag,
    floating_dtype,
    function,
    interval,
    module,
    number,
    random_seed,
    same_device,
    same_length,
    size,
    tensor,
)
from .artists import _axes

__all__ = [
    "karate",
    "adjacency",
    "layout",
    "count_walks",
    "k_hop",
    "permute",
    "aggregation_matrix",
    "aggregate",
    "gcn_layer",
    "graph_attention",
    "readout",
    "dirichlet_energy",
    "propagate",
    "motif_graphs",
    "GCN",
    "fit_gcn",
    "classify_motifs",
    "aggregation_sweep",
    "aggregation_results",
    "draw_graph",
    "AGGREGATIONS",
    "READOUTS",
]

#: Neighbourhood aggregations; the first three are linear (a matrix S times the features).
AGGREGATIONS = ("sum", "mean", "kipf", "max", "attention")
LINEAR = ("sum", "mean", "kipf")
#: Graph readouts (pooling over the nodes).
READOUTS = ("sum", "mean", "max")
ACTIVATIONS = ("relu", "identity")


# ------------------------------------------------------------------------------------- arguments
def _operands(H_name: str, H, others, H_ndim=2):
    """Check H and the other operands (name, value, shape with None for any, keyword checks) once.

    Every operand is validated as a float array (numpy or CPU tensor; a meta tensor is refused). The result
    is a torch view of each operand in H's dtype and device, and whether the caller gave a torch H (then the
    answer is returned as a tensor, else as a numpy array). Tensor operands keep their gradients.
    """
    is_torch = isinstance(H, torch.Tensor)
    if is_torch:
        tensor(H_name, H, H_ndim, floating=True)
    array(H_name, H, H_ndim, empty=False)
    if is_torch:
        dtype, device = H.dtype, H.device
        out = [H]
    else:
        dtype, device = torch.float64, torch.device("cpu")
        out = [torch.from_numpy(np.asarray(array(H_name, H, H_ndim)))]
    for name, value, shape, like, extra in others:
        checked = array(name, value, None, shape=shape, like=like, **extra)
        if isinstance(value, torch.Tensor):
            if is_torch:
                same_device(name, value, device)
            out.append(value.to(dtype) if is_torch else torch.from_numpy(checked))
        else:
            out.append(torch.as_tensor(checked, dtype=dtype, device=device))
    return is_torch, out


def _shape(x) -> tuple:
    """The shape of an operand before it is checked (() for what has none; the checks then say what is wrong)."""
    try:
        return tuple(np.shape(x))
    except (TypeError, ValueError):
        return ()


def _rows(x, ndim: int = 2):
    """The length of the first axis of a ``ndim``-D operand, else None (the shape checks then complain)."""
    shape = _shape(x)
    return shape[0] if len(shape) == ndim else None


def _back(is_torch: bool, t):
    """The result in the caller's kind: the tensor itself, or a numpy array."""
    return t if is_torch else t.detach().cpu().numpy()


def _adjacency_operand(A, n=None, like=None):
    shape = (n, n) if n is not None else (None, None)
    return ("A", A, shape, like, dict(low=0))


def _square(name: str, A) -> int:
    """A square adjacency matrix (N, N) with non-negative entries; returns N."""
    a = array(name, A, 2, empty=False, low=0)
    array(name, a, 2, shape=(a.shape[0], a.shape[0]), like=f"{name} is square")
    return a.shape[0]


# -------------------------------------------------------------------------------------- graphs as data
def karate() -> tuple[np.ndarray, np.ndarray]:
    """Zachary's karate club (34 members, 78 friendships), as networkx ships it.

    Returns ``(A, club)``: the 0/1 adjacency matrix (34, 34) and, for every member, the club they joined after
    the split (0: Mr. Hi's, 1: the officer's). Member 0 is Mr. Hi, member 33 the officer.
    """
    import networkx as nx

    G = nx.karate_club_graph()
    A = nx.to_numpy_array(G, nodelist=range(34), weight=None)
    club = np.array([0 if G.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(34)], dtype=np.int64)
    return A, club


def adjacency(edges, n_nodes: int, directed: bool = False) -> np.ndarray:
    """The 0/1 adjacency matrix (n_nodes, n_nodes) of a list of edges ``[(i, j), ...]`` (nodes 0..n_nodes-1).

    Undirected by default: each edge sets A[i, j] and A[j, i]. Repeated edges count once.
    """
    n_nodes = size("n_nodes", n_nodes, maximum=100_000)
    directed = flag("directed", directed)
    e = array("edges", edges, 2, integral=True, low=0, high=n_nodes - 1)
    if e.size:
        array("edges", e, 2, shape=(None, 2), like="pairs (i, j)")
    A = np.zeros((n_nodes, n_nodes))
    if e.size:
        i, j = e[:, 0].astype(int), e[:, 1].astype(int)
        A[i, j] = 1.0
        if not directed:
            A[j, i] = 1.0
    return A


def layout(A) -> np.ndarray:
    """Fixed 2-D positions for drawing a graph (N, 2): Kamada-Kawai, which starts from a circle (no randomness)."""
    import networkx as nx

    n = _square("A", A)
    G = nx.from_numpy_array((array("A", A) > 0).astype(float))
    pos = nx.kamada_kawai_layout(G) if n > 1 else {0: np.zeros(2)}
    return np.array([pos[i] for i in range(n)], dtype=float)


# -------------------------------------------------------------------------------------------- walks
def count_walks(A, length: int):
    """The number of walks of ``length`` steps between every pair of nodes: the matrix power A^length.

    ``A`` holds non-negative whole numbers (a multigraph's edge counts are allowed). Length 0 gives the
    identity (the empty walk from each node to itself). numpy in: int64 counts out; torch in: A's dtype.
    """
    length = size("length", length, minimum=0, maximum=10_000)
    n = _square("A", A)
    array("A", A, 2, integral=True, low=0)
    if isinstance(A, torch.Tensor):
        tensor("A", A, 2)
        return torch.linalg.matrix_power(A, length) if length else torch.eye(n, dtype=A.dtype, device=A.device)
    return np.linalg.matrix_power(np.asarray(array("A", A), dtype=np.int64), length)


def k_hop(A, node: int, k: int) -> np.ndarray:
    """Which nodes lie within ``k`` steps of ``node`` (a boolean array of length N; ``node`` itself included)."""
    n = _square("A", A)
    node, k = size("node", node, minimum=0, maximum=n - 1), size("k", k, minimum=0, maximum=10_000)
    a = array("A", A) > 0
    reach = np.zeros(n, dtype=bool)
    reach[node] = True
    for _ in range(min(k, n)):
        reach = reach | (a[reach].any(axis=0))
    return reach


def permute(X, A, perm):
    """Relabel the nodes: node i of the result is node ``perm[i]`` of the input.

    Returns ``(P X, P A Pᵀ)`` with P the permutation matrix P[i, perm[i]] = 1. Same kind as X (numpy or torch).
    """
    is_torch, (x, a) = _operands("X", X, [_adjacency_operand(A, _rows(X), "X")])
    n = x.shape[0]
    p = array("perm", perm, 1, integral=True, low=0, high=n - 1, shape=(n,), like="X")
    same_length("perm and its distinct entries", p, np.unique(p))
    idx = torch.as_tensor(p.astype(np.int64), device=x.device)
    return _back(is_torch, x[idx]), _back(is_torch, a[idx][:, idx])


# ------------------------------------------------------------------------------------ aggregations
def _normalized(a: torch.Tensor, kind: str) -> torch.Tensor:
    """S for a linear aggregation, from A (..., N, N): Ã, D̃⁻¹Ã or D̃^{-1/2} Ã D̃^{-1/2} with Ã = A + I."""
    at = a + torch.eye(a.shape[-1], dtype=a.dtype, device=a.device)
    if kind == "sum":
        return at
    deg = at.sum(-1)  # >= 1 thanks to the self-loop
    if kind == "mean":
        return at / deg[..., :, None]
    r = deg.rsqrt()
    return r[..., :, None] * at * r[..., None, :]


def _max_aggregate(z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """max over j in N(i) ∪ {i} of z_j, feature by feature (z (..., N, F), a (..., N, N)).

    Each node's neighbours are listed once (the k largest entries of its row of Ã, k the largest degree + 1;
    the unused slots repeat the node itself, which leaves the max unchanged) and gathered from the flattened
    features: a (..., N, k, F) tensor instead of (..., N, N, F), and a cheap backward.
    """
    at = a + torch.eye(a.shape[-1], dtype=a.dtype, device=a.device)
    n, lead = a.shape[-1], a.shape[:-2]
    vals, idx = at.topk(int((at > 0).sum(-1).max()), dim=-1)
    own = torch.arange(n, device=a.device).reshape(*([1] * len(lead)), n, 1).expand_as(idx)
    idx = torch.where(vals > 0, idx, own)
    if lead:
        idx = idx + (torch.arange(math.prod(lead), device=a.device) * n).reshape(*lead, 1, 1)
    flat = z.reshape(-1, z.shape[-1])
    return flat.index_select(0, idx.reshape(-1)).reshape(*idx.shape, z.shape[-1]).max(dim=-2).values


def _attention_weights(z: torch.Tensor, a: torch.Tensor, a_target: torch.Tensor, a_source: torch.Tensor):
    """GAT weights: softmax over j in N(i) ∪ {i} of LeakyReLU(a_target·z_i + a_source·z_j)."""
    at = a + torch.eye(a.shape[-1], dtype=a.dtype, device=a.device)
    scores = (z @ a_target).unsqueeze(-1) + (z @ a_source).unsqueeze(-2)
    scores = nn.functional.leaky_relu(scores, 0.2).masked_fill(at <= 0, -math.inf)
    return torch.softmax(scores, dim=-1)


def _aggregate(z, a, kind, attention=None):
    if kind in LINEAR:
        return _normalized(a, kind) @ z
    if kind == "max":
        return _max_aggregate(z, a)
    return _attention_weights(z, a, *attention) @ z


def aggregation_matrix(A, kind: str = "kipf"):
    """The matrix S of a linear aggregation (``kind`` "sum", "mean" or "kipf"), built from Ã = A + I.

    "sum": Ã. "mean": D̃⁻¹Ã, whose rows sum to 1. "kipf": D̃^{-1/2} Ã D̃^{-1/2} (Kipf and Welling), symmetric
    for a symmetric A, with eigenvalues in (−1, 1] and top eigenvector ∝ √(degree + 1).
    """
    kind = choice("kind", kind, LINEAR)
    is_torch, (a,) = _operands("A", A, [])
    _square("A", A)
    array("A", A, 2, low=0)
    return _back(is_torch, _normalized(a, kind))


def aggregate(H, A, kind: str = "sum"):
    """Each node's features combined with its neighbours' (itself included): S H, or the max for "max"."""
    kind = choice("kind", kind, AGGREGATIONS[:4])
    is_torch, (h, a) = _operands("H", H, [_adjacency_operand(A, _rows(H), "H")])
    return _back(is_torch, _aggregate(h, a, kind))


def gcn_layer(H, A, W, b=None, *, aggregation: str = "sum", activation: str = "relu"):
    """One graph-convolution layer: H' = ReLU(S H W + b), S from ``aggregation`` (default "sum": S = A + I).

    H (N, D_in) holds one node per row, A (N, N), W (D_in, D_out), b (D_out,) or None. The layer is
    permutation-equivariant: gcn_layer(P H, P A Pᵀ, W, b) = P gcn_layer(H, A, W, b). With "max" the maximum
    over the neighbourhood of H W replaces the weighted sum. ``activation="identity"`` leaves out the ReLU.
    """
    aggregation = choice("aggregation", aggregation, AGGREGATIONS[:4])
    activation = choice("activation", activation, ACTIVATIONS)
    n, d = _shape(H) if len(_shape(H)) == 2 else (None, None)
    others = [_adjacency_operand(A, n, "H"), ("W", W, (d, None), "H's columns", {})]
    if b is not None:
        others.append(("b", b, (_shape(W)[1] if len(_shape(W)) == 2 else None,), "W's columns", {}))
    is_torch, ops = _operands("H", H, others)
    h, a, w = ops[:3]
    out = _aggregate(h @ w, a, aggregation)
    if b is not None:
        out = out + ops[3]
    return _back(is_torch, torch.relu(out) if activation == "relu" else out)


def graph_attention(H, A, W, a_target, a_source):
    """Graph attention (one head): ``(out, weights)`` with out = weights @ (H W).

    weights[i, j] = softmax over j in N(i) ∪ {i} of LeakyReLU(a_targetᵀ zᵢ + a_sourceᵀ zⱼ), z = H W, and 0
    outside the neighbourhood: each row is a probability distribution over the node and its neighbours.
    """
    n, d = _shape(H) if len(_shape(H)) == 2 else (None, None)
    f = _shape(W)[1] if len(_shape(W)) == 2 else None
    is_torch, (h, a, w, at, asrc) = _operands(
        "H",
        H,
        [
            _adjacency_operand(A, n, "H"),
            ("W", W, (d, None), "H's columns", {}),
            ("a_target", a_target, (f,), "W's columns", {}),
            ("a_source", a_source, (f,), "W's columns", {}),
        ],
    )
    z = h @ w
    weights = _attention_weights(z, a, at, asrc)
    return _back(is_torch, weights @ z), _back(is_torch, weights)


def readout(H, kind: str = "sum", mask=None):
    """Pool node features into one vector per graph: sum, mean or max over the nodes (invariant to relabelling).

    H (N, D) gives (D,); a batch of padded graphs H (B, N, D) with ``mask`` (B, N) (True for real nodes)
    gives (B, D).
    """
    kind = choice("kind", kind, READOUTS)
    others = []
    if mask is not None:
        shape = _shape(H)[:-1] if len(_shape(H)) in (2, 3) else (None,)
        others.append(("mask", mask, shape, "H, without its feature axis", dict(low=0, high=1, integral=True)))
    is_torch, ops = _operands("H", H, others, H_ndim=(2, 3))
    h = ops[0]
    m = ops[1] > 0.5 if mask is not None else torch.ones(h.shape[:-1], dtype=torch.bool, device=h.device)
    return _back(is_torch, _readout(h, m, kind))


def _readout(h: torch.Tensor, m: torch.Tensor, kind: str) -> torch.Tensor:
    if kind == "max":
        return h.masked_fill(~m.unsqueeze(-1), -math.inf).amax(dim=-2)
    total = (h * m.unsqueeze(-1).to(h.dtype)).sum(dim=-2)
    if kind == "sum":
        return total
    return total / m.sum(-1, keepdim=True).clamp(min=1).to(h.dtype)


# ------------------------------------------------------------------------------------ over-smoothing
def dirichlet_energy(H, A, normalized: bool = False):
    """How much node features vary across edges: E = ½ Σᵢⱼ Aᵢⱼ ‖hᵢ − hⱼ‖² = tr(Hᵀ L H), L = D − A.

    ``normalized=True`` compares hᵢ/√d̃ᵢ with hⱼ/√d̃ⱼ (d̃ = degree + 1), the energy of the normalised Laplacian
    I − D̃^{-1/2}ÃD̃^{-1/2}, which is zero for the features that Kipf's aggregation keeps (∝ √d̃). A float for
    numpy input, a 0-D tensor (with gradients) for torch input.
    """
    normalized = flag("normalized", normalized)
    is_torch, (h, a) = _operands("H", H, [_adjacency_operand(A, _rows(H), "H")])
    if normalized:
        h = h * (a.sum(-1) + 1).rsqrt()[:, None]
    diff = h[:, None, :] - h[None, :, :]
    energy = 0.5 * (a * (diff**2).sum(-1)).sum()
    return energy if is_torch else float(energy)


def propagate(H, A, steps: int, kind: str = "kipf", skip: float = 0.0):
    """Apply an aggregation again and again with no weights: H_{k+1} = (1 − skip) S H_k + skip H_0.

    Returns every H_k, k = 0..steps, stacked: shape (steps + 1, N, D). ``skip`` > 0 keeps a share of the
    input at every step (personalised-PageRank propagation), which stops the features from smoothing out.
    """
    steps = size("steps", steps, minimum=0, maximum=10_000)
    kind = choice("kind", kind, LINEAR)
    skip = number("skip", skip, 0, 1)
    is_torch, (h, a) = _operands("H", H, [_adjacency_operand(A, _rows(H), "H")])
    S = _normalized(a, kind)
    out = [h]
    for _ in range(steps):
        out.append((1 - skip) * (S @ out[-1]) + skip * h)
    return _back(is_torch, torch.stack(out))


# ------------------------------------------------------------------------------------- graph families
HOUSE = [(0, 1), (1, 2), (2, 3), (3, 0), (2, 4), (3, 4)]  # a square with a roof: 5 nodes, 6 edges
CYCLE = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]  # a pentagon: 5 nodes, 5 edges
MOTIFS = {"house": HOUSE, "cycle": CYCLE}


def _tree(n: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """A random tree grown by preferential attachment (Barabási-Albert with one edge per new node)."""
    edges, degree = [], np.zeros(n)
    for new in range(1, n):
        weights = degree[:new] + 1.0
        old = int(rng.choice(new, p=weights / weights.sum()))
        edges.append((old, new))
        degree[old] += 1
        degree[new] += 1
    return edges


def motif_graphs(n_graphs: int = 400, tree_size=(8, 16), seed: int = 0) -> dict:
    """Graphs for graph classification: a random tree with a *house* (label 0) or a *5-cycle* (label 1) attached.

    Each graph is a preferential-attachment tree of n nodes (n uniform in ``tree_size``, both ends included)
    with the 5-node motif joined to it by one edge, its nodes then shuffled. The two classes have the same
    range of sizes; only the motif's shape tells them apart. Returns a dict of tensors for a padded batch:
    ``adjacency`` (B, N, N) float32, ``mask`` (B, N) bool (True for real nodes), ``label`` (B,) int64 and
    ``n_nodes`` (B,) int64, with N the largest graph.
    """
    n_graphs = size("n_graphs", n_graphs, minimum=2, maximum=100_000)
    lo, hi = interval("tree_size", tree_size)
    lo, hi = size("tree_size[0]", lo), size("tree_size[1]", hi, maximum=1000)
    rng = np.random.default_rng(random_seed("seed", seed))
    labels = rng.permutation(np.arange(n_graphs) % 2)
    graphs = []
    for label in labels:
        n = int(rng.integers(lo, hi + 1))
        edges = _tree(n, rng)
        motif = HOUSE if label == 0 else CYCLE
        edges += [(n + i, n + j) for i, j in motif]
        edges.append((int(rng.integers(n)), n + int(rng.integers(5))))
        order = rng.permutation(n + 5)  # old label -> new label
        graphs.append(adjacency([(order[i], order[j]) for i, j in edges], n + 5))
    N = max(g.shape[0] for g in graphs)
    A = torch.zeros(n_graphs, N, N)
    mask = torch.zeros(n_graphs, N, dtype=torch.bool)
    for k, g in enumerate(graphs):
        A[k, : g.shape[0], : g.shape[0]] = torch.from_numpy(g)
        mask[k, : g.shape[0]] = True
    return {
        "adjacency": A,
        "mask": mask,
        "label": torch.as_tensor(labels, dtype=torch.int64),
        "n_nodes": mask.sum(1),
    }


# --------------------------------------------------------------------------------------------- model
def _fits(name: str, t: torch.Tensor, shape: tuple, X: torch.Tensor) -> None:
    """``t`` has the shape that the node features X ask for (a message naming both when not)."""
    if tuple(t.shape) != shape:
        raise ValueError(f"{name} must have shape {shape} to fit X of shape {tuple(X.shape)}, got {tuple(t.shape)}")


class GCN(nn.Module):
    """A graph network: ``n_layers`` graph convolutions, then a linear head per node or, with a readout, per graph.

    Layer ℓ computes H ← ReLU(aggregate(H W_ℓ) + b_ℓ) with ``aggregation`` one of :data:`AGGREGATIONS`
    ("attention" learns one head's weights per layer). Without ``readout`` the model is a node classifier
    (outputs (N, out_dim)); with ``readout`` in :data:`READOUTS` it pools the last hidden layer over the nodes
    and classifies the graph (outputs (out_dim,), or (B, out_dim) for a batch).

    ``forward(X, A, mask=None, return_hidden=False)`` takes one graph, X (N, in_dim) and A (N, N), or a padded
    batch, X (B, N, in_dim), A (B, N, N) and ``mask`` (B, N) marking the real nodes. ``return_hidden=True``
    also returns the last hidden layer (the node embeddings).
    """

    def __init__(
        self,
        in_dim: int,
        hidden: int,
        out_dim: int,
        n_layers: int = 2,
        aggregation: str = "kipf",
        readout: str | None = None,
        seed: int = 0,
        dtype=torch.float32,
    ):
        super().__init__()
        in_dim, hidden, out_dim = size("in_dim", in_dim), size("hidden", hidden), size("out_dim", out_dim)
        n_layers = size("n_layers", n_layers, maximum=1000)
        self.aggregation = choice("aggregation", aggregation, AGGREGATIONS)
        self.readout = None if readout is None else choice("readout", readout, READOUTS)
        dtype = floating_dtype("dtype", dtype)
        g = torch.Generator().manual_seed(random_seed("seed", seed))
        dims = [in_dim] + [hidden] * n_layers

        def uniform(shape, fan_in):  # Glorot-style uniform draws from the model's own generator
            bound = math.sqrt(6.0 / (fan_in + shape[-1])) if len(shape) > 1 else 1.0 / math.sqrt(fan_in)
            return nn.Parameter(((torch.rand(shape, generator=g) * 2 - 1) * bound).to(dtype))

        self.weights = nn.ParameterList([uniform((dims[i], dims[i + 1]), dims[i]) for i in range(n_layers)])
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(d, dtype=dtype)) for d in dims[1:]])
        self.attention = nn.ParameterList(
            [uniform((d,), d) for d in dims[1:] for _ in range(2)] if self.aggregation == "attention" else []
        )
        self.head = nn.Linear(hidden, out_dim, dtype=dtype)
        with torch.no_grad():
            self.head.weight.copy_(uniform((out_dim, hidden), hidden))
            self.head.bias.zero_()

    def forward(self, X, A, mask=None, return_hidden: bool = False):
        device, dtype = self.head.weight.device, self.head.weight.dtype
        X = tensor("X", X, (2, 3), device=device, empty=False)
        if X.shape[-1] != self.weights[0].shape[0]:
            raise ValueError(f"X has {X.shape[-1]} features per node, the model expects {self.weights[0].shape[0]}")
        A = tensor("A", A, (2, 3), device=device, empty=False)
        _fits("A", A, tuple(X.shape[:-1]) + (X.shape[-2],), X)
        if mask is not None:
            mask = tensor("mask", mask, (1, 2), device=device)
            _fits("mask", mask, tuple(X.shape[:-1]), X)
            mask = mask.bool()
        return self._forward(X.to(dtype), A.to(dtype), mask, flag("return_hidden", return_hidden))

    def _forward(self, X, A, mask=None, return_hidden=False):
        """The network on checked inputs (what :meth:`forward` and :func:`fit_gcn` call)."""
        h = X
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            heads = tuple(self.attention[2 * layer : 2 * layer + 2]) if self.aggregation == "attention" else None
            h = torch.relu(_aggregate(h @ w, A, self.aggregation, heads) + b)
        if self.readout is None:
            out = self.head(h)
        else:
            m = mask if mask is not None else torch.ones(h.shape[:-1], dtype=torch.bool, device=h.device)
            out = self.head(_readout(h, m, self.readout))
        return (out, h) if return_hidden else out


def fit_gcn(
    model: GCN,
    X,
    A,
    y,
    *,
    mask=None,
    train=None,
    epochs: int = 100,
    lr: float = 0.01,
    seed: int = 0,
    record=None,
    every: int = 1,
) -> dict:
    """Train ``model`` with Adam on the full batch for ``epochs`` steps (through :func:`kan_edu.train.steps`).

    Node task (no readout): X (N, F), A (N, N), ``y`` (N,) class per node, and ``train`` the indices of the
    labelled nodes (all by default): the loss sees only those, the propagation sees the whole graph. Graph task
    (a readout): X (B, N, F), A (B, N, N), ``mask`` (B, N), ``y`` (B,), ``train`` the indices of the training
    graphs. Returns ``{"loss": one value per step}``, and with ``record(step)`` (called before the first step,
    every ``every`` steps and after the last) its values under ``"recorded"`` and ``"recorded_steps"``.
    """
    from .train import steps

    module("model", model)
    if not isinstance(model, GCN):
        raise ArgumentTypeError(f"model must be a kan_edu.graphs.GCN, got {type(model).__name__}")
    device, dtype = model.head.weight.device, model.head.weight.dtype
    epochs, lr = size("epochs", epochs, maximum=100_000), number("lr", lr, low=0, low_open=True)
    seed, every = random_seed("seed", seed), size("every", every)
    if record is not None:
        function("record", record, "record(step) -> anything to keep")
    X = tensor("X", X, (2, 3), device=device, empty=False)
    A = tensor("A", A, (2, 3), device=device, empty=False)
    _fits("A", A, tuple(X.shape[:-1]) + (X.shape[-2],), X)
    y = tensor("y", y, 1, device=device, finite=False)
    n_items = X.shape[0]
    array("y", y, 1, shape=(n_items,), like="X", integral=True, low=0)
    idx = torch.arange(n_items, device=device)
    if train is not None:
        t = array("train", train, 1, integral=True, low=0, high=n_items - 1, empty=False)
        idx = torch.as_tensor(t.astype(np.int64), device=device)
    model(X, A, mask)  # checks the shapes and the mask once
    Xc, Ac, target = X.to(dtype), A.to(dtype), y.long()[idx]
    m = None if mask is None else mask.to(device).bool()
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def step(i):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model._forward(Xc, Ac, m)[idx], target)
        loss.backward()
        opt.step()
        return {"loss": loss.item()}

    return steps(step, epochs, record=record, every=every, seed=seed)


#: The sweep of the chapter's graph-classification comparison: (aggregation, readout) pairs.
SWEEP = (
    ("sum", "mean"),
    ("mean", "mean"),
    ("max", "mean"),
    ("kipf", "mean"),
    ("attention", "mean"),
    ("sum", "sum"),
    ("sum", "max"),
)
_SWEEP_FILE = "data_files/part2_graph_aggregation.json"


def classify_motifs(
    aggregation: str = "sum",
    readout: str = "mean",
    seed: int = 0,
    n_graphs: int = 400,
    n_train: int = 300,
    epochs: int = 150,
    hidden: int = 16,
    n_layers: int = 3,
    lr: float = 0.01,
    feature: float = 0.1,
    every: int = 10,
) -> dict:
    """Train one :class:`GCN` to tell the two :func:`motif_graphs` families apart, from structure alone.

    Every node carries the same input ``feature``: only the graph's shape can decide. The same graphs
    (``motif_graphs(n_graphs, seed=0)``), split into the first ``n_train`` for training and the rest for testing,
    serve every aggregation and seed; ``seed`` sets the initial weights. Returns the final ``train_accuracy`` and
    ``test_accuracy``, and ``steps`` with ``test_curve``, the test accuracy every ``every`` steps.
    """
    aggregation = choice("aggregation", aggregation, AGGREGATIONS)
    readout = choice("readout", readout, READOUTS)
    n_graphs = size("n_graphs", n_graphs, minimum=2, maximum=100_000)
    n_train = size("n_train", n_train, maximum=n_graphs - 1)
    feature = number("feature", feature, low=0, low_open=True)
    data = motif_graphs(n_graphs, seed=0)
    A, m, y = data["adjacency"], data["mask"], data["label"]
    X = feature * m.float()[..., None]
    test = torch.arange(n_train, n_graphs)
    model = GCN(1, hidden, 2, n_layers=n_layers, aggregation=aggregation, readout=readout, seed=seed)

    @torch.no_grad()
    def accuracy(idx):
        return float((model._forward(X[idx], A[idx], m[idx]).argmax(1) == y[idx]).float().mean())

    run = fit_gcn(
        model,
        X,
        A,
        y,
        mask=m,
        train=np.arange(n_train),
        epochs=epochs,
        lr=lr,
        seed=seed,
        record=lambda step: accuracy(test),
        every=every,
    )
    return {
        "train_accuracy": accuracy(torch.arange(n_train)),
        "test_accuracy": accuracy(test),
        "steps": run["recorded_steps"].tolist(),
        "test_curve": [float(v) for v in run["recorded"]],
    }


def aggregation_sweep(seeds=(0, 1, 2, 3, 4), pairs=SWEEP, **options) -> dict:
    """:func:`classify_motifs` for every (aggregation, readout) in ``pairs`` and every seed (what
    ``experiments/part2_graph_aggregation.py`` ships). Keys are "aggregation/readout"; each holds, per seed, the
    result of :func:`classify_motifs`."""
    seeds = [int(s) for s in array("seeds", seeds, 1, integral=True, low=0, empty=False)]
    if isinstance(pairs, (str, bytes, dict)) or not isinstance(pairs, (list, tuple)) or not pairs:
        raise ArgumentTypeError(f"pairs must be a non-empty list of (aggregation, readout) pairs, got {pairs!r:.60}")
    checked = []
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ArgumentTypeError(f"pairs must hold (aggregation, readout) pairs, got {pair!r:.60}")
        checked.append(
            (choice("pairs: aggregation", pair[0], AGGREGATIONS), choice("pairs: readout", pair[1], READOUTS))
        )
    return {f"{agg}/{ro}": [classify_motifs(agg, ro, seed=s, **options) for s in seeds] for agg, ro in checked}


def aggregation_results() -> dict:
    """The shipped :func:`aggregation_sweep` (defaults): per "aggregation/readout", arrays over the seeds of
    ``train_accuracy``, ``test_accuracy`` and ``test_curve`` (seeds × recorded steps), and ``steps``."""
    import json
    from importlib.resources import files

    raw = json.loads(files("kan_edu").joinpath(_SWEEP_FILE).read_text(encoding="utf-8"))
    out = {"setup": raw["setup"]}
    for key, runs in raw["results"].items():
        out[key] = {
            "train_accuracy": np.array([r["train_accuracy"] for r in runs]),
            "test_accuracy": np.array([r["test_accuracy"] for r in runs]),
            "test_curve": np.array([r["test_curve"] for r in runs]),
            "steps": np.array(runs[0]["steps"]),
        }
    return out


# ------------------------------------------------------------------------------------------ drawing
class GraphArtist:
    """A graph drawn once on an Axes; :meth:`set_values` recolours the nodes in place (no new artists)."""

    def __init__(self, ax, A, pos, values=None, cmap="viridis", vmin=None, vmax=None, node_size=60.0, **edge_kw):
        from matplotlib.collections import LineCollection

        a = np.asarray(A) > 0
        i, j = np.nonzero(np.triu(a | a.T, 1))
        segments = np.stack([pos[i], pos[j]], axis=1)
        kw = {"colors": "0.6", "linewidths": 0.8, "zorder": 1, **edge_kw}
        self.edges = ax.add_collection(LineCollection(segments, **kw))
        v = np.zeros(len(pos)) if values is None else np.asarray(values, dtype=float)
        self.nodes = ax.scatter(
            pos[:, 0],
            pos[:, 1],
            c=v,
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            s=node_size,
            zorder=2,
            edgecolors="k",
            linewidths=0.6,
        )
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        pad = 0.08 * (np.ptp(pos, axis=0).max() or 1.0)
        ax.set_xlim(pos[:, 0].min() - pad, pos[:, 0].max() + pad)
        ax.set_ylim(pos[:, 1].min() - pad, pos[:, 1].max() + pad)
        for side in ax.spines.values():
            side.set_visible(False)

    def set_values(self, values) -> None:
        """New node colours (one value per node, mapped through the colour map)."""
        self.nodes.set_array(np.asarray(values, dtype=float))

    def set_outlines(self, widths) -> None:
        """Outline widths per node (0 hides the outline), for example to mark a neighbourhood."""
        self.nodes.set_linewidths(np.asarray(widths, dtype=float))


def draw_graph(ax, A, pos, values=None, cmap: str = "viridis", vmin=None, vmax=None, node_size: float = 60.0):
    """Draw graph ``A`` at positions ``pos`` (N, 2) on ``ax``; returns a :class:`GraphArtist` to recolour it."""
    import matplotlib

    n = _square("A", A)
    pos = array("pos", pos, 2, shape=(n, 2), like="A")
    if values is not None:
        values = array("values", values, 1, shape=(n,), like="A")
    vmin = None if vmin is None else number("vmin", vmin)
    vmax = None if vmax is None else number("vmax", vmax)
    node_size = number("node_size", node_size, low=0, low_open=True)
    cmap = choice("cmap", cmap, sorted(matplotlib.colormaps))
    return GraphArtist(_axes(ax), array("A", A), pos, values, cmap, vmin, vmax, node_size)
