"""kan_edu.figures: the one-spec, three-runtime figure machinery."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from matplotlib import rc_context

from kan_edu import figures
from kan_edu.figures import Choice, InteractiveFigure, Slider


def line_build(fig):
    ax = fig.subplots()
    x = np.linspace(-1, 1, 50)
    (line,) = ax.plot(x, x)
    ax.set_ylim(-3, 3)
    calls = fig.calls = []

    def update(a=1.0, b=0.0, kind="linear"):
        calls.append((a, b, kind))
        y = a * x + b
        line.set_ydata(np.maximum(y, 0) if kind == "relu" else y)

    return update


def spec(**options):
    return InteractiveFigure(
        line_build,
        [Slider("a", -2, 2, 0.5, 1.0), Slider("b", -1, 1, 0.5, 0.0), Choice("kind", ["linear", "relu"])],
        **options,
    )


def frames_of(html):
    data = json.loads(re.search(r'<script type="application/json" class="kanfig-data">(.*?)</script>', html).group(1))
    return data


def test_slider_grid_is_even_and_holds_the_default():
    s = Slider("a", 0, 1, 0.01, 0.37, frames=5)
    grid = s.grid()
    assert len(grid) <= 5 and 0.37 in grid
    assert np.allclose(np.diff(grid), grid[1] - grid[0])  # one move, one step: never (..., 2, 4, 7, 8)
    assert grid[0] < 0.37 - 0.2 and grid[-1] > 0.37 + 0.4  # it still spans the range
    # a default at an end, and a range the stride divides: both ends stay
    assert Slider("b", -2, 2, 0.1, -2.0, frames=5).grid() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert Slider("n", 1, 10, 1, 4, integer=True).grid() == list(range(1, 11))
    for lo, hi, step, default, frames in [
        (0, 8, 1, 7, 5),
        (-3, 3, 0.5, 2.0, 9),
        (1, 40, 1, 8, 20),
        (-1, 1, 0.1, 0.3, 9),
    ]:
        g = Slider("c", lo, hi, step, default, frames=frames).grid()
        assert default in g and len(g) <= frames and np.allclose(np.diff(g), g[1] - g[0]), (lo, hi, g)
    # a default off the steps is shown as it is
    assert 0.333 in Slider("d", 0, 1, 0.1, 0.333, frames=4).grid()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="a b", min=0, max=1, step=0.1, default=0), "identifier"),
        (dict(name="a", min=1, max=0, step=0.1, default=0.5), r"max \(above min\) must be a finite number > 1"),
        (dict(name="a", min=0, max=1, step=0, default=0.5), "step"),
        (dict(name="a", min=0, max=1, step=0.1, default=2), r"default must be a finite number in \[0, 1\]"),
        (dict(name="a", min=0, max=float("nan"), step=0.1, default=0), "finite"),
    ],
)
def test_slider_rejects_bad_ranges(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Slider(**kwargs)


def test_choice_validates_default():
    with pytest.raises(ValueError, match="default must be one of"):
        Choice("k", ["x", "y"], "z")
    assert Choice("k", ["x", "y"]).default == "x"


def test_update_moves_artists_in_place():
    f = spec()
    fig = f.draw(a=2.0)
    line = fig.axes[0].lines[0]
    f.draw(a=-1.0, kind="relu")
    assert f.figure is fig and fig.axes[0].lines[0] is line and len(fig.axes) == 1
    assert np.all(line.get_ydata() >= 0)
    with pytest.raises(ValueError, match="unknown control"):
        f.draw(c=1)


def test_static_player_product_grid_has_every_combination():
    f = spec(max_frames=100)
    html = f.static_html()
    data = frames_of(html)
    assert data["mode"] == "product"
    assert len(data["keys"]) == 9 * 5 * 2  # a: 9 values, b: 5, kind: 2
    assert 'type="range"' in html and "<select" in html
    assert "http" not in html  # self-contained: no external resources
    # the opening frame is the default one
    default_key = ",".join(map(str, data["defaults"]))
    first = data["frames"][data["keys"][default_key]]
    assert first.startswith("data:image/png;base64,") and f'src="{first}"' in html
    png = base64.b64decode(first.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # relu vs linear at a=1, b=0 differ, so frames are not all the same image
    assert len(set(data["keys"].values())) > 1


def _sum_of_controls(fig):
    """A one-line figure whose picture depends on every control (their sum)."""
    ax = fig.subplots()
    (line,) = ax.plot([0, 1], [0, 0])

    def update(**values):
        line.set_ydata([0, sum(values.values())])

    return update


def test_static_player_thins_then_goes_one_at_a_time():
    many = [Slider(f"p{i}", 0, 1, 0.1, 0.5) for i in range(6)]
    build = _sum_of_controls

    f = InteractiveFigure(build, many, max_frames=64)
    mode, grids = f.static_plan()
    assert mode == "axes" and all(len(g) <= f.axis_frames for g in grids)
    data = frames_of(f.static_html())
    assert len(data["keys"]) == 1 + sum(len(g) - 1 for g in grids)
    assert "one control at a time" in f.static_html()
    two = InteractiveFigure(build, many[:2], max_frames=30)
    mode, grids = two.static_plan()
    assert mode == "product" and np.prod([len(g) for g in grids]) <= 30


def test_static_controls_move_and_the_rest_stay_at_their_defaults():
    many = [Slider(f"p{i}", 0, 1, 0.1, 0.5) for i in range(6)]
    build = _sum_of_controls

    f = InteractiveFigure(build, many, max_frames=40, static_controls=("p1", "p4"))
    mode, grids = f.static_plan()
    assert mode == "product"
    assert [len(g) for i, g in enumerate(grids) if i not in (1, 4)] == [1, 1, 1, 1]
    html = f.static_html()
    data = frames_of(html)
    assert len(data["keys"]) == len(grids[1]) * len(grids[4]) > 16  # every combination of the two
    assert "one control at a time" not in html and "hidden" in html
    assert html.count('type="range"') == 6 and html.count("disabled") == 4
    with pytest.raises(ValueError, match="static_controls"):
        InteractiveFigure(build, many, static_controls=("p9",))


def test_size_budget_is_enforced():
    with pytest.raises(ValueError, match="over its budget"):
        spec(budget_kb=5).static_html()


def test_headless_draws_defaults_and_corners():
    f = spec()
    pngs = f.headless()
    assert len(pngs) == 1 + 2 * 2 * 2
    assert all(p[:4] == b"\x89PNG" for p in pngs)
    calls = f.figure.calls
    assert (2.0, 1.0, "relu") in calls and (-2.0, -1.0, "linear") in calls


def test_live_widget_updates_image():
    f = spec()
    box = f.widget()
    controls, image = box.children[0].children, box.children[1]
    before = image.value
    controls[0].value = -2.0
    assert image.value != before
    assert f.figure.calls[-1][0] == -2.0
    assert [type(c).__name__ for c in controls] == ["FloatSlider", "FloatSlider", "Dropdown"]


def test_live_widget_reports_errors_next_to_the_figure():
    def build(fig):
        fig.subplots()

        def update(a=1.0):
            if a < 0:
                raise RuntimeError("negative a")

        return update

    box = InteractiveFigure(build, [Slider("a", -1, 1, 0.5, 1.0)]).widget()
    box.children[0].children[0].value = -1.0  # must not raise
    assert "negative a" in box.children[2].value


def test_runtime_from_environment(monkeypatch):
    monkeypatch.setenv("KAN_EDU_FIGURES", "static")
    assert figures.runtime() == "static"
    monkeypatch.setenv("KAN_EDU_FIGURES", "bogus")
    with pytest.raises(ValueError):
        figures.runtime()
    monkeypatch.delenv("KAN_EDU_FIGURES")
    assert figures.runtime() == "headless"  # plain Python, no kernel


def test_show_logs_redraw_times(tmp_path, monkeypatch):
    log = tmp_path / "fig.jsonl"
    monkeypatch.setenv("KAN_EDU_FIGURES", "headless")
    monkeypatch.setenv("KAN_EDU_FIGURE_LOG", str(log))
    figures.show(line_build, Slider("a", -2, 2, 0.5, 1.0))
    row = json.loads(log.read_text())
    assert row["build"] == "line_build" and row["frames"] == 3 and row["max_ms"] > 0


def test_show_pictures_switches_prerendered_figures(monkeypatch, tmp_path):
    from matplotlib.figure import Figure

    pictures = {}
    for name, color in (("red", "r"), ("blue", "b")):
        picture = Figure(figsize=(2, 2))
        picture.subplots().plot([0, 1], [0, 1], color=color)
        pictures[name] = picture
    monkeypatch.setenv("KAN_EDU_FIGURES", "headless")
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("KAN_EDU_FIGURE_LOG", str(log))
    figures.show_pictures(pictures, label="colour")
    assert json.loads(log.read_text())["frames"] == 3  # defaults and the two options
    with pytest.raises(TypeError, match="not a matplotlib Figure"):
        figures.show_pictures({"x": "not a figure", "y": pictures["red"]})
    with pytest.raises(ValueError, match="at least two"):
        figures.show_pictures({"red": pictures["red"]})
    with pytest.raises(ValueError, match="default must be one of"):
        figures.show_pictures(pictures, default="green")


def test_show_pictures_opens_on_its_default(monkeypatch):
    from matplotlib.figure import Figure

    pictures = {}
    for name, color in (("red", (1, 0, 0)), ("blue", (0, 0, 1))):
        picture = Figure(figsize=(1, 1))
        picture.patch.set_facecolor(color)
        pictures[name] = picture
    monkeypatch.setenv("KAN_EDU_FIGURES", "headless")
    shown = []
    monkeypatch.setattr(figures.InteractiveFigure, "show", lambda self, mode=None: shown.append(self))
    figures.show_pictures(pictures, default="blue")
    fig = shown[0]
    assert [c.default for c in fig.controls] == ["blue"]
    import io

    import matplotlib.image

    first = matplotlib.image.imread(io.BytesIO(fig.headless()[0]), format="png")  # the frame at the defaults
    red, _, blue = first[..., :3].reshape(-1, 3).mean(0)
    assert blue > 0.5 > red


def test_slider_labels_show_every_grid_value_exactly():
    assert Slider("a", 0, 1, 0.125, 0.25).format(0.25) == "0.250"
    assert Slider("a", 0, 1, 0.25, 0.5).format(0.75) == "0.75"
    assert Slider("a", 0.05, 0.95, 0.1, 0.05).format(0.15) == "0.15"
    assert Slider("a", 0, 10, 2, 4).format(4) == "4"
    assert Slider("a", 0, 1, 0.1, 0.3, fmt=".3f").format(0.3) == "0.300"


def test_log_axes_lose_their_minor_ticks():
    def build(fig):
        ax = fig.subplots()
        (line,) = ax.loglog([1, 10, 100], [1, 0.1, 0.01])

        def update(p=1.0):
            line.set_ydata([1, 0.1**p, 0.01**p])

        return update

    fig = InteractiveFigure(build, [Slider("p", 0.5, 1.5, 0.5, 1.0)])
    ax = fig.figure.axes[0]
    assert ax.xaxis.get_minor_locator().__class__.__name__ == "NullLocator"
    assert ax.yaxis.get_minor_locator().__class__.__name__ == "NullLocator"


def _full_draw(f, dpi):
    """The same frame by a plain full draw of the figure (the reference for the blitter)."""
    fig = f.figure
    own = fig.dpi
    fig.set_dpi(dpi)
    try:
        with rc_context(f._style):
            fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    finally:
        fig.set_dpi(own)


def _kinds_of_figure():
    """Figures whose updates move different things: data only, limits, titles, texts, legends, re-created
    artists, images under a grid, images without axes, twin and inset axes."""

    def data_only(fig):
        ax1, ax2 = fig.subplots(1, 2)
        xs = np.linspace(-1, 1, 50)
        (line,) = ax1.plot(xs, xs, label="line")
        dots = ax1.scatter([0], [0], zorder=3)
        fill = [ax2.fill_between(xs, 0 * xs, xs)]
        note = ax2.text(0.1, 0.1, "")
        ax1.legend(loc="upper left")
        ax1.set(xlim=(-1, 1), ylim=(-3, 3), title="fixed")
        ax2.set(xlim=(-1, 1), ylim=(-3, 3))

        def update(a=1.0):
            line.set_ydata(a * xs)
            dots.set_offsets([[0.5, a]])
            fill.pop().remove()
            fill.append(ax2.fill_between(xs, 0 * xs, a * xs**2, alpha=0.5))
            note.set_text(f"a = {a:.1f}")

        return update

    def limits_and_titles(fig):
        ax = fig.subplots()
        (line,) = ax.plot([0, 1], [0, 1])

        def update(a=1.0):
            line.set_ydata([0, a])
            ax.set_ylim(0, max(1.0, a))
            ax.set_title(f"a = {a:.1f}")

        return update

    def titles(fig):
        ax1, ax2 = fig.subplots(1, 2)
        (line,) = ax1.plot([0, 1], [0, 1], label="line")
        ax1.set(xlim=(-1, 2), ylim=(-2, 2))
        ax1.legend(loc="upper left")
        ax2.xaxis.tick_top()  # a title above tick labels moves with them
        (dots,) = ax2.plot([0, 1], [1, 0], "o")
        ax2.set(xlim=(-1, 2), ylim=(-2, 2))
        note = fig.text(0.02, 0.02, "")

        def update(a=1.0):
            line.set_ydata([0, a])
            dots.set_ydata([a, 0])
            ax1.set_title(f"a = {a:.1f}, $\\sqrt{{y_g}}$" if a > 0 else "")
            ax2.set_title(f"gjpq {a:+.2f}", loc="left")
            ax2.set_title("" if a < 1 else "right", loc="right")
            fig.suptitle(f"suptitle {a:+.1f}", fontsize=10)
            note.set_text("" if a < 0 else f"figure text {a:.1f}")

        return update

    def image_under_grid(fig):
        ax = fig.subplots()
        image = ax.imshow(np.zeros((4, 4)), vmin=-2, vmax=2)

        def update(a=1.0):
            image.set_data(a * np.arange(16.0).reshape(4, 4) / 16)

        return update

    def still_image_under_grid(fig):
        ax1, ax2 = fig.subplots(1, 2)
        image = ax1.imshow(np.arange(16.0).reshape(4, 4), extent=(-2, 2, -2, 2))  # zorder 0: under the grid
        ax2.contourf(*np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9)), np.eye(9), zorder=0.2)
        (line,) = ax1.plot([-2, 2], [0, 0], color="w")
        (dot,) = ax2.plot([0], [0], "o")

        def update(a=1.0):
            line.set_ydata([0, a])
            dot.set_ydata([a])
            if a < 0:  # the image changes in some frames only
                image.set_data(a * np.arange(16.0).reshape(4, 4))

        return update

    def twins_and_insets(fig):
        ax = fig.subplots()
        twin = ax.twinx()
        inset = ax.inset_axes([0.6, 0.6, 0.3, 0.3])
        (a_line,) = ax.plot([0, 1], [0, 1])
        (b_line,) = twin.plot([0, 1], [1, 0], color="C1")
        (c_line,) = inset.plot([0, 1], [0, 1], color="C2")
        for axes in (ax, twin, inset):
            axes.set_ylim(-2, 2)

        def update(a=1.0):
            a_line.set_ydata([0, a])
            b_line.set_ydata([a, 0])
            c_line.set_ydata([0, -a])

        return update

    def text_panel_without_axes(fig):
        ax, panel = fig.subplots(2, 1)
        bars = ax.bar([0, 1, 2], [1, 1, 1], label="bars")
        ax.legend(loc="upper right")
        ax.set_ylim(0, 3)
        panel.axis("off")
        words = panel.text(0, 1, "", va="top", family="monospace", transform=panel.transAxes)
        frameless = fig.add_axes([0.8, 0.05, 0.15, 0.1], frameon=False)
        (dot,) = frameless.plot([0], [0], "o")

        def update(a=1.0):
            for bar, h in zip(bars, (a, 2 * abs(a), 1)):
                bar.set_height(h)
            words.set_text("word " * int(4 + 4 * a))
            dot.set_ydata([a])

        return update

    return [
        data_only,
        limits_and_titles,
        titles,
        image_under_grid,
        still_image_under_grid,
        twins_and_insets,
        text_panel_without_axes,
    ]


@pytest.mark.parametrize("build", _kinds_of_figure(), ids=lambda b: b.__name__)
def test_blitted_frames_are_the_full_draw_pixel_for_pixel(build):
    f = InteractiveFigure(build, (Slider("a", -1.5, 1.5, 0.5, 1.0),), figsize=(6, 2.5))
    for dpi in (f.dpi, f.static_dpi, f.dpi):
        for a in (1.0, -1.5, 0.5, 1.5, 1.0):
            f.draw(a=a)
            blitted = f._pixels(dpi)
            assert np.array_equal(blitted, _full_draw(f, dpi)), f"{build.__name__}: a={a}, dpi={dpi}"


def test_a_data_only_update_is_blitted_and_fast():
    f = InteractiveFigure(_kinds_of_figure()[0], (Slider("a", -1.5, 1.5, 0.5, 1.0),), figsize=(6, 2.5))
    f.png(a=0.5)
    assert f._blitter.background is not None  # the grid and ticks are kept between frames
    before = f._blitter.background
    f.png(a=1.5)
    assert f._blitter.background is before  # and not redrawn for a frame that moves only data
    t = InteractiveFigure(_kinds_of_figure()[2], (Slider("a", -1.5, 1.5, 0.5, 1.0),), figsize=(6, 2.5))
    t.png(a=0.5)
    before = t._blitter.background
    t.png(a=1.5)
    assert t._blitter.background is before  # titles and suptitles are redrawn like data: the background stays
    g = InteractiveFigure(_kinds_of_figure()[3], (Slider("a", -1.5, 1.5, 0.5, 1.0),), figsize=(6, 2.5))
    g.png(a=0.5)
    before = g._blitter.background
    g.png(a=1.5)
    assert g._blitter.background is not before  # an image under the grid that changes: its background too
    h = InteractiveFigure(_kinds_of_figure()[4], (Slider("a", -1.5, 1.5, 0.5, 1.0),), figsize=(6, 2.5))
    h.png(a=0.5)
    before = h._blitter.background
    h.png(a=1.5)
    assert h._blitter.background is before  # one that stays is drawn once, with the grid
