"""The typed lines of ``corrections.jsonl`` (see the package's docstring and docs/review.md), how a correction
is made (its value checked, the value it replaces recorded), and how the file is read and written atomically.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from office_agent.errors import BadArguments
from office_agent.models import Invoice

FILE_NAME = "corrections.jsonl"
FORMAT_VERSION = 1
# The fields a person may correct: what the invoice says. Bookkeeping (source, status, checks, links) is not.
CORRECTABLE: tuple[str, ...] = (
    "invoice_code", "invoice_number", "issue_date", "check_code", "machine_number", "buyer_name", "buyer_tax_id",
    "seller_name", "seller_tax_id", "seller_address", "amount_without_tax", "tax_amount", "total_amount",
    "total_amount_in_words", "currency", "category", "remarks", "drawer", "is_red", "original_invoice_number",
    "passenger", "route", "travel_date", "trip_number", "seat_class", "fare", "vehicle_plate", "pickup_time",
    "dropoff_time", "unit_price", "distance_km",
)  # fmt: skip
# What validate() adds, removed before it runs again on a corrected record.
_CHECK_WARNING = "failed checks: "
_MISSING_ERROR = "missing "


class CorrectionError(BadArguments):
    """A correction that cannot be made: an unknown field, a value of the wrong kind, no such record."""


class Kind(StrEnum):
    SET = "set"
    NOT_REIMBURSABLE = "not_reimbursable"
    REIMBURSABLE = "reimbursable"  # undoes not_reimbursable
    MERGE = "merge"
    SPLIT = "split"


class Target(BaseModel):
    """A record: the file it was read from (its path when the correction was made, and its content's sha256),
    its page, and for a record made by a ``split``, the part (1: the original)."""

    model_config = ConfigDict(frozen=True)

    source: str
    sha256: str
    page: int | None = None  # None: the file's only record (or every record of the file)
    part: int = 1


class Correction(BaseModel):
    """One line of ``corrections.jsonl``."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    target: Target
    field: str | None = None  # set
    value: str | None = None  # set: the new value as text ("" clears the field)
    replaced: str | None = None  # set: the value it replaced, as text, when it was made
    reason: str | None = None  # not_reimbursable
    other: Target | None = None  # merge: the record that is the same invoice
    by: str
    at: dt.datetime
    v: int = FORMAT_VERSION

    def key(self) -> tuple[str, ...]:
        """Corrections with the same key replace each other: the last one in the file wins."""
        t = self.target
        base = (t.sha256, str(t.page), str(t.part))
        if self.kind == Kind.SET:
            return (*base, "set", self.field or "")
        if self.kind in (Kind.NOT_REIMBURSABLE, Kind.REIMBURSABLE):
            return (*base, "reimbursable")
        if self.kind == Kind.MERGE and self.other is not None:
            return (*base, "merge", self.other.sha256, str(self.other.page))
        return (*base, self.kind.value)


@dataclass
class Problem:
    """A correction that was not applied, and why (one line for the summary and the review sheet)."""

    correction: Correction
    issue: str  # changed, vanished, no_record, bad_value
    reason: str


@dataclass
class CorrectionReport:
    applied: int = 0
    problems: list[Problem] = field(default_factory=list)
    corrected: list[Invoice] = field(default_factory=list)

    def summary(self) -> str | None:
        """One line for the command's summary; None when there were no corrections at all."""
        if not self.applied and not self.problems:
            return None
        parts = [f"{self.applied} correction{'' if self.applied == 1 else 's'} applied"]
        for issue in ("changed", "vanished", "no_record", "bad_value"):
            n = sum(1 for p in self.problems if p.issue == issue)
            if n:
                parts.append(f"{n} not applied ({issue.replace('_', ' ')})")
        return ", ".join(parts)


def who() -> str:
    """The person making a correction: $OFFICE_AGENT_USER, else the login name."""
    try:
        return os.environ.get("OFFICE_AGENT_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in a slim container
        return "unknown"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- the file --------------------------------------------------------------------------------------------------------


def corrections_path(out_dir: Path) -> Path:
    return out_dir / FILE_NAME


def load_corrections(path: Path) -> list[Correction]:
    """Every correction of ``path`` in file order (none when it does not exist). A line that is not a correction
    raises :class:`CorrectionError` naming the file and the line: a person's data is never skipped silently."""
    if path.is_dir():
        path = corrections_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # no output folder yet: nothing corrected
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionError(f"{path}: cannot read the corrections ({exc})") from exc
    out: list[Correction] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Correction.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "line"
            raise CorrectionError(f"{path}:{n}: not a correction ({where}: {first.get('msg')})") from exc
    return out


def dumps(c: Correction) -> str:
    return json.dumps(c.model_dump(mode="json", exclude_none=True), ensure_ascii=False, sort_keys=True)


def save_corrections(path: Path, corrections: Sequence[Correction]) -> Path:
    """Write ``corrections`` (later ones replacing earlier ones with the same key) atomically."""
    from office_agent.generate.ledger import atomic_write

    if path.is_dir():
        path = corrections_path(path)
    latest: dict[tuple[str, ...], Correction] = {}
    for c in corrections:
        latest.pop(c.key(), None)
        latest[c.key()] = c  # moved to the end: the file keeps the order they were made in
    with atomic_write(path) as fh:
        for c in latest.values():
            fh.write(dumps(c) + "\n")
    return path


def add_corrections(path: Path, new: Iterable[Correction]) -> Path:
    """Append ``new`` to the corrections at ``path`` (a file, or the output folder holding one)."""
    if path.is_dir() or not path.suffix:
        path = corrections_path(path)
    return save_corrections(path, [*load_corrections(path), *new])


def digest(corrections: Sequence[Correction]) -> str:
    """Changes whenever applying the corrections could change a ledger."""
    return hashlib.sha256("\n".join(dumps(c) for c in corrections).encode()).hexdigest()


# -- making corrections ----------------------------------------------------------------------------------------------


def parse_value(name: str, value: str) -> Any:
    """``value`` as ``Invoice.name`` holds it; :class:`CorrectionError` for an unknown field or a bad value."""
    if name not in CORRECTABLE:
        raise CorrectionError(f"{name!r} is not a field that can be corrected; fields: {', '.join(CORRECTABLE)}")
    text = value.strip()
    if text == "":
        return None if name not in ("currency", "is_red") else _bad(name, value, "it cannot be empty")
    annotation = Invoice.model_fields[name].annotation
    if annotation is None:
        return _bad(name, value, "the field has no type")
    if name in ("amount_without_tax", "tax_amount", "total_amount", "fare", "unit_price", "distance_km"):
        text = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
    try:
        parsed = TypeAdapter(annotation).validate_python(text)
    except ValidationError as exc:
        return _bad(name, value, exc.errors()[0].get("msg", "invalid"))
    if isinstance(parsed, Decimal) and not parsed.is_finite():
        return _bad(name, value, "not a finite number")
    return parsed


def _bad(name: str, value: str, why: str) -> Any:
    raise CorrectionError(f"{name}={value!r}: {why}")


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def target_of(inv: Invoice, part: int = 1) -> Target:
    return Target(source=inv.source, sha256=inv.sha256, page=inv.page, part=part)


def set_field(inv: Invoice, name: str, value: str, *, by: str | None = None, part: int = 1) -> Correction:
    """A ``set`` correction of ``inv`` (its value checked now; the value it replaces recorded)."""
    parse_value(name, value)
    return Correction(
        kind=Kind.SET, target=target_of(inv, part), field=name, value=value.strip(),
        replaced=as_text(getattr(inv, name)), by=by or who(), at=now(),
    )  # fmt: skip


def not_reimbursable(inv: Invoice, reason: str, *, by: str | None = None) -> Correction:
    if not reason.strip():
        raise CorrectionError("say why the invoice is not reimbursable (a reason is required)")
    return Correction(kind=Kind.NOT_REIMBURSABLE, target=target_of(inv), reason=reason.strip(), by=by or who(),
                      at=now())  # fmt: skip


def reimbursable(inv: Invoice, *, by: str | None = None) -> Correction:
    return Correction(kind=Kind.REIMBURSABLE, target=target_of(inv), by=by or who(), at=now())


def merge(inv: Invoice, other: Invoice, *, by: str | None = None) -> Correction:
    """``inv`` and ``other`` are one invoice: ``other`` stays visible as its duplicate, out of the totals."""
    if (inv.sha256, inv.page) == (other.sha256, other.page):
        raise CorrectionError("a record cannot be merged with itself")
    return Correction(kind=Kind.MERGE, target=target_of(inv), other=target_of(other), by=by or who(), at=now())


def split(inv: Invoice, *, by: str | None = None) -> Correction:
    """``inv`` holds two invoices: part 2 becomes a record of its own, to be filled in with ``set(part=2)``."""
    return Correction(kind=Kind.SPLIT, target=target_of(inv), by=by or who(), at=now())


def correct(
    out_dir: Path, inv: Invoice, fields: dict[str, str] | None = None, *, not_reimbursable_reason: str | None = None,
    by: str | None = None,
) -> list[Correction]:  # fmt: skip
    """Record corrections of ``inv`` in ``out_dir``'s corrections file; returns the corrections written.

    The Python API's one call (notebooks use it): ``correct(out, invoice, {"tax_amount": "18.00"})``."""
    made = [set_field(inv, k, v, by=by) for k, v in (fields or {}).items()]
    if not_reimbursable_reason is not None:
        made.append(not_reimbursable(inv, not_reimbursable_reason, by=by))
    if not made:
        raise CorrectionError("nothing to correct: give a field to set or a reason it is not reimbursable")
    add_corrections(out_dir, made)
    return made
