"""The store as JSONL, out and back in, so a user's history is never locked inside the tool (or one database).

One JSON object per line, each with a ``kind``: first ``store`` (schema version, when, by which version), then
every ``run``, ``file``, ``content`` (with its ``results``) and ``invoice`` (with its contract ``record`` as an
object, not a string). Export streams, so a store of any size exports in flat memory.

Import adds what the target store does not have: contents and files it already knows are left alone, runs get
new ids (every reference is remapped). Importing the same export twice changes nothing the second time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import StatementError

from office_agent import __version__
from office_agent.jobs.errors import StoreError
from office_agent.jobs.lock import RunLock
from office_agent.jobs.schema import SCHEMA_VERSION, contents, files, invoices, results, runs
from office_agent.jobs.store import Store, utcnow

log = logging.getLogger(__name__)


def export_lines(store: Store) -> Iterator[dict[str, Any]]:
    yield {
        "kind": "store",
        "schema_version": store.schema_version(),
        "exported_at": utcnow(),
        "office_agent": __version__,
    }
    with store.reading() as conn:
        streamed = conn.execution_options(yield_per=1000)
        for r in streamed.execute(select(runs).order_by(runs.c.id)):
            row = dict(r._mapping)
            row["counts"] = json.loads(row["counts"]) if row["counts"] else None
            yield {"kind": "run", **row}
        for r in streamed.execute(select(files).order_by(files.c.path)):
            yield {"kind": "file", **r._mapping}
        per_content: dict[str, list[dict[str, Any]]] = {}
        for r in streamed.execute(select(results).order_by(results.c.content_sha256, results.c.ordinal)):
            row = dict(r._mapping)
            per_content.setdefault(row.pop("content_sha256"), []).append(row)
        for r in streamed.execute(select(contents).order_by(contents.c.sha256)):
            yield {"kind": "content", **r._mapping, "results": per_content.get(r.sha256, [])}
        query = select(invoices).order_by(invoices.c.content_sha256, invoices.c.result_ordinal, invoices.c.ordinal)
        for r in streamed.execute(query):
            row = dict(r._mapping)
            row.pop("id")
            row["record"] = json.loads(row["record"])
            yield {"kind": "invoice", **row}


def export_jsonl(store: Store, fh: IO[str]) -> int:
    """Write the store to ``fh``; returns the number of lines."""
    n = 0
    for line in export_lines(store):
        fh.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def _lines(fh: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in enumerate(fh, 1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or "kind" not in obj:
            raise StoreError(f"line {number}: not a store export line (no 'kind')")
        yield number, obj


def import_jsonl(store: Store, fh: IO[str]) -> dict[str, int]:
    """Add an export to ``store`` in one transaction (all or nothing). Returns what was added, by kind."""
    added = {"run": 0, "file": 0, "content": 0, "invoice": 0}
    run_ids: dict[int, int] = {}
    with RunLock(store), store.transaction() as conn:
        known_contents = set(conn.execute(select(contents.c.sha256)).scalars())
        new_contents: set[str] = set()
        known_files = set(conn.execute(select(files.c.path)).scalars())
        pending_invoices: list[dict[str, Any]] = []
        for number, obj in _lines(fh):
            kind = obj.pop("kind")
            try:
                if kind == "store":
                    _check_version(obj, number)
                elif kind == "run":
                    old_id = int(obj.pop("id"))
                    run_ids[old_id], new = _add_run(conn, obj)
                    added["run"] += new
                elif kind == "file" and obj["path"] not in known_files:
                    conn.execute(
                        files.insert().values(**_remap(obj, run_ids, "first_run", "changed_run", "vanished_run"))
                    )
                    known_files.add(obj["path"])
                    added["file"] += 1
                elif kind == "content" and obj["sha256"] not in known_contents:
                    _add_content(conn, _remap(obj, run_ids, "run_id"))
                    known_contents.add(obj["sha256"])
                    new_contents.add(obj["sha256"])
                    added["content"] += 1
                elif kind == "invoice" and obj["content_sha256"] in new_contents:
                    obj["record"] = json.dumps(obj["record"], ensure_ascii=False)
                    pending_invoices.append(_remap(obj, run_ids, "run_id"))
                    if len(pending_invoices) >= 1000:
                        added["invoice"] += _flush(conn, pending_invoices)
            except (KeyError, TypeError, ValueError, StatementError) as exc:
                why = str(exc.orig) if isinstance(exc, StatementError) else str(exc)
                raise StoreError(f"line {number}: a {kind} line that does not fit the store ({why})") from exc
        added["invoice"] += _flush(conn, pending_invoices)
    log.info("imported %s into %s", added, store.url)
    return added


def _check_version(obj: dict[str, Any], number: int) -> None:
    version = int(obj.get("schema_version", 0))
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"line {number}: the export has schema version {version}, newer than this office-agent knows "
            f"({SCHEMA_VERSION}): import it with a newer office-agent"
        )


def _add_run(conn: Connection, obj: dict[str, Any]) -> tuple[int, bool]:
    """The id of this run here: an existing identical run (an earlier import of the same export), or a new row."""
    same = conn.execute(
        select(runs.c.id).where(
            runs.c.job == obj["job"],
            runs.c.started_at == obj["started_at"],
            runs.c.host == obj["host"],
            runs.c.pid == obj["pid"],
        )
    ).scalar()
    if same is not None:
        return int(same), False
    counts = obj.get("counts")
    obj["counts"] = json.dumps(counts) if counts is not None else None
    return int(conn.execute(runs.insert().values(**obj).returning(runs.c.id)).scalar_one()), True


def _add_content(conn: Connection, obj: dict[str, Any]) -> None:
    rows = obj.pop("results", [])
    conn.execute(contents.insert().values(**obj))
    if rows:
        conn.execute(results.insert(), [{"content_sha256": obj["sha256"], **r} for r in rows])


def _flush(conn: Connection, rows: list[dict[str, Any]]) -> int:
    n = len(rows)
    if rows:
        conn.execute(invoices.insert(), rows)
        rows.clear()
    return n


def _remap(obj: dict[str, Any], run_ids: dict[int, int], *keys: str) -> dict[str, Any]:
    """Run ids of the export → the ids those runs got here (an id the export did not carry is kept as is)."""
    for key in keys:
        value = obj.get(key)
        if value is not None:
            obj[key] = run_ids.get(int(value), int(value))
    return obj
