"""A real browser on the published knowledge base: `kbuild serve` on a knowledge base
built from ../shared/corpus, headless Chromium (Debian's `chromium`) opening BERT's card
query and the test post's fact-check query, a screenshot of each, and the evidence text
on the page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(corpus_kb, tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w+")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kbuild",
            "--db",
            str(corpus_kb.db_path),
            "serve",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.seek(0)
                pytest.fail(f"kbuild serve did not start: {log.read()!r}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


def browse(url: str, out: Path) -> str:
    """Screenshot the page into ``out`` and return its rendered DOM."""
    profile = out.parent / f"profile-{out.stem}"
    common = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1400,1800"]
    subprocess.run(
        [*common, f"--screenshot={out}", url], check=True, timeout=120, capture_output=True
    )
    dom = subprocess.run(
        [*common, "--dump-dom", url], check=True, timeout=120, capture_output=True, text=True
    ).stdout
    keep = os.environ.get("KBUILD_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(out, Path(keep) / out.name)
    return dom


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank one


def test_bert_card_in_a_browser_shows_the_evidence(server, tmp_path):
    shot = tmp_path / "bert-card.png"
    dom = browse(f"{server}/kb/model_card?model=bert", shot)
    assert_png(shot)
    assert (
        "A model&#39;s card, with the evidence for each value" in dom
        or "A model's card, with the evidence for each value" in dom
    )
    assert "Thu, 11 Oct 2018 00:00:00 GMT" in dom  # the arXiv record's v1 stamp
    assert "340M parameters" in dom  # the paper's own sentence
    assert "1810.04805" in dom


def test_post_fact_check_in_a_browser_shows_the_evidence(server, tmp_path):
    shot = tmp_path / "post-findings.png"
    dom = browse(f"{server}/kb/post_findings?post=evolution_of_llms", shot)
    assert_png(shot)
    assert "contradicted" in dom and "malformed" in dom
    assert "Wed, 2 Oct 2019 00:00:00 GMT" in dom  # DistilBERT's v1 date, against 10/2020
    assert "Base = 110M, Large = 330MT" in dom
