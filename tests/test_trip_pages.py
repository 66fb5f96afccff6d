"""Ride-hailing trip tables (行程单): 高德's 申请时间 / 行程时间 head, and a table printed on pages 2+ of the invoice's
own PDF becomes a supporting record of its own, linked to the invoice and never counted."""

from __future__ import annotations

import hashlib
import random

import pytest
from test_tickets import fields, page

from office_agent.extract.bundle import deduplicate
from office_agent.extract.chain import document_chain
from office_agent.extract.tickets import extract_ticket
from office_agent.fontfiles import GBSN, MICROHEI, find_font
from office_agent.ingest.sources import Blob
from office_agent.models import DocFormat, InvoiceKind, Source
from office_agent.synth import make_invoice
from office_agent.synth.ride import invoice_with_trip_pages


def test_gaode_head_prints_shenqing_shijian_and_trip_times() -> None:
    p = page([
        ["高德打车电子行程单"],
        ["申请时间：2025-03-04", "行程时间：2025-02-21 19:38至2025-02-28 17:44"],
        ["共2笔行程，合计53.21元"],
        ["序号", "服务商", "车型", "上车时间", "城市", "起点", "终点", "金额"],
    ])  # fmt: skip
    f = fields(extract_ticket(p, Source.TEXT))
    assert f["issue_date"] == "2025-03-04" and f["travel_date"] == "2025-02-21" and f["total_amount"] == "53.21"


@pytest.mark.skipif(find_font((GBSN, MICROHEI)) is None, reason="the PDF generator's CJK font is not installed")
@pytest.mark.parametrize("style", ["gaode", "didi"])
def test_trip_table_on_pages_2_and_3_of_the_invoice_pdf_is_a_linked_supporting_record(style: str) -> None:
    rng = random.Random(5)
    inv = make_invoice(rng, "digital_general")
    pdf, trips = invoice_with_trip_pages(inv, rng, style=style, rides=30)  # 30 rows: the table takes two pages
    records = document_chain.invoke(Blob("ride.pdf", pdf, hashlib.sha256(pdf).hexdigest(), DocFormat.PDF))
    assert [r.page for r in records] == [1, 2]
    invoice, trip = records
    assert invoice.invoice_kind == InvoiceKind.DIGITAL_GENERAL and invoice.invoice_number == inv.number
    assert trip.invoice_kind == InvoiceKind.RIDE_ITINERARY and trip.invoice_number is None
    assert (trip.issue_date, trip.travel_date, trip.total_amount) == (trips.applied, trips.start, trips.total)
    deduplicate(records)
    assert trip.supports == {"source": invoice.source, "sha256": invoice.sha256}
