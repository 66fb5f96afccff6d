"""The ledger rebuilt from the store in bounded memory is the ledger the in-memory batch step gives.

A store is filled with every case the batch step handles (a bundle merged across formats, the same invoice
submitted again, a red invoice and its blue one, a trip table and the invoice it supports, a failed, a skipped
and an unreadable file, a vanished file, a copy under a second path, undated and low-confidence records, text
that looks like a formula, two people's folders), then its ledger is written both ways and compared cell by cell,
style by style, and byte for byte for the CSV and the JSONL. Small batches make pass 2 cross batch boundaries in
the middle of a bundle group.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from ledger_builders import make_invoice
from openpyxl import load_workbook

from office_agent.generate.ledger import write_ledger
from office_agent.generate.ledger_view import LedgerOptions
from office_agent.jobs import stream as stream_mod
from office_agent.jobs.rebuild import build_result, plan_ledger
from office_agent.jobs.store import FileRow, Store
from office_agent.jobs.stream import write_store_ledger
from office_agent.jobs.work import FileOutcome, ResultRow, invoice_row
from office_agent.models import BatchResult, DocFormat, Invoice, InvoiceKind, Status

STAMP = dt.datetime(2025, 6, 1, 12, 0, 0)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class StoreBuilder:
    """Contents, their records and file rows, written to a store as the runner would write them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outcomes: list[FileOutcome] = []
        self.files: list[FileRow] = []

    def content(self, rel: str, parts: list[tuple[str, DocFormat, Status, list[Invoice]]], **row: Any) -> str:
        """A file at ``rel`` whose results are ``parts`` (member, format, status, invoices); returns its sha."""
        path = str(self.root / rel)
        sha = _sha(rel)
        results = []
        for member, fmt, status, invoices in parts:
            for inv in invoices:
                inv.source, inv.sha256, inv.format = path + member, _sha(rel + member), fmt
                inv.sources = [inv.source]
            reason = None if status in (Status.OK, Status.PARTIAL) else f"{status.value}: cannot read {member}"
            rows = [invoice_row(inv, path) for inv in invoices]
            results.append(ResultRow(member, _sha(rel + member), fmt.value, status.value, reason, rows))
        self.outcomes.append(FileOutcome(path, sha, 100, 1, results))
        self.file(rel, sha, **row)
        return sha

    def file(self, rel: str, sha: str | None, state: str = "present", first_run: int = 1, **kw: Any) -> None:
        path = self.root / rel
        if state == "present":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x")  # so the ledger links to it
        row = FileRow(str(path), sha, 100, 1, state, kw.get("reason"), first_run, first_run, kw.get("vanished_run"))
        self.files.append(row)

    def save(self, store: Store) -> None:
        run = store.start_run("test", "local")
        with store.transaction() as conn:
            store.save_contents(conn, self.outcomes, run, "digest")
            store.put_files(conn, self.files, known=())


def _inv(number: str, total: str, **kw: Any) -> Invoice:
    return make_invoice(number, total, **kw)


def _fill(b: StoreBuilder) -> None:
    xml, pdf, ofd = DocFormat.XML, DocFormat.PDF, DocFormat.OFD
    ok = Status.OK
    bundle_no, blue_no = "25000000000000000001", "25000000000000000002"
    # a portal bundle: the same invoice as XML and PDF in one ZIP (merged, the XML richer)
    pdf_copy = _inv(bundle_no, "106.00", seller="从PDF读的名字", date=None)
    b.content("alice/bundle.zip", [("!x.xml", xml, ok, [_inv(bundle_no, "106.00")]), ("!x.pdf", pdf, ok, [pdf_copy])])
    # … submitted again later as another XML (a second copy, marked duplicate_of the first) and as a PDF whose date
    # disagrees: one number, two dates, so two invoices and a conflict to review, in the store's ledger as in memory
    b.content("bob/again.pdf", [("", pdf, ok, [_inv(bundle_no, "106.00", date="2025-03-05")])], first_run=2)
    b.content("bob/again.xml", [("", xml, ok, [_inv(bundle_no, "106.00")])], first_run=2)
    b.content("alice/blue.ofd", [("", ofd, ok, [_inv(blue_no, "212.00", category="交通")])])
    red = _inv("25000000000000000003", "-212.00", red=True, category="交通")
    red.original_invoice_number = blue_no
    orphan = _inv("25000000000000000004", "-50.00", red=True)
    orphan.original_invoice_number = "25999999999999999999"
    b.content("bob/red.xml", [("", xml, ok, [red, orphan])])
    trip = _inv("", "86.50", category="交通")
    trip.invoice_kind, trip.invoice_number = InvoiceKind.RIDE_ITINERARY, None
    b.content("bob/didi/trips.pdf", [("", pdf, ok, [trip])])
    b.content("bob/didi/invoice.pdf", [("", pdf, ok, [_inv("25000000000000000005", "86.50", category="交通")])])
    b.content("bob/other.pdf", [("", pdf, ok, [_inv("25000000000000000006", "86.50", category="交通")])])
    # review cases: a failed check, low confidence, no date, text that would be a formula, no category
    checks = [
        _inv("25000000000000000007", "10.00", failed_check="items_sum", confidence=0.3),
        _inv("25000000000000000008", "20.00", date=None, seller='=HYPERLINK("http://x")'),
        _inv("25000000000000000009", "30.00", category=None, date="2024-12-31"),
    ]
    b.content("alice/review.pdf", [("", pdf, Status.PARTIAL, checks)])
    b.content("alice/broken.pdf", [("", pdf, Status.FAILED, [])])
    b.content("alice/scan.png", [("", DocFormat.IMAGE, Status.SKIPPED, [])])
    b.file("alice/unreadable.pdf", None, state="unreadable", reason="cannot be read (Permission denied)")
    b.content("bob/gone.xml", [("", xml, ok, [_inv("25000000000000000010", "40.00")])], state="vanished")
    b.files[-1] = dataclasses.replace(b.files[-1], vanished_run=3)
    copy = b.content("alice/copy/b.xml", [("", xml, ok, [_inv("25000000000000000011", "50.00")])])
    b.file("alice/copy/a.xml", copy, first_run=1)  # the same content under a second name, shown under it
    for i in range(40):  # enough rows for several batches of pass 2
        person = "alice" if i % 3 else "bob"
        month = 1 + i % 5
        inv = _inv(f"2500000000000000{100 + i:04d}", f"{10 + i}.00", date=f"2025-{month:02d}-{1 + i % 27:02d}")
        b.content(f"{person}/many/{i:03d}.xml", [("", xml, ok, [inv])], first_run=1 + i % 3)


def _styles(c: Any) -> tuple[Any, ...]:
    font, fill = c.font, c.fill
    link = c.hyperlink.target if c.hyperlink is not None else None
    return (
        c.value, c.data_type, c.number_format, bool(font.b), bool(font.i), bool(font.strike),
        font.color.rgb if font.color is not None else None, fill.fgColor.rgb if fill.fill_type else None,
        c.alignment.wrap_text, link,
    )  # fmt: skip


def _sheet(ws: Any) -> dict[str, Any]:
    return {
        "cells": {c.coordinate: _styles(c) for r in ws.iter_rows() for c in r if c.has_style or c.value is not None},
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
        "charts": len(ws._charts),
        "tab": ws.sheet_properties.tabColor.rgb if ws.sheet_properties.tabColor is not None else None,
    }


def _assert_same(a: Path, b: Path) -> None:
    wa, wb = load_workbook(a / "ledger.xlsx"), load_workbook(b / "ledger.xlsx")
    assert wa.sheetnames == wb.sheetnames
    for name in wa.sheetnames:
        sa, sb = _sheet(wa[name]), _sheet(wb[name])
        for key in sa:
            assert sa[key] == sb[key], (name, key)
    for name in ("ledger.csv", "ledger.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


OPTIONS = [
    LedgerOptions(generated_at=STAMP),
    LedgerOptions(generated_at=STAMP, lang="en", group_by="person"),
    LedgerOptions(generated_at=STAMP, year=2025, categories=("餐饮",)),
    LedgerOptions(generated_at=STAMP, groups=("bob",), date_from=dt.date(2025, 2, 1)),
]


@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "en-grouped", "year-category", "person-from"])
def test_streamed_ledger_is_the_in_memory_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: LedgerOptions
) -> None:
    monkeypatch.setattr(stream_mod, "BATCH", 7)
    builder = StoreBuilder(tmp_path / "inbox")
    _fill(builder)
    with Store.open(tmp_path / "store.sqlite") as store:
        builder.save(store)
        plan = plan_ledger(store.file_rows().values(), store.content_info(), True, [], "digest")
        files, invoices = build_result(store, plan)
        reference = BatchResult(files=files, invoices=invoices)
        write_ledger(reference, tmp_path / "memory", options=options)
        _, summary = write_store_ledger(store, plan, tmp_path / "stream", options=options)
    _assert_same(tmp_path / "memory", tmp_path / "stream")
    counts = reference.counts()
    assert {k: summary[k] for k in counts} == counts
    assert [p["file"] for p in summary["problem_files"]] == [
        f.source for f in files if f.status in (Status.FAILED, Status.SKIPPED)
    ]
    # the cases are really there: a merged bundle, a repeat, links both ways, a supported invoice
    by_no: dict[str | None, list[Invoice]] = {}
    for inv in invoices:
        by_no.setdefault(inv.invoice_number, []).append(inv)
    first, other, again = sorted(by_no["25000000000000000001"], key=lambda i: (-len(i.sources), bool(i.duplicate_of)))
    assert len(first.sources) == 2 and again.duplicate_of == {"source": first.source, "sha256": first.sha256}
    assert other.duplicate_of is None and other.source.endswith("bob/again.pdf")
    assert any(c.name == "same_number_conflict" and c.passed is False for c in other.checks)
    assert by_no["25000000000000000002"][0].reversed_by and by_no["25000000000000000003"][0].reverses
    assert any("supports this invoice" in w for w in by_no["25000000000000000005"][0].warnings)
    assert sum(1 for i in invoices if i.warnings and "no longer in the inputs" in i.warnings[0]) == 1
    assert any(i.source.endswith("alice/copy/a.xml") for i in invoices)  # moved to the name it is shown under


def test_an_empty_store_gives_the_empty_ledger(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.sqlite") as store:
        plan = plan_ledger([], {}, True, [], "digest")
        write_ledger(BatchResult(), tmp_path / "memory", options=OPTIONS[0])
        _, summary = write_store_ledger(store, plan, tmp_path / "stream", options=OPTIONS[0])
    _assert_same(tmp_path / "memory", tmp_path / "stream")
    assert summary["invoices"] == 0 and summary["exit_code"] == 0
