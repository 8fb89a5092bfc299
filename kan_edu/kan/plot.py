"""kan_edu.kan.plot: a KAN drawn as a network, each edge's learned curve on the edge."""

from __future__ import annotations

import numpy as np
import torch

from .._validate import flag, instance, number, strings

__all__ = ["PlotMixin"]

#: The largest ``scale`` of :meth:`PlotMixin.plot` (a figure some metres wide is a typo).
MAX_SCALE = 10.0


class PlotMixin:
    """The :meth:`plot` method of :class:`KAN`."""

    def plot(
        self,
        x: torch.Tensor | None = None,
        scale: float = 1.0,
        title: str | None = None,
        in_vars: list[str] | None = None,
        out_vars: list[str] | None = None,
        formulas: bool = True,
    ):
        """The network as a matplotlib Figure: nodes in rows, each edge's learned curve drawn on the edge,
        its opacity set by its score |φ_ij|₁ (relative to the strongest edge of its layer, never below 0.15, so
        weak edges stay visible on any page). ``in_vars`` and ``out_vars`` label the inputs and outputs
        (strings, TeX between $ signs allowed; by default x₁, x₂, ... and y or y₁, y₂, ...); with ``formulas``
        a fixed edge shows its formula c·f(a·x+b)+d. Product nodes are drawn as × between their two factors.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        in_vars = (
            [f"$x_{{{i + 1}}}$" for i in self.input_ids] if in_vars is None else strings("in_vars", in_vars, self.n_in)
        )
        out_vars = (
            (["$y$"] if self.n_out == 1 else [f"$y_{{{j + 1}}}$" for j in range(self.n_out)])
            if out_vars is None
            else strings("out_vars", out_vars, self.n_out)
        )
        scale, formulas = number("scale", scale, 0, MAX_SCALE, low_open=True), flag("formulas", formulas)
        title = None if title is None else instance("title", title, str, "a string")
        h = self._samples(x).to(self.layers[0].coef.dtype)
        # positions: layer l's outputs ("subnodes") at level l+1; a product node sits between its two factors
        subnodes = [self.n_in] + [layer.out_dim for layer in self.layers]
        span = max(subnodes)
        n_levels = len(subnodes)
        fig = Figure(figsize=(scale * max(3.0, 1.3 * span), scale * 2.2 * (n_levels - 1) + 0.9))
        FigureCanvasAgg(fig)  # so that the figure can be drawn and saved without pyplot
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(-0.6, span - 0.4)
        ax.set_ylim(-0.6, 2.2 * (n_levels - 1) + 0.6)
        ax.axis("off")

        def sub_pos(level, j):
            return j + (span - subnodes[level]) / 2, 2.2 * level

        def node_pos(level, i):
            m = self.mult[level]
            n_sum = subnodes[level] - 2 * m
            if i < n_sum:
                return sub_pos(level, i)
            q = i - n_sum
            (x0, y0), (x1, _) = sub_pos(level, n_sum + 2 * q), sub_pos(level, n_sum + 2 * q + 1)
            return (x0 + x1) / 2, y0 + 0.35

        def inset_places(l, layer):
            """Where each edge's curve goes, and one width for the layer's curves: at the edge's middle, the
            width keeping neighbouring middles apart (at most 0.6, at least 0.3); where edges cross at their
            middles, the later curves move along their edges, above and below, by more than a width."""
            ends = {
                (i, j): (node_pos(l, i), sub_pos(l + 1, j)) for i in range(layer.in_dim) for j in range(layer.out_dim)
            }
            middles = sorted({round((a[0] + b[0]) / 2, 6) for a, b in ends.values()})
            gap = min((b - a for a, b in zip(middles, middles[1:])), default=0.6)
            width = float(np.clip(0.9 * gap, 0.3, 0.6))
            places, seen = {}, {}
            for (i, j), ((x0, y0), (x1, y1)) in ends.items():
                key = round((x0 + x1) / 2, 6)
                k = seen.get(key, 0)
                seen[key] = k + 1
                t = 0.5 + ((k + 1) // 2) * (1 if k % 2 else -1) * 1.1 * width / max(abs(y1 - y0), 1e-9)
                places[i, j] = (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            return places, width

        with torch.no_grad():
            for l, layer in enumerate(self.layers):
                acts = layer._edge_activations(h)
                scores = acts.abs().mean(0)
                top = float(scores.max()) or 1.0
                places, width = inset_places(l, layer)
                for i in range(layer.in_dim):
                    order = torch.argsort(h[:, i])
                    xi, curves = h[order, i].numpy(), acts[order, i, :].numpy()
                    for j in range(layer.out_dim):
                        # an edge's ink follows its score, but even the weakest stays visible (0.15)
                        alpha = float(np.clip(float(scores[i, j]) / top, 0.15, 1.0)) * float(layer.mask[i, j])
                        (x0, y0), (x1, y1) = node_pos(l, i), sub_pos(l + 1, j)
                        ax.plot([x0, x1], [y0, y1], color="0.3", lw=0.9, alpha=alpha)
                        cx, cy = places[i, j]
                        box = [cx - width / 2, cy - width / 2, width, width]
                        inset = ax.inset_axes(box, transform=ax.transData)
                        symbolic = bool(layer.sym_mask[i, j])
                        color = "#D55E00" if symbolic else "#0072B2"
                        inset.plot(xi, curves[:, j], color=color, lw=1.2, alpha=alpha)
                        inset.set_xticks([])
                        inset.set_yticks([])
                        for spine in inset.spines.values():
                            spine.set_alpha(alpha)
                        if symbolic and layer.mask[i, j]:
                            inset.set_title(
                                self._edge_label(layer, i, j) if formulas else layer.sym_names[i][j], fontsize=6, pad=1
                            )
                h = self._nodes(l, layer._forward(h))
        for level in range(n_levels):
            m = self.mult[level]
            for j in range(subnodes[level]):
                x0, y0 = sub_pos(level, j)
                ax.scatter([x0], [y0], s=40, color="k", zorder=3)
            for q in range(m):
                n_sum = subnodes[level] - 2 * m
                (x0, y0), (x1, _) = sub_pos(level, n_sum + 2 * q), sub_pos(level, n_sum + 2 * q + 1)
                xm, ym = node_pos(level, n_sum + q)
                ax.plot([x0, xm, x1], [y0, ym, y0], color="k", lw=0.8)
                ax.text(
                    xm,
                    ym,
                    "×",
                    ha="center",
                    va="center",
                    fontsize=11,
                    zorder=4,
                    bbox=dict(boxstyle="circle,pad=0.1", fc="white", ec="k", lw=0.8),
                )
        for i, label in enumerate(in_vars):
            x0, y0 = node_pos(0, i)
            ax.text(x0, y0 - 0.3, label, ha="center", va="top", fontsize=10)
        for j, label in enumerate(out_vars):
            x0, y0 = sub_pos(n_levels - 1, j)
            ax.text(x0, y0 + 0.3, label, ha="center", va="bottom", fontsize=10)
        if title:
            ax.set_title(title)
        return fig

    @staticmethod
    def _edge_label(layer, i, j) -> str:
        """A fixed edge's formula, short: c·f(a·x+b)+d with two decimals."""
        a, b, c, d = layer.sym_params[i, j].tolist()
        name = layer.sym_names[i][j]
        inner = f"{a:.2f}x{b:+.2f}"
        return f"{c:.2f}·{name}({inner}){d:+.2f}"
