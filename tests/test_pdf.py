"""The PDF reader on hand-made PDFs: encryption, attachments, garbage, and files that are not invoices."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from factories import einvoice
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from office_agent.batch import run_batch
from office_agent.errors import CorruptFile, EncryptedFile
from office_agent.ingest.pdf import garbled_share, read_pdf
from office_agent.models import Source, Status


def simple_pdf(lines: list[str]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(600, 400), invariant=True)
    y = 370
    for line in lines:
        c.drawString(40, y, line)
        y -= 20
    c.showPage()
    c.save()
    return buf.getvalue()


def encrypted(data: bytes, user: str, owner: str = "owner-secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_attachment(data: bytes, name: str, payload: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.add_attachment(name, payload)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_words_keep_positions_top_left_origin() -> None:
    doc = read_pdf("x.pdf", "0", simple_pdf(["Invoice No: 12345678", "Total: 100.00"]))
    page = doc.pages[0]
    assert (page.width, page.height) == (600, 400)
    first = next(w for w in page.words if w.text.startswith("Invoice"))
    second = next(w for w in page.words if w.text.startswith("Total"))
    assert first.text == "Invoice No: 12345678"
    assert first.bbox[1] < second.bbox[1]  # higher on the page = smaller top
    assert 10 < first.bbox[1] < 30 < first.bbox[3] + 1  # baseline drawn 30 pt below the top edge


def test_empty_user_password_is_opened() -> None:
    data = encrypted(simple_pdf(["Invoice No: 12345678"]), user="")
    doc = read_pdf("enc.pdf", "0", data)
    assert any("12345678" in w.text for w in doc.pages[0].words)


def test_user_password_fails_with_what_to_do() -> None:
    data = encrypted(simple_pdf(["Invoice No: 12345678"]), user="secret")
    with pytest.raises(EncryptedFile, match="qpdf --decrypt"):
        read_pdf("enc.pdf", "0", data)


def test_truncated_pdf_is_corrupt() -> None:
    data = simple_pdf(["Invoice"])
    with pytest.raises(CorruptFile):
        read_pdf("t.pdf", "0", data[: len(data) // 3])


def test_embedded_invoice_xml_is_the_richest_source(tmp_path: Path) -> None:
    pdf = with_attachment(simple_pdf(["some face"]), "invoice.xml", einvoice("25000000000000000007", "53.00"))
    (tmp_path / "hybrid.pdf").write_bytes(pdf)
    result = run_batch([tmp_path], workers=1)
    [inv] = result.invoices
    assert inv.invoice_number == "25000000000000000007"
    assert str(inv.total_amount) == "53.00"
    assert inv.provenance["total_amount"].source == Source.XML
    assert inv.provenance["total_amount"].detail == "invoice.xml:EInvoiceData/BasicInformation/TotalTax-includedAmount"


def test_a_pdf_that_is_not_an_invoice_fails_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "letter.pdf").write_bytes(simple_pdf(["Dear colleague,", "the meeting is moved to Friday."]))
    [res] = run_batch([tmp_path], workers=1).files
    assert res.status == Status.FAILED
    assert res.reason == "not recognised as an invoice: no invoice number, date or amount found"


def test_garbled_share() -> None:
    assert garbled_share("发票号码：12345678 ¥23.89") == 0.0
    assert garbled_share("\ue001\ue002\ue003abc") == 0.5  # private-use glyphs: half of the characters
