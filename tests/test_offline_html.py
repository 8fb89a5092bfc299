"""The built site loads nothing from outside itself: every script, stylesheet, image and font is local.

Links a reader clicks (<a href> to Colab, Binder, GitHub, the papers) are fine; what a page *loads* is not.
"""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.book

EXTERNAL = re.compile(r"^(https?:)?//", re.I)
LOADS = [
    (re.compile(r"<script[^>]*\bsrc=[\"']([^\"']+)", re.I), "script"),
    (re.compile(r"<link[^>]*\bhref=[\"']([^\"']+)", re.I), "link"),
    (re.compile(r"<(?:img|source|iframe|video|audio|embed)[^>]*\bsrc=[\"']([^\"']+)", re.I), "media"),
    (re.compile(r"\bsrcset=[\"']([^\"']+)", re.I), "srcset"),
    (re.compile(r"url\(\s*[\"']?([^\"')]+)", re.I), "css url"),
    (re.compile(r"@import\s+[\"']([^\"']+)", re.I), "css import"),
]


def external_loads(text: str) -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # CSS/JS comments load nothing
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    found = []
    for pattern, kind in LOADS:
        for match in pattern.finditer(text):
            for url in match.group(1).split(","):
                url = url.strip().split(" ")[0]
                if EXTERNAL.match(url):
                    found.append(f"{kind}: {url}")
    return found


def test_detector_catches_external_loads():
    assert external_loads('<script src="https://cdn.example/x.js"></script>')
    assert external_loads('<link rel="stylesheet" href="//cdn.example/x.css">')
    assert external_loads("body { background: url('https://x/y.png') }")
    assert not external_loads('<a href="https://colab.research.google.com/x">Colab</a>')
    assert not external_loads('<script src="../_static/x.js"></script>')
    assert not external_loads("/* @import url('https://fonts.example/x'); */")


def test_no_page_loads_anything_from_outside(site):
    offenders = {}
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js") or not path.is_file():
            continue
        if "mathjax" in path.parts and path.suffix == ".js":
            continue  # MathJax's own code names its CDN as a default it never uses when loaded locally
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".js":
            # scripts are checked only for stylesheet/font loads they inject
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            text = "\n".join(re.findall(r"@import[^;]+;|url\([^)]*\)", text))
        bad = external_loads(text)
        if bad:
            offenders[str(path.relative_to(site))] = bad[:3]
    assert not offenders, f"pages load external resources: {offenders}"


def test_math_comes_from_the_vendored_mathjax(site):
    html = (site / "book" / "03-shallow-networks.html").read_text(encoding="utf-8")
    assert re.search(r'<script[^>]+src="[^"]*mathjax/tex-chtml-full\.js', html)
    assert (site / "mathjax" / "tex-chtml-full.js").exists()
