"""The same store on a real PostgreSQL server (``$OFFICE_AGENT_TEST_PG_URL``, or a throwaway cluster the fixture
starts with initdb/pg_ctl): incremental runs, the lock, export from SQLite and import into PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from jobhelpers import ledger_numbers, make_job, number, pg_server, pg_url, write_invoices  # noqa: F401

from office_agent.jobs.errors import JobLocked
from office_agent.jobs.lock import RunLock
from office_agent.jobs.runner import run_job
from office_agent.jobs.schema import SCHEMA_VERSION
from office_agent.jobs.seen import StoreSeenIndex
from office_agent.jobs.store import Store
from office_agent.jobs.transfer import export_jsonl, export_lines, import_jsonl


def test_runs_on_postgresql_are_incremental(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    inbox = tmp_path / "inbox"
    made = write_invoices(inbox, 0, 8)
    job = make_job(tmp_path, store=pg_url)
    first = run_job(job)
    assert first.counts["new"] == 8 and sorted(ledger_numbers(job.output)) == sorted(made)
    made[number(3)].rename(inbox / "moved.xml")
    second = run_job(job)
    assert second.counts.get("new", 0) == 0 and second.counts["renamed"] == 1
    with Store.open(pg_url) as store:
        assert store.dialect == "postgresql" and store.schema_version() == SCHEMA_VERSION
        assert store.stats()["invoices"] == 8
        seen = StoreSeenIndex(store).first_seen(("no", "", number(3)))
        assert seen is not None and seen[0] == str(inbox / "moved.xml")


def test_the_lock_works_on_postgresql(pg_url: str) -> None:  # noqa: F811
    with Store.open(pg_url) as store, RunLock(store), pytest.raises(JobLocked):
        RunLock(store).acquire()


def test_export_from_sqlite_imports_into_postgresql(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    write_invoices(tmp_path / "inbox", 0, 5)
    job = make_job(tmp_path)
    run_job(job)
    buf = io.StringIO()
    with Store.open(job.store_url) as sqlite_store:
        export_jsonl(sqlite_store, buf)
    with Store.open(pg_url) as pg:
        added = import_jsonl(pg, io.StringIO(buf.getvalue()))
        assert added == {"run": 1, "file": 5, "content": 5, "invoice": 5}
        assert import_jsonl(pg, io.StringIO(buf.getvalue())) == {"run": 0, "file": 0, "content": 0, "invoice": 0}
        back = [x for x in export_lines(pg) if x["kind"] in ("file", "content", "invoice")]
    original = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert back == [x for x in original if x["kind"] in ("file", "content", "invoice")]
    # and a job pointed at the PostgreSQL copy has nothing left to read
    moved = make_job(tmp_path, store=pg_url, output=str(tmp_path / "pg-out"))
    report = run_job(moved)
    assert report.counts == {"scanned": 5, "unchanged": 5, "vanished": 0}
    assert len(ledger_numbers(moved.output)) == 5
