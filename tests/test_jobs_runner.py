"""Incremental runs: only new content is read, renames and copies are free, vanished files are reported, the ledger
is regenerated from the store, and the same job twice changes nothing. Failures leave the store intact."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from jobhelpers import einvoice, ledger_numbers, make_job, number, write_invoices
from sqlalchemy import event

from office_agent.batch import run_batch
from office_agent.generate.ledger import write_ledger
from office_agent.jobs import runner as runner_mod
from office_agent.jobs import stream as stream_mod
from office_agent.jobs.errors import OutputError, StoreError
from office_agent.jobs.runner import run_job
from office_agent.jobs.seen import StoreSeenIndex
from office_agent.jobs.store import Store
from office_agent.jobs.transfer import export_lines
from office_agent.jobs.work import CHANGED, VANISHED, FileTask, process_task


def _store(job: Any) -> Store:
    return Store.open(job.store_url)


def _snapshot(job: Any) -> list[dict[str, Any]]:
    with _store(job) as st:
        return [line for line in export_lines(st) if line["kind"] not in ("store", "run")]


def test_first_run_reads_every_file_and_writes_the_ledger(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    made = write_invoices(inbox, 0, 6)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    job = make_job(tmp_path)
    report = run_job(job)
    assert report.counts["new"] == 7 and report.counts["invoices_read"] == 6
    assert sorted(ledger_numbers(job.output)) == sorted(made)
    assert report.ledger["failed"] == 1 and report.exit_code() == 1
    with _store(job) as st:
        assert st.stats()["contents"] == 7 and st.stats()["invoices"] == 6
        assert st.check_integrity() == "ok"


def test_same_job_twice_changes_nothing(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 5)
    job = make_job(tmp_path)
    first = run_job(job)
    assert first.exit_code() == 0 and first.ledger_written
    before = _snapshot(job)
    stamps = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in job.output.glob("ledger.*")}
    second = run_job(job)
    assert second.counts == {"scanned": 5, "unchanged": 5, "vanished": 0}
    assert not second.ledger_written and second.exit_code() == 0
    assert _snapshot(job) == before
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in job.output.glob("ledger.*")} == stamps


def test_rename_copy_and_touch_are_not_new_work(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    made = write_invoices(inbox, 0, 4)
    job = make_job(tmp_path)
    run_job(job)
    paths = sorted(made.values())
    renamed = inbox / "sub" / "renamed.xml"
    renamed.parent.mkdir()
    paths[0].rename(renamed)
    shutil.copy(paths[1], inbox / "copy-of-1.xml")
    os.utime(paths[2], ns=(1_000_000_000, 1_000_000_000))
    report = run_job(job)
    assert report.counts.get("new", 0) == 0 and "reread" not in report.counts
    assert report.renamed == [(str(paths[0]), str(renamed))]
    assert report.copies == [str(inbox / "copy-of-1.xml")]
    assert report.counts["touched"] == 1 and report.vanished == [str(paths[0])]
    with _store(job) as st:
        assert st.stats()["contents"] == 4
    rows = [json.loads(x) for x in (job.output / "ledger.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and str(renamed) in {r["source"] for r in rows}  # shown under its new name, once


def test_vanished_files_are_reported_and_kept_unless_the_job_drops_them(tmp_path: Path) -> None:
    made = write_invoices(tmp_path / "inbox", 0, 3)
    job = make_job(tmp_path)
    run_job(job)
    gone = made[number(1)]
    gone.unlink()
    report = run_job(job)
    assert report.vanished == [str(gone)] and report.counts["vanished"] == 1
    rows = {r["invoice_number"]: r for r in map(json.loads, (job.output / "ledger.jsonl").read_text().splitlines())}
    assert number(1) in rows and any("no longer in the inputs" in w for w in rows[number(1)]["warnings"])
    assert run_job(job).vanished == []  # reported once
    dropping = make_job(tmp_path, options={"vanished": "drop"})
    run_job(dropping)
    assert sorted(ledger_numbers(job.output)) == [number(0), number(2)]


def test_changed_content_replaces_the_old_records(tmp_path: Path) -> None:
    made = write_invoices(tmp_path / "inbox", 0, 2)
    job = make_job(tmp_path)
    run_job(job)
    made[number(0)].write_bytes(einvoice(number(77), "321.00"))
    report = run_job(job)
    assert report.counts["changed"] == 1 and report.changed_files == [str(made[number(0)])]
    assert sorted(ledger_numbers(job.output)) == [number(1), number(77)]


def test_a_resubmission_in_a_later_run_is_a_duplicate_of_the_first(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = inbox / "a.xml"
    first.write_bytes(einvoice(number(5), "106.00"))
    job = make_job(tmp_path)
    run_job(job)
    (inbox / "z-again.xml").write_bytes(einvoice(number(5), "106.00", remark="downloaded again"))
    report = run_job(job)
    assert report.counts["new"] == 1 and report.ledger["duplicates"] == 1
    rows = [json.loads(x) for x in (job.output / "ledger.jsonl").read_text().splitlines()]
    dup = next(r for r in rows if r["source"].endswith("z-again.xml"))
    assert dup["duplicate_of"]["source"] == str(first)
    with _store(job) as st:
        seen = StoreSeenIndex(st).first_seen(("no", "", number(5)))
        assert seen is not None and seen[0] == str(first)
        assert StoreSeenIndex(st).first_seen(("no", "", number(999))) is None


def test_ledger_matches_the_one_shot_ledger_command(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_invoices(inbox, 0, 6)
    (inbox / "dup.xml").write_bytes(einvoice(number(2), "102.00", remark="again"))
    job = make_job(tmp_path)
    run_job(job)
    one_shot = tmp_path / "one-shot"
    write_ledger(run_batch([inbox], workers=1), one_shot)

    def key(out: Path) -> list[tuple[Any, ...]]:
        rows = [json.loads(x) for x in (out / "ledger.jsonl").read_text().splitlines()]
        return sorted(
            (r["source"], r["invoice_number"], r["total_amount"], r["status"], bool(r["duplicate_of"])) for r in rows
        )

    assert key(job.output) == key(one_shot)


def test_changed_settings_read_the_files_again(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 3)
    run_job(make_job(tmp_path))
    report = run_job(make_job(tmp_path, company={"name": "上海乙有限公司", "tax_id": "91310115MA1H9HD02E"}))
    assert report.counts["reread"] == 3
    assert run_job(make_job(tmp_path)).counts["reread"] == 3  # and back


def test_a_file_that_changes_while_it_is_read_is_retried_next_run(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(einvoice(number(1), "10.00"))
    st = path.stat()
    task = FileTask(str(path), "0" * 64, st.st_size, st.st_mtime_ns)  # the coordinator hashed other bytes
    assert process_task(task).problem == CHANGED
    path.unlink()
    outcome = process_task(task)
    assert outcome.problem == VANISHED and outcome.vanished


def test_changing_file_leaves_no_trace_and_is_read_on_the_next_run(tmp_path: Path, monkeypatch: Any) -> None:
    made = write_invoices(tmp_path / "inbox", 0, 3)
    job = make_job(tmp_path)
    real = runner_mod.hash_file
    victim = str(made[number(1)])

    def stale(path: str) -> tuple[str, int, int]:
        sha, size, mtime = real(path)
        return ("f" * 64 if path == victim else sha), size, mtime

    monkeypatch.setattr(runner_mod, "hash_file", stale)
    report = run_job(job)
    assert report.problems == [(victim, CHANGED)] and report.exit_code() == 1
    assert sorted(ledger_numbers(job.output)) == [number(0), number(2)]
    monkeypatch.setattr(runner_mod, "hash_file", real)
    again = run_job(job)
    assert again.counts["new"] == 1 and again.exit_code() == 0
    assert sorted(ledger_numbers(job.output)) == sorted(made)


def test_disk_full_while_writing_the_ledger_keeps_the_store(tmp_path: Path, monkeypatch: Any) -> None:
    write_invoices(tmp_path / "inbox", 0, 4)
    job = make_job(tmp_path)

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(stream_mod, "write_ledger_rows", full)
    with pytest.raises(OutputError, match=r"No space left on device.*store is intact"):
        run_job(job)
    with _store(job) as st:
        assert st.check_integrity() == "ok" and st.stats()["invoices"] == 4
        assert st.runs()[-1]["status"] == "failed"
    monkeypatch.undo()
    report = run_job(job)  # nothing read twice; the ledger is written now
    assert report.counts["unchanged"] == 4 and report.ledger_written
    assert len(ledger_numbers(job.output)) == 4


def test_a_full_store_stops_the_run_with_a_clear_error_and_stays_intact(tmp_path: Path, monkeypatch: Any) -> None:
    inbox = tmp_path / "inbox"
    write_invoices(inbox, 0, 3)
    job = make_job(tmp_path)
    run_job(job)
    write_invoices(inbox, 100, 400)
    real_open = Store.open

    def tiny(url: Any) -> Store:  # SQLite's own "database or disk is full", at the current size
        store = real_open(url)

        @event.listens_for(store.engine, "connect")
        def _cap(dbapi_conn: Any, record: Any) -> None:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

        store.engine.dispose()
        return store

    monkeypatch.setattr(runner_mod.Store, "open", staticmethod(tiny))
    with pytest.raises(StoreError, match="full"):
        run_job(job)
    monkeypatch.undo()
    with _store(job) as st:
        assert st.check_integrity() == "ok"
        saved = st.stats()["contents"]
    report = run_job(job)
    assert report.counts["new"] == 403 - saved
    assert len(ledger_numbers(job.output)) == 403


def test_zip_members_are_one_content_and_their_records_come_back(tmp_path: Path) -> None:
    import zipfile

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "bundle.zip", "w") as zf:
        zf.writestr("a.xml", einvoice(number(1), "10.00"))
        zf.writestr("b.xml", einvoice(number(2), "20.00"))
        zf.writestr("junk.bin", b"\x00\x01 nothing")
    job = make_job(tmp_path)
    report = run_job(job)
    assert report.counts["new"] == 1 and report.counts["invoices_read"] == 2
    rows = [json.loads(x) for x in (job.output / "ledger.jsonl").read_text().splitlines()]
    assert {r["source"] for r in rows} == {
        f"{inbox}/bundle.zip!a.xml",
        f"{inbox}/bundle.zip!b.xml",
        f"{inbox}/bundle.zip!junk.bin",
    }
    (inbox / "bundle.zip").rename(inbox / "renamed.zip")
    run_job(job)
    rows = [json.loads(x) for x in (job.output / "ledger.jsonl").read_text().splitlines()]
    assert f"{inbox}/renamed.zip!a.xml" in {r["source"] for r in rows}


def test_the_jobs_company_and_period_reach_the_checks(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 2)  # made out to 上海乙有限公司, issued 2025-03-04
    ours = make_job(tmp_path, company={"name": "上海乙有限公司", "tax_id": "91310115MA1H9HD02E"}, period="2025-03")
    run_job(ours)
    checks = {
        c["name"]: c["passed"] for c in json.loads((ours.output / "ledger.jsonl").read_text().split("\n")[0])["checks"]
    }
    assert checks["buyer_is_company"] is True
    theirs = make_job(tmp_path, company={"name": "别的公司", "tax_id": "91110000100000000X"})
    report = run_job(theirs)
    assert report.counts["reread"] == 2 and report.ledger["partial"] == 2
    rec = json.loads((theirs.output / "ledger.jsonl").read_text().split("\n")[0])
    assert {c["name"]: c["passed"] for c in rec["checks"]}["buyer_is_company"] is False
