"""kan_edu.check._core: the machinery every exercise check uses.

A check tests *properties* of a student's answer, one at a time, and prints one line: a tick when all hold,
or the first property that failed with a hint towards it. It never prints the reference answer and never
raises on a wrong answer: an exception inside the student's code is reported as a failed property.
The verdict is also returned (truthy when passed) so that tests and autograders can use it.
"""

from __future__ import annotations

import textwrap
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Callable

PASS, FAIL, PREVIEW = "\u2714", "\u2718", "\u25b6"


def in_book_build() -> bool:
    """True while the book build executes a chapter for its static pages (``KAN_EDU_FIGURES=static``)."""
    import os

    return os.environ.get("KAN_EDU_FIGURES", "").strip().lower() == "static"


@dataclass(frozen=True)
class Verdict:
    """What a check concluded. Truthy when every property held. Displays as nothing (the line is printed)."""

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self):  # the verdict line was printed already; show nothing more
        return None

    def __str__(self) -> str:
        return self.message


class NotAnswered(Exception):
    """Raised inside a property when the placeholder is still in place (``...``, ``None``)."""


class StudentError(Exception):
    """An exception raised inside the student's function, wrapped by :func:`answer` (the original is its cause).

    It tells an error in the student's code ("your code raised") apart from an error in the check's own code,
    which :func:`run` reports as such instead of blaming the student.
    """


def is_placeholder(value: Any) -> bool:
    return value is None or value is Ellipsis


def _short_error(err: BaseException) -> str:
    frame = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
    where = f" (line {frame.lineno})" if frame and frame.filename.startswith("<") else ""
    return f"{type(err).__name__}: {err}{where}"


def _say(message: str) -> str:
    """Print a verdict wrapped to the width of a notebook output (long lines scroll out of sight)."""
    text = "\n".join(textwrap.fill(part, width=88, subsequent_indent="  ") for part in message.split("\n"))
    print(text)
    return message


def run(exercise: str, properties: Iterable[tuple[str, Callable[[], bool], str]]) -> Verdict:
    """Check ``properties`` in order; each is ``(what it means, test() -> bool, hint if it fails)``.

    ``test`` may raise :class:`NotAnswered` (placeholder left in place) or any error from the student's code;
    both become a failed verdict with a helpful line, never an exception. In the book build (the static
    pages, where nobody can run the cell) a placeholder gets no red cross: the line says what the check will
    test once the reader runs it with an answer.
    """
    properties = list(properties)
    for what, test, hint in properties:
        try:
            ok = bool(test())
        except NotAnswered as err:
            if in_book_build():
                tests = "; that ".join(w for w, _, _ in properties)
                message = (
                    f"{PREVIEW} {exercise}: run this cell with your answer (in Colab or Jupyter) to check that {tests}."
                )
                _say(message)
                return Verdict(exercise, False, message)
            message = f"{FAIL} {exercise}: not answered yet. {err or 'Replace the placeholder ... with your code.'}"
            _say(message)
            return Verdict(exercise, False, message)
        except StudentError as wrapped:  # the student's code raised: report it, do not crash the notebook
            err = wrapped.__cause__ or wrapped
            message = (
                f"{FAIL} {exercise}: your code raised {_short_error(err)} while checking that {what}.\nHint: {hint}"
            )
            _say(message)
            return Verdict(exercise, False, message)
        except Exception as err:  # the check's own code raised, on what the student's function returned
            message = (
                f"{FAIL} {exercise}: the check could not use what your function returned, while checking that "
                f"{what} ({type(err).__name__}: {err}). Look at the type and shape of your result; if they are "
                f"what the exercise asks for, the fault is in the check itself: please report it.\nHint: {hint}"
            )
            _say(message)
            return Verdict(exercise, False, message)
        if not ok:
            message = f"{FAIL} {exercise}: expected that {what}.\nHint: {hint}"
            _say(message)
            return Verdict(exercise, False, message)
    message = f"{PASS} {exercise}: all checks passed."
    _say(message)
    return Verdict(exercise, True, message)


def answer(fn: Callable, *args, **kwargs):
    """Call the student's function; a placeholder result (None / ...) becomes :class:`NotAnswered`."""
    if fn is None or fn is Ellipsis:
        raise NotAnswered("Define the function first.")
    if not callable(fn):
        raise NotAnswered(f"Expected a function, got {type(fn).__name__}.")
    try:
        out = fn(*args, **kwargs)
    except NotAnswered:
        raise
    except Exception as err:
        raise StudentError(type(err).__name__) from err
    if is_placeholder(out):
        raise NotAnswered("Your function returns nothing yet: replace the ... with your code.")
    return out


def value(x, name: str = "your answer"):
    """A student's value, with the placeholder turned into :class:`NotAnswered`."""
    if is_placeholder(x):
        raise NotAnswered(f"Set {name} (it is still the placeholder).")
    return x


def close(a, b, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """``a`` and ``b`` have the same shape and are close, for numbers, numpy arrays and torch tensors."""
    import numpy as np

    a = _to_numpy(a)
    b = _to_numpy(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def _to_numpy(x):
    import numpy as np

    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=float)


def is_number(x) -> bool:
    """``x`` holds exactly one number (a Python float, a 0-D or one-element array or tensor)."""
    import numpy as np

    return np.size(_to_numpy(x)) == 1


def is_count(v) -> bool:
    """``v`` is one whole number: a Python or numpy integer, or a real number with no fractional part (not a bool,
    not a string, not several numbers)."""
    import numpy as np

    a = np.asarray(v)
    if a.dtype == bool or a.size != 1 or not np.issubdtype(a.dtype, np.number):
        return False
    x = a.reshape(-1)[0]
    return bool(np.issubdtype(a.dtype, np.integer) or (np.isfinite(x) and float(x).is_integer()))


def count_value(v):
    """The whole number in ``v`` as an int, or None when ``v`` is not one (see :func:`is_count`): comparing it
    with the right count then fails instead of truncating 3.7 to 3."""
    import numpy as np

    return int(np.asarray(v).reshape(-1)[0]) if is_count(v) else None


def scalar(x) -> float:
    """The one number in ``x`` as a float (see :func:`is_number`)."""
    return float(_to_numpy(x).reshape(-1)[0])


# ------------------------------------------------------------------ properties that recur across chapters
# Predicates for use inside :func:`run`'s properties. They raise on broken student code (``run`` reports it) and
# are deterministic: anything random is drawn by the caller from a fixed seed, so a check never flakes.
def equivariant(f: Callable, x, transform_in: Callable, transform_out: Callable | None = None, rtol=1e-5, atol=1e-7):
    """``f(transform_in(x))`` equals ``transform_out(f(x))`` (``transform_out`` defaults to ``transform_in``).

    Equivariance, e.g. shifting the input of a convolution or permuting the nodes of a graph; pass
    ``transform_out=lambda y: y`` for invariance (a readout, a pooled feature).
    """
    transform_out = transform_in if transform_out is None else transform_out
    return close(f(transform_in(x)), transform_out(f(x)), rtol=rtol, atol=atol)


def matches_autograd(grad: Callable, f: Callable, x, rtol=1e-4, atol=1e-6) -> bool:
    """``grad(x)`` equals the gradient of the scalar ``f`` at ``x``, as torch's autograd computes it in float64.

    ``f`` must be written with torch operations; ``x`` may be numpy or torch (``grad`` gets it as given).
    """
    import torch

    t = torch.as_tensor(_to_numpy(x), dtype=torch.float64).requires_grad_(True)
    (reference,) = torch.autograd.grad(f(t).sum(), t)
    return close(grad(x), reference, rtol=rtol, atol=atol)


def is_distribution(p, axis: int = -1, atol: float = 1e-6) -> bool:
    """``p`` holds finite, non-negative numbers that sum to 1 along ``axis`` (each row of a softmax, a policy)."""
    import numpy as np

    p = _to_numpy(p)
    if p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < -atol):
        return False
    return bool(np.allclose(p.sum(axis=axis), 1.0, rtol=0.0, atol=atol))


def unbiased(estimates, truth, sigmas: float = 5.0) -> bool:
    """The mean of ``estimates`` (many independent draws of a stochastic estimator) lies within ``sigmas``
    standard errors of ``truth``. With a fixed seed the verdict is fixed; 5 standard errors is a false alarm
    about once in 1.7 million for an unbiased estimator, while a biased one fails once its bias exceeds them.
    """
    import numpy as np

    e = _to_numpy(estimates).reshape(-1)
    if e.size < 2 or not np.all(np.isfinite(e)):
        return False
    standard_error = e.std(ddof=1) / np.sqrt(e.size)
    return bool(abs(e.mean() - scalar(truth)) <= sigmas * standard_error + 1e-12 * max(1.0, abs(scalar(truth))))


def is_float64(x, array: bool = False) -> bool:
    """``x`` holds double-precision numbers (a Python float, numpy float64); with ``array``, ``x`` must also be a
    numpy array, not a list. Rounding to float32 loses about half of the digits the checks compare."""
    import numpy as np

    if array and not isinstance(x, np.ndarray):
        return False
    return np.asarray(x).dtype == np.float64
