"""Extraction on a Dask cluster (the engine's own local cluster, on loopback): the same
facts as a local run, row for row; a dead worker's documents extracted again; clear
errors for a bad spec, an unreachable scheduler and workers of another kbuild."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import distributed
import pytest
from click.testing import CliRunner

from kbuild.cli import cli
from kbuild.extract import executors, runner
from kbuild.store import open_db


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of Dask's own local cluster, one thread each."""
    import logging

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
        host="127.0.0.1",
    ) as local:
        yield local


def stored(db) -> list[tuple]:
    """Every fact and extraction mark as stored, in rowid order."""
    facts = db.execute("select * from facts order by rowid").fetchall()
    marks = db.execute(
        "select document_id, extractor, context, facts from extractions order by document_id"
    ).fetchall()
    return [facts, marks]


@pytest.fixture
def corpus_copy(corpus_kb, tmp_path):
    path = tmp_path / "kb.db"
    shutil.copy(corpus_kb.db_path, path)
    return path


def test_extraction_on_a_dask_cluster_writes_the_facts_of_a_local_run_row_for_row(
    corpus_copy, cluster
):
    db = open_db(corpus_copy)
    report = runner.run(db, full=True)
    local = stored(db)
    assert report.failures == [] and len(local[0]) > 5000
    report = runner.run(db, full=True, executor=f"dask://{cluster.scheduler_address}")
    assert report.failures == []
    assert report.extracted == len(local[1])
    assert stored(db) == local


def test_a_worker_killed_mid_run_has_its_documents_extracted_again(corpus_copy, cluster):
    db = open_db(corpus_copy)
    runner.run(db, full=True)
    local = stored(db)
    client = distributed.Client(cluster.scheduler_address)
    killed = []

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                pids = client.run(os.getpid, workers=busy[:1])
                for pid in pids.values():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        report = runner.run(db, full=True, executor=f"dask://{cluster.scheduler_address}")
    finally:
        killer.join()
        client.close()
    assert killed, "no worker was busy to be killed"
    assert report.failures == []
    assert stored(db) == local
    cluster.wait_for_workers(2)


def test_a_lost_scheduler_stops_the_run_in_one_line_with_what_was_written_kept(corpus_copy):
    import logging

    db = open_db(corpus_copy)
    before = db["extractions"].count
    facts = {r[0] for r in db.execute("select id from facts")}
    own = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        dashboard_address=":0",
        silence_logs=logging.CRITICAL,
        host="127.0.0.1",
    )
    address = own.scheduler_address
    written = []

    def close_when_written() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            watcher = open_db(corpus_copy)
            done = watcher.execute(
                "select count(*) from extractions where extracted_at >= ?", [started]
            ).fetchone()[0]
            watcher.close()
            if done:
                written.append(done)
                break
            time.sleep(0.1)
        own.close()

    started = runner.utc_now()
    closer = threading.Thread(target=close_when_written)
    closer.start()
    try:
        with pytest.raises(executors.ExecutorError, match="lost the Dask scheduler"):
            runner.run(db, full=True, executor=f"dask://{address}")
    finally:
        closer.join()
    assert written, "nothing was written before the scheduler went"
    # what was written stays (a document's old facts until its new ones), the facts'
    # index whole
    assert db["extractions"].count == before
    assert {r[0] for r in db.execute("select id from facts")} == facts
    db.execute("insert into facts_fts (facts_fts, rank) values ('integrity-check', 1)")
    assert runner.run(db).failures == []


def test_extract_on_a_dask_cluster_from_the_command_line(corpus_copy, cluster):
    result = _extract_on(corpus_copy, f"dask://{cluster.scheduler_address}")
    assert result.exit_code == 0, result.output
    assert "documents extracted" in result.output


@pytest.mark.parametrize(
    "spec, said",
    [
        ("ray", "not an executor; use local, processes, dask"),
        ("dask://scheduler", "dask://HOST:PORT"),
        ("dask://:8786", "dask://HOST:PORT"),
    ],
)
def test_a_bad_executor_is_refused_before_anything_is_read(built_kb, spec, said):
    result = CliRunner().invoke(cli, ["--db", str(built_kb), "extract", "--executor", spec])
    assert result.exit_code != 0
    assert said in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_scheduler_is_said_in_one_line(built_kb, monkeypatch):
    from tests.serving import free_port

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2)
    started = time.monotonic()
    result = _extract_on(built_kb, f"dask://127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:" in result.output
    assert time.monotonic() - started < 30
    # nothing was lost: the facts of the last run are still there
    assert open_db(built_kb)["facts"].count > 0


def test_workers_of_another_kbuild_are_refused(built_kb, cluster, monkeypatch):
    monkeypatch.setattr(runner, "CODE", "another")
    result = _extract_on(built_kb, f"dask://{cluster.scheduler_address}")
    assert result.exit_code == 1
    assert "Dask workers run another kbuild" in result.output


def _extract_on(kb, executor: str):
    """`kbuild extract --full` of ``kb`` on ``executor``, as a user runs it."""
    return CliRunner().invoke(cli, ["--db", str(kb), "extract", "--full", "--executor", executor])


@pytest.fixture
def built_kb(tmp_path):
    from .extract_fixtures import small_kb

    db_path = tmp_path / "kb.db"
    kb = small_kb(db_path)
    runner.run(kb.db)
    kb.db.close()
    return db_path
