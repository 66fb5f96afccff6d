"""The ``correct`` command: record a person's correction of one invoice in the output folder's
``corrections.jsonl``, which every later ``ledger``, ``report``, ``extract`` and ``run`` applies.
``register(app)`` adds it to the ``office-agent`` Typer app; the work is ``office_agent.corrections``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from office_agent.cli.common import err, printable, shared_settings
from office_agent.errors import BadArguments

if TYPE_CHECKING:
    from office_agent.models import BatchResult
    from office_agent.settings import Settings

Out = Annotated[Path, typer.Option("--out", "-o", help="The output folder whose corrections file to write.")]


def _pairs(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values:
        name, sep, value = raw.partition("=")
        if not sep or not name.strip():
            raise BadArguments(f"--set {raw!r}: write FIELD=VALUE, e.g. --set tax_amount=18.00")
        out[name.strip()] = value
    return out


def correct(
    file: Annotated[Path, typer.Argument(help="The invoice file (as given to ledger).", show_default=False)],
    page: Annotated[int | None, typer.Option("--page", help="The page, when the file holds several invoices.")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="FIELD=VALUE (e.g. tax_amount=18.00); repeatable; empty clears.")
    ] = None,
    not_reimbursable: Annotated[
        str | None, typer.Option("--not-reimbursable", help="Leave it out of the totals, for this reason.")
    ] = None,
    reimbursable: Annotated[bool, typer.Option("--reimbursable", help="Undo --not-reimbursable.")] = False,
    same_as: Annotated[
        Path | None, typer.Option("--same-as", help="FILE is the same invoice as this file: not counted twice.")
    ] = None,
    split: Annotated[bool, typer.Option("--split", help="The record holds two invoices: make part 2.")] = False,
    part: Annotated[int, typer.Option("--part", help="With --set: correct part 2 of a split record.")] = 1,
    out: Out = Path("outputs"),
) -> None:
    """Correct an invoice for good: later runs over the same output folder apply it (provenance ``manual``).

    Example: office-agent correct fapiao/hotel.pdf --set tax_amount=18.00 -o outputs
    Example: office-agent correct fapiao/personal.pdf --not-reimbursable "made out to a person" -o outputs
    """
    from office_agent.corrections import corrections_path
    from office_agent.corrections.by_file import correct_file

    made = correct_file(
        out, file, page=page, fields=_pairs(set_ or []), not_reimbursable_reason=not_reimbursable,
        reimburse=reimbursable, same_as=same_as, split_in_two=split, part=part, settings=shared_settings(),
    )  # fmt: skip
    for c in made:
        what = f"{c.field}: {c.replaced or '(empty)'} → {c.value or '(empty)'}" if c.field else c.kind.value
        err.print(f"{printable(str(file))}: {what}", markup=False)
    err.print(f"wrote {corrections_path(out)}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``correct`` to ``app``."""
    app.command("correct")(correct)


def apply_saved_corrections(result: BatchResult, out_dir: Path, settings: Settings | None, quiet: bool) -> None:
    """What ``ledger``, ``report`` and ``extract`` do after reading: apply ``out_dir``'s corrections, and say in
    one line how many applied and which were not (a changed or vanished file), one line each."""
    from office_agent.corrections.by_file import apply_saved

    report = apply_saved(result, out_dir, settings)
    line = report.summary()
    if quiet or line is None:
        return
    err.print(f"corrections ({out_dir / 'corrections.jsonl'}): {line}", markup=False)
    for p in report.problems[:20]:
        err.print(f"  {printable(p.reason)}", markup=False)
