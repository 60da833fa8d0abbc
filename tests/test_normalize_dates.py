"""Dates as the sources write them → 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY', precision kept."""

from __future__ import annotations

import pytest

from kbuild.normalize.dates import normalize_date, precision, same_date

from .extract_fixtures import catalog_cell, need_corpus

# (spelling, expected); where each spelling comes from is in the comment or the id
CASES = [
    ("10/2018", "2018-10"),  # catalog, BERT
    ("07/2022", "2022-07"),  # catalog, BLOOM
    ("2020", "2020"),  # catalog, ELECTRA (its date cell has the year only)
    ("2018-10-11", "2018-10-11"),  # hf_docs bert.md "released on"
    ("Thu, 11 Oct 2018 00:00:00 GMT", "2018-10-11"),  # arXiv dump versions[0].created
    ("Wed, 9 Nov 2022 00:00:00 GMT", "2022-11-09"),  # arXiv dump, BLOOM, one-digit day
    ("2018-10-11T17:38:19Z", "2018-10-11"),  # the Atom API's published/updated form
    ("2018-10-11T17:38:19+00:00", "2018-10-11"),
    ("October 11, 2018", "2018-10-11"),
    ("Oct 11, 2018", "2018-10-11"),
    ("11 Oct 2018", "2018-10-11"),
    ("26 Jul 2019", "2019-07-26"),  # the arXiv stamp on a PDF's first page
    ("Oct 2018", "2018-10"),
    ("2019-02", "2019-02"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_date_spellings_normalize_keeping_their_precision(text, expected):
    result = normalize_date(text)
    assert result.value == expected
    assert result.flag is None


@pytest.mark.parametrize("kind", ["arxiv_v1", "publication", "release"])
def test_the_kind_of_date_is_kept_as_the_qualifier(kind):
    assert normalize_date("10/2018", kind).qualifier == kind
    assert normalize_date("", kind).qualifier == kind


@pytest.mark.parametrize("text", ["", "N/A", "unknown", "-", None])
def test_missing_dates_are_empty(text):
    result = normalize_date(text)
    assert result.value is None
    assert result.flag == "empty"


@pytest.mark.parametrize(
    "text",
    ["13/2018", "2018-02-30", "Same as BERT", "See blog post", "Octember 11, 2018", "1850"],
)
def test_impossible_or_wordy_dates_are_unparseable_not_guessed(text):
    result = normalize_date(text)
    assert result.value is None
    assert result.flag == "unparseable"


def test_precision_counts_the_parts():
    assert [precision(v) for v in ("2018", "2018-10", "2018-10-11")] == [1, 2, 3]


def test_dates_agree_at_the_coarser_precision():
    assert same_date("2018-10", "2018-10-11")
    assert same_date("2019", "2019-07-26")
    assert not same_date("2022-07", "2022-11-09")  # BLOOM: catalog vs arXiv v1


@pytest.mark.parametrize(
    ("model", "column", "text"),
    [
        ("BERT", "Date (of first known publication)", "10/2018"),
        ("BLOOM", "Date (of first known publication)", "07/2022"),
        ("ELECTRA", "Date (of first known publication)", "2020"),
    ],
)
def test_table_spellings_are_the_catalogs_own_cells(model, column, text):
    assert catalog_cell(model, column) == text


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("hf_docs", "bert.md"), "released on 2018-10-11"),
        (("arxiv", "papers.jsonl"), "Thu, 11 Oct 2018 00:00:00 GMT"),
        (("arxiv", "papers.jsonl"), "Wed, 9 Nov 2022 00:00:00 GMT"),
    ],
)
def test_table_spellings_occur_in_the_corpus(path, text):
    assert text in need_corpus(*path).read_text(encoding="utf-8")
