"""Readers for what the layout extractor does not cover: the unlabelled fields of paper VAT invoices, railway
e-tickets, air itineraries, ride-hailing trip tables, taxi receipts and foreign receipts. Each looks at a page and adds
candidates only when it recognises its document; on an ordinary e-invoice page they add nothing.
"""

from __future__ import annotations

from office_agent.extract.paper import extract_paper
from office_agent.extract.receipts import extract_receipt
from office_agent.extract.taxi import extract_taxi
from office_agent.extract.tickets import extract_ticket
from office_agent.models import Extraction, Page, Source


def extract_special(page: Page, source: Source, found_number: bool = False) -> list[Extraction]:
    """Run the readers whose document the page may be. The gates are cheap text tests, so an ordinary e-invoice
    (a text layer where the layout already found the number) costs none of them."""
    text = "".join(w.text for w in page.words)
    readers = []
    if source == Source.OCR or not found_number:
        readers.append(extract_paper)
    if "客票" in text or "行程" in text or "航班" in text:
        readers.append(extract_ticket)
    if "出租" in text or "的士" in text:
        readers.append(extract_taxi)
    if not found_number and "发票" not in text:
        readers.append(extract_receipt)
    out = []
    for reader in readers:
        ext = reader(page, source)
        if ext is not None:
            out.append(ext)
    return out
