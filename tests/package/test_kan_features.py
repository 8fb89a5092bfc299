"""kan_edu.kan's pykan-style features: save/load, unfix_symbolic, the symbolic library, input pruning, plot
labels and product (multiplication) nodes."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch

from kan_edu.data import make_function_dataset
from kan_edu.kan import KAN, SYMBOLIC_LIB, KANLayer, fit_affine, tidy

torch.set_num_threads(1)


def target(x):
    return torch.exp(torch.sin(torch.pi * x[:, [0]]) + x[:, [1]] ** 2)


# ------------------------------------------------------------------------------------- save and load
def test_save_load_round_trips_after_prune_refine_and_fix_symbolic(tmp_path):
    ds = make_function_dataset(target, 2, n_train=200, n_test=100, dtype=torch.float64)
    model = KAN([2, 3, 1], grid=5, seed=0, dtype=torch.float64)
    model.fit(ds, steps=8, lamb=0.01, progress=False)
    small = model.prune().refine(8)
    small.fix_symbolic(1, 0, 0, "exp")
    x = ds["test_input"]
    small.save(tmp_path / "m.pt")
    back = KAN.load(tmp_path / "m.pt")
    assert back.width == small.width and back.grid == 8 and back.layers[1].sym_names == small.layers[1].sym_names
    assert torch.equal(back(x), small(x))
    assert torch.equal(back.samples, small.samples)
    # and formulas: a fully symbolic network prints the same expression after loading
    sym = KAN([2, 1, 1], seed=0, dtype=torch.float64)
    for (l, i, j), name in {(0, 0, 0): "sin", (0, 1, 0): "x^2", (1, 0, 0): "arcsin"}.items():
        sym.fix_symbolic(l, i, j, name)
    sym.save(str(tmp_path / "s.pt"))
    assert KAN.load(str(tmp_path / "s.pt")).symbolic_formula(["x", "y"]) == sym.symbolic_formula(["x", "y"])
    # product nodes and pruned inputs survive too
    mult = KAN([3, [1, 1], 1], seed=0, dtype=torch.float64).prune_input(threshold=0.0)
    mult.save(tmp_path / "p.pt")
    back = KAN.load(tmp_path / "p.pt")
    x3 = torch.rand(20, 3, dtype=torch.float64)
    assert back.width == [3, [1, 1], 1] and torch.equal(back(x3), mult(x3))


def test_load_refuses_pickled_code_and_unknown_functions(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    torch.save({"config": "{}", "state": {}, "x": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(ValueError, match="(?i)path .* is not a KAN.*(weights only|unsupported|global)"):
        KAN.load(tmp_path / "evil.pt")
    model = KAN([1, 1], seed=0)
    model.layers[0].sym_names[0][0] = "__import__('os')"
    model.save(tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="library"):
        KAN.load(tmp_path / "bad.pt")
    with pytest.raises(TypeError, match="path"):
        model.save(3)


# -------------------------------------------------------------------------------------- symbolic
def test_library_has_the_functions_readers_reach_for_and_sympy_agrees_with_torch():
    wanted = {"arcsin", "arccos", "arctan", "arctanh", "tanh", "sgn", "gaussian", "1/x", "1/x^2", "sqrt", "x^3", "x^4"}
    assert wanted <= set(SYMBOLIC_LIB) and len(SYMBOLIC_LIB) - 1 >= 25  # ("0" does not count)
    s = sympy.Symbol("s")
    x = torch.linspace(0.15, 0.85, 9, dtype=torch.float64)
    for name, fn in SYMBOLIC_LIB.items():
        expr = fn.sympy(s)
        ref = np.array([float(expr.subs(s, float(v))) for v in x]) if name != "0" else np.zeros(9)
        assert np.allclose(fn.torch(x).numpy(), ref, rtol=1e-12, atol=1e-12), name


def test_unfix_symbolic_restores_the_spline():
    model = KAN([2, 2, 1], seed=0, dtype=torch.float64, noise_scale=1.0)
    x = torch.rand(50, 2, dtype=torch.float64) * 2 - 1
    before = model(x)
    model.fix_symbolic(0, 1, 1, "sin")
    assert not torch.allclose(model(x), before)
    model.unfix_symbolic(0, 1, 1)
    assert torch.equal(model(x), before) and model.layers[0].sym_names[1][1] == "0"
    with pytest.raises(ValueError, match="i must be an integer from 0 to 1, got 2"):
        model.unfix_symbolic(0, 2, 0)


# ------------------------------------------------------------------------------------------ inputs
def test_prune_input_drops_an_unused_variable():
    ds = make_function_dataset(
        lambda x: torch.sin(torch.pi * x[:, [0]]) + x[:, [2]] ** 2, 3, n_train=200, n_test=100, dtype=torch.float64
    )
    model = KAN([3, 2, 1], seed=0, dtype=torch.float64)
    model.fit(ds, steps=10, lamb=0.01, progress=False)
    scores = model.input_scores()
    assert scores.shape == (3,) and scores[1] < 0.1 * min(scores[0], scores[2])
    small = model.prune_input(threshold=0.05)
    assert small.input_ids == [0, 2] and small.width[0] == 2
    assert torch.allclose(small(ds["test_input"][:, [0, 2]]), model(ds["test_input"]), atol=0.05)
    with pytest.raises(ValueError, match="threshold"):
        model.prune_input(threshold=-1)


def test_plot_labels_and_formulas():
    model = KAN([2, [1, 1], 1], seed=0, dtype=torch.float64)
    model.fix_symbolic(1, 0, 0, "sin")
    fig = model.plot(in_vars=["$a$", "$b$"], out_vars=["$f$"])
    axes = fig.axes + [child for ax in fig.axes for child in ax.child_axes]  # (edge curves are insets)
    texts = [t.get_text() for ax in axes for t in ax.texts] + [ax.get_title() for ax in axes]
    assert "$a$" in texts and "$b$" in texts and "$f$" in texts and "×" in texts
    assert any("sin(" in t and "x" in t for t in texts)  # the fixed edge shows its formula
    with pytest.raises(ValueError, match="in_vars"):
        model.plot(in_vars=["a"])


def test_plot_names_every_input_and_output_and_keeps_curves_apart():
    model = KAN([2, 5, 1], seed=0, dtype=torch.float64)
    fig = model.plot(torch.rand(50, 2, dtype=torch.float64))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"$x_{1}$", "$x_{2}$", "$y$"} <= set(texts)  # labelled by default
    assert {"$y_{1}$", "$y_{2}$"} <= {t.get_text() for t in KAN([2, 2], seed=0).plot().axes[0].texts}
    # the edges' curves (insets) do not overlap one another
    boxes = [child.get_position().bounds for child in fig.axes[0].child_axes]
    assert len(boxes) == 2 * 5 + 5 * 1
    for n, (x0, y0, w0, h0) in enumerate(boxes):
        for x1, y1, w1, h1 in boxes[n + 1 :]:
            overlap = min(x0 + w0, x1 + w1) - max(x0, x1), min(y0 + h0, y1 + h1) - max(y0, y1)
            assert min(overlap) <= 1e-9, "two edge curves overlap"
    # even the weakest edge keeps some ink
    assert min(line.get_alpha() for line in fig.axes[0].lines if line.get_alpha() is not None) >= 0.15


# ------------------------------------------------------------------------------------ product nodes
def test_width_spec_with_product_nodes():
    model = KAN([2, [1, 2], 1], seed=0)
    assert model.width == [2, [1, 2], 1] and [l.out_dim for l in model.layers] == [5, 1]
    x = torch.rand(7, 2)
    y = model.layers[0](x)
    nodes = torch.stack([y[:, 0], y[:, 1] * y[:, 2], y[:, 3] * y[:, 4]], 1)
    assert torch.allclose(model(x), model.layers[1](nodes))
    for bad in ([2, [0, 0], 1], [[1, 1], 1], [2, [1, -1], 1], [2, "3", 1]):
        with pytest.raises(ValueError, match="width|level|node"):
            KAN(bad)


def test_a_product_node_learns_x_times_y_exactly():
    ds = make_function_dataset(lambda x: x[:, [0]] * x[:, [1]], 2, n_train=200, n_test=200, dtype=torch.float64)
    model = KAN([2, [0, 1], 1], grid=5, seed=0, dtype=torch.float64)
    model.fit(ds, steps=20, lamb=1e-3, progress=False)
    small = model.prune()
    assert small.layers[0].mask.sum() == 2  # one variable per factor
    small.fit(ds, steps=10, progress=False)
    small.auto_symbolic(lib=["x", "x^2", "sin", "exp"])
    assert small.fit_constants(ds) < 1e-10
    x, y = sympy.symbols("x y")
    assert sympy.simplify(tidy(small.symbolic_formula(["x", "y"])[0]) - x * y) == 0


def exp_sin(v):
    return torch.exp(v[:, [0]]) * torch.sin(torch.pi * v[:, [1]])


@pytest.mark.parametrize("seed", [0, 1])
def test_chapter_23s_product_node_recipe_recovers_exp_times_sin(seed):
    """The recipe of chapter 23.5 (and of experiments/kan_product_nodes.py): 10 steps with the regulariser, prune,
    10 without; the library is cut to five candidates here to keep the test cheap."""
    import json
    from importlib.resources import files

    ds = make_function_dataset(exp_sin, 2, n_train=200, n_test=200, seed=0, dtype=torch.float64)
    model = KAN([2, [0, 1], 1], grid=5, seed=seed, dtype=torch.float64)
    model.fit(ds, steps=10, lamb=1e-3, progress=False)
    small = model.prune()
    h = small.fit(ds, steps=10, progress=False)
    assert small.width == [2, [0, 1], 1] and small.layers[0].mask.sum() == 2  # one variable per factor
    # the chapter fixes the edges the shipped study chose for this very network: it must be the same network
    study = json.loads((files("kan_edu") / "data_files" / "kan_product_nodes.json").read_text())
    stored = study["runs"]["product"][seed]
    assert stored["seed"] == seed and h["test_loss"][-1] == pytest.approx(stored["test_rmse"], rel=1e-6)
    chosen = small.auto_symbolic(lib=["x", "x^2", "exp", "sin", "tanh"])
    assert sorted(chosen.values()) == sorted(name for *_, name in stored["edges"]) == ["exp", "sin", "x"]
    assert small.fit_constants(ds) < 1e-10
    x, y = sympy.symbols("x y")
    assert sympy.simplify(tidy(small.symbolic_formula(["x", "y"])[0]) - sympy.exp(x) * sympy.sin(sympy.pi * y)) == 0


def test_the_product_node_study_ships_enough_seeds_of_both_networks():
    import json
    from importlib.resources import files

    study = json.loads((files("kan_edu") / "data_files" / "kan_product_nodes.json").read_text())
    assert study["widths"] == {"product": [2, [0, 1], 1], "sum": [2, 5, 1]}
    for kind in ("product", "sum"):
        runs = study["runs"][kind]
        assert [r["seed"] for r in runs] == list(range(len(runs))) and len(runs) >= 5
        assert all(r["n_params"] == KAN(r["width"]).n_params() for r in runs)  # the width as pruned, at G=5, k=3


# ------------------------------------------------------------------------------------ at the doors
def test_tidy_never_parses_text(capsys):
    """sympy.sympify parses a string by evaluating it as Python: tidy takes expressions only."""
    with pytest.raises(TypeError, match="expr must be a sympy expression or a number"):
        tidy("__import__('builtins').print('evaluated') or x")
    assert "evaluated" not in capsys.readouterr().out
    assert tidy(sympy.Float(3.14159265358979) * sympy.Symbol("x")) == sympy.pi * sympy.Symbol("x")
    assert tidy(0.5) == sympy.Rational(1, 2)


def test_load_names_the_path_of_a_file_that_is_not_a_kan(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    torch.save({"config": "{not json", "state": {}}, tmp_path / "config.pt")
    for name in ("notes.txt", "config.pt"):
        with pytest.raises(ValueError, match=f"path '.*{name}' is not a KAN saved by KAN.save"):
            KAN.load(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        KAN.load(tmp_path / "missing.pt")
    with pytest.raises(FileNotFoundError):
        KAN([1, 1]).save(tmp_path / "no" / "model.pt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.pt", "notes.txt"]


def test_sizes_that_would_only_exhaust_memory_are_refused():
    with pytest.raises(ValueError, match="width, grid and k ask for"):
        KAN([2, 10**5, 10**5])
    with pytest.raises(ValueError, match="in_dim, out_dim, grid and k ask for"):
        KANLayer(1000, 1000, grid=100)
    with pytest.raises(ValueError, match="n_grid and x ask for"):
        fit_affine(np.linspace(0, 1, 100), np.linspace(0, 1, 100), "x", n_grid=10**3)
    with pytest.raises(ValueError, match="zooms must be an integer from 0 to 30"):
        fit_affine(np.linspace(0, 1, 10), np.linspace(0, 1, 10), "x", zooms=10**6)


def test_an_empty_batch_gives_an_empty_output_and_methods_name_their_arguments():
    model = KAN([2, 3, 1], seed=0)
    assert model(torch.zeros(0, 2)).shape == (0, 1)
    with pytest.raises(TypeError, match="x must be a floating-point tensor"):
        model(torch.zeros(4, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="x is on meta but the model is on cpu"):
        model(torch.zeros(4, 2, device="meta"))
    with pytest.raises(ValueError, match=r"lib\[1\] must be one of"):
        model.suggest_symbolic(0, 0, 0, lib=["x", "sinus"])
    with pytest.raises(ValueError, match=r"dataset must be a dict with keys .* it lacks \('test_label',\)"):
        model.fit(
            {k: v for k, v in make_function_dataset(lambda x: x.sum(1), 2, n_train=8).items() if k != "test_label"}
        )
