"""Local Sphinx extension of the kan_edu book (book/_ext/kan_edu_book.py).

Two small jobs that Jupyter Book 1 does not do on its own:

1. Launch buttons. The stock Colab and Binder buttons point at the page's source, ``book/NN-slug.md``,
   which Colab cannot open. Chapters are paired with ``notebooks/NN-slug.ipynb``; rewrite the buttons to
   open those, and drop the launch group on pages that have no notebook (intro, bibliography, ...).
2. Numbers by chapter. Chapter numbers are fixed by the file names (``book/03-...``) and some are still
   missing, so Sphinx's numbered toctree cannot number them; equation, exercise or figure k of chapter N
   is numbered ``N.k`` here, in the page and in every reference to it.
3. Scripts registered twice. sphinx-thebe adds its inline configuration script twice under Jupyter Book 1,
   and the second copy redeclares a ``const`` (a SyntaxError in every page's console); keep one copy.
4. Execution report. After the build, write ``_build/exec_stats.json`` with each executed page's run time
   and status (from myst-nb), so that the tests read the book's one execution instead of repeating it.
5. Glued values in the running text: a stylesheet (``book/_ext/static``) sets them in the text's weight.
6. Fresh outputs in incremental builds. ``tools/execute.py`` re-executes a chapter into the execution cache
   when kan_edu code it imports changes, although its source did not; Sphinx would keep the old page. A page
   whose cached execution is newer than the page's last read is read again.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes

CHAPTER = re.compile(r"(?:^|/)(\d\d)-[^/]+$")


def _rewrite_launch_buttons(app, pagename, templatename, context, doctree):
    buttons = context.get("header_buttons") or []
    root = Path(app.srcdir)
    stem = Path(pagename).name
    notebook = root / "notebooks" / f"{stem}.ipynb"
    for i, group in enumerate(list(buttons)):
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


def _drop_duplicate_scripts(app, exception):
    """Remove exact repeats of one-line inline scripts from the written pages."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
        seen, kept = set(), []
        for line in lines:
            if INLINE_SCRIPT.match(line):
                if line.strip() in seen:
                    continue
                seen.add(line.strip())
            kept.append(line)
        if len(kept) != len(lines):
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


def _add_static(app):
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    # The chapters' kernels inherit this process's environment: a book build draws the static frame players
    # (kan_edu.figures reads KAN_EDU_FIGURES), also when someone runs `jupyter-book build .` by hand.
    os.environ.setdefault("KAN_EDU_FIGURES", "static")
    app.connect("html-page-context", _rewrite_launch_buttons, priority=600)
    app.connect("build-finished", _drop_duplicate_scripts)
    app.connect("env-get-updated", _number_equations_by_chapter, priority=900)
    app.connect("build-finished", _write_exec_stats)
    app.connect("env-get-outdated", _reread_re_executed)
    app.connect("builder-inited", _add_static)
    app.add_css_file("kan_edu_book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
