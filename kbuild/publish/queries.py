"""Canned SQL queries for Datasette: a model's card with its evidence, one field across
models, conflicts, a timeline, models by size, a post's failed claims, phrase search."""

from __future__ import annotations

FIELD_ORDER_SQL = """case {col} when 'link' then 1 when 'family' then 2
  when 'architecture' then 3 when 'task' then 4 when 'extension' then 5
  when 'application' then 6 when 'date' then 7 when 'params' then 8 when 'corpus' then 9
  when 'license' then 10 when 'lab' then 11 when 'arxiv_id' then 12 when 'title' then 13
  else 14 end"""

# The long lists come a page at a time (their `page` field: 1, 2, …): at a million facts
# a list of every fact of a field is 228,000 rows, which Datasette would cut at 1,000
# and render for 150-200 ms.
PAGE_ROWS = 250
PAGED = (
    f"\nlimit {PAGE_ROWS} offset {PAGE_ROWS} * "
    "(max(coalesce(cast(nullif(:page, '') as integer), 1), 1) - 1)"
)
PAGE_NOTE = f" {PAGE_ROWS} rows a page: page 2, 3, … for the next ones."

QUERIES: dict[str, dict] = {
    "model_card": {
        "hide_sql": True,
        "title": "A model's card, with the evidence for each value",
        "description": (
            "Enter a model's name, alias, id or arXiv id, spelled as you like (OpenAI GPT, "
            "GPT2, Mixtral 8x7B, 1810.04805: matched as kbuild check matches names). Each "
            "field shows the value the card takes, the source it comes from, the document's "
            "own words, its public address, and how many sources disagree."
        ),
        "examples": [{"model": "BERT"}, {"model": "OpenAI GPT"}, {"model": "Mixtral 8x7B"}],
        "sql": f"""select p.field, p.shown as value, p.rule as why, p.source, p.quote as evidence,
  p.url, p.locator, p.qualifier, p.confidence, p.id as fact_id, p.document_id, p.model_id,
  (select count(*) from conflicts c where c.model_id = p.model_id and c.field = p.field)
    as disagreeing_sources
from preferred_facts p
where p.model_id = kbuild_model(:model)
order by {FIELD_ORDER_SQL.format(col="p.field")}""",
    },
    "field_across_models": {
        "hide_sql": True,
        "title": "One field across all models, with every source",
        "description": (
            "Enter a field: link, family, architecture, task, extension, application, date, "
            "params, corpus, license, lab or arxiv_id, or a card's key for it (Num. Params, "
            "Organization, Date of first publication). Every value of it from every source, "
            "most trusted first; on_card marks the value each card shows." + PAGE_NOTE
        ),
        "examples": [{"field": "Num. Params"}, {"field": "lab"}, {"field": "license"}],
        "sql": """select m.name as model, e.source, e.value, e.normalized, e.qualifier,
  e.quote as evidence, e.url, e.id as fact_id,
  exists (
    select 1 from card_values c
    where c.model_id = e.model_id and c.field = e.field and c.fact_id = e.id
  ) as on_card, e.model_id
from evidence e join models m on m.id = e.model_id
where e.field = kbuild_field(:field)
order by e.model_id, e.trust_rank, e.confidence desc, e.id"""
        + PAGED,
    },
    "conflicts_side_by_side": {
        "hide_sql": True,
        "title": "Where the sources disagree",
        "description": (
            "Every value that disagrees with the one a card shows, with both quotes and "
            "sources (dates compared at the coarser precision, sizes within 5%; one "
            "organisation's names, a release beside its paper, active parameters are not "
            "disagreements; nor is a value the table audit flags: see variants), most severe "
            "first: a primary source against the card, then two tables, then a table "
            "against a primary source." + PAGE_NOTE
        ),
        "sql": """select c.severity, c.ranked, m.name as model, c.field,
  c.card_value, c.card_source, c.card_quote as card_evidence, c.card_qualifier,
  c.other_value, c.other_source, c.other_quote as other_evidence, c.other_qualifier,
  c.card_fact_id, c.other_fact_id, c.model_id
from conflicts c join models m on m.id = c.model_id
order by c.severity, c.model_id, c.field, c.other_fact_id"""
        + PAGED,
    },
    "timeline": {
        "hide_sql": True,
        "title": "Timeline: models by date of first publication",
        "description": (
            "Every model in scope with a date, oldest first, with the kind of date (the "
            "model_scope view says which are out of scope, and why)." + PAGE_NOTE
        ),
        "sql": """select c.date, c.name as model, f.qualifier as kind_of_date, c.architecture,
  c.lab, c.params, c.arxiv_id, c.date_fact_id, c.model_id
from cards c left join facts f on f.id = c.date_fact_id
join model_scope s on s.model_id = c.model_id
where c.date is not null and s.in_scope
order by c.date, c.name collate nocase, c.model_id"""
        + PAGED,
    },
    "models_by_parameters": {
        "hide_sql": True,
        "title": "Models by parameter count",
        "description": (
            "Largest released size first; params lists every size. Models in scope only "
            "(see the model_scope view)." + PAGE_NOTE
        ),
        "sql": """select c.name as model,
  (select max(value) from json_each(c.params)) as largest,
  (select min(value) from json_each(c.params)) as smallest,
  c.params, c.date, c.lab, c.params_fact_id, c.model_id
from cards c join model_scope s on s.model_id = c.model_id
where c.params is not null and s.in_scope
order by largest desc, c.name collate nocase, c.model_id"""
        + PAGED,
    },
    "post_findings": {
        "hide_sql": True,
        "title": "A post's contradicted, malformed and unverified claims, with the evidence",
        "description": (
            "Enter (part of) a post's file name; empty shows every post. Each claim, in a "
            "card or in the prose, that the evidence contradicts, that cannot be read, or "
            "that only the card's own origin supports. The whole report, every claim "
            "grouped by model: the post's page, linked from the home page."
        ),
        "examples": [{"post": "evolution"}, {"post": ".md"}],
        "sql": """select cl.post, cl.line, cl.kind, cl.model, cl.model_id, cl.field,
  cl.text as claim,
  v.verdict, v.explanation, cl.sentence, cl.unpublished, f.quote as evidence, d.source,
  coalesce(f.url, d.final_url, d.location) as url, v.fact_id, cl.post_key
from claims cl join verdicts v on v.claim_id = cl.id
left join facts f on f.id = v.fact_id
left join documents d on d.id = f.document_id
where cl.post like '%' || :post || '%'
  and v.verdict in ('contradicted', 'malformed', 'unverified')
order by cl.post, cl.line""",
    },
    "search_evidence": {
        "hide_sql": True,
        "title": "Where a phrase occurs in the evidence",
        "description": (
            "Full-text search (as a phrase) over the quotes of every fact and over paper "
            "titles and abstracts."
        ),
        "examples": [{"phrase": "masked language model"}, {"phrase": "Common Crawl"}],
        "sql": """select 'fact' as kind, f.model_id, f.field,
  snippet(facts_fts, 1, '[', ']', '…', 16) as match, f.value, f.id as fact_id,
  f.document_id, f.url
from facts_fts join facts f on f.rowid = facts_fts.rowid
where facts_fts match '"' || replace(:phrase, '"', '""') || '"'
union all
select 'paper', p.arxiv_id, 'abstract',
  snippet(papers_fts, -1, '[', ']', '…', 16), p.title, null, p.document_id,
  'https://arxiv.org/abs/' || p.arxiv_id
from papers_fts join papers p on p.rowid = papers_fts.rowid
where papers_fts match '"' || replace(:phrase, '"', '""') || '"'""",
    },
}
