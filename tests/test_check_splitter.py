"""The sentence splitter kbuild uses (pysbd with its offsets found by ``str.find`` and
its patterns kept compiled) gives pysbd's own sentences, offset for offset."""

from __future__ import annotations

import re

import pytest

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


def pysbd_own(text: str) -> list[tuple[int, int]]:
    import pysbd

    return [
        (s.start, s.end)
        for s in pysbd.Segmenter(language="en", clean=False, char_span=True).segment(text)
    ]


def ours(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in segmenter().segment(text)]


@pytest.mark.parametrize("text", TRICKY)
def test_the_splitter_gives_pysbds_sentences_on_tricky_text(text):
    assert ours(text) == pysbd_own(text)


def test_the_splitter_gives_pysbds_sentences_on_the_real_posts():
    posts = need_corpus("..", "posts", "hf_blog")
    paragraphs = []
    for post in sorted(posts.glob("*.md")):
        text = post.read_text(encoding="utf-8")
        paragraphs += [p.replace("\n", " ") for p in re.split(r"\n\s*\n", text) if p.strip()]
    assert len(paragraphs) > 300
    differ = [p for p in paragraphs if ours(p) != pysbd_own(p)]
    assert differ == []
