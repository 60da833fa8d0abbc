"""Facts stated in prose: a sentence about the model that gives a parameter count (a
mixture of experts' total and active counts apart), an architecture, a pretraining
objective, a training corpus, the tokens it was trained on, or the licence it is
released under.

Prose talks about other models too ("methods such as BERT corrupt the input…"), so a
sentence only counts when it is about this model: it names the model, or speaks as the
authors ("we", "our") or of the model ("It is…", "This model…"); it names no other tracked
model unless it also names this one; and it is not a comparison ("such as", "than").
In an abstract that names the model, a sentence that names no other model and compares
nothing speaks of the paper's model too — but only for what a paper says of the model it
releases (its licence, the total and active parameters of a mixture of experts): an
abstract's other sentences often describe the field ("Large models trained on the Pile…").
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter

from kbuild.extract.facts import Fact
from kbuild.extract.release_licence import licence_released
from kbuild.extract.text import Region, sentences_of
from kbuild.normalize import Normalized
from kbuild.normalize.alternation import trie_pattern
from kbuild.normalize.architecture import architecture_stated
from kbuild.normalize.corpus import datasets_in
from kbuild.normalize.cues import ASCII_TWINS, Cued
from kbuild.normalize.params import SIZE_RE, normalize_params, size_value, unit_trusted
from kbuild.normalize.task import objectives_at, objectives_in
from kbuild.normalize.tokens import TOKENS_AFTER, training_tokens_at

TRAINING = Cued(
    re.compile(r"pre-?train|train(?:ed|ing)\s+(?:on|with)|corpus|corpora|objective", re.I)
)
# objectives a model is tuned with ("we fine-tune it with reinforcement learning from human
# feedback"): a task, never a training corpus
TUNING = re.compile(r"fine-?tun", re.I)
PARAMETERS = re.compile(r"param", re.I)
# A sentence that speaks of its own subject ("It …", "This model …") or its authors' work
# ("we", "our"): the opening tried where it can be, the words only in a text that holds
# them (re would try both at every character)
SELF_START = re.compile(r"(?:it|this|these|(?:the|its) (?:model|models|architecture))\b", re.I)
SELF_WORDS = Cued(re.compile(r"\b(?:we|our|ours)\b", re.I))


def speaks_of_itself(text: str) -> bool:
    """Whether the sentence opens with "It", "This" or "The model", or says "we" or "our"."""
    return SELF_START.match(text) is not None or SELF_WORDS.search(text) is not None


CONTRAST = Cued(
    re.compile(
        r"\b(?:such as|unlike|instead of|rather than|than|compared (?:to|with)|prior work|"
        r"previous|existing|like [A-Z]|outperform|line of work|to ours\b)",
        re.I,
    )
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


_ASCII_LETTERS_AND_DIGITS = frozenset(string.ascii_letters + string.digits)


class OwnNames:
    """One model's names, found as :func:`names_pattern` finds them. Most texts are
    searched with ``str.find`` over the lower-cased text (a regex compiled per model was
    the dearest part of building a model's subject); the regex is compiled only for a
    text where a character could match an ASCII letter without being one."""

    def __init__(self, names: Iterable[str]):
        self.names = sorted({n.lower() for n in names if len(n) >= 2})
        self.ascii_only = all(n.isascii() for n in self.names)
        self._regex: re.Pattern | None = None
        # the last text asked of and its spans: a sentence is asked whether it names
        # the model up to four times (about it, named, a variant of it, its size)
        self._last: tuple[str, tuple[tuple[int, int], ...]] = ("", ())

    def __bool__(self) -> bool:
        return bool(self.names)

    def _by_regex(self, text: str) -> bool:
        # a character that matches an ASCII letter when case is ignored, without being
        # one, is left to the regex
        return not self.ascii_only or (
            not text.isascii() and any(twin in text for twin, _ in ASCII_TWINS)
        )

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """(start, end) of each name in ``text``, as ``names_pattern(...).finditer``
        gives them: left to right, the longest name at a place, none overlapping."""
        last = self._last  # (read once: a Dask worker's threads share a subject)
        if text is last[0]:
            return last[1]
        found = self._spans(text)
        self._last = (text, found)
        return found

    def _spans(self, text: str) -> tuple[tuple[int, int], ...]:
        if not self.names:
            return ()
        if self._by_regex(text):
            if self._regex is None:
                self._regex = names_pattern(self.names)
            return tuple(m.span() for m in self._regex.finditer(text))
        lowered = text.lower()
        found = []
        for name in self.names:
            start = lowered.find(name)
            while start != -1:
                end = start + len(name)
                # the pattern's look-behind (no letter or digit) and its case-sensitive
                # look-ahead (no lower-case letter: "BERTBASE" names BERT)
                if (start == 0 or text[start - 1] not in _ASCII_LETTERS_AND_DIGITS) and (
                    end == len(text) or not ("a" <= text[end] <= "z")
                ):
                    found.append((start, end))
                start = lowered.find(name, start + 1)
        spans, done = [], 0
        for start, end in sorted(found, key=lambda span: (span[0], -span[1])):
            if start >= done:
                spans.append((start, end))
                done = end
        return tuple(spans)

    def named_in(self, text: str) -> bool:
        """Whether ``text`` names the model."""
        return bool(self.spans(text))


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

    own: OwnNames | None
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
        return cls(OwnNames(own_names), OtherNames(index, model["id"], own))

    def names_model(self, text: str) -> bool:
        """Whether the text names this model."""
        return bool(self.own and self.own.named_in(text))

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
        # (the cheap test first: the other models' names are one long pattern)
        return speaks_of_itself(text) and not (self.others and self.others.search(text))


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
    # (map over C methods: a generator per word was a tenth of the prose rules' time)
    return len(words) >= 4 and sum(map(str.isalpha, map(itemgetter(0), words))) >= 0.6 * len(words)


PARAM_AFTER = re.compile(r"^(?:[^.;:()]|\.\d){0,40}?param", re.I)
PARAM_BEFORE = re.compile(r"param[\w-]*\s*[=:]\s*$|param[^.;]{0,12}$", re.I)
# "13B active parameters", "37B activated for each token", "21B are activated", "13B
# parameters per token": what a mixture-of-experts model uses per token, not its size.
ACTIVE_AFTER = re.compile(
    r"^[\s-]*(?:param(?:eter)?s?\s+)?(?:of\s+which\s+)?(?:are\s+|is\s+|being\s+)?"
    r"(?:active|activated)\b"
    r"|^[\s-]*param(?:eter)?s?\s+(?:per|for\s+(?:each|every))\s+(?:input\s+)?token"
    r"|^[\s-]*param(?:eter)?s?\s+(?:are\s+|is\s+)?used\s+(?:per|for\s+(?:each|every))\s+"
    r"(?:input\s+)?token",
    re.I,
)
# "4T training bytes", "2T tokens": a size of something other than the parameters
OTHER_UNIT = re.compile(
    r"^[\s-]*(?:\w+[\s-]+)?(?:bytes|tokens|images|words|characters|hours|flops?|steps|"
    r"examples|gpus?|tpus?)\b",
    re.I,
)
# "activating only 13B", "with active 13B"
ACTIVE_BEFORE = re.compile(
    r"\b(?:activat(?:es|ed|ing)|active)\s+(?:only\s+)?"
    r"(?:about\s+|approximately\s+|roughly\s+|around\s+)?$",
    re.I,
)
JOINED = re.compile(r"\s*(?:,|and|or|to|-|–|—)\s*(?:about\s+|approximately\s+)?", re.I)
SIZE_TAIL = re.compile(
    r"(?:[\s-]*(?:total|active|activated))?(?:[\s-]*param(?:eter)?s?)?"
    r"(?:\s+(?:are\s+|is\s+)?(?:active|activated))?",
    re.I,
)


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


LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"}


def dehyphenate(text: str) -> str:
    """PDF lines broken inside a word: "Book-\nCorpus" → "Book-Corpus", "pre-\ntraining" →
    "pretraining"; other line breaks become spaces; ligatures spelled out ("ﬁne-tune")."""
    if not text.isascii():  # (str.translate walks every character in Python: slower)
        for ligature, letters in LIGATURES.items():
            if ligature in text:
                text = text.replace(ligature, letters)
    if "\n" not in text:  # (most sentences: what follows changes only line breaks)
        return text
    text = _BROKEN_WORD.sub("", text)
    text = _BROKEN_HYPHEN.sub("-", text)
    return _LINE_BREAK.sub(" ", text)


# (compiled once: a doc page's wrapped lines make these three of every sentence)
_BROKEN_WORD = re.compile(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])")
_BROKEN_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


# "for models under 13B parameters": a bound on other models, no size of this one ("models
# up to 11 billion parameters" is the model's own range)
BOUND_BEFORE = re.compile(
    r"\bmodels\s+(?:of\s+|with\s+)?(?:under|below|less\s+than|smaller\s+than)\s+$",
    re.I,
)


def params_phrase(
    text: str, others: OtherNames | None = None, own: OwnNames | None = None
) -> str | None:
    """The stretch of a sentence that gives sizes as parameter counts: sizes followed
    closely by 'parameters' ("7B to 65B parameters") or just after "Parameters=",
    from the first such size to the last. Other sizes are left out: words, tokens, the
    parameters a mixture of experts activates per token, a size that is denied ("not a
    175B model"), a bound ("models under 13B parameters"), a size that belongs to another
    model named beside it ("the 175B GPT-3", "GPT-3 (175B)"), and the size in the model's
    own name ("Mistral 7B", matched by ``own``)."""
    names = own.spans(text) if own else []
    kept = [
        m
        for m in SIZE_RE.finditer(text)
        if not any(a <= m.start() < b for a, b in names)
        and not _active(text, m)
        and not negated(text, m.start())
        and not OTHER_UNIT.match(text[m.end() :])
        and not (others and _sized_model(text, m, others))
        and not BOUND_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
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


def _active(text: str, size: re.Match) -> bool:
    """Whether a size is what a mixture of experts activates per token."""
    return bool(
        ACTIVE_AFTER.match(text[size.end() :])
        or ACTIVE_BEFORE.search(text[max(0, size.start() - 30) : size.start()])
    )


def expert_sizes(
    text: str, others: OtherNames | None = None
) -> tuple[list[re.Match], list[re.Match]]:
    """(total sizes, active sizes) of a sentence that says what a mixture of experts
    activates per token ("47B parameters, but only uses 13B active parameters"); two
    empty lists when it says no active count. The totals are left out when they are not
    larger than what is active (a reading gone wrong)."""
    total, active = [], []
    for size in SIZE_RE.finditer(text):
        if not unit_trusted(size) or negated(text, size.start()):
            continue
        if others and _sized_model(text, size, others):
            continue
        if TOKENS_AFTER.match(text[size.end() :]):
            continue  # "trained on 8T tokens" beside the sizes
        if _active(text, size):
            active.append(size)
        elif PARAM_AFTER.match(text[size.end() :]) or PARAM_BEFORE.search(
            text[max(0, size.start() - 25) : size.start()]
        ):
            total.append(size)
    if not active:
        return [], []
    # "3.9B and 3.5B activated parameters", "activates 18.6B-31.3B parameters": sizes
    # joined to an active one are active too
    sizes = sorted(total + active, key=lambda m: m.start())
    for _ in range(len(sizes)):
        for a, b in zip(sizes, sizes[1:], strict=False):
            if JOINED.fullmatch(text[a.end() : b.start()]) and (a in active) != (b in active):
                for size in (a, b):
                    if size in total:
                        total.remove(size)
                        active.append(size)
    active.sort(key=lambda m: m.start())
    if total and max(map(size_value, total)) <= max(map(size_value, active)):
        total = []
    return total, active


def size_phrases(text: str, sizes: list[re.Match]) -> str:
    """The words that give ``sizes``: '47B parameters', '13B active parameters'."""
    return "; ".join(text[m.start() : SIZE_TAIL.match(text, m.end()).end()] for m in sizes)


def _sized_model(text: str, size: re.Match, others: OtherNames) -> bool:
    """Whether a size sits beside another model's name: right before it ("the 175B
    GPT-3", "a 175B-parameter GPT-3") or right after it ("GPT-3 (175B)", "GPT-3's 175B")."""
    after = text[size.end() : size.end() + 40]
    joined = re.match(r"[\s-]*(?:param(?:eter)?s?[\s-]+)?", after, re.I)
    if others.starts(after[joined.end() :]):
        return True
    before = text[max(0, size.start() - 80) : size.start()]
    # "[Flamingo](https://…), an 80 billion parameter model": the link and the article
    # of an apposition stand between the name and its size
    before = re.sub(r"\]\([^)]*\)", "", before)
    before = re.sub(r",\s*(?:an?|the)\s+$", "", before).rstrip(" [")
    return others.ends(re.sub(r"(?:'s|’s)?[\s(]*$", "", before))


# "the Longformer-Encoder-Decoder" is a name; "Transformer-XL, the state-of-the-art
# autoregressive model" and "Transformer-XL (an autoregressive model)" describe another.
APPOSITION = re.compile(
    r"(?:,\s*(?:(?:which|that)\s+(?:is|was)\s+)?(?:the|a|an)\s|\()[^,;()]*$", re.I
)
CALLED = re.compile(r"[\s,]*(?:\(|called\s+|named\s+)?")
# "pretrained with the use of another (small) masked language model": ELECTRA's generator
OTHER_NETWORK = re.compile(r"\b(?:another|other|separate|auxiliary|generator)\b[^,;.]{0,30}$", re.I)
VARIANT_OF = re.compile(r"\b(?:variants?|versions?|extensions?)\s+of\s+(?:the\s+|our\s+)?$", re.I)
VARIANT_AFTER = re.compile(r"^[\s-]*(?:variants?|versions?)\b", re.I)
# An objective is the model's when the sentence names the model or says it is used or
# trained with: "we also use a next sentence prediction task"; not "we say that the
# language modeling objective is misaligned", "This is because the language modeling
# objective …".
USES = Cued(
    re.compile(
        r"\b(?:use[sd]?|using|(?:pre-?)?train(?:s|ed|ing)?|optimi[sz]\w*|introduc\w*|propos\w*|"
        r"combin\w*|adopt\w*|employ\w*|leverag\w*|built|based|(?:fine-?)?tun(?:e|es|ed|ing))\b",
        re.I,
    )
)


def _uses(text: str) -> bool:
    """Whether the sentence says something is used or trained with (a verb, not the
    "pre-training" of "the Masked-LM pre-training")."""
    ends = {end for _, end, _ in objectives_at(text)}
    return any(not any(0 <= m.start() - end <= 1 for end in ends) for m in USES.finditer(text))


def describes_another(text: str, start: int, end: int, others: OtherNames | None) -> bool:
    """Whether the phrase at ``start:end`` describes something other than the sentence's
    model: it is part of a name ("Longformer-Encoder-Decoder"), in apposition to another
    model ("Transformer-XL, the state-of-the-art autoregressive model") or names one
    right after it ("the autoregressive model Transformer-XL")."""
    if start >= 2 and text[start - 1] == "-" and text[start - 2].isalnum():
        return True
    opened = text.rfind("[", 0, start)
    if opened > text.rfind("]", 0, start):
        # a link's text (its URL is masked to spaces): a name in title case is a page's
        # or an organisation's ("the [State Space Models](…) organization"); a paper's
        # title ("[mT5: A massively multilingual … text-to-text transformer](…)") speaks
        # of its model
        label = re.split(r"\]|\s{3,}", text[opened + 1 :], maxsplit=1)[0]
        inside = end <= opened + 1 + len(label)
        if inside and re.fullmatch(r"(?:[A-Z][\w-]*\s*){1,5}", label.strip()):
            return True
    if not others:
        return False
    before = text[max(0, start - 80) : start]
    apposition = APPOSITION.search(before)
    if apposition and others.ends(before[: apposition.start()].rstrip()):
        return True
    after = text[end : end + 60]
    return others.starts(after[CALLED.match(after).end() :])


def of_a_variant(text: str, subject: Subject) -> bool:
    """Whether the sentence speaks of a variant of the model ("a Longformer variant for
    sequence-to-sequence tasks", "a variant of Longformer which …"): its architecture and
    objective are the variant's."""
    if not subject.own:
        return False
    return any(
        VARIANT_AFTER.match(text[end:]) or VARIANT_OF.search(text[max(0, start - 30) : start])
        for start, end in subject.own.spans(text)
    )


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
        # an abstract that names the model speaks of it (see the module docstring)
        abstract = (region.section or "").lower() == "abstract" and subject.names_model(
            dehyphenate(region.text)
        )
        for sentence in sentences_of(region):
            # links and URLs are masked so "arxiv.org" is no corpus; PDF line breaks undone
            text = sentence.text
            if "](" in text or "http" in text.lower():  # (what URL needs, said cheaply)
                text = URL.sub(lambda m: " " * len(m.group(0)), text)
            text = dehyphenate(text)
            about = subject.about(text, previous_about)
            previous_about = about
            abstract_voice = (
                abstract
                and not CONTRAST.search(text)
                and not (subject.others and subject.others.search(text))
            )
            if not prose(text) or not (about or abstract_voice):
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
                total, active = expert_sizes(text, subject.others)
                if active:
                    # a mixture of experts: its total is its size, what is active a kind apart
                    for kind, sizes in (("total", total), ("active", active)):
                        if sizes:
                            counts = sorted({size_value(m) for m in sizes})
                            add(
                                "params",
                                size_phrases(text, sizes),
                                Normalized(counts, qualifier=kind),
                                named=named or abstract_voice,
                            )
                elif about:
                    phrase = params_phrase(text, subject.others, subject.own)
                    parsed = normalize_params(phrase) if phrase else None
                    if parsed and parsed.value:
                        add("params", phrase, parsed)

            def denied(start: int, text: str = text) -> bool:
                return negated(text, start)

            if "license" in fields:
                released = licence_released(text, named, speaks_of_itself(text) or abstract_voice)
                if released and not denied(released.start):
                    add(
                        released.field,
                        text[released.start : released.end],
                        Normalized(released.licence),
                    )
            if not about:
                continue
            variant = of_a_variant(text, subject)
            if "architecture" in fields and not variant:
                found = architecture_stated(
                    text,
                    skip=lambda start, end, text=text: (
                        negated(text, start) or describes_another(text, start, end, subject.others)
                    ),
                )
                if found:
                    add("architecture", found[0], found[1])
            if "tokens" in fields:
                counts = [
                    (start, end, count)
                    for start, end, count in training_tokens_at(text)
                    if not denied(start)
                ]
                if counts:
                    add(
                        "tokens",
                        "; ".join(text[start:end] for start, end, _ in counts),
                        Normalized(sorted({count for _, _, count in counts})),
                    )
            training = TRAINING.search(text) is not None
            if "task" in fields and not variant and (training or TUNING.search(text)):
                if named or _uses(text):
                    objectives = objectives_in(
                        text,
                        skip=lambda start, text=text: (
                            negated(text, start)
                            or bool(OTHER_NETWORK.search(text[max(0, start - 45) : start]))
                        ),
                    )
                    if objectives:
                        add("task", sentence.text, Normalized(objectives))
            if training:
                if "corpus" in fields:
                    datasets = datasets_in(text, skip=denied)
                    if datasets:
                        add("corpus", sentence.text, Normalized(datasets))
    return facts
