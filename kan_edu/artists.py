"""kan_edu.artists: figure pieces that are drawn once and then updated in place.

An interactive figure (``kan_edu.figures``) builds its artists once and moves them on every redraw, so each
redraw costs one ``set_data``, never a new plot. These are the pieces several chapters need:

- :func:`mosaic`: many small images (digits, filters, samples) tiled into ONE image. One ``imshow`` of a tiled
  array redraws about 2.6× faster than a grid of image subplots, and a slider can swap all tiles at once.
- :func:`heatmap`: a matrix (attention weights, a confusion matrix, a value table) with row and column labels
  and, if asked, each cell's number written on it in a colour that stays readable on the cell.
- :func:`density_image`: a 2-D density on a fixed grid, as an image. Contour plots cannot be updated in place;
  an image can, so a slider that changes a model redraws its density with one ``set_data``.
- :func:`live_title`: a title that a figure's update may change. Changing an axes' title redraws the whole
  figure; this is a text artist in the title's place, so only it is repainted.
- :func:`fixed_legend`: an axes' legend that is drawn once, with the figure's background. An axes legend is
  repainted with every frame of a figure (10-40 ms each, often the largest part of a redraw).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes

from ._validate import array, flag, instance, ordered, sequence, size

__all__ = ["Mosaic", "mosaic", "Heatmap", "heatmap", "DensityImage", "density_image", "live_title", "fixed_legend"]


def _axes(ax) -> Axes:
    return instance("ax", ax, Axes, "a matplotlib Axes")


def _numpy(name: str, values, ndim) -> np.ndarray:
    """numpy or torch values as a float64 array (NaN allowed: it shows as the colour map's "bad" colour)."""
    return array(name, values, ndim, empty=False, finite=False)


class Mosaic:
    """Images of one size tiled row by row into one array, shown by one ``imshow``. Use :func:`mosaic`."""

    def __init__(self, ax, images, ncols=None, pad: int = 1, **imshow_kw):
        self.ax = _axes(ax)
        tiles = self._tiles(images)
        n = tiles.shape[0]
        self.ncols = min(n, size("ncols", ncols, maximum=10**4)) if ncols is not None else math.ceil(math.sqrt(n))
        self.nrows = math.ceil(n / self.ncols)
        self.pad = size("pad", pad, minimum=0, maximum=1000)
        self.tile_shape = tiles.shape[1:]
        self._fixed_limits = "vmin" in imshow_kw or "vmax" in imshow_kw or "norm" in imshow_kw
        imshow_kw.setdefault("cmap", "gray")
        imshow_kw.setdefault("interpolation", "nearest")
        self.image = self.ax.imshow(self._tile(tiles), **imshow_kw)
        self.ax.set_axis_off()
        self._rescale(tiles)

    def _tiles(self, images) -> np.ndarray:
        tiles = _numpy("images", images, (3, 4))
        if tiles.ndim == 4 and tiles.shape[-1] not in (3, 4):
            raise ValueError(
                f"images must be (N, H, W) grey or (N, H, W, 3 or 4) colour images, got shape {tiles.shape}"
            )
        return tiles

    def _tile(self, tiles: np.ndarray) -> np.ndarray:
        h, w = tiles.shape[1:3]
        p = self.pad
        shape = (self.nrows * (h + p) - p, self.ncols * (w + p) - p) + tiles.shape[3:]
        grey = tiles.ndim == 3
        canvas = np.full(shape, np.nan if grey else 1.0)  # gaps: the colour map's "bad" colour, or white
        for k, tile in enumerate(tiles):
            r, c = divmod(k, self.ncols)
            canvas[r * (h + p) : r * (h + p) + h, c * (w + p) : c * (w + p) + w] = tile
        return canvas if grey else np.clip(canvas, 0.0, 1.0)

    def _rescale(self, tiles: np.ndarray) -> None:
        if not self._fixed_limits and tiles.ndim == 3 and np.isfinite(tiles).any():
            lo, hi = float(np.nanmin(tiles)), float(np.nanmax(tiles))
            self.image.set_clim(lo, hi if hi > lo else lo + 1.0)

    def set_images(self, images) -> None:
        """Show ``images`` (the same number and size as before, or fewer: the rest of the grid goes blank)."""
        tiles = self._tiles(images)
        if tiles.shape[1:] != self.tile_shape or tiles.shape[0] > self.nrows * self.ncols:
            raise ValueError(
                f"images must be at most {self.nrows * self.ncols} images of shape {self.tile_shape} "
                f"(the mosaic's grid), got shape {tiles.shape}"
            )
        self.image.set_data(self._tile(tiles))
        self._rescale(tiles)

    def tile_center(self, k: int) -> tuple[float, float]:
        """The data coordinates (x, y) of the centre of tile ``k``, to put a label or marker on it."""
        k = size("k", k, minimum=0, maximum=self.nrows * self.ncols - 1)
        h, w = self.tile_shape[:2]
        r, c = divmod(k, self.ncols)
        return c * (w + self.pad) + (w - 1) / 2, r * (h + self.pad) + (h - 1) / 2


def mosaic(ax, images, ncols=None, pad: int = 1, **imshow_kw) -> Mosaic:
    """Tile ``images`` (N, H, W) or (N, H, W, 3|4), numpy or torch, into one ``imshow`` on ``ax``.

    ``ncols`` tiles per row (default: about square), ``pad`` blank pixels between tiles. Grey images use
    ``cmap="gray"`` scaled to the images' range unless ``vmin``/``vmax`` are given; colour images are clipped to
    [0, 1]. Returns a :class:`Mosaic`; its ``set_images(images)`` swaps every tile in place.
    """
    return Mosaic(ax, images, ncols=ncols, pad=pad, **imshow_kw)


class Heatmap:
    """A labelled matrix image with optional numbers on the cells. Use :func:`heatmap`."""

    def __init__(self, ax, matrix, row_labels=None, col_labels=None, annotate=False, fmt="{:.2f}", **imshow_kw):
        self.ax = _axes(ax)
        annotate = flag("annotate", annotate)
        instance("fmt", fmt, str, "a format string such as '{:.2f}'")
        try:
            fmt.format(0.5)
        except (ValueError, IndexError, KeyError) as err:
            raise ValueError(f"fmt must format one number, such as '{{:.2f}}', got {fmt!r}: {err}") from None
        self.annotate, self.fmt = bool(annotate), fmt
        m = _numpy("matrix", matrix, 2)
        self._fixed_limits = "vmin" in imshow_kw or "vmax" in imshow_kw or "norm" in imshow_kw
        imshow_kw.setdefault("cmap", "viridis")
        imshow_kw.setdefault("interpolation", "nearest")
        imshow_kw.setdefault("aspect", "auto")
        imshow_kw.setdefault("zorder", 1)  # above the axes' grid and ticks, so figures.py can blit redraws
        self.image = self.ax.imshow(m, **imshow_kw)
        self.texts: list = []
        self.shape = None
        self._layout(m.shape)
        self.set_labels(row_labels, col_labels)
        self.set_data(m)

    def _layout(self, shape) -> None:
        if shape == self.shape:
            return
        self.shape = shape
        rows, cols = shape
        self.image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        self.ax.set_xlim(-0.5, cols - 0.5)
        self.ax.set_ylim(rows - 0.5, -0.5)
        for t in self.texts:
            t.remove()
        self.texts = []
        if self.annotate:
            self.texts = [
                self.ax.text(j, i, "", ha="center", va="center", fontsize="small")
                for i in range(rows)
                for j in range(cols)
            ]

    def set_labels(self, row_labels=None, col_labels=None) -> None:
        """Label the rows and columns (a list of strings each, or None for plain indices)."""
        rows, cols = self.shape
        for name, labels, n, set_ticks, set_labels in (
            ("row_labels", row_labels, rows, self.ax.set_yticks, self.ax.set_yticklabels),
            ("col_labels", col_labels, cols, self.ax.set_xticks, self.ax.set_xticklabels),
        ):
            if labels is None:
                continue
            labels = sequence(name, labels, what=f"labels, one per {name[:3]}")
            if len(labels) != n:
                raise ValueError(f"{name} must be a list of {n} labels, one per {name[:3]}, got {len(labels)}")
            set_ticks(range(n))
            set_labels([str(v) for v in labels])

    def set_data(self, matrix) -> None:
        """Show ``matrix``; a new shape re-lays out the cells (give new labels with :meth:`set_labels`)."""
        m = _numpy("matrix", matrix, 2)
        self._layout(m.shape)
        self.image.set_data(m)
        if not self._fixed_limits and np.isfinite(m).any():
            lo, hi = float(np.nanmin(m)), float(np.nanmax(m))
            self.image.set_clim(lo, hi if hi > lo else lo + 1.0)
        if self.annotate:
            colours = self.image.cmap(self.image.norm(m))
            luminance = colours[..., :3] @ np.array([0.299, 0.587, 0.114])
            for text, value, lum in zip(self.texts, m.reshape(-1), luminance.reshape(-1)):
                text.set_text("" if not np.isfinite(value) else self.fmt.format(value))
                text.set_color("black" if lum > 0.5 else "white")


def heatmap(ax, matrix, row_labels=None, col_labels=None, annotate=False, fmt="{:.2f}", **imshow_kw) -> Heatmap:
    """Show ``matrix`` (2-D, numpy or torch) on ``ax`` with row and column labels.

    ``annotate=True`` writes each cell's value (``fmt``) in black or white, whichever reads on that cell. The
    colour scale follows the data unless ``vmin``/``vmax`` are given (fix them when the reader compares frames).
    Returns a :class:`Heatmap`; ``set_data(matrix)`` and ``set_labels(rows, cols)`` update it in place.
    """
    return Heatmap(ax, matrix, row_labels, col_labels, annotate, fmt, **imshow_kw)


class DensityImage:
    """A density on an n x n grid over ``extent``, shown as one image. Use :func:`density_image`."""

    def __init__(self, ax, extent, n: int = 100, **imshow_kw):
        self.ax = _axes(ax)
        extent = sequence("extent", extent, what="numbers (xmin, xmax, ymin, ymax)")
        if len(extent) != 4:
            raise ValueError(f"extent must be (xmin, xmax, ymin, ymax), got {len(extent)} numbers")
        xmin, xmax = ordered("extent[0]", extent[0], "extent[1]", extent[1])
        ymin, ymax = ordered("extent[2]", extent[2], "extent[3]", extent[3])
        self.extent = (xmin, xmax, ymin, ymax)
        self.n = size("n", n, minimum=2, maximum=2000)
        xs, ys = np.linspace(xmin, xmax, self.n), np.linspace(ymin, ymax, self.n)
        gx, gy = np.meshgrid(xs, ys)
        #: The grid points (n*n, 2), row by row from ymin up: evaluate a density here and pass it to set_density.
        self.points = np.stack([gx.ravel(), gy.ravel()], 1)
        self._fixed_limits = "vmin" in imshow_kw or "vmax" in imshow_kw or "norm" in imshow_kw
        imshow_kw.setdefault("cmap", "magma")
        imshow_kw.setdefault("interpolation", "bilinear")
        imshow_kw.setdefault("aspect", "auto")
        imshow_kw.setdefault("zorder", 1)  # above the axes' grid and ticks, so figures.py can blit redraws
        self.image = self.ax.imshow(np.zeros((self.n, self.n)), origin="lower", extent=self.extent, **imshow_kw)

    def set_density(self, values) -> None:
        """Show ``values`` (n*n numbers in the order of :attr:`points`, or an (n, n) array, rows = y); the colour
        scale runs from 0 to the largest value unless vmin/vmax were fixed."""
        d = _numpy("values", values, (1, 2))
        if d.size != self.n * self.n:
            raise ValueError(f"values must hold one number per grid point ({self.n * self.n}), got shape {d.shape}")
        d = d.reshape(self.n, self.n)
        self.image.set_data(d)
        if not self._fixed_limits and np.isfinite(d).any():
            hi = float(np.nanmax(d))
            self.image.set_clim(0.0, hi if hi > 0 else 1.0)


def density_image(ax, extent, n: int = 100, **imshow_kw) -> DensityImage:
    """An image of a 2-D density over ``extent = (xmin, xmax, ymin, ymax)`` on an ``n`` x ``n`` grid.

    Evaluate your density at ``image.points`` ((n*n, 2), numpy) and call ``image.set_density(values)``; call it
    again to update the image in place. Returns a :class:`DensityImage`.
    """
    return DensityImage(ax, extent, n, **imshow_kw)


def fixed_legend(ax, handles=None, **legend_kw):
    """A legend for ``ax`` that the figure draws once, with its background, instead of at every redraw.

    It is a figure legend anchored to ``ax`` (``loc`` and the other keywords of ``Axes.legend`` mean what they
    mean there), so it looks the same as ``ax.legend(...)``, pixel for pixel, wherever no data passes under it
    (where data do pass, a redraw paints them over the legend). ``handles`` defaults to the axes' labelled
    artists. Use it for a legend whose entries stay the same while a figure's controls move.
    """
    ax = _axes(ax)
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        from matplotlib.artist import Artist

        handles = [
            instance(f"handles[{i}]", h, Artist, "a matplotlib artist")
            for i, h in enumerate(sequence("handles", handles, 1, "matplotlib artists"))
        ]
        labels = [h.get_label() for h in handles]
    if not handles:
        raise ValueError("the legend needs labelled artists: pass handles, or give the axes' artists a label")
    legend_kw.setdefault("bbox_to_anchor", (0, 0, 1, 1))
    legend_kw.setdefault("bbox_transform", ax.transAxes)
    return ax.figure.legend(handles, labels, **legend_kw)


def live_title(ax, text: str = "", **text_kw):
    """A text artist where ``ax``'s title goes, in the title's font: set its text in a figure's update.

    A handle to change with ``.set_text`` in an update, instead of calling ``ax.set_title`` each time; the
    redraw repaints it with the data (kan_edu.figures._Blitter). ``text_kw`` (``fontsize``, ``color``...) go to
    the text. Returns the text artist.
    """
    import matplotlib

    ax = _axes(ax)
    instance("text", text, str, "a string")
    text_kw = {"fontsize": matplotlib.rcParams["axes.titlesize"], **text_kw}
    return ax.annotate(text, (0.5, 1), xycoords="axes fraction", xytext=(0, matplotlib.rcParams["axes.titlepad"]),
                       textcoords="offset points", ha="center", va="baseline", **text_kw)  # fmt: skip
