"""Supporting documents: a ride-hailing trip table (行程单) travels beside the invoice for the same rides. It is
linked to that invoice and must never be counted as a second expense.

:func:`link_supporting` is meant for the batch-level step (``office_agent.extract.bundle``): it finds, for each
trip table, the invoice with the same total (the platform invoices the month's rides in one invoice), records
the link in both records' warnings and returns the pairs. Leaving trip tables out of totals is the ledger's
part: every record of kind ``ride_itinerary`` is a supporting document, linked or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol, TypeVar

from office_agent.models import Invoice, InvoiceKind

SUPPORTING_KINDS = frozenset({InvoiceKind.RIDE_ITINERARY})


class Kinded(Protocol):
    invoice_kind: InvoiceKind


class Matchable(Protocol):
    """What trip-table matching looks at: an :class:`Invoice`, or a compact key standing for one."""

    source: str
    sha256: str
    invoice_kind: InvoiceKind
    total_amount: Decimal | None
    duplicate_of: dict[str, str] | None


M = TypeVar("M", bound=Matchable)


def is_supporting(inv: Kinded) -> bool:
    return inv.invoice_kind in SUPPORTING_KINDS


def supporting_pairs(invoices: Sequence[M]) -> list[tuple[M, M | None]]:
    """(trip table, the invoice it supports or None) for every supporting record in ``invoices``."""
    expenses = [i for i in invoices if not is_supporting(i) and i.total_amount is not None and not i.duplicate_of]
    used: set[int] = set()
    pairs: list[tuple[M, M | None]] = []
    for trip in (i for i in invoices if is_supporting(i)):
        match = None
        if trip.total_amount is not None:
            same = [i for i in expenses if i.total_amount == trip.total_amount and id(i) not in used]
            # Prefer an invoice from the same folder (the platform's download holds both), then the first one.
            folder = trip.source.rsplit("/", 1)[0]
            same.sort(key=lambda i: (i.source.rsplit("/", 1)[0] != folder, i.source))
            match = same[0] if same else None
        if match is not None:
            used.add(id(match))
        pairs.append((trip, match))
    return pairs


def mark_trip(trip: Invoice, match: Matchable | None) -> None:
    """The trip table's side of a pair: it supports ``match`` (or nothing), and is never counted."""
    if match is not None:
        trip.warnings.append(f"supporting document for {match.source}: not counted as an expense")
        trip.supports = {"source": match.source, "sha256": match.sha256}
    else:
        trip.warnings.append("supporting document (trip table) with no matching invoice: not counted")


def mark_supported(invoice: Invoice, trip: Matchable) -> None:
    invoice.warnings.append(f"trip table {trip.source} supports this invoice")


def link_supporting(invoices: list[Invoice]) -> list[tuple[Invoice, Invoice | None]]:
    """Pair every trip table with the invoice it supports and note it in both records' warnings."""
    pairs = supporting_pairs(invoices)
    for trip, match in pairs:
        mark_trip(trip, match)
        if match is not None:
            mark_supported(match, trip)
    return pairs
