"""What a worker does with one file of a job (in a local pool process or on a Dask worker): read it, make sure it
is still the content the coordinator hashed, run it through the per-file chain, and hand back plain rows.

This module imports no database code: it is what a Dask worker needs and nothing more. Rows are made here, in the
workers, so the coordinator only writes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from office_agent.batch import process_blob
from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import InputError
from office_agent.generate.records import invoice_record
from office_agent.ingest.sources import InputFile, expand, read_file
from office_agent.models import DocFormat, FileResult, Invoice, Status
from office_agent.settings import Settings


@dataclass(frozen=True)
class FileTask:
    """One file to read: where, and what the coordinator saw when it hashed it."""

    path: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class InvoiceRow:
    member: str  # "" or "!inner/x.pdf": the record's source relative to the file
    sha256: str
    page: int | None
    identity: str | None
    invoice_kind: str | None
    invoice_code: str | None
    invoice_number: str | None
    issue_date: str | None
    seller_name: str | None
    seller_tax_id: str | None
    buyer_tax_id: str | None
    total_amount: str | None
    status: str
    record: str  # JSON of the output-contract record

    def columns(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class ResultRow:
    member: str
    sha256: str | None
    format: str
    status: str
    reason: str | None
    invoices: list[InvoiceRow] = field(default_factory=list)


@dataclass
class FileOutcome:
    """What became of one task. ``problem`` set: nothing is stored for the file and the next run tries again."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    results: list[ResultRow] = field(default_factory=list)
    problem: str | None = None
    vanished: bool = False
    seconds: float = 0.0

    @property
    def format(self) -> str:
        if len(self.results) == 1 and not self.results[0].member:
            return self.results[0].format
        return DocFormat.ZIP.value if self.results else DocFormat.UNKNOWN.value

    @property
    def status(self) -> str:
        """The file's status: ok when every part is; failed when nothing gave an invoice; partial otherwise."""
        statuses = {r.status for r in self.results}
        if not statuses or statuses == {Status.OK.value}:
            return Status.OK.value
        if not any(r.invoices for r in self.results):
            return Status.SKIPPED.value if statuses == {Status.SKIPPED.value} else Status.FAILED.value
        return Status.PARTIAL.value


def identity_key(inv: Invoice) -> str | None:
    key = inv.identity()
    return json.dumps(list(key), ensure_ascii=False) if key is not None else None


def invoice_row(inv: Invoice, base: str) -> InvoiceRow:
    rec = invoice_record(inv)
    return InvoiceRow(
        member=inv.source[len(base) :] if inv.source.startswith(base) else inv.source,
        sha256=inv.sha256,
        page=inv.page,
        identity=identity_key(inv),
        invoice_kind=rec["invoice_kind"],
        invoice_code=inv.invoice_code,
        invoice_number=inv.invoice_number,
        issue_date=rec["issue_date"],
        seller_name=inv.seller_name,
        seller_tax_id=inv.seller_tax_id,
        buyer_tax_id=inv.buyer_tax_id,
        total_amount=rec["total_amount"],
        status=inv.status.value,
        record=json.dumps(rec, ensure_ascii=False),
    )


def result_row(result: FileResult, base: str) -> ResultRow:
    member = result.source[len(base) :] if result.source.startswith(base) else result.source
    return ResultRow(
        member=member,
        sha256=result.sha256,
        format=result.format.value,
        status=result.status.value,
        reason=result.reason,
        invoices=[invoice_row(i, base) for i in result.invoices],
    )


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


CHANGED = "the file changed while it was read (still being written?): it is read again on the next run"
VANISHED = "the file disappeared before it could be read"


def process_task(task: FileTask, limits: Limits = DEFAULT_LIMITS, settings: Settings | None = None) -> FileOutcome:
    """Read one file and run it through the chain. Never raises: a problem is in the outcome."""
    t0 = time.perf_counter()
    out = FileOutcome(task.path, task.sha256, task.size, task.mtime_ns)
    path = Path(task.path)
    before = _stat(path)
    if before is None:
        out.problem, out.vanished = VANISHED, True
        return out
    try:
        data = read_file(InputFile(path, task.path), limits)
    except InputError as exc:
        after = _stat(path)
        if after is None:
            out.problem, out.vanished = VANISHED, True
        elif after != before or before != (task.size, task.mtime_ns):
            out.problem = CHANGED
        else:  # a property of this content (too large…): stored as failed, not retried every night
            out.results = [ResultRow("", task.sha256, DocFormat.UNKNOWN.value, Status.FAILED.value, str(exc))]
        return out
    after = _stat(path)
    if after is None:
        out.problem, out.vanished = VANISHED, True
        return out
    if after != before or hashlib.sha256(data).hexdigest() != task.sha256:
        out.problem = CHANGED
        return out
    for entry in expand(task.path, data, limits):
        result = entry if isinstance(entry, FileResult) else process_blob(entry, limits, settings)
        out.results.append(result_row(result, task.path))
    out.seconds = time.perf_counter() - t0
    return out


def process_chunk(tasks: list[FileTask], limits: Limits, settings: Settings | None) -> list[FileOutcome]:
    """The unit of work sent to a pool process or a Dask worker."""
    return [process_task(t, limits, settings) for t in tasks]


def hash_file(path: str, chunk: int = 1 << 20) -> tuple[str, int, int]:
    """sha256, size and mtime of a file, read in chunks (memory stays flat for large scans)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        before = os.fstat(fh.fileno())
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest(), before.st_size, before.st_mtime_ns
