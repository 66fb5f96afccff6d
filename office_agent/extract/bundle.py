"""Batch-level identity: one invoice however many files carry it.

- The same invoice in different formats (the tax portal's PDF + OFD + XML bundle, or loose files) becomes ONE
  record built from the richest source (XML > OFD > PDF > image); the others fill only what it lacks.
- The same invoice twice in the same format (a second submission, a re-download under another name) stays
  visible as its own record with ``duplicate_of`` pointing at the first occurrence, and is left out of totals.
Keys are those of FORMATS.md: code + number, the 20-digit number, or seller + date + total. Files are one invoice
only when their key fields agree: the same number, the same code where both have one, and the same date and total
where both have them (a legacy 8-digit number whose code one side lacks needs both date and total on both sides).
Files with the same number that disagree are different invoices: each stays a record of its own with a failed
``same_number_conflict`` check naming the other, never an ``alternatives`` entry that hides one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from office_agent.extract.checks import validate
from office_agent.extract.supporting import link_supporting
from office_agent.models import Alternative, Check, DocFormat, Invoice, Source, Status
from office_agent.settings import Settings

_FORMAT_RANK = {DocFormat.XML: 4, DocFormat.OFD: 3, DocFormat.PDF: 2, DocFormat.IMAGE: 1}
_MERGEABLE = (
    "invoice_code", "invoice_number", "issue_date", "check_code", "machine_number", "buyer_name", "buyer_tax_id",
    "seller_name", "seller_tax_id", "amount_without_tax", "tax_amount", "total_amount", "total_amount_in_words",
    "remarks", "drawer", "qr_payload", "title", "original_invoice_number",
)  # fmt: skip


R = TypeVar("R", bound="RedLinkable")


def _format_rank(inv: Invoice) -> int:
    return _FORMAT_RANK.get(inv.format or DocFormat.UNKNOWN, 0)


class SeenIndex(Protocol):
    """Invoices seen by earlier runs (the job store implements it; :class:`MemoryIndex` until then)."""

    def first_seen(self, identity: tuple[str, ...]) -> tuple[str, str] | None:
        """(source, sha256) of the first record with this identity, or None."""
        ...

    def add(self, identity: tuple[str, ...], source: str, sha256: str) -> None: ...


class MemoryIndex:
    def __init__(self) -> None:
        self._seen: dict[tuple[str, ...], tuple[str, str]] = {}

    def first_seen(self, identity: tuple[str, ...]) -> tuple[str, str] | None:
        return self._seen.get(identity)

    def add(self, identity: tuple[str, ...], source: str, sha256: str) -> None:
        self._seen.setdefault(identity, (source, sha256))


def deduplicate(
    invoices: Iterable[Invoice], settings: Settings | None = None, seen: SeenIndex | None = None
) -> list[Invoice]:
    """The batch step: merge bundles, mark repeats (within the batch and against ``seen``), link red invoices."""
    records = merge_and_mark(invoices, settings)
    if seen is not None:
        mark_seen_before(records, seen)
    link_red_invoices(records)
    link_supporting(records)  # trip tables support an invoice, never add to the total
    return records


def mark_seen_before(records: list[Invoice], seen: SeenIndex) -> None:
    """A record whose identity an earlier run already counted, from other bytes, is a duplicate submission."""
    for inv in records:
        key = inv.identity()
        if key is None or inv.duplicate_of or inv.status == Status.FAILED:
            continue
        first = seen.first_seen(key)
        if first is None:
            seen.add(key, inv.source, inv.sha256)
        elif first[1] != inv.sha256 and first[0] not in inv.sources:
            inv.duplicate_of = {"source": first[0], "sha256": first[1]}
            inv.warnings.append(f"duplicate of {first[0]} (an earlier run): left out of totals")


class RedLinkable(Protocol):
    """What red-invoice linking looks at: an :class:`Invoice`, or a compact key standing for one."""

    source: str
    sha256: str
    invoice_number: str | None
    is_red: bool
    original_invoice_number: str | None


def red_pairs(records: Sequence[R]) -> list[tuple[R, R | None]]:
    """Each red invoice, in order, with the blue one it reverses (the last of that number), or None."""
    by_number = {inv.invoice_number: inv for inv in records if inv.invoice_number and not inv.is_red}
    return [(red, by_number.get(red.original_invoice_number or "")) for red in records if red.is_red]


def link_red(red: Invoice, blue: RedLinkable | None) -> None:
    """The red side of a link (``blue`` None: the invoice it reverses is not in the batch)."""
    if blue is None:
        detail = (
            f"reverses {red.original_invoice_number}, which is not in this batch"
            if red.original_invoice_number
            else "the invoice it reverses is not named"
        )
        red.checks.append(Check(name="red_invoice_linked", passed=None, detail=detail))
        return
    red.reverses = {"source": blue.source, "sha256": blue.sha256, "invoice_number": blue.invoice_number or ""}
    red.checks.append(Check(name="red_invoice_linked", passed=True, detail=f"reverses {blue.invoice_number}"))


def link_blue(blue: Invoice, red: RedLinkable) -> None:
    """The blue side of a link: the red invoice is listed in ``reversed_by`` (once)."""
    link = {"source": red.source, "sha256": red.sha256, "invoice_number": red.invoice_number or ""}
    if link not in blue.reversed_by:
        blue.reversed_by.append(link)


def link_red_invoices(records: list[Invoice]) -> None:
    """Link each red (negative) invoice to the blue one it reverses: both stay visible, the net is what counts."""
    for red, blue in red_pairs(records):
        if blue is not None:
            link_blue(blue, red)
        link_red(red, blue)


def same_invoice(a: Invoice, b: Invoice) -> bool:
    """Whether two records with the same number are the same invoice: no key field disagrees, and a number that
    does not identify an invoice alone (legacy, 8 digits) is backed by its code or by both date and total."""
    if a.invoice_number != b.invoice_number:
        return False
    if a.invoice_code and b.invoice_code and a.invoice_code != b.invoice_code:
        return False
    for field in ("issue_date", "total_amount"):
        mine, theirs = getattr(a, field), getattr(b, field)
        if mine is not None and theirs is not None and mine != theirs:
            return False
    if len(a.invoice_number or "") == 20 or (a.invoice_code and b.invoice_code):
        return True
    return all(getattr(r, f) is not None for r in (a, b) for f in ("issue_date", "total_amount"))


def _clusters(members: list[Invoice]) -> list[list[Invoice]]:
    """Records of one number split into invoices: each joins the first cluster all of whose records it agrees with."""
    clusters: list[list[Invoice]] = []
    for inv in members:
        home = next((c for c in clusters if all(same_invoice(inv, other) for other in c)), None)
        if home is None:
            clusters.append([inv])
        else:
            home.append(inv)
    return clusters


def _flag_conflicts(heads: list[Invoice]) -> None:
    """Invoices of one number whose codes do not tell them apart: a review item on each (its merged record)."""
    for i, head in enumerate(heads):
        for j, peer in enumerate(heads):
            if i == j or (head.invoice_code and peer.invoice_code and head.invoice_code != peer.invoice_code):
                continue
            differ = [f for f in _KEY_FIELDS if getattr(head, f) is not None and getattr(peer, f) is not None
                      and getattr(head, f) != getattr(peer, f)]  # fmt: skip
            why = f"{', '.join(differ)} differ" if differ else "the code is missing and date or total is unread"
            head.checks.append(Check(name="same_number_conflict", passed=False, detail=(
                f"number {head.invoice_number} also on {peer.source}, but {why}: kept as two invoices")))  # fmt: skip
            if head.status == Status.OK:
                head.status = Status.PARTIAL
            head.warnings.append(f"failed checks: same_number_conflict ({peer.source})")


_KEY_FIELDS = ("issue_date", "total_amount", "seller_tax_id", "invoice_code")


def group_key(inv: Invoice) -> tuple[str, ...] | None:
    """What puts records in one group before ``same_invoice`` splits it: the number, else the identity."""
    return ("no", inv.invoice_number) if inv.invoice_number else inv.identity()


def merge_and_mark(invoices: Iterable[Invoice], settings: Settings | None = None) -> list[Invoice]:
    """Merge cross-format copies and mark same-format repeats. Input order decides "first occurrence"."""
    out: list[Invoice] = []
    groups: dict[tuple[str, ...], list[Invoice]] = {}
    for inv in invoices:
        key = group_key(inv)
        if key is None or inv.status == Status.FAILED:
            out.append(inv)
            continue
        groups.setdefault(key, []).append(inv)
        out.append(inv)
    replaced: dict[int, Invoice | None] = {}
    for members in groups.values():
        for record, absorbed in resolve_number_group(members, settings):
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


def resolve_number_group(members: list[Invoice], settings: Settings | None) -> list[tuple[Invoice, list[Invoice]]]:
    """The records of one number as invoices: split into those that agree (``same_invoice``), each merged into its
    copies (``resolve_group``), and a ``same_number_conflict`` on the heads when more than one invoice remains. The
    in-memory batch and the job store's streamed ledger both decide through here."""
    resolved: list[tuple[Invoice, list[Invoice]]] = []
    heads = []
    for cluster in _clusters(members):
        copies = resolve_group(cluster, settings) if len(cluster) > 1 else [(cluster[0], [])]
        heads.append(copies[0][0])
        resolved.extend(copies)
    if len(heads) > 1:
        _flag_conflicts(heads)
    return resolved


def resolve_group(members: list[Invoice], settings: Settings | None) -> list[tuple[Invoice, list[Invoice]]]:
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
            validate(_reset(primary), settings)
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
            prov = other.provenance.get(field)
            primary.add_alternative(
                field,
                Alternative(
                    value=str(theirs),
                    source=prov.source if prov else Source.TEXT,
                    origin=other.source,
                    reason=f"the {primary.format.value if primary.format else 'primary'} file of the bundle is richer",
                ),
            )
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
