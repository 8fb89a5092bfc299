"""tools/notebooks.py: the chapters' notebooks, made from their MyST sources.

``book/NN-slug.md`` (MyST markdown, jupytext's text format) is the source of truth. This script makes:

* ``notebooks/NN-slug.ipynb``, committed without outputs, which Colab, Binder and JupyterLab open. Colab does
  not render MyST, so directives become plain Markdown there (an exercise becomes a bold heading, a citation
  ``[key]``, an equation reference ``(label)``); the code cells are the same as in the book.
* a student copy (``student`` command) with every solution removed: ``{solution}`` blocks and everything from
  ``{solution-start}`` to ``{solution-end}``, code cells included.

It also holds the one place that writes the repository into every chapter's Colab install cell: the URL and
the branch (or tag) are read from ``_config.yml`` (``repository.url``, ``repository.branch``), so a notebook
opened from a commit installs the ``kan_edu`` of that same branch: ``pip install "kan_edu @ git+URL@BRANCH"``.

Numbers glued from the run (``kan_edu.glue``) appear in the book through myst-nb. Colab shows markdown as it
is, so the notebook's text gets the values of the last book build instead of the ``{glue:text}`name``` role:
``make book`` collects them from the executed chapters into ``book/glue/NN-slug.json`` (``glue`` command) and
syncs; ``tools/run_chapter.py --update-glue`` does the same for the chapters it runs.

Usage::

    python tools/notebooks.py sync            # rewrite install cells and notebooks/*.ipynb
    python tools/notebooks.py sync --before-build   # install cells and new notebooks only (make book)
    python tools/notebooks.py check           # exit 1 and list what is out of sync (tests call this)
    python tools/notebooks.py student DIR     # write student notebooks into DIR
    python tools/notebooks.py glue [BUILD]    # glued values from BUILD (_build) into book/glue/, then sync
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    import nbformat

# jupytext and nbformat take about 2 s to import: they are imported where a notebook is made, so that
# `sync --before-build` (which usually makes none) stays quick.

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_GLOB = "[0-9][0-9]-*.md"
FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}\s*(?P<arg>.*)$")
INSTALL = re.compile(r'"kan_edu @ git\+[^"]*"')
# {glue}`name`, {glue:text}`name`, {glue:text}`name:.2f`, {glue:md}`name` (myst-nb's inline roles)
GLUE_ROLE = re.compile(r"\{glue(?::(?P<kind>any|text|md))?\}`(?P<name>[\w-]+)(?::(?P<fmt>[^`]*))?`")
GLUE_DIR = "book/glue"


def repository_url(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    url = (config.get("repository") or {}).get("url")
    if not url:
        raise SystemExit("_config.yml has no repository.url")
    return url.rstrip("/")


def repository_branch(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return str((config.get("repository") or {}).get("branch") or "main")


def install_source(root: Path = ROOT) -> str:
    """What the Colab install cell installs from: ``URL@BRANCH`` (pip's git syntax; a tag works too)."""
    return f"{repository_url(root)}@{repository_branch(root)}"


def chapters(root: Path = ROOT) -> list[Path]:
    return sorted((root / "book").glob(CHAPTER_GLOB))


def with_install_url(text: str, url: str) -> str:
    """The chapter text with its Colab install cell pointing at ``url`` (``install_source()``: URL@BRANCH)."""
    return INSTALL.sub(f'"kan_edu @ git+{url}"', text)


# -------------------------------------------------------------------------------- glued values
def glue_names(text: str) -> list[str]:
    """The glued names that a chapter's prose refers to, in order of first use."""
    return list(dict.fromkeys(m.group("name") for m in GLUE_ROLE.finditer(text)))


def load_glue(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """``{chapter stem: {name: text}}`` from ``book/glue/*.json`` (values of the last build)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted((root / GLUE_DIR).glob("*.json"))
    }


def glue_from_notebook(nb) -> dict[str, str]:
    """The glued texts of an executed notebook (outputs that ``kan_edu.glue.glue`` or myst-nb's glue made)."""
    values = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            meta = (out.get("metadata") or {}).get("scrapbook")
            if meta:
                prefix = meta.get("mime_prefix", "")
                text = _glued_text({k[len(prefix) :]: v for k, v in (out.get("data") or {}).items()})
                if text is not None:
                    values[meta["name"]] = text
    return values


def _glued_text(data: dict) -> str | None:
    """The text a page shows for one glued mime bundle: its markdown, else its plain text as myst-nb reads it."""
    text = data.get("text/markdown", data.get("text/plain"))
    if isinstance(text, list):
        text = "".join(text)
    if text is None or "text/markdown" in data:
        return text
    return _as_pasted(text)


def _as_pasted(plain: str) -> str:
    """What myst-nb pastes for a text/plain value: the Python literal read back (a quoted string loses its
    quotes), else the text as it is."""
    try:
        return str(ast.literal_eval(plain))
    except (SyntaxError, ValueError):
        return plain


def collect_glue(build: Path, root: Path = ROOT) -> dict[str, dict[str, str]]:
    """Glued values of every chapter that the build rendered (myst-nb writes ``jupyter_execute/*.glue.json``:
    it strips the hidden glue outputs from the executed notebooks it keeps)."""
    found = {}
    for md in chapters(root):
        path = build / "jupyter_execute" / "book" / f"{md.stem}.glue.json"
        if path.exists():
            outputs = json.loads(path.read_text(encoding="utf-8"))
            texts = {name: _glued_text(out.get("data") or {}) for name, out in outputs.items()}
            found[md.stem] = dict(sorted((k, v) for k, v in texts.items() if v is not None))
    return found


def save_glue(stem: str, values: dict[str, str], root: Path = ROOT) -> bool:
    """Write one chapter's glued values to ``book/glue/<stem>.json`` (sorted); True when they changed."""
    path = root / GLUE_DIR / f"{stem}.json"
    text = json.dumps(dict(sorted(values.items())), indent=1, ensure_ascii=False) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def paste_glue(text: str, values: dict[str, str], where: str = "", missing: str | None = None) -> str:
    """Replace every glue role in ``text`` by its value; a name with no value is an error, never a blank
    (``missing``: the text to use instead, for the sync before a build that will produce the value)."""

    def paste(m: re.Match) -> str:
        name, fmt = m.group("name"), m.group("fmt")
        if name not in values and missing is not None:
            return missing
        if name not in values:
            raise KeyError(
                f"{where}: the prose uses {{glue}}`{name}`, but {GLUE_DIR}/ has no value for it "
                "(run `make book`, or `tools/run_chapter.py --update-glue` on the chapter)"
            )
        value = values[name]
        if fmt:
            try:
                value = format(float(value), fmt)
            except ValueError as err:
                raise KeyError(f"{where}: cannot format glued {name}={value!r} with {fmt!r}: {err}") from None
        return value

    return GLUE_ROLE.sub(paste, text)


# -------------------------------------------------------------------------------- MyST block parsing
def _blocks(lines: list[str]):
    """Yield ``(start, end, name, arg)`` for each top-level directive fence (``end`` is the closing line)."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i].rstrip())
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != fence:
            j += 1
        yield i, min(j, len(lines) - 1), m.group("name"), m.group("arg").strip()
        i = j + 1


def strip_solutions(text: str) -> str:
    """Remove every solution from a chapter's MyST text (the student copy)."""
    lines = text.splitlines(keepends=True)
    drop = set()
    open_gate = None
    for start, end, name, _ in _blocks(lines):
        if name == "solution":
            drop.update(range(start, end + 1))
        elif name == "solution-start":
            open_gate = start
        elif name == "solution-end" and open_gate is not None:
            drop.update(range(open_gate, end + 1))
            open_gate = None
    if open_gate is not None:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    return "".join(line for k, line in enumerate(lines) if k not in drop)


def _body(lines: list[str]) -> list[str]:
    return [line for line in lines if not re.match(r"^:[\w-]+:", line.strip())]


def plain_markdown(md: str, glued: dict[str, str] | None = None, where: str = "", missing: str | None = None) -> str:
    """Turn MyST-only syntax in a markdown cell into Markdown that Colab and JupyterLab render; glue roles
    become the values in ``glued``."""
    lines = md.splitlines()
    out: list[str] = []
    i = 0
    blocks = {start: (end, name, arg) for start, end, name, arg in _blocks(lines)}
    while i < len(lines):
        if i not in blocks:
            out.append(lines[i])
            i += 1
            continue
        end, name, arg = blocks[i]
        body = _body(lines[i + 1 : end])
        folded = any(re.match(r"^:class:.*\bdropdown\b", line.strip()) for line in lines[i + 1 : end])
        if folded and name != "solution-start":  # folded in the book: a <details> block in the notebook
            title = "Solution" if name == "solution" else (arg or name.capitalize())
            out += [f"<details><summary><b>{title}</b> (click to open)</summary>", ""] + body + ["", "</details>"]
        elif name == "exercise":
            out += [f"**Exercise: {arg}**" if arg else "**Exercise**", ""] + body
        elif name in ("solution", "solution-start"):
            out += ["**Solution** (folded in the book: try the exercise first)", ""] + body
        elif name == "solution-end":
            out += ["*(end of the solution)*"]
        elif name in (
            "admonition",
            "note",
            "tip",
            "important",
            "warning",
            "dropdown",
            "prf:theorem",
            "prf:definition",
            "prf:proof",
        ):
            title = arg or name.split(":")[-1].capitalize()
            out += [f"> **{title}**", ">"] + [f"> {line}" if line else ">" for line in body]
        elif name in ("bibliography", "tableofcontents", "nb-exec-table"):
            pass
        else:
            out += body
        i = end + 1
    text = "\n".join(out)
    text = re.sub(r"^\([\w-]+\)=\s*$\n?", "", text, flags=re.M)  # (label)= targets
    text = re.sub(r"^(\$\$)\s*\([\w-]+\)\s*$", r"\1", text, flags=re.M)  # $$ (eq-label)
    text = re.sub(r"\{eq\}`([^`]+)`", r"(\1)", text)
    text = re.sub(r"\{cite(?::[tp])?\}`([^`]+)`", lambda m: "[" + m.group(1).replace(",", ", ") + "]", text)
    text = re.sub(r"\{(?:ref|doc|numref)\}`([^`<]+?)(?:\s*<[^>]+>)?`", r"*\1*", text)
    if glued is not None:  # None: leave the roles (a notebook made only to be executed)
        text = paste_glue(text, glued, where, missing)
    return text.strip("\n")


#: The first line of a code cell the book hides, for Colab's form view (a comment everywhere else).
HIDDEN_TITLE = "#@title The code of this figure (double-click to show it)"


def to_notebook(
    text: str, student: bool = False, glued: dict[str, str] | None = None, where: str = "", missing: str | None = None
) -> nbformat.NotebookNode:
    """The .ipynb for a chapter's MyST text: outputs empty, MyST made plain, glued values pasted in;
    solutions gone if ``student``."""
    if student:
        text = strip_solutions(text)
    import jupytext

    nb = jupytext.reads(text, fmt="md:myst")
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, glued, where, missing)
            if not cell.source.strip():
                continue
            cell.metadata = {}
        else:
            cell.outputs, cell.execution_count = [], None
            cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
            if "hide-input" in cell.metadata.get("tags", []):
                # the book hides this code (figure plumbing): collapse it in JupyterLab (source_hidden) and show
                # it as a titled form in Colab (cellView), where a double click opens it
                cell.metadata["jupyter"] = {"source_hidden": True}
                cell.metadata["cellView"] = "form"
                if not cell.source.startswith("#@title"):
                    cell.source = f"{HIDDEN_TITLE}\n{cell.source}"
        cells.append(cell)
    nb.cells = cells
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "colab": {"provenance": []},
    }
    for k, cell in enumerate(nb.cells):  # stable ids, so a re-sync changes nothing
        cell.id = f"cell-{k:03d}"
    return nb


def notebook_text(nb: nbformat.NotebookNode) -> str:
    import nbformat

    return nbformat.writes(nb, version=4) + "\n"


def notebook_path(md: Path, root: Path = ROOT) -> Path:
    return root / "notebooks" / (md.stem + ".ipynb")


def out_of_sync(root: Path = ROOT) -> list[str]:
    """What ``sync`` would change, as messages (empty when everything agrees)."""
    url = install_source(root)
    glue = load_glue(root)
    problems = []
    for md in chapters(root):
        text = md.read_text(encoding="utf-8")
        if "# Colab setup" not in text:
            problems.append(f"{md.relative_to(root)} has no Colab setup cell")
        if with_install_url(text, url) != text:
            problems.append(f"{md.relative_to(root)}: its install cell does not use {url}")
        nb_path = notebook_path(md, root)
        try:
            want = notebook_text(
                to_notebook(with_install_url(text, url), glued=glue.get(md.stem, {}), where=str(md.relative_to(root)))
            )
        except KeyError as err:
            problems.append(err.args[0])
            continue
        if not nb_path.exists():
            problems.append(f"{nb_path.relative_to(root)} is missing")
        elif nb_path.read_text(encoding="utf-8") != want:
            problems.append(f"{nb_path.relative_to(root)} is out of sync with {md.relative_to(root)}")
    stale = {p.stem for p in (root / "notebooks").glob("*.ipynb")} - {md.stem for md in chapters(root)}
    problems += [f"notebooks/{s}.ipynb has no chapter source" for s in sorted(stale)]
    return problems


def sync(root: Path = ROOT, missing: str | None = None, only_new: bool = False) -> list[Path]:
    """Rewrite install cells and notebooks; ``missing`` stands in for glued values no build has made yet.
    ``only_new``: write only the notebooks that do not exist yet (before a build, which syncs them all after)."""
    url = install_source(root)
    glue = load_glue(root)
    written = []
    (root / "notebooks").mkdir(exist_ok=True)
    for md in chapters(root):
        text = md.read_text(encoding="utf-8")
        fixed = with_install_url(text, url)
        if fixed != text:
            md.write_text(fixed, encoding="utf-8")
            written.append(md)
        nb_path = notebook_path(md, root)
        if only_new and nb_path.exists():
            continue
        want = notebook_text(
            to_notebook(fixed, glued=glue.get(md.stem, {}), where=str(md.relative_to(root)), missing=missing)
        )
        if not nb_path.exists() or nb_path.read_text(encoding="utf-8") != want:
            nb_path.write_text(want, encoding="utf-8")
            written.append(nb_path)
    return written


def student(outdir: Path, root: Path = ROOT) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    glue = load_glue(root)
    written = []
    for md in chapters(root):
        path = outdir / (md.stem + ".ipynb")
        nb = to_notebook(
            md.read_text(encoding="utf-8"), student=True, glued=glue.get(md.stem, {}), where=str(md.relative_to(root))
        )
        path.write_text(notebook_text(nb), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("sync", "check", "student", "glue"):
        print(__doc__)
        return 2
    if argv[0] == "sync":
        # --before-build: install cells, and the notebooks of new chapters (the launch buttons need them), in
        # which a glued value that only the coming build will make is marked; the build syncs the rest after
        before = "--before-build" in argv
        for path in sync(missing="(computed when the book is built)" if before else None, only_new=before):
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if argv[0] == "glue":
        build = Path(argv[1] if len(argv) > 1 else ROOT / "_build")
        found = collect_glue(build)
        changed = [stem for stem, values in found.items() if save_glue(stem, values)]
        print(
            f"{GLUE_DIR}: {sum(map(len, found.values()))} values from {len(found)} chapters; "
            f"changed: {', '.join(changed) or 'none'}"
        )
        for path in sync():  # and the notebooks' text with them
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if argv[0] == "check":
        problems = out_of_sync()
        for p in problems:
            print(p)
        return 1 if problems else 0
    outdir = Path(argv[1] if len(argv) > 1 else "_build/student")
    paths = student(outdir)
    print(f"wrote {len(paths)} student notebooks to {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
