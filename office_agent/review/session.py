"""A review session: the batch read once, the corrections file applied over it, and every save rebuilding the
ledger. The web page (:mod:`office_agent.review.app`) is a thin layer over this class; a notebook can use it too.

The batch as read is kept untouched (``base``); what is shown is ``base`` with the corrections applied, made
again after every save, so a page always shows exactly what the next ``office-agent ledger`` run would write.
Records are named by a stable id (the file's sha256, the page, and a counter for records that share both), so a
correction that re-sorts the list (a date) never makes an id point at another invoice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath

from office_agent.corrections import (
    CorrectionError,
    CorrectionReport,
    add_corrections,
    corrected_copy,
    corrections_path,
    load_corrections,
    set_field,
)
from office_agent.errors import OfficeAgentError
from office_agent.generate.ledger import write_ledger
from office_agent.generate.ledger_view import LedgerOptions, LedgerView, Row, build_view, flagged_fields, group_of
from office_agent.models import BatchResult, Invoice, Status
from office_agent.settings import Settings

STATUSES = ("review", "ok", "all")  # the status filter: needs review, fine, everything


@dataclass(frozen=True)
class Filters:
    status: str = "all"
    category: str = ""
    person: str = ""

    @classmethod
    def parse(cls, status: str | None, category: str | None, person: str | None) -> Filters:
        return cls(status if status in STATUSES else "all", (category or "")[:100], (person or "")[:200])


@dataclass
class Entry:
    """One row of the review list."""

    id: str
    row: Row
    person: str | None

    @property
    def needs_review(self) -> bool:
        return bool(self.row.review)


@dataclass
class Saved:
    """What a save did: the corrections written, and how long it took (the ledger follows in the background)."""

    ids: list[str]
    seconds: float


class LedgerWriter:
    """Rewrites the ledger after saves, in a thread of its own, so a save answers as soon as the corrections file
    is written and the list rebuilt. Saves that come while a ledger is being written are folded into the next
    one; every file is replaced atomically, so the ledger on disk is always one whole ledger. A failure (a full
    disk) is kept in ``error`` and shown on the page; the next save tries again."""

    def __init__(self, session: ReviewSession) -> None:
        self.session = session
        self.cond = threading.Condition()
        self.wanted = self.done = 0
        self.error: str | None = None
        self.seconds: float | None = None  # how long the last ledger took, all of it
        self.text_seconds: float | None = None  # … until ledger.csv and ledger.jsonl were written (before the xlsx)
        self.written_at: float | None = None
        self.thread = threading.Thread(target=self._loop, name="review-ledger", daemon=True)
        self.thread.start()

    def request(self) -> int:
        with self.cond:
            self.wanted += 1
            self.cond.notify_all()
            return self.wanted

    def wait(self, timeout: float | None = None) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.done >= self.wanted, timeout)

    @property
    def pending(self) -> bool:
        return self.done < self.wanted

    def _loop(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.wanted > self.done)
                target = self.wanted
            t0 = time.perf_counter()
            try:  # the CSV and JSONL first (a fraction of the time), then the workbook
                self.session.write_ledger(("csv", "jsonl"))
                self.text_seconds = time.perf_counter() - t0
                self.session.write_ledger(("xlsx",))
                self.error = None
            except (OSError, OfficeAgentError) as exc:
                self.error = str(exc)
            with self.cond:
                self.seconds, self.written_at = time.perf_counter() - t0, time.time()
                self.done = target
                self.cond.notify_all()


@dataclass
class ReviewSession:
    base: BatchResult
    out: Path
    settings: Settings | None = None
    options: LedgerOptions = field(default_factory=LedgerOptions)
    source_root: Path | None = None
    entries: list[Entry] = field(default_factory=list)
    by_id: dict[str, Entry] = field(default_factory=dict)
    view: LedgerView | None = None
    report: CorrectionReport = field(default_factory=CorrectionReport)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ledger: LedgerWriter | None = None

    def __post_init__(self) -> None:
        self.refresh()
        self.ledger = LedgerWriter(self)

    # -- building what is shown ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Apply the corrections file to a copy of the batch and rebuild the list (needs review first)."""
        result, self.report = corrected_copy(self.base, load_corrections(corrections_path(self.out)), self.settings)
        self.result = result
        self.view = build_view(result, self.options)
        roots = [PurePath(p) for p in self.options.inputs]
        seen: dict[tuple[str, int], int] = {}
        entries = []
        for row in self.view.rows:
            inv = row.invoice
            n = seen[(inv.sha256, inv.page)] = seen.get((inv.sha256, inv.page), 0) + 1
            ident = f"{inv.sha256[:16]}-{inv.page}" + (f"-{n}" if n > 1 else "")
            entries.append(Entry(ident, row, group_of(inv.source, roots) if roots else None))
        entries.sort(key=lambda e: not e.needs_review)  # stable: the ledger's order within each half
        self.entries = entries
        self.by_id = {e.id: e for e in entries}

    def rows(self, filters: Filters) -> list[Entry]:
        out = []
        for e in self.entries:
            if (filters.status == "review" and not e.needs_review) or (filters.status == "ok" and e.needs_review):
                continue
            if filters.category and (e.row.invoice.category or "") != filters.category:
                continue
            if filters.person and (e.person or "") != filters.person:
                continue
            out.append(e)
        return out

    def categories(self) -> list[str]:
        return sorted({e.row.invoice.category for e in self.entries if e.row.invoice.category})

    def people(self) -> list[str]:
        return sorted({e.person for e in self.entries if e.person})

    def counted_total(self) -> Decimal:
        return sum(
            (e.row.invoice.total_amount for e in self.entries if e.row.counted and e.row.invoice.total_amount),
            Decimal(0),
        )

    def neighbours(self, ident: str, filters: Filters) -> tuple[str | None, str | None]:
        ids = [e.id for e in self.rows(filters)]
        if ident not in ids:
            return (ids[0] if ids else None), None
        i = ids.index(ident)
        return (ids[i - 1] if i else None), (ids[i + 1] if i + 1 < len(ids) else None)

    # -- saving --------------------------------------------------------------------------------------------------

    def entry(self, ident: str) -> Entry:
        found = self.by_id.get(ident)
        if found is None:
            raise KeyError(ident)
        return found

    def correct(self, ident: str, values: dict[str, str], by: str | None = None) -> Saved:
        """Save ``values`` (field → text) for the record ``ident``, rebuild what is shown and the ledger.
        :class:`KeyError` for an unknown id, :class:`CorrectionError` for a bad field or value (nothing saved)."""
        with self.lock:
            t0 = time.perf_counter()
            inv = self.entry(ident).row.invoice
            made = [set_field(inv, k, v, by=by, part=_part(inv, self.entries, ident)) for k, v in values.items()]
            if not made:
                raise CorrectionError("nothing to save")
            add_corrections(corrections_path(self.out), made)
            return self._rebuilt(ident, t0)

    def accept(self, ident: str, by: str | None = None) -> Saved:
        """A person checked the record: every flagged field is confirmed with the value it has (provenance
        ``manual``), so what was only low-confidence leaves the review list; a failed sum stays until corrected."""
        with self.lock:
            t0 = time.perf_counter()
            entry = self.entry(ident)
            inv = entry.row.invoice
            names = [n for n in flagged_fields(entry.row.review) if _confirmable(inv, n)]
            made = [set_field(inv, n, _text(getattr(inv, n)), by=by) for n in names]
            if made:
                add_corrections(corrections_path(self.out), made)
            return self._rebuilt(ident, t0)

    def _rebuilt(self, ident: str, t0: float) -> Saved:
        self.refresh()
        if self.ledger is not None:
            self.ledger.request()
        return Saved([ident], time.perf_counter() - t0)

    def write_ledger(self, formats: Sequence[str] = ("xlsx", "csv", "jsonl")) -> dict[str, Path]:
        """Write the ledger of what is shown now (in this thread)."""
        return write_ledger(self.result, self.out, self.source_root, options=self.options, formats=formats)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the ledger on disk has every saved correction; False on ``timeout``."""
        return self.ledger.wait(timeout) if self.ledger is not None else True

    @property
    def problem_files(self) -> int:
        return len(self.view.problem_files) if self.view else 0

    def failed_files(self) -> list[str]:
        return [f.source for f in self.result.files if f.status == Status.FAILED]


def _part(inv: Invoice, entries: Sequence[Entry], ident: str) -> int:
    """Part 2 for the second record of a split (same file and page), else 1."""
    return 2 if ident.count("-") >= 2 and ident.rsplit("-", 1)[-1] == "2" else 1


def _confirmable(inv: Invoice, name: str) -> bool:
    from office_agent.corrections import CORRECTABLE

    return name in CORRECTABLE and getattr(inv, name) is not None


def _text(value: object) -> str:
    from office_agent.corrections.model import as_text

    return as_text(value) or ""
