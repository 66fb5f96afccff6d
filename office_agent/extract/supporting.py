"""Supporting documents: a ride-hailing trip table (行程单) travels beside the invoice for the same rides. It is
linked to that invoice and must never be counted as a second expense.

:func:`link_supporting` is meant for the batch-level step (``office_agent.extract.bundle``): it finds, for each
trip table, the invoice with the same total (the platform invoices the month's rides in one invoice), records
the link in both records' warnings and returns the pairs. Leaving trip tables out of totals is the ledger's
part: every record of kind ``ride_itinerary`` is a supporting document, linked or not.
"""

from __future__ import annotations

from office_agent.models import Invoice, InvoiceKind

SUPPORTING_KINDS = frozenset({InvoiceKind.RIDE_ITINERARY})


def is_supporting(inv: Invoice) -> bool:
    return inv.invoice_kind in SUPPORTING_KINDS


def link_supporting(invoices: list[Invoice]) -> list[tuple[Invoice, Invoice | None]]:
    """(trip table, the invoice it supports or None) for every supporting record in ``invoices``."""
    expenses = [i for i in invoices if not is_supporting(i) and i.total_amount is not None and not i.duplicate_of]
    used: set[int] = set()
    pairs: list[tuple[Invoice, Invoice | None]] = []
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
            trip.warnings.append(f"supporting document for {match.source}: not counted as an expense")
            match.warnings.append(f"trip table {trip.source} supports this invoice")
        else:
            trip.warnings.append("supporting document (trip table) with no matching invoice: not counted")
        pairs.append((trip, match))
    return pairs
