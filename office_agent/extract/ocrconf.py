"""Per-field confidence for OCR pages, and the review flag for fields read with too little of it.

The layout extractor scores how sure the *geometry* is (label and value on one line, …); OCR adds how sure the
*recogniser* was of the characters. A field's confidence on an OCR page is the lower of the two, where the
recogniser's part is the lowest score among the OCR words under the value's box. Fields below
:data:`REVIEW_BELOW` are flagged for review (:func:`flag_low_confidence`), never silently accepted.
"""

from __future__ import annotations

from decimal import Decimal

from office_agent.models import (
    Alternative,
    BBox,
    Candidate,
    ErrorInfo,
    Extraction,
    Invoice,
    Page,
    Provenance,
    Source,
    Status,
)

REVIEW_BELOW = 0.8
# Fields whose value a reviewer must be able to trust; the rest only carry their confidence.
REVIEWED_FIELDS = (
    "invoice_code", "invoice_number", "issue_date", "buyer_name", "buyer_tax_id", "seller_name", "seller_tax_id",
    "amount_without_tax", "tax_amount", "total_amount",
)  # fmt: skip


def _overlaps(a: BBox, b: BBox) -> bool:
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return False
    return iy >= 0.4 * min(a[3] - a[1], b[3] - b[1])


def word_confidence(page: Page, bbox: BBox | None) -> float | None:
    """The lowest recogniser score among the OCR words under ``bbox`` (None: no OCR word there)."""
    if bbox is None:
        return None
    scores = [float(getattr(w, "confidence", 1.0)) for w in page.words if _overlaps(w.bbox, bbox)]
    return min(scores) if scores else None


def apply_ocr_confidence(ext: Extraction, page: Page) -> Extraction:
    """Fold the recogniser's scores into the candidates (and line items) read from an OCR page."""
    out = Extraction(items=ext.items, page=ext.page)
    for c in ext.candidates:
        prov = c.provenance
        score = word_confidence(page, prov.bbox) if prov.source == Source.OCR else None
        if score is not None and score < prov.confidence:
            prov = prov.model_copy(update={"confidence": round(score, 4)})
            c = Candidate(field=c.field, value=c.value, provenance=prov)
        out.candidates.append(c)
    if ext.items_provenance is not None and ext.items_provenance.source == Source.OCR:
        scores = [float(getattr(w, "confidence", 1.0)) for w in page.words]
        mean = sum(scores) / len(scores) if scores else 1.0
        out.items_provenance = ext.items_provenance.model_copy(
            update={"confidence": round(min(ext.items_provenance.confidence, mean), 4)}
        )
    else:
        out.items_provenance = ext.items_provenance
    return out


def low_confidence_fields(inv: Invoice, threshold: float = REVIEW_BELOW) -> list[tuple[str, float]]:
    found = []
    for name in REVIEWED_FIELDS:
        prov: Provenance | None = inv.provenance.get(name)
        if prov is not None and prov.source == Source.OCR and prov.confidence < threshold:
            found.append((name, prov.confidence))
    return found


def flag_low_confidence(inv: Invoice, threshold: float = REVIEW_BELOW) -> Invoice:
    """Mark a record for review when a key field was read by OCR with a confidence under ``threshold``."""
    low = low_confidence_fields(inv, threshold)
    if low:
        listed = ", ".join(f"{name} ({conf:.2f})" for name, conf in low)
        inv.errors.append(ErrorInfo(stage="extract", message=f"low OCR confidence, check by hand: {listed}"))
        inv.status = Status.PARTIAL
    return inv


REPAIRED = 0.85  # confidence of a header amount taken from the line items (two readings that agree)


def reconcile_amounts(inv: Invoice) -> Invoice:
    """Repair a header amount that OCR misread, from the line items, when the arithmetic proves it.

    A digit under a seal misread in the 合计 row (``194.09`` for ``194.69``) breaks amount + tax = total. When
    the line items' amounts sum to exactly total − tax, that sum replaces the amount read (or fills it when the
    row was not read at all); the same for the tax from the items' taxes. Only fields read by OCR (or missing
    on a record whose items were read by OCR) are touched; the value read stays in ``alternatives``.
    """
    total = inv.total_amount
    prov = inv.provenance.get("total_amount")  # read by OCR, or from the QR code
    if total is None or prov is None or not inv.items or inv.provenance.get("items", prov).source != Source.OCR:
        return inv
    if any(i.amount is None for i in inv.items):
        return inv
    amount, tax = inv.amount_without_tax, inv.tax_amount
    if amount is not None and amount + (tax or Decimal(0)) == total:
        return inv
    items_amount = sum((i.amount for i in inv.items if i.amount is not None), Decimal(0))
    items_tax = sum((i.tax_amount for i in inv.items if i.tax_amount is not None), Decimal(0))
    if items_amount + (tax or Decimal(0)) == total and amount != items_amount:
        _repair(inv, "amount_without_tax", items_amount, prov)
    elif tax != items_tax and amount is not None and amount + items_tax == total and items_tax:
        _repair(inv, "tax_amount", items_tax, prov)
    return inv


def _repair(inv: Invoice, field: str, value: Decimal, total_prov: Provenance) -> None:
    old = getattr(inv, field)
    old_prov = inv.provenance.get(field)
    if old_prov is not None and old_prov.source != Source.OCR:
        return
    if old is not None:
        reason = "breaks amount + tax = total; the line items' sum agrees with the total"
        inv.add_alternative(field, Alternative(value=str(old), source=Source.OCR, reason=reason))
    base = old_prov or total_prov
    detail = "sum of the line items (the row read disagrees)"
    inv.provenance[field] = base.model_copy(update={"confidence": min(base.confidence, REPAIRED), "detail": detail})
    setattr(inv, field, value)
    inv.warnings.append(f"{field}: {old if old is not None else 'not read'} → {value} from the line items")
