"""The built site loads nothing from outside itself: every script, stylesheet, image and font is local.

No browser: every built HTML file is parsed, and so are the site's CSS (and the stylesheet loads inside its
JavaScript). Links a reader clicks (<a href> to Colab, Binder, GitHub, the papers) are fine; what a page
*loads* by itself is not: <script src>, <link href> (stylesheet, preload, icon, ...), <img src>, srcset,
<iframe>/<video>/<source>/<object>, inline and linked CSS url(...) and @import. Every local load must exist
too, and math must come from the vendored KaTeX (widget state, if any, from the vendored require.js and
widget manager).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.book

EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)
# <link rel=...> values that only name a related page: nothing is fetched for them
NAVIGATION_RELS = {"canonical", "alternate", "author", "license", "help", "search", "index", "next", "prev",
                   "previous", "up", "top", "first", "last", "me", "bookmark", "contents", "glossary", "copyright"}
# attributes that make the browser fetch something, by tag
LOADING_ATTRS = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "embed": ("src",), "object": ("data",),
    "input": ("src",), "image": ("href", "xlink:href"), "use": ("href", "xlink:href"), "frame": ("src",),
}
CSS_URL = re.compile(r"url\(\s*([\"']?)([^\"')]+)\1\s*\)", re.I)
CSS_IMPORT = re.compile(r"@import\s+(?:url\(\s*)?[\"']?([^\"');\s]+)", re.I)
# an inline script that names a CDN file (require.js paths, a script it appends, ...)
SCRIPT_URL = re.compile(r"[\"'`]((?:https?:)?//[^\"'`\s]+\.(?:js|mjs|css|woff2?|ttf|otf|png|svg|jpe?g|gif))"
                        r"(?:\?[^\"'`\s]*)?[\"'`]", re.I)


def _strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def css_loads(css: str) -> list[str]:
    css = _strip_comments(css)
    return [m.group(2).strip() for m in CSS_URL.finditer(css)] + [m.group(1).strip() for m in CSS_IMPORT.finditer(css)]


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


class _Loads(HTMLParser):
    """Collects (kind, url) of everything an HTML document makes the browser fetch."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads: list[tuple[str, str]] = []
        self._in: str | None = None
        self._type = ""

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if a.get("href") and not rels <= NAVIGATION_RELS | {""}:
                self.loads.append((f"<link rel={a.get('rel')}>", a["href"]))
            if a.get("imagesrcset"):
                self.loads += [("<link imagesrcset>", u) for u in _srcset(a["imagesrcset"])]
        for name in LOADING_ATTRS.get(tag, ()):
            if a.get(name):
                urls = _srcset(a[name]) if name.endswith("srcset") else [a[name]]
                self.loads += [(f"<{tag} {name}>", u) for u in urls]
        if a.get("style"):
            self.loads += [(f"<{tag} style>", u) for u in css_loads(a["style"])]
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            target = re.sub(r"^\s*\d+\s*;\s*url=", "", a.get("content", ""), flags=re.I)
            if target and target != a.get("content"):
                self.loads.append(("<meta refresh>", target.strip("'\"")))
        self._in = tag if tag in ("style", "script") and not a.get("src") else None
        self._type = a.get("type", "")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.loads += [("<style>", u) for u in css_loads(data)]
        elif self._in == "script" and "json" not in self._type:  # JSON payloads (figure frames) load nothing
            self.loads += [("<script> text", m.group(1)) for m in SCRIPT_URL.finditer(data)]


def page_loads(html: str) -> list[tuple[str, str]]:
    parser = _Loads()
    parser.feed(html)
    parser.close()
    return parser.loads


# sphinx-thebe names its CDN script in every page (``const THEBE_JS_URL = ...``) but fetches it only when a
# reader presses a "Live code" (thebe) launch button; a page without that button never loads it.
THEBE_URL = re.compile(r"const\s+THEBE_JS_URL\s*=\s*[\"']([^\"']+)[\"']")


def external_loads(html: str) -> list[str]:
    dormant = set()
    if "thebe-launch-button" not in html:
        dormant = {m.group(1) for m in THEBE_URL.finditer(html)}
    return [f"{kind}: {url}" for kind, url in page_loads(html)
            if EXTERNAL.match(url) and not (kind == "<script> text" and url in dormant)]


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.is_file())


# ------------------------------------------------------------------------------- the detector itself
def test_detector_catches_external_loads():
    catches = [
        '<script src="https://cdn.example/x.js"></script>',
        '<script defer src=https://cdn.example/x.js></script>',
        '<link rel="stylesheet" href="//cdn.example/x.css">',
        '<link href="https://cdn.example/font.woff2" rel="preload" as="font">',
        '<link rel="icon" href="https://example.org/favicon.ico">',
        '<link rel="preconnect" href="https://fonts.gstatic.com">',
        '<img alt="x" src="http://example.org/a.png">',
        '<img src="a.png" srcset="a.png 1x, https://example.org/a@2x.png 2x">',
        "<style>body { background: url('https://x/y.png') }</style>",
        '<style>@import "https://fonts.example/css?family=X";</style>',
        '<div style="background-image: url(//x/y.png)"></div>',
        '<iframe src="https://www.youtube.com/embed/x"></iframe>',
        "<script>require.config({paths: {w: 'https://unpkg.com/@jupyter-widgets/x.js'}})</script>",
        '<script>const THEBE_JS_URL = "https://unpkg.com/thebe/lib/index.js";</script>'
        '<button class="thebe-launch-button">Live code</button>',
    ]
    for html in catches:
        assert external_loads(html), html
    fine = [
        '<a href="https://colab.research.google.com/github/o/r/blob/main/notebooks/x.ipynb">Colab</a>',
        '<a href="https://mybinder.org/v2/gh/o/r/main">Binder</a> <a href="https://github.com/o/r">GitHub</a>',
        '<script src="../_static/x.js"></script>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<link rel="canonical" href="https://example.org/book/x.html">',
        "<style>/* @import url('https://fonts.example/x'); */</style>",
        '<script type="application/json">{"u": "https://example.org/x.js"}</script>',
        "<p>see https://example.org/x.css in the text</p>",
        '<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js";</script>',
    ]
    for html in fine:
        assert not external_loads(html), html


# ------------------------------------------------------------------------------------------ the site
def test_no_page_loads_anything_from_outside(site):
    pages = html_files(site)
    assert len(pages) >= 3, f"only {len(pages)} HTML files in {site}"
    offenders = {}
    for path in pages:
        bad = external_loads(path.read_text(encoding="utf-8", errors="replace"))
        if bad:
            offenders[str(path.relative_to(site))] = bad[:4]
    assert not offenders, f"pages load resources from outside the site: {offenders}"


def test_no_stylesheet_or_script_pulls_from_outside(site):
    offenders = {}
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".css", ".js") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".js":
            # JavaScript is checked only for the stylesheets and fonts it injects (url(...), @import)
            text = "\n".join(re.findall(r"@import[^;\n]+;|url\([^)\n]*\)", _strip_comments(text)))
        bad = [u for u in css_loads(text) if EXTERNAL.match(u)]
        if bad:
            offenders[str(path.relative_to(site))] = bad[:3]
    assert not offenders, f"site CSS/JS loads from outside: {offenders}"


def _local_target(site: Path, page: Path, url: str) -> Path | None:
    """The file a local URL of ``page`` names, or None when the URL is not a file of the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith(("data:", "#", "mailto:", "javascript:")):
        return None
    path = unquote(parts.path)
    target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    return target.resolve()


def test_every_local_load_exists(site):
    site = site.resolve()
    missing = {}
    for page in html_files(site):
        if "_static" in page.relative_to(site).parts:
            continue  # theme template fragments, not pages
        for kind, url in page_loads(page.read_text(encoding="utf-8", errors="replace")):
            target = _local_target(site, page, url)
            if target is None:
                continue
            if not target.is_relative_to(site):
                missing.setdefault(str(page.relative_to(site)), []).append(f"{kind} {url} (outside the site)")
            elif not target.is_file():
                missing.setdefault(str(page.relative_to(site)), []).append(f"{kind} {url}")
    assert not missing, f"pages load files that are not in the site: { {k: v[:4] for k, v in missing.items()} }"


def _script_srcs(html: str) -> list[str]:
    return [url for kind, url in page_loads(html) if kind == "<script src>"]


def test_math_comes_from_the_vendored_katex_on_pages_with_math_only(site):
    site = site.resolve()
    katex = site / "katex" / "katex.min.js"
    assert katex.is_file(), "the vendored KaTeX is not in the site (tools/vendor.sh)"
    css = (site / "katex" / "katex.min.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\((fonts/[^)]+\.woff2)\)", css):
        assert (site / "katex" / font).is_file(), f"KaTeX's stylesheet names {font}, which is not vendored"
    with_math = 0
    problems = []
    for page in html_files(site):
        rel = page.relative_to(site)
        if "_static" in rel.parts:
            continue
        html = page.read_text(encoding="utf-8", errors="replace")
        scripts = [u for u in _script_srcs(html) if "katex" in u.lower() or "mathjax" in u.lower()]
        if 'class="math' not in html:
            if scripts:
                problems.append(f"{rel}: has no math but loads {scripts}")
            continue
        with_math += 1
        targets = [_local_target(site, page, u) for u in scripts]
        if katex not in targets:
            problems.append(f"{rel}: has math but does not load the vendored katex/katex.min.js ({scripts})")
        if any("mathjax" in u.lower() for u in scripts):
            problems.append(f"{rel}: still loads MathJax")
    assert with_math, "no page of the site has math: is the build complete?"
    assert not problems, "\n".join(problems)


def test_saved_widgets_use_the_vendored_widget_manager(site):
    """A page with saved widget state needs require.js and the widget manager; both must be the vendored ones."""
    site = site.resolve()
    problems = []
    for page in html_files(site):
        html = page.read_text(encoding="utf-8", errors="replace")
        if "application/vnd.jupyter.widget-state+json" not in html:
            continue
        srcs = [_local_target(site, page, u) for u in _script_srcs(html)]
        for need in (site / "require" / "require.min.js", site / "widgets" / "embed-amd.js"):
            if need not in srcs:
                problems.append(f"{page.relative_to(site)}: saved widgets but no {need.relative_to(site)}")
            elif not need.is_file():
                problems.append(f"{need.relative_to(site)} is not in the site")
    assert not problems, "\n".join(problems)
