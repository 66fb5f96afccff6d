"""Readers for what the layout extractor does not cover: the unlabelled fields of paper VAT invoices, railway
e-tickets, air itineraries, ride-hailing trip tables and foreign receipts. Each looks at a page and adds
candidates only when it recognises its document; on an ordinary e-invoice page they add nothing.
"""

from __future__ import annotations

from office_agent.extract.paper import extract_paper
from office_agent.extract.receipts import extract_receipt
from office_agent.extract.tickets import extract_ticket
from office_agent.models import Extraction, Page, Source


def extract_special(page: Page, source: Source) -> list[Extraction]:
    out = []
    for reader in (extract_paper, extract_ticket, extract_receipt):
        ext = reader(page, source)
        if ext is not None:
            out.append(ext)
    return out
