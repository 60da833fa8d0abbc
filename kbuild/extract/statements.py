"""Facts stated in prose: a sentence about the model that gives a parameter count, an
architecture, a pretraining objective or a training corpus.

Prose talks about other models too ("methods such as BERT corrupt the input…"), so a
sentence only counts when it is about this model: it names the model, or speaks as the
authors ("we", "our") or of the model ("It is…", "This model…"); it names no other tracked
model unless it also names this one; and it is not a comparison ("such as", "than").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kbuild.extract.facts import Fact
from kbuild.extract.text import Region, sentences
from kbuild.normalize import Normalized
from kbuild.normalize.alternation import trie_pattern
from kbuild.normalize.architecture import architecture_in
from kbuild.normalize.corpus import datasets_in
from kbuild.normalize.params import SIZE_RE, normalize_params
from kbuild.normalize.task import objectives_in

TRAINING = re.compile(r"pre-?train|train(?:ed|ing)\s+(?:on|with)|corpus|corpora|objective", re.I)
PARAMETERS = re.compile(r"param", re.I)
SELF = re.compile(
    r"^(?:it|this|these|(?:the|its) (?:model|models|architecture))\b|\b(?:we|our|ours)\b", re.I
)
CONTRAST = re.compile(
    r"\b(?:such as|unlike|instead of|rather than|than|compared (?:to|with)|prior work|"
    r"previous|existing|like [A-Z]|outperform)",
    re.I,
)
# Names of tracked models that are also the words every page uses ("a transformer
# decoder", "the GPT architecture"): they do not make a sentence about another model.
GENERIC_NAMES = {"transformer", "gpt", "switch"}
URL = re.compile(r"\]\([^)\s]*\)|https?://\S+")


def names_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One regex matching any of ``names`` as a word (case-insensitive)."""
    names = {n.lower() for n in names if len(n) >= 2}
    if not names:
        return None
    return re.compile(
        # "BERTBASE" names BERT, "Bertrand" does not: the look-ahead is case-sensitive
        r"(?<![A-Za-z0-9])(?:" + trie_pattern(names, space=" ") + r")(?-i:(?![a-z]))",
        re.I,
    )


class NameIndex:
    """Every tracked model's names in one pattern, built once per run, and who owns each."""

    def __init__(self, models: Iterable[dict]):
        self.owners: dict[str, set[str]] = {}
        for model in models:
            for name in [model["name"], *model["aliases"]]:
                if len(name) >= 2 and name.lower() not in GENERIC_NAMES:
                    self.owners.setdefault(name.lower(), set()).add(model["id"])
        self.pattern = names_pattern(self.owners)


@dataclass
class OtherNames:
    """The names of every tracked model but one, in a shared :class:`NameIndex`."""

    index: NameIndex
    model_id: str
    own: frozenset[str]

    def search(self, text: str) -> re.Match | None:
        """The first name in ``text`` that belongs to another model."""
        return next(self._matches(text), None)

    def starts(self, text: str) -> bool:
        """Whether ``text`` begins with another model's name."""
        return any(m.start() == 0 for m in self._matches(text[:60]))

    def ends(self, text: str) -> bool:
        """Whether ``text`` ends with another model's name."""
        return any(
            m.end() == len(text) for m in self._matches(text[-60:] if len(text) > 60 else text)
        )

    def _matches(self, text: str):
        if self.index.pattern is None:
            return
        for match in self.index.pattern.finditer(text):
            key = match.group(0).lower()
            if key not in self.own and self.index.owners.get(key, set()) - {self.model_id}:
                yield match


@dataclass
class Subject:
    """Who a sentence must be about: this model's names, and the other tracked models'."""

    own: re.Pattern | None
    others: OtherNames | None = None

    @classmethod
    def of(
        cls, model: dict, all_models: Iterable[dict] = (), index: NameIndex | None = None
    ) -> Subject:
        """The subject for ``model`` among ``all_models`` (or the models of ``index``)."""
        own_names = [model["name"], *model["aliases"]]
        if index is None:
            index = NameIndex(all_models)
        own = frozenset(n.lower() for n in own_names)
        return cls(names_pattern(own_names), OtherNames(index, model["id"], own))

    def names_model(self, text: str) -> bool:
        """Whether the text names this model."""
        return bool(self.own and self.own.search(text))

    def about(self, text: str, previous_about: bool = True) -> bool:
        """Whether the sentence speaks of this model (see the module docstring).
        ``previous_about`` says whether the sentence before was: "It ..." continues it."""
        if CONTRAST.search(text):
            return False
        subject = SUBJECT.match(text)
        if subject:
            word = subject.group(1)
            if word.lower() in ("it", "this model", "the model"):
                return previous_about
            if not self.names_model(word):
                return False  # "UmT5 is a multilingual T5 model": about UmT5
        if self.names_model(text):
            return True
        if self.others and self.others.search(text):
            return False
        return bool(SELF.search(text))


# The grammatical subject of a sentence when it is a name ("UmT5 is …", "It was …").
SUBJECT = re.compile(
    r"^\W*(?:[\w.-]+\W*:\s*)?"  # a list item's label ("**mT5**: mT5 is …")
    r"((?i:it|this model|the model)|[A-Za-z][\w.-]*\d[\w.-]*|[A-Z][a-z]*[A-Z][\w.-]*)\s+"
    r"(?:is|was|are|were|has|uses|extends|builds)\b"
)


def prose(text: str) -> bool:
    """A sentence, not a table flattened into lines of numbers."""
    if len(text) > 600:
        return False
    words = text.split()
    return len(words) >= 4 and sum(w[:1].isalpha() for w in words) >= 0.6 * len(words)


PARAM_AFTER = re.compile(r"^(?:[^.;:()]|\.\d){0,40}?param", re.I)
PARAM_BEFORE = re.compile(r"param[\w-]*\s*[=:]\s*$|param[^.;]{0,12}$", re.I)
# "13B active parameters", "37B activated for each token": what a mixture-of-experts model
# uses per token, not its size.
ACTIVE_AFTER = re.compile(r"^[\s-]*(?:active|activated)\b", re.I)


# Words that deny or take away what follows: "is not a 175B model", "removing the next
# sentence prediction objective", "without NSP".
NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|instead\s+of|rather\s+than|unlike|remov(?:e|es|ed|ing)|"
    r"drop(?:s|ped|ping)?|exclud(?:e|es|ed|ing)|abandon(?:s|ed|ing)?)\b|n't\b",
    re.I,
)
NEGATION_WINDOW = 40


def negated(text: str, start: int) -> bool:
    """Whether the words just before ``start`` (in the same clause) deny what follows."""
    before = re.split(
        r"[,;:()]|\b(?:but|and|while|whereas)\b", text[max(0, start - NEGATION_WINDOW) : start]
    )
    return bool(NEGATION.search(before[-1]))


def dehyphenate(text: str) -> str:
    """PDF lines broken inside a word: "Book-\nCorpus" → "Book-Corpus", "pre-\ntraining" →
    "pretraining"; other line breaks become spaces."""
    text = re.sub(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])", "", text)
    text = re.sub(r"-[ \t]*\n[ \t]*", "-", text)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


def params_phrase(text: str, others: OtherNames | None = None) -> str | None:
    """The stretch of a sentence that gives sizes as parameter counts: sizes followed
    closely by 'parameters' ("7B to 65B parameters") or just after "Parameters=",
    from the first such size to the last. Other sizes are left out: words, tokens, the
    parameters a mixture of experts activates per token, a size that is denied ("not a
    175B model"), and a size that belongs to another model named beside it ("the 175B
    GPT-3", "GPT-3 (175B)")."""
    kept = [
        m
        for m in SIZE_RE.finditer(text)
        if not ACTIVE_AFTER.match(text[m.end() :])
        and not negated(text, m.start())
        and not (others and _sized_model(text, m, others))
        and (
            PARAM_AFTER.match(text[m.end() :])
            or PARAM_BEFORE.search(text[max(0, m.start() - 25) : m.start()])
        )
    ]
    if not kept:
        return None
    start, end = kept[0].start(), kept[-1].end()
    tail = re.match(r"[\s-]*param(?:eter)?s?", text[end:], re.I)
    return text[start : end + (tail.end() if tail else 0)]


def _sized_model(text: str, size: re.Match, others: OtherNames) -> bool:
    """Whether a size sits beside another model's name: right before it ("the 175B
    GPT-3", "a 175B-parameter GPT-3") or right after it ("GPT-3 (175B)", "GPT-3's 175B")."""
    after = text[size.end() : size.end() + 40]
    joined = re.match(r"[\s-]*(?:param(?:eter)?s?[\s-]+)?", after, re.I)
    if others.starts(after[joined.end() :]):
        return True
    before = text[max(0, size.start() - 40) : size.start()]
    return others.ends(re.sub(r"(?:'s|’s)?[\s(]*$", "", before))


def facts_in(
    regions: Iterable[Region],
    *,
    quote_of: Callable[[Region], str],
    locator_for: Callable[[Region], dict],
    fact_args: dict,
    subject: Subject,
    fields: set[str],
    confidence: float,
    require_name_for: frozenset[str] = frozenset(),
) -> list[Fact]:
    """Scan each sentence of ``regions`` for the ``fields`` asked for.

    ``quote_of`` gives the document's own characters for a sentence, ``locator_for``
    its locator; ``fact_args`` are the Fact arguments every fact shares.
    """
    facts: list[Fact] = []
    for region in regions:
        previous_about = True
        for sentence in sentences(region):
            # links and URLs are masked so "arxiv.org" is no corpus; PDF line breaks undone
            text = dehyphenate(URL.sub(lambda m: " " * len(m.group(0)), sentence.text))
            about = subject.about(text, previous_about)
            previous_about = about
            if not prose(text) or not about:
                continue
            named = subject.names_model(text)

            def add(
                field_key: str,
                value: str,
                normalized: Normalized,
                sentence: Region = sentence,
                named: bool = named,
            ) -> None:
                if field_key in require_name_for and not named:
                    return
                facts.append(
                    Fact(
                        field=field_key,
                        value=value,
                        normalized=normalized,
                        locator=locator_for(sentence),
                        quote=quote_of(sentence),
                        confidence=confidence,
                        **fact_args,
                    )
                )

            if "params" in fields and PARAMETERS.search(text):
                phrase = params_phrase(text, subject.others)
                parsed = normalize_params(phrase) if phrase else None
                if parsed and parsed.value:
                    add("params", phrase, parsed)

            def denied(start: int, text: str = text) -> bool:
                return negated(text, start)

            if "architecture" in fields:
                found = architecture_in(text, skip=denied)
                if found:
                    add("architecture", found[0], Normalized(found[1]))
            if TRAINING.search(text):
                if "task" in fields:
                    objectives = objectives_in(text, skip=denied)
                    if objectives:
                        add("task", sentence.text, Normalized(objectives))
                if "corpus" in fields:
                    datasets = datasets_in(text, skip=denied)
                    if datasets:
                        add("corpus", sentence.text, Normalized(datasets))
    return facts
