"""kan_edu.kan.pruning: which edges matter, and a smaller network without the others.

An edge's score |φ_ij|₁ is its mean absolute activation over samples; its attribution scales that by the spread
of the node it feeds and by that node's own importance, working back from the outputs. :meth:`prune` removes
hidden nodes by the paper's rule and masks edges whose attribution is small.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import torch
from torch import nn

from .._validate import non_negative

if TYPE_CHECKING:  # the network imports this mixin; the annotation only names it
    from .network import KAN

__all__ = ["PruningMixin"]


class PruningMixin:
    """Pruning methods of :class:`KAN`."""

    @torch.no_grad()
    def attribution_scores(self, x: torch.Tensor | None = None) -> list[torch.Tensor]:
        """How much each edge matters for the output: a list of (in, out) per layer.

        Working back from the outputs (importance 1 each), an edge's attribution is its score |φ_ij|₁ as a
        share of the spread (standard deviation over ``x``) of the node it feeds, times that node's importance;
        a node's importance is the sum of the attributions of its outgoing edges. A small edge into a quiet but
        important node thus counts for much, which the raw score |φ_ij|₁ misses.
        """
        x = self._samples(x)
        return self._attribution(self._edge_scores(x), x)

    def _attribution(self, scores: list[torch.Tensor], x: torch.Tensor) -> list[torch.Tensor]:
        """:meth:`attribution_scores` from edge scores already measured on ``x``."""
        spreads = [v.std(dim=0).clamp_min(1e-12) for v in self._levels(x)[1]]
        importance = torch.ones(self.n_out, dtype=scores[-1].dtype, device=scores[-1].device)
        out = []
        for l in reversed(range(len(self.layers))):
            m = self.mult[l + 1]  # both factors of a product node matter as much as the node
            s = importance.numel() - m
            sub = torch.cat([importance[:s], importance[s:].repeat_interleave(2)])
            edge = scores[l] / spreads[l] * sub
            out.append(edge)
            importance = edge.sum(dim=1)
        return out[::-1]

    @torch.no_grad()
    def input_scores(self, x: torch.Tensor | None = None) -> torch.Tensor:
        """How much each input matters for the outputs: the sum of the attributions of its edges (see
        :meth:`attribution_scores`), shape (n_in,). Scale-free: an input's units do not change it."""
        return self.attribution_scores(x)[0].sum(dim=1)

    def prune_input(self, threshold: float = 1e-2, x: torch.Tensor | None = None) -> KAN:
        """A KAN without the inputs whose :meth:`input_scores` are below ``threshold`` (the strongest input is
        always kept). The new network's ``input_ids`` say which original inputs it reads, and it expects
        only those columns."""
        threshold = non_negative("threshold", threshold)
        scores = self.input_scores(x)
        keep = (scores >= threshold).nonzero().flatten()
        if keep.numel() == 0:
            keep = torch.argmax(scores).reshape(1)
        new = copy.deepcopy(self)
        _select(new.layers[0], rows=keep, cols=torch.arange(new.layers[0].out_dim))
        new.input_ids = [self.input_ids[i] for i in keep.tolist()]
        if new.samples is not None:
            new.samples = new.samples[:, keep]
        return new

    def prune(self, node_th: float = 1e-2, edge_th: float = 3e-2, x: torch.Tensor | None = None) -> KAN:
        """A smaller KAN: hidden nodes whose largest incoming AND largest outgoing edge score |φ_ij|₁ exceed
        ``node_th`` are kept, the others removed (the paper's rule); then edges whose attribution
        (:meth:`attribution_scores`) is below ``edge_th`` are masked out. Scores are measured on ``x``
        (default: the last training inputs). Product nodes are kept (only their edges are masked)."""
        node_th, edge_th, x = non_negative("node_th", node_th), non_negative("edge_th", edge_th), self._samples(x)
        scores = [s.detach() for s in self._edge_scores(x)]
        with torch.no_grad():
            attribution = self._attribution(scores, x)
        nodes = [torch.arange(self.n_in)]  # kept nodes per level
        subnodes = []  # kept outputs of each layer
        for l in range(1, len(self.layers)):
            m = self.mult[l]
            n_sum = self.layers[l].in_dim - m
            incoming = scores[l - 1].max(dim=0).values[:n_sum]
            outgoing = scores[l].max(dim=1).values[:n_sum]
            alive = ((incoming > node_th) & (outgoing > node_th)).nonzero().flatten()
            if alive.numel() == 0 and m == 0:  # keep the strongest node rather than disconnect the network
                alive = torch.argmax(incoming * outgoing).reshape(1)
            products = torch.arange(n_sum, n_sum + m)
            nodes.append(torch.cat([alive, products]))
            subnodes.append(torch.cat([alive, n_sum + torch.arange(2 * m)]))
        subnodes.append(torch.arange(self.n_out))
        new = copy.deepcopy(self)
        for l, layer in enumerate(new.layers):
            rows, cols = nodes[l], subnodes[l]
            small = attribution[l][rows][:, cols] < edge_th
            _select(layer, rows, cols)
            layer.mask[small] = 0.0
        return new


def _select(layer, rows: torch.Tensor, cols: torch.Tensor):
    """Keep the inputs ``rows`` and outputs ``cols`` of ``layer`` (in place)."""
    layer.in_dim, layer.out_dim = len(rows), len(cols)
    layer.knots = layer.knots[rows].clone()
    for name in ("coef", "scale_base", "scale_spline", "sym_params"):
        setattr(layer, name, nn.Parameter(getattr(layer, name)[rows][:, cols].clone()))
    layer.mask = layer.mask[rows][:, cols].clone()
    layer.sym_mask = layer.sym_mask[rows][:, cols].clone()
    layer.sym_names = [[layer.sym_names[i][j] for j in cols.tolist()] for i in rows.tolist()]
