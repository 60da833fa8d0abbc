"""A real browser on the published knowledge base: `kbuild serve --public` on a knowledge
base built from ../shared/corpus, headless Chromium (Debian's `chromium`) driven over the
DevTools protocol as a newcomer would use the site: the home page, a search typed into
the box, a click to the model's page, from a card value to its fact, from the fact to
the original arXiv URL, and a post's report. A screenshot of each step (kept when
KBUILD_SCREENSHOTS names a folder)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websocket

from .serving import free_port, wait_for

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
]
REPO = Path(__file__).resolve().parents[1]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="module")
def server(corpus_kb, tmp_path_factory):
    """`kbuild serve --public` on a copy of the corpus knowledge base."""
    folder = tmp_path_factory.mktemp("serve")
    db_path = folder / "kb.db"
    shutil.copy(corpus_kb.db_path, db_path)
    port = free_port()
    log = (folder / "serve.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "kbuild", "--db", str(db_path), "serve", "--public",
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/-/versions.json", process, log, "kbuild serve")
    yield base
    process.terminate()
    process.wait(timeout=10)


class Browser:
    """Headless Chromium over the DevTools protocol: navigate, type, click, read."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.log = (folder / "chromium.log").open("w+")
        self.process = subprocess.Popen(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={folder / 'profile'}",
             f"--remote-debugging-port={self.port}", "--window-size=1400,1800",
             "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        targets = json.loads(
            wait_for(f"http://127.0.0.1:{self.port}/json/list", self.process, self.log, "chromium")
        )
        page = next(t for t in targets if t["type"] == "page")
        # (no Origin header: Chromium 111+ refuses a DevTools connection from an origin
        # it was not told to allow)
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0
        self.send("Page.enable")

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_until_loaded(self, path_part: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (
                path_part in (self.js("location.href") or "")
                and self.js("document.readyState") == "complete"
            ):
                return
            time.sleep(0.1)
        raise AssertionError(f"never reached {path_part}; at {self.js('location.href')}")

    def go(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_until_loaded(url)

    def click(self, selector: str, then: str) -> None:
        assert self.js(f"!!document.querySelector({json.dumps(selector)})"), selector
        self.js(f"document.querySelector({json.dumps(selector)}).click()")
        self.wait_until_loaded(then)

    def click_link(self, text: str, then: str) -> None:
        """Click the first link whose text is ``text``."""
        found = json.dumps(text)
        script = f"[...document.querySelectorAll('a')].find(a => a.textContent.trim() == {found})"
        assert self.js(f"!!{script}"), text
        self.js(f"{script}.click()")
        self.wait_until_loaded(then)

    def type_and_enter(self, selector: str, text: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)
        for kind in ("keyDown", "keyUp"):
            self.send(
                "Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "",
            )  # fmt: skip

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        keep = os.environ.get("KBUILD_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)

    def html(self) -> str:
        return self.js("document.documentElement.outerHTML")

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    browser = Browser(tmp_path)
    yield browser
    browser.close()


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank one


def assert_no_machine_path(html: str, corpus_kb) -> None:
    for root in (str(REPO), str(REPO.parent / "shared"), str(corpus_kb.db_path.parent)):
        assert root not in html, root


def test_a_newcomer_goes_from_the_home_page_to_the_arxiv_record(
    server, browser, tmp_path, corpus_kb
):
    browser.go(f"{server}/")
    assert browser.js("document.title") == "kbuild: the language-model knowledge base"
    browser.screenshot(tmp_path / "1-home.png")
    assert_png(tmp_path / "1-home.png")
    assert_no_machine_path(browser.html(), corpus_kb)

    browser.type_and_enter("#kbuild-q", "llama")
    browser.wait_until_loaded("/search?q=llama")
    browser.screenshot(tmp_path / "2-search.png")
    first = browser.js("document.querySelector('.kbuild-results a').getAttribute('href')")
    assert first == "/model/llama"

    browser.click(".kbuild-results a", "/model/llama")
    assert browser.js("document.querySelector('h1').textContent") == "LLaMA"
    browser.screenshot(tmp_path / "3-model.png")
    params = browser.js("document.querySelector('tr.field-params td.value a').textContent")
    assert params.strip() == "7B, 13B, 33B, 65B"
    assert_no_machine_path(browser.html(), corpus_kb)

    browser.click("tr.field-arxiv_id td.value a", "/kb/facts/")
    browser.screenshot(tmp_path / "4-fact.png")
    href = browser.js("document.querySelector('td.col-url a').getAttribute('href')")
    assert href == "https://arxiv.org/abs/2302.13971"
    assert_no_machine_path(browser.html(), corpus_kb)

    browser.go(f"{server}/")
    browser.click_link(corpus_kb.post.name, "/post/")
    browser.screenshot(tmp_path / "5-post.png")
    assert_png(tmp_path / "5-post.png")
    heading = browser.js("document.querySelector('h1').textContent")
    assert heading == "Fact-check of evolution_of_llms.md"
    claims = browser.js("document.querySelectorAll('tr[class^=claim-]').length")
    stored = corpus_kb.db.execute(
        "select count(*) from claims where post = ?", [corpus_kb.post.name]
    ).fetchone()[0]
    assert claims == stored
    contradicted = browser.js(
        "[...document.querySelectorAll('.verdict-contradicted')].map(e => e.textContent)"
    )
    assert contradicted and contradicted[0].startswith("contradicted")
    assert_no_machine_path(browser.html(), corpus_kb)


def test_a_blank_canned_query_offers_examples_that_work(server, browser, tmp_path):
    browser.go(f"{server}/kb/model_card")
    assert "Fill in the form" in browser.html()
    assert not browser.js("document.querySelector('.zero-results')?.offsetParent")
    browser.click(".kbuild-examples a[href*='OpenAI']", "model=OpenAI")
    browser.screenshot(tmp_path / "6-query.png")
    rows = browser.js("document.querySelectorAll('table.rows-and-columns tbody tr').length")
    assert rows >= 8


def test_the_explorer_filters_the_table_and_the_chart_and_fits_a_phone(server, browser, tmp_path):
    browser.go(f"{server}/explore")
    assert browser.js("typeof Plotly") == "object"  # served by the site, not a CDN
    every = browser.js("document.querySelectorAll('.kbuild-explore-table tbody tr').length")
    points = "document.getElementById('explore-chart').data.reduce((n, t) => n + t.x.length, 0)"
    before = browser.js(points)
    assert every > 100 and before > 50
    browser.screenshot(tmp_path / "7-explore.png")

    # filter by lab and years in the form, as a user would
    browser.js("document.querySelector('input[name=lab]').value = 'Google'")
    browser.js("document.querySelector('input[name=year_from]').value = '2019'")
    browser.js("document.querySelector('input[name=year_to]').value = '2020'")
    browser.click(".kbuild-filters button[type=submit]", "year_to=2020")
    shown = browser.js("document.querySelectorAll('.kbuild-explore-table tbody tr').length")
    assert 0 < shown < every
    labs = browser.js(
        "[...document.querySelectorAll('.kbuild-explore-table tbody tr td:nth-child(3)')]"
        ".map(td => td.textContent)"
    )
    assert all("Google" in lab for lab in labs)
    years = browser.js(
        "[...document.querySelectorAll('.kbuild-explore-table tbody tr td:nth-child(2)')]"
        ".map(td => td.textContent.trim().slice(-4))"
    )
    assert set(years) <= {"2019", "2020"}
    after = browser.js(points)
    assert 0 < after < before  # the chart follows the filters
    assert browser.js("document.querySelector('#explore-count').textContent") == str(shown)

    # the post as written, each claim marked where it stands
    browser.go(f"{server}/")
    browser.click_link("evolution_of_llms.md", "/post/")
    marks = browser.js("document.querySelectorAll('#post-text .claim-mark').length")
    rows = browser.js("document.querySelectorAll('tr[class^=claim-]').length")
    assert marks == rows > 0
    mark = browser.js(
        "(() => { const m = document.querySelector('#post-text .claim-mark.verdict-contradicted');"
        " return [m.textContent, m.title, m.getAttribute('href')]; })()"
    )
    assert mark[1].count("contradicted") >= 1 and "<http" in mark[1]  # verdict and evidence
    browser.click("#post-text .claim-mark.verdict-contradicted", mark[2])
    assert browser.js("location.hash") == mark[2]
    browser.screenshot(tmp_path / "9-post-view.png")
    post_path = browser.js("location.pathname")

    # a fact's page shows every column, its public address too, within the window
    browser.go(f"{server}/kb/facts?field=arxiv_id&model_id=llama")
    browser.click("table.rows-and-columns tbody td.col-id a", "/kb/facts/")
    right = browser.js(
        "document.querySelector('td.col-url').getBoundingClientRect().right <= innerWidth"
    )
    assert right and browser.js("document.documentElement.scrollWidth <= innerWidth")
    fact_path = browser.js("location.pathname")

    # every custom page as JSON, as a browser gets it
    for path, key in (
        ("/model/bert.json", "card"),
        (f"{post_path}.json", "first"),
        ("/search.json?q=bert", "found"),
        ("/explore.json?lab=Google", "rows"),
    ):
        browser.go(f"{server}{path}")
        assert key in json.loads(browser.js("document.body.innerText")), path

    # a phone: no horizontal scroll of the page
    browser.send(
        "Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1,
        mobile=True,
    )  # fmt: skip
    for path in ("/explore", "/model/llama", "/", post_path, fact_path, "/kb/conflicts"):
        browser.go(f"{server}{path}")
        wide = browser.js("document.documentElement.scrollWidth")
        assert wide <= 390, (path, wide)
    browser.screenshot(tmp_path / "8-explore-phone.png")
