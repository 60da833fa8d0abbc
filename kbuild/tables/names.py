"""Size-named rows: "GPT-2 (1.5B)", "LLaMA-65B", "Llama 2-70B", "BERT-Large", "Mixtral 8x7B"
name one size of a model, not a model of their own."""

from __future__ import annotations

import re

from kbuild.normalize.params import UNITS

_SIZE = r"\d+(?:\.\d+)?\s?(?:[MBT]|[mb]illion)|\d+x\d+(?:\.\d+)?[MB]"
# "(1.5B)", "(540B)": a parenthesis that is only a size
_PAREN_SIZE = re.compile(rf"\s*\(\s*(?P<size>{_SIZE})(?:\s+param\w*)?\s*\)\s*$")
# "(davinci)", "(PTB+WT2+WT103)": another parenthesis names a variant or a setting
_PAREN_OTHER = re.compile(r"\s*\([^()]*\)\s*$")
# "-65B", " 175B", "-8x7B"; the size must not be glued to letters ("T5" is no size)
_TAIL_SIZE = re.compile(rf"(?<=[A-Za-z0-9.)])[\s_-]+(?P<size>{_SIZE})\s*$")
# "-Large", "-base", "-XXL" name a size; after a space they are part of a product's name
# ("Mistral Large", "Transformer XL"), which a shared paper may still tie to the model
_TAIL_VARIANT = re.compile(r"(?i)[_-](?:base|large|x{1,2}large|x{1,2}l)\s*$")


def shorter_names(name: str) -> list[tuple[str, str | None, bool]]:
    """The name with one size, parenthesis or variant word after another taken off its
    end, each with the size taken off so far and whether a variant word ("-Large",
    "-XXL") was: 'Transformer-XL (257M)' → [('Transformer-XL', '257M', False),
    ('Transformer', '257M', True)]. A row belongs to the first of these a model has, so
    'Transformer-XL' is found before 'Transformer'; a variant word may also end a
    product's name ("Yi-Large" is not Yi), so a match through one needs more evidence."""
    found: list[tuple[str, str | None, bool]] = []
    base, size, variant = name.strip(), None, False
    while True:
        for pattern in (_PAREN_SIZE, _TAIL_SIZE):
            match = pattern.search(base)
            if match and match.start() > 0:
                size = size or match.group("size")
                base = base[: match.start()].rstrip()
                break
        else:
            match = _PAREN_OTHER.search(base)
            word = None if match else _TAIL_VARIANT.search(base)
            match = match or word
            if not (match and match.start() > 0 and re.search(r"[A-Za-z]", base[: match.start()])):
                return found
            base = base[: match.start()].rstrip()
            variant = variant or word is not None
        found.append((base, size, variant))


def split_size(name: str) -> tuple[str, str | None]:
    """(the model's name, the size the row's name gives or None):
    'GPT-2 (1.5B)' → ('GPT-2', '1.5B'); 'BERT-Large' → ('BERT', None);
    'GPT-3 175B (davinci)' → ('GPT-3', '175B'); 'T5' → ('T5', None)."""
    shorter = shorter_names(name)
    return shorter[-1][:2] if shorter else (name.strip(), None)


def added_name(name: str) -> str:
    """The name a table row adds a model under: without its size or a parenthesis, but
    with a variant word ('Yi-Large' stays 'Yi-Large'; 'Falcon-180B' is 'Falcon')."""
    kept = [shorter for shorter, _, variant in shorter_names(name) if not variant]
    return kept[-1] if kept else name.strip()


def size_count(size: str) -> int | None:
    """'1.5B' → 1500000000; '8x7B' → None (a mixture's name is not its parameter count)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s?([MBT]|[mb]illion)", size.strip())
    if not match:
        return None
    return round(float(match.group(1)) * UNITS[match.group(2).lower()])
