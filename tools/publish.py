"""tools/publish.py: put the built book on the ``gh-pages`` branch of a git remote, where GitHub Pages serves it.

Usage::

    python tools/publish.py [SITE] [--remote REMOTE] [--branch BRANCH]

``make publish`` runs it after ``make book`` (SITE is ``_build/html``, REMOTE ``origin``; ``make publish
REMOTE=...`` names another remote, a URL, or the path of a bare repository). The branch receives exactly the
files of SITE plus an empty ``.nojekyll`` (without it GitHub Pages runs Jekyll, which drops folders whose names
start with ``_``, such as ``_static``), in one commit that names the source commit. ghp-import does the git work
(``pip install ghp-import``; ``make venv`` installs it with the ``book`` extra). The push is forced: the branch
is an output, made again from the sources every time.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _git(repo: Path, *args: str) -> str:
    """Output of a git command in ``repo`` ('' when it fails)."""
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def publish(site: Path, remote: str = "origin", branch: str = "gh-pages", repo: Path = ROOT) -> str:
    """Commit ``site`` to ``branch`` of the git repository ``repo`` and force-push it to ``remote``.
    Returns the new commit's hash."""
    site = Path(site).resolve()
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} has no index.html: build the book first (make book)")
    if importlib.util.find_spec("ghp_import") is None:
        raise SystemExit("ghp-import is missing: pip install ghp-import (make venv installs it)")
    if not _git(repo, "rev-parse", "--git-dir"):
        raise SystemExit(f"{repo} is not a git repository")
    source = _git(repo, "rev-parse", "--short", "HEAD") or "no commit yet"
    dirty = " plus uncommitted changes" if _git(repo, "status", "--porcelain", "--untracked-files=no") else ""
    message = f"Publish the book built from {source}{dirty}"
    env = dict(os.environ)
    # ghp-import signs its commit with git's user.name and user.email; a fresh CI runner may have neither.
    if not _git(repo, "config", "user.name"):
        env.setdefault("GIT_COMMITTER_NAME", "kan_edu publish")
    if not _git(repo, "config", "user.email"):
        env.setdefault("GIT_COMMITTER_EMAIL", "publish@kan-edu.invalid")
    before = _git(repo, "rev-parse", "--verify", "-q", f"refs/heads/{branch}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ghp_import",
            "--no-jekyll",
            "--push",
            "--force",
            "--remote",
            remote,
            "--branch",
            branch,
            "--message",
            message,
            str(site),
        ],
        cwd=repo,
        env=env,
        check=True,
    )
    after = _git(repo, "rev-parse", "--verify", "-q", f"refs/heads/{branch}")
    if not after or after == before:
        raise SystemExit(f"ghp-import made no new commit on {branch}")
    return after


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/publish.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="_build/html", help="the built site (default _build/html)")
    parser.add_argument("--remote", default="origin", help="git remote name, URL or path (default origin)")
    parser.add_argument("--branch", default="gh-pages", help="the branch GitHub Pages serves (default gh-pages)")
    args = parser.parse_args(argv)
    commit = publish(Path(args.site), args.remote, args.branch)
    print(f"published {args.site} as {commit[:10]} on {args.branch} of {args.remote}")
    if args.remote == "origin":
        sys.path.insert(0, str(ROOT / "tools"))
        from links import repository

        print(
            f"the site: {repository().site} (GitHub serves it once Settings > Pages uses the {args.branch} "
            "branch; Colab and Binder open the notebooks pushed to GitHub)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
