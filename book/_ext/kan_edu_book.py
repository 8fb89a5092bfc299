"""Local Sphinx extension of the kan_edu book (book/_ext/kan_edu_book.py).

Small jobs that Jupyter Book 1 does not do on its own:

1. Launch buttons. The stock Colab and Binder buttons point at the page's source, ``book/NN-slug.md``,
   which Colab cannot open. Chapters are paired with ``notebooks/NN-slug.ipynb``; rewrite the buttons to
   open those, and drop the launch group on pages that have no notebook (intro, bibliography, ...).
2. Numbers by chapter. Chapter numbers are fixed by the file names (``book/03-...``) and some are still
   missing, so Sphinx's numbered toctree cannot number them; equation, exercise or figure k of chapter N
   is numbered ``N.k`` here, in the page and in every reference to it.
3. Lighter pages. sphinx-thebe adds its inline configuration script twice under Jupyter Book 1, and the
   second copy redeclares a ``const`` (a SyntaxError in every page's console): keep one copy. The theme's
   1.5 MB icon script goes (its stylesheet draws the icons from a web font), and so does the search index
   except on the search page. Math is KaTeX's, on pages with math only (``katex_math.py``).
4. Execution report. After the build, write ``_build/exec_stats.json`` with each executed page's run time
   and status (from myst-nb), so that the tests read the book's one execution instead of repeating it.
5. Glued values in the running text: a stylesheet (``book/_ext/static``) sets them in the text's weight.
6. Fresh outputs in incremental builds. ``tools/execute.py`` re-executes a chapter into the execution cache
   when kan_edu code it imports changes, although its source did not; Sphinx would keep the old page. A page
   whose cached execution is newer than the page's last read is read again.
7. Figure players (``kan_edu.figures``): each player's frames leave the page for image files in
   ``_images/kanfig/`` (named by their content, so identical frames are stored once), which the page loads only
   when a control shows them; and each player gets its number, "Figure N.k", in its caption.
8. Search: British and American spellings find the same pages (``search_spelling.py``), and result snippets
   show prose, not code or TeX (``static/kan_edu_search.js``).
9. Bibliography labels in author-year style, like the citations (``author_year.py``).
10. The execution-statistics table names chapters by title and flags any over the 60 s budget.
11. One title and one search field: the landing page's tab shows the book's title once, and the theme's top bar,
    which held only a second search field, is hidden (``static/kan_edu_book.css``).
12. A hidden solution opens when its title is clicked, although the title links to its exercise
    (``static/kan_edu_solutions.js``).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes

CHAPTER = re.compile(r"(?:^|/)(\d\d)-[^/]+$")


def _solid_icons(buttons):
    """The repository button's GitHub logo comes from a 118 kB brand-icon font used for nothing else: draw it
    with a solid icon (the solid font loads anyway)."""
    for button in buttons:
        if "fa-github" in str(button.get("icon", "")):
            button["icon"] = "fa-solid fa-code-branch"
        _solid_icons(button.get("buttons", []))


def _rewrite_launch_buttons(app, pagename, templatename, context, doctree):
    buttons = context.get("header_buttons") or []
    _solid_icons(buttons)
    root = Path(app.srcdir)
    stem = Path(pagename).name
    notebook = root / "notebooks" / f"{stem}.ipynb"
    for group in list(buttons):
        if group.get("label") != "launch-buttons":
            continue
        if not notebook.exists():
            buttons.remove(group)
            continue
        for button in group.get("buttons", []):
            url = button.get("url")
            if not url:
                continue
            for suffix in (".md", ".ipynb"):
                url = url.replace(f"{pagename}{suffix}", f"notebooks/{stem}.ipynb")
            button["url"] = url


INLINE_SCRIPT = re.compile(r"^\s*<script>[^<]*</script>\s*$")
# The theme's 1.5 MB script that turns icon tags into SVG: its stylesheet draws the same icons from a web font.
ICON_SCRIPT = re.compile(r'^\s*<script[^>]*src="[^"]*/fontawesome\.js[^"]*"></script>\s*$')
# The search index and its tools, which the theme loads on every page for a search-as-you-type box that this
# book does not switch on (its search box opens search.html, which loads them itself).
SEARCH_SCRIPT = re.compile(r'^\s*<script src="[^"]*(searchtools\.js|language_data\.js|searchindex\.js)"></script>\s*$')


# A page whose title is the book's title (the landing page) would be named twice in its tab.
DOUBLE_TITLE = re.compile(r"<title>(?P<t>[^<]+?) &#8212; (?P=t)</title>")


def _lighten_pages(app, exception):
    """Edit the written pages: one copy of each one-line inline script, no icon script, the search index
    on the search page only, and a tab title that does not repeat itself."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
        search_page = page.name == "search.html"
        seen, kept = set(), []
        for line in lines:
            if ICON_SCRIPT.match(line) or (not search_page and SEARCH_SCRIPT.match(line)):
                continue
            if INLINE_SCRIPT.match(line):
                if line.strip() in seen:
                    continue
                seen.add(line.strip())
            kept.append(DOUBLE_TITLE.sub(r"<title>\g<t></title>", line))
        if kept != lines:
            page.write_text("".join(kept), encoding="utf-8")


def _number_equations_by_chapter(app, env):
    for docname in sorted(env.found_docs):
        match = CHAPTER.search(docname)
        if not match:
            continue
        chapter = int(match.group(1))
        fignumbers = env.toc_fignumbers.setdefault(docname, {})
        equations = {}
        for node in env.get_doctree(docname).findall(nodes.math_block):
            if node.get("number") and node.get("ids"):
                equations[node["ids"][0]] = (chapter, len(equations) + 1)
        fignumbers["displaymath"] = equations
        for figtype, numbers in fignumbers.items():  # exercises, figures, tables: keep their order
            if figtype != "displaymath":
                ordered = sorted(numbers, key=lambda node_id: numbers[node_id])
                fignumbers[figtype] = {node_id: (chapter, k + 1) for k, node_id in enumerate(ordered)}
    return []


def _write_exec_stats(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from myst_nb.sphinx_ import NbMetadataCollector

    stats = {}
    for docname in sorted(app.env.found_docs):
        data = NbMetadataCollector.get_exec_data(app.env, docname)
        if data:
            stats[docname] = {
                "runtime": data.get("runtime"),
                "succeeded": data.get("succeeded"),
                "method": data.get("method"),
                "error": data.get("error"),
            }
    out = Path(app.outdir).parent / "exec_stats.json"
    out.write_text(json.dumps(stats, indent=2), encoding="utf-8")


def _reread_re_executed(app, env, added, changed, removed):
    """Docnames whose notebook was executed into the cache after Sphinx last read them."""
    cache_dir = Path(app.outdir).parent / ".jupyter_cache"
    if not cache_dir.exists():
        return []
    from jupyter_cache import get_cache

    executed = {}
    for record in get_cache(str(cache_dir)).list_cache_records():
        when = (record.data or {}).get("executed_at")
        if when:
            executed[Path(record.uri).resolve()] = max(when, executed.get(Path(record.uri).resolve(), 0))
    stale = []
    for docname, read_at in env.all_docs.items():
        when = executed.get((Path(app.srcdir) / f"{docname}.md").resolve())
        if when and when * 1e6 > read_at and docname not in changed and docname not in added:
            stale.append(docname)
    return stale


PNG_DATA = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
PLAYER = re.compile(r'<figure class="kanfig" id="(kanfig-[0-9a-f]+)"')
NUMBER_SLOT = '<span class="kanfig-number"></span>'


def _unpack_figure_players(app, doctree, docname):
    """Frames of the figure players to image files, and "Figure N.k" into their captions."""
    if app.builder.format != "html":
        return
    import base64
    import hashlib

    from sphinx.util.osutil import relative_uri

    match = CHAPTER.search(docname)
    page_uri = app.builder.get_target_uri(docname)
    folder = Path(app.outdir) / "_images" / "kanfig"
    count = 0

    def to_file(m):
        png = base64.b64decode(m.group(1))
        name = hashlib.sha1(png).hexdigest()[:20] + ".png"
        path = folder / name
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
        return relative_uri(page_uri, f"_images/kanfig/{name}")

    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if 'class="kanfig"' not in text:
            continue
        for _ in PLAYER.findall(text):
            count += 1
            label = f"{int(match.group(1))}.{count}" if match else str(count)
            text = text.replace(
                NUMBER_SLOT, f'<span class="kanfig-number" id="figure-{label.replace(".", "-")}">Figure {label}. </span>', 1
            )
        text = PNG_DATA.sub(to_file, text)
        node.replace_self(nodes.raw("", text, format="html"))


BUDGET_SECONDS = 60  # a chapter's budget on one thread (CONTRIBUTING.md)


def _readable_exec_table(app, doctree, docname):
    """The execution-statistics table names each chapter by its title and flags a run over the budget."""
    for table in doctree.findall(nodes.table):
        head = [e.astext() for e in next(table.findall(nodes.thead), nodes.thead()).findall(nodes.entry)]
        if not head or head[0] != "Document" or not any(h.startswith("Run Time") for h in head):
            continue
        runtime_col = next(i for i, h in enumerate(head) if h.startswith("Run Time"))
        for row in next(table.findall(nodes.tbody)).findall(nodes.row):
            entries = list(row.findall(nodes.entry))
            for inline in entries[0].findall(nodes.inline):
                doc = inline.astext()
                if doc in app.env.titles:
                    inline.replace_self(nodes.inline(text=app.env.titles[doc].astext()))
            try:
                seconds = float(entries[runtime_col].astext())
            except ValueError:
                continue
            if seconds > BUDGET_SECONDS:
                para = next(entries[runtime_col].findall(nodes.paragraph))
                para += nodes.strong(text=f" over the {BUDGET_SECONDS} s budget")


def _add_static(app):
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    # The chapters' kernels inherit this process's environment: a book build draws the static frame players
    # (kan_edu.figures reads KAN_EDU_FIGURES), also when someone runs `jupyter-book build .` by hand.
    os.environ.setdefault("KAN_EDU_FIGURES", "static")
    app.connect("html-page-context", _rewrite_launch_buttons, priority=600)
    app.connect("build-finished", _lighten_pages)
    app.connect("env-get-updated", _number_equations_by_chapter, priority=900)
    app.connect("build-finished", _write_exec_stats)
    app.connect("env-get-outdated", _reread_re_executed)
    app.connect("builder-inited", _add_static)
    app.connect("doctree-resolved", _unpack_figure_players)
    app.connect("doctree-resolved", _readable_exec_table)
    app.add_css_file("kan_edu_book.css")
    app.add_js_file("kan_edu_search.js")
    app.add_js_file("kan_edu_solutions.js")
    app.setup_extension("search_spelling")
    app.setup_extension("katex_math")
    app.setup_extension("author_year")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
