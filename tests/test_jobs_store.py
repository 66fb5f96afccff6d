"""The store itself: SQLite in WAL mode, schema versions and migrations, JSONL export/import, and the records it
keeps turning back into the same invoices."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from jobhelpers import einvoice, make_job, number, write_invoices
from sqlalchemy import Connection, inspect, text

from office_agent.extract.chain import blob_from_path
from office_agent.generate.records import invoice_record
from office_agent.jobs import store as store_mod
from office_agent.jobs.errors import StoreError
from office_agent.jobs.rebuild import invoice_from_record
from office_agent.jobs.runner import run_job
from office_agent.jobs.schema import MIGRATIONS, SCHEMA_VERSION, Migration, meta
from office_agent.jobs.store import Store, normalize_url
from office_agent.jobs.transfer import export_jsonl, export_lines, import_jsonl
from office_agent.models import Alternative, Check, ErrorInfo, Invoice, Provenance, Source, Status


def test_sqlite_store_is_in_wal_mode_with_the_current_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "deep" / "s.sqlite") as store:
        assert store.schema_version() == SCHEMA_VERSION
        with store.reading() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert {"files", "contents", "results", "invoices", "runs", "locks", "meta"} <= set(
                inspect(conn).get_table_names()
            )
    with Store.open(f"sqlite:///{tmp_path}/deep/s.sqlite") as again:  # reopening migrates nothing
        assert again.schema_version() == SCHEMA_VERSION


def test_urls() -> None:
    assert normalize_url("/a/b.sqlite") == "sqlite:////a/b.sqlite"
    assert normalize_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalize_url("postgres://u@h/db").startswith("postgresql+psycopg://")
    with pytest.raises(StoreError, match="no database driver"):
        Store.open("mysql+nosuchdriver://u@h/db")


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store, store.transaction() as conn:
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value="99"))
    with pytest.raises(StoreError, match="schema version 99, newer"):
        Store.open(tmp_path / "s.sqlite")


def test_pending_migrations_are_applied_in_order(tmp_path: Path, monkeypatch: Any) -> None:
    Store.open(tmp_path / "s.sqlite").close()  # a version-1 store

    def v2(conn: Connection) -> None:
        conn.execute(text("ALTER TABLE contents ADD COLUMN note TEXT"))

    monkeypatch.setattr(store_mod, "MIGRATIONS", [*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "a note", v2)])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store.open(tmp_path / "s.sqlite") as store:
        assert store.schema_version() == SCHEMA_VERSION + 1
        with store.reading() as conn:
            assert "note" in {c["name"] for c in inspect(conn).get_columns("contents")}


def test_export_and_import_round_trip(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_invoices(inbox, 0, 4)
    (inbox / "bad.pdf").write_bytes(b"%PDF-1.4 nothing")
    job = make_job(tmp_path)
    run_job(job)
    (inbox / "inv00001.xml").unlink()
    run_job(job)
    buf = io.StringIO()
    with Store.open(job.store_url) as src:
        n = export_jsonl(src, buf)
        original = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert n == len(original) and original[0]["kind"] == "store"
    with Store.open(tmp_path / "copy.sqlite") as dst:
        assert import_jsonl(dst, io.StringIO(buf.getvalue())) == {"run": 2, "file": 5, "content": 5, "invoice": 4}
        copied = list(export_lines(dst))

    def comparable(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x for x in lines if x["kind"] not in ("store",)]

    assert comparable(copied) == comparable(original)


def test_import_errors_name_the_line(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(StoreError, match="line 2: not JSON"):
            import_jsonl(store, io.StringIO('{"kind": "store", "schema_version": 1}\n{oops\n'))
        with pytest.raises(StoreError, match="line 1: the export has schema version 42"):
            import_jsonl(store, io.StringIO('{"kind": "store", "schema_version": 42}\n'))
        with pytest.raises(StoreError, match="line 1: a content line that does not fit"):
            import_jsonl(store, io.StringIO('{"kind": "content", "sha256": "x"}\n'))
        assert store.stats()["contents"] == 0  # all or nothing


def test_a_stored_record_turns_back_into_the_same_invoice(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(einvoice(number(1), "106.00"))
    from office_agent.batch import process_blob

    [inv] = process_blob(blob_from_path(path)).invoices
    inv.errors.append(ErrorInfo(stage="validate", message="something: with a colon"))
    inv.checks.append(Check(name="x", passed=False, detail="d"))
    inv.provenance["seller_name"] = Provenance(source=Source.TEXT, page=1, bbox=(1.0, 2.0, 3.0, 4.5), confidence=0.5)
    inv.add_alternative("seller_name", Alternative(value="别的", source=Source.QR, origin="b.pdf", reason="poorer"))
    inv.duplicate_of = {"source": "x.xml", "sha256": "0" * 64}
    inv.status = Status.PARTIAL
    record = invoice_record(inv)
    back = invoice_from_record(json.loads(json.dumps(record)))
    assert invoice_record(back) == record
    assert back.errors[-1] == ErrorInfo(stage="validate", message="something: with a colon")
    assert isinstance(back, Invoice) and back.provenance["seller_name"].bbox == (1.0, 2.0, 3.0, 4.5)
