"""kan_edu.artists: pieces drawn once and updated in place."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from kan_edu import artists


def axes():
    return Figure(figsize=(3, 3)).subplots()


def test_mosaic_tiles_images_in_reading_order_with_gaps():
    imgs = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    m = artists.mosaic(axes(), imgs, ncols=3, pad=1)
    canvas = m.image.get_array()
    assert canvas.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert np.array_equal(canvas[0:2, 0:3], imgs[0]) and np.array_equal(canvas[0:2, 4:7], imgs[1])
    assert np.array_equal(canvas[3:5, 0:3], imgs[3]) and np.array_equal(canvas[3:5, 4:7], imgs[4])
    assert np.ma.getmaskarray(canvas)[2].all() or np.isnan(np.ma.filled(canvas, np.nan)[2]).all()  # the gap row
    assert m.tile_center(4) == (5.0, 3.5)


def test_mosaic_updates_in_place_and_takes_torch_and_colour():
    ax = axes()
    m = artists.mosaic(ax, torch.zeros(4, 3, 3))
    image = m.image
    m.set_images(torch.ones(4, 3, 3) * 7)
    assert m.image is image and len(ax.images) == 1
    assert np.nanmax(np.ma.filled(image.get_array(), np.nan)) == 7
    assert image.get_clim()[0] <= 7 <= image.get_clim()[1]
    rgb = artists.mosaic(axes(), np.random.default_rng(0).random((3, 2, 2, 3)), ncols=3)
    assert rgb.image.get_array().shape == (2, 8, 3)
    with pytest.raises(ValueError, match="images"):
        m.set_images(np.ones((4, 2, 2)))
    with pytest.raises(ValueError, match="images"):
        artists.mosaic(axes(), np.ones((2, 3, 3, 5)))


def test_heatmap_labels_annotations_and_contrast():
    ax = axes()
    h = artists.heatmap(ax, [[0.0, 1.0], [0.25, 0.5]], row_labels=["a", "b"], col_labels=["x", "y"], annotate=True)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert [t.get_text() for t in h.texts] == ["0.00", "1.00", "0.25", "0.50"]
    # viridis: dark at the low end (white text), light at the top (black text)
    assert h.texts[0].get_color() == "white" and h.texts[1].get_color() == "black"
    h.set_data(np.array([[2.0, 3.0], [4.0, 5.0]]))
    assert h.texts[3].get_text() == "5.00" and h.image.get_clim() == (2.0, 5.0)
    h.set_data(np.eye(3))  # a new shape re-lays out the cells
    assert len(h.texts) == 9 and ax.get_xlim() == (-0.5, 2.5)
    with pytest.raises(ValueError, match="row_labels"):
        h.set_labels(row_labels=["only", "two"])
    with pytest.raises(ValueError, match="fmt"):
        artists.heatmap(axes(), np.eye(2), fmt="{:q}")
    with pytest.raises(TypeError, match="ax"):
        artists.heatmap("axes", np.eye(2))


def _legend_pixels(which: str) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(5, 2.5), dpi=72)
    FigureCanvasAgg(fig)
    ax, ax2 = fig.subplots(1, 2)
    ax.plot([0, 1], [0, 0.5], label="a")
    ax.plot([0, 1], [0.5, 0], label="$x^*$")
    (line,) = ax2.plot([0, 1], [0, 1], label="b")
    ax2.plot([0, 1], [1, 0])  # unlabelled: not in the default legend
    fig.tight_layout()
    if which == "axes":
        ax.legend(loc="upper center", fontsize="small")
        ax2.legend(handles=[line], loc="lower right")
    else:
        artists.fixed_legend(ax, loc="upper center", fontsize="small")
        artists.fixed_legend(ax2, [line], loc="lower right")
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_fixed_legend_looks_like_an_axes_legend_and_belongs_to_the_figure():
    assert np.array_equal(_legend_pixels("axes"), _legend_pixels("figure"))
    ax = axes()
    ax.plot([0, 1], label="a")
    legend = artists.fixed_legend(ax, loc="upper left")
    assert legend in ax.figure.legends and ax.get_legend() is None  # drawn with the background, not per frame
    assert [t.get_text() for t in legend.get_texts()] == ["a"]
    with pytest.raises(ValueError, match="labelled"):
        artists.fixed_legend(axes())
    with pytest.raises(TypeError, match=r"handles\[0\]"):
        artists.fixed_legend(ax, ["not an artist"])
    with pytest.raises(TypeError, match="ax"):
        artists.fixed_legend("axes")


def test_live_title_sits_where_the_title_goes():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(3, 3), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_title("step 10")
    fig.canvas.draw()
    box = ax.title.get_window_extent()
    ax.set_title("")
    live = artists.live_title(ax, "step 10")
    fig.canvas.draw()
    assert live in ax.texts and live.get_text() == "step 10"
    assert np.allclose(live.get_window_extent().bounds, box.bounds, atol=1.5)  # same place, same font
    with pytest.raises(TypeError, match="text"):
        artists.live_title(ax, 3)
