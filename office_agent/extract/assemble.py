"""Candidates from every extractor → one :class:`Invoice`: normalise each value, choose by source rank, keep the rest.

The richest source wins (embedded XML > OFD structure > text layer > QR > OCR > LLM, see ``SOURCE_RANK``);
a value that cannot be normalised never wins. Every chosen field records its provenance; values that lost to a
different value are kept in ``alternatives`` with their source, so a reviewer can see the disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from office_agent.extract.normalize import (
    NormalizeError,
    clean_text,
    digits_only,
    normalize_tax_id,
    parse_date,
    parse_decimal,
    parse_money,
    squash,
)
from office_agent.extract.qrpayload import DIGITAL_QR_TYPES
from office_agent.models import SOURCE_RANK, Alternative, Candidate, Extraction, Invoice, LineItem, Provenance


def _digits(pattern: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def parse(value: str) -> str:
        d = digits_only(value)
        if d is None or not compiled.fullmatch(d):
            raise NormalizeError(f"{value!r} does not match {pattern}")
        return d

    return parse


_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def _name(value: str) -> str:
    """Letter-spacing inside Chinese names goes (``北 京``); spaces between Latin words stay (``Example Co.``)."""
    s = _SPACE_NEXT_TO_CJK.sub("", re.sub(r"\s+", " ", value)).strip().strip(":：").strip()
    if not s:
        raise NormalizeError("empty name")
    return s


def _tax_id(value: str) -> str:
    s = normalize_tax_id(value)
    if s is None:
        raise NormalizeError("empty tax id")
    return s


def _text(value: str) -> str:
    s = clean_text(value)
    if s is None:
        raise NormalizeError("empty text")
    return s


def _trip_number(value: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    if not re.fullmatch(r"[A-Z0-9]{2,8}", s):
        raise NormalizeError(f"not a train or flight number: {value!r}")
    return s


def _plate(value: str) -> str:
    """A vehicle plate; mainland plates use no letters I and O, so OCR's I/O there are the digits 1/0."""
    s = re.sub(r"\s+", "", value).upper()
    s = s[:2] + s[2:].replace("O", "0").replace("I", "1")
    if not re.fullmatch(r"[\u4e00-\u9fff]?[A-Z0-9][-·.]?[A-Z0-9]{4,6}", s):
        raise NormalizeError(f"not a vehicle plate: {value!r}")
    return s


def _clock(value: str) -> str:
    m = re.fullmatch(r"\s*([01]?\d|2[0-3])\s*[:：]\s*([0-5]\d)\s*", value)
    if m is None:
        raise NormalizeError(f"not a time of day: {value!r}")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _currency(value: str) -> str:
    s = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", s):
        raise NormalizeError(f"not an ISO currency code: {value!r}")
    return s


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "红")


NORMALIZERS: dict[str, Callable[[str], Any]] = {
    "invoice_code": _digits(r"\d{10}|\d{12}"),
    "invoice_number": _digits(r"\d{8}|\d{20}"),
    "issue_date": parse_date,
    "check_code": _digits(r"\d{20}"),
    "machine_number": _digits(r"\d{9,15}"),
    "buyer_name": _name,
    "seller_name": _name,
    "buyer_tax_id": _tax_id,
    "seller_tax_id": _tax_id,
    "amount_without_tax": parse_money,
    "tax_amount": parse_money,
    "total_amount": parse_money,
    "total_amount_in_words": lambda v: re.sub(r"\s+", "", v) or None,  # as printed: （负数）, 圆/元, 整/正
    "remarks": lambda v: v.strip() or None,
    "drawer": _name,
    "title": lambda v: squash(v) or None,
    "qr_payload": lambda v: v.strip() or None,
    "is_red": _flag,
    "original_invoice_number": _digits(r"\d{8}|\d{20}"),
    "seller_address": _text,
    "seller_phone": _text,
    "seller_registration": _text,
    "seller_tax_registration": _text,
    "seat_class": _text,
    "passenger": _name,
    "route": lambda v: squash(v) or None,
    "travel_date": parse_date,
    "trip_number": _trip_number,
    "fare": parse_money,
    "vehicle_plate": _plate,
    "pickup_time": _clock,
    "dropoff_time": _clock,
    "unit_price": parse_money,
    "distance_km": parse_decimal,
    "currency": _currency,
}


def _foreign_number(value: str) -> str:
    s = re.sub(r"\s+", "", value).lstrip("#").upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9_\-/]{3,39}", s) or not re.search(r"\d", s):
        raise NormalizeError(f"not an invoice number: {value!r}")
    return s


# Candidates whose provenance ``detail`` names another shape than the fapiao one: a foreign invoice's number is
# letters and digits (``BLR_WFLD20151000982590``), where a fapiao's is 8 or 20 digits.
DETAIL_NORMALIZERS: dict[tuple[str, str], Callable[[str], Any]] = {("invoice_number", "foreign"): _foreign_number}


def _rank(c: Candidate) -> tuple[int, float]:
    return (SOURCE_RANK[c.provenance.source], c.provenance.confidence)


def assemble(extractions: Iterable[Extraction], source: str, sha256: str, page: int = 1) -> Invoice:
    """Build one invoice from the extractions of one document (or of the pages that make one invoice)."""
    extractions = list(extractions)
    by_field: dict[str, list[Candidate]] = {}
    for ext in extractions:
        for c in ext.candidates:
            by_field.setdefault(c.field, []).append(c)
    inv = Invoice(source=source, sha256=sha256, page=page, sources=[source])
    values: dict[str, Any] = {}
    for field, cands in by_field.items():
        parse = NORMALIZERS.get(field)
        if parse is None:
            continue
        chosen = _choose(field, sorted(cands, key=_rank, reverse=True), parse, inv)
        if chosen is not None:
            values[field], inv.provenance[field] = chosen
    for field, value in values.items():
        setattr(inv, field, value)
    _qr_amount_fallback(inv, by_field.get("qr_amount", []), by_field.get("qr_type", []))
    inv.items, items_prov = _best_items(extractions)
    if items_prov is not None:
        inv.provenance["items"] = items_prov
    if inv.total_amount is not None and inv.total_amount < 0:
        inv.is_red = True
    return inv


def _choose(
    field: str, ranked: list[Candidate], parse: Callable[[str], Any], inv: Invoice
) -> tuple[Any, Provenance] | None:
    chosen: tuple[Any, Provenance] | None = None
    for c in ranked:
        try:
            value = DETAIL_NORMALIZERS.get((field, c.provenance.detail or ""), parse)(c.value)
        except (NormalizeError, ValueError, ArithmeticError):
            inv.warnings.append(f"{field}: could not read {c.value!r} from {c.provenance.source.value}")
            continue
        if value is None:
            continue
        if chosen is None:
            chosen = (value, c.provenance)
        elif value != chosen[0]:
            winner = chosen[1].source
            reason = (
                f"{winner.value} outranks {c.provenance.source.value}"
                if SOURCE_RANK[winner] > SOURCE_RANK[c.provenance.source]
                else f"lower confidence than the {winner.value} value"
            )
            inv.add_alternative(field, Alternative(value=str(value), source=c.provenance.source, reason=reason))
    return chosen


def _qr_amount_fallback(inv: Invoice, amounts: list[Candidate], types: list[Candidate]) -> None:
    """Use the QR amount only for a field no richer source filled: total on 数电, tax-exclusive on legacy."""
    if not amounts:
        return
    try:
        amount = parse_money(amounts[0].value)
    except NormalizeError:
        return
    if amount is None:
        return
    digital = bool(types) and types[0].value in DIGITAL_QR_TYPES
    field = "total_amount" if digital else "amount_without_tax"
    if getattr(inv, field) is None:
        setattr(inv, field, amount)
        prov = amounts[0].provenance
        inv.provenance[field] = Provenance(
            source=prov.source, page=prov.page, bbox=prov.bbox, confidence=0.6, detail="QR amount"
        )


def _best_items(extractions: list[Extraction]) -> tuple[list[LineItem], Provenance | None]:
    """Line items from the best extraction that has any (the embedded XML over the page layout); pages of the
    same kind of extraction that continue it (a goods list over several pages) add theirs."""
    with_items = [e for e in extractions if e.items and e.items_provenance is not None]
    if not with_items:
        return [], None

    def key(e: Extraction) -> tuple[int, float]:
        assert e.items_provenance is not None
        return SOURCE_RANK[e.items_provenance.source], e.items_provenance.confidence

    best = max(with_items, key=key)
    same_kind = [e for e in with_items if key(e) == key(best) and (e is best or e.page != best.page)]
    items: list[LineItem] = []
    for e in sorted(same_kind, key=lambda e: e.page):
        items.extend(e.items)
    return items, best.items_provenance
