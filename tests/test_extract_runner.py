"""The extract runner: idempotent, incremental, and read-only on documents."""

from __future__ import annotations

import pytest

from kbuild import cards, lineage, model_names
from kbuild.extract import extractors, runner
from kbuild.extract import hf_docs as extract_hf_docs
from kbuild.extract import tables as extract_tables
from kbuild.extract.verify import quote_holds

from .extract_fixtures import SMALL_HF_ROBERTA, small_kb


@pytest.fixture
def kb(tmp_path):
    return small_kb(tmp_path / "kb.db")


def fact_ids(db) -> set[str]:
    return {r["id"] for r in db.query("select id from facts")}


def documents(db) -> list[dict]:
    return list(db.query("select * from documents order by id"))


def test_a_first_run_extracts_every_document(kb):
    report = runner.run(kb.db)
    assert report.documents == report.extracted == kb.db["documents"].count == 6
    assert report.failures == []
    assert report.quotes_rejected == 0
    assert report.facts_written == kb.db["facts"].count > 0
    extracted = {r["document_id"] for r in kb.db.query("select document_id from extractions")}
    assert extracted == {d["id"] for d in documents(kb.db)}


def test_every_stored_fact_holds_at_its_locator(kb):
    runner.run(kb.db)
    for fact in kb.db.query("select * from facts"):
        assert fact["locator"] and fact["locator"] != "{}"
        assert quote_holds(kb.db, fact), fact


def test_a_second_run_reads_nothing_again_and_keeps_the_same_fact_ids(kb):
    runner.run(kb.db)
    first = fact_ids(kb.db)
    changes = kb.db.conn.total_changes
    report = runner.run(kb.db)
    assert report.extracted == 0
    assert report.skipped == kb.db["documents"].count
    assert report.facts_written == 0
    assert fact_ids(kb.db) == first
    assert kb.db.conn.total_changes == changes  # nothing written: orgs and trust included


def test_each_primary_extractor_is_the_one_its_source_names():
    # the plan names extractors without loading them (kbuild.extract.extractors)
    modules = runner.Primary([]).modules
    assert {source: module.EXTRACTOR for source, module in modules.items()} == (extractors.PRIMARY)


def test_a_full_run_rewrites_the_same_facts(kb):
    runner.run(kb.db)
    first = fact_ids(kb.db)
    report = runner.run(kb.db, full=True)
    assert report.extracted == kb.db["documents"].count
    assert fact_ids(kb.db) == first


def test_documents_are_never_modified(kb):
    before = documents(kb.db)
    runner.run(kb.db)
    runner.run(kb.db, full=True)
    assert documents(kb.db) == before


def test_a_changed_document_is_the_only_one_extracted_again(kb):
    runner.run(kb.db)
    count = kb.db["documents"].count
    changed = kb.add_text(
        "hf_doc",
        "https://huggingface.co/docs/transformers/model_doc/roberta",
        SMALL_HF_ROBERTA + "\nRoBERTa was pretrained on BookCorpus and CC-News.\n",
        model_id="roberta",
        content_type="text/markdown",
    )
    assert kb.db["documents"].count == count + 1  # a new row; the old one stays
    report = runner.run(kb.db)
    assert report.extracted == 1
    assert report.skipped == count
    assert {r["document_id"] for r in kb.db.query("select document_id from extractions")} >= {
        changed["id"]
    }
    corpus = list(
        kb.db.query(
            "select * from evidence where model_id = 'roberta' and field = 'corpus' "
            "and source = 'hf_doc'"
        )
    )
    assert [c["document_id"] for c in corpus] == [changed["id"]]


def new_roberta_page(kb) -> int:
    """Store a newer version of RoBERTa's doc page; returns the older one's id."""
    old = kb.db.execute(
        "select id from documents where source = 'hf_doc' and model_id = 'roberta'"
    ).fetchone()[0]
    kb.add_text(
        "hf_doc",
        "https://huggingface.co/docs/transformers/model_doc/roberta",
        SMALL_HF_ROBERTA.replace("encoder-only", "bidirectional encoder"),
        model_id="roberta",
    )
    return old


def test_the_older_version_of_a_document_drops_out_of_the_evidence(kb):
    runner.run(kb.db)
    old = new_roberta_page(kb)
    runner.run(kb.db)
    assert kb.db.execute("select count(*) from facts where document_id = ?", [old]).fetchone()[0]
    assert not kb.db.execute(
        "select count(*) from evidence where document_id = ?", [old]
    ).fetchone()[0]


def test_a_new_tracked_model_re_reads_the_documents_that_depend_on_the_models(kb):
    runner.run(kb.db)
    kb.store.save_models(
        [{"id": "gpt-2", "name": "GPT-2", "aliases": ["GPT2"], "origin": "sources.toml"}]
    )
    report = runner.run(kb.db)
    # prose is read against every model's names; a table only against its matched rows,
    # which fetch decides (and which did not change)
    assert report.extracted == kb.db["documents"].count - 1
    assert report.skipped == 1


def test_a_table_is_read_again_when_its_rows_match_other_models(kb):
    runner.run(kb.db)
    kb.db.execute("update table_rows set model_id = null, status = 'unmatched' where row = 4")
    kb.db.conn.commit()
    report = runner.run(kb.db)
    assert report.extracted == 1
    assert not kb.db.execute(
        "select count(*) from facts where model_id = 'bloom' and document_id in "
        "(select id from documents where source = 'catalog')"
    ).fetchone()[0]


def test_a_failing_document_is_reported_and_the_rest_extracted(kb, monkeypatch):
    def broken(document, model, subject=None):
        raise ValueError("cannot read this page")

    monkeypatch.setattr(extract_hf_docs, "extract", broken)
    report = runner.run(kb.db)
    assert len(report.failures) == 1
    assert "cannot read this page" in report.failures[0]
    assert report.extracted == kb.db["documents"].count - 1


def test_a_quote_that_does_not_hold_is_dropped(kb, monkeypatch):
    real = extract_tables.extract

    def tampered(document, spec, assignments):
        facts = real(document, spec, assignments)
        facts[0].quote = "not in the document"
        return facts

    monkeypatch.setattr(extract_tables, "extract", tampered)
    report = runner.run(kb.db)
    assert report.quotes_rejected == 1
    assert not kb.db.execute(
        "select count(*) from facts where quote = 'not in the document'"
    ).fetchone()[0]


def test_source_trust_and_orgs_tables_are_written(kb):
    runner.run(kb.db)
    ranks = {
        (r["field"], r["source"]): r["rank"] for r in kb.db.query("select * from source_trust")
    }
    # primary before secondary: the paper, its record and the docs before any table
    assert ranks[("date", "arxiv")] < ranks[("date", "catalog")]
    assert ranks[("params", "pdf")] < ranks[("params", "catalog")]
    assert ranks[("lab", "pdf")] < ranks[("lab", "catalog")]
    assert max(r for (f, s), r in ranks.items() if s in ("arxiv", "hf_doc", "pdf")) < min(
        r for (f, s), r in ranks.items() if s == "catalog"
    )
    orgs = {r["alias"]: r["org"] for r in kb.db.query("select * from orgs")}
    assert orgs["Facebook AI"] == "Meta"


def facts_as_stored(db) -> list[tuple]:
    return [
        tuple(r.values())
        for r in db.query(
            "select id, model_id, field, value, normalized, locator, quote, url from facts "
            "order by id"
        )
    ]


def test_extraction_in_two_processes_writes_the_same_facts(kb):
    runner.run(kb.db)
    alone = facts_as_stored(kb.db)
    cards = list(kb.db.query("select * from card_values order by model_id, field"))
    report = runner.run(kb.db, full=True, jobs=2)
    assert report.failures == []
    assert report.extracted == kb.db["documents"].count
    assert facts_as_stored(kb.db) == alone
    assert list(kb.db.query("select * from card_values order by model_id, field")) == cards


def test_a_run_that_changed_nothing_does_not_rebuild_the_cards(kb, monkeypatch):
    runner.run(kb.db)
    built = kb.db.execute("select digest, built_at from derived").fetchall()
    # what the cards were built from and with, what the names and lineage were built from
    assert len(built) == 4

    def never(*args, **kw):
        raise AssertionError("the cards were rebuilt though nothing changed")

    monkeypatch.setattr(cards, "write", never)
    report = runner.run(kb.db)
    assert report.extracted == 0
    assert kb.db.execute("select digest, built_at from derived").fetchall() == built


def test_a_changed_model_rebuilds_the_cards(kb, monkeypatch):
    runner.run(kb.db)
    rebuilt = []
    write = cards.write
    monkeypatch.setattr(cards, "write", lambda *args, **kw: rebuilt.append(1) or write(*args, **kw))
    kb.db.execute("update models set aliases = '[\"An alias\"]' where id = 'bert'")
    runner.run(kb.db)
    assert rebuilt == [1]


def cards_as_stored(db) -> list[list]:
    return [
        list(db.execute(f"select * from {table} order by {order}"))
        for table, order in [
            ("card_values", "model_id, field"),
            ("cards", "model_id"),
            ("conflicts", "model_id, field, other_fact_id"),
        ]
    ]


def computed_for(monkeypatch) -> list:
    """What each cards computation was asked for: None for every model, or a list."""
    asked = []
    card_values = cards.card_values

    def spy(db, models=None):
        asked.append(models)
        return card_values(db, models)

    monkeypatch.setattr(cards, "card_values", spy)
    return asked


def test_a_changed_document_computes_only_its_models_cards_again(kb, monkeypatch):
    runner.run(kb.db)
    asked = computed_for(monkeypatch)
    kb.add_text(
        "hf_doc",
        "https://huggingface.co/docs/transformers/model_doc/roberta",
        SMALL_HF_ROBERTA + "\nRoBERTa was pretrained on BookCorpus and CC-News.\n",
        model_id="roberta",
        content_type="text/markdown",
    )
    runner.run(kb.db)
    assert asked == [["roberta"]]
    assert kb.db.execute("select count(*) from cards_stale").fetchone()[0] == 0
    incremental = cards_as_stored(kb.db)
    cards.write(kb.db)  # every model
    assert cards_as_stored(kb.db) == incremental


def test_cards_computed_for_changed_models_equal_cards_computed_for_all(kb, monkeypatch):
    runner.run(kb.db)
    asked = computed_for(monkeypatch)
    # a newer version of a document (the older one drops out of the evidence), a model
    # renamed, then the older version current again
    old = new_roberta_page(kb)
    kb.db.execute("update models set name = 'BERT (Google)' where id = 'bert'")
    kb.db.conn.commit()
    runner.run(kb.db)
    assert asked[-1] is not None and "roberta" in asked[-1] and "bert" in asked[-1]
    incremental = cards_as_stored(kb.db)
    cards.write(kb.db)
    assert cards_as_stored(kb.db) == incremental

    kb.db.execute(
        "update documents set last_checked_at = '2999-01-01T00:00:00Z' where id = ?", [old]
    )
    kb.db.conn.commit()
    runner.run(kb.db)
    assert asked[-1] is not None and "roberta" in asked[-1]
    incremental = cards_as_stored(kb.db)
    cards.write(kb.db)
    assert cards_as_stored(kb.db) == incremental


def test_changed_trust_computes_every_card_again(kb, monkeypatch):
    runner.run(kb.db)
    asked = computed_for(monkeypatch)
    # what `fetch` writes when sources.toml names another original for a table
    kb.db.execute("update sources set witness = 'epoch_notable' where name = 'catalog'")
    kb.db.conn.commit()
    runner.run(kb.db)
    assert asked == [None]


def test_names_and_lineage_are_built_again_only_when_what_they_read_changed(kb, monkeypatch):
    runner.run(kb.db)
    built = []
    for module in (model_names, lineage):
        write = module.write
        monkeypatch.setattr(
            module, "write", lambda db, write=write, m=module: built.append(m) or write(db)
        )
    # a doc page read again: its facts are the same, no name or parent changes
    kb.db.execute(
        "delete from extractions where document_id in "
        "(select id from documents where source = 'hf_doc' and model_id = 'roberta')"
    )
    kb.db.conn.commit()
    assert runner.run(kb.db).extracted == 1
    assert built == []
    kb.db.execute("update models set aliases = '[\"RoBERTa-base\"]' where id = 'roberta'")
    kb.db.conn.commit()
    runner.run(kb.db)
    assert built == [model_names, lineage]


def test_a_fact_written_or_removed_by_itself_recomputes_its_models_card(kb):
    runner.run(kb.db)
    # a fact of a table row goes (as when a document is read again and yields less),
    # its document staying current: only the trigger on facts says whose card changed
    fact = kb.db.execute(
        "select f.id, f.model_id, f.field from facts f join card_values c on c.fact_id = f.id "
        "where f.field = 'lab' order by f.id limit 1"
    ).fetchone()
    row = kb.db.execute("select * from facts where id = ?", [fact[0]]).fetchone()
    kb.db.execute("delete from facts where id = ?", [fact[0]])
    kb.db.conn.commit()
    built = runner.build_derived(kb.db)
    assert built and built[0] != "cards of every model"
    incremental = cards_as_stored(kb.db)
    assert (
        kb.db.execute("select count(*) from card_values where fact_id = ?", [fact[0]]).fetchone()[0]
        == 0
    )
    cards.write(kb.db)
    assert cards_as_stored(kb.db) == incremental
    # and written back: only the trigger on facts says so
    kb.db.conn.executemany(f"insert into facts values ({', '.join('?' * len(row))})", [row])
    kb.db.conn.commit()
    runner.build_derived(kb.db)
    assert (
        kb.db.execute("select count(*) from card_values where fact_id = ?", [fact[0]]).fetchone()[0]
        == 1
    )


def test_a_fact_made_suspect_recomputes_its_models_card(kb):
    runner.run(kb.db)
    # a card value one source gives, with another source stating the field too
    fact = kb.db.execute(
        "select c.fact_id, c.model_id, c.field from card_values c "
        "where (select count(*) from evidence e where e.model_id = c.model_id "
        "and e.field = c.field and e.normalized is not null "
        "and e.normalized != c.normalized) > 0 order by c.model_id, c.field limit 1"
    ).fetchone()
    assert fact is not None
    document = kb.db.execute("select document_id from facts where id = ?", [fact[0]]).fetchone()
    kb.db["anomalies"].insert(
        {
            "fact_id": fact[0],
            "document_id": document[0],
            "kind": "pasted",
            "reason": "made suspect by the test",
        }  # fmt: skip
    )
    kb.db.conn.commit()
    runner.build_derived(kb.db)
    shown = kb.db.execute(
        "select fact_id from card_values where model_id = ? and field = ?", fact[1:]
    ).fetchone()[0]
    assert shown != fact[0]
    incremental = cards_as_stored(kb.db)
    cards.write(kb.db)
    assert cards_as_stored(kb.db) == incremental


def test_facts_written_again_in_the_same_places_are_not_missed(kb):
    runner.run(kb.db)
    # the last document's facts deleted and written again: same count, same largest
    # rowid, so the digest alone would call it unchanged
    doc = kb.db.execute("select document_id from facts order by rowid desc limit 1").fetchone()[0]
    rows = kb.db.execute("select * from facts where document_id = ?", [doc]).fetchall()
    with kb.db.atomic():
        kb.db.execute("delete from facts where document_id = ?", [doc])
        marks = ", ".join("?" * len(rows[0]))
        kb.db.conn.executemany(f"insert into facts values ({marks})", rows)
    assert kb.db.execute("select count(*) from cards_stale").fetchone()[0] > 0
    assert runner.build_derived(kb.db) != []
    assert kb.db.execute("select count(*) from cards_stale").fetchone()[0] == 0


def fts_triggers(db) -> list[str]:
    return sorted(
        name
        for (name,) in db.execute(
            "select name from sqlite_master where type = 'trigger' and name like 'facts_a_'"
        )
    )


def facts_indexes(db) -> list[str]:
    return sorted(r[0] for r in db.execute("select name from pragma_index_list('facts')"))


def mark_triggers(db) -> list[str]:
    return sorted(
        name
        for (name,) in db.execute(
            "select name from sqlite_master where type = 'trigger' and name like '%_cards_a_'"
        )
    )


def test_a_large_run_writes_the_facts_index_once_and_puts_its_triggers_back(kb, monkeypatch):
    runner.run(kb.db)
    triggers = fts_triggers(kb.db)
    assert triggers == ["facts_ad", "facts_ai", "facts_au"]
    indexes = facts_indexes(kb.db)
    assert len(indexes) >= 3
    dropped = []
    monkeypatch.setattr(
        runner,
        "set_aside_indexes",
        lambda db, t, keep, s=runner.set_aside_indexes: (
            s(db, t, keep),
            dropped.append(facts_indexes(db)),
        ),
    )
    suspended = []
    monkeypatch.setattr(runner, "BULK_DOCUMENTS", 1)
    monkeypatch.setattr(
        runner.text_index,
        "suspend",
        lambda db, t, s=runner.text_index.suspend: (suspended.append(t), s(db, t)),
    )
    runner.run(kb.db, full=True)
    assert suspended == ["facts"]
    # while it wrote, the facts had only the index its deletes look rows up by
    assert dropped == [["idx_facts_document_id", "sqlite_autoindex_facts_1"]]
    assert fts_triggers(kb.db) == triggers
    # the cards' stale marks were set aside too, and are back, and the facts' indexes
    assert mark_triggers(kb.db) == sorted(runner.text_index.MARK_TRIGGERS)
    assert facts_indexes(kb.db) == indexes
    assert kb.db["suspended_indexes"].count == 0
    # FTS5's own check (rank 1: against the table): the index holds exactly its rows
    kb.db.execute("insert into facts_fts (facts_fts, rank) values ('integrity-check', 1)")
    hits = kb.db.execute(
        "select count(*) from facts_fts where facts_fts match 'parameters OR roberta'"
    ).fetchone()[0]
    assert hits > 0


def test_an_extract_killed_with_the_index_suspended_is_repaired_by_the_next(kb):
    from kbuild import text_index

    runner.run(kb.db)
    text_index.suspend(kb.db, "facts")
    # what a killed run leaves: facts changed, the index not
    kb.db.execute("delete from facts where rowid in (select rowid from facts limit 5)")
    kb.db.execute("update facts set quote = quote || ' again' where rowid % 2 = 0")
    with pytest.raises(Exception, match="malformed"):
        kb.db.execute("insert into facts_fts (facts_fts, rank) values ('integrity-check', 1)")
    runner.run(kb.db)
    assert fts_triggers(kb.db) == ["facts_ad", "facts_ai", "facts_au"]
    kb.db.execute("insert into facts_fts (facts_fts, rank) values ('integrity-check', 1)")


def test_an_extract_killed_with_the_stale_marks_and_indexes_set_aside_is_made_whole_by_the_next(kb):
    from kbuild import text_index

    runner.run(kb.db)
    models = kb.db["models"].count
    indexes = facts_indexes(kb.db)
    text_index.suspend_marks(kb.db)
    runner.set_aside_indexes(kb.db, "facts", keep=["document_id"])
    # what a killed run leaves: facts changed, no card marked, indexes dropped
    kb.db.execute("delete from facts where rowid in (select rowid from facts limit 5)")
    assert kb.db["cards_stale"].count == 0
    assert mark_triggers(kb.db) == []
    assert len(facts_indexes(kb.db)) < len(indexes)
    report = runner.run(kb.db)
    assert f"cards of {models} models" in report.built
    assert mark_triggers(kb.db) == sorted(text_index.MARK_TRIGGERS)
    assert facts_indexes(kb.db) == indexes
    assert kb.db["suspended_indexes"].count == 0
    # the marks work again: a fact changed now marks its model
    kb.db.execute("update facts set confidence = 0.4 where rowid = (select min(rowid) from facts)")
    assert kb.db["cards_stale"].count == 1


def test_a_large_run_that_fails_leaves_the_facts_index_whole(kb, monkeypatch):
    from kbuild.extract import executors

    runner.run(kb.db)
    monkeypatch.setattr(runner, "BULK_DOCUMENTS", 1)

    def broken(self, pending):
        raise executors.ExecutorError("the workers went away")

    indexes = facts_indexes(kb.db)
    monkeypatch.setattr(executors.Executor, "gather", broken)
    with pytest.raises(executors.ExecutorError, match="went away"):
        runner.run(kb.db, full=True)
    assert fts_triggers(kb.db) == ["facts_ad", "facts_ai", "facts_au"]
    assert facts_indexes(kb.db) == indexes
    assert mark_triggers(kb.db) == sorted(runner.text_index.MARK_TRIGGERS)
    assert kb.db["suspended_indexes"].count == 0
    kb.db.execute("insert into facts_fts (facts_fts, rank) values ('integrity-check', 1)")


def test_a_run_collects_cycles_less_often_and_puts_the_collector_back(kb, monkeypatch):
    import gc

    before = gc.get_threshold()
    seen = []
    real = runner._run
    monkeypatch.setattr(
        runner,
        "_run",
        lambda db, **options: (seen.append(gc.get_threshold()), real(db, **options))[1],
    )
    report = runner.run(kb.db)
    assert report.extracted > 0
    assert seen[0][0] >= 10_000 and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before


def test_a_build_killed_between_the_cards_and_the_names_leaves_the_explorer_rows_to_the_next(
    kb, monkeypatch
):
    runner.run(kb.db)
    # a licence restated in place (the same rows: no count or rowid changes)
    kb.db.execute("update facts set normalized = 'MIT' where field = 'license'")
    model_id = kb.db.execute("select model_id from facts where field = 'license'").fetchone()[0]

    def killed(db):
        raise KeyboardInterrupt

    # (a full build makes the explorer's rows with the names, after the cards)
    monkeypatch.setattr(runner.model_names, "write", killed)
    with pytest.raises(KeyboardInterrupt):
        runner.build_derived(kb.db, full=True)
    monkeypatch.undo()
    assert "model_names" in runner.build_derived(kb.db)
    card = kb.db.execute("select license from cards where model_id = ?", [model_id]).fetchone()
    shown = kb.db.execute("select license from explore_rows where model_id = ?", [model_id])
    assert card[0] == "MIT"
    assert shown.fetchone()[0] == "MIT"
