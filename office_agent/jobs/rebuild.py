"""The ledger, regenerated from the store: every file's stored records, in the order they were first seen, through
the same batch step as ``office-agent ledger`` (bundles merged, repeats marked, red invoices linked).

The store keeps each file's own records (before merging), so the ledger is a function of the store: the same
store gives the same ledger, a file that arrives tomorrow merges with its bundle from today, and a re-submission
months later is marked ``duplicate_of`` the first one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from office_agent.extract.bundle import SeenIndex, deduplicate
from office_agent.jobs.store import ContentInfo, FileRow, Store
from office_agent.models import DocFormat, ErrorInfo, FileResult, Invoice, Status
from office_agent.settings import Settings

_FIELDS = set(Invoice.model_fields)


def invoice_from_record(rec: dict[str, Any]) -> Invoice:
    """An output-contract record back into the model (the inverse of ``generate.records.invoice_record``)."""
    data = {k: v for k, v in rec.items() if k in _FIELDS and v is not None}
    data["errors"] = [_error(e) for e in rec.get("errors") or []]
    return Invoice.model_validate(data)


def _error(text: str | dict[str, str]) -> ErrorInfo:
    if isinstance(text, dict):
        return ErrorInfo.model_validate(text)
    stage, sep, message = text.partition(": ")
    return ErrorInfo(stage=stage, message=message) if sep else ErrorInfo(stage="extract", message=text)


@dataclass(frozen=True)
class Entry:
    """One content in the ledger: the path it is shown under, and whether that file is gone."""

    path: str
    sha256: str
    first_run: int
    vanished_run: int | None
    base: str = ""  # the path the content was read from: its stored sources are relative to it


@dataclass(frozen=True)
class LedgerPlan:
    entries: list[Entry]
    unreadable: list[FileRow]
    refused: list[FileResult]
    digest: str  # changes whenever the ledger would


def plan_ledger(
    rows: Iterable[FileRow], info: dict[str, ContentInfo], keep_vanished: bool, refused: list[FileResult],
    config_digest: str,
) -> LedgerPlan:  # fmt: skip
    """Which contents the ledger shows, under which path, in which order; and a digest of all that."""
    by_sha: dict[str, list[FileRow]] = {}
    unreadable: list[FileRow] = []
    for r in rows:
        if r.state == "unreadable":
            unreadable.append(r)
        elif r.sha256 is not None and r.sha256 in info and (r.state == "present" or keep_vanished):
            by_sha.setdefault(r.sha256, []).append(r)
    entries = []
    for sha, group in by_sha.items():
        present = [r for r in group if r.state == "present"]
        shown = min(present or group, key=lambda r: (r.first_run, r.path))
        first = min(r.first_run for r in group)
        entries.append(Entry(shown.path, sha, first, None if present else shown.vanished_run, info[sha].first_path))
    entries.sort(key=lambda e: (e.first_run, e.path))
    unreadable.sort(key=lambda r: r.path)
    h = hashlib.sha256(config_digest.encode())
    for e in entries:
        h.update(f"{e.path}\0{e.sha256}\0{e.vanished_run}\0{info[e.sha256].run_id}\n".encode())
    for r in unreadable:
        h.update(f"u\0{r.path}\0{r.reason}\n".encode())
    for f in refused:
        h.update(f"r\0{f.source}\0{f.reason}\n".encode())
    return LedgerPlan(entries, unreadable, refused, h.hexdigest())


def build_result(
    store: Store, plan: LedgerPlan, settings: Settings | None = None, seen: SeenIndex | None = None
) -> tuple[list[FileResult], list[Invoice]]:
    """Files and (deduplicated) invoices of the ledger described by ``plan``, all in memory.

    The reference the streaming rebuild (:mod:`office_agent.jobs.stream`) is tested against, and a way to get a
    :class:`BatchResult` of a store in a notebook; a run writes its ledger with the streaming rebuild, whose memory
    does not grow with the store."""
    wanted = {e.sha256 for e in plan.entries}
    records: dict[str, list[tuple[int, Invoice]]] = {}
    for row in store.iter_invoice_rows():
        if row.content_sha256 in wanted:
            records.setdefault(row.content_sha256, []).append(
                (row.result_ordinal, invoice_from_record(json.loads(row.record)))
            )
    results = store.results_by_content()
    files: list[FileResult] = []
    invoices: list[Invoice] = []
    for e in plan.entries:
        files.extend(file_result(e, r) for r in results.get(e.sha256, []))
        for _, inv in records.get(e.sha256, []):
            invoices.append(placed(inv, e))
    for u in plan.unreadable:
        files.append(unreadable_result(u))
    files.extend(plan.refused)
    return files, deduplicate(invoices, settings, seen)


def file_result(e: Entry, r: Any) -> FileResult:
    """A stored result row as the :class:`FileResult` of the file ``e`` shows it under."""
    return FileResult(
        source=e.path + r["member"],
        sha256=r["sha256"],
        format=DocFormat(r["format"]),
        status=Status(r["status"]),
        reason=r["reason"],
    )


def unreadable_result(u: FileRow) -> FileResult:
    return FileResult(source=u.path, sha256=u.sha256, status=Status.FAILED, reason=u.reason)


def placed(inv: Invoice, e: Entry) -> Invoice:
    """A stored record moved to the path its content is shown under, with a warning when that file is gone."""
    inv.source = _moved(inv.source, e.base, e.path)
    inv.sources = [_moved(s, e.base, e.path) for s in inv.sources]
    if e.vanished_run is not None:
        inv.warnings.append(f"the file is no longer in the inputs (gone since run {e.vanished_run})")
    return inv


def _moved(source: str, old: str, new: str) -> str:
    if source == old or source.startswith(old + "!"):
        return new + source[len(old) :]
    return source
