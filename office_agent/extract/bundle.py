"""Batch-level identity: one invoice however many files carry it.

- The same invoice in different formats (the tax portal's PDF + OFD + XML bundle, or loose files) becomes ONE
  record built from the richest source (XML > OFD > PDF > image); the others fill only what it lacks.
- The same invoice twice in the same format (a second submission, a re-download under another name) stays
  visible as its own record with ``duplicate_of`` pointing at the first occurrence, and is left out of totals.
Keys are those of FORMATS.md: code + number, the 20-digit number, or seller + date + total.
"""

from __future__ import annotations

from collections.abc import Iterable

from office_agent.extract.checks import validate
from office_agent.models import DocFormat, Invoice, Status

_FORMAT_RANK = {DocFormat.XML: 4, DocFormat.OFD: 3, DocFormat.PDF: 2, DocFormat.IMAGE: 1}
_MERGEABLE = (
    "invoice_code", "invoice_number", "issue_date", "check_code", "machine_number", "buyer_name", "buyer_tax_id",
    "seller_name", "seller_tax_id", "amount_without_tax", "tax_amount", "total_amount", "total_amount_in_words",
    "remarks", "drawer", "qr_payload", "title", "original_invoice_number",
)  # fmt: skip


def _format_rank(inv: Invoice) -> int:
    return _FORMAT_RANK.get(inv.format or DocFormat.UNKNOWN, 0)


def merge_and_mark(invoices: Iterable[Invoice]) -> list[Invoice]:
    """Merge cross-format copies and mark same-format repeats. Input order decides "first occurrence"."""
    out: list[Invoice] = []
    groups: dict[tuple[str, ...], list[Invoice]] = {}
    for inv in invoices:
        key = inv.identity()
        if key is None or inv.status == Status.FAILED:
            out.append(inv)
            continue
        groups.setdefault(key, []).append(inv)
        out.append(inv)
    replaced: dict[int, Invoice | None] = {}
    for members in groups.values():
        if len(members) == 1:
            continue
        for record, absorbed in _resolve(members):
            replaced[id(record)] = record
            for a in absorbed:
                replaced[id(a)] = None
    result = []
    for inv in out:
        if id(inv) in replaced:
            kept = replaced[id(inv)]
            if kept is not None:
                result.append(kept)
        else:
            result.append(inv)
    return result


def _resolve(members: list[Invoice]) -> list[tuple[Invoice, list[Invoice]]]:
    """Split a group into copies: copy k holds the k-th occurrence of each format, merged into one record."""
    by_format: dict[DocFormat | None, list[Invoice]] = {}
    for inv in members:
        by_format.setdefault(inv.format, []).append(inv)
    copies = max(len(v) for v in by_format.values())
    resolved: list[tuple[Invoice, list[Invoice]]] = []
    first: Invoice | None = None
    for k in range(copies):
        parts = sorted((v[k] for v in by_format.values() if len(v) > k), key=_format_rank, reverse=True)
        primary, rest = parts[0], parts[1:]
        for other in rest:
            _absorb(primary, other)
        if rest:
            validate(_reset(primary))
        if first is None:
            first = primary
        else:
            primary.duplicate_of = {"source": first.source, "sha256": first.sha256}
            primary.warnings.append(f"duplicate of {first.source}: left out of totals")
        resolved.append((primary, rest))
    return resolved


def _absorb(primary: Invoice, other: Invoice) -> None:
    for source in other.sources:
        if source not in primary.sources:
            primary.sources.append(source)
    for field in _MERGEABLE:
        mine, theirs = getattr(primary, field), getattr(other, field)
        if theirs is None:
            continue
        if mine is None:
            setattr(primary, field, theirs)
            if field in other.provenance:
                primary.provenance[field] = other.provenance[field]
        elif mine != theirs:
            alt = f"{theirs} (from {other.source})"
            if alt not in primary.alternatives.get(field, []):
                primary.alternatives.setdefault(field, []).append(alt)
    if not primary.items and other.items:
        primary.items = other.items
        if "items" in other.provenance:
            primary.provenance["items"] = other.provenance["items"]


def _reset(inv: Invoice) -> Invoice:
    """Forget derived results before re-validating a merged record (its own extraction errors stay)."""
    inv.checks = []
    inv.errors = [e for e in inv.errors if not e.message.startswith("missing ")]
    inv.warnings = [w for w in inv.warnings if not w.startswith("failed checks")]
    inv.status = Status.OK
    return inv
