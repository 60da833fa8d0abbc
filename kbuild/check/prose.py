"""Claims in a post's prose: every sentence (and table row) that gives a model a size, a
date, a lab, an architecture, a licence, a corpus, an objective or a base model.

The post's structure comes from its parser (:mod:`kbuild.check.markdown`), sentences
from a maintained splitter (pysbd, which knows "et al.", "e.g.", decimals and version
numbers), names from :mod:`kbuild.check.mentions`; what is ours are the rules below.

Whose value it is, in order:

1. the model whose name holds the size ("LLaMA-65B", "Llama 3.1 405B");
2. the model the value sits beside: a parenthesis after its name ("Claude 2 (July
   2023)", "OPT (by Meta)"), a possessive before it ("Meta's LLaMA", "OpenAI's GPT-3.5"),
   an apposition ("Gopher, a 280B model"), a name right after the value ("the 175B
   GPT-3", "the 7B version of Llama 2");
3. a lab that released the model named after it ("EleutherAI released GPT-NeoX-20B");
4. the nearest model named before it in its clause that is not merely compared with or
   built on ("than BERT", "fine-tuned from LLaMA", "same architecture as GPT-3"); values
   after a list of models with their parentheses ("A (by X), B (by Y) in June") go to
   each model of the list;
5. with no model named: the model the paragraph, list or section is about, for a sentence
   that speaks of it ("It", "They", "These models", "The 130B parameters model") and for
   list items under that model's heading.

Values that are no claim are left out: a denied or replaced one ("instead of next token
prediction", "not a 175B model"), token and dataset counts, scores, hardware, steps,
relative sizes ("18x fewer parameters"), dates of training runs and "as of" dates, and
anything in code, link targets, images, Liquid tags and reference lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbuild.check.document import PostDocument
from kbuild.check.markdown import Block, iter_blocks, plain_blocks
from kbuild.check.mentions import RELEASE_VERB, Mention, cell_mention, find_mentions
from kbuild.check.post import Card
from kbuild.extract.statements import TRAINING as EXTRACT_TRAINING
from kbuild.extract.statements import negated
from kbuild.normalize.architecture import architectures_at
from kbuild.normalize.corpus import datasets_at
from kbuild.normalize.cues import Cued
from kbuild.normalize.license import licenses_at
from kbuild.normalize.organisations import is_host, orgs_spans
from kbuild.normalize.params import SIZE_RE
from kbuild.normalize.task import objectives_at

MAX_SENTENCE = 1200  # longer is a flattened table or a wall of text, not a sentence


@dataclass
class ProseClaim:
    """One value a sentence (or a table row) states about a model."""

    field: str
    text: str  # the value as written
    line: int
    span: tuple[int, int] | None  # columns of the value in its line (None: an HTML page)
    sentence: str
    model: str | None  # the model as the post names it
    model_id: str | None
    how: str  # how the subject was found
    qualifier: str | None = None  # "up to", "range", "citation", "commercial use", …
    unpublished: str | None = None  # why a reader does not see it
    normalized: str | None = None  # a value the rule already read (a table's ✅)


@dataclass
class Hit:
    field: str
    start: int
    end: int
    qualifier: str | None = None
    value: str | None = None  # a value read by the rule, when the text is no value


# --- sentences -----------------------------------------------------------------------------


def _segmenter():
    from kbuild.check.splitter import segmenter

    return segmenter()


CHUNK = 3000  # the splitter's time grows with the square of what it is given


def _chunks(text: str) -> list[tuple[int, int]]:
    """The text cut into pieces of at most CHUNK characters, at a sentence end or a line
    break where there is one (a wall of text without blank lines is still split)."""
    pieces, start = [], 0
    while len(text) - start > CHUNK:
        window = text[start : start + CHUNK]
        cut = max(window.rfind(". "), window.rfind("\n"), window.rfind("? "), window.rfind("! "))
        cut = start + (cut + 1 if cut > CHUNK // 3 else CHUNK)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


# Where the splitter may end a sentence: none of these inside a text (its end aside) and
# the text is one sentence, said without asking it (a list item, a cell, a heading: half
# a real post's blocks, each costing the splitter a third of a millisecond).
MAY_END = re.compile(r"[.!?…;。！？]|\w\)|\n")
END_MARKS = " .!?…\"'”’)"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, trimmed of the spaces around it."""
    if not text.strip():
        return []
    if not MAY_END.search(text.strip().rstrip(END_MARKS)):
        start = len(text) - len(text.lstrip())
        return [(start, len(text.rstrip()))]
    spans = []
    segmenter = _segmenter()
    for first, last in _chunks(text):
        spans += [(first + a, first + b) for a, b in _split(segmenter, text[first:last])]
    return spans


def _split(segmenter, text: str) -> list[tuple[int, int]]:
    spans = []
    # a line break inside a paragraph is a space to the reader (the splitter ends a
    # sentence at one)
    for piece in segmenter.segment(text.replace("\n", " ")):
        start, end = piece.start, piece.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


# --- values --------------------------------------------------------------------------------

NOT_A_SIZE_AFTER = re.compile(
    r"^[\s-]*(?:of\s+)?(?:(?:high[\s-]quality|multilingual|english|code|text|web|training|"
    r"scientific|public|new|unique|curated|synthetic|additional|more|instruction)\s+)*"
    r"(?:tokens?|words?|images?|pairs?|examples?|documents?|pages?|sentences?|"
    r"characters?|bytes?|[KMGTP]i?B\b|hours?|steps?|GPUs?|TPUs?|chips?|FLOPs?|users?|"
    r"downloads?|rows?|lines?|dollars?|USD|EUR|times|queries|requests|samples|records|"
    r"videos|people|views|visits|stars|instructions|prompts|conversations|dialogues?|"
    r"data|dataset|datasets|context|tokens\b|of\s+(?:data|text|tokens|code))",
    re.I,
)
A_SIZE_AFTER = re.compile(
    r"^[\s-]*(?:active\s+|total\s+|dense\s+)?(?:param(?:eter)?s?\b|model\b|models\b|LLM|"
    r"language\s+model|transformer|network|version|variant|checkpoint|dense|sparse|MoE|"
    r"(?:base|chat|instruct(?:ion)?|pretrained|pre-trained|fine-?tuned)\s+(?:model|version|"
    r"variant)s?\b)",
    re.I,
)
RELATIVE_BEFORE = re.compile(
    r"(?:\d+(?:\.\d+)?\s*(?:x|×|times)\s+(?:fewer|more|less|smaller|larger|bigger)|"
    r"fewer\s+than|under|below|\$|€|£)\s*$",
    re.I,
)
# "with over 100B parameters": a lower bound on the largest size
OVER = re.compile(r"(?:over|more\s+than|above|>)\s*$", re.I)
APPROXIMATE = re.compile(r"(?:about|approximately|around|nearly|almost|roughly|~|≈)\s*$", re.I)
UP_TO = re.compile(r"up\s+to\s*$", re.I)
SIZE_JOIN = re.compile(
    r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|to\s+|through\s+|-|–|—|/)\s*$", re.I
)
MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
FULL_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)"
)
DATE_RE = re.compile(
    rf"\b{MONTHS}\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d{{2}}\b"
    rf"|\b\d{{1,2}}\s+{MONTHS}\.?,?\s+(?:19|20)\d{{2}}\b"
    r"|\b(?:19|20)\d{2}-\d{2}(?:-\d{2})?\b"
    r"|\b\d{1,2}/(?:19|20)\d{2}\b"
    r"|(?<![\d.,$€£#-])\b(?:19[5-9]\d|20[0-4]\d)\b(?![\d%]|[.,-]\d|\s*(?:tokens|GPUs|parameters))"
    rf"|\b(?i:in|since|by|during|early|mid|late|end\s+of|beginning\s+of)\s+{FULL_MONTHS}\b"
    rf"(?!\s+\d)"
)
# A month without a year: its year comes from the sentence or the text before it.
MONTH_ONLY = re.compile(rf"{FULL_MONTHS}$")
RELEASE = re.compile(
    r"\b(?:releas|publish|introduc|announc|unveil|launch|present|propos|debut|appear|arriv|"
    r"open[\s-]?sourc|came\s+out|come\s+out|comes\s+out|made\s+(?:public|available)|"
    r"described|dates?\s+(?:from|to|back)|first\s+shown|shipped|came\s+from|"
    r"dropped|(?:was|were)\s+out|followed\s+in|saw\s+the|paper|built)",
    re.I,
)
CITATION = re.compile(r"(?:et\s+al\.?,?|\band\s+[A-Z][a-z]+,?|[A-Z][a-z]+,)\s*$")
NOT_A_RELEASE_DATE = re.compile(
    r"\b(?:as\s+of|until|through|by\s+the\s+end\s+of|since|between|from|started|starting|"
    r"began|begun|ended|ending|cut-?off|up\s+to|dated|updated|last\s+updated|trained\s+(?:in|"
    r"during|from|between)|training\s+(?:in|ran|started|began|from|between))\s*$",
    re.I,
)
NOT_A_RELEASE_CLAUSE = re.compile(
    r"\b(?:train(?:ing|ed)?\s+(?:run|started|began|ran|took|"
    r"lasted|ended|finished)|knowledge\s+cut|data\s+(?:up\s+to|"
    r"until|through))",
    re.I,
)
YEAR_ADJECTIVE = re.compile(
    r"^[\s-]*(?:paper|release|version|model|article|report|publication|preprint)\b", re.I
)
LAB_BY = re.compile(
    r"\b(?:releas\w*|develop\w*|train\w*|buil[td]|creat\w*|introduc\w*|announc\w*|unveil\w*|"
    r"launch\w*|publish\w*|propos\w*|design\w*|open[\s-]?sourc\w*|made|authored|produced|"
    r"presented|invented|owned|maintained|led|models?|LLMs?|family|series)(?:\s+[\w.]+){0,3}\s+"
    r"by\s+(?:the\s+)?(?:(?:[a-z][\w-]*|AI)\s+){0,4}$"
    r"|^\s*\(?\s*by\s+(?:the\s+)?$",
    re.I,
)
# "code-cushman-001 from OpenAI", "X-Gen models from Salesforce"
FROM_AFTER_NAME = re.compile(
    r",?\s+(?:(?:models?|family|series|LLMs?)\s+)?from\s+(?:the\s+)?", re.I
)
# "download the Gemma model from Hugging Face": where it is fetched from, not who made it
FETCHED = re.compile(
    r"\b(?:deploy|download|load|run|use|try|tune|install|fetch|get|got|access|pull|import|"
    r"serve|find|take|took|grab|clone|copy|copied|buy|bought|rent)\w*\b",
    re.I,
)
LAB_FROM = re.compile(
    r"\b(?:(?:came|comes|come|is|was|are|were)\s+(?:\w+\s+)?(?:from|out\s+of)|"
    r"(?:an?|the)\s+(?:[\w-]+\s+){0,4}(?:model|LLM|family|series)\s+from|"
    r"(?:from|at)\s+(?:the\s+)?(?:team\s+at\s+)?)\s*(?:the\s+)?$",
    re.I,
)
LAB_MADE = re.compile(
    r"^\s+(?:team\s+|teams\s+|researchers\s+|org\s+|organi[sz]ation\s+|lab\s+)?"
    r"(?:\([^()]{0,40}\)\s+)?(?:for\s+)?(?:has\s+|have\s+|had\s+|also\s+|"
    r"just\s+|recently\s+|then\s+|later\s+|first\s+|finally\s+|now\s+)*(?:releas|introduc|develop|train|built|unveil|announc|launch|"
    r"publish|open[\s-]?sourc|creat|propos|present|put\s+out|came\s+out\s+with|shipped|"
    r"dropped|made\s+available|opened|shared)",
    re.I,
)
LAB_JOIN = re.compile(r"^\s*(?:,|and|&|/|,\s*and)\s*(?:the\s+)?$", re.I)
LICENCE_CONTEXT = re.compile(
    r"licen[cs]e|licen[cs]ed|\bunder\s+(?:the\s+|an?\s+)?(?:\w+\s+)?$|terms", re.I
)
COMMERCIAL = Cued(
    re.compile(
        # "no restriction on commercial use", "without commercial fees": permissive, said so
        r"(?P<free>(?:no|without)\s+(?:any\s+)?(?:\w+\s+)?(?:restrictions?|limits?|limitations?|"
        r"fees?|royalt\w+|charges?|costs?|barriers?)\s+(?:on\s+|for\s+)?commercial\s+(?:use|usage)"
        r"|without\s+(?:paying\s+)?(?:any\s+)?commercial\s+(?:fees?|royalt\w+|licen[cs]es?))"
        r"|(?P<no>non[\s-]?commercial|not\s+(?:for\s+)?commercial\s+(?:use|usage|purposes|"
        r"applications?)|(?:no|prohibit\w*|forbid\w*|disallow\w*|without)\s+(?:\w+\s+){0,2}?"
        r"commercial\s+(?:use|usage|purposes|applications?)|commercial\s+(?:use|usage|"
        r"applications?)\s+(?:is\s+|are\s+)?(?:not\s+(?:allowed|permitted)|prohibited|forbidden|"
        r"disallowed|restricted))"
        r"|(?P<yes>(?:for|allows?|allowing|permits?|permitting|enables?|including|with)\s+"
        r"(?:free\s+)?commercial\s+(?:use|usage|applications?|purposes)|commercial\s+(?:use|usage)"
        r"\s+(?:is\s+|are\s+)?(?:allowed|permitted|possible|ok)|commercially\s+(?:usable|"
        r"available|permissive)|used\s+for\s+commercial\s+(?:use|applications?|purposes))",
        re.I,
    )
)
# Words that make a sentence about training: extraction's, and the looser ones writers use
# ("fine-tuned on", "uses", "instruction-tuned variants").
TRAINING = Cued(
    re.compile(
        EXTRACT_TRAINING.pattern
        + r"|train(?:ed|ing|s)?\b|dataset|data\b|fine-?tun|optimi[sz]ed|uses?\b|using\b|learn|"
        r"task|loss|tuned\b|variants?\b|versions?\b",
        re.I,
    )
)
# Architecture wording prose uses beyond the extract side's phrases.
MORE_ARCHITECTURES = [
    (
        re.compile(
            r"\bdecoder(?:[\s-]+style|[\s-]+only)?\s+transformers?\b|"
            r"\btransformer[\s-]+decoders?\b|\bGPT[\s-]+style\s+decoders?\b",
            re.I,
        ),
        "decoder",
    ),
    (
        re.compile(r"\bencoder[\s-]+only\s+transformers?\b|\btransformer\s+encoders?\b", re.I),
        "encoder",
    ),
]
MORE_TASKS = [
    (re.compile(r"\bmask(?:ed)?\s+language\s+model(?:l?ing)?\b", re.I), "MLM"),
    (re.compile(r"\bsentence[\s-]+order\s+prediction\b", re.I), "SOP"),
    (re.compile(r"\bfill[\s-]+in[\s-]+the[\s-]+middle\b|\bFIM\b"), "FIM"),
    (re.compile(r"\bdirect\s+preference\s+optimi[sz]ation\b|\bDPO\b"), "DPO"),
    (re.compile(r"\b(?:supervised\s+fine-?tun\w+|SFT)\b"), "SFT"),
    (
        re.compile(
            r"\binstruction[\s-]+tuned\b|\btuned\s+on\s+instructions\b|"
            r"\bfine-?tuned\s+on\s+instructions\b",
            re.I,
        ),
        "instruction tuning",
    ),
]
MORE_DATASETS = [
    (re.compile(r"\bRefinedWeb\b", re.I), "RefinedWeb"),
    (re.compile(r"\bThe\s*Stack\b(?:\s+v?\d(?:\.\d)?)?"), "The Stack"),
    (re.compile(r"\bRedPajama\b(?:[\s-]+Data)?", re.I), "RedPajama"),
    (re.compile(r"\bSlimPajama\b", re.I), "SlimPajama"),
    (re.compile(r"\bDolma\b"), "Dolma"),
    (re.compile(r"\bWu\s*Dao(?:\s+Corpora)?\b", re.I), "WuDao Corpora"),
    (re.compile(r"\bFineWeb\b", re.I), "FineWeb"),
    (re.compile(r"\bOSCAR\b"), "OSCAR"),
]
# Beyond the denials extraction knows (kbuild.extract.statements.negated): a value that
# is replaced, no longer, or excepted — and "not only" still asserts it.
REPLACED = re.compile(r"\b(?:replac\w*|no\s+longer|except)\b[^,;:()]{0,45}$", re.I)
STILL_ASSERTED = re.compile(r"\bnot\s+only\b|\bno\s+doubt\b|\bnot\s+just\b", re.I)


def denied(text: str, start: int) -> bool:
    """Whether the words before ``start`` in its clause deny or replace the value."""
    clause = re.split(r"[;:()]|,\s|\b(?:but|while|whereas)\b", text[max(0, start - 60) : start])[-1]
    if STILL_ASSERTED.search(clause):
        return False
    return negated(text, start) or bool(REPLACED.search(clause))


SIZE_JOIN_NAME = re.compile(r"[-\s_]?(?:\d+(?:\.\d+)?[BMbm]\s*(?:,|and|or|/)\s*)*", re.I)
BARE_BEFORE = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s*(?:to|and|-|–|or|,)\s*$")


def _runs(text: str) -> list[tuple[int, int, list[re.Match]]]:
    """Sizes next to each other ("7B, 13B and 65B", "125M to 175B", "7 to 70B": the bare
    number takes the unit after it) as one run."""
    runs: list[tuple[int, int, list[re.Match]]] = []
    for match in SIZE_RE.finditer(text):
        if match["sep"] and len(match["unit"]) == 1 and match["unit"] in "mbt":
            continue  # "3 b" is a word
        bare = BARE_BEFORE.search(text[max(0, match.start() - 12) : match.start()])
        if bare and not (runs and runs[-1][1] > match.start() - 12):
            first = max(0, match.start() - 12) + bare.start(1)
            runs.append((first, match.end(), [match]))
            continue
        if runs and SIZE_JOIN.match(text[runs[-1][1] : match.start()]):
            start, _, matches = runs[-1]
            runs[-1] = (start, match.end(), [*matches, match])
        else:
            runs.append((match.start(), match.end(), [match]))
    return runs


def size_hits(text: str, mentions: list[Mention]) -> list[Hit]:
    """Sizes stated as a model's parameter count."""
    hits = []
    runs = _runs(text)
    for index, (start, end, matches) in enumerate(runs):
        before, after = text[max(0, start - 70) : start], text[end : end + 60]
        if NOT_A_SIZE_AFTER.match(after) or RELATIVE_BEFORE.search(before):
            continue
        # "many 13B models", "beat 7B models": sizes of no model in particular
        named = any(
            m.end <= start and SIZE_JOIN_NAME.fullmatch(text[m.end : start]) for m in mentions
        )
        if (
            re.match(r"^[\s-]*models\b", after, re.I)
            and not named
            and not re.search(
                r"\b(?:the|its|their|these|those|both|our|for|two|of)\s+$", before, re.I
            )
        ):
            continue
        if (OVER.search(before) or re.search(r"less\s+than\s*$|<\s*$", before, re.I)) and not (
            re.match(r"^[\s-]*param", after, re.I)
        ):
            continue  # "more than 100B" of something else
        if re.match(r"^\s*(?:x|×|times)\b", after) or re.search(r"\d\s*x\s*$", before):
            continue  # "8x7B" is one name; "2x 7B" a multiple
        named = any(
            (m.end <= start and _joined(text, m, start)) or m.start <= start < m.end
            for m in mentions
        )
        inside = _in_parenthesis_after(text, start, mentions) or _after_params(text, start)
        named_after = any(
            m.start >= end
            and re.fullmatch(r"[\s-]*(?:param(?:eter)?s?[\s-]+)?", text[end : m.start], re.I)
            for m in mentions
        )
        stated = re.search(
            r"\b(?:has|have|had|with|contains?|comes?\s+(?:in|with)|is|was|are|were|of|"
            r"sizes?|scales?|ranging|range)\s+(?:an?\s+|only\s+|just\s+|up\s+to\s+|from\s+)?$",
            before,
            re.I,
        ) and re.match(r"^[\s-]*(?:param|[),.;]|\s*$|and\b|or\b)", after, re.I)
        later_param = any(
            A_SIZE_AFTER.match(text[e : e + 40]) for s, e, _ in runs[index + 1 : index + 3]
        ) and SIZE_JOIN.match(text[end : runs[index + 1][0]] if index + 1 < len(runs) else "x")
        if not (
            named or inside or named_after or stated or A_SIZE_AFTER.match(after) or later_param
        ):
            continue
        qualifier = None
        if UP_TO.search(before):
            qualifier = "up to"
        elif APPROXIMATE.search(before):
            qualifier = "about"
        elif OVER.search(before):
            qualifier = "over"
        elif re.search(r"less\s+than\s*$|<\s*$", before, re.I):
            qualifier = "under"
        elif len(matches) == 2 and re.search(
            r"to|-|–|—", text[matches[0].end() : matches[1].start()]
        ):
            qualifier = "range"
        value = None
        if not SIZE_RE.match(text, start):  # "7 to 70B": the first takes the unit
            unit = matches[0]["unit"]
            value = re.sub(r"^(\d+(?:\.\d+)?)", r"\g<1>" + unit, text[start:end])
            qualifier = "range" if re.search(r"to|-|–", text[start:end]) else None
        hits.append(Hit("params", start, end, qualifier, value))
    return hits


def _joined(text: str, mention: Mention, start: int) -> bool:
    """A size written as part of the name before it ("LLaMA-65B", "Llama 3.1 405B")."""
    between = text[mention.end : start]
    return re.fullmatch(r"[-\s_]?|[-\s_](?:v?\d+(?:\.\d+)?[-\s_])?", between) is not None


def _after_params(text: str, start: int) -> bool:
    """A size in the parenthesis after a size in parameters: "7B to 70B parameters (7B,
    13B, 70B)"."""
    opened = text.rfind("(", 0, start)
    if opened < 0 or ")" in text[opened:start]:
        return False
    return re.search(r"param(?:eter)?s?\s*$", text[max(0, opened - 30) : opened], re.I) is not None


def _in_parenthesis_after(text: str, position: int, mentions: list[Mention]) -> Mention | None:
    """The model whose name the parenthesis holding ``position`` follows: "OPT (175B)"."""
    opened = text.rfind("(", 0, position)
    if opened < 0 or ")" in text[opened:position]:
        return None
    return next(
        (
            m
            for m in reversed(mentions)
            if m.end <= opened
            and re.fullmatch(
                r"\s*(?:(?:family|series|models?|suite|collection)"
                r"\s*)?",
                text[m.end : opened],
                re.I,
            )
        ),
        None,
    )


def date_hits(text: str, mentions: list[Mention]) -> list[Hit]:
    """Dates stated as a model's release or paper."""
    hits = []
    for match in DATE_RE.finditer(text):
        start = match.start()
        value = match.group(0)
        word = re.match(
            r"(?:in|since|by|during|early|mid|late|end\s+of|beginning\s+of)\s+", value, re.I
        )
        if word:
            if value.lower().startswith(("since", "by", "during")):
                continue
            start += word.end()
        before = text[max(0, start - 40) : start]
        after = text[match.end() : match.end() + 30]
        qualifier = None
        if CITATION.search(before) and re.match(r"^[a-z]?\s*[);,\]]", after):
            qualifier = "citation"
        elif NOT_A_RELEASE_DATE.search(before):
            continue
        clause = re.split(r"[;:]|\.\s", text[:start])[-1]
        if qualifier is None and NOT_A_RELEASE_CLAUSE.search(clause):
            continue
        year_first = re.fullmatch(r"(?:19|20)\d\d", value) and YEAR_ADJECTIVE.match(after)
        # "In October, Hugging Face released Zephyr": the date opens the clause
        opening = not re.sub(r"\W|\b(?:in|on|and|then|by|also|later)\b", "", clause, flags=re.I)
        released_after = opening and RELEASE.search(
            re.split(r"[;:]|\.\s|,\s+and\s", text[match.end() : match.end() + 90])[0]
        )
        if not (
            qualifier
            or year_first
            or released_after
            or RELEASE.search(clause)
            or _in_parenthesis_after(text, start, mentions)
            or _listed_after(text, start, mentions)
        ):
            continue
        if re.fullmatch(r"(?:19|20)\d\d", value) and re.match(r"^\s*(?:version|v)\b", after, re.I):
            continue
        hits.append(Hit("date", start, match.end(), qualifier))
    return hits


def _listed_after(text: str, start: int, mentions: list[Mention]) -> bool:
    """ "LLaMA (by Meta) in February": a date right after a model and its parenthesis."""
    before = text[:start]
    return any(
        re.fullmatch(r"\s*(?:\([^()]*\))?\s*(?:in|on)\s+", before[m.end :]) for m in mentions
    )


def lab_hits(text: str, mentions: list[Mention]) -> list[Hit]:
    """Organisations stated as the maker of a model."""
    orgs = [o for o in orgs_spans(text) if not any(m.start <= o[0] < m.end for m in mentions)]
    groups: list[list[tuple[int, int, str]]] = []
    for org in orgs:
        if groups and LAB_JOIN.match(text[groups[-1][-1][1] : org[0]]):
            groups[-1].append(org)
        else:
            groups.append([org])
    hits = []
    for group in groups:
        start, end = group[0][0], group[-1][1]
        before, after = text[max(0, start - 70) : start], text[end : end + 60]
        # "Meta's LLaMA", and "Meta Llama 2": the lab's name before the model's
        possessive = re.match(r"^(?:'s|’s)\s+", after) or any(
            m.start == end + 1 and text[end] == " " for m in mentions
        )
        by = LAB_BY.search(before)
        paren = _in_parenthesis_after(text, start, mentions) and re.match(r"^\s*[),;]", after)
        # "LLaMA from Meta", "a model from OpenAI", "came out of Facebook AI" — but
        # "download the Gemma model from Hugging Face" says where from, not who made it
        from_ = (
            LAB_FROM.search(before)
            and (
                re.search(
                    r"(?:(?:came|comes|come|is|was|are|were)\s+(?:\w+\s+)?|(?:an?|the)\s+"
                    r"(?:[\w-]+\s+){0,4}(?:model|LLM|family|series)\s+)(?:from|out\s+of)"
                    r"\s*(?:the\s+)?$",
                    before,
                    re.I,
                )
                # "X from Y" right after a name: not for a host ("took GPT-2 from the Hub")
                or (
                    any(FROM_AFTER_NAME.fullmatch(text[m.end : start]) for m in mentions)
                    and not is_host(text[start:end])
                )
            )
            and not FETCHED.search(text[:start])
        )
        made = LAB_MADE.match(after)
        if possessive:
            hits.append(Hit("lab", start, end, "possessive"))
        elif by or paren or from_ or made:
            hits.append(Hit("lab", start, end, "made" if made and not by else None))
    return hits


def _found(field: str, spans, text: str) -> list[Hit]:
    """Names listed together ("BookCorpus, Wikipedia and CC-News") as one hit."""
    hits: list[Hit] = []
    for start, end in sorted(spans):
        if hits and re.match(
            r"^[\s,+]*(?:and|&|\+|,|plus|or)?[\s,+]*(?:the\s+)?$", text[hits[-1].end : start], re.I
        ):
            hits[-1].end = max(hits[-1].end, end)
        elif not hits or start >= hits[-1].end:
            hits.append(Hit(field, start, end))
    return hits


def value_hits(text: str, mentions: list[Mention]) -> list[Hit]:
    """Every value the sentence states, denied ones left out."""
    hits = size_hits(text, mentions) + date_hits(text, mentions) + lab_hits(text, mentions)
    arch = [(s, e) for s, e, _ in architectures_at(text)]
    arch += [(m.start(), m.end()) for p, _ in MORE_ARCHITECTURES for m in p.finditer(text)]
    arch = [a for a in arch if not any(s <= a[0] < e and (s, e) != a for s, e in arch)]
    hits += [Hit("architecture", s, e) for s, e in sorted(set(arch))]
    licences = [
        Hit("license", s, e)
        for s, e, _ in licenses_at(text)
        if LICENCE_CONTEXT.search(text[max(0, s - 30) : s])
        or LICENCE_CONTEXT.search(text[e : e + 14])
    ]
    for m in COMMERCIAL.finditer(text):
        if m.group("free"):
            continue  # permissive, but says nothing kbuild can tie to one licence
        value = "non-commercial" if m.group("no") else "commercial use"
        licences.append(Hit("license", m.start(), m.end(), "commercial use", value))
    hits += licences
    if TRAINING.search(text):
        data = [(s, e) for s, e, _ in datasets_at(text)]
        data += [(m.start(), m.end()) for p, _ in MORE_DATASETS for m in p.finditer(text)]
        data = [d for d in data if not re.match(r"^[\s-]*(?:News|Stories)\b", text[d[1] :])]
        hits += _found("corpus", data, text)
        # (not a part of another name: "HH-RLHF" is a dataset)
        tasks = [
            (s, e)
            for s, e, _ in objectives_at(text)
            if not re.search(r"[\w-]$", text[:s]) and not re.match(r"[\w-]", text[e : e + 1])
        ]
        tasks += [(m.start(), m.end()) for p, _ in MORE_TASKS for m in p.finditer(text)]
        tasks = [t for t in tasks if not any(s <= t[0] < e and (s, e) != t for s, e in tasks)]
        hits += _found("task", set(tasks), text)
    hits += family_hits(text, mentions)
    kept = [h for h in hits if h.field == "family" or not denied(text, h.start)]
    return [
        h
        for h in kept
        if not any(m.start <= h.start < m.end for m in mentions) or h.field in ("params", "family")
    ]


BASED_ON = re.compile(
    r"(?:fine-?tun(?:ed|ing)\s+(?:version\s+of|from|on(?:\s+top\s+of)?)|based\s+on|built\s+"
    r"(?:on(?:\s+top\s+of)?|upon|from)|derived\s+from|distilled\s+from|trained\s+from|"
    r"(?:a\s+)?fine-?tune\s+of|(?:instruct(?:ion)?|chat|tuned)\s+versions?\s+of|"
    r"initiali[sz]ed\s+from|continued\s+pre-?training\s+of|on\s+top\s+of)\s+(?:the\s+)?"
    r"(?:(?:base|pretrained|pre-trained|original)\s+)?$",
    re.I,
)


def family_hits(text: str, mentions: list[Mention]) -> list[Hit]:
    """Base models: "fine-tuned from LLaMA", "based on Llama 2", "a Mistral fine-tune"."""
    hits = []
    for m in mentions:
        before = text[max(0, m.start - 50) : m.start]
        before = re.sub(
            r"(?:'s|’s)\s+$|\b(?:Meta|Google|OpenAI|Mistral\s+AI)(?:'s|’s)?\s+$", "", before
        )
        if BASED_ON.search(before) and not denied(text, m.start):
            hits.append(Hit("family", m.start, m.end))
        elif re.match(r"^[\s-]+(?:based|fine-?tune[sd]?)\b", text[m.end : m.end + 20], re.I):
            hits.append(Hit("family", m.start, m.end))
    return hits


# --- subjects ------------------------------------------------------------------------------

OBJECT_BEFORE = re.compile(
    r"\b(?:than|like|unlike|versus|vs\.?|over|outperform\w*|beat\w*|surpass\w*|rival\w*|"
    r"compared\s+(?:to|with)|comparable\s+to|similar\s+to|same\s+(?:\w+\s+){0,2}as|as|on|"
    r"upon|of|based\s+on|built\s+(?:on|upon)|instead\s+of|rather\s+than|to|with|"
    r"including|include|includes|such\s+as|against|behind|after|replac\w*|about|"
    r"regarding|successor|predecessor|answer|between\s+\w+(?:\s+\w+)?\s+and|fine-?tun\w*\s+"
    r"(?:from|on)|derived\s+from|distilled\s+from|initiali[sz]ed\s+from)"
    r"\s+(?:(?:the|a|an|its|their)\s+)?(?:(?:original|base|pretrained|bigger|larger|smaller)\s+)?"
    r"(?:[\w.-]+(?:'s|’s)\s+)?$",
    re.I,
)
# A sentence that speaks of the text's model without naming it: "It was …", "They use …",
# "These models …", "The 130B parameters model …" — not "This year, …", "All of them …"
PRONOUN = re.compile(
    r"^\W*(?:(?:it|they|we|both|each)\s+(?:\w+\s+){0,2}?(?:is|was|are|were|has|have|had|uses?|used|"
    r"comes?|came|can|will|would|\w+ed|\w+s)\b|(?:its|their|our)\s+\w+|(?:this|these|those|the)"
    r"\s+(?:[\w-]+\s+){0,4}?(?:model|models|family|series|suite|version|versions|variant|"
    r"variants|release|checkpoints?|weights|llms?)\b)",
    re.I,
)
A_MODEL = re.compile(
    r"\b(?:the|this|its|their)\s+(?:[\w-]+\s+){0,3}(?:model|models|family|series|suite|version|"
    r"variants?|checkpoints?)\b",
    re.I,
)
# What stands between a lab's verb and the model it released: "has also made available
# instruct versions of the models, X" — not a dataset, a tool, or a model named as what
# something was done with ("released the GPT4-LLM dataset to … with GPT4")
NOT_RELEASED = re.compile(
    r"\b(?:datasets?|data|framework|corpus|corpora|benchmarks?|library|method|paper|course|"
    r"tools?|demo|space|collections?|leaderboard)\b|\b(?:with|using|about|on|to|into|from)\s",
    re.I,
)


def _released(between: str) -> bool:
    """Whether the text between a lab's release verb and a model's name leaves the model
    the thing released."""
    return (
        len(between.split()) <= 9
        and not NOT_RELEASED.search(between)
        and not CLAUSE_BREAK.search(between)
    )


LATER_RELEASED = re.compile(
    rf",?\s+(?:[\w.-]+\s+){{0,4}}(?:{RELEASE_VERB}|came\s+out\s+with)\s+(?:(?:the|a|an|its|"
    r"their)\s+)?(?:(?:new|first|open)\s+)?",
    re.I,
)
CLAUSE_BREAK = re.compile(r";|,\s+(?:while|whereas|but|and)\s|\s+(?:while|whereas)\s|\.\s")


# "GPT-3's successor", "Meta's answer to …": the sentence is about the other one
OTHERS_OWN = re.compile(
    r"^(?:'s|’s)\s+(?:(?:new|latest|open)\s+)?(?:successors?|predecessors?|rivals?|competitors?|"
    r"answer|alternatives?|replacements?|siblings?|cousins?|descendants?|ancestors?|"
    r"follow-?ups?|clones?|fine-?tunes?|derivatives?|creators?|authors?|team)\b",
    re.I,
)
BASE_MODIFIER = re.compile(r"^[\s-]*(?:fine-?tune[sd]?|derivative|based|finetune[sd]?)\b", re.I)
INDEFINITE = re.compile(
    r"\b(?:a|an|another|first|new|several|many|some)\s+(?:[\w-]+\s+){0,3}$", re.I
)


def _is_object(text: str, mention: Mention) -> bool:
    """Whether a model is named only as what another is compared with or built on ("than
    BERT", "a Mistral fine-tune", "the first instruction-following LLaMA model")."""
    before = text[max(0, mention.start - 40) : mention.start]
    after = text[mention.end : mention.end + 30]
    if OBJECT_BEFORE.search(before) or BASE_MODIFIER.match(after) or OTHERS_OWN.match(after):
        return True
    # "which was the first LLaMA model" describes another model; "The first MPT model
    # was …" is about MPT
    if not re.search(
        r"(?:\b(?:is|was|are|were|be|been|as|of|like|becomes?|became)|,)\s+"
        r"(?:[\w-]+\s+){0,4}$",
        before,
        re.I,
    ):
        return False
    return bool(
        INDEFINITE.search(before) and re.match(r"^[\s-]*(?:[\w-]+\s+)?models?\b", after, re.I)
    )


def _clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` begins."""
    start = 0
    for match in CLAUSE_BREAK.finditer(text, 0, position):
        start = match.end()
    return start


# Words between a possessive and what it owns that keep it the model's ("Meta's new open
# LLaMA", "BERT's 340M base model"); "GPT-3's successor", "Meta's answer to" do not.
MODEL_WORDS = (
    r"(?:new|newest|open|latest|own|flagship|largest|smallest|biggest|first|second|third|"
    r"original|recent|chat|instruct|instruction-tuned|base|pretrained|pre-trained|famous|"
    r"popular|\d+(?:\.\d+)?[BMT])"
)
HOST_AFTER = re.compile(
    r"^\s*(?:[\w.-]+\s+){0,3}?(?:endpoints?|demo|space|integration|container|deployment|"
    r"hosting|api|inference|instances?|notebooks?|version|port|support)\b",
    re.I,
)


def _owns(text: str, hit: Hit, mention: Mention) -> bool:
    """ "Meta Llama 2": a lab's name right before the model's names its maker — not a
    host's ("The AWS Llama 2 endpoints", "the Hugging Face Falcon demo")."""
    if is_host(text[hit.start : hit.end]):
        return False
    return not HOST_AFTER.match(text[mention.end :])


def _clause_end(text: str, position: int) -> int:
    """Where the clause holding ``position`` ends."""
    found = CLAUSE_BREAK.search(text, position)
    return found.start() if found else len(text)


def subject_of(
    text: str, hit: Hit, mentions: list[Mention], topic: Mention | None, item: bool = False
) -> list[tuple[Mention, str]]:
    """The models a value is given to, and how; [] when it belongs to no model."""
    if hit.field == "family":
        own = [m for m in mentions if m.start == hit.start]
        clause = _clause_start(text, hit.start)
        holder = [
            m
            for m in mentions
            if clause <= m.start
            and m.end <= hit.start
            and not _is_object(text, m)
            and own
            and m is not own[0]
        ]
        if holder:
            return [(holder[-1], "the model it is built on is named after it")]
        if topic and own and not [m for m in mentions if m.end <= hit.start]:
            return [(topic, "the paragraph's model is built on it")]
        return []
    if hit.field == "lab":  # "a first model from Deci.AI called DeciLM"
        called = next(
            (
                m
                for m in mentions
                if m.start >= hit.end
                and re.fullmatch(r",?\s+(?:called|named|dubbed)\s+", text[hit.end : m.start], re.I)
            ),
            None,
        )
        if called:
            return [(called, "the model it calls by name")]
    for m in mentions:  # the value is part of the name: "LLaMA-65B", "Llama 3.1 405B"
        if hit.field == "params" and (
            (m.end <= hit.start and _joined(text, m, hit.start)) or m.start <= hit.start < m.end
        ):
            return [(m, "its name")]
    inside = _in_parenthesis_after(text, hit.start, mentions)
    if inside:
        return [(inside, "a parenthesis after its name")]
    if hit.qualifier == "citation":
        return []  # a citation dates the work it cites, not the text's model
    after = text[hit.end : hit.end + 80]
    if hit.qualifier == "possessive" or re.match(r"^(?:'s|’s)\s", after):
        owned = next(
            (
                m
                for m in mentions
                if m.start >= hit.end
                and re.fullmatch(
                    rf"(?:'s|’s)\s+(?:{MODEL_WORDS}\s+){{0,2}}|(?:'s|’s)\s+(?:{MODEL_WORDS}\s+)"
                    r"{0,2}(?:model|LLM)s?,\s+",
                    text[hit.end : m.start],
                    re.I,
                )
                or (text[hit.end : m.start] == " " and _owns(text, hit, m))
            ),
            None,
        )
        if owned:
            return [(owned, "a possessive before its name")]
        if topic and re.match(
            r"^(?:'s|’s)\s+(?:new\s+|open\s+|latest\s+|own\s+)*"
            r"(?:model|LLM|family|release)",
            after,
            re.I,
        ):
            return [(topic, "a possessive before 'model'")]
        return []
    for m in mentions:  # "ALBERT's 12M base model", "BERT's 340M parameters"
        if m.end <= hit.start and re.fullmatch(
            rf"(?:'s|’s)\s+(?:{MODEL_WORDS}\s+){{0,3}}", text[m.end : hit.start], re.I
        ):
            return [(m, "a possessive")]
    for m in mentions:
        between = text[m.end : hit.start]
        if (
            m.end <= hit.start
            and re.fullmatch(
                r",\s+(?:an?|the)\s+(?:[\w-]+\s+){0,5}|\s*[,:(]\s*(?:an?\s+)?", between
            )
            and not _is_object(text, m)
        ):
            return [(m, "an apposition")]
    for m in mentions:  # "the 175B GPT-3", "the 7B version of Llama 2"
        between = text[hit.end : m.start]
        if (
            m.start >= hit.end
            and not _is_object(text, m)
            and re.fullmatch(
                r"[\s-]*(?:param(?:eter)?s?[\s-]+)?|[\s-]*(?:param(?:eter)?s?\s+)?(?:base\s+|chat\s+|"
                r"instruct\s+)?(?:version|variant|model|size|checkpoint)s?\s+(?:of|from|in)\s+"
                r"(?:the\s+)?",
                between,
                re.I,
            )
        ):
            return [(m, "the name after it")]
    if hit.field == "lab":  # "code-cushman-001 from OpenAI", "X-Gen models from Salesforce"
        source = next(
            (
                m
                for m in reversed(mentions)
                if m.end <= hit.start and FROM_AFTER_NAME.fullmatch(text[m.end : hit.start])
            ),
            None,
        )
        if source and not is_host(text[hit.start : hit.end]):
            return [(source, "the lab it comes from")]
    relative = re.search(r"\b(?:which|that)\s+$", text[: hit.start])  # "X, which Meta released"
    if hit.qualifier == "made" and not relative:  # "EleutherAI released the GPT-NeoX-20B model"
        # the thing released is what follows the verb: a dataset released there names no
        # model, and a model named later in the sentence is not it
        made = next((m for m in mentions if m.start >= hit.end), None)
        if made and _released(text[hit.end : made.start]):
            return [(made, "the lab released it")]
        return []
    relative_to = next(
        (
            m
            for m in reversed(mentions)
            if m.end <= hit.start
            and re.fullmatch(r"\s*,\s*(?:which|that|who)\b[^,;()]*", text[m.end : hit.start], re.I)
        ),
        None,
    )
    if relative_to is not None:  # "… than GPT-3, which OpenAI released in 2020"
        return [(relative_to, "a relative clause after its name")]
    clause = _clause_start(text, hit.start)
    if hit.field == "date" and re.search(
        r"\b(?:releas\w*|introduc\w*|shared|published|open-?sourc\w*)\s+(?:[\w-]+\s+){0,4}"
        r"(?:datasets?|framework|benchmark|corpus|collection|leaderboard|library)\b",
        text[clause : _clause_end(text, hit.end)],
        re.I,
    ):
        return []  # "in September, they released the associated dataset"
    before = [m for m in mentions if m.end <= hit.start and m.start >= clause]
    main = [m for m in before if not _is_object(text, m)]
    if main:
        chosen = main[-1]
        return [(m, "the model named before it") for m in _listed_with(text, chosen, mentions, hit)]
    if before:
        # only compared-with or built-on names before it in its clause — unless the clause
        # then speaks of its own model: "Similar to LLaMA, we trained a 15B model"
        between = text[before[-1].end : hit.start]
        if topic is not None and re.search(r"\b(?:we|it|they|this\s+model)\b", between, re.I):
            return [(topic, "the model the text is about")]
        return []
    # a model named in an earlier clause — across a ";" only when "it" or "they" takes it up
    pronoun = re.match(r"\s*(?:it|they|its|their)\b", text[clause:], re.I)
    earlier = [
        m
        for m in mentions
        if m.end <= hit.start
        and not _is_object(text, m)
        and (";" not in text[m.end : hit.start] or pronoun)
    ]
    if earlier and hit.field not in ("lab", "date"):
        return [(earlier[-1], "the model named before it")]
    if (
        hit.field == "params"
        and re.search(r"\b(?:the|for|our|these|both|its|their)\s+$", text[: hit.start], re.I)
        and re.match(r"^[\s-]*(?:[\w-]+\s+){0,3}?models?\b", after, re.I)
    ):
        # "the 40B models were …": the models the text is about, not one named later
        return [(topic, "the model the text is about")] if topic else []
    later = [
        m
        for m in mentions
        if m.start >= hit.end
        and not _is_object(text, m)
        and not CLAUSE_BREAK.search(text, hit.end, m.start)
        # right after it, or what the clause's verb releases: "In October, Hugging Face
        # released Zephyr" (not "In 2019, papers about GPT-3 appeared")
        and (
            re.fullmatch(
                r"[\s,]*(?:param(?:eter)?s?\b)?[\s,!]*(?:(?:the|a|an)\s+)?", text[hit.end : m.start]
            )
            or LATER_RELEASED.fullmatch(text[hit.end : m.start])
        )
    ]
    if later and not earlier and hit.field != "lab":
        return [(later[0], "the model named after it")]
    if topic is not None:
        # no model named in the value's clause, which speaks of the text's model: "It has
        # …", "Its large version has 340M parameters, while …"
        clause_text = text[clause : _clause_end(text, hit.end)]
        named_here = [m for m in mentions if clause <= m.start < _clause_end(text, hit.end)]
        if not mentions and (item or PRONOUN.search(text) or A_MODEL.search(text[: hit.start])):
            return [(topic, "the model the text is about")]
        if mentions and not named_here and PRONOUN.search(clause_text.lstrip(" ,;")):
            return [(topic, "the model the text is about")]
    return []


def _listed_with(text: str, chosen: Mention, mentions: list[Mention], hit: Hit) -> list[Mention]:
    """A date after a list of models ("DeciLM (by Deci), Phi-2, and SOLAR (by Upstage) in
    December") is each one's; other values are the last one's."""
    if hit.field != "date":
        return [chosen]
    found = [chosen]
    index = mentions.index(chosen)
    while index > 0:
        previous = mentions[index - 1]
        between = text[previous.end : found[-1].start]
        if not re.fullmatch(r"\s*(?:\([^()]*\))?\s*(?:,\s*(?:and\s+)?|and\s+|&\s+)", between):
            break
        found.append(previous)
        index -= 1
    return found


# --- the post ------------------------------------------------------------------------------


@dataclass
class _Topic:
    """What the text around a sentence is about: its section's model, its paragraph's."""

    section: list[tuple[int, Mention | None]]  # (level, model) of the headings above
    paragraph: Mention | None = None
    post: Mention | None = None  # the model the post's title names, if one

    @property
    def current(self) -> Mention | None:
        if self.paragraph is not None:
            return self.paragraph
        found = next((m for _, m in reversed(self.section) if m is not None), None)
        return found or self.post

    @property
    def how(self) -> str:
        if self.paragraph is not None:
            return "the paragraph's model"
        if any(m is not None for _, m in self.section):
            return "the section's model"
        return "the post's model"


def prose_claims(
    kb, doc: PostDocument, cards: list[Card], limit: int | None = None
) -> list[ProseClaim]:
    """Every claim the post's prose and own tables make about a model (the first
    ``limit``: the rest of the post is not read)."""
    card_lines: set[int] = set()
    for card in cards:
        last = max([c.line for c in card.claims] + [card.line])
        card_lines.update(range(card.line, last + 1))
    if doc.kind == "text":
        found = list(plain_blocks(doc.text))
        found = [
            b
            for b in found
            if not any(
                doc.line_of(b.start) + i in card_lines for i in range(b.masked.count("\n") + 1)
            )
        ]
    else:
        found = iter_blocks(doc.text, card_lines)
    claims: list[ProseClaim] = []
    topic = _Topic(section=[])
    header: list[str] | None = None
    year: str | None = None
    section_year: str | None = None
    list_lead: Mention | None = None
    titled = False
    for block in found:
        if limit is not None and len(claims) >= limit:
            del claims[limit:]
            break
        if block.kind == "heading":
            compacted = compact(block.masked)
            mentions = find_mentions(kb, compacted[0])
            model = mentions[0] if len({m.name for m in mentions}) == 1 else None
            if block.level == 1 and not titled:
                topic.post, titled = model, True  # the post's title: what it is about
            topic.section = [(lv, m) for lv, m in topic.section if lv < block.level]
            topic.section.append((block.level, model))
            topic.paragraph = None
            list_lead = None
            header = None
            # a month without a year takes the year written before it in its paragraph,
            # else its section heading's ("## 2023, a year of open releases")
            section_year = _year_in(block.masked)
            year = section_year
            claims += _sentence_claims(
                kb, doc, block, 0, compacted, mentions, year, heading=True, here=model
            )
            continue
        if block.kind == "header":
            header = [" ".join(doc.text[a:b].split()) for a, b in block.cells]
            continue
        if block.kind == "row":
            claims += _row_claims(kb, doc, block, header)
            continue
        header = None
        if block.kind == "title" and not titled:
            # a post with its title in front matter (Jekyll, Hugo): what it is about
            named = find_mentions(kb, compact(block.masked)[0])
            topic.post, titled = (named[0] if len({m.name for m in named}) == 1 else None), True
        if block.kind in ("paragraph", "title"):
            topic.paragraph = None
            list_lead = None
            year = section_year
        item_topic: Mention | None = None  # the model this list item opens with
        for start, end in split_sentences(block.masked):
            if end - start > MAX_SENTENCE * 2:
                continue
            compacted = compact(block.masked[start:end])
            sentence = compacted[0]
            if len(sentence) > MAX_SENTENCE:
                continue
            mentions = find_mentions(kb, sentence)
            item = block.kind == "item"
            if item and list_lead is not None and not mentions:
                here, how = list_lead, "the list's model"
            elif item and item_topic is not None:
                here, how = item_topic, "the list item's model"
            else:
                here, how = topic.current, topic.how
            claims += _sentence_claims(
                kb, doc, block, start, compacted, mentions, year, item=item, here=here, how=how
            )
            year = _year_in(sentence) or year
            lead = _lead(sentence, mentions)
            if lead is not None and item:
                # a list item's model is its own and its sub-items' ("- Mixtral:" over
                # "  - 46.7B parameters"), not the next item's ("- Several state space
                # models:" after "- Mixtral, …")
                item_topic = lead
                if block.masked.rstrip().endswith(":"):
                    topic.paragraph = lead
            elif lead is not None:
                topic.paragraph = lead
                list_lead = lead
    return claims if limit is None else claims[:limit]


def _lead(sentence: str, mentions: list[Mention]) -> Mention | None:
    """The model a sentence is about, when it opens with it ("BLOOM is …", "The OPT model
    family was released by Meta")."""
    for m in mentions:
        if m.start > 60:
            break
        head = sentence[: m.start]
        opening = re.fullmatch(
            r"\W*(?:\d+\.\s*)?(?:(?:the|a|an|our|this)\s+)?(?:(?:new|first|original|"
            r"\w+'s|\w+’s)\s+)?",
            head,
            re.I,
        )
        if opening and not _is_object(sentence, m):
            return m
    return None


def _year_in(text: str) -> str | None:
    """The last year a sentence or heading names ("2023 saw …", "in March 2022")."""
    years = re.findall(r"(?<![\d.,$-])\b((?:19[5-9]|20[0-4])\d)\b(?![\d%]|[.,-]\d)", text)
    return years[-1] if years else None


def compact(text: str) -> tuple[str, list[int]]:
    """The text with every run of spaces as one, and none before a comma or a full stop
    (a masked link leaves "Qwen    , from Alibaba"), and for each of its characters the
    offset in ``text``."""
    out, where = [], []
    for match in re.finditer(r"\s+|\S+", text):
        if match.group(0)[0].isspace():
            if re.match(r"[,.;:!?)]", text[match.end() : match.end() + 1]) and out:
                continue
            out.append(" ")
            where.append(match.start())
        else:
            out.append(match.group(0))
            where.extend(range(match.start(), match.end()))
    where.append(len(text))
    return "".join(out), where


def _sentence_claims(
    kb,
    doc: PostDocument,
    block: Block,
    start: int,
    compacted: tuple[str, list[int]],
    mentions: list[Mention],
    year: str | None,
    item: bool = False,
    heading: bool = False,
    here: Mention | None = None,
    how: str = "the section's model",
) -> list[ProseClaim]:
    """The claims of one sentence (``compacted``: its text as :func:`compact` gives it,
    starting at ``start`` in ``block``), each with its place in the post."""
    sentence, where = compacted
    claims = []
    for hit in value_hits(sentence, mentions):
        if heading and hit.field not in ("params", "date", "lab"):
            continue
        for mention, found_how in subject_of(sentence, hit, mentions, here, item=item):
            if found_how == "the model the text is about":
                found_how = how
            if heading and found_how == "its name":
                continue  # a heading's model name is a title, not a claim of its size
            text = sentence[hit.start : hit.end]
            qualifier = hit.qualifier if hit.qualifier not in ("possessive", "made") else None
            value = hit.value
            if hit.field == "date" and MONTH_ONLY.fullmatch(text.strip()):
                known = _year_in(sentence[: hit.start]) or year  # written before it
                if known is None:
                    continue
                value = f"{text.strip()} {known}"
                qualifier = f"year from context ({known})"
            if hit.field == "family":
                if mention.model and mention.model is hit_model(mentions, hit):
                    continue
            offset = block.start + start + where[hit.start]
            stop = block.start + start + where[hit.end - 1] + 1
            line = doc.line_of(offset)
            claims.append(
                ProseClaim(
                    field=hit.field,
                    # the value as the reader sees it: no line break, no link or emphasis marks
                    text=" ".join(re.sub(r"[\[\]*`]+", " ", doc.text[offset:stop]).split()),
                    line=line,
                    span=_span(doc, offset, stop),
                    sentence=" ".join(sentence.split()),
                    model=mention.name,
                    model_id=mention.model["id"] if mention.model else None,
                    how=found_how,
                    qualifier=qualifier,
                    unpublished=block.hidden,
                    normalized=value,
                )
            )
    return claims


def _span(doc: PostDocument, offset: int, stop: int) -> tuple[int, int] | None:
    """The columns of a value in its line (cut at the line's end when the value wraps);
    None for a page converted from HTML, whose lines are not the text's."""
    if doc.kind == "html":
        return None
    column = doc.column_of(offset)
    line_end = doc.text.find("\n", offset)
    return column, column + (min(stop, line_end) if line_end >= 0 else stop) - offset


def hit_model(mentions: list[Mention], hit: Hit) -> dict | None:
    """The known model a family hit names."""
    return next((m.model for m in mentions if m.start == hit.start), None)


# --- the post's own tables ----------------------------------------------------------------

COLUMN_FIELDS = [
    (
        re.compile(
            r"^(?:#\s*)?(?:params|parameters|num\.?\s*params|size|model\s+size|# ?params)"
            r"\b",
            re.I,
        ),
        "params",
    ),
    (re.compile(r"commercial", re.I), "commercial"),
    (re.compile(r"licen[cs]e", re.I), "license"),
    (
        re.compile(r"^(?:release(?:d)?(?:\s+date)?|date|published|year|first\s+published)\b", re.I),
        "date",
    ),
    (
        re.compile(r"^(?:lab|organi[sz]ation|developer|company|creator|made\s+by|by|org)\b", re.I),
        "lab",
    ),
    (re.compile(r"^(?:architecture|arch\.?)\b", re.I), "architecture"),
    (re.compile(r"^(?:(?:training\s+)?(?:corpus|data(?:set)?s?))\b", re.I), "corpus"),
    (re.compile(r"^(?:type|kind)\b", re.I), "type"),
]
MODEL_COLUMN = re.compile(r"^(?:model|models|name|model\s+name|checkpoint|llm)\b", re.I)


def _row_claims(kb, doc: PostDocument, block: Block, header: list[str] | None) -> list[ProseClaim]:
    """A row of the post's own table: its model cell names the model, each column a
    field (sizes in the model's name count as its size)."""
    if not header or len(block.cells) < 2:
        return []
    names = [i for i, h in enumerate(header) if MODEL_COLUMN.match(h)]
    model_at = names[0] if names else 0
    if model_at >= len(block.cells):
        return []
    a, b = block.cells[model_at]
    local = block.masked[a - block.start : b - block.start]
    mention = cell_mention(kb, local)
    if mention is None:
        return []
    line = doc.line_of(block.start)
    sentence = " | ".join(
        " ".join(block.masked[x - block.start : y - block.start].split()) for x, y in block.cells
    )
    claims = []

    def add(field: str, start: int, end: int, qualifier=None, value=None, how="a table row"):
        claims.append(
            ProseClaim(
                field,
                doc.text[start:end],
                line,
                _span(doc, start, end),
                sentence,
                mention.name,
                mention.model["id"] if mention.model else None,
                how,
                qualifier,
                block.hidden,
                value,
            )
        )

    size = re.search(r"[-_\s(](\d+(?:\.\d+)?[BbMm])(?![A-Za-z0-9])", local[mention.start :])
    if size:
        at = a + mention.start + size.start(1)
        add("params", at, at + len(size.group(1)), how="the size in its name")
    for index, (x, y) in enumerate(block.cells):
        if index == model_at or index >= len(header):
            continue
        field = next((f for p, f in COLUMN_FIELDS if p.search(header[index])), None)
        if field is None:
            continue
        cell = block.masked[x - block.start : y - block.start]
        raw = cell.strip()
        if not raw or raw in ("-", "—", "?", "*", "n/a", "N/A"):
            continue
        at = x + (len(cell) - len(cell.lstrip()))
        end = at + len(raw)
        if field == "commercial":
            yes = re.fullmatch(r"✅|✔️?|yes|y|true|allowed", raw, re.I)
            no = re.fullmatch(r"❌|✗|✖️?|no|n|false|not allowed", raw, re.I)
            if yes or no:
                add(
                    "license",
                    at,
                    end,
                    "commercial use",
                    "commercial use" if yes else "non-commercial",
                )
            continue
        if field == "type":
            task = re.fullmatch(r"(instruct(?:ion)?(?:-tuned)?|rlhf|chat)", raw, re.I)
            if task:
                add("task", at, end)
            continue
        add(field, at, end)
    return claims
