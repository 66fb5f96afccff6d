"""The ledger rebuilt from the store in bounded memory, however many invoices the store holds.

The same ledger as :func:`office_agent.jobs.rebuild.build_result` followed by ``write_ledger`` (the tests compare
the two cell by cell), made in two passes over the store instead of with every record in memory:

1. **Keys.** Every stored record is read once and reduced to a :class:`Key`: the few fields the batch step and the
   ledger's order look at (identity, format, number, date, category, total, kind, status, source). Records that
   share an identity (a bundle's PDF + OFD + XML, a file submitted twice) are merged right away, a group at a
   time, with the batch step's own code (``extract.bundle.resolve_number_group``), so their keys are those of the
   merged records. Red invoices are paired with the blue ones they reverse, and trip tables with the invoice they
   support, over the keys (``red_pairs``, ``supporting_pairs``: the functions ``deduplicate`` uses). The keys
   are then filtered and sorted into the ledger's order (``select_rows``, shared with ``build_view``).
2. **Rows.** The records are read again, a batch of ids at a time in the ledger's order, rebuilt as invoices
   (a bundle merged again), given their links, and streamed to the writer (a write-only workbook, the CSV and
   the JSONL), which keeps nothing per row but a few counters.

What stays in memory is a key per record (a few hundred bytes), the problem files, and one batch of invoices.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from office_agent.corrections import Correction, CorrectionError, Kind, apply_to_record
from office_agent.extract.bundle import group_key, link_blue, link_red, red_pairs, resolve_number_group
from office_agent.extract.supporting import mark_supported, mark_trip, supporting_pairs
from office_agent.generate.ledger import FORMATS, LedgerFrame, write_ledger_rows
from office_agent.generate.ledger_view import (
    LedgerOptions,
    ReviewItem,
    Row,
    RowFields,
    file_review,
    invoice_review,
    select_rows,
    undated_review,
)
from office_agent.jobs.rebuild import Entry, LedgerPlan, file_result, invoice_from_record, placed, unreadable_result
from office_agent.jobs.report import summary_of
from office_agent.jobs.store import Store
from office_agent.models import ErrorInfo, FileResult, Invoice, Status
from office_agent.settings import Settings

BATCH = 256  # invoices rebuilt per read of the store in pass 2
RECORD_KINDS = (Kind.SET, Kind.NOT_REIMBURSABLE, Kind.REIMBURSABLE)  # applied to each record as it is read


@dataclass(slots=True, eq=False, kw_only=True)
class Key(RowFields):
    """One record of the ledger, reduced to what deduplication, linking and ordering look at: the fields that
    choose and order its row (:class:`RowFields`), and those of red-invoice and trip-table linking."""

    ids: tuple[int, ...]  # the stored rows it is made of: one, or every member of its identity group
    copy: int  # which copy of the group (0: the first occurrence; more: a repeat, marked duplicate_of)
    sha256: str
    is_red: bool
    invoice_number: str | None
    original_invoice_number: str | None
    total_amount: Decimal | None


def key_of(inv: Invoice, ids: tuple[int, ...], copy: int = 0) -> Key:
    return Key(
        inv.source, inv.page, inv.issue_date, inv.category, inv.status, inv.invoice_kind, inv.duplicate_of,
        inv.not_reimbursable, ids=ids, copy=copy, sha256=inv.sha256, is_red=inv.is_red,
        invoice_number=inv.invoice_number, original_invoice_number=inv.original_invoice_number,
        total_amount=inv.total_amount,
    )  # fmt: skip


@dataclass
class _Links:
    """The batch step's links, decided over the keys, applied to each invoice as it is rebuilt."""

    red: dict[int, Key | None] = field(default_factory=dict)  # id(red key) → the blue key it reverses
    blue: dict[int, list[Key]] = field(default_factory=dict)  # id(blue key) → the red keys against it
    trip: dict[int, Key | None] = field(default_factory=dict)  # id(trip key) → the key it supports
    supported: dict[int, Key] = field(default_factory=dict)  # id(key) → the trip table supporting it

    @classmethod
    def of(cls, keys: Sequence[Key]) -> _Links:
        links = cls()
        for red, blue in red_pairs(keys):
            links.red[id(red)] = blue
            if blue is not None:
                links.blue.setdefault(id(blue), []).append(red)
        for trip, match in supporting_pairs(keys):
            links.trip[id(trip)] = match
            if match is not None:
                links.supported[id(match)] = trip
        return links

    def apply(self, key: Key, inv: Invoice) -> None:
        """In ``deduplicate``'s order: red links (both sides), then trip tables."""
        for red in self.blue.get(id(key), []):
            link_blue(inv, red)
        if id(key) in self.red:
            link_red(inv, self.red[id(key)])
        if id(key) in self.trip:
            mark_trip(inv, self.trip[id(key)])
        if id(key) in self.supported:
            mark_supported(inv, self.supported[id(key)])


class _Reader:
    """Stored records back as placed invoices (moved to the path they are shown under)."""

    def __init__(
        self, store: Store, plan: LedgerPlan, settings: Settings | None, corrections: Sequence[Correction] = ()
    ) -> None:
        self.store, self.settings = store, settings
        self.entries: dict[str, tuple[int, Entry]] = {e.sha256: (i, e) for i, e in enumerate(plan.entries)}
        self.fixes: dict[str, list[Correction]] = {}  # a content's record-level corrections, in file order
        self.used: set[str] = set()  # the contents (files, archive members) whose records had corrections
        self.merged: dict[str, Correction] = {}  # the second record of a "these two are one invoice", by content
        for c in corrections:
            if c.kind in RECORD_KINDS and c.target.part == 1:
                self.fixes.setdefault(c.target.sha256, []).append(c)
            elif c.kind == Kind.MERGE and c.other is not None:
                self.merged[c.other.sha256] = c

    def invoice(self, sha: str, record: str) -> Invoice:
        inv = placed(invoice_from_record(json.loads(record)), self.entries[sha][1])
        same = self.merged.get(inv.sha256)
        if same is not None and same.other is not None and same.other.page in (None, inv.page):
            self.used.add(inv.sha256)  # shown as the duplicate of the record it is the same invoice as
            inv.duplicate_of = {"source": same.target.source, "sha256": same.target.sha256}
        fixes = [c for c in self.fixes.get(inv.sha256, ()) if c.target.page in (None, inv.page)]
        if fixes:
            self.used.add(inv.sha256)
            try:
                apply_to_record(inv, fixes, self.settings)
            except CorrectionError as exc:  # the file was edited by hand into a bad value: flagged, never dropped
                inv.errors.append(ErrorInfo(stage="correct", message=f"a correction could not be applied: {exc}"))
                inv.status = Status.PARTIAL if inv.status == Status.OK else inv.status
        return inv

    def load(self, ids: Sequence[int]) -> dict[int, Invoice]:
        return {i: self.invoice(sha, rec) for i, (sha, rec) in self.store.invoice_records(ids).items()}

    def group(self, ids: tuple[int, ...], got: dict[int, Invoice]) -> list[tuple[Invoice, list[Invoice]]]:
        """The merged copies of an identity group (its members in input order)."""
        return resolve_number_group([got[i] for i in ids], self.settings)

    def build(self, key: Key, got: dict[int, Invoice]) -> Invoice:
        if len(key.ids) == 1:
            return got[key.ids[0]]
        return self.group(key.ids, {i: got[i].model_copy(deep=True) for i in key.ids})[key.copy][0]


def _identity(inv: Invoice) -> bytes | None:
    """A 16-byte digest of the record's group key, as ``merge_and_mark`` groups (it leaves failed records alone)."""
    ident = group_key(inv)
    if ident is None or inv.status == Status.FAILED:
        return None
    return hashlib.blake2b(json.dumps(ident, ensure_ascii=False).encode(), digest_size=16).digest()


def collect_keys(reader: _Reader) -> list[Key]:
    """Pass 1: a key per record of the batch step's output, in its order (bundles merged, repeats marked)."""
    placed_keys: list[tuple[tuple[int, int, int], Key, bytes | None]] = []
    for row in reader.store.iter_invoice_rows():
        where = reader.entries.get(row.content_sha256)
        if where is None:
            continue
        inv = reader.invoice(row.content_sha256, row.record)
        placed_keys.append(((where[0], row.result_ordinal, row.ordinal), key_of(inv, (row.id,)), _identity(inv)))
    placed_keys.sort(key=lambda k: k[0])
    keys: list[Key | None] = [k for _, k, _ in placed_keys]
    first: dict[bytes, int] = {}
    groups: dict[int, list[int]] = {}  # first index → every index with that identity (groups of two or more)
    for i, (_, _, ident) in enumerate(placed_keys):
        if ident is not None:
            j = first.setdefault(ident, i)
            if j != i:
                groups.setdefault(j, [j]).append(i)
    del placed_keys, first
    for members in groups.values():
        _merge(reader, keys, members)
    return [k for k in keys if k is not None]


def _merge(reader: _Reader, keys: list[Key | None], members: list[int]) -> None:
    """Replace a group's keys by those of its merged copies, each at its primary's place; drop the absorbed."""
    ids = tuple(keys[i].ids[0] for i in members)  # type: ignore[union-attr]
    got = reader.load(ids)
    place = {id(got[row_id]): i for row_id, i in zip(ids, members, strict=True)}
    for copy, (primary, absorbed) in enumerate(reader.group(ids, got)):
        keys[place[id(primary)]] = key_of(primary, ids, copy)
        for a in absorbed:
            keys[place[id(a)]] = None


@dataclass
class _Files:
    """The file results of the ledger: counted as they stream by, only the problem ones kept."""

    count: int = 0
    by_status: dict[str, tuple[tuple[int, int], int]] = field(default_factory=dict)  # status → (first place, n)
    problems: list[tuple[tuple[int, int], FileResult]] = field(default_factory=list)

    def add(self, place: tuple[int, int], f: FileResult) -> None:
        self.count += 1
        first, n = self.by_status.get(f.status.value, (place, 0))
        self.by_status[f.status.value] = (min(first, place), n + 1)
        if f.status in (Status.FAILED, Status.SKIPPED):
            self.problems.append((place, f))

    @classmethod
    def of(cls, reader: _Reader, plan: LedgerPlan) -> _Files:
        files = cls()
        for r in reader.store.iter_results():
            where = reader.entries.get(r.content_sha256)
            if where is not None:
                files.add((where[0], r.ordinal), file_result(where[1], r._mapping))
        end = len(plan.entries)
        for n, u in enumerate(plan.unreadable):
            files.add((end, n), unreadable_result(u))
        for n, f in enumerate(plan.refused):
            files.add((end + 1, n), f)
        files.problems.sort(key=lambda p: p[0])
        return files

    def status_counts(self) -> dict[str, int]:
        return {s: n for s, (_, n) in sorted(self.by_status.items(), key=lambda kv: kv[1][0])}


def correction_review(plan: LedgerPlan, corrections: Sequence[Correction], used: set[str]) -> list[ReviewItem]:
    """The job's corrections whose file changed (not applied) or is gone (not applied; or, when the job keeps
    vanished files, applied to the stored record, which says so)."""
    shown = {e.sha256 for e in plan.entries} | used
    gone = {e.sha256: e.vanished_run for e in plan.entries if e.vanished_run is not None}
    at_path = {e.path for e in plan.entries if e.vanished_run is None}
    items = []
    for c in corrections:
        t = c.target
        what = f"{c.kind.value}{' ' + c.field if c.field else ''} by {c.by} {c.at:%Y-%m-%d}"
        if t.sha256 in gone:
            why = f"the file is gone since run {gone[t.sha256]} ({what}); kept on the stored record"
        elif c.kind == Kind.SPLIT:
            why = f"a split ({what}) is applied by ledger, report and review, not by scheduled runs yet"
        elif t.sha256 in shown:
            continue
        elif t.source in at_path:
            why = f"the file changed since it was corrected ({what}); not applied"
        else:
            why = f"the file is gone ({what}); not applied"
        items.append(ReviewItem("correction", t.source, f"{t.source}: {why}", sha256=t.sha256))
    return items


def _rows(
    reader: _Reader, chosen: list[tuple[Key, str | None, bool]], links: _Links, options: LedgerOptions
) -> Iterator[Row]:
    """Pass 2: the ledger's rows in its order, rebuilt a batch of ids at a time."""
    for start in range(0, len(chosen), BATCH):
        part = chosen[start : start + BATCH]
        got = reader.load([i for key, _, _ in part for i in key.ids])
        for key, group, counted in part:
            inv = reader.build(key, got)
            links.apply(key, inv)
            yield Row(inv, group, counted, tuple(invoice_review(inv, options)))


def write_store_ledger(
    store: Store, plan: LedgerPlan, out_dir: Path, *, settings: Settings | None = None,
    options: LedgerOptions | None = None, source_root: Path | None = None, formats: Sequence[str] = FORMATS,
    corrections: Sequence[Correction] = (),
) -> tuple[dict[str, Path], dict[str, Any]]:  # fmt: skip
    """Write the ledger of ``plan`` from ``store`` into ``out_dir``; returns format → path and the ledger's
    summary (``jobs.report.summary_of``). ``corrections``: the job's ``corrections.jsonl`` (its record-level
    ones are applied to each record as it is read; those whose file changed or is gone are listed for review)."""
    opts = options or LedgerOptions()
    reader = _Reader(store, plan, settings, corrections)
    keys = collect_keys(reader)
    links = _Links.of(keys)
    chosen = select_rows(keys, opts)
    files = _Files.of(reader, plan)
    problems = [f for _, f in files.problems]
    undated = [
        undated_review(reader.build(k, reader.load(k.ids)), opts.lang) for k in chosen.undated
    ]  # only with a date filter: records without a date, listed for review
    frame = LedgerFrame(
        options=opts,
        files=files.count,
        problem_files=problems,
        lead_review=[*file_review(problems, opts.lang), *correction_review(plan, corrections, reader.used), *undated],
        filtered_out=chosen.filtered_out,
    )
    paths = write_ledger_rows(frame, _rows(reader, chosen.rows, links, opts), out_dir, source_root, formats)
    counts = {
        "files": files.count,
        "invoices": len(keys),
        "duplicates": sum(1 for k in keys if k.duplicate_of),
        **files.status_counts(),
    }
    return paths, summary_of(counts, problems, bool(keys))
