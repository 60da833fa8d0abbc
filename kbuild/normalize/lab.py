"""Labs → canonical organisations through an alias table (also stored as ``orgs``)."""

from __future__ import annotations

import functools
import re

from kbuild.normalize.alternation import trie_pattern
from kbuild.normalize.result import Normalized

# canonical organisation → aliases (case-insensitive, matched on word boundaries).
# DeepMind stays DeepMind before the April 2023 merger; "Google DeepMind" is its own org.
ORGS: dict[str, list[str]] = {
    "Google DeepMind": ["Google DeepMind"],
    "DeepMind": ["DeepMind", "Deep Mind"],
    "Google": [
        "Google",
        "Google AI",
        "Google AI Language",
        "Google Research",
        "Google Brain",
        "Google AI Brain Team",
        "Brain Team",
    ],
    "Meta": [
        "Meta",
        "Meta AI",
        "Facebook",
        "Facebook AI",
        "Facebook AI Research",
        "FAIR",
        "META AI",
    ],
    "OpenAI": ["OpenAI", "Open AI"],
    "Microsoft": ["Microsoft", "Microsoft Research", "MSR", "Microsoft Dynamics 365 AI"],
    "Hugging Face": ["Hugging Face", "HuggingFace"],
    "BigScience": ["BigScience", "Big Science"],
    "EleutherAI": ["EleutherAI", "Eleuther AI", "Eleuther.ai"],
    "Stanford University": ["Stanford", "Stanford University", "Stanford CRFM"],
    "Carnegie Mellon University": ["CMU", "Carnegie Mellon University", "Carnegie Mellon"],
    "UC Berkeley": ["UC Berkeley", "Berkeley", "University of California, Berkeley"],
    "University of Washington": [
        "University of Washington",
        "UW",
        "Paul G. Allen School of Computer Science",
    ],
    "UC San Diego": ["UC San Diego", "UCSD"],
    "University College London": ["UCL", "University College London"],
    "University of Toronto": ["University of Toronto"],
    "University of Hong Kong": ["University of Hong Kong", "HKU"],
    "NVIDIA": ["NVIDIA", "NVidia"],
    "Amazon": ["Amazon", "Amazon Alexa AI", "AWS"],
    "Salesforce": ["Salesforce", "Salesforce Research"],
    "Baidu": ["Baidu"],
    "Pengcheng Laboratory": ["Pengcheng Lab", "Peng Cheng Laboratory", "Pengcheng Laboratory"],
    "Tsinghua University": ["Tsinghua", "Tsinghua University"],
    "Anthropic": ["Anthropic"],
    "AI21 Labs": ["AI21", "AI21 Labs"],
    "Databricks": ["Databricks"],
    "Mistral AI": ["Mistral AI", "Mistral.ai"],
    "Alibaba": ["Alibaba", "Alibaba Group", "Qwen Team", "Alibaba Cloud"],
    "DeepSeek": ["DeepSeek", "DeepSeek-AI"],
    "Technology Innovation Institute": ["Technology Innovation Institute", "TII"],
    "Allen Institute for AI": [
        "Allen Institute for AI",
        "Allen Institute for Artificial Intelligence",
        "AI2",
        "AllenAI",
    ],
    "LMU Munich": ["LMU Munich", "LMU"],
    "Stability AI": ["Stability AI", "Stability.ai"],
    "Beijing Academy of Artificial Intelligence": [
        "Beijing Academy of Artificial Intelligence",
        "BAAI",
    ],
    "MBZUAI": ["MBZUAI", "Mohamed bin Zayed University of Artificial Intelligence"],
    "Cohere": ["Cohere"],
    "IBM": ["IBM", "IBM Research"],
    "Apple": ["Apple"],
    "Carper AI": ["CarperAI"],
    "ByteDance": ["ByteDance"],
    "Zhipu AI": ["Zhipu AI", "Zhipu", "THUDM"],
    "xAI": ["xAI"],
    "01.AI": ["01.AI", "01 AI", "01-ai"],
    "Peking University": ["Peking University"],
    "MIT": ["Massachusetts Institute of Technology", "MIT"],
    "New York University": ["New York University", "NYU"],
    "Université de Montréal": ["University of Montreal", "Université de Montréal"],
    "Mila": ["Mila", "Mila - Quebec AI", "Mila-Quebec AI Institute"],
    "LG AI Research": ["LG AI Research", "LG AI"],
    "Princeton University": ["Princeton University", "Princeton"],
    "Inflection AI": ["Inflection AI", "Inflection"],
    "Shanghai AI Laboratory": ["Shanghai AI Laboratory", "Shanghai AI Lab"],
    "Columbia University": ["Columbia University"],
    "SenseTime": ["SenseTime"],
    "Johns Hopkins University": ["Johns Hopkins University", "Johns Hopkins"],
    "Samsung": ["Samsung", "Samsung Research"],
    "NAVER": ["NAVER", "Naver"],
    "Moonshot AI": ["Moonshot AI", "Moonshot"],
    "Tencent": ["Tencent"],
    "Reka AI": ["Reka AI"],
    "Huawei": ["Huawei", "Huawei Noah's Ark Lab", "Noah's Ark Lab"],
    "Aleph Alpha": ["Aleph Alpha"],
    "Together AI": ["Together AI", "Together Computer", "TogetherCompute"],
    "BigCode": ["BigCode"],
    "Nous Research": ["Nous Research"],
    "Cerebras": ["Cerebras", "Cerebras Systems"],
    "OpenBMB": ["OpenBMB"],
    "MosaicML": ["MosaicML"],
    "Upstage": ["Upstage", "Upstage.ai"],
    "University of Oxford": ["University of Oxford", "Oxford University"],
    "University of Edinburgh": ["University of Edinburgh"],
    "Intel": ["Intel", "Intel Labs"],
    "Bloomberg": ["Bloomberg"],
    "Zhejiang University": ["Zhejiang University"],
    "Fudan University": ["Fudan University"],
    "Nanyang Technological University": ["Nanyang Technological University", "NTU Singapore"],
    "KAIST": ["KAIST", "Korea Advanced Institute of Science and Technology"],
    "UCLA": [
        "UCLA",
        "University of California Los Angeles",
        "University of California, Los Angeles",
    ],
    "Cornell University": ["Cornell University"],
    "ServiceNow": ["ServiceNow", "ServiceNow Research"],
    "MiniMax": ["MiniMax"],
    "Baichuan": ["Baichuan", "Baichuan Inc."],
    "iFlytek": ["iFlytek"],
    "Kunlun": ["Kunlun Inc.", "Kunlun"],
    "INRIA": ["INRIA", "Inria"],
    "Yandex": ["Yandex"],
    "Microsoft Research Asia": ["Microsoft Research Asia"],
}
# Hugging Face Hub namespaces of the labs that publish their own checkpoints there.
HUB_NAMESPACES = {
    "google": "Google",
    "google-bert": "Google",
    "google-t5": "Google",
    "facebook": "Meta",
    "meta-llama": "Meta",
    "openai": "OpenAI",
    "openai-community": "OpenAI",
    "microsoft": "Microsoft",
    "mistralai": "Mistral AI",
    "Qwen": "Alibaba",
    "deepseek-ai": "DeepSeek",
    "tiiuae": "Technology Innovation Institute",
    "EleutherAI": "EleutherAI",
    "bigscience": "BigScience",
    "allenai": "Allen Institute for AI",
    "Salesforce": "Salesforce",
    "nvidia": "NVIDIA",
    "baidu": "Baidu",
    "distilbert": "Hugging Face",
    "stanford-crfm": "Stanford University",
    "databricks": "Databricks",
    "CohereForAI": "Cohere",
}
MERGER = "2023-04"  # Google Brain and DeepMind became Google DeepMind in April 2023

_ALIASES = sorted(
    ((alias, org) for org, aliases in ORGS.items() for alias in aliases),
    key=lambda pair: -len(pair[0]),
)


# spaces in an alias match any run of whitespace (PDF lines break anywhere)
@functools.cache
def _pattern() -> re.Pattern:
    # compiled when first needed: a run that normalizes nothing does not pay for it
    return re.compile(
        r"(?<![A-Za-z])(?:"
        + trie_pattern({" ".join(alias.lower().split()) for alias, _ in _ALIASES}, space=r"\s+")
        + r")(?![A-Za-z])",
        re.I,
    )


# Aliases that are also ordinary words count only when written with a capital.
_PROPER_WORDS = {"meta", "apple", "cohere", "mila", "inflection", "princeton", "intel", "moonshot"}
_CASE_SENSITIVE = {
    "UW", "LMU", "TII", "AI2", "FAIR", "MSR", "AWS", "HKU", "UCL", "CMU", "BAAI", "MIT", "NYU",
    "KAIST", "UCLA", "NAVER", "INRIA", "THUDM",
}  # fmt: skip
_LOOKUP = {re.sub(r"\s+", " ", alias.lower()): org for alias, org in _ALIASES}


def org_rows() -> list[dict]:
    """Rows of the ``orgs`` table: one per alias, with its canonical organisation."""
    return [{"alias": alias, "org": org} for org, aliases in ORGS.items() for alias in aliases]


def orgs_at(text: str, date: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, canonical organisation) of every organisation the text names."""
    found = []
    for match in _pattern().finditer(text):
        word = re.sub(r"\s+", " ", match.group(0))
        if word.upper() in _CASE_SENSITIVE and word != word.upper():
            continue
        if word.lower() in _PROPER_WORDS and not word[0].isupper():
            continue  # "meta-learning" is not Meta
        org = _LOOKUP[word.lower()]
        if org == "DeepMind" and date and date >= MERGER:
            org = "Google DeepMind"
        found.append((match.start(), match.end(), org))
    return found


def orgs_in(text: str, date: str | None = None) -> list[str]:
    """Every organisation the text names, in order of appearance."""
    found: list[str] = []
    for _, _, org in orgs_at(text, date):
        if org not in found:
            found.append(org)
    return found


# Cell text that names nobody.
NOBODY = {"n/a", "na", "unknown", "-", "none", "unspecified", "various", "inc.", "inc", "ltd"}


def listed(text: str, split: str, canonical) -> list[str]:
    """The names of a list cell ('Hugging Face,BigScience'): each item through
    ``canonical`` (which returns the canonical names it finds), or kept as written when
    it finds none — a table's list of organisations or datasets is an open vocabulary."""
    found: list[str] = []
    for item in text.split(split):
        item = " ".join(item.split()).strip(" .;")
        if not item or item.lower() in NOBODY or not re.search(r"[A-Za-z]", item):
            continue
        for name in canonical(item) or [item]:
            if name not in found:
                found.append(name)
    return found


def normalize_lab(
    text: str | None, date: str | None = None, split: str | None = None
) -> Normalized:
    """'Google AI Language' → ['Google']; 'CMU/Google' → ['Carnegie Mellon University',
    'Google']; 'Deepmind' for a 2024 model → ['Google DeepMind']. With ``split`` the cell
    is a list of organisations, and names kbuild does not know are kept as written."""
    raw = (text or "").strip()
    if not raw or raw.lower() in NOBODY:
        return Normalized(None, "empty")
    if split:
        found = listed(raw, split, lambda item: orgs_in(item, date))
        return Normalized(found) if found else Normalized(None, "empty")
    found = orgs_in(raw, date)
    if not found:
        return Normalized(None, "unrecognized")
    return Normalized(found)
