"""kan_edu.kan.plot: a KAN drawn as a network, each edge's learned curve on the edge."""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["PlotMixin"]


class PlotMixin:
    """The :meth:`plot` method of :class:`KAN`."""

    def plot(self, x: torch.Tensor | None = None, scale: float = 1.0, title: str | None = None):
        """The network as a matplotlib Figure: nodes in rows, each edge's learned curve drawn on the edge,
        its opacity set by its score |φ_ij|₁ (relative to the strongest edge of its layer)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        width = self.width
        n_layers = len(width)
        fig = Figure(figsize=(scale * max(3.0, 1.3 * max(width)), scale * 2.2 * (n_layers - 1) + 0.6))
        FigureCanvasAgg(fig)  # so that the figure can be drawn and saved without pyplot
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(-0.6, max(width) - 0.4)
        ax.set_ylim(-0.4, 2.2 * (n_layers - 1) + 0.4)
        ax.axis("off")

        def pos(l, i):
            return i + (max(width) - width[l]) / 2, 2.2 * l

        h = self._samples(x).to(self.layers[0].coef.dtype)
        with torch.no_grad():
            for l, layer in enumerate(self.layers):
                acts = layer.edge_activations(h)
                scores = acts.abs().mean(0)
                top = float(scores.max()) or 1.0
                for i in range(layer.in_dim):
                    order = torch.argsort(h[:, i])
                    xi, curves = h[order, i].numpy(), acts[order, i, :].numpy()
                    for j in range(layer.out_dim):
                        alpha = float(np.clip(float(scores[i, j]) / top, 0.05, 1.0)) * float(layer.mask[i, j])
                        (x0, y0), (x1, y1) = pos(l, i), pos(l + 1, j)
                        ax.plot([x0, x1], [y0, y1], color="0.6", lw=0.8, alpha=alpha)
                        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                        inset = ax.inset_axes([cx - 0.3, cy - 0.3, 0.6, 0.6], transform=ax.transData)
                        color = "#D55E00" if layer.sym_mask[i, j] else "#0072B2"
                        inset.plot(xi, curves[:, j], color=color, lw=1.2, alpha=max(alpha, 0.05))
                        inset.set_xticks([])
                        inset.set_yticks([])
                        for spine in inset.spines.values():
                            spine.set_alpha(alpha)
                        if layer.sym_mask[i, j]:
                            inset.set_title(layer.sym_names[i][j], fontsize=7, pad=1)
                h = layer(h)
        for l, n in enumerate(width):
            for i in range(n):
                x0, y0 = pos(l, i)
                ax.scatter([x0], [y0], s=40, color="k", zorder=3)
        if title:
            ax.set_title(title)
        return fig
