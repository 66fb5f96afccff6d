"""Run every field extractor over one document and group what they found into invoices.

A PDF page that carries its own invoice number (text or QR) starts a new invoice; pages without one continue
the previous invoice (a goods list, "销货清单"), except a page that opens a ride-hailing trip table (行程单), which
starts a supporting record of its own. An OFD or XML file is one invoice. Structured sources (embedded
invoice XML, OFD CustomData) join the group whose number they carry.
"""

from __future__ import annotations

import logging

from office_agent.errors import InputError
from office_agent.extract.ocrconf import apply_ocr_confidence
from office_agent.extract.qrpayload import parse_qr
from office_agent.extract.special import extract_special
from office_agent.extract.xml_invoice import extract_invoice_xml, is_invoice_xml
from office_agent.ingest.ocr.base import is_ocr_page_words
from office_agent.ingest.safexml import parse_xml
from office_agent.ingest.textnorm import clean_page
from office_agent.models import DocFormat, Document, Extraction, Page, Source

log = logging.getLogger(__name__)


def extract_document(doc: Document) -> list[list[Extraction]]:
    """Extractions grouped per invoice, in page order. Problems with one part become document warnings."""
    structured = _structured(doc)
    if doc.format not in (DocFormat.PDF, DocFormat.IMAGE):  # images: one invoice per page, like PDF
        pages = [e for page in doc.pages for e in _page_extractions(doc, page)]
        group = structured + pages
        return [group] if group else []
    groups: list[list[Extraction]] = []
    for page in doc.pages:
        exts = _page_extractions(doc, page)
        number = next((e.get("invoice_number") for e in exts if e.get("invoice_number")), None)
        if number is None and groups and not _opens_trip_table(exts):
            groups[-1].extend(exts)
        else:
            groups.append(exts)
    if structured:
        _attach_structured(groups, structured)
    return groups


def _opens_trip_table(exts: list[Extraction]) -> bool:
    """A page that starts a ride-hailing 行程单 (its title, no invoice number): a supporting document of its own,
    even on page 2 of the invoice's PDF, not a continuation of the invoice before it."""
    titles = (str(e.get("title") or "") for e in exts)
    return any("行程单" in t and "航空" not in t for t in titles)


def _structured(doc: Document) -> list[Extraction]:
    out: list[Extraction] = []
    source = {DocFormat.OFD: Source.OFD}.get(doc.format, Source.XML)
    for emb in doc.embedded:
        try:
            what = "XML" if doc.format == DocFormat.XML else f"embedded file {emb.name!r}"
            root = parse_xml(emb.data, what=what)
        except InputError as exc:
            if doc.format == DocFormat.XML:
                raise
            doc.warnings.append(str(exc))
            continue
        if not is_invoice_xml(root):
            if doc.format == DocFormat.XML:
                from office_agent.errors import NotAnInvoice

                raise NotAnInvoice("XML file is not an invoice (no EInvoice, eInvoice or XBRL root)")
            continue
        out.append(extract_invoice_xml(root, source, detail_prefix=f"{emb.name}:"))
    if doc.candidates:
        out.append(Extraction(candidates=list(doc.candidates)))
    return out


def _page_extractions(doc: Document, page: Page) -> list[Extraction]:
    from office_agent.extract.layout import extract_page

    out: list[Extraction] = []
    page = clean_page(page)  # look-alikes, full-width digits, spaced-out runs: before any layout rule
    ocr = is_ocr_page_words(page.words)  # an image, or a PDF page read by OCR (no text layer, or a garbled one)
    if page.words and (ocr or not doc.text_garbled):
        source = Source.OCR if ocr else Source.OFD if doc.format == DocFormat.OFD else Source.TEXT
        ext = extract_page(page, source)
        ext.page = page.number
        ext = apply_ocr_confidence(ext, page) if ocr else ext
        ext.frame = page.frame
        out.append(ext)
        out.extend(extract_special(page, source, found_number=ext.get("invoice_number") is not None))
    for payload in page.qr_payloads:
        qr = parse_qr(payload, page.number)
        if qr is not None:
            out.append(qr)
            break
    return out


def _attach_structured(groups: list[list[Extraction]], structured: list[Extraction]) -> None:
    if not groups:
        groups.append(list(structured))
        return
    for ext in structured:
        number = ext.get("invoice_number")
        target = groups[0]
        if number and len(groups) > 1:
            for g in groups:
                if any(e.get("invoice_number") == number for e in g):
                    target = g
                    break
        target.insert(0, ext)
