"""The cue words that let a text skip a regex, and a model's names found without one: both
must give exactly what the regex gives (checked on the shared corpus's real pages)."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from kbuild.extract.statements import OwnNames, names_pattern
from kbuild.extract.text import markdown_regions, sentences
from kbuild.normalize.cues import AnyOf, Cued, cues, fold

from .conftest import need_corpus

MODULES = [
    "kbuild.check.prose",
    "kbuild.extract.hf_docs",
    "kbuild.extract.statements",
    "kbuild.extract.release_licence",
    "kbuild.normalize.architecture",
    "kbuild.normalize.license",
    "kbuild.normalize.task",
    "kbuild.normalize.tokens",
    "kbuild.lineage",
]


def _cued_patterns() -> dict[str, Cued]:
    from kbuild.normalize import architecture, corpus, license, task

    found = {
        f"{name}.{key}": value
        for name in MODULES
        for key, value in vars(importlib.import_module(name)).items()
        if isinstance(value, Cued)
    }
    found.update({f"objective {k}": v for k, v in task._compiled().items()})
    found.update({f"architecture {a} {i}": p for i, (p, a) in enumerate(architecture._PHRASES)})
    found.update({f"dataset {k}": v for k, v in corpus._COMPILED.items()})
    found.update({f"licence {s} {i}": p for i, (p, s) in enumerate(license._COMPILED)})
    return found


@pytest.fixture(scope="module")
def corpus_sentences() -> list[str]:
    """Every sentence of the shared corpus's doc pages, and of its arXiv abstracts."""
    texts = []
    for page in sorted(need_corpus("hf_docs").glob("*.md")):
        for region in markdown_regions(page.read_text(encoding="utf-8")):
            texts += [s.text for s in sentences(region)]
    papers = need_corpus("arxiv", "papers.jsonl")
    for line in papers.read_text(encoding="utf-8").splitlines():
        abstract = json.loads(line).get("abstract") or ""
        texts += re.split(r"(?<=\.)\s+", abstract)
    assert len(texts) > 10_000
    return texts


def test_every_character_that_ignorecase_matches_to_an_ascii_letter_is_folded():
    twins = {
        chr(c)
        for c in range(128, 0x110000)
        if re.fullmatch("[a-z]", chr(c), re.I) and not 0xD800 <= c < 0xE000
    }
    assert twins == {"\u0130", "\u0131", "\u017f", "\u212a"}
    for twin in twins:
        letter = next(a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(a, twin, re.I))
        assert fold(f"x{twin}y") == f"x{letter}y"


def test_the_cues_are_read_from_the_pattern():
    found = cues(re.compile(r"\bmasked[\s-]+language[\s-]+model|cloze|(?-i:MLM)", re.I))
    assert found == {
        frozenset({"masked", "language", "model"}),
        frozenset({"cloze"}),
        frozenset({"mlm"}),
    }
    # an alternative another one already admits is dropped ("clm" holds "lm")
    assert cues(re.compile(r"\bCLM\b|\bLM\b")) == {frozenset({"lm"})}
    # a repeat that may match nothing, a character class: no cue
    assert cues(re.compile(r"(?:abc)?\d+")) is None
    assert Cued(re.compile(r"\d+")).search("in 2019") is not None


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        # alternatives whose cues admit each other ({"is"} and {"is", "s"}): one stays
        (re.compile(r"is|s\bis|x"), "is"),
        (
            re.compile(r"language model\s+\w+\s+model|language model|\bLM\b|cloze", re.I),
            "A causal language model.",
        ),
        (re.compile(r"s\bIs|bé\b|is", re.I), "this"),
        # a case-sensitive part, a repeat that may match nothing, a look-behind
        (re.compile(r"(?-i:SSM)s?|state\s+space", re.I), "an SSM layer"),
        (re.compile(r"(?:pre-?)?train(?:ed|ing)?", re.I), "Pretraining"),
        (re.compile(r"(?<![A-Za-z])LM(?![A-Za-z])"), "a causal LM."),
    ],
)
def test_a_cued_pattern_finds_what_its_regex_finds(pattern, text):
    expected = [m.span() for m in pattern.finditer(text)]
    assert expected
    assert [m.span() for m in Cued(pattern).finditer(text)] == expected
    assert Cued(pattern).search(text).span() == expected[0]


def pattern_of(regex: str) -> Cued:
    return Cued(re.compile(regex, re.I))


def test_a_text_without_the_cues_is_not_searched_and_one_with_them_is():
    pattern = Cued(re.compile(r"\bnext\s+sentence\s+prediction\b", re.I))
    assert pattern.search("It drops the NSP loss.") is None
    assert pattern.search("It uses Next  Sentence\nPrediction.").span() == (8, 33)
    assert [m.span() for m in pattern.finditer("next sentence prediction")] == [(0, 24)]
    # a letter that matches an ASCII one when case is ignored (the Kelvin sign) counts
    kelvin = Cued(re.compile(r"masked", re.I))
    assert kelvin.search("Mas\u212aed") is not None
    # beyond ASCII, what no cue word can hold is folded to "?": the text stays ASCII
    assert fold("\u201cMasked\u201d LM \u2014 \u26a0\ufe0f na\u00efve") == "?masked? lm ? ?? na?ve"
    quoted = "Ein \u201eMasked Language\u201c Modell \u26a0\ufe0f"
    assert pattern_of(r"masked\s+language").search(quoted).span() == (5, 20)


def test_cued_patterns_find_what_their_regex_finds_in_the_corpus(corpus_sentences):
    patterns = _cued_patterns()
    assert len(patterns) >= 30
    skipped = 0
    for name, cued in patterns.items():
        for text in corpus_sentences:
            expected = [m.span() for m in cued.regex.finditer(text)]
            assert [m.span() for m in cued.finditer(text)] == expected, (name, text)
            searched = cued.search(text)
            assert (searched.span() if searched else None) == (expected[0] if expected else None), (
                name,
                text,
            )
            skipped += not cued.possible(fold(text))
    # the cues still rule out most sentences (were they read wrong, or lost, every
    # sentence would go to the regex and this test alone would notice)
    assert skipped > 0.7 * len(patterns) * len(corpus_sentences)


def _groups():
    from kbuild.normalize import architecture, corpus, license, task

    return {
        "architectures": (architecture._ANY_PHRASE, [p for p, _ in architecture._PHRASES]),
        "objectives": (task._any_objective(), list(task._compiled().values())),
        "datasets": (corpus._ANY_DATASET, list(corpus._COMPILED.values())),
        "licences": (license._ANY_LICENCE, [p for p, _ in license._COMPILED]),
    }


def test_a_group_of_patterns_passes_every_text_one_of_them_matches(corpus_sentences):
    for name, (group, patterns) in _groups().items():
        assert group.firsts, name
        passed = 0
        for text in corpus_sentences:
            possible = group.possible(fold(text))
            passed += possible
            if not possible:
                assert not any(p.regex.search(text) for p in patterns), (name, text)
        # and it rules out sentences (most name no licence, dataset or objective)
        assert passed < 0.8 * len(corpus_sentences), name


def test_a_group_keeps_the_shortest_of_first_words_that_hold_one_another():
    group = AnyOf([pattern_of(r"decoder-only"), pattern_of(r"decoder"), pattern_of(r"mlm|cloze")])
    assert group.firsts == ("cloze", "decoder", "mlm")
    assert group.possible(fold("A DECODER-ONLY model"))
    assert not group.possible(fold("An encoder"))
    # a pattern with no cue word: every text may match
    assert AnyOf([pattern_of(r"\d+"), pattern_of("mlm")]).possible("anything")


def _lineage_sentences_agree(body: str) -> int:
    from kbuild import lineage

    every = list(lineage._sentences(body))
    cued = list(lineage._cue_sentences(body, fold(body)))
    stating = [(s, e) for s, e in every if lineage.ANY_DOC_CUE.search(body[s:e])]
    assert set(stating) <= set(cued) <= set(every)
    assert cued == sorted(set(cued))
    return len(stating)


def test_lineage_cuts_out_every_sentence_that_holds_a_cue_and_only_such():
    pages = sorted(need_corpus("hf_docs").glob("*.md"))
    assert sum(_lineage_sentences_agree(p.read_text(encoding="utf-8")) for p in pages) > 20
    # a long page: the sentence before a cue is found from further back than 400 chars
    filler = "Words follow words here without a stop " * 30
    body = (
        f"{filler}.\n\n  ! {filler}and it is based on BERT. Next one. "
        f"{filler}\n \n{filler}Is Based On RoBERTa! (x) [y] successor to T5"
    )
    assert _lineage_sentences_agree(body) == 3


# the markdown mask as it was first written: a lazy ".*?" a character at a time
_MASK_AS_WRITTEN = re.compile(
    r"<!--.*?-->|^(?:[ \t]*```.*?^[ \t]*```[^\n]*$|\[\[autodoc\]\].*?(?=^\S|\Z)"
    r"|\s*</?[A-Za-z][^>\n]*>\s*$)",
    re.S | re.M,
)


def test_markdown_is_masked_and_cut_where_the_patterns_as_written_would():
    from kbuild.extract import text

    pages = [p.read_text(encoding="utf-8") for p in sorted(need_corpus("hf_docs").glob("*.md"))]
    pages += [
        "```py\nx = 1\n  ```\n[[autodoc]] Bert\n    - forward\n\n- a\n-\n  b\n# T\n#\n##  U \n",
        "[[autodoc]] X\n\n \n\tY\nZ\n```\nno close\n<!-- a\n```\n-->\n  <div>\n\n</div>",
    ]
    for page in pages:
        masked = text._MASK.sub(text._blanked, page)
        assert masked == _MASK_AS_WRITTEN.sub(text._blanked, page)
        assert [m.span() for m in text._headings(masked)] == [
            m.span() for m in text.HEADING.finditer(masked)
        ]
        for start, end in text._blocks(masked):
            assert [m.span() for m in text._bullets(masked, start, end)] == [
                m.span() for m in text.BULLET.finditer(masked, start, end)
            ]


def test_a_models_names_are_found_where_its_name_pattern_finds_them(corpus_kb, corpus_sentences):
    models = list(corpus_kb.db.query("select name, aliases from models"))
    assert len(models) > 500
    lowered = [text.lower() for text in corpus_sentences]
    compared = 0
    for model in models:
        names = [model["name"], *json.loads(model["aliases"] or "[]")]
        own, regex = OwnNames(names), names_pattern(names)
        heads = [n.lower()[:4] for n in names if len(n) >= 2]
        for text, low in zip(corpus_sentences, lowered, strict=True):
            if not any(head in low for head in heads):
                continue
            # the same sentence with a curly quote, and with a Kelvin sign for a "k"
            for variant in (text, f"“{text}”", text.replace("k", "\u212a", 1)):
                expected = [m.span() for m in regex.finditer(variant)] if regex else []
                assert list(own.spans(variant)) == expected, (names, variant)
                assert own.named_in(variant) == bool(expected)
                compared += 1
    assert compared > 10_000


def test_own_names_take_the_longest_name_at_a_place_and_mind_the_word_edges():
    own = OwnNames(["GPT", "GPT-2", "gpt-2 xl", "T5"])
    text = "GPT-2 XL beats GPT-2, GPT-3 and mT5; GPTs and T5s: T5."
    assert [text[a:b] for a, b in own.spans(text)] == ["GPT-2 XL", "GPT-2", "GPT", "T5"]
    assert own.named_in("no model here") is False
    assert not OwnNames(["a"])  # one letter is no name
