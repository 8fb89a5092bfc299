"""tools/execute.py: execute the book's chapters in parallel, into Jupyter Book's execution cache.

    python tools/execute.py                 # every chapter of _toc.yml that is out of date, one process per core
    python tools/execute.py --status        # what is up to date, what would run, and why
    python tools/execute.py --jobs 1 book/23-kan-interpretability.md

``make book`` runs this before ``jupyter-book build``; the build (``execute_notebooks: cache``) then finds every
chapter in the cache and only renders. A chapter is *up to date* when the cache (``_build/.jupyter_cache``,
jupyter-cache's database, the one myst-nb reads) holds an executed notebook with the chapter's code cells AND
the fingerprint of what else its outputs depend on: the ``kan_edu`` modules it imports (followed through
their own imports, with ``kan_edu/data_files`` when a module reads it), the execution settings below and the
versions of the numerical libraries. So an edit to one chapter, or to a module only some chapters import,
re-executes just those chapters. A clean clone (CI) has no cache and executes everything.

Each chapter runs on a fresh kernel in a temporary folder with one BLAS/OpenMP thread (``KERNEL_ENV``); the
longest chapters (by their last recorded time) start first. The cache keeps each chapter's run time, which
the execution-statistics page and ``benchmarks/chapter_times.py`` report.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from importlib import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
PACKAGE = ROOT / "kan_edu"

# What every chapter kernel gets: one thread each (2 threads on a loaded 2-core box ran 25-60x slower; one
# thread also makes every reduction run in one fixed order), a fixed hash seed (the order of sets and of
# sympy's terms), and the static figure players of the book. Two runs then print the same text: see
# tests/book/test_reproducible.py, and benchmarks/reproducible_outputs.py for ten fresh runs of a chapter.
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "KAN_EDU_FIGURES": "static",
}
LIBRARIES = ("torch", "numpy", "scipy", "matplotlib", "sympy", "scikit-learn", "ipywidgets", "mnist1d")


# ----------------------------------------------------------------------------------------- the chapters
def toc_chapters(root: Path = ROOT) -> list[Path]:
    """The numbered chapters listed in ``_toc.yml``, as paths to their ``.md`` sources."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [root / f"{doc}.md" for doc in docs if re.search(r"(^|/)\d\d-[^/]+$", doc)]


def read_chapter(md: Path):
    """The notebook exactly as myst-nb reads it for the build (so that the cache matches)."""
    from myst_nb.core.read import myst_nb_reader_plugin

    return myst_nb_reader_plugin(str(md))


# ------------------------------------------------------------------------------------ the fingerprint
def _module_files(name: str, package: Path = PACKAGE) -> list[Path]:
    """The files of kan_edu submodule ``name`` (``kan_edu/name.py`` or every file of ``kan_edu/name/``)."""
    if (package / name).is_dir():
        return sorted((package / name).rglob("*.py"))
    path = package / f"{name}.py"
    return [path] if path.exists() else []


def _imports_of_code(code: str) -> set[str]:
    """kan_edu submodules that a chapter's code names (``from kan_edu import a, b``, ``kan_edu.c``, ...)."""
    found = set(re.findall(r"\bkan_edu\.(\w+)", code))
    for inline, wrapped in re.findall(r"from[ \t]+kan_edu[ \t]+import[ \t]+(?:([\w \t,]+)|\(([\w\s,]+)\))", code):
        found.update(n.split()[0] for n in (inline or wrapped).split(",") if n.strip())
    return found


def _imports_of_module(path: Path, package: Path = PACKAGE) -> set[str]:
    """Top-level kan_edu submodules that one package file imports (absolute or relative imports)."""
    depth = len(path.relative_to(package).parts) - 1  # 0 for kan_edu/x.py, 1 for kan_edu/check/x.py
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("kan_edu."))
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 0 and parts[:1] == ["kan_edu"]:
                parts = parts[1:]
            elif node.level != depth + 1:  # absolute imports of other packages, or inside a subpackage
                continue
            found.update(parts[:1] or [a.name for a in node.names])
    return found


def _check_files(code: str, package: Path = PACKAGE) -> list[Path]:
    """The parts of ``kan_edu.check`` a chapter relies on: its core and the modules of the checks it calls.
    (Importing the package runs them all, but only these decide what the chapter prints.)"""
    called = set(re.findall(r"\bcheck\.(\w+)\(", code))
    files = [package / "check" / "__init__.py", package / "check" / "_core.py"]
    for path in sorted((package / "check").glob("*.py")):
        defined = set(re.findall(r"^def (\w+)\(", path.read_text(encoding="utf-8"), re.M))
        if defined & called and path not in files:
            files.append(path)
    return files


def dependencies(code: str, package: Path = PACKAGE) -> list[Path]:
    """Every kan_edu file whose change may change what the code prints: the closure of its imports."""
    files = {package / "__init__.py"}
    todo = list(_imports_of_code(code))
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        paths = _check_files(code, package) if name == "check" else _module_files(name, package)
        for path in paths:
            files.add(path)
            todo.extend(_imports_of_module(path, package))
            if "data_files" in path.read_text(encoding="utf-8"):
                files.update(p for p in (package / "data_files").rglob("*") if p.is_file())
    return sorted(files)


def fingerprint(code: str, package: Path = PACKAGE) -> str:
    """A hash of everything besides the code cells that a chapter's outputs depend on."""
    digest = hashlib.sha256()
    for path in dependencies(code, package):
        digest.update(str(path.relative_to(package.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr(sorted(KERNEL_ENV.items())).encode())
    for lib in LIBRARIES:
        try:
            digest.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{lib}=absent".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


# ------------------------------------------------------------------------------------------- the cache
def get_cache():
    from jupyter_cache import get_cache as _get

    return _get(str(CACHE))


def state(md: Path, cache) -> tuple[str, float | None]:
    """('up to date' | a reason to run, last recorded seconds or None) for one chapter."""
    nb = read_chapter(md)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    last = None
    for record in cache.list_cache_records():
        if record.uri == str(md):
            last = record.data.get("execution_seconds", last)
    try:
        record = cache.match_cache_notebook(nb)
    except KeyError:
        return "its code changed (or it never ran)", last
    if record.data.get("kan_edu_fingerprint") != fingerprint(code):
        return "kan_edu code it imports, a setting or a library changed", last
    return "up to date", record.data.get("execution_seconds", last)


def cached_notebook(md: Path):
    """The chapter as the cache holds it, outputs included (None when it is not cached or out of date).
    (The notebooks myst-nb writes to ``_build/jupyter_execute`` lack the outputs when they come from the cache.)"""
    cache = get_cache()
    if state(md, cache)[0] != "up to date":
        return None
    return cache.merge_match_into_notebook(read_chapter(md))[1]


def _run(md_path: str, timeout: int) -> tuple[str, float, str | None]:
    """Execute one chapter on a fresh kernel and, on success, store it in the cache (runs in a worker)."""
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    md = Path(md_path)
    os.environ.update(KERNEL_ENV)
    nb = read_chapter(md)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    with tempfile.TemporaryDirectory() as cwd:
        result = single_nb_execution(nb, cwd=cwd, timeout=timeout, allow_errors=False, meta_override=True)
    if result.err is not None:
        return md_path, result.time, result.exc_string[-4000:]
    get_cache().cache_notebook_bundle(
        CacheBundleIn(
            nb,
            str(md),
            data={
                "execution_seconds": result.time,
                "executed_at": time.time(),
                "kan_edu_fingerprint": fingerprint(code),
            },
        ),
        check_validity=False,
        overwrite=True,
    )
    return md_path, result.time, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path, help="default: every chapter of _toc.yml")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="chapters at once (default: cores)")
    parser.add_argument("--status", action="store_true", help="only say what would run")
    parser.add_argument("--force", action="store_true", help="run even what is up to date")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    chapters = [p.resolve() for p in args.chapters] or toc_chapters()
    for md in chapters:
        if not md.exists():
            parser.error(f"no chapter {md}")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    timeout = int((config.get("execute") or {}).get("timeout", 300))

    CACHE.parent.mkdir(parents=True, exist_ok=True)
    cache = get_cache()
    todo = []
    for md in chapters:
        why, last = state(md, cache)
        if args.force and why == "up to date":
            why = "forced"
        print(f"{md.relative_to(ROOT)}: {why}" + (f" (last run {last:.1f} s)" if last else ""))
        if why != "up to date":
            todo.append((last if last is not None else md.stat().st_size / 1e3, md))
    if args.status or not todo:
        return 0

    todo.sort(key=lambda item: -item[0])  # longest first: the shortest makespan on a few cores
    start = time.perf_counter()
    failed = []
    jobs = min(args.jobs, len(todo))
    print(f"executing {len(todo)} chapter(s), {jobs} at a time")
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_run, str(md), timeout) for _, md in todo]
        for future in as_completed(futures):
            md_path, seconds, error = future.result()
            name = Path(md_path).relative_to(ROOT)
            print(f"  {name}: {seconds:.1f} s {'ok' if error is None else 'FAILED'}", flush=True)
            if error:
                failed.append(name)
                print(error, file=sys.stderr)
    print(f"executed {len(todo)} chapter(s) in {time.perf_counter() - start:.1f} s wall")
    if failed:
        print("failed: " + ", ".join(map(str, failed)), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
