"""kan_edu.glue: numbers in the prose that come from the run.

A chapter never types a computed result into its text. The code cell that computes it names it::

    glue("cnn-accuracy", accuracy, "{:.0%}")

and the prose refers to the name: ``the CNN reaches {glue:text}`cnn-accuracy` of the test set``. Three
readers see three things, and none of them a raw role or a blank:

* **the book** (Jupyter Book 1, myst-nb): the build executes the chapter, and myst-nb pastes the glued text
  where the role stands. A role whose name the run never glued fails the build (``-W``) and a test.
* **Colab and JupyterLab** (the paired ``notebooks/*.ipynb``): markdown cells are static there, so
  ``tools/notebooks.py`` writes the values of the last book build (kept in ``book/glue.json``) into the
  notebook's text. The chapters print the same numbers in every run (see ``tools/execute.py``), so the text
  and a reader's own run agree wherever the libraries agree.
* **the author**: ``glue`` returns nothing and prints nothing; print the value as well if the reader should
  see it next to the code.

Names are lower-case words joined by hyphens (``best-width``), unique within a chapter. The value is formatted
once, here, so the book and the notebook show the same characters: a ``str.format`` pattern (``"{:.2f}"``,
``"{:.0%}"``, ``"{:,}"``), ``"sci"`` for a power of ten as prose writes it (``6 × 10⁻¹¹``; ``"sci.1"`` keeps
one decimal: ``6.3 × 10⁻¹¹``), or by default ``{:.3g}`` for reals, the integer for integers and the text
itself for strings (``glue("winner", "the CNN")`` glues words, for a ranking that the run decides).
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import re

from ._validate import number

__all__ = ["glue", "format_value"]

NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCI = re.compile(r"^sci(?:\.(\d))?$")
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# myst-nb reads glued values from outputs carrying this metadata; the mime prefix hides them in the page.
_PREFIX = "application/papermill.record/"


def format_value(value, fmt: str | None = None) -> str:
    """The text that ``glue`` pastes for ``value``: checked (no NaN or inf), then formatted by ``fmt``."""
    if hasattr(value, "shape") and hasattr(value, "item"):  # numpy scalars, one-element arrays and tensors
        shape = tuple(value.shape)
        if math.prod(shape) != 1:
            raise ValueError(f"glue: value must be a single number or a string, got an array of shape {shape}")
        if getattr(getattr(value, "device", None), "type", "cpu") == "meta":
            raise ValueError("glue: value is a tensor on the meta device, which holds no number")
        value = value.item()
    if isinstance(value, bool):
        raise TypeError("glue: value is a bool; glue the words the prose should say instead (e.g. 'yes')")
    if isinstance(value, str):
        if fmt is not None:
            raise ValueError("glue: a format is for numbers; this value is already text")
        if not value.strip():
            raise ValueError("glue: value is empty text")
        return value
    number("glue: value", value)  # a number stated in the prose is finite (the value itself is kept: 3 stays int)
    if fmt is None:
        fmt = "{:d}" if isinstance(value, numbers.Integral) else "{:.3g}"
    if isinstance(fmt, str) and SCI.match(fmt):
        return _scientific(float(value), int(SCI.match(fmt).group(1) or 0))
    if not isinstance(fmt, str) or "{" not in fmt:
        raise ValueError(f"glue: fmt must be a str.format pattern such as '{{:.2f}}', got {fmt!r}")
    try:
        return fmt.format(value)
    except (ValueError, IndexError, KeyError) as err:
        raise ValueError(f"glue: fmt {fmt!r} cannot format {value!r}: {err}") from None


def _scientific(value: float, decimals: int) -> str:
    """``value`` as mantissa × 10 to a superscript power; a mantissa of exactly 1 is left out (``10⁻⁵``)."""
    mantissa, exponent = f"{value:.{decimals}e}".split("e")
    power = "10" + str(int(exponent)).translate(SUPERSCRIPT)
    if mantissa in ("1", "-1") or mantissa.rstrip("0").rstrip(".") in ("1", "-1"):
        return power if not mantissa.startswith("-") else "−" + power
    return f"{mantissa.replace('-', '−')} × {power}"


def glue(name: str, value, fmt: str | None = None) -> None:
    """Make ``value`` (formatted by ``fmt``) available to the prose as ``{glue:text}`name```.

    In a kernel that has myst-nb (the book build, ``make lab``) the text is stored as a hidden output that
    myst-nb pastes into the page; elsewhere (Colab) nothing is displayed: the notebook's text already carries
    the value of the book's build.
    """
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(f"glue: name must be lower-case words joined by hyphens (like 'best-width'), got {name!r}")
    text = format_value(value, fmt)
    if importlib.util.find_spec("myst_nb") is None:
        return None
    from IPython.display import display

    # text/plain holds the quoted literal, as IPython shows a str: myst-nb reads it back with literal_eval, so the
    # page gets the text itself (a bare "11,000" would come back as the tuple (11, 0))
    bundle = {_PREFIX + "text/plain": repr(text)}
    display(bundle, raw=True, metadata={"scrapbook": {"name": name, "mime_prefix": _PREFIX}})
    return None
