"""kan_edu._validate: the checks at the doors of the package (private).

A public function checks each argument once, where it comes in, with one of these; what it calls inside
trusts its inputs. Every check returns the value in the form the code uses (an ``int``, a ``float``, a float
array, ...) and, when the value will not do, raises an error whose message starts with the argument's name
and says what was expected and what came:

    size("width", 2.5)          ValueError: width must be a positive integer, got 2.5
    positive("lr", -1)          ValueError: lr must be a finite number > 0, got -1.0
    choice("norm", "batch", NORMS)   ValueError: norm must be one of ('paper', 'standard', 'none'), got 'batch'
    array("h", [[1, nan]], 2)   ValueError: h contains NaN or inf

A value of the wrong *type* raises :class:`ArgumentTypeError`, which is both a TypeError and a ValueError,
so callers that catch either keep working.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

#: Sizes above this are refused: they would only exhaust the memory (a typo, not an experiment).
MAX_SIZE = 10**7
#: Learning rates above this are refused: far beyond any that trains, and near 1e38 a float32 update overflows.
MAX_LR = 1e6


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type (a TypeError, and a ValueError for callers that catch that)."""


def _is_integral(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()


def _integers(minimum: int, maximum: int | None) -> str:
    if maximum is not None:
        return f"an integer from {minimum} to {maximum}"
    return {1: "a positive integer", 0: "a non-negative integer"}.get(minimum, f"an integer >= {minimum}")


def size(name: str, value, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer in [minimum, maximum] (1, 2, ...; 3.0 is accepted, True and 2.5 are not), at most MAX_SIZE."""
    what = _integers(minimum, maximum)
    if not _is_integral(value):
        raise (ArgumentTypeError if not isinstance(value, numbers.Real) else ValueError)(
            f"{name} must be {what}, got {_describe(value)}"
        )
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    if value > MAX_SIZE:
        raise ValueError(f"{name} must be at most {MAX_SIZE}, got {value!r}: too large")
    return value


def axis(name: str, value, ndim: int) -> int:
    """An axis of an array with ``ndim`` dimensions (negative counts from the end), as a non-negative int."""
    if not _is_integral(value) or isinstance(value, float):
        raise ArgumentTypeError(f"{name} must be an integer axis, got {_describe(value)}")
    if not -ndim <= int(value) < ndim:
        raise ValueError(f"{name} must be an axis of a {ndim}-D array (from {-ndim} to {ndim - 1}), got {value!r}")
    return int(value) % ndim


def sequence(name: str, value, min_length: int = 0, what: str = "items") -> list:
    """A list, tuple or other sized sequence (not a string or a dict) of at least ``min_length`` entries, as a
    list; ``what`` says what the entries are, for the message."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__") or not hasattr(value, "__iter__"):
        raise ArgumentTypeError(f"{name} must be a list of {what}, got {_describe(value)}")
    if len(value) < min_length:
        raise ValueError(f"{name} must list at least {min_length} {what}, got {_describe(value)}")
    return list(value)


def sizes(name: str, value, min_length: int = 1, minimum: int = 1) -> list[int]:
    """A sequence of at least ``min_length`` sizes (each as :func:`size`), such as a network's layer widths."""
    value = sequence(name, value, min_length, f"sizes ({_integers(minimum, None)} each)")
    return [size(f"{name}[{i}]", v, minimum) for i, v in enumerate(value)]


def number(
    name: str,
    value,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number in the interval from ``low`` to ``high`` (closed ends unless ``*_open``), as a float.

    ``low=0, low_open=True`` is "> 0"; ``low=0, high=1, high_open=True`` is "in [0, 1)".
    """
    if low is not None and high is not None:
        what = f"a finite number in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    elif low is not None:
        what = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        what = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        what = "a finite number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if _is_scalar_array(value):
            value = value.item()
        else:
            raise ArgumentTypeError(f"{name} must be {what}, got {_describe(value)}")
    value = float(value)
    ok = math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def random_seed(name: str, value, sequences: bool = True):
    """A seed for ``numpy.random.default_rng`` or ``torch.Generator.manual_seed``: an integer >= 0, or (unless
    ``sequences=False``, for torch) a sequence of them, returned as an int or a list of ints."""
    if _is_integral(value) and not isinstance(value, float):
        if int(value) < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        return int(value)
    if (
        sequences
        and isinstance(value, (list, tuple))
        and value
        and all(_is_integral(v) and not isinstance(v, float) for v in value)
    ):
        if min(int(v) for v in value) < 0:
            raise ValueError(f"{name} must hold integers >= 0, got {value!r}")
        return [int(v) for v in value]
    raise (ArgumentTypeError if not isinstance(value, numbers.Real) else ValueError)(
        f"{name} must be an integer >= 0, got {_describe(value)}"
    )


def total_size(names: str, value: int, what: str = "numbers") -> int:
    """A count that several sizes make together (a layer's in·out·(G+k) coefficients, say), at most MAX_SIZE;
    ``names`` says which arguments it comes from, for the message. One size at a time is :func:`size`'s job."""
    if value > MAX_SIZE:
        raise ValueError(f"{names} ask for {value:,} {what}, more than {MAX_SIZE:,}: too large")
    return value


def positive(name: str, value) -> float:
    """A finite number > 0 (a learning rate, a step, a tolerance)."""
    return number(name, value, low=0, low_open=True)


def non_negative(name: str, value) -> float:
    """A finite number >= 0 (a noise level, a penalty)."""
    return number(name, value, low=0)


def ordered(lo_name: str, lo, hi_name: str, hi) -> tuple[float, float]:
    """Two finite numbers, given as separate arguments, with lo < hi."""
    lo, hi = number(lo_name, lo), number(hi_name, hi)
    if not lo < hi:
        raise ValueError(f"{lo_name} must be less than {hi_name}, got {lo_name}={lo!r} and {hi_name}={hi!r}")
    return lo, hi


def interval(name: str, value) -> tuple[float, float]:
    """A pair ``(lo, hi)`` of finite numbers with lo < hi."""
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{name} must be a pair (lo, hi), got {_describe(value)}") from None
    lo, hi = number(f"{name}[0]", lo), number(f"{name}[1]", hi)
    if not lo < hi:
        raise ValueError(f"{name} must be (lo, hi) with lo < hi, got {value!r}")
    return lo, hi


def choice(name: str, value, choices) -> Any:
    """One of ``choices`` (compared with ==; strings only match strings)."""
    choices = tuple(choices)
    try:
        ok = value in choices and (not isinstance(choices[0], str) or isinstance(value, str))
    except (TypeError, ValueError):  # an array compared with each choice
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {choices}, got {_describe(value)}")
    return value


def instance(name: str, value, types, what: str) -> Any:
    """An instance of ``types`` (a type or a tuple of them); ``what`` describes them for the message."""
    if not isinstance(value, types):
        raise ArgumentTypeError(f"{name} must be {what}, got {_describe(value)}")
    return value


def strings(name: str, value, length: int | None = None) -> list[str]:
    """A list of strings (labels, variable names), of ``length`` entries when that is given."""
    value = sequence(name, value, what="strings")
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must list {length} strings, got {len(value)}")
    for i, v in enumerate(value):
        instance(f"{name}[{i}]", v, str, "a string")
    return value


def mapping(name: str, value, keys) -> dict:
    """A dict (or other mapping) that holds at least ``keys``, as a dict."""
    from collections.abc import Mapping

    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{name} must be a dict with keys {tuple(keys)}, got {_describe(value)}")
    missing = [key for key in keys if key not in value]
    if missing:
        raise ValueError(f"{name} must be a dict with keys {tuple(keys)}, it lacks {tuple(missing)}")
    return dict(value)


def function(name: str, value, signature: str = "") -> Any:
    """A callable."""
    if not callable(value):
        raise ArgumentTypeError(
            f"{name} must be a function{' ' + signature if signature else ''}, got {_describe(value)}"
        )
    return value


def flag(name: str, value) -> bool:
    """True or False (numpy booleans too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def array(
    name: str,
    a,
    ndim: int | tuple[int, ...] | None = None,
    *,
    empty: bool = True,
    finite: bool = True,
    shape: tuple | None = None,
    like: str | None = None,
    low: float | None = None,
    high: float | None = None,
    integral: bool = False,
    low_open: bool = False,
) -> np.ndarray:
    """``a`` (a number, nested lists, an array or a CPU tensor) as a float64 numpy array.

    ``ndim`` is the allowed dimension(s); ``empty=False`` refuses arrays with no entries; ``finite`` refuses NaN and
    inf; ``shape`` is the exact shape wanted (``None`` entries match any length; ``like`` names the argument it
    comes from, for the message); every entry must lie in
    [``low``, ``high``] (above ``low`` with ``low_open``) and, with ``integral``, be a whole number.
    """
    a = _as_float_array(name, a)
    if ndim is not None and a.ndim not in np.atleast_1d(ndim):
        allowed = " or ".join(f"{n}-D" for n in np.atleast_1d(ndim))
        raise ValueError(f"{name} must be {allowed}, got shape {a.shape}")
    if shape is not None:
        _shape(name, a.shape, shape, like)
    if not empty and a.size == 0:
        raise ValueError(f"{name} is empty, got shape {a.shape}")
    if finite and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    below = low is not None and bool(np.any(a <= low) if low_open else np.any(a < low))
    if below or (high is not None and np.any(a > high)) or (integral and np.any(a != np.round(a))):
        what = "integers" if integral else "numbers"
        opening, above = ("(", ">") if low_open else ("[", ">=")
        where = (
            f"in {opening}{low:g}, {high:g}]"
            if low is not None and high is not None
            else (f"{above} {low:g}" if low is not None else f"<= {high:g}" if high is not None else "")
        )
        raise ValueError(f"{name} must hold {what} {where}".rstrip() + f", got {_describe(a)}")
    return a


#: The name the numpy modules have always used.
finite_array = array


def same_length(names: str, *arrays) -> int:
    """The common length (first axis) of ``arrays``; ``names`` says which arguments they are, for the message."""
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"{names} must have the same length, got {', '.join(map(str, lengths))}")
    return lengths[0]


def tensor(
    name: str,
    t,
    ndim: int | tuple[int, ...] | None = None,
    *,
    floating: bool = False,
    finite: bool = True,
    device=None,
    empty: bool = True,
    values: bool = False,
    shape: tuple | None = None,
    owner: str = "the model",
):
    """A torch tensor of the given dimension(s); ``floating`` asks for a floating dtype, ``device`` for a device
    (``owner`` says whose device it is, for the message), ``shape`` for a shape as in :func:`array`.

    NaN and inf are refused in floating tensors (``finite``); meta tensors (which hold no values) are not
    inspected for them, unless ``values`` says that the caller reads the values: then they are refused.
    """
    import torch

    if not isinstance(t, torch.Tensor):
        raise ArgumentTypeError(f"{name} must be a torch tensor, got {_describe(t)}")
    if values and t.device.type == "meta":
        raise ValueError(f"{name} is a tensor on the meta device, which holds no values")
    if ndim is not None and t.ndim not in np.atleast_1d(ndim):
        allowed = " or ".join(f"{n}-D" for n in np.atleast_1d(ndim))
        raise ValueError(f"{name} must be {allowed}, got shape {tuple(t.shape)}")
    if shape is not None:
        _shape(name, tuple(t.shape), shape, None)
    if floating and not t.is_floating_point():
        raise ArgumentTypeError(f"{name} must be a floating-point tensor, got dtype {t.dtype}")
    if not empty and t.numel() == 0:
        raise ValueError(f"{name} is empty, got shape {tuple(t.shape)}")
    if device is not None:
        same_device(name, t, device, owner)
    if finite and t.is_floating_point() and t.device.type != "meta" and not _all_finite(t):
        raise ValueError(f"{name} contains NaN or inf")
    return t


def _all_finite(t) -> bool:
    """Whether a floating tensor holds no NaN or inf. Its sum is finite exactly when they are absent, unless
    large finite values overflow it: one reduction answers the usual case, and only a non-finite sum pays for
    the element-wise test (a third of a millisecond on a 1024x64 batch, as much as a small layer's step)."""
    import torch

    return bool(torch.isfinite(t.detach().sum())) or bool(torch.isfinite(t).all())


def module(name: str, value):
    """A torch.nn.Module (a model)."""
    import torch

    if not isinstance(value, torch.nn.Module):
        raise ArgumentTypeError(f"{name} must be a torch.nn.Module, got {_describe(value)}")
    return value


def floating_dtype(name: str, value):
    """A floating-point torch dtype (torch.float32, torch.float64, ...)."""
    import torch

    if not isinstance(value, torch.dtype) or not value.is_floating_point:
        raise ArgumentTypeError(f"{name} must be a floating-point torch dtype such as torch.float64, got {value!r}")
    return value


def device(name: str, value):
    """A torch device, or what names one ("cpu", "cuda:0"), as a ``torch.device``."""
    import torch

    if not isinstance(value, (str, torch.device)):
        raise ArgumentTypeError(f"{name} must be a torch device such as 'cpu', got {_describe(value)}")
    try:
        return torch.device(value)
    except RuntimeError:
        raise ValueError(f"{name} must name a torch device such as 'cpu' or 'cuda:0', got {value!r}") from None


def generator(name: str, value):
    """None or a torch.Generator."""
    import torch

    if value is not None and not isinstance(value, torch.Generator):
        raise ArgumentTypeError(f"{name} must be a torch.Generator or None, got {_describe(value)}")
    return value


def same_device(name: str, t, device, owner: str = "the model") -> None:
    """``t`` lives on ``device`` (the model's, or another argument's: ``owner`` says whose)."""
    import torch

    device = torch.device(device)
    if t.device != device:
        raise ValueError(f"{name} is on {t.device} but {owner} is on {device}: move one of them (.to(device))")


def _shape(name: str, got: tuple, shape: tuple, like: str | None) -> None:
    """``got`` matches ``shape`` (``None`` entries match any length)."""
    if len(got) != len(shape) or any(s is not None and s != n for s, n in zip(shape, got)):
        wanted = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        source = f" (from {like})" if like else ""
        raise ValueError(f"{name} must have shape {wanted}{source}, got shape {got}")


def _as_float_array(name: str, a) -> np.ndarray:
    if hasattr(a, "detach") and hasattr(a, "device"):  # a torch tensor
        if a.device.type == "meta":
            raise ValueError(f"{name} is a tensor on the meta device, which holds no values")
        a = a.detach().cpu().numpy()
    if isinstance(a, (str, bytes)) or isinstance(a, dict) or a is None:
        raise ArgumentTypeError(f"{name} must be an array of numbers, got {_describe(a)}")
    try:
        out = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{name} must be an array of real numbers, got {_describe(a)}") from None
    if out.size > MAX_SIZE * 10:
        raise ValueError(f"{name} has {out.size} entries: too large")
    return out


def _is_scalar_array(value) -> bool:
    """A one-element numpy array or CPU tensor of real numbers (what ``float(value)`` reads without surprise)."""
    if isinstance(value, np.ndarray):
        return value.size == 1 and value.dtype.kind in "iuf"
    if hasattr(value, "detach") and hasattr(value, "device"):  # a torch tensor
        real = value.dtype.is_floating_point or str(value.dtype).startswith(("torch.int", "torch.uint"))
        return value.numel() == 1 and value.device.type != "meta" and real
    return False


def _describe(value) -> str:
    """What came, for a message: short reprs of small values, the type of anything else."""
    if value is None or isinstance(value, (bool, numbers.Number, str)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    kind = type(value).__name__
    kind = f"{'an' if kind[0].lower() in 'aeiou' else 'a'} {kind}"
    shape = getattr(value, "shape", None)
    return f"{kind} of shape {tuple(shape)}" if shape is not None else kind
