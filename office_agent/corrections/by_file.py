"""Corrections named by a file on disk (``office-agent correct FILE``): the file is read once, so the record is
found by its content and the value a correction replaces is recorded; and the saved corrections applied to a
batch that was just read (``ledger``, ``report``, ``extract``)."""

from __future__ import annotations

from pathlib import Path

from office_agent.batch import process_input
from office_agent.config import DEFAULT_LIMITS
from office_agent.corrections.apply import apply_corrections
from office_agent.corrections.model import (
    Correction,
    CorrectionError,
    CorrectionReport,
    add_corrections,
    load_corrections,
    merge,
    not_reimbursable,
    reimbursable,
    set_field,
    split,
)
from office_agent.ingest.sources import InputFile
from office_agent.models import BatchResult, Invoice
from office_agent.settings import Settings


def read_record(path: Path, page: int | None = None, settings: Settings | None = None) -> Invoice:
    """The record of ``path`` (on ``page`` when the file holds several); :class:`CorrectionError` if none."""
    if not path.is_file():
        raise CorrectionError(f"{path}: no such file")
    results = process_input(InputFile(path, str(path)), DEFAULT_LIMITS, settings)
    records = [inv for r in results for inv in r.invoices]
    if not records:
        reasons = "; ".join(r.reason for r in results if r.reason) or "no invoice in it"
        raise CorrectionError(f"{path}: no record to correct ({reasons})")
    if page is not None:
        records = [inv for inv in records if inv.page == page]
        if not records:
            raise CorrectionError(f"{path}: no record on page {page}")
    if len(records) > 1:
        pages = ", ".join(str(inv.page) for inv in records)
        raise CorrectionError(f"{path}: {len(records)} records (pages {pages}); say which with --page")
    return records[0]


def correct_file(
    out_dir: Path, path: Path, *, page: int | None = None, fields: dict[str, str] | None = None,
    not_reimbursable_reason: str | None = None, reimburse: bool = False, same_as: Path | None = None,
    split_in_two: bool = False, part: int = 1, settings: Settings | None = None, by: str | None = None,
) -> list[Correction]:  # fmt: skip
    """Record corrections of the record in ``path`` into ``out_dir``'s corrections file; returns them."""
    inv = read_record(path, page, settings)
    made = [split(inv, by=by)] if split_in_two else []  # first: a part 2 set below needs the split before it
    made += [set_field(inv, k, v, by=by, part=part) for k, v in (fields or {}).items()]
    if not_reimbursable_reason is not None:
        made.append(not_reimbursable(inv, not_reimbursable_reason, by=by))
    if reimburse:
        made.append(reimbursable(inv, by=by))
    if same_as is not None:
        made.append(merge(read_record(same_as, None, settings), inv, by=by))  # this file: the other's duplicate
    if not made:
        raise CorrectionError("nothing to correct: give --set FIELD=VALUE, --not-reimbursable REASON, --same-as "
                              "or --split")  # fmt: skip
    add_corrections(out_dir, made)
    return made


def apply_saved(result: BatchResult, out_dir: Path, settings: Settings | None = None) -> CorrectionReport:
    """Apply the corrections saved in ``out_dir`` (none: nothing happens) to ``result``, in place."""
    return apply_corrections(result, load_corrections(out_dir), settings)
