"""Parse a synthetic 500 KB post full of quotes, code blocks and tables (SYNTHETIC data:
the cards are built from a few true values repeated; the filler is generated)."""

from __future__ import annotations

import time

from kbuild.check.post import parse

CARD = '''### {name}
"""
Family: {family}
Pretraining Architecture: {arch}
Date (of first known publication): {date}
Num. Params: {params}
Lab: {lab}
"""
'''
MODELS = [
    ("BERT", "BERT", "Encoder", "10/2018", "Base = 110M, Large = 340M", "Google"),
    ("GPT-2", "GPT", "Decoder", "02/2019", "124M, 355M, 774M, 1.5B", "OpenAI"),
    ("T5", "T5", "Encoder/Decoder", "10/2019", "11 B (up to)", "Google"),
]
FILLER = '''
> Someone once wrote: "Family: not a card. Lab: not one either."

```python
config = {{"family": "bert", "lab": "google", "params": 110_000_000}}
for key, value in config.items():
    print(f"{{key}}: {{value}}")
```

| model | params | lab |
|-------|--------|-----|
| BERT  | 340M   | Google |

"""
Quoted prose between triple quotes, section {n}: it has colons: many of them.
"""
'''


def build(size: int = 500_000) -> str:
    parts, n = [], 0
    while sum(map(len, parts)) < size:
        name, family, arch, date, params, lab = MODELS[n % len(MODELS)]
        parts.append(
            CARD.format(name=name, family=family, arch=arch, date=date, params=params, lab=lab)
        )
        parts.append(FILLER.format(n=n))
        n += 1
    return "".join(parts)


def main() -> None:
    text = build()
    start = time.perf_counter()
    cards = parse(text)
    elapsed = time.perf_counter() - start
    print(
        f"post size (synthetic):  {len(text.encode()) / 1000:.0f} KB, {text.count(chr(10))} lines"
    )
    print(f"cards found:            {len(cards)} ({sum(len(c.claims) for c in cards)} claims)")
    print(f"parse time:             {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
