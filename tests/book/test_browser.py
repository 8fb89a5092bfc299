"""The built book as its readers meet it: Debian's Chromium driven by Playwright, the site on 127.0.0.1.

Every page that ``_toc.yml`` lists is opened once (a module-scoped fixture per page, so the checks below share
one load) in a browser that may reach nothing but the local server: every other request is blocked and
counted, which proves the book reads offline. For each page:

* it loads with no failed request, no HTTP error and no console error, and needs nothing from outside;
* its math is typeset by the vendored KaTeX (every ``.math`` element holds a ``.katex``, no TeX error, no
  raw ``$$`` or ``\\(`` left in the text);
* every static figure player answers: its first movable control, moved as a reader moves it, shows the frame
  the player's data says it should (and the value label follows), and moving it back restores the picture;
  every control of a player can change the picture;
* every folded block (solutions, "Reveal" dropdowns, hidden code) starts folded, opens and closes again;
* the launch buttons (Colab, Binder, in the header's rocket menu) open ``notebooks/<page>.ipynb`` of the
  configured repository, and that notebook exists; pages without a notebook have no launch menu;
* every local link, script, stylesheet and image the page names exists, and so does every ``#anchor``.

The search page finds each chapter by a word of its title (and "hinges" finds chapter 3). A full-page
screenshot of each page goes to ``<site>/../screenshots/<page>.png``. Skips, and says why, where Chromium or
Playwright is missing (.ci/run installs Chromium).
"""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
import yaml

from tests.helpers import ROOT, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
PAGES = toc_files()
CHAPTERS = [doc for doc in PAGES if re.search(r"(^|/)\d\d-[^/]+$", doc)]
# What a page *needs* to look right: a blocked request of one of these kinds means it does not read offline.
NEEDED = {"script", "stylesheet", "image", "font", "media"}


# ------------------------------------------------------------------------------------------ fixtures
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a browser closing a connection early is not news
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright; never `playwright install`)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


#: Bytes a page loads (uncompressed): the document and every resource fetched so far.
PAGE_WEIGHT = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .reduce((sum, e) => sum + (e.decodedBodySize || e.transferSize || 0), 0)"""
#: The targets of the book as readers see it (figures in CSS px at the desktop width and on a phone).
MAX_CHAPTER_BYTES, MAX_LANDING_BYTES = 2.5e6, 1.0e6
MIN_FIGURE_TEXT_PX, MIN_PHONE_FIGURE_TEXT_PX = 11, 9
#: For each figure player: how large its smallest text is where it is shown, and how sharp its frame is.
FIGURE_SIZES = """() => Array.from(document.querySelectorAll('figure.kanfig')).map(f => {
    const img = f.querySelector('img.kanfig-image');
    const pxPerInch = img.getBoundingClientRect().width / parseFloat(f.dataset.widthIn);
    return {id: f.id, textPx: parseFloat(f.dataset.smallestPt) / 72 * pxPerInch,
            sharpness: img.naturalWidth / img.getBoundingClientRect().width,
            caption: (f.querySelector('figcaption') || {}).textContent || ''};
})"""
#: Display equations: does each fit, or scroll inside its own box; does its number stay clear of it?
MATH_FIT = """() => Array.from(document.querySelectorAll('div.math')).map(d => {
    const box = d.querySelector('.kan-math-display'), no = d.querySelector('.eqno');
    const b = box ? box.getBoundingClientRect() : d.getBoundingClientRect();
    const n = no ? no.getBoundingClientRect() : null;
    return {id: d.id, overflows: box ? box.scrollWidth > box.clientWidth + 1 : false,
            scrolls: box ? ['auto', 'scroll'].includes(getComputedStyle(box).overflowX) : false,
            numberOverlaps: n ? (n.left < b.right - 1 && n.right > b.left + 1 && n.width > 0) : false,
            beyondPage: d.getBoundingClientRect().right > document.documentElement.clientWidth + 1};
})"""


def _math_problems(doc: str, rows: list[dict]) -> list[str]:
    problems = []
    for m in rows:
        if m["overflows"] and not m["scrolls"]:
            problems.append(f"{doc}: equation {m['id']} is cut off (wider than the column, no scrolling)")
        if m["numberOverlaps"]:
            problems.append(f"{doc}: equation {m['id']}: its number overlaps the formula")
        if m["beyondPage"]:
            problems.append(f"{doc}: equation {m['id']} sticks out of the page")
    return problems


class Reader:
    """One opened page and everything it did: blocked, failed and erroring requests, console errors."""

    def __init__(self, context, server: str, doc: str):
        self.context, self.server, self.doc = context, server, doc
        self.page = context.new_page()
        self.blocked: list[tuple[str, str]] = []   # (resource type, url) of requests that left the site
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.pending: set = set()           # requests sent and not yet finished or failed
        self.stalled: list[str] = []        # what was still pending when open() stopped waiting
        self.last_activity = time.perf_counter()
        self.page.route("**/*", self._route)
        self.page.on("request", self._request_started)
        self.page.on("requestfinished", self._request_done)
        self.page.on("requestfailed", self._request_done)
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", lambda r: self.failed.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("crash", lambda _: self.errors.append("the page crashed"))

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.server + "/") or url == self.server:
            route.continue_()
        else:
            self.blocked.append((route.request.resource_type, url))
            route.abort("blockedbyclient")

    def _request_started(self, request):
        self.pending.add(request)
        self.last_activity = time.perf_counter()

    def _request_done(self, request):
        self.pending.discard(request)
        self.last_activity = time.perf_counter()

    def settle(self, quiet: float = 0.5, timeout: float = 60.0) -> None:
        """Wait until no request has been in flight for `quiet` seconds (what Playwright's "networkidle" means).

        Counted here from the request events, because Playwright's own networkidle state sometimes never arrives
        (microsoft/playwright#19835): in CI three pages waited out 90 s that open in 2-3 s here. A request still
        pending after `timeout` is kept in `stalled` and reported by test_page_loads_offline."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if not self.pending and time.perf_counter() - self.last_activity >= quiet:
                return
            self.page.wait_for_timeout(100)   # lets the event handlers run
        self.stalled = sorted(r.url for r in self.pending)

    def _request_failed(self, request):
        if request.url.startswith(self.server):
            self.failed.append(f"{request.failure} {request.url}")

    @property
    def url(self) -> str:
        return f"{self.server}/{self.doc}.html"

    def open(self) -> float:
        start = time.perf_counter()
        self.page.goto(self.url, wait_until="load", timeout=60_000)
        if self.page.locator(".math").count():
            # KaTeX typesets when the document is parsed (book/_ext/static/kan_edu_math.js): wait for it and fonts
            self.page.wait_for_function("() => document.documentElement.getAttribute('data-math') === 'typeset'",
                                        timeout=60_000)
            self.page.evaluate("() => document.fonts.ready.then(() => true)")
        # a page opens in 2-7 s on an idle 2-core machine; at load 7 (CI beside other jobs) some took over 30 s,
        # so the wait allows 60 s more: this test is about what a page loads, the page-weight test about how much
        self.settle()
        return time.perf_counter() - start

    def new_errors(self, mark: int) -> list[str]:
        return self.errors[mark:]


@pytest.fixture(scope="module", params=PAGES, ids=lambda doc: Path(doc).name)
def reader(request, browser, server, site):
    """Each page is opened once; the checks of that page run on it, then it is closed (pytest groups them)."""
    doc = request.param
    if not (site / f"{doc}.html").exists():
        pytest.fail(f"_toc.yml lists {doc}, but the site has no {doc}.html: rebuild the book")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(15_000)
    r = Reader(context, server, doc)
    r.seconds = r.open()
    r.weight = r.page.evaluate(PAGE_WEIGHT)  # before any test moves a control and loads more frames
    shots = site.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    r.screenshot = shots / f"{Path(doc).name}.png"
    r.page.screenshot(path=str(r.screenshot), full_page=True)
    yield r
    context.close()


# ------------------------------------------------------------------------------------------ per page
def test_page_loads_offline(reader):
    needed = [f"{kind}: {url}" for kind, url in reader.blocked if kind in NEEDED]
    assert not needed, f"{reader.doc} needs {len(needed)} resource(s) from outside the site: {needed[:5]}"
    if reader.blocked:
        warnings.warn(f"{reader.doc}: {len(reader.blocked)} request(s) to other hosts were blocked "
                      f"(not needed to read the page): {reader.blocked[:3]}")
    assert not reader.failed, f"{reader.doc}: failed requests {reader.failed[:5]}"
    if reader.stalled:
        # not proof of a fault of the site (the page had loaded, its math and fonts were ready), so it is said
        warnings.warn(f"{reader.doc}: {len(reader.stalled)} request(s) still pending 60 s after the page loaded: "
                      f"{reader.stalled[:3]}")
    assert not reader.errors, f"{reader.doc}: console errors {reader.errors[:5]}"
    assert reader.page.title(), f"{reader.doc} has no <title>"
    parts = [p.strip() for p in reader.page.title().split("\u2014")]
    assert len(parts) == len(set(parts)), f"{reader.doc}: the tab title repeats itself: {reader.page.title()!r}"


def test_one_search_field_in_sight(reader):
    """The sidebar's search field, and no second one in a bar above the page (on a phone: the search icon)."""
    visible = reader.page.evaluate(
        """() => Array.from(document.querySelectorAll('.search-button-field, .search-button'))
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length"""
    )
    assert visible == 1, f"{reader.doc}: {visible} search fields are visible at 1280 px"
    assert reader.page.locator("article h1").count() == 1, f"{reader.doc}: expected one <h1> in the article"
    assert reader.screenshot.stat().st_size > 10_000, f"{reader.doc}: the screenshot looks blank"


RAW_TEX = [
    (re.compile(r"\$\$"), "$$"),
    (re.compile(r"\\\(|\\\)|\\\[|\\\]"), "\\( or \\["),
    (re.compile(r"\\begin\{"), "\\begin{"),
    (re.compile(r"\$[^$\n]{0,80}\\[A-Za-z]+[^$\n]{0,80}\$"), "$...\\command...$"),
]


def test_page_is_light(reader):
    limit = MAX_LANDING_BYTES if reader.doc == toc_files()[0] else MAX_CHAPTER_BYTES
    assert reader.weight <= limit, (f"{reader.doc} loads {reader.weight / 1e6:.2f} MB (uncompressed, with every "
                                    f"resource), over {limit / 1e6:.1f} MB")


def test_figures_are_legible_numbered_and_sharp(reader):
    problems = []
    for k, f in enumerate(reader.page.evaluate(FIGURE_SIZES), 1):
        if f["textPx"] < MIN_FIGURE_TEXT_PX - 0.01:  # data-smallest-pt is written to 3 decimals
            problems.append(f"figure {k} ({f['id']}): smallest text {f['textPx']:.1f} CSS px")
        if f["sharpness"] < 1.95:
            problems.append(f"figure {k} ({f['id']}): {f['sharpness']:.2f} image pixels per CSS px (not sharp at 2x)")
        if not re.match(r"Figure \d+\.%d\. \S" % k, f["caption"].strip()):
            problems.append(f"figure {k} ({f['id']}): caption {f['caption'][:60]!r} is not 'Figure N.{k}. ...'")
    assert not problems, f"{reader.doc}:\n" + "\n".join(problems)


def test_display_math_fits_or_scrolls(reader):
    problems = _math_problems(reader.doc, reader.page.evaluate(MATH_FIT))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", CHAPTERS, ids=lambda doc: Path(doc).name)
def test_on_a_phone_figures_stay_readable_and_math_fits(browser, server, doc):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, service_workers="block")
    try:
        r = Reader(context, server, doc)
        r.open()
        problems = _math_problems(doc, r.page.evaluate(MATH_FIT))
        for k, f in enumerate(r.page.evaluate(FIGURE_SIZES), 1):
            if f["textPx"] < MIN_PHONE_FIGURE_TEXT_PX - 0.01:
                problems.append(f"{doc}: figure {k}: smallest text {f['textPx']:.1f} CSS px on a phone")
        wide = r.page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wide > 1:
            problems.append(f"{doc}: the page scrolls sideways by {wide} px on a phone")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_math_is_typeset(reader):
    page = reader.page
    math = page.evaluate("""() => {
        const all = Array.from(document.querySelectorAll('.math'));
        return {count: all.length,
                untypeset: all.filter(el => !el.querySelector('.katex'))
                              .map(el => el.textContent.trim().slice(0, 80)),
                errors: Array.from(document.querySelectorAll('.katex-error'))
                              .map(el => el.getAttribute('title') || el.textContent).slice(0, 5),
                containers: document.querySelectorAll('.math .katex').length};
    }""")
    if math["count"]:
        assert math["containers"] > 0, f"{reader.doc}: {math['count']} math elements but nothing typeset"
        assert not math["untypeset"], f"{reader.doc}: math left as TeX: {math['untypeset'][:5]}"
        assert not math["errors"], f"{reader.doc}: KaTeX could not typeset: {math['errors']}"
    # The text a reader sees (code excluded: it may hold dollars and backslashes) has no raw TeX left.
    text = page.evaluate("""() => {
        const article = document.querySelector('article') || document.body;
        const copy = article.cloneNode(true);
        copy.querySelectorAll('pre, code, .highlight, script, style, .katex, .kanfig')
            .forEach(el => el.remove());
        return copy.textContent;
    }""")
    for pattern, name in RAW_TEX:
        hit = pattern.search(text)
        assert not hit, (f"{reader.doc}: raw TeX ({name}) in the page text: "
                         f"...{text[max(0, hit.start() - 60):hit.end() + 60]!r}...")


PLAYER_STATE = """root => {
    const d = JSON.parse(root.querySelector('.kanfig-data').textContent);
    const inputs = Array.from(root.querySelectorAll('[data-axis]'));
    return {data: d, values: inputs.map(el => parseInt(el.value, 10)),
            tags: inputs.map(el => el.tagName), outputs: inputs.map(el => {
                const out = el.parentNode.querySelector('output'); return out ? out.textContent : null; }),
            src: root.querySelector('img.kanfig-image').getAttribute('src')};
}"""
IMAGE_OK = """root => { const img = root.querySelector('img.kanfig-image');
    return img.decode().then(() => img.naturalWidth > 0 && img.getBoundingClientRect().width > 0,
                             () => false); }"""


def _frame(data: dict, state: list[int]) -> str | None:
    key = ",".join(map(str, state))
    return None if key not in data["keys"] else data["frames"][data["keys"][key]]


def _move(control, tag: str, value: int) -> None:
    if tag == "SELECT":
        control.select_option(index=value)  # values are indices; by value Playwright may match a label "3"
    else:
        control.fill(str(value))               # a range input: sets the value and fires input/change


def test_figure_players_respond(reader):
    page, doc = reader.page, reader.doc
    mark = len(reader.errors)
    players = page.locator("figure.kanfig")
    problems = []
    for n in range(players.count()):
        player = players.nth(n)
        name = f"{doc}: figure player {n + 1} ({player.get_attribute('id')})"
        player.scroll_into_view_if_needed()
        s = player.evaluate(PLAYER_STATE)
        data, start = s["data"], s["values"]
        if not s["tags"]:
            problems.append(f"{name} has no controls")
            continue
        if s["src"] != _frame(data, start):
            problems.append(f"{name} does not open on its default frame")
        if not player.evaluate(IMAGE_OK):
            problems.append(f"{name}: its image does not decode or has no size")
        # every control with more than one value must be able to change the picture (from some state)
        movable = []
        inputs = player.locator("[data-axis]")
        for axis, labels in enumerate(data["labels"]):
            if len(labels) < 2:
                # a control the static book keeps at its default (static_controls=): hidden, disabled, and said so
                if inputs.nth(axis).is_disabled() and not inputs.nth(axis).is_visible():
                    if "Static preview" not in player.inner_text():
                        problems.append(f"{name}: control {axis + 1} is fixed but the player does not say so")
                    continue
                problems.append(f"{name}: control {axis + 1} has a single value {labels} (a control that does nothing)")
                continue
            others = [k.split(",") for k in data["keys"]]
            changes = any(
                data["keys"].get(",".join(o[:axis] + [str(j)] + o[axis + 1:])) not in (None, data["keys"][",".join(o)])
                for o in others for j in range(len(labels)))
            if not changes:
                problems.append(f"{name}: control {axis + 1} ({labels[:4]}...) never changes the picture")
            movable.append(axis)
        if not movable:
            continue
        # move the first movable control as a reader does, to a value whose frame differs
        axis = movable[0]
        target = None
        for j in range(len(data["labels"][axis])):
            state = list(start)
            state[axis] = j
            frame = _frame(data, state)
            if j != start[axis] and frame is not None and frame != s["src"]:
                target, expected = j, frame
                break
        if target is None:
            problems.append(f"{name}: no value of control {axis + 1} changes the picture from the defaults")
            continue
        control = player.locator("[data-axis]").nth(axis)
        _move(control, s["tags"][axis], target)
        after = player.evaluate(PLAYER_STATE)
        if after["src"] == s["src"]:
            problems.append(f"{name}: the picture did not change when control {axis + 1} moved to "
                            f"{data['labels'][axis][target]!r}")
        elif after["src"] != expected:
            problems.append(f"{name}: control {axis + 1} at {data['labels'][axis][target]!r} shows the wrong frame")
        if after["outputs"][axis] != data["labels"][axis][target]:
            problems.append(f"{name}: the value label reads {after['outputs'][axis]!r}, "
                            f"expected {data['labels'][axis][target]!r}")
        if not player.evaluate(IMAGE_OK):
            problems.append(f"{name}: the new frame does not decode")
        _move(control, s["tags"][axis], start[axis])
        if player.evaluate(PLAYER_STATE)["src"] != s["src"]:
            problems.append(f"{name}: moving control {axis + 1} back did not restore the picture")
    assert not problems, "\n".join(problems)
    assert not reader.new_errors(mark), f"{doc}: console errors while moving figures: {reader.new_errors(mark)[:3]}"


def test_folded_blocks_open_and_close(reader):
    """Solutions and "Reveal" blocks (sphinx-togglebutton admonitions) and hidden code (<details>)."""
    page, doc = reader.page, reader.doc
    mark = len(reader.errors)
    problems = []
    html_solutions = page.locator("div.solution").count()
    # top-level blocks only: one folded inside another is checked once its parent is open, not here
    folded = page.locator("div.admonition.dropdown:not(.dropdown .dropdown):not(details .dropdown)")
    if html_solutions:
        assert page.locator("div.solution.dropdown").count() == html_solutions, \
            f"{doc}: some solutions are not folded (use :class: dropdown)"
    for n in range(folded.count()):
        block = folded.nth(n)
        title = block.locator(":scope > .admonition-title")
        name = f"{doc}: folded block {n + 1} ({title.inner_text().strip()[:50]!r})"
        body = block.locator(":scope > .admonition-title ~ *").first
        button = block.locator(":scope > .admonition-title button.toggle-button")
        if button.count() != 1:
            problems.append(f"{name} has no toggle button")
            continue
        if body.is_visible():
            problems.append(f"{name} is open before the reader opens it")
            continue
        # the chevron button: a click on the title's text may land on its link to the exercise instead
        button.click()
        page.wait_for_timeout(50)
        if not body.is_visible() or button.get_attribute("aria-expanded") != "true":
            problems.append(f"{name} does not open on a click")
            continue
        button.click()
        page.wait_for_timeout(50)
        if body.is_visible():
            problems.append(f"{name} does not close on a second click")
            continue
        # a solution's title links to its exercise: a click on that link opens the solution, it does not jump
        link = title.locator("a")
        if link.count():
            url, scroll = page.url, page.evaluate("() => window.scrollY")
            link.first.click()
            page.wait_for_timeout(50)
            if page.url != url or abs(page.evaluate("() => window.scrollY") - scroll) > 50:
                problems.append(f"{name}: a click on its title jumps to {page.url} instead of opening it")
            elif not body.is_visible():
                problems.append(f"{name} does not open on a click on its title")
            else:
                link.first.click()
                page.wait_for_timeout(50)
                if body.is_visible():
                    problems.append(f"{name} does not close on a second click on its title")
    details = page.locator("article details:not(details details):not(.dropdown details)")
    for n in range(details.count()):
        block = details.nth(n)
        summary = block.locator(":scope > summary")
        name = f"{doc}: hidden block {n + 1} ({summary.inner_text().strip()[:50]!r})"
        content = block.locator(":scope > summary ~ *").first
        if block.evaluate("el => el.open") or content.is_visible():
            problems.append(f"{name} is open before the reader opens it")
            continue
        summary.click()
        if not content.is_visible():
            problems.append(f"{name} does not open on a click")
            continue
        summary.click()
        if content.is_visible() or block.evaluate("el => el.open"):
            problems.append(f"{name} does not close on a second click")
    assert not problems, "\n".join(problems)
    assert not reader.new_errors(mark), f"{doc}: console errors while folding: {reader.new_errors(mark)[:3]}"


def _repository() -> tuple[str, str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]
    match = re.match(r"https://github\.com/([^/]+/[^/]+?)/?$", repo["url"])
    assert match, f"_config.yml repository.url is not a GitHub repository: {repo['url']}"
    return match.group(1), repo.get("branch", "main")


def test_launch_buttons_open_the_notebook(reader):
    page, doc = reader.page, reader.doc
    stem = Path(doc).name
    notebook = ROOT / "notebooks" / f"{stem}.ipynb"
    links = page.locator(".dropdown-launch-buttons a")
    if doc not in CHAPTERS:
        assert links.count() == 0, f"{doc} is not a chapter but has launch buttons"
        return
    assert notebook.exists(), f"{doc}: notebooks/{stem}.ipynb is missing (tools/notebooks.py sync)"
    repo, branch = _repository()
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    hrefs = {}
    for link in links.all():
        assert link.is_visible(), f"{doc}: the launch menu opened but {link.inner_text()!r} is not shown"
        hrefs[link.inner_text().strip()] = unquote(link.get_attribute("href"))
    page.keyboard.press("Escape")
    assert set(hrefs) >= {"Colab", "Binder"}, f"{doc}: launch menu has {sorted(hrefs)}, expected Colab and Binder"
    want = {"Colab": f"https://colab.research.google.com/github/{repo}/blob/{branch}/notebooks/{stem}.ipynb",
            "Binder": f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath="}
    for label, href in hrefs.items():
        found = re.findall(r"notebooks/([\w.-]+\.ipynb)", href)
        assert found == [f"{stem}.ipynb"], f"{doc}: the {label} button does not open notebooks/{stem}.ipynb: {href}"
        assert (ROOT / "notebooks" / found[0]).exists(), href
        if label in want:
            assert href.startswith(want[label]), f"{doc}: the {label} button points at {href}, expected {want[label]}..."


_fetched: dict[str, tuple[int, str]] = {}


def test_local_links_resolve(reader):
    """Every local href/src of the page exists on the server, and every #anchor exists in its target."""
    page, doc, server = reader.page, reader.doc, reader.server
    urls = page.evaluate("""() => Array.from(document.querySelectorAll('a[href], link[href], script[src], img[src]'))
        .map(el => el.href || el.src).filter(u => u && !u.startsWith('data:'))""")
    broken = []
    for url in sorted(set(urls)):
        if not url.startswith(server + "/"):
            continue
        base, fragment = urldefrag(url)
        if base not in _fetched:
            response = page.request.get(base)
            ctype = response.headers.get("content-type", "")
            _fetched[base] = (response.status, response.text() if "html" in ctype else "")
        status, text = _fetched[base]
        if status != 200:
            broken.append(f"HTTP {status}: {base}")
        elif fragment and text:
            frag = re.escape(unquote(fragment))
            if not re.search(rf'\b(id|name)="{frag}"', text):
                broken.append(f"missing anchor: {url}")
    assert not broken, f"{doc}: broken local links: {broken[:8]}"


# ------------------------------------------------------------------------------------------ search
STOPWORDS = {"about", "their", "there", "these", "which", "while", "where", "would", "other", "through"}


def _title_words(site) -> dict[str, str]:
    """A search word per chapter: its longest title word that no other chapter's title has."""
    titles = {}
    for doc in CHAPTERS:
        path = site / f"{doc}.html"
        if path.exists():
            match = re.search(r"<h1>(.*?)<", path.read_text(encoding="utf-8"), re.S)
            titles[doc] = re.findall(r"[A-Za-z]{5,}", match.group(1) if match else "")
    words = {}
    for doc, mine in titles.items():
        others = {w.lower() for d, ws in titles.items() if d != doc for w in ws}
        own = sorted((w for w in mine if w.lower() not in others | STOPWORDS), key=len, reverse=True)
        words[doc] = (own or sorted(mine, key=len, reverse=True) or [Path(doc).name.split("-", 1)[1]])[0]
    return words


def _search(browser, server, word: str):
    context = browser.new_context()
    page = context.new_page()
    errors, blocked = [], []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server) else (blocked.append(r.request.url),
                                                                                        r.abort())[1])
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/search.html?q={word}", wait_until="load")
    # Sphinx fills the summary line ("Search finished, found N page(s)..." or "Your search did not match
    # any documents...") once every result is listed
    page.wait_for_function("() => { const s = document.querySelector('#search-results p.search-summary');"
                           " return s && s.textContent.trim().length > 0; }", timeout=30_000)
    hrefs = page.eval_on_selector_all("#search-results li a", "els => els.map(a => a.getAttribute('href'))")
    context.close()
    return hrefs, errors, blocked


def _found(hrefs, doc) -> bool:
    return any(urldefrag(h)[0].split("?")[0].endswith(f"{doc}.html") for h in hrefs)


def test_search_finds_every_chapter_by_a_title_word(browser, server, site):
    words = _title_words(site)
    assert words, "no chapter pages in the site"
    missing = []
    for doc, word in words.items():
        hrefs, errors, blocked = _search(browser, server, word)
        assert not errors and not blocked, f"search for {word!r}: errors {errors[:3]}, blocked {blocked[:3]}"
        if not _found(hrefs, doc):
            missing.append(f"{word!r} does not find {doc} (found {hrefs[:5]})")
    assert not missing, "\n".join(missing)


#: Subjects the book spells one way in a chapter's title and often the other way in its text: either spelling
#: must find that chapter first, and both must lead with the same pages.
SPELLINGS = {
    ("regularization", "regularisation"): "book/09-regularization",
    ("initialization", "initialisation"): "book/07-gradients-and-initialization",
    ("batch normalization", "batch normalisation"): None,  # taught in chapters 11, 20 and 25: found by both
}


@pytest.mark.parametrize("spellings", list(SPELLINGS), ids=lambda pair: pair[0].replace(" ", "-"))
def test_search_finds_a_subject_under_either_spelling(browser, server, site, spellings):
    chapter = SPELLINGS[spellings]
    if chapter is not None and chapter not in CHAPTERS:
        pytest.skip(f"{chapter} is not in the table of contents")
    results = {}
    for query in spellings:
        hrefs, errors, _ = _search(browser, server, query)
        assert not errors and hrefs, f"search for {query!r}: {errors[:3]} {hrefs[:3]}"
        if chapter is not None:
            assert _found(hrefs[:1], chapter), f"{query!r} finds {hrefs[:3]} first, not {chapter}"
        results[query] = hrefs
    # the same pages lead (a section title in one spelling adds a hit of its own, so the tails may differ)
    pages = {q: [urldefrag(h)[0] for h in hrefs] for q, hrefs in results.items()}
    first, second = (pages[q] for q in spellings)
    assert first[:3] == second[:3], pages
    if chapter is None:  # batch norm: chapters 11, 20 and 25 teach it, under either spelling
        for doc in ("book/11-residual-networks", "book/20-why-deep-learning-works", "book/25-depth-without-limits"):
            if doc in CHAPTERS:
                assert _found(first, doc) and _found(second, doc), f"{doc} not found by both spellings: {pages}"


def test_search_finds_a_word_of_the_text(browser, server, site):
    if "book/03-shallow-networks" not in CHAPTERS:
        pytest.skip("chapter 3 is not in the table of contents")
    hrefs, errors, _ = _search(browser, server, "hinges")
    assert _found(hrefs, "book/03-shallow-networks"), f"'hinges' does not find chapter 3: {hrefs}"
    assert not errors
    nothing, _, _ = _search(browser, server, "zqxjvwk")
    assert not nothing, f"a made-up word found pages: {nothing}"
