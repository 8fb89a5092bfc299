"""kan_edu.kan.pruning: which edges matter, and a smaller network without the others.

An edge's score |φ_ij|₁ is its mean absolute activation over samples; its attribution scales that by the spread
of the node it feeds and by that node's own importance, working back from the outputs. :meth:`prune` removes
hidden nodes by the paper's rule and masks edges whose attribution is small.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

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
        return self._attribution(self.edge_scores(x), x)

    def _attribution(self, scores: list[torch.Tensor], x: torch.Tensor) -> list[torch.Tensor]:
        """:meth:`attribution_scores` from edge scores already measured on ``x``."""
        spreads = [v.std(dim=0).clamp_min(1e-12) for v in self.layer_inputs(x)[1:]]
        importance = torch.ones(self.width[-1], dtype=scores[-1].dtype, device=scores[-1].device)
        out = []
        for score, spread in zip(reversed(scores), reversed(spreads)):
            edge = score / spread * importance
            out.append(edge)
            importance = edge.sum(dim=1)
        return out[::-1]

    def prune(self, node_th: float = 1e-2, edge_th: float = 3e-2, x: torch.Tensor | None = None) -> "KAN":
        """A smaller KAN: hidden nodes whose largest incoming AND largest outgoing edge score |φ_ij|₁ exceed
        ``node_th`` are kept, the others removed (the paper's rule); then edges whose attribution
        (:meth:`attribution_scores`) is below ``edge_th`` are masked out. Scores are measured on ``x``
        (default: the last training inputs)."""
        scores = [s.detach() for s in self.edge_scores(x)]
        with torch.no_grad():
            attribution = self._attribution(scores, self._samples(x))
        keep = [torch.arange(self.width[0])]
        for l in range(1, len(self.width) - 1):
            incoming = scores[l - 1].max(dim=0).values
            outgoing = scores[l].max(dim=1).values
            alive = ((incoming > node_th) & (outgoing > node_th)).nonzero().flatten()
            if alive.numel() == 0:  # keep the strongest node rather than disconnect the network
                alive = torch.argmax(incoming * outgoing).reshape(1)
            keep.append(alive)
        keep.append(torch.arange(self.width[-1]))
        new = copy.deepcopy(self)
        for l, layer in enumerate(new.layers):
            rows, cols = keep[l], keep[l + 1]
            layer.in_dim, layer.out_dim = len(rows), len(cols)
            layer.knots = layer.knots[rows].clone()
            for name in ("coef", "scale_base", "scale_spline", "sym_params"):
                setattr(layer, name, nn.Parameter(getattr(layer, name)[rows][:, cols].clone()))
            layer.mask = layer.mask[rows][:, cols].clone()
            layer.sym_mask = layer.sym_mask[rows][:, cols].clone()
            layer.sym_names = [[layer.sym_names[i][j] for j in cols.tolist()] for i in rows.tolist()]
            small = attribution[l][rows][:, cols] < edge_th
            layer.mask[small] = 0.0
        return new
