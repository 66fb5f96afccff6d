"""Applying the corrections of ``corrections.jsonl`` to a batch (``ledger``, ``report``, ``extract``, the Python
API) or to one stored record at a time (scheduled jobs, whose ledger is rebuilt from the store).

A correction finds its record by the sha256 of the file it names (any file of a bundle record), the page and the
part. One that finds none is reported, never applied to whatever is there now: ``changed`` when its path was read
with other content, ``vanished`` when the path is gone, ``no_record`` when the file is there but holds no such
record. A correction of a file that this run simply did not read (another folder) is left alone, unreported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from office_agent.corrections.model import (
    Correction,
    CorrectionError,
    CorrectionReport,
    Kind,
    Problem,
    Target,
    as_text,
    parse_value,
)
from office_agent.extract.checks import validate
from office_agent.extract.ocrconf import flag_low_confidence
from office_agent.models import Alternative, BatchResult, ErrorInfo, Invoice, Notice, Provenance, Source, Status
from office_agent.settings import Settings

# Errors that validate() and flag_low_confidence() add: removed before they run again on a corrected record.
_DERIVED_ERRORS = ("missing ", "low OCR confidence, check by hand: ")
_DERIVED_WARNINGS = ("failed checks: ",)
SPLIT_CLEARED = ("invoice_number", "amount_without_tax", "tax_amount", "total_amount", "total_amount_in_words")


def revalidate(inv: Invoice, settings: Settings | None = None) -> Invoice:
    """Run every check again on a corrected record, as the chain runs them, and set its status afresh."""
    inv.errors = [e for e in inv.errors if not (e.stage == "extract" and e.message.startswith(_DERIVED_ERRORS))]
    inv.warnings = [w for w in inv.warnings if not w.startswith(_DERIVED_WARNINGS)]
    if inv.status != Status.FAILED:
        inv.status = Status.OK
    return flag_low_confidence(validate(inv, settings))


def _set(inv: Invoice, c: Correction) -> bool:
    """Apply one ``set``; False when the record already holds exactly this manual value."""
    name = c.field or ""
    new = parse_value(name, c.value or "")
    old, old_prov = getattr(inv, name), inv.provenance.get(name)
    if old == new and old_prov is not None and old_prov.source == Source.MANUAL:
        return False
    when = c.at.strftime("%Y-%m-%d %H:%M UTC")
    if old is not None and old != new and old_prov is not None and old_prov.source != Source.MANUAL:
        inv.add_alternative(
            name, Alternative(value=as_text(old) or "", source=old_prov.source, reason=f"corrected by {c.by} {when}")
        )
    setattr(inv, name, new)
    inv.provenance[name] = Provenance(
        source=Source.MANUAL,
        page=old_prov.page if old_prov else inv.page,
        bbox=old_prov.bbox if old_prov else None,  # the box stays where the value was read: the report shows it
        detail=f"corrected by {c.by} {when}; was {c.replaced if c.replaced is not None else 'empty'}",
    )
    return True


def apply_to_record(inv: Invoice, corrections: Sequence[Correction], settings: Settings | None = None) -> int:
    """Apply the record-level corrections (``set``, reimbursable or not) in their order; checks run again when a
    field changed. Returns how many applied; :class:`CorrectionError` on a value that no longer parses."""
    applied = changed = 0
    for c in corrections:
        if c.kind == Kind.SET:
            changed += _set(inv, c)
        elif c.kind == Kind.NOT_REIMBURSABLE:
            inv.not_reimbursable = c.reason or "not reimbursable"
        elif c.kind == Kind.REIMBURSABLE:
            inv.not_reimbursable = None
        else:
            continue
        applied += 1
    if changed:
        revalidate(inv, settings)
    return applied


@dataclass
class _Index:
    """The batch's records by (sha256, page), through every file of a bundle record; and the paths read."""

    records: dict[tuple[str, int], list[Invoice]] = field(default_factory=dict)
    by_sha: dict[str, list[Invoice]] = field(default_factory=dict)
    read: dict[str, str | None] = field(default_factory=dict)  # path read → its sha256

    @classmethod
    def of(cls, result: BatchResult) -> _Index:
        idx = cls()
        sha_of_path = {f.source: f.sha256 for f in result.files}
        idx.read = sha_of_path
        for inv in result.invoices:
            shas = {inv.sha256, *(sha_of_path.get(s) for s in inv.sources)}
            for sha in (s for s in shas if s):
                idx.records.setdefault((sha, inv.page), []).append(inv)
                idx.by_sha.setdefault(sha, []).append(inv)
        return idx

    def find(self, t: Target) -> Invoice | None:
        found = self.by_sha.get(t.sha256, []) if t.page is None else self.records.get((t.sha256, t.page), [])
        return found[0] if found else None


def _missing(c: Correction, idx: _Index) -> Problem | None:
    """Why ``c`` found no record (None: its file was not among this run's inputs)."""
    t = c.target
    what = f"{c.kind.value}{' ' + c.field if c.field else ''} by {c.by} {c.at:%Y-%m-%d}"
    if t.source in idx.read and idx.read[t.source] != t.sha256:
        return Problem(c, "changed", f"{t.source}: the file changed since it was corrected ({what}); not applied")
    if t.sha256 in idx.by_sha or t.source in idx.read:
        return Problem(c, "no_record", f"{t.source}: no record on page {t.page} ({what}); not applied")
    if not Path(t.source.split("!", 1)[0]).exists():
        return Problem(c, "vanished", f"{t.source}: the file is gone ({what}); not applied")
    return None


def _split(inv: Invoice, result: BatchResult) -> Invoice:
    """Part 2 of a record that holds two invoices: the same file and page, its amounts and number to be set."""
    part = inv.model_copy(deep=True)
    for name in SPLIT_CLEARED:
        setattr(part, name, None)
        part.provenance.pop(name, None)
    part.alternatives, part.items, part.duplicate_of = {}, [], None
    part.warnings = [*part.warnings, "part 2 of a record split by hand: set its number and amounts"]
    result.invoices.insert(result.invoices.index(inv) + 1, part)
    return part


def _merge(inv: Invoice, other: Invoice) -> None:
    """``other`` is the same invoice as ``inv``: shown as its duplicate, left out of the totals."""
    other.duplicate_of = {"source": inv.source, "sha256": inv.sha256}
    for s in [other.source, *other.sources]:
        if s not in inv.sources:
            inv.sources.append(s)


def apply_corrections(
    result: BatchResult, corrections: Iterable[Correction], settings: Settings | None = None
) -> CorrectionReport:
    """Apply ``corrections`` to ``result`` in place (after deduplication); what could not be applied is in the
    report and in ``result.notices`` (the ledger's 待复核 sheet lists them)."""
    report = CorrectionReport()
    idx = _Index.of(result)
    parts: dict[tuple[str, int, int], Invoice] = {}
    pending: dict[int, tuple[Invoice, list[Correction]]] = {}
    for c in corrections:
        inv = idx.find(c.target) if c.target.part == 1 else parts.get(_part_key(c.target))
        if inv is None:
            report.problems.append(_missing(c, idx) or Problem(c, "", ""))
            continue
        if c.kind == Kind.SPLIT:
            t = target_of_record(inv, c.target)
            parts.setdefault(_part_key(t, 2), _split(inv, result))
            report.applied += 1
        elif c.kind == Kind.MERGE:
            other = idx.find(c.other) if c.other else None
            if other is None or other is inv:
                report.problems.append(_missing(c.model_copy(update={"target": c.other}), idx) or Problem(c, "", ""))
                continue
            _merge(inv, other)
            report.applied += 1
        else:
            pending.setdefault(id(inv), (inv, []))[1].append(c)
    for inv, cs in pending.values():
        _apply_one(inv, cs, settings, report)
    report.problems = [p for p in report.problems if p.issue]
    for p in report.problems:
        t = p.correction.target
        result.notices.append(Notice(issue="correction", source=t.source, reason=p.reason, sha256=t.sha256))
    return report


def _apply_one(inv: Invoice, cs: list[Correction], settings: Settings | None, report: CorrectionReport) -> None:
    """The record-level corrections of one record; one whose value no longer parses (the file was edited by
    hand) is reported and flags the record, and the others still apply."""
    good = []
    for c in cs:
        try:
            if c.kind == Kind.SET:
                parse_value(c.field or "", c.value or "")
            good.append(c)
        except CorrectionError as exc:
            report.problems.append(Problem(c, "bad_value", f"{inv.source}: {exc}; not applied"))
            inv.errors.append(ErrorInfo(stage="correct", message=f"a correction could not be applied: {exc}"))
            if inv.status == Status.OK:
                inv.status = Status.PARTIAL
    report.applied += apply_to_record(inv, good, settings)
    report.corrected.append(inv)


def target_of_record(inv: Invoice, t: Target) -> Target:
    return Target(source=t.source, sha256=t.sha256, page=inv.page, part=1)


def _part_key(t: Target, part: int | None = None) -> tuple[str, int, int]:
    return (t.sha256, t.page or 1, part or t.part)


def corrected_copy(
    result: BatchResult, corrections: Sequence[Correction], settings: Settings | None = None
) -> tuple[BatchResult, CorrectionReport]:
    """``result`` with ``corrections`` applied, ``result`` itself untouched: only the records a correction
    names are copied (a review page applies the whole file again after every save, over thousands of records)."""
    named = {c.target.sha256 for c in corrections} | {c.other.sha256 for c in corrections if c.other}
    sha_of_path = {f.source: f.sha256 for f in result.files}
    invoices = [
        inv.model_copy(deep=True)
        if inv.sha256 in named or any(sha_of_path.get(s) in named for s in inv.sources)
        else inv
        for inv in result.invoices
    ]
    copy = BatchResult(files=result.files, invoices=invoices, notices=list(result.notices))
    return copy, apply_corrections(copy, corrections, settings)
