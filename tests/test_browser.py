"""The built book in a real browser: Debian's Chromium driven by Playwright, the site served on 127.0.0.1.

Every request that does not go to the local server is blocked and counted, which proves the book reads offline.
For every page of the table of contents: no failed request, no console error, math typeset, every static figure
player answers its controls, solutions fold and unfold, the launch buttons open notebooks that exist; and the
search page finds a chapter by a word in it. A full-page screenshot of each page goes to _build/screenshots/.
Skips (and says why) where Chromium or Playwright is missing; .ci/run installs Chromium.
"""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import ROOT, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
PAGES = toc_files()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.blocked, pg.failed, pg.errors = [], [], []

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            pg.blocked.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("requestfailed", lambda req: pg.failed.append(req.url) if req.url.startswith(server) else None)
    pg.on("response", lambda resp: pg.failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None)
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    context.close()


def open_page(pg, server, doc):
    pg.goto(f"{server}/{doc}.html", wait_until="load")
    # MathJax typesets asynchronously: wait until it has finished (or there is nothing to typeset)
    pg.wait_for_function("() => !window.MathJax || !MathJax.startup || MathJax.startup.promise"
                         " && (MathJax.startup.promise.then(() => window.__typeset = true), window.__typeset)",
                         timeout=30000)


@pytest.mark.parametrize("doc", PAGES)
def test_page_as_a_reader_meets_it(page, server, site, doc):
    open_page(page, server, doc)
    shots = site.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"{doc.replace('/', '_')}.png"), full_page=True)

    assert not page.blocked, f"{doc} tried to load from outside the site: {page.blocked[:3]}"
    assert not page.failed, f"{doc}: failed requests {page.failed[:3]}"
    assert not page.errors, f"{doc}: console errors {page.errors[:3]}"

    # math: typeset where the source has any, and no raw $$ left in the visible text
    source = Path(ROOT / f"{doc}.md").read_text(encoding="utf-8")
    if "$" in source:
        assert page.locator("mjx-container").count() > 0, f"{doc}: no typeset math"
    visible = page.locator("article").inner_text()
    assert "$$" not in visible, f"{doc}: raw $$ in the page"

    # every static figure player answers its first control
    players = page.locator(".kanfig")
    for n in range(players.count()):
        player = players.nth(n)
        image = player.locator("img.kanfig-image")
        before = image.get_attribute("src")
        control = player.locator("[data-axis]").first
        player.scroll_into_view_if_needed()
        if control.evaluate("el => el.tagName") == "SELECT":
            count = control.locator("option").count()
            current = int(control.input_value())
            control.select_option(str((current + 1) % count))
        else:
            top = int(control.get_attribute("max"))
            current = int(control.input_value())
            control.fill(str(top if current != top else 0))
        after = image.get_attribute("src")
        assert after != before, f"{doc}: figure {n + 1} did not change when its control moved"

    # solutions start folded and open on a click
    solutions = page.locator("div.solution.dropdown")
    for n in range(solutions.count()):
        sol = solutions.nth(n)
        body = sol.locator(":scope > section, :scope > .admonition-content").first
        assert not body.is_visible(), f"{doc}: solution {n + 1} is shown before it is opened"
        button = sol.locator("button.toggle-button")
        assert button.count() == 1, f"{doc}: solution {n + 1} has no toggle button"
        button.first.click()
        page.wait_for_timeout(150)
        assert body.is_visible(), f"{doc}: solution {n + 1} does not open"

    # launch buttons open a notebook that exists
    for link in page.locator("a[href*='colab.research.google.com'], a[href*='mybinder.org']").all():
        href = unquote(link.get_attribute("href"))
        match = re.search(r"notebooks/([\w-]+\.ipynb)", href)
        assert match, f"{doc}: launch link does not open a notebook: {href}"
        assert (ROOT / "notebooks" / match.group(1)).exists(), href


def test_search_finds_a_chapter(page, server):
    page.goto(f"{server}/search.html?q=hinges", wait_until="load")
    page.wait_for_selector("#search-results li", timeout=20000)
    results = page.locator("#search-results").inner_text()
    assert "Shallow neural networks" in results
    assert not page.blocked and not page.errors
