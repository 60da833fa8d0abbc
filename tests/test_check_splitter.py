"""The sentence splitter kbuild uses (pysbd with its offsets found by ``str.find`` and
its patterns kept compiled) gives pysbd's own sentences, offset for offset."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from kbuild.check.splitter import segmenter

from .conftest import need_corpus

TRICKY = [
    "",
    "   ",
    "One. One. One. Two.",
    "It cost $5 (a lot). [Really?] Yes: 3.5B params, i.e. big. See Fig. 2 and Dr. Smith.",
    "Dots... and more dots.... Then a U.S. company, the E.U. too! Done?  Yes.",
    "a.b.c. d.e.f. Mr. T. Jr. went to the St. Louis lab at 5 p.m. on Jan. 3.",
    "Repeat this. Repeat this. Repeat this.\n\nRepeat this.",
    "(1) First item. (2) Second item. ii. Third item.",
    "Regex chars: a+b* (c?) [d] {e} ^f$ g|h \\i. End.",
]


PYSBD_OWN = """
import json, sys, pysbd
segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
texts = json.load(sys.stdin)
print(json.dumps([[[s.start, s.end] for s in segmenter.segment(t)] for t in texts]))
"""


def pysbd_own(texts: list[str]) -> list[list[tuple[int, int]]]:
    """pysbd as it comes from PyPI, in a process of its own (this one's pysbd modules
    have kbuild's kept patterns)."""
    done = subprocess.run(
        [sys.executable, "-c", PYSBD_OWN],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    return [[tuple(span) for span in spans] for spans in json.loads(done.stdout)]


def ours(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in segmenter().segment(text)]


def test_the_splitter_gives_pysbds_sentences_on_tricky_text():
    assert [ours(text) for text in TRICKY] == pysbd_own(TRICKY)


def test_the_splitter_gives_pysbds_sentences_on_the_real_posts():
    posts = need_corpus("..", "posts", "hf_blog")
    paragraphs = []
    for post in sorted(posts.glob("*.md")):
        text = post.read_text(encoding="utf-8")
        paragraphs += [p.replace("\n", " ") for p in re.split(r"\n\s*\n", text) if p.strip()]
    assert len(paragraphs) > 300
    theirs = pysbd_own(paragraphs)
    differ = [p for p, spans in zip(paragraphs, theirs, strict=True) if ours(p) != spans]
    assert differ == []
