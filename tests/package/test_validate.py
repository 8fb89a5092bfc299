"""kan_edu._validate: the words added for the KAN library's doors, each with what it accepts and what it refuses.

The older words are exercised through every public function by tests/package/test_fuzz.py.
"""

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from kan_edu import _validate as v


def test_total_size_bounds_a_product_of_sizes_and_names_its_arguments():
    assert v.total_size("width and grid", v.MAX_SIZE) == v.MAX_SIZE
    with pytest.raises(ValueError, match=r"width and grid ask for 10,000,001 coefficients, more than 10,000,000"):
        v.total_size("width and grid", v.MAX_SIZE + 1, "coefficients")


def test_device_takes_names_and_devices():
    assert v.device("map_location", "cpu") == torch.device("cpu")
    assert v.device("map_location", torch.device("meta")) == torch.device("meta")
    with pytest.raises(ValueError, match="map_location must name a torch device"):
        v.device("map_location", "gpu7")
    with pytest.raises(TypeError, match="map_location must be a torch device"):
        v.device("map_location", 3)


def test_sequence_strings_instance_and_mapping():
    assert v.sequence("lib", ("x", "sin"), 1) == ["x", "sin"]
    for bad in ("sin", b"x", {"a": 1}, 3, None):
        with pytest.raises(TypeError, match="lib must be a list"):
            v.sequence("lib", bad)
    with pytest.raises(ValueError, match="lib must list at least 1 names"):
        v.sequence("lib", [], 1, "names")
    assert v.strings("in_vars", ["a", "b"], 2) == ["a", "b"]
    with pytest.raises(ValueError, match="in_vars must list 2 strings, got 1"):
        v.strings("in_vars", ["a"], 2)
    with pytest.raises(TypeError, match=r"in_vars\[1\] must be a string, got 3"):
        v.strings("in_vars", ["a", 3])
    assert v.instance("path", Path("m.pt"), (str, Path), "a path") == Path("m.pt")
    with pytest.raises(TypeError, match="path must be a path, got 3"):
        v.instance("path", 3, (str, Path), "a path")
    assert v.mapping("dataset", {"a": 1, "b": 2}, ("a",)) == {"a": 1, "b": 2}
    with pytest.raises(ValueError, match=r"dataset must be a dict with keys \('a', 'c'\), it lacks \('c',\)"):
        v.mapping("dataset", {"a": 1}, ("a", "c"))
    with pytest.raises(TypeError, match="dataset must be a dict"):
        v.mapping("dataset", [("a", 1)], ("a",))


def test_tensor_shape_values_and_whose_device():
    x = torch.zeros(4, 2)
    assert v.tensor("x", x, 2, shape=(None, 2)) is x
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\), got shape \(4, 2\)"):
        v.tensor("x", x, 2, shape=(None, 3))
    assert v.tensor("x", x.to("meta"), 2).device.type == "meta"  # shapes only: allowed
    with pytest.raises(ValueError, match="x is a tensor on the meta device, which holds no values"):
        v.tensor("x", x.to("meta"), 2, values=True)
    with pytest.raises(ValueError, match="knots is on meta but x is on cpu"):
        v.tensor("knots", x.to("meta"), device="cpu", owner="x")


def test_random_seed_for_torch_refuses_sequences():
    assert v.random_seed("seed", [1, 2]) == [1, 2]  # numpy takes sequences
    assert v.random_seed("seed", 7, sequences=False) == 7
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        v.random_seed("seed", [1, 2], sequences=False)


def test_array_shape_message_is_shared_with_tensor():
    with pytest.raises(ValueError, match=r"v must have shape \(3,\) \(from theta\), got shape \(2,\)"):
        v.array("v", np.ones(2), shape=(3,), like="theta")
    assert math.isfinite(v.array("v", [1.0, 2.0], shape=(2,)).sum())


def test_tensor_finiteness_survives_a_sum_that_overflows():
    # the check sums first and looks element by element only when the sum is not finite
    big = torch.full((4,), 3e38)  # finite in float32, its sum is not
    assert v.tensor("x", big) is big
    for bad in (math.nan, math.inf, -math.inf):
        for values in ([1.0, bad], [3e38, 3e38, bad], [math.inf, -math.inf]):
            with pytest.raises(ValueError, match="NaN or inf"):
                v.tensor("x", torch.tensor(values))
