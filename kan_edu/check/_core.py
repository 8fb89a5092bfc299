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

PASS, FAIL = "\u2714", "\u2718"


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
    both become a failed verdict with a helpful line, never an exception.
    """
    for what, test, hint in properties:
        try:
            ok = bool(test())
        except NotAnswered as err:
            message = f"{FAIL} {exercise}: not answered yet. {err or 'Replace the placeholder ... with your code.'}"
            _say(message)
            return Verdict(exercise, False, message)
        except Exception as err:  # the student's code raised: report it, do not crash the notebook
            message = (
                f"{FAIL} {exercise}: your code raised {_short_error(err)} while checking that {what}.\nHint: {hint}"
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
    out = fn(*args, **kwargs)
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


def scalar(x) -> float:
    """The one number in ``x`` as a float (see :func:`is_number`)."""
    return float(_to_numpy(x).reshape(-1)[0])
