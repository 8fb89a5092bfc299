"""kan_edu.figures: one interactive-figure spec, three runtimes.

A chapter describes an interactive figure once:

* a *build* function ``build(fig) -> update``: it receives an empty ``matplotlib.figure.Figure``, creates
  the axes and artists once, and returns ``update(**values)``, which moves those artists in place for one
  setting of the controls (no new figures, no ``plt.show``);
* its *controls*: :class:`Slider` (a number with range, step and default) and :class:`Choice` (a few options).

``show(build, *controls)`` then renders it in whichever runtime it runs in:

``live``
    a Jupyter kernel with a frontend (JupyterLab, Colab with ipywidgets 7.7, Binder): core ipywidgets
    controls drive ``update`` and the figure is re-encoded as a PNG into one ``ipywidgets.Image``, so nothing
    flickers or piles up below the cell.
``static``
    the book build (``KAN_EDU_FIGURES=static``, set by ``make book``): the figure is precomputed over a
    bounded grid of control values and embedded as a self-contained HTML/JS frame player (PNG frames and
    native range inputs; no kernel, no CDN). A size budget per figure is enforced.
``headless``
    plain Python or tests (``KAN_EDU_FIGURES=headless``): the figure is drawn at its defaults and at the
    corners of its grid, with no frontend, and the default frame is shown as a plain image.

The runtime comes from the environment variable ``KAN_EDU_FIGURES`` when it is set, otherwise ``live``
inside an IPython kernel and ``headless`` elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._validate import choice as one_of
from ._validate import flag, function, number, size, strings

__all__ = ["Slider", "Choice", "InteractiveFigure", "show", "show_pictures", "runtime", "STYLE", "COLORS"]

#: The book's palette (colour-blind safe, Okabe-Ito order), used by every chapter.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

#: Shared matplotlib style, applied while a figure is built and drawn.
STYLE = {
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,  # the grid under the data (and redraws can keep it in the background, see _Blitter)
    "grid.alpha": 0.25,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 2.0,
    "axes.prop_cycle": __import__("cycler").cycler(color=COLORS),
}

RUNTIMES = ("live", "static", "headless")

#: How figures are sized in the book. A figure ``figsize[0]`` inches wide is shown ``PX_PER_INCH`` CSS pixels
#: per inch (10-point text reads at 13 px, like a caption), but never wider than the book's text column
#: (``COLUMN_PX``: measured in the book theme, 621 px at a 1200-px window, 685 at 1280, 754 at 1366, 787 from
#: 1440; the narrowest desktop column, from 1200 px up, where the sidebar shows). A wider figure would shrink there, so its
#: fonts are scaled up to keep the smallest standard text (the 9-point legend) at ``MIN_TEXT_PX`` or more.
#: Frames are drawn with twice the shown pixels, sharp on a 2x screen. On a phone the image keeps a minimum
#: width (text stays >= ``MIN_PHONE_TEXT_PX``) and scrolls sideways instead of shrinking.
PX_PER_INCH, COLUMN_PX, MIN_TEXT_PX, MIN_PHONE_TEXT_PX = 96, 620, 11, 9
SMALLEST_STYLE_PT = 9  # legend.fontsize in STYLE


def display_width(figsize) -> int:
    """The CSS width (px) at which the book shows a figure of ``figsize`` inches."""
    return int(round(min(PX_PER_INCH * float(figsize[0]), COLUMN_PX)))


def font_scale(figsize) -> float:
    """How much a figure's fonts grow so that its smallest text stays >= MIN_TEXT_PX where the book shows it."""
    px_per_inch = display_width(figsize) / float(figsize[0])
    return max(1.0, MIN_TEXT_PX * 72 / (SMALLEST_STYLE_PT * px_per_inch))


def style_for(figsize) -> dict:
    """:data:`STYLE` with its font sizes scaled by :func:`font_scale` for a figure of ``figsize``."""
    k = font_scale(figsize)
    return {
        key: (value * k if key.endswith("size") and isinstance(value, (int, float)) else value)
        for key, value in STYLE.items()
    }


def runtime() -> str:
    """Which runtime ``show`` renders for: ``KAN_EDU_FIGURES`` if set, else live in a kernel, else headless."""
    forced = os.environ.get("KAN_EDU_FIGURES", "").strip().lower()
    if forced:
        return one_of("KAN_EDU_FIGURES", forced, RUNTIMES)
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        return "live"
    return "headless"


# ----------------------------------------------------------------------------------------------- controls
#: A slider has at most this many positions (its static player thins them to ``frames`` anyway).
MAX_STEPS = 100_000
MAX_DPI = 1200  # a frame's resolution: beyond this a PNG is only memory


def _identifier(name: str, value) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ValueError(f"{name} must be a Python identifier, got {value!r}")
    return value


@dataclass(frozen=True)
class Slider:
    """A numeric control: values from ``min`` to ``max`` in steps of ``step``, starting at ``default``.

    ``frames`` caps how many values the static book player precomputes for this slider (the default value
    is always one of them). ``integer=True`` makes an integer slider.
    """

    name: str
    min: float
    max: float
    step: float
    default: float
    label: str | None = None
    frames: int | None = None
    integer: bool = False
    fmt: str | None = None

    def __post_init__(self):
        _identifier("Slider name", self.name)
        who = f"Slider {self.name!r}:"
        lo, hi = number(f"{who} min", self.min), number(f"{who} max (above min)", self.max, low=self.min, low_open=True)
        step = number(f"{who} step (at most max - min)", self.step, low=0, high=hi - lo, low_open=True)
        number(f"{who} default", self.default, low=lo, high=hi)
        if (hi - lo) / step > MAX_STEPS:
            raise ValueError(f"{who} step must leave at most {MAX_STEPS} steps from min to max, got {self.step!r}")
        if self.frames is not None:
            size(f"{who} frames", self.frames, minimum=2)

    @property
    def text(self) -> str:
        return self.label or self.name

    def format(self, value) -> str:
        """``value`` as the slider's label shows it."""
        number("value", value)  # (checked, not converted: an integer slider's fmt may be "d")
        if self.fmt:
            return format(value, self.fmt)
        if self.integer:
            return str(int(round(value)))
        return f"{value:.{self.decimals}f}"

    @property
    def decimals(self) -> int:
        """Decimals that show every value of the grid exactly: 2 for a step of 0.25, 3 for 0.125 (at most 6)."""

        def exact(v, d):
            return abs(v * 10**d - round(v * 10**d)) < 1e-6

        return next((d for d in range(7) if exact(self.step, d) and exact(self.min, d)), 6)

    def _cast(self, value):
        return int(round(value)) if self.integer else float(value)

    def grid(self, count: int | None = None) -> list:
        """Values the static player precomputes: at most ``count`` (or ``frames``) of the slider's steps, evenly
        spaced and through the default, so that every move of the static slider changes the value by the same
        amount. The ends are kept when the spacing allows it."""
        count = None if count is None else size("count", count)
        n_steps = int(round((self.max - self.min) / self.step)) + 1
        full = self.min + self.step * np.arange(n_steps)
        full = full[full <= self.max + 1e-9 * self.step]
        count = min(count or self.frames or len(full), self.frames or len(full), len(full))
        default = float(self.default)
        at = int(np.argmin(np.abs(full - default)))  # the default's step (or the nearest one)
        stride = 1 if count >= len(full) else max(1, math.ceil((len(full) - 1) / max(1, count - 1)))
        values = [float(v) for v in full[at % stride :: stride]]
        values[(at - at % stride) // stride] = default  # the player opens on the true default
        return [self._cast(round(v, 12)) for v in values]


@dataclass(frozen=True)
class Choice:
    """A control with a few named options (a dropdown live, a select box in the static player)."""

    name: str
    options: Sequence[Any]
    default: Any = None
    label: str | None = None

    def __post_init__(self):
        _identifier("Choice name", self.name)
        if isinstance(self.options, (str, bytes, dict)) or not isinstance(self.options, Sequence) or not self.options:
            raise ValueError(f"Choice {self.name!r}: options must be a non-empty list, got {self.options!r:.60}")
        object.__setattr__(self, "options", tuple(self.options))
        if self.default is None:
            object.__setattr__(self, "default", self.options[0])
        else:
            one_of(f"Choice {self.name!r}: default", self.default, self.options)

    @property
    def text(self) -> str:
        return self.label or self.name

    def format(self, value) -> str:
        return str(value)

    def grid(self, count: int | None = None) -> list:
        """Every option (``count`` is for sliders: a few options are never thinned)."""
        if count is not None:
            size("count", count)
        return list(self.options)


# ------------------------------------------------------------------------------------------ fast redraws
class _Blitter:
    """Redraws a figure by repainting only what an update can move.

    Most of a redraw's time goes into what never changes between frames: the axes, their ticks, tick labels
    and grid (about 110 of 120 ms for chapter 3's four-panel figure). The blitter draws that *background*
    once, keeps its pixels, and for each frame restores them and draws the data artists on top (lines,
    collections, patches, texts, titles, legends, spines, then the figure's texts), in the order a full draw
    would: about 9 ms there. Titles and suptitles count as data (placed as ``Axes.draw`` places them), so a
    title that states a number is cheap.

    The result is the same picture, pixel for pixel, because a frame falls back to a full draw whenever blitting
    could change it: when the background changed (limits, ticks and their labels, axis labels, axes
    positions, the resolution, an artist under the grid: compared at every frame), when axes overlap (insets,
    twins), for non-Cartesian axes, and when a figure text sits below an axes in the drawing order. An artist
    at or below the grid's zorder (an image under the grid) is drawn with the background, as a full draw
    draws it before the grid: cheap while it stays, a full draw in a frame that changes it.
    """

    def __init__(self, fig: Figure):
        self.fig = fig
        self.background = None
        self.signature = None
        self.titles = {}  # per axes, the title texts its titles were last placed for
        self.boxes = {}  # (axis, for_layout_only) -> its tight box, for placing titles over a kept background

    @staticmethod
    def _split(ax) -> tuple[list, list]:
        """An axes' children: (background ones, data ones); the axes patch is neither (always background).

        The background is the axes' grid and ticks (its Axis artists) and whatever a full draw paints before
        them (at or below their zorder: an image under the grid); the rest is data."""
        from matplotlib.axis import Axis
        from matplotlib.image import AxesImage
        from matplotlib.spines import Spine

        framed = ax.axison and ax.get_frame_on()
        children = []
        for a in ax.get_children():
            # what Axes.draw leaves out: the patch (drawn first), spines of a frameless or axis-less axes, the
            # axis of an axis-less one, animated artists
            if a is ax.patch or (isinstance(a, Spine) and not framed) or (isinstance(a, Axis) and not ax.axison):
                continue
            if a.get_animated() and not isinstance(a, AxesImage):
                continue
            children.append(a)
        # get_children lists the axes' artists before its Axis artists, so at an equal zorder they are drawn first
        grid = max((a.get_zorder() for a in children if isinstance(a, Axis)), default=None)
        background, data = [], []
        for a in children:
            under = isinstance(a, Axis) or (grid is not None and a.get_zorder() <= grid)
            (background if under else data).append(a)
        return background, data

    def _signature(self) -> list:
        """Everything that decides the background's pixels."""
        from matplotlib.axis import Axis

        fig = self.fig
        parts = [fig.dpi, len(fig.get_children())]
        for ax in fig.axes:
            # an artist under the grid is part of the background: redraw it when it changed (matplotlib marks it
            # stale when it is changed, and fresh when it is drawn)
            parts.append([a.stale for a in self._split(ax)[0] if not isinstance(a, Axis)])
            parts.append(
                (ax.get_visible(), ax.axison, ax.get_position().bounds, ax.get_xlim(), ax.get_ylim(),
                 ax.get_xscale(), ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel(), tuple(ax.patch.get_facecolor()))
            )  # fmt: skip
            for axis in (ax.xaxis, ax.yaxis):
                locs = list(axis.get_majorticklocs())
                labels = [t.get_text() for t in axis.get_majorticklabels()]
                parts.append((locs, axis.major.formatter.format_ticks(locs), labels, axis.get_visible()))
        return parts

    def _blittable(self) -> bool:
        boxes = [ax.get_position().bounds for ax in self.fig.axes if ax.get_visible()]
        for i, (x0, y0, w0, h0) in enumerate(boxes):
            for x1, y1, w1, h1 in boxes[i + 1 :]:
                if x0 < x1 + w1 and x1 < x0 + w0 and y0 < y1 + h1 and y1 < y0 + h0:
                    return False
        for ax in self.fig.axes:
            if ax.name != "rectilinear":
                return False
        # the figure's own texts (a suptitle) are data too, drawn after every axes, as a full draw does when they
        # sit above the axes in the drawing order
        top = max((ax.get_zorder() for ax in self.fig.axes), default=-np.inf)
        return all(t.get_zorder() > top for t in self.fig.texts if t.get_visible())

    def _place_titles(self, ax, renderer) -> None:
        """``Axes._update_title_position``, with each axis's tight box measured once per background: they are
        part of the background (ticks, labels, offset text), and measuring one costs a few milliseconds."""
        boxes = self.boxes

        def cached(axis):
            def get_tightbbox(renderer=None, *, for_layout_only=False):
                key = (axis, for_layout_only)
                if key not in boxes:
                    boxes[key] = type(axis).get_tightbbox(axis, renderer, for_layout_only=for_layout_only)
                return boxes[key]

            return get_tightbbox

        axes = [a for a in self.fig.axes for a in (a.xaxis, a.yaxis)]
        for axis in axes:
            axis.get_tightbbox = cached(axis)
        try:
            ax._update_title_position(renderer)
        finally:
            for axis in axes:
                del axis.get_tightbbox

    def draw(self) -> None:
        """Draw the figure on its canvas, by blitting when that gives the same picture."""
        canvas = self.fig.canvas
        if not self._blittable():
            self.background = None
            canvas.draw()
            return
        signature = self._signature()
        if self.background is None or signature != self.signature:
            hidden = [a for ax in self.fig.axes for a in self._split(ax)[1] if a.get_visible()]
            hidden += [t for t in self.fig.texts if t.get_visible()]
            for a in hidden:
                a.set_visible(False)
            try:
                canvas.draw()
                self.background = canvas.copy_from_bbox(self.fig.bbox)
            finally:
                for a in hidden:
                    a.set_visible(True)
            self.signature = self._signature()
            self.titles, self.boxes = {}, {}  # placed while hidden (as empty boxes): place them again below
        else:
            canvas.restore_region(self.background)
        renderer = canvas.get_renderer()
        for ax in self.fig.axes:
            if ax.get_visible():
                # titles are data here, so place them as Axes.draw would; where a title sits depends only on the
                # background and on its text, so only when a text changed (it costs a tight box of the y axis)
                texts = (ax.title.get_text(), ax._left_title.get_text(), ax._right_title.get_text())
                if self.titles.get(ax) != texts:
                    self._place_titles(ax, renderer)
                    self.titles[ax] = texts
                for a in sorted(self._split(ax)[1], key=lambda a: a.get_zorder()):
                    if a.get_visible():
                        a.draw(renderer)
        for t in sorted(self.fig.texts, key=lambda t: t.get_zorder()):
            if t.get_visible():
                t.draw(renderer)


# ------------------------------------------------------------------------------------------ the figure
@dataclass
class InteractiveFigure:
    """A figure spec: ``build(fig) -> update(**values)`` plus its controls. See the module docstring.

    Parameters
    ----------
    figsize, dpi:
        size of the figure in inches, and the resolution of the live image.
    static_dpi:
        resolution of the frames in the book's player; by default twice the shown pixels per inch (see
        :func:`display_width`), so that frames are sharp on 2x screens.
    max_frames:
        how many frames the static player may precompute. When the full product grid of the controls is
        larger, each control is thinned; if even three values per control exceed it, the player varies one
        control at a time around the defaults (moving one resets the others, each slider keeping at most
        ``axis_frames`` values) and says so.
    budget_kb:
        the largest player (HTML with its frames) the book accepts for this figure, in kilobytes. The book
        build moves the frames into image files that the page loads only when a control shows them, so this
        bounds the site's size and build time, not what a reader downloads up front.
    caption:
        alt text for the image and the caption under the figure (the book numbers it: "Figure 3.2").
    static_controls:
        the names of the controls that the static player offers, when the figure has too many for every
        combination (a ten-parameter network): these vary over all their combinations, the others stay at
        their defaults and are not shown, and the player says that the notebook moves them all. Live figures
        always have every control.
    """

    build: Callable[[Figure], Callable[..., Any]]
    controls: Sequence[Slider | Choice] = ()
    figsize: tuple = (7.0, 3.2)
    dpi: int = 96
    static_dpi: int | None = None
    max_frames: int = 64
    axis_frames: int = 9
    budget_kb: int = 4000
    caption: str = ""
    continuous_update: bool = True
    static_controls: Sequence[str] | None = None
    _fig: Figure | None = field(default=None, init=False, repr=False)
    _update: Callable[..., Any] | None = field(default=None, init=False, repr=False)
    _blitter: _Blitter | None = field(default=None, init=False, repr=False)
    redraw_ms: list = field(default_factory=list, init=False, repr=False)
    #: The same redraws in this thread's CPU time: what the redraw costs, whatever else the machine is doing.
    redraw_cpu_ms: list = field(default_factory=list, init=False, repr=False)

    def __post_init__(self):
        function("build", self.build, "build(fig) -> update(**values)")
        if not isinstance(self.controls, (tuple, list)):
            raise TypeError(f"controls must be a list of Slider or Choice, got {type(self.controls).__name__}")
        self.controls = tuple(self.controls)
        for c in self.controls:
            if not isinstance(c, (Slider, Choice)):
                raise TypeError(f"controls must be Slider or Choice, got {type(c).__name__}")
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"controls must have unique names, got {names}")
        if not isinstance(self.caption, str):
            raise TypeError(f"caption must be a string, got {type(self.caption).__name__}")
        if not isinstance(self.figsize, (tuple, list)) or len(self.figsize) != 2:
            raise ValueError(f"figsize must be (width, height) in inches, got {self.figsize!r}")
        self.figsize = tuple(number(f"figsize[{i}]", v, low=0.5, high=40) for i, v in enumerate(self.figsize))
        if self.static_controls is not None:
            chosen = strings("static_controls", self.static_controls)
            unknown = sorted(set(chosen) - set(names))
            if unknown or not chosen:
                raise ValueError(f"static_controls must name some of the controls {names}, got {list(chosen)}")
            self.static_controls = tuple(dict.fromkeys(chosen))
        self._style = style_for(self.figsize)
        if self.static_dpi is None:
            self.static_dpi = int(round(2 * display_width(self.figsize) / float(self.figsize[0])))

    # -- drawing -----------------------------------------------------------------------------------
    @property
    def defaults(self) -> dict:
        return {c.name: (c._cast(c.default) if isinstance(c, Slider) else c.default) for c in self.controls}

    def _ensure_built(self) -> None:
        if self._fig is not None:
            return
        with rc_context(self._style):
            fig = Figure(figsize=self.figsize, dpi=self.dpi)
            FigureCanvasAgg(fig)
            update = self.build(fig)
            if not callable(update):
                raise TypeError("build(fig) must return the update(**values) function")
            update(**self.defaults)
            for ax in fig.axes:  # minor ticks on a log axis cost about 40 ms a redraw, for little information
                if "log" in (ax.get_xscale(), ax.get_yscale()):
                    ax.minorticks_off()
            fig.tight_layout()  # fixed once, so the layout does not jump between frames
            # tight_layout leaves a placeholder layout engine behind, and savefig then draws every frame twice
            # (once only to lay it out): the layout is fixed, so drop the engine (about 30% off each redraw)
            fig.set_layout_engine(None)
        self._fig, self._update = fig, update

    @property
    def figure(self) -> Figure:
        """The underlying matplotlib Figure (built on first use)."""
        self._ensure_built()
        return self._fig

    def draw(self, **values) -> Figure:
        """Move the artists to ``values`` (missing controls take their defaults) and return the figure."""
        unknown = set(values) - set(self.defaults)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; the figure has {list(self.defaults)}")
        for c in self.controls:
            if c.name in values:
                value = values[c.name]
                values[c.name] = (
                    c._cast(number(c.name, value)) if isinstance(c, Slider) else one_of(c.name, value, c.options)
                )
        self._ensure_built()
        with rc_context(self._style):
            self._update(**{**self.defaults, **values})
        return self._fig

    def png(self, dpi: int | None = None, compact: bool = False, **values) -> bytes:
        """Draw at ``values`` and return PNG bytes; the time of the whole redraw goes to ``redraw_ms``.

        The pixels come straight from the canvas, redrawn by :class:`_Blitter` (only what an update moves), and
        PIL encodes them: ``compact=True`` (the static player's frames) with a 64-colour palette, otherwise
        (the live widget) fast, lightly compressed RGB.
        """
        dpi = None if dpi is None else size("dpi", dpi, maximum=MAX_DPI)
        compact = flag("compact", compact)
        self._ensure_built()  # building once is not part of a redraw
        start, start_cpu = time.perf_counter(), time.thread_time()
        self.draw(**values)
        rgb = self._pixels(dpi or self.dpi)
        data = self._encode(rgb, compact)
        self.redraw_ms.append(1000 * (time.perf_counter() - start))
        self.redraw_cpu_ms.append(1000 * (time.thread_time() - start_cpu))
        return data

    def _pixels(self, dpi: float) -> np.ndarray:
        """The figure drawn at ``dpi`` (through the blitter: only what moved is redrawn), as RGB pixels."""
        fig = self._fig
        if self._blitter is None:
            self._blitter = _Blitter(fig)
        own = fig.dpi
        fig.set_dpi(dpi)
        try:
            with rc_context(self._style):
                self._blitter.draw()
            return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
        finally:
            fig.set_dpi(own)

    @staticmethod
    def _encode(rgb: np.ndarray, compact: bool) -> bytes:
        """PNG bytes; ``compact`` (the static player's frames) with a 64-colour palette, about three times
        smaller for line art with no visible change, chosen by PIL's fast octree (0.01 s a frame)."""
        from PIL import Image

        image = Image.fromarray(rgb)
        if compact:
            image = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=6 if compact else 1)
        return out.getvalue()

    # -- the grid of the static player --------------------------------------------------------------
    def static_plan(self) -> tuple[str, list[list]]:
        """``(mode, values per control)``: ``product`` of thinned grids, or ``axes`` (one at a time)."""
        if not self.controls:
            return "product", []
        grids = [c.grid() for c in self.controls]
        if self.static_controls is not None:
            grids = [
                g if c.name in self.static_controls else [self.defaults[c.name]] for c, g in zip(self.controls, grids)
            ]
        if math.prod(len(g) for g in grids) <= self.max_frames:
            return "product", grids
        sliders = [i for i, c in enumerate(self.controls) if isinstance(c, Slider) and len(grids[i]) > 1]
        fixed = math.prod(len(grids[i]) for i in range(len(grids)) if i not in sliders)
        per = int(math.floor((self.max_frames / fixed) ** (1 / max(1, len(sliders))) + 1e-9))
        if per >= 3:

            def thinned(count):
                return [self.controls[i].grid(count) if i in sliders else g for i, g in enumerate(grids)]

            # even grids may hold fewer values than asked for: ask for more while the frames still fit
            longest = max(len(self.controls[i].grid()) for i in sliders)
            while per < longest and math.prod(len(g) for g in thinned(per + 1)) <= self.max_frames:
                per += 1
            return "product", thinned(per)
        # one control at a time: each slider keeps at most `axis_frames` values
        for i in sliders:
            grids[i] = self.controls[i].grid(self.axis_frames)
        return "axes", grids

    def static_states(self) -> tuple[str, list[list], list[tuple]]:
        """All index tuples the player needs, default first."""
        mode, grids = self.static_plan()
        default_idx = tuple(g.index(self.defaults[c.name]) for c, g in zip(self.controls, grids))
        if mode == "product":
            states = list(itertools.product(*[range(len(g)) for g in grids]))
        else:
            states = []
            for axis, g in enumerate(grids):
                for j in range(len(g)):
                    s = list(default_idx)
                    s[axis] = j
                    states.append(tuple(s))
        states = [default_idx] + [s for s in dict.fromkeys(states) if s != default_idx]
        return mode, grids, states

    def corner_values(self, limit: int = 16) -> list[dict]:
        """The defaults and the corners of the grid (first and last value of each control), at most ``limit``
        corners."""
        limit = size("limit", limit, minimum=0)
        ends = [(g[0], g[-1]) if len(g) > 1 else (g[0],) for g in (c.grid() for c in self.controls)]
        out = [self.defaults]
        for combo in itertools.islice(itertools.product(*ends), limit):
            out.append(dict(zip(self.defaults, combo)))
        return out

    # -- the three runtimes ---------------------------------------------------------------------------
    def headless(self) -> list[bytes]:
        """Draw at the defaults and the grid corners with no frontend; return the PNGs (defaults first).

        Frames are drawn exactly as the live runtime draws them, so their timings (``redraw_ms``) are the live
        redraw latency.
        """
        return [self.png(**v) for v in self.corner_values()]

    def static_html(self) -> str:
        """The self-contained HTML/JS player: PNG frames over the static grid, native range inputs."""
        mode, grids, states = self.static_states()
        frames, keys = [], {}
        seen: dict[str, int] = {}
        for s in states:
            values = {c.name: g[i] for c, g, i in zip(self.controls, grids, s)}
            png = self.png(dpi=self.static_dpi, compact=True, **values)
            data = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            if data not in seen:  # identical frames are stored once
                seen[data] = len(frames)
                frames.append(data)
            keys[",".join(map(str, s))] = seen[data]
        uid = "kanfig-" + hashlib.sha1("".join(frames).encode()).hexdigest()[:10]
        default = states[0]
        controls_html = []
        for axis, (c, g) in enumerate(zip(self.controls, grids)):
            labels = [c.format(v) for v in g]
            fixed = self.static_controls is not None and c.name not in self.static_controls
            if isinstance(c, Slider) or fixed:
                widget = (
                    f'<input type="range" min="0" max="{len(g) - 1}" step="1" value="{default[axis]}" '
                    f'data-axis="{axis}" aria-label="{html.escape(c.text)}"{" disabled" if fixed else ""}>'
                )
            else:
                opts = "".join(
                    f'<option value="{j}"{" selected" if j == default[axis] else ""}>{html.escape(lab)}</option>'
                    for j, lab in enumerate(labels)
                )
                widget = f'<select data-axis="{axis}" aria-label="{html.escape(c.text)}">{opts}</select>'
            controls_html.append(
                f'<label class="kanfig-control"{" hidden" if fixed else ""}><span class="kanfig-name">{html.escape(c.text)}</span>'
                f"{widget}<output>{html.escape(labels[default[axis]])}</output></label>"
            )
        note = (
            '<div class="kanfig-note">Static preview: one control at a time (moving one resets the others). '
            "Run the notebook for every combination.</div>"
            if mode == "axes"
            else ""
        )
        if self.static_controls is not None:
            moving = [c.text for c in self.controls if c.name in self.static_controls]
            listed = ", ".join(moving[:-1]) + (" and " if len(moving) > 1 else "") + moving[-1]
            note = (
                f'<div class="kanfig-note">Static preview: {html.escape(listed)} move here, the other '
                f"{len(self.controls) - len(moving)} controls stay at their defaults. Run the notebook to move all "
                f"{len(self.controls)}.</div>"
            )
        payload = json.dumps(
            {
                "frames": frames,
                "keys": keys,
                "labels": [[c.format(v) for v in g] for c, g in zip(self.controls, grids)],
                "defaults": list(default),
                "mode": mode,
            },
            separators=(",", ":"),
        )
        caption = html.escape(self.caption or "Interactive figure")
        width = display_width(self.figsize)
        # on a phone the image keeps this width (its smallest text >= MIN_PHONE_TEXT_PX) and scrolls sideways
        phone_px = int(
            math.ceil(MIN_PHONE_TEXT_PX * 72 * self.figsize[0] / (SMALLEST_STYLE_PT * font_scale(self.figsize)))
        )
        first = frames[keys[",".join(map(str, default))]]
        # what the book's tests need to compute the size of the figure's text where it is shown
        sizes = (
            f'data-width-in="{self.figsize[0]:g}" data-smallest-pt="{SMALLEST_STYLE_PT * font_scale(self.figsize):.3f}"'
        )
        doc = f"""<figure class="kanfig" id="{uid}" {sizes}>
<style>#{uid}{{max-width:100%;margin:0.5em 0 1em 0}}
#{uid} .kanfig-frame{{overflow-x:auto;max-width:100%}}
#{uid} img{{width:{width}px;max-width:100%;min-width:{phone_px}px;height:auto;display:block}}
#{uid} .kanfig-scroll{{display:none;font-size:0.8em;opacity:0.75}}#{uid}.kanfig-wide .kanfig-scroll{{display:block}}
#{uid} .kanfig-controls{{display:flex;flex-wrap:wrap;gap:0.3em 1.2em;font-size:0.9em;margin-top:0.3em}}
#{uid} .kanfig-control{{display:flex;align-items:center;gap:0.4em}}#{uid} output{{min-width:3em;font-family:monospace}}
#{uid} .kanfig-note{{font-size:0.8em;opacity:0.75}}#{uid} figcaption{{font-size:0.9em;margin-top:0.4em}}</style>
<div class="kanfig-frame"><img class="kanfig-image" alt="{caption}" width="{width}" decoding="async" src="{first}"></div>
<div class="kanfig-scroll">\u2194 Scroll the figure sideways to see all of it.</div>
<div class="kanfig-controls">{"".join(controls_html)}</div>{note}
<figcaption class="kanfig-caption"><span class="kanfig-number"></span>{caption}</figcaption>
<script type="application/json" class="kanfig-data">{payload}</script>
<script>(function(){{var root=document.getElementById("{uid}");if(!root)return;
var d=JSON.parse(root.querySelector(".kanfig-data").textContent);var img=root.querySelector(".kanfig-image");
var frame=root.querySelector(".kanfig-frame");
function wide(){{root.classList.toggle("kanfig-wide",frame.scrollWidth>frame.clientWidth+1);}}
img.addEventListener("load",wide);window.addEventListener("resize",wide);wide();
var inputs=Array.prototype.slice.call(root.querySelectorAll("[data-axis]"));
function idx(){{return inputs.map(function(el){{return parseInt(el.value,10);}});}}
function show(moved){{var s=idx();var k=s.join(",");
if(!(k in d.keys)){{inputs.forEach(function(el,a){{if(a!==moved){{el.value=d.defaults[a];}}}});s=idx();k=s.join(",");}}
inputs.forEach(function(el,a){{el.parentNode.querySelector("output").textContent=d.labels[a][s[a]];}});
if(k in d.keys){{img.src=d.frames[d.keys[k]];}}}}
inputs.forEach(function(el){{var a=parseInt(el.getAttribute("data-axis"),10);
el.addEventListener("input",function(){{show(a);}});el.addEventListener("change",function(){{show(a);}});}});
}})();</script>
</figure>"""
        size_kb = len(doc.encode()) / 1024
        if size_kb > self.budget_kb:
            raise ValueError(
                f"static figure player is {size_kb:.0f} kB, over its budget of {self.budget_kb} kB "
                f"({len(frames)} frames): lower max_frames, Slider(frames=...) or static_dpi"
            )
        return doc

    def widget(self):
        """The live ipywidgets view: controls above one Image widget that is re-encoded on every change."""
        import ipywidgets as widgets

        # at its natural size (JupyterLab would stretch it to the output's width, and blur it), never wider
        # than the output area
        width = int(round(self.figsize[0] * self.dpi))
        image = widgets.Image(
            format="png", value=self.png(), layout=widgets.Layout(width=f"{width}px", max_width="100%", height="auto")
        )
        status = widgets.HTML(value="")
        style = {"description_width": "initial"}
        inputs = {}
        for c in self.controls:
            if isinstance(c, Slider):
                cls = widgets.IntSlider if c.integer else widgets.FloatSlider
                kwargs = dict(min=c.min, max=c.max, step=c.step, value=c._cast(c.default))
                if not c.integer:
                    kwargs["readout_format"] = c.fmt or f".{c.decimals}f"  # the static player's labels
                w = cls(description=c.text, continuous_update=self.continuous_update, style=style, **kwargs)
            else:
                w = widgets.Dropdown(options=list(c.options), value=c.default, description=c.text, style=style)
            inputs[c.name] = w

        def redraw(_change=None):
            try:
                image.value = self.png(**{name: w.value for name, w in inputs.items()})
                status.value = ""
            except Exception as err:  # show the problem next to the figure instead of losing it
                status.value = f"<span style='color:#b00'>could not redraw: {html.escape(str(err))}</span>"

        for w in inputs.values():
            w.observe(redraw, names="value")
        parts = [widgets.HBox(list(inputs.values()), layout=widgets.Layout(flex_flow="row wrap")), image, status]
        if self.caption:
            parts.append(widgets.HTML(value=f"<em>{html.escape(self.caption)}</em>"))
        box = widgets.VBox(parts)
        box.figure_spec = self  # handy for tests and for readers who want the Figure
        return box

    def show(self, mode: str | None = None):
        """Render in the current runtime (or ``mode``) and display it. Returns the widget in live mode."""
        from IPython.display import HTML, Image, display

        mode = mode or runtime()
        one_of("mode", mode, RUNTIMES)
        if mode == "live":
            box = self.widget()
            display(box)
            return box
        if mode == "static":
            display(HTML(self.static_html()))
            return None
        frames = self.headless()
        display(Image(data=frames[0], format="png"))
        return None


def show(build: Callable[[Figure], Callable[..., Any]], *controls: Slider | Choice, **options):
    """Build an :class:`InteractiveFigure` from ``build`` and ``controls`` and display it in this runtime.

    This is the one call a chapter writes. Options are those of :class:`InteractiveFigure`
    (``figsize``, ``caption``, ``max_frames``, ``static_dpi``, ``budget_kb``, ...).
    """
    spec = InteractiveFigure(build, controls, **options)
    spec.show()
    log = os.environ.get("KAN_EDU_FIGURE_LOG")
    if log and spec.redraw_ms:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(
                json.dumps(
                    {
                        "build": getattr(build, "__name__", "?"),
                        "frames": len(spec.redraw_ms),
                        # the first frame is the figure appearing (its background drawn once); the rest are
                        # redraws, what a reader waits for after moving a control
                        "first_ms": float(spec.redraw_ms[0]),
                        "mean_ms": float(np.mean(spec.redraw_ms[1:] or spec.redraw_ms)),
                        "max_ms": float(np.max(spec.redraw_ms[1:] or spec.redraw_ms)),
                        "mean_cpu_ms": float(np.mean(spec.redraw_cpu_ms[1:] or spec.redraw_cpu_ms)),
                    }
                )
                + "\n"
            )
    return None


def show_pictures(
    pictures: dict, label: str = "show", title: Callable[[Any], str] | None = None, default: Any = None, **options
):
    """Show ready-made matplotlib Figures (for example ``KAN.plot()`` drawings), one at a time, behind a Choice.

    ``pictures`` maps each option (at least two: a single picture needs no control) to a Figure; ``default``
    is the option shown first (the first one unless given). They are rasterised once, so switching costs
    one image swap.
    """
    if title is not None:
        function("title", title, "title(option) -> str")
    if not isinstance(pictures, dict) or len(pictures) < 2:
        raise ValueError(
            "pictures must map at least two options to matplotlib Figures (a control with one "
            "value does nothing: show a single Figure as it is)"
        )
    if default is not None:
        one_of("default", default, pictures)  # one of the pictures
    images = {}
    for key, picture in pictures.items():
        if not isinstance(picture, Figure):
            raise TypeError(f"pictures[{key!r}] is a {type(picture).__name__}, not a matplotlib Figure")
        if picture.canvas is None or not hasattr(picture.canvas, "buffer_rgba"):
            FigureCanvasAgg(picture)
        picture.canvas.draw()
        images[key] = np.asarray(picture.canvas.buffer_rgba())

    def pictures_view(fig):
        ax = fig.subplots()
        ax.axis("off")
        shown = ax.imshow(next(iter(images.values())), extent=(0, 1, 0, 1), aspect="auto")
        ax.set(xlim=(0, 1), ylim=(0, 1))

        def update(**values):
            key = values[choice.name]
            shown.set_data(images[key])
            ax.set_title(title(key) if title else str(key))

        return update

    choice = Choice("option", list(pictures), next(iter(pictures)) if default is None else default, label=label)
    return show(pictures_view, choice, **options)
