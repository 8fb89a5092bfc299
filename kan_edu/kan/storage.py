"""kan_edu.kan.storage: saving a KAN to one file and loading it back, safely.

The file is written by ``torch.save`` and holds only tensors, numbers, strings and lists: the weights and
buffers (the state dict), the last training inputs, and the structure as a JSON string: widths, grids, order,
base functions, and each symbolic edge's library *name* (its four constants are tensors in the state dict).
Loading uses ``torch.load(weights_only=True)``, which refuses anything else (no pickled code), and rebuilds
every formula from the library by name: nothing is parsed or evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from .._validate import device, instance
from .symbolic import SYMBOLIC_LIB

__all__ = ["save", "load"]

FORMAT = "kan_edu.kan/1"


def _config(model) -> dict:
    return {
        "format": FORMAT,
        "width": model.width,
        "k": model.k,
        "seed": model.seed,
        "dtype": str(model.layers[0].coef.dtype).replace("torch.", ""),
        "layers": [
            {
                "in": l.in_dim,
                "out": l.out_dim,
                "grid": l.grid,
                "base_fn": l.base_fn,
                "grid_eps": l.grid_eps,
                "sym_names": l.sym_names,
            }
            for l in model.layers
        ],
        "input_ids": list(model.input_ids),
        "fresh": bool(model._fresh),
    }


def save(model, path) -> None:
    """Write ``model`` to ``path`` (one file; see the module's docstring for what it holds)."""
    instance("path", path, (str, Path), "a str or a pathlib.Path")
    state = {key: value.detach().cpu() for key, value in model.state_dict().items()}
    payload = {
        "config": json.dumps(_config(model)),
        "state": state,
        "samples": None if model.samples is None else model.samples.detach().cpu(),
    }
    with open(path, "wb") as f:  # (a missing folder is open's FileNotFoundError)
        torch.save(payload, f)


def load(cls, path, map_location="cpu"):
    """A ``cls`` (KAN) read back from a file written by :func:`save`.

    A file that is not one (another format, a damaged file, pickled code) raises a ValueError that names
    ``path``; a missing or unreadable file raises the OSError that ``open`` would.
    """
    instance("path", path, (str, Path), "a str or a pathlib.Path")
    map_location = device("map_location", map_location)
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except OSError:
        raise
    except Exception as err:  # noqa: BLE001 - whatever torch's unpickler says of a file that is not ours
        raise ValueError(f"path {str(path)!r} is not a KAN saved by KAN.save: {err}") from None
    try:
        return _rebuild(cls, payload)
    except (KeyError, IndexError, TypeError, ValueError, RuntimeError, AttributeError) as err:
        raise ValueError(f"path {str(path)!r} is not a KAN saved by KAN.save: {err}") from None


def _rebuild(cls, payload):
    """The model that ``payload`` (what :func:`save` wrote) describes."""
    if not isinstance(payload, dict) or "config" not in payload or "state" not in payload:
        raise ValueError("it holds no config and state")
    config = json.loads(payload["config"])
    if config.get("format") != FORMAT:
        raise ValueError(f"its format is {config.get('format')!r}, this version reads {FORMAT!r}")
    dtype = {"float32": torch.float32, "float64": torch.float64}.get(config["dtype"])
    if dtype is None:
        raise ValueError(f"its dtype {config['dtype']!r} is not float32 or float64")
    specs = config["layers"]
    model = cls(
        config["width"],
        grid=specs[0]["grid"],
        k=config["k"],
        seed=config["seed"],
        base_fn=specs[0]["base_fn"],
        dtype=dtype,
    )
    from .layer import KANLayer

    for l, spec in enumerate(specs):
        layer = KANLayer(
            spec["in"],
            spec["out"],
            grid=spec["grid"],
            k=config["k"],
            base_fn=spec["base_fn"],
            grid_eps=spec["grid_eps"],
            dtype=dtype,
        )
        names = spec["sym_names"]
        if (
            len(names) != spec["in"]
            or any(len(row) != spec["out"] for row in names)
            or any(n not in SYMBOLIC_LIB for row in names for n in row)
        ):
            raise ValueError(f"its layer {l} names symbolic functions outside the library or has the wrong shape")
        layer.sym_names = [list(row) for row in names]
        model.layers[l] = layer
    model.load_state_dict(payload["state"], strict=True)
    model.input_ids = [int(i) for i in config["input_ids"]]
    model._fresh = bool(config["fresh"])
    model.samples = payload["samples"]
    return model
