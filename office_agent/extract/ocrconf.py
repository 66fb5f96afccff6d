"""Per-field confidence for OCR pages, and the review flag for fields read with too little of it.

The layout extractor scores how sure the *geometry* is (label and value on one line, …); OCR adds how sure the
*recogniser* was of the characters. A field's confidence on an OCR page is the lower of the two, where the
recogniser's part is the lowest score among the OCR words under the value's box. Fields below
:data:`REVIEW_BELOW` are flagged for review (:func:`flag_low_confidence`), never silently accepted.
"""

from __future__ import annotations

from office_agent.models import BBox, Candidate, ErrorInfo, Extraction, Invoice, Page, Provenance, Source, Status

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
