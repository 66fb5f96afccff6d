"""Cross-checks that tell a finance person how far to trust a record. Each is a named :class:`Check`.

A check that cannot run (a value is missing) says so with ``passed=None``; it never passes silently.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from office_agent.extract.cnwords import words_to_amount
from office_agent.extract.normalize import NormalizeError, parse_date, parse_money, uscc_valid
from office_agent.extract.qrpayload import DIGITAL_QR_TYPES
from office_agent.models import Check, ErrorInfo, Invoice, InvoiceKind, Status
from office_agent.settings import Settings

DEFAULT_SETTINGS = Settings.model_construct()  # defaults only: no environment read at import time

TOLERANCE = Decimal("0.01")
KEY_FIELDS = ("invoice_number", "issue_date", "total_amount")
INVOICE_KINDS_WITH_NUMBER = {
    InvoiceKind.DIGITAL_GENERAL,
    InvoiceKind.DIGITAL_SPECIAL,
    InvoiceKind.VAT_ELECTRONIC_GENERAL,
    InvoiceKind.VAT_ELECTRONIC_SPECIAL,
    InvoiceKind.VAT_SPECIAL,
    InvoiceKind.VAT_GENERAL,
}


def check_sum(inv: Invoice) -> Check:
    if inv.amount_without_tax is None or inv.total_amount is None:
        return Check(name="amount_plus_tax", passed=None, detail="amount or total missing")
    tax = inv.tax_amount or Decimal("0")
    ok = abs(inv.amount_without_tax + tax - inv.total_amount) <= TOLERANCE
    return Check(name="amount_plus_tax", passed=ok, detail=f"{inv.amount_without_tax} + {tax} vs {inv.total_amount}")


def check_items(inv: Invoice) -> Check:
    amounts = [i.amount for i in inv.items]
    if not amounts or any(a is None for a in amounts) or inv.amount_without_tax is None:
        return Check(name="items_sum", passed=None, detail="line amounts or header amount missing")
    total = sum((a for a in amounts if a is not None), Decimal("0"))
    ok = abs(total - inv.amount_without_tax) <= TOLERANCE
    return Check(name="items_sum", passed=ok, detail=f"lines sum to {total}, header says {inv.amount_without_tax}")


def check_words(inv: Invoice) -> Check:
    if not inv.total_amount_in_words or inv.total_amount is None:
        return Check(name="amount_in_words", passed=None, detail="words or total missing")
    try:
        value = words_to_amount(inv.total_amount_in_words)
    except NormalizeError as exc:
        return Check(name="amount_in_words", passed=False, detail=str(exc))
    return Check(name="amount_in_words", passed=value == inv.total_amount, detail=f"{value} vs {inv.total_amount}")


def check_qr(inv: Invoice) -> Check:
    if not inv.qr_payload:
        return Check(name="qr_agrees", passed=None, detail="no invoice QR code read")
    parts = inv.qr_payload.split(",")
    problems = []
    if inv.invoice_number and parts[3] and parts[3] != inv.invoice_number:
        problems.append(f"number {parts[3]} ≠ {inv.invoice_number}")
    if inv.invoice_code and parts[2] and parts[2] != inv.invoice_code:
        problems.append(f"code {parts[2]} ≠ {inv.invoice_code}")
    try:
        qr_date = parse_date(parts[5]) if parts[5] else None
        qr_amount = parse_money(parts[4]) if parts[4] else None
    except NormalizeError as exc:
        return Check(name="qr_agrees", passed=False, detail=f"unreadable QR payload: {exc}")
    if qr_date and inv.issue_date and qr_date != inv.issue_date:
        problems.append(f"date {qr_date} ≠ {inv.issue_date}")
    if qr_amount is not None:
        # Legacy QR amounts are tax-exclusive, 数电 ones appear to be the total: accept either (FORMATS.md).
        known = {a for a in (inv.amount_without_tax, inv.total_amount) if a is not None}
        if known and qr_amount not in known:
            problems.append(f"amount {qr_amount} matches neither the amount nor the total")
    elif parts[1] in DIGITAL_QR_TYPES:
        problems.append("no amount in the QR")
    return Check(name="qr_agrees", passed=not problems, detail="; ".join(problems) or "number, date and amount agree")


def check_tax_ids(inv: Invoice) -> list[Check]:
    out = []
    for role in ("buyer", "seller"):
        tax_id = getattr(inv, f"{role}_tax_id")
        name = f"{role}_tax_id_check"
        if not tax_id:
            out.append(Check(name=name, passed=None, detail="no tax id"))
            continue
        valid = uscc_valid(tax_id)
        detail = {None: "not an 18-character credit code: cannot verify", True: "check character valid"}.get(
            valid, "check character does not match"
        )
        out.append(Check(name=name, passed=valid, detail=detail))
    return out


def check_line_tax(inv: Invoice) -> Check:
    """Per line, amount × rate ≈ tax, within one cent of rounding (lines without a numeric rate are skipped)."""
    bad, checked = [], 0
    for n, item in enumerate(inv.items, 1):
        rate = _rate(item.tax_rate)
        if rate is None or item.amount is None or item.tax_amount is None:
            continue
        checked += 1
        expected = item.amount * rate
        if abs(expected - item.tax_amount) > TOLERANCE:
            bad.append(f"line {n}: {item.amount} × {item.tax_rate} = {expected:.2f}, printed {item.tax_amount}")
    if not checked:
        return Check(name="line_tax", passed=None, detail="no line with amount, rate and tax")
    return Check(name="line_tax", passed=not bad, detail="; ".join(bad) or f"{checked} lines agree")


def _rate(value: str | None) -> Decimal | None:
    if not value or not value.endswith("%"):
        return None
    try:
        return Decimal(value[:-1]) / 100
    except ArithmeticError:
        return None


def check_date(inv: Invoice, settings: Settings) -> Check:
    if inv.issue_date is None:
        return Check(name="date_sane", passed=None, detail="no issue date")
    today = settings.reference_date()
    if inv.issue_date > today:
        return Check(name="date_sane", passed=False, detail=f"issued {inv.issue_date}, after today ({today})")
    start, end = settings.period.start, settings.period.end
    if (start and inv.issue_date < start) or (end and inv.issue_date > end):
        span = f"{start or '…'} – {end or '…'}"
        return Check(name="date_sane", passed=False, detail=f"issued {inv.issue_date}, outside the period {span}")
    inside = " and inside the period" if start or end else ""
    return Check(name="date_sane", passed=True, detail=f"in the past{inside}")


def _company_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def check_buyer(inv: Invoice, settings: Settings) -> Check:
    """The buyer must be the user's company: the commonest reason a reimbursement is sent back."""
    company = settings.company
    if not company.configured:
        return Check(name="buyer_is_company", passed=None, detail="no company profile configured")
    problems = []
    if company.tax_id and inv.buyer_tax_id and inv.buyer_tax_id.upper() != company.tax_id.strip().upper():
        problems.append(f"buyer tax id {inv.buyer_tax_id} is not {company.tax_id}")
    if company.name and inv.buyer_name and _company_key(inv.buyer_name) != _company_key(company.name):
        problems.append(f"made out to {inv.buyer_name}, not {company.name}")
    if not problems and not (inv.buyer_tax_id or inv.buyer_name):
        return Check(name="buyer_is_company", passed=None, detail="no buyer on the invoice")
    return Check(name="buyer_is_company", passed=not problems, detail="; ".join(problems) or "buyer matches")


def validate(inv: Invoice, settings: Settings | None = None) -> Invoice:
    """Run every check, then set the status: partial when a key field is missing or a check failed."""
    settings = settings or DEFAULT_SETTINGS
    inv.checks = [
        check_sum(inv),
        check_items(inv),
        check_line_tax(inv),
        check_words(inv),
        check_qr(inv),
        *check_tax_ids(inv),
        check_date(inv, settings),
        check_buyer(inv, settings),
    ]
    if inv.invoice_kind in INVOICE_KINDS_WITH_NUMBER or inv.invoice_kind == InvoiceKind.OTHER:
        missing = [f for f in KEY_FIELDS if getattr(inv, f) is None]
        if missing:
            inv.errors.append(ErrorInfo(stage="extract", message=f"missing {', '.join(missing)}"))
    failed = [c.name for c in inv.checks if c.passed is False]
    if failed:
        inv.warnings.append(f"failed checks: {', '.join(failed)}")
    if inv.errors or failed:
        inv.status = Status.PARTIAL
    return inv
