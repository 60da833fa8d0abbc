"""Labs → canonical organisations through an alias table (also stored as ``orgs``)."""

from __future__ import annotations

import re

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
    "MBZUAI": ["MBZUAI"],
    "Cohere": ["Cohere"],
    "IBM": ["IBM", "IBM Research"],
    "Apple": ["Apple"],
    "Carper AI": ["CarperAI"],
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


def _alias_pattern(alias: str) -> str:
    # spaces in an alias match any run of whitespace (PDF lines break anywhere)
    return r"(?<![A-Za-z])" + r"\s+".join(map(re.escape, alias.split())) + r"(?![A-Za-z])"


_PATTERN = re.compile("|".join(_alias_pattern(alias) for alias, _ in _ALIASES), re.I)
# Aliases that are also ordinary words count only when written with a capital.
_PROPER_WORDS = {"meta", "apple", "cohere"}
_CASE_SENSITIVE = {"UW", "LMU", "TII", "AI2", "FAIR", "MSR", "AWS", "HKU", "UCL", "CMU", "BAAI"}
_LOOKUP = {re.sub(r"\s+", " ", alias.lower()): org for alias, org in _ALIASES}


def org_rows() -> list[dict]:
    """Rows of the ``orgs`` table: one per alias, with its canonical organisation."""
    return [{"alias": alias, "org": org} for org, aliases in ORGS.items() for alias in aliases]


def orgs_in(text: str, date: str | None = None) -> list[str]:
    """Every organisation the text names, in order of appearance."""
    found: list[str] = []
    for match in _PATTERN.finditer(text):
        word = re.sub(r"\s+", " ", match.group(0))
        if word.upper() in _CASE_SENSITIVE and word != word.upper():
            continue
        if word.lower() in _PROPER_WORDS and not word[0].isupper():
            continue  # "meta-learning" is not Meta
        org = _LOOKUP[word.lower()]
        if org == "DeepMind" and date and date >= MERGER:
            org = "Google DeepMind"
        if org not in found:
            found.append(org)
    return found


def normalize_lab(text: str | None, date: str | None = None) -> Normalized:
    """'Google AI Language' → ['Google']; 'CMU/Google' → ['Carnegie Mellon University',
    'Google']; 'Deepmind' for a 2024 model → ['Google DeepMind']."""
    raw = (text or "").strip()
    if not raw or raw.lower() in {"n/a", "na", "unknown", "-"}:
        return Normalized(None, "empty")
    found = orgs_in(raw, date)
    if not found:
        return Normalized(None, "unrecognized")
    return Normalized(found)
