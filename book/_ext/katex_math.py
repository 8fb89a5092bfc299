"""Math typeset by KaTeX in the reader's browser (book/_ext/katex_math.py).

Sphinx writes each formula into the page as TeX (``<span class="math">\\(...\\)</span>``, display math in a
``<div class="math">`` with its equation number). MathJax typeset them before; it costs 1.3 MB of script on
every page with math. KaTeX typesets the same TeX (all of the book's formulas, checked when this was written)
with a 0.3 MB script and a stylesheet whose fonts load only when used. This extension registers KaTeX as
Sphinx's HTML math renderer (the markup stays Sphinx's own) and adds the vendored KaTeX (``_vendor/katex``,
see ``tools/vendor.sh``) and ``static/kan_edu_math.js``, which typesets the formulas, only to pages that
have math.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.ext import mathjax

#: Where the vendored KaTeX lands in the site (html_extra_path copies _vendor/ to the site's root), written
#: relative to _static/ as Sphinx expects for its own assets.
KATEX = "../katex/"


def _add_katex(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or app.builder.math_renderer_name != "katex":
        return
    # the page's own doctree (the math domain's has_equations() is also true for pages that merely sit next to
    # an exercise with math in its title)
    if doctree is None or not any(doctree.findall(lambda node: isinstance(node, (nodes.math, nodes.math_block)))):
        return
    app.builder.add_css_file(KATEX + "katex.min.css")
    app.builder.add_js_file(KATEX + "katex.min.js", defer="defer")
    app.builder.add_js_file("kan_edu_math.js", defer="defer")


def setup(app):
    # the same markup as MathJax's renderer: TeX in \( \) and \[ \], equation numbers in span.eqno
    app.add_html_math_renderer(
        "katex",
        (mathjax.html_visit_math, None),
        (mathjax.html_visit_displaymath, None),
    )
    app.connect("html-page-context", _add_katex)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
