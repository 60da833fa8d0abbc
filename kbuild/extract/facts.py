"""A fact: one value for one field of one model, found in one document at one locator."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import c_make_encoder, encode_basestring, encode_basestring_ascii

from kbuild.fields import CARD_FIELDS
from kbuild.normalize import Normalized
from kbuild.normalize.access import normalize_access
from kbuild.normalize.architecture import normalize_architecture
from kbuild.normalize.corpus import normalize_corpus
from kbuild.normalize.dates import normalize_date
from kbuild.normalize.family import normalize_family
from kbuild.normalize.lab import normalize_lab
from kbuild.normalize.license import normalize_license
from kbuild.normalize.params import normalize_params
from kbuild.normalize.task import normalize_task

FIELDS = CARD_FIELDS


def _encoder(ensure_ascii: bool) -> Callable[[object], str]:
    """``json.dumps(value, sort_keys=True, ensure_ascii=…)``, its encoder made once (a
    fact's id and locator are encoded a hundred thousand times a run): json builds its
    C encoder afresh at every call, a third of the time an id took. The same text:
    the same C encoder, without the check for a list that holds itself (a fact's parts
    never do)."""
    if c_make_encoder is None:  # pragma: no cover - an interpreter without json's C part
        return json.JSONEncoder(sort_keys=True, ensure_ascii=ensure_ascii).encode
    default = json.JSONEncoder().default
    quote = encode_basestring_ascii if ensure_ascii else encode_basestring
    encode = c_make_encoder(None, default, quote, None, ": ", ", ", True, False, True)
    return lambda value: "".join(encode(value, 0))


_ID_JSON = _encoder(ensure_ascii=False)
_LOCATOR_JSON = _encoder(ensure_ascii=True)


@dataclass
class Fact:
    """One value found in a document; ``quote`` is the document's own words at ``locator``."""

    model_id: str
    field: str
    value: str
    document_id: int
    locator: dict
    quote: str
    extractor: str
    normalized: Normalized = field(default_factory=Normalized)
    method: str = "stated"
    confidence: float = 0.5
    context: str | None = None  # what the source says around the value (a table's note)

    @property
    def id(self) -> str:
        """Stable across re-runs: the same document, place, field and value give the same id."""
        key = _ID_JSON([self.document_id, self.model_id, self.field, self.locator, self.value])
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def row(self) -> dict:
        """The fact as a row of the ``facts`` table."""
        return {
            "id": self.id,
            "model_id": self.model_id,
            "field": self.field,
            "value": self.value,
            "normalized": self.normalized.as_text(),
            "qualifier": self.normalized.qualifier,
            "flag": self.normalized.flag,
            "document_id": self.document_id,
            "locator": _LOCATOR_JSON(self.locator),
            "quote": self.quote,
            "extractor": self.extractor,
            "method": self.method,
            "confidence": self.confidence,
            "context": self.context,
        }


def normalize(
    field_key: str,
    value: str,
    *,
    model_name: str | None = None,
    date: str | None = None,
    date_kind: str | None = None,
) -> Normalized:
    """Run the normalizer for ``field_key``; free-text fields keep their text."""
    if field_key == "date":
        return normalize_date(value, date_kind)
    if field_key == "params":
        return normalize_params(value)
    if field_key == "architecture":
        return normalize_architecture(value)
    if field_key == "task":
        return normalize_task(value)
    if field_key == "license":
        return normalize_license(value, model_name)
    if field_key == "access":
        return normalize_access(value)
    if field_key == "lab":
        return normalize_lab(value, date)
    if field_key == "corpus":
        return normalize_corpus(value)
    if field_key == "family":
        return normalize_family(value)
    if field_key == "arxiv_id":
        return Normalized(value.strip() or None)
    text = (value or "").strip()
    return Normalized(text or None, None if text else "empty")
