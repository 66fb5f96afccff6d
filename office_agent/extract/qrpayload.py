"""The QR payload printed on every e-invoice page: ``version,type,code,number,amount,YYYYMMDD,check,trailer``.

Legacy example ``01,10,011001605111,80100798,64.9,20161018,85342965681116380258,BE2D``;
数电 example ``01,32,,24442000000014209621,112,20230215,,74AE``. The amount is the tax-exclusive amount on
legacy invoices and the tax-inclusive total on 数电 ones, so it is kept as its own candidate (``qr_amount``) and
used for cross-checks rather than copied into either field.
"""

from __future__ import annotations

import re

from office_agent.models import Extraction, Provenance, Source

DIGITAL_QR_TYPES = {"31", "32"}
# Type code → the kind it hints at; the printed title stays the authority (FORMATS.md).
QR_TYPE_HINTS = {
    "01": "vat_special",
    "04": "vat_general",
    "08": "vat_electronic_special",
    "10": "vat_electronic_general",
    "11": "vat_general",
    "14": "vat_electronic_general",
    "31": "digital_special",
    "32": "digital_general",
    "51": "railway_ticket",
}

_FIELDS = re.compile(r"^\d{2}$")


def looks_like_invoice_qr(payload: str) -> bool:
    parts = payload.split(",")
    return len(parts) >= 7 and bool(_FIELDS.match(parts[0])) and bool(_FIELDS.match(parts[1]))


def parse_qr(payload: str, page: int = 1) -> Extraction | None:
    """Candidates from an invoice QR payload, or None when the QR is something else (a link, a trip table)."""
    payload = payload.strip()
    if not looks_like_invoice_qr(payload):
        return None
    parts = [p.strip() for p in payload.split(",")]
    prov = Provenance(source=Source.QR, page=page, confidence=0.9, detail="QR payload")
    ext = Extraction(page=page)
    ext.add("qr_payload", payload, prov)
    ext.add("qr_type", parts[1], prov)
    if re.fullmatch(r"\d{10,12}", parts[2]):
        ext.add("invoice_code", parts[2], prov)
    if re.fullmatch(r"\d{8}|\d{20}", parts[3]):
        ext.add("invoice_number", parts[3], prov)
    if re.fullmatch(r"-?\d+(?:\.\d+)?", parts[4]):
        ext.add("qr_amount", parts[4], prov)
    if re.fullmatch(r"\d{8}", parts[5]):
        ext.add("issue_date", parts[5], prov)
    if re.fullmatch(r"\d{20}", parts[6]):
        ext.add("check_code", parts[6], prov)
    return ext
