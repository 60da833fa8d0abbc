"""The models a sentence names: those the knowledge base knows, and those it does not.

A name is found as written, with or without the space or hyphen between its word and its
number ("Llama 2", "Llama-2", "Llama2"). A name followed by more of a version is another
model: "Qwen2.5" is not Qwen2, "Llama 3.1" is not Llama 3, "DeepSeek-V2.5" is not
DeepSeek-V2, "Claude 3.5 Sonnet" is not Claude 3, "Phi-2" is not Phi; a name preceded by
a word that makes it another product ("Code Llama") is not that model either. Such a
longer name the knowledge base lacks is an *unknown* model — never replaced by the
shorter known one — and so is a name written the way models are named ("X-GEN (by
Salesforce)", "Foo-7B", "Meta's Galactica", a table's model cell), so that a value given
to it is not handed to a model named nearby.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbuild.config import name_key
from kbuild.normalize.alternation import trie_pattern
from kbuild.normalize.corpus import datasets_at
from kbuild.normalize.organisations import orgs_spans
from kbuild.normalize.params import SIZE_RE


@dataclass
class Mention:
    """A model named in a sentence: where, as written, and the model (None: unknown)."""

    start: int
    end: int
    name: str
    model: dict | None
    how: str = "named"  # "named", or why an unknown name counts as a model's


# A version after a name: ".5", "3", "-V2", " 2.5", "v2" — not a size ("-7B", " 70B").
VERSION_AFTER = re.compile(
    r"(?:\.\d|[\s_-]?[vV]\d|(?<=[A-Za-z])\d|[\s_-](?!(?:19|20)\d\d\b)\d+(?:\.\d+)*(?![\d.]*[\s-]?(?:[MBTKmbtk]\b|"
    r"[mb]illion|trillion|x\d|×)))"
)
# Words that make a following model name another product ("Code Llama", "Tiny Llama").
PRODUCT_PREFIX = re.compile(
    r"(?:\b(?:Code|Tiny|Open|Star|Wizard|Stable|Long|Sky|Vision|Video|Audio|Med|Bio|Sci|Fin|"
    r"Chinese|Japanese|Korean|Arabic)[ -]?|\b(?i:code|tiny|open|star|wizard|stable|long|sky|"
    r"med|bio|sci|fin)-)$"
)
# A name the way models are named: letters with a digit, an inner capital, or all capitals.
NAMELIKE = (
    r"(?:[A-Z][A-Za-z]*[a-z][A-Z][\w.]*|[A-Za-z][A-Za-z]*\d[\w.]*|[A-Z]{2,}[a-z]*\d*|"
    r"[A-Z](?=-[A-Z0-9])|[A-Za-z][\w]*(?:-[A-Za-z][\w]*)*-\d[\w.]*)"
    r"(?:[-.][A-Za-z0-9][\w.]*)*"
)
NAME_RE = re.compile(rf"(?<![\w./-]){NAMELIKE}(?![\w/])")
CAPITALISED = re.compile(r"(?<![\w./-])[A-Z][\w.]*(?:[-.][A-Za-z0-9][\w.]*)*(?![\w/])")
# Capitalised words that are no model's name.
NOT_MODELS = {
    "ai",
    "api",
    "llm",
    "llms",
    "gpu",
    "gpus",
    "tpu",
    "tpus",
    "cpu",
    "nlp",
    "rlhf",
    "sft",
    "dpo",
    "ppo",
    "lora",
    "qlora",
    "peft",
    "mmlu",
    "gsm8k",
    "humaneval",
    "mbpp",
    "arc",
    "hellaswag",
    "truthfulqa",
    "winogrande",
    "bbh",
    "glue",
    "superglue",
    "squad",
    "mt-bench",
    "alpacaeval",
    "the",
    "this",
    "these",
    "that",
    "those",
    "it",
    "its",
    "they",
    "their",
    "we",
    "our",
    "in",
    "on",
    "at",
    "for",
    "and",
    "or",
    "but",
    "a",
    "an",
    "as",
    "by",
    "from",
    "with",
    "to",
    "of",
    "fp16",
    "bf16",
    "int8",
    "int4",
    "fp8",
    "a100",
    "h100",
    "a10g",
    "t4",
    "v100",
    "tgi",
    "json",
    "html",
    "css",
    "pdf",
    "url",
    "cuda",
    "vram",
    "ram",
    "faq",
    "tl;dr",
    "usa",
    "us",
    "uk",
    "eu",
    "pii",
    "sota",
    "moe",
    "ppl",
    "bleu",
    "rouge",
    "mteb",
    "ceval",
    "cmmlu",
    "agieval",
    "drop",
    "bigbench",
    "big-bench",
    "openllm",
    "elo",
    "swiglu",
    "rope",
    "alibi",
    "gqa",
    "mqa",
    "flashattention",
    "flash-attention",
    "xformers",
    "transformers",
    "pytorch",
    "tensorflow",
    "jax",
    "onnx",
    "gguf",
    "ggml",
    "awq",
    "gptq",
    "hub",
    "spaces",
    "endpoints",
    "colab",
    "github",
    "twitter",
    "discord",
    "arxiv",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "q1",
    "q2",
    "q3",
    "q4",
    "i",
    "ii",
    "iii",
    "ok",
    "note",
    "update",
    "edit",
    "tip",
    "step",
    "figure",
    "table",
    "section",
    "chapter",
}
# What makes a name-like word a model's name.
# A name right after a release verb is the released thing's: a model, unless it is said
# to be a dataset, a framework … ("DataBricks released the Dolly dataset").
# The verbs that put a model out ("released", "open-sourced", "unveiled" …), shared with
# the claim rules.
RELEASE_VERB = (
    r"(?:releas\w*|introduc\w*|open-?sourc\w*|opened|unveil\w*|launch\w*|announc\w*|"
    r"publish\w*|shared|present\w*)"
)
RELEASED = re.compile(
    rf"\b(?:{RELEASE_VERB}|trained)\s+(?:(?:the|a|an|its|their|his|her|our)\s+)?(?:new\s+)?$",
    re.I,
)
NOT_A_MODEL_AFTER = re.compile(
    r"^[\s,-]*(?:(?:an?|the)\s+)?(?:[\w-]+\s+)?(?:datasets?|data|framework|corpus|corpora|collections?|benchmarks?|"
    r"method|library|platform|leaderboard|paper|report|blog|space|demo|api|tool|toolkit|"
    r"suite|evaluation|preference|feedback|instructions|entries|format|license|team|lab|org)"
    r"\b",
    re.I,
)
# "Koala, a chat-tuned LLaMA model", "UltraLM (a chat fine-tune of LLaMA)"
DESCRIBED = re.compile(
    r"^\s*(?:,|\()\s*(?:also\s+)?(?:an?|the)\s+[^,;()]{0,60}?\b(?:model|fine-?tune[ds]?|"
    r"fine-?tuned|LLM|chatbot|chat\s+model|assistant)\b",
    re.I,
)
MODEL_AFTER = re.compile(
    r"^(?:[\s-]*\((?:by|from)\s|[\s,]+(?:is|was|are|were)\s+(?:an?|the)\s+(?:[\w-]+\s+){0,4}"
    r"(?:model|LLM|language\s+model|transformer|chatbot|family)\b|[\s-]+(?:model|models|LLM|"
    r"family|checkpoints?|series)\b|[\s,]+(?:was|were|is|has\s+been)\s+(?:released|trained|"
    r"introduced|developed|published|fine-?tuned|pre-?trained|open[\s-]?sourced)|"
    r"\s+(?:is|was|has|had|uses|used|will|would|comes?|came|reach\w*|outperform\w*|beats?)\b|"
    r"[\s,]+from\s+(?:the\s+)?[A-Z])",
    re.I,
)


def spellings(name: str) -> set[str]:
    """A name as writers spell it: "llama 2", "llama-2", "llama2"."""
    name = name.lower()
    found = {name, name.replace(" ", "-"), name.replace("-", " ")}
    # the space or hyphen between a word and its number may be left out
    found |= {re.sub(r"(?<=[a-z])[\s-](?=\d)", "", n) for n in list(found)}
    return {n for n in found if len(n) >= 2}


def spelled_names(
    names: dict[str, set[str]],
) -> tuple[re.Pattern | None, dict[str, set[str]]]:
    """One pattern for every name (name → its models' ids) in every spelling, and each
    spelling's models (``KnowledgeBase.spelled`` builds it once per run)."""
    owners: dict[str, set[str]] = {}
    for name, ids in names.items():
        for spelling in spellings(name):
            owners.setdefault(spelling, set()).update(ids)
    pattern = None
    if owners:
        pattern = re.compile(
            # "BERTBASE" names BERT; "Bertrand", "LLaMA-33" (of "LLaMA-33B") and "Llama-3"
            # in "Llama-33B" do not
            r"(?<![A-Za-z0-9])(?:"
            + trie_pattern(owners, space=" ")
            + r")(?![0-9])(?-i:(?![a-z]|[A-Z][a-z]))(?!(?<=\d)[BMTKbmtk]\b)(?!\s(?:ML|AI)\b)",
            re.I,
        )
    return pattern, owners


def _word_not_acronym(found: str, name: str, after: str) -> bool:
    """Whether a three-letter all-capitals name ("LED", "RAG", "OPT") was found written
    as a word ("led", "Rag", "opt"): a word, not the model — unless it goes on as a model
    id does ("mpt-7b", "rag_token"). Longer ones ("Bloom", "Bert") are the model."""
    return (
        len(name) <= 3
        and name.isupper()
        and name.isalpha()
        and not found.isupper()
        and after not in ("-", "_", "/")
    )


def find_mentions(kb, text: str, extra_unknown: bool = True) -> list[Mention]:
    """Every model a sentence names, in order, none overlapping another."""
    found: list[Mention] = []
    labs = [(s, e) for s, e, _ in orgs_spans(text)]
    pattern, owners_of = kb.spelled
    if pattern is not None:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e in labs):
                continue  # "Mistral" in "Mistral AI" is the lab
            owners = owners_of.get(match.group(0).lower(), set())
            if len(owners) != 1:
                continue
            if _word_not_acronym(
                match.group(0), kb.by_id[next(iter(owners))]["name"], text[end : end + 1]
            ):
                continue  # "led by Hugging Face" is no mention of LED
            longer = _longer_name(text, start, end)
            if longer is not None:
                name = text[start:longer].strip()
                same = kb.by_key.get(name_key(name))  # "LLaMA 1" is an alias of LLaMA
                found.append(
                    Mention(
                        start, start + len(name), name, same, "named" if same else "a newer version"
                    )
                )
                continue
            prefix = PRODUCT_PREFIX.search(text[max(0, start - 12) : start])
            if prefix:
                begin = start - len(prefix.group(0))
                found.append(Mention(begin, end, text[begin:end], None, "another product"))
                continue
            (owner,) = owners
            found.append(Mention(start, end, match.group(0), kb.by_id[owner]))
    # a model's name used as a dataset's ("the WebGPT dataset", "datasets (Alpaca,
    # HH-RLHF, WebGPT)") names no model
    found = [m for m in found if not _a_dataset(text, m)]
    if extra_unknown:
        found += _unknown(kb, text, found, labs)
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def _a_dataset(text: str, mention: Mention) -> bool:
    """Whether a name stands for a dataset here."""
    if re.match(r"\s+(?:datasets?|data|corpus|benchmark)\b", text[mention.end :], re.I):
        return True
    opened = text.rfind("(", 0, mention.start)
    return (
        opened >= 0
        and ")" not in text[opened : mention.start]
        and re.search(
            r"\b(?:datasets?|data|corpora|sources)\s*$", text[max(0, opened - 30) : opened], re.I
        )
        is not None
    )


def _longer_name(text: str, start: int, end: int) -> int | None:
    """Where a longer name ends when the text goes on with more of a version after a
    known name ("Qwen2" + ".5", "Claude 3" + ".5 Sonnet"); None when it does not."""
    after = text[end : end + 12]
    suffix = re.match(
        r"-(?!(?:chat|instruct|base|large|small|medium|xl|xxl|mini|tiny|huge|giant|lite|it|hf|"
        r"v\d|\d)\b)[A-Z][\w]*",
        text[end:],
        re.I,
    )
    if suffix and text[end + 1].isupper():
        return end + suffix.end()  # "GPT4-LLM", "LLaMA-Adapter": another thing's name
    if re.match(r"-v\d+(?:\.\d+)*\b", after) and re.search(r"\d[BMbm]$", text[start:end]):
        return None  # "Mistral-7B-v0.1": a checkpoint of Mistral 7B
    version = VERSION_AFTER.match(after)
    if not version:
        return None
    stop = end + version.end()
    tail = re.match(
        r"[\w.]*(?:[-][A-Za-z][\w.]*)?(?:\s+(?:Sonnet|Opus|Haiku|Pro|Flash|Mini|"
        r"Turbo|Ultra|Nano|Max|Plus|Instruct|Chat))?",
        text[stop:],
    )
    if tail:
        stop += tail.end()
    return stop


BASE_BEFORE = re.compile(r"\b(?:based\s+on|fine-?tuned\s+from)\s+$", re.I)  # "based on Gemini"


def _used_as_model(before: str, after: str) -> bool:
    """Whether the words around a name use it as a model's: released (not as a dataset),
    described as a model, or the base of one."""
    return bool(
        (RELEASED.search(before) and not NOT_A_MODEL_AFTER.match(after))
        or DESCRIBED.match(after)
        or BASE_BEFORE.search(before)
        or re.search(
            r"\b(?:model|LLM)s?\s+(?:[\w.-]+\s+){0,3}?(?:called|named|dubbed)\s+$", before, re.I
        )
    )


def _unknown(kb, text: str, known: list[Mention], labs) -> list[Mention]:
    """Names the knowledge base lacks, written as a model's name and used as one: any name
    written the way models are named, or a capitalised word used as a model's."""
    taken = [(m.start, m.end) for m in known] + list(labs)
    taken += [(s, e) for s, e, _ in datasets_at(text)]
    found = []
    candidates = list(NAME_RE.finditer(text))
    candidates += [
        match
        for match in CAPITALISED.finditer(text)
        if _used_as_model(
            text[max(0, match.start() - 30) : match.start()], text[match.end() : match.end() + 80]
        )
    ]
    candidates.sort(key=lambda m: m.start())
    for match in candidates:
        start, end = match.start(), match.end()
        if any(m.start <= start < m.end for m in found):
            continue
        name = match.group(0).rstrip(".")
        end = start + len(name)
        if any(s < end and start < e for s, e in taken):
            continue
        if name.lower() in NOT_MODELS or SIZE_RE.fullmatch(name) or re.fullmatch(r"[\d.]+", name):
            continue
        if re.fullmatch(r"v?\d+(?:\.\d+)*[a-z]?", name, re.I) or re.fullmatch(r"[A-Z]\d", name):
            continue
        before = text[max(0, start - 30) : start]
        after = text[end : end + 80]
        sized = re.match(r"[-\s]?\d+(?:\.\d+)?[BMT]\b", after) or re.search(
            r"-\d+(?:\.\d+)?[BbMm]\b", name
        )
        owner = re.search(r"(?:'s|’s)\s+$", before)
        possessed = owner and any(e == start - len(owner.group(0)) for _, e in labs)
        labelled = not text[:start].strip() and re.match(r"\s*:\s", after)  # "StarPii: a …"
        if not (
            sized
            or possessed
            or labelled
            or _used_as_model(before, after)
            or MODEL_AFTER.match(after)
        ):
            continue
        if kb.resolve(name):
            continue  # a known model's name the index missed (an alias with a size)
        found.append(Mention(start, end, name, None, "written as a model's name"))
    return found


def cell_mention(kb, text: str) -> Mention | None:
    """The model a table's model cell names: a known model in it, else the cell as an
    unknown model's name."""
    mentions = find_mentions(kb, text)
    if mentions:
        return mentions[0]
    name = " ".join(text.split())
    name = re.sub(r"^[\w.-]+/", "", name)  # a Hub id's namespace
    if not name or len(name) > 60 or not re.search(r"[A-Za-z]", name):
        return None
    found = kb.resolve(name)
    if found:
        return Mention(0, len(text), name, found)
    at = text.find(name)
    return Mention(max(at, 0), max(at, 0) + len(name), name, None, "a table's model cell")
