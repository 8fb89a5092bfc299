"""kan_edu.attention: self-attention and a tiny transformer, written out.

Self-attention turns a sequence of N token vectors (the rows of X, shape (N, D)) into N new vectors. Each
token emits a *query* q = x Wq, a *key* k = x Wk and a *value* v = x Wv. Token n then takes a weighted mean
of all values, with weights given by how well its query matches every key:

    A = softmax(Q Kᵀ / √D_q)   (row by row),      out = A V.

A is row-stochastic (every row is a probability distribution over the tokens), and the same three matrices
serve every token, so the number of parameters does not depend on N. Because nothing in the formula knows
where a token sits, permuting the rows of X permutes the rows of the output in the same way (permutation
equivariance); positions have to be put into X (:func:`sinusoidal_positions`, or learned vectors). The
division by √D_q keeps the dot products of order one whatever the width, so the softmax neither saturates
nor loses its gradient (:func:`softmax_jacobian`).

The rest builds up from there: :func:`attention` is the same map with queries and keys from different
sequences (cross-attention) and an optional mask (:func:`causal_mask`: token n sees tokens 1..n only);
:func:`multihead_attention` runs H smaller attentions side by side and mixes their outputs;
:class:`MultiHeadAttention`, :class:`TransformerLayer` and :class:`TinyTransformer` are the torch modules a
model is made of; :func:`sequence_task` and :func:`train_sequence_task` train one on reversing or sorting a
sequence and keep its attention maps along the way.

Functions take numpy arrays or torch tensors and return the same kind (numpy arrays come back as float64).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from . import train as _train
from ._validate import ArgumentTypeError, array, choice, flag, number, positive, random_seed, same_device, size, tensor
from ._validate import axis as _axis

__all__ = [
    "softmax",
    "softmax_jacobian",
    "attention",
    "self_attention",
    "causal_mask",
    "multihead_attention",
    "sinusoidal_positions",
    "attention_entropy",
    "MultiHeadAttention",
    "TransformerLayer",
    "TinyTransformer",
    "sequence_task",
    "sequence_accuracy",
    "train_sequence_task",
    "TASKS",
]

#: The sequence tasks of :func:`sequence_task`.
TASKS = ("reverse", "sort", "copy")


# ------------------------------------------------------------------------------------- numpy or torch in
def _inputs(named: dict, ndims: dict):
    """The arguments as torch tensors, and whether the caller gave numpy (then the results go back as numpy).

    The first argument decides: a tensor asks for tensors everywhere (same device, floating dtype), anything
    else is read as a float64 array.
    """
    first_name, first = next(iter(named.items()))
    if isinstance(first, torch.Tensor):
        out = {}
        for name, value in named.items():
            if not isinstance(value, torch.Tensor):
                raise ArgumentTypeError(
                    f"{name} must be a torch tensor like {first_name} (numpy and torch do not mix), "
                    f"got {type(value).__name__}"
                )
            t = tensor(name, value, ndims[name], floating=True, empty=False)
            same_device(name, t, first.device)
            out[name] = t
        dtypes = {t.dtype for t in out.values()}
        if len(dtypes) > 1:
            raise ArgumentTypeError(
                f"{', '.join(named)} must share one dtype, got {', '.join(str(t.dtype) for t in out.values())}"
            )
        return out, False
    return {name: torch.from_numpy(array(name, value, ndims[name], empty=False)) for name, value in named.items()}, True


def _back(t: torch.Tensor, numpy_out: bool):
    return t.detach().cpu().numpy() if numpy_out else t


def _same(name: str, got: int, other: str, wanted: int) -> None:
    if got != wanted:
        raise ValueError(f"{name} must match {other}: got {got}, expected {wanted}")


# ---------------------------------------------------------------------------------------------- softmax
def softmax(z, axis: int = -1):
    """exp(z_k) / Σ_j exp(z_j) along ``axis`` (the maximum is subtracted first, so large logits do not overflow).

    ``-inf`` entries are allowed (a masked position gets weight 0); a slice with no finite entry is refused.
    """
    numpy_out = not isinstance(z, torch.Tensor)
    if numpy_out:
        z = torch.from_numpy(np.atleast_1d(array("z", z, empty=False, finite=False)))
    else:
        z = tensor("z", z, floating=True, finite=False, empty=False)
    ax = _axis("axis", axis, max(z.ndim, 1))
    if z.ndim == 0:
        z = z.reshape(1)
    if z.device.type != "meta":
        if bool(torch.isnan(z).any() | (z == math.inf).any()):
            raise ValueError("z contains NaN or +inf (only -inf, for a masked entry, is allowed)")
        if bool(torch.isinf(z).all(dim=ax).any()):
            raise ValueError("z has a slice along axis where every entry is -inf: nothing is left to normalise")
    return _back(_softmax(z, ax), numpy_out)


def _softmax(z: torch.Tensor, dim: int) -> torch.Tensor:
    shifted = z - z.amax(dim=dim, keepdim=True)
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)


def softmax_jacobian(z):
    """The Jacobian ∂softmax(z)_i / ∂z_j = p_i (δ_ij − p_j) of a vector z (shape (K,)) or of each row of a matrix
    (shape (N, K) → (N, K, K)). It vanishes when p is one-hot: a saturated softmax passes no gradient back."""
    named, numpy_out = _inputs({"z": z}, {"z": (1, 2)})
    p = _softmax(named["z"], -1)
    jac = torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)
    return _back(jac, numpy_out)


# -------------------------------------------------------------------------------------------- attention
def _attend(q, k, v, mask, scale: bool):
    logits = q @ k.transpose(-1, -2)
    if scale:
        logits = logits / math.sqrt(q.shape[-1])
    if mask is not None:
        logits = logits.masked_fill(~mask, -math.inf)
    a = _softmax(logits, -1)
    return a @ v, a


def attention(Q, K, V, mask=None, scale: bool = True):
    """Scaled dot-product attention: ``(softmax(Q Kᵀ / √D_q) V, A)``.

    Q (..., N_q, D_q) holds one query per row, K (..., N_k, D_q) and V (..., N_k, D_v) one key and one value per
    row of the sequence attended to (the same sequence for self-attention, another one for cross-attention).
    ``mask`` (N_q, N_k), boolean, True where query n may look at key m; every row must keep at least one key.
    ``scale=False`` drops the 1/√D_q (to see what it is for).
    """
    named, numpy_out = _inputs({"Q": Q, "K": K, "V": V}, {"Q": (2, 3, 4), "K": (2, 3, 4), "V": (2, 3, 4)})
    q, k, v = named["Q"], named["K"], named["V"]
    _same("K's last dimension", k.shape[-1], "Q's (D_q)", q.shape[-1])
    _same("V's number of rows", v.shape[-2], "K's (one value per key)", k.shape[-2])
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError(f"Q, K and V must share their leading (batch) dimensions, got {q.shape}, {k.shape}, {v.shape}")
    scale = flag("scale", scale)
    m = _mask("mask", mask, q.shape[-2], k.shape[-2], q.device)
    out, a = _attend(q, k, v, m, scale)
    return _back(out, numpy_out), _back(a, numpy_out)


def _mask(name: str, mask, n_q: int, n_k: int, device) -> torch.Tensor | None:
    if mask is None:
        return None
    if isinstance(mask, torch.Tensor):
        if mask.device.type == "meta":
            raise ValueError(f"{name} is a tensor on the meta device, which holds no values")
        mask = mask.detach().cpu().numpy()
    m = np.asarray(mask) if not isinstance(mask, (str, bytes, dict)) else None
    if m is None or m.dtype != np.bool_:
        raise ArgumentTypeError(
            f"{name} must be a boolean array (True where a query may look), got {type(mask).__name__}"
        )
    if m.shape != (n_q, n_k):
        raise ValueError(f"{name} must have shape ({n_q}, {n_k}) (queries, keys), got shape {m.shape}")
    if not m.any(axis=1).all():
        raise ValueError(f"{name} leaves a query with no key to look at (a row of False)")
    return torch.from_numpy(m.copy()).to(device)


def self_attention(X, Wq, Wk, Wv, causal: bool = False):
    """One self-attention head: X (N, D), one token per row; Wq, Wk (D, D_q); Wv (D, D_v).

    Returns ``(out, A)``: A (N, N) = softmax(Q Kᵀ / √D_q) row by row, with Q = X Wq, K = X Wk, and
    out (N, D_v) = A V with V = X Wv. ``causal=True`` lets token n attend to tokens 0..n only.
    """
    named, numpy_out = _inputs({"X": X, "Wq": Wq, "Wk": Wk, "Wv": Wv}, {"X": 2, "Wq": 2, "Wk": 2, "Wv": 2})
    x, wq, wk, wv = named.values()
    d = x.shape[1]
    for name, w in (("Wq", wq), ("Wk", wk), ("Wv", wv)):
        _same(f"{name}'s number of rows", w.shape[0], "X's number of columns (D)", d)
    _same("Wk's number of columns", wk.shape[1], "Wq's (D_q)", wq.shape[1])
    causal = flag("causal", causal)
    mask = _causal(x.shape[0], x.device) if causal else None
    out, a = _attend(x @ wq, x @ wk, x @ wv, mask, True)
    return _back(out, numpy_out), _back(a, numpy_out)


def _causal(n: int, device) -> torch.Tensor:
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()


def causal_mask(n: int) -> np.ndarray:
    """The (n, n) boolean mask of a causal (autoregressive) model: True on and below the diagonal."""
    n = size("n", n)
    return np.tril(np.ones((n, n), dtype=bool))


def multihead_attention(X, Wq, Wk, Wv, Wo, n_heads: int, causal: bool = False):
    """H heads of self-attention side by side: ``(out, A)`` with out (N, D_o) and A (H, N, N).

    Wq, Wk, Wv (D, D_h·H) are the heads' projections stacked side by side (head h uses columns
    h·D_h..(h+1)·D_h−1) and Wo (D_h·H, D_o) mixes the concatenated head outputs. Each head scales by √D_h, its
    own width. This is the map ``torch.nn.MultiheadAttention`` computes without biases.
    """
    named, numpy_out = _inputs(
        {"X": X, "Wq": Wq, "Wk": Wk, "Wv": Wv, "Wo": Wo}, {"X": 2, "Wq": 2, "Wk": 2, "Wv": 2, "Wo": 2}
    )
    x, wq, wk, wv, wo = named.values()
    n_heads, causal = size("n_heads", n_heads), flag("causal", causal)
    d = x.shape[1]
    for name, w in (("Wq", wq), ("Wk", wk), ("Wv", wv)):
        _same(f"{name}'s number of rows", w.shape[0], "X's number of columns (D)", d)
    _same("Wk's number of columns", wk.shape[1], "Wq's", wq.shape[1])
    _same("Wo's number of rows", wo.shape[0], "Wv's number of columns", wv.shape[1])
    for name, w in (("Wq", wq), ("Wv", wv)):
        if w.shape[1] % n_heads:
            raise ValueError(f"{name} has {w.shape[1]} columns, which n_heads={n_heads} does not divide")
    n = x.shape[0]

    def heads(m):  # (N, H·D_h) -> (H, N, D_h)
        return m.reshape(n, n_heads, -1).transpose(0, 1)

    mask = _causal(n, x.device) if causal else None
    out, a = _attend(heads(x @ wq), heads(x @ wk), heads(x @ wv), mask, True)
    out = out.transpose(0, 1).reshape(n, -1) @ wo
    return _back(out, numpy_out), _back(a, numpy_out)


def sinusoidal_positions(n: int, d: int, base: float = 10000.0) -> np.ndarray:
    """The (n, d) sinusoidal position encodings: PE[p, 2i] = sin(p ω_i), PE[p, 2i+1] = cos(p ω_i), ω_i = base^(−2i/d).

    Every pair of columns is a point turning on a circle at its own speed, so PE_p · PE_{p+k} = Σ_i cos(k ω_i)
    depends on the offset k only, never on p. ``d`` must be even.
    """
    n, d = size("n", n), size("d", d)
    if d % 2:
        raise ValueError(f"d must be even (sine and cosine columns come in pairs), got {d}")
    base = number("base", base, low=1, low_open=True)
    omega = base ** (-np.arange(0, d, 2) / d)
    angles = np.arange(n)[:, None] * omega[None, :]
    pe = np.empty((n, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe


def attention_entropy(A):
    """The entropy −Σ_m A_nm log A_nm of each row of an attention matrix, in nats (0 for a one-hot row, log N for
    a uniform one). Shape (..., N, N) → (..., N)."""
    named, numpy_out = _inputs({"A": A}, {"A": (2, 3, 4, 5)})
    a = named["A"]
    if a.device.type != "meta" and bool((a < 0).any()):
        raise ValueError("A must hold probabilities (entries >= 0)")
    ent = -torch.where(a > 0, a * torch.log(a.clamp_min(1e-300)), torch.zeros_like(a)).sum(-1)
    return _back(ent, numpy_out)


# ----------------------------------------------------------------------------------------- torch modules
class MultiHeadAttention(nn.Module):
    """Multi-head attention with its own weights, on batches (B, N, d_model).

    ``forward(x, context=None, causal=False, return_attention=False)``: queries come from ``x``; keys and values
    from ``context`` (cross-attention) or from ``x`` itself (self-attention). With ``return_attention`` it also
    returns the weights, shape (B, H, N, N_context).
    """

    def __init__(self, d_model: int, n_heads: int = 1, bias: bool = True, seed: int | None = None):
        super().__init__()
        d_model, n_heads = size("d_model", d_model), size("n_heads", n_heads)
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        bias = flag("bias", bias)
        if seed is not None:
            torch.manual_seed(random_seed("seed", seed))
        self.n_heads, self.d_model = n_heads, d_model
        self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model, bias=bias) for _ in range(4))

    def forward(self, x, context=None, causal: bool = False, return_attention: bool = False):
        device = next(self.parameters()).device
        x = tensor("x", x, 3, floating=True, device=device)
        context = x if context is None else tensor("context", context, 3, floating=True, device=device)
        _same("x's last dimension", x.shape[-1], "d_model", self.d_model)
        _same("context's last dimension", context.shape[-1], "d_model", self.d_model)
        _same("context's batch size", context.shape[0], "x's", x.shape[0])
        causal = flag("causal", causal)
        if causal and context.shape[1] != x.shape[1]:
            raise ValueError("causal=True needs keys from the same sequence (context of the same length as x)")
        out, a = self._forward(x, context, causal)
        return (out, a) if return_attention else out

    def _forward(self, x, context, causal):
        b, n, _ = x.shape
        h = self.n_heads

        def split(t):  # (B, N, d_model) -> (B, H, N, d_head)
            return t.reshape(b, t.shape[1], h, -1).transpose(1, 2)

        mask = _causal(n, x.device) if causal else None
        out, a = _attend(split(self.q(x)), split(self.k(context)), split(self.v(context)), mask, True)
        return self.o(out.transpose(1, 2).reshape(b, n, self.d_model)), a


class TransformerLayer(nn.Module):
    """One transformer layer (pre-norm): x + MHA(LN(x)), then x + MLP(LN(x)), the MLP acting on each token alone.

    ``forward(x, causal=False, return_attention=False)`` on (B, N, d_model).
    """

    def __init__(self, d_model: int, n_heads: int = 1, d_ff: int | None = None, seed: int | None = None):
        super().__init__()
        d_model, n_heads = size("d_model", d_model), size("n_heads", n_heads)
        d_ff = 4 * d_model if d_ff is None else size("d_ff", d_ff)
        if seed is not None:
            torch.manual_seed(random_seed("seed", seed))
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, n_heads)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))

    def forward(self, x, causal: bool = False, return_attention: bool = False):
        device = next(self.parameters()).device
        x = tensor("x", x, 3, floating=True, device=device)
        _same("x's last dimension", x.shape[-1], "d_model", self.attn.d_model)
        out, a = self._forward(x, flag("causal", causal))
        return (out, a) if flag("return_attention", return_attention) else out

    def _forward(self, x, causal):
        attended, a = self.attn._forward(self.norm1(x), self.norm1(x), causal)
        x = x + attended
        return x + self.mlp(self.norm2(x)), a


POSITIONS = ("learned", "sinusoidal", "none")


class TinyTransformer(nn.Module):
    """A small transformer on token sequences: embeddings + positions, ``n_layers`` layers, a linear read-out.

    ``forward(tokens)`` maps integer tokens (B, N) with N <= ``max_len`` to logits (B, N, vocab_size), one
    prediction per position; ``attention_maps(tokens)`` returns the weights of every layer, shape
    (n_layers, B, H, N, N). ``positions`` is "learned" (a trained vector per position), "sinusoidal" (fixed,
    :func:`sinusoidal_positions`) or "none" (a model blind to order). ``causal=True`` makes it autoregressive.
    """

    def __init__(
        self,
        vocab_size: int,
        max_len: int,
        d_model: int = 32,
        n_heads: int = 1,
        n_layers: int = 1,
        d_ff: int | None = None,
        positions: str = "learned",
        causal: bool = False,
        seed: int = 0,
    ):
        super().__init__()
        vocab_size, max_len = size("vocab_size", vocab_size, 2), size("max_len", max_len)
        d_model, n_heads, n_layers = size("d_model", d_model), size("n_heads", n_heads), size("n_layers", n_layers)
        d_ff = 4 * d_model if d_ff is None else size("d_ff", d_ff)
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        self.positions = choice("positions", positions, POSITIONS)
        if positions == "sinusoidal" and d_model % 2:
            raise ValueError(f"sinusoidal positions need an even d_model, got {d_model}")
        self.causal = flag("causal", causal)
        torch.manual_seed(random_seed("seed", seed))
        self.vocab_size, self.max_len = vocab_size, max_len
        self.embed = nn.Embedding(vocab_size, d_model)
        if positions == "learned":
            self.pos = nn.Parameter(0.1 * torch.randn(max_len, d_model))
        else:
            fixed = (
                sinusoidal_positions(max_len, d_model) if positions == "sinusoidal" else np.zeros((max_len, d_model))
            )
            self.register_buffer("pos", torch.as_tensor(fixed, dtype=torch.float32))
        self.layers = nn.ModuleList(TransformerLayer(d_model, n_heads, d_ff) for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def _tokens(self, tokens, name: str = "tokens"):
        t = tensor(name, tokens, 2, device=self.embed.weight.device, empty=False)
        if t.is_floating_point() or t.dtype == torch.bool or t.is_complex():
            raise ArgumentTypeError(f"{name} must be an integer tensor, got dtype {t.dtype}")
        if t.shape[1] > self.max_len:
            raise ValueError(f"{name} has {t.shape[1]} positions, more than max_len={self.max_len}")
        if t.device.type != "meta" and bool(((t < 0) | (t >= self.vocab_size)).any()):
            raise ValueError(f"{name} must lie in [0, {self.vocab_size - 1}] (vocab_size={self.vocab_size})")
        return t

    def forward(self, tokens):
        return self._forward(self._tokens(tokens))[0]

    def _forward(self, tokens):
        x = self.embed(tokens) + self.pos[: tokens.shape[1]]
        maps = []
        for layer in self.layers:
            x, a = layer._forward(x, self.causal)
            maps.append(a)
        return self.head(self.norm(x)), torch.stack(maps)

    @torch.no_grad()
    def attention_maps(self, tokens) -> torch.Tensor:
        """The attention weights of every layer and head: shape (n_layers, B, H, N, N)."""
        return self._forward(self._tokens(tokens))[1]


# -------------------------------------------------------------------------------------- a sequence task
def _targets(task: str, x: torch.Tensor) -> torch.Tensor:
    if task == "reverse":
        return x.flip(1)
    if task == "sort":
        return x.sort(dim=1).values
    return x.clone()


def sequence_task(task: str, n: int, length: int = 8, vocab: int = 10, seed: int = 0):
    """``n`` random sequences of ``length`` tokens from 0..vocab−1 and their targets, as int64 tensors (n, length).

    ``task``: "reverse" (the sequence backwards), "sort" (its tokens in increasing order) or "copy".
    """
    task = choice("task", task, TASKS)
    n, length, vocab = size("n", n), size("length", length), size("vocab", vocab, 2)
    gen = torch.Generator().manual_seed(random_seed("seed", seed))
    x = torch.randint(0, vocab, (n, length), generator=gen)
    return x, _targets(task, x)


@torch.no_grad()
def sequence_accuracy(model: TinyTransformer, x, y) -> tuple[float, float]:
    """``(token accuracy, sequence accuracy)``: the fraction of positions, and of whole sequences, predicted right."""
    if not isinstance(model, TinyTransformer):
        raise ArgumentTypeError(f"model must be a TinyTransformer, got {type(model).__name__}")
    x = model._tokens(x, "x")
    y = tensor("y", y, 2, device=x.device)
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {tuple(x.shape)}, got {tuple(y.shape)}")
    was = model.training
    model.eval()
    right = model(x).argmax(-1) == y
    model.train(was)
    return float(right.float().mean()), float(right.all(1).float().mean())


def train_sequence_task(
    task: str = "reverse",
    steps: int = 400,
    length: int = 8,
    vocab: int = 10,
    batch: int = 64,
    d_model: int = 32,
    n_heads: int = 1,
    n_layers: int = 1,
    lr: float = 3e-3,
    positions: str = "learned",
    examples: int = 2,
    every: int = 25,
    n_test: int = 1000,
    seed: int = 0,
    progress: bool = False,
) -> dict:
    """Train a :class:`TinyTransformer` on ``task`` with Adam, a fresh random batch at every step.

    Returns a dict with the ``model``, per-step ``loss`` and ``accuracy`` (token accuracy on the batch), the
    ``steps`` at which snapshots were taken (step 0, every ``every`` steps, the end), ``attention`` (snapshots,
    shape (len(steps), n_layers, examples, H, N, N), the maps on ``examples`` fixed test sequences),
    ``predictions`` (len(steps), examples, N) at those snapshots, the fixed ``inputs``/``targets`` and the final
    ``token_accuracy`` and ``sequence_accuracy`` on ``n_test`` fresh sequences.
    """
    task, positions = choice("task", task, TASKS), choice("positions", positions, POSITIONS)
    steps, length, vocab, batch = (
        size("steps", steps),
        size("length", length),
        size("vocab", vocab, 2),
        size("batch", batch),
    )
    examples, every, n_test = size("examples", examples), size("every", every), size("n_test", n_test)
    lr, seed, progress = positive("lr", lr), random_seed("seed", seed), flag("progress", progress)
    model = TinyTransformer(vocab, length, d_model, n_heads, n_layers, positions=positions, seed=seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed + 1)
    x_show, y_show = sequence_task(task, examples, length, vocab, seed=seed + 2)
    loss_fn = nn.CrossEntropyLoss()

    def step(_):
        x = torch.randint(0, vocab, (batch, length), generator=gen)
        y = _targets(task, x)
        logits, _ = model._forward(x)
        loss = loss_fn(logits.reshape(-1, vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": loss.item(), "accuracy": float((logits.argmax(-1) == y).float().mean())}

    @torch.no_grad()
    def record(_):
        logits, maps = model._forward(x_show)
        return maps.clone(), logits.argmax(-1)

    run = _train.steps(step, steps, record=record, every=every, seed=seed, progress=progress, desc=task)
    x_test, y_test = sequence_task(task, n_test, length, vocab, seed=seed + 3)
    token_acc, seq_acc = sequence_accuracy(model, x_test, y_test)
    return {
        "model": model,
        "loss": run["loss"],
        "accuracy": run["accuracy"],
        "steps": np.asarray(run["recorded_steps"]),
        "attention": torch.stack([m for m, _ in run["recorded"]]).numpy(),
        "predictions": torch.stack([p for _, p in run["recorded"]]).numpy(),
        "inputs": x_show.numpy(),
        "targets": y_show.numpy(),
        "token_accuracy": token_acc,
        "sequence_accuracy": seq_acc,
    }
