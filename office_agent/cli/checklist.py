"""``office-agent checklist``: policy documents → a checklist that cites its sources. A few lines over the library
(``office_agent.policy.checklist`` and ``office_agent.policy.generate.checklist``); registered by
``office_agent.cli.app``.

Exit codes: 0 a checklist was made from every file; 1 some files could not be read, or the question matched
nothing (the output says what the documents cover); 2 no document could be read; 3 bad arguments.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from office_agent.cli.common import setup_logging, shared_settings
from office_agent.cli.options import Quiet, Verbose
from office_agent.errors import BadArguments, ExitCode
from office_agent.models import Status
from office_agent.policy_models import Checklist
from office_agent.settings import load_settings

err = Console(stderr=True, soft_wrap=True)


class ChecklistFormat(StrEnum):
    md = "md"
    xlsx = "xlsx"
    json = "json"


def _exit_code(checklist: Checklist) -> int:
    readable = [f for f in checklist.files if f.status in (Status.OK, Status.PARTIAL)]
    if not readable:
        return ExitCode.FAILED
    if checklist.no_match or any(f.status in (Status.FAILED, Status.SKIPPED) for f in checklist.files):
        return ExitCode.PARTIAL
    return ExitCode.OK


def _summary(checklist: Checklist) -> None:
    for f in checklist.files:
        if f.status != Status.OK:
            err.print(f"{f.source}: {f.status.value} — {f.reason}", markup=False, highlight=False)
    if checklist.no_match:
        err.print("nothing in the documents matches the question; they cover:", markup=False)
        for line in checklist.coverage:
            err.print(f"  - {line}", markup=False, highlight=False)
    n_items = len(checklist.items())
    err.print(
        f"{len(checklist.procedures)} procedures, {n_items} items, {len(checklist.excluded)} left out for this case, "
        f"{len(checklist.dropped)} dropped",
        markup=False,
    )


def checklist(
    docs: Annotated[
        list[Path],
        typer.Argument(
            help="Guides, regulations or policies (PDF, DOCX, HTML, MD, TXT), or folders of them.", show_default=False
        ),
    ],
    question: Annotated[str | None, typer.Option("--question", help="What the checklist is for.")] = None,
    fmt: Annotated[ChecklistFormat, typer.Option("--format", "-f", help="Output format.")] = ChecklistFormat.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout; xlsx: outputs/checklist.xlsx).")
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Turn policy documents into a checklist to print and tick, every line citing its source.

    Example: office-agent checklist samples/policy --question "杭州户籍办理护照需要什么材料" -f xlsx -o out.xlsx
    """
    from office_agent.policy.checklist import checklist_from_paths
    from office_agent.policy.generate.checklist import render_json, render_markdown, write_checklist

    setup_logging(verbose)
    missing = [str(p) for p in docs if not p.exists()]
    if missing:
        raise BadArguments(f"no such file or folder: {', '.join(missing)}")
    refiner = None
    settings = shared_settings() or load_settings()
    if settings.llm.enabled:  # opt-in: the model may rephrase and merge; uncited items are dropped and reported
        from office_agent.policy.checklist import read_documents
        from office_agent.policy.extract.llm import LlmChecklistRefiner

        refiner = LlmChecklistRefiner(settings.llm, read_documents(docs)[0])
    result = checklist_from_paths(docs, question, refiner=refiner)
    if output is None and fmt == ChecklistFormat.xlsx:
        output = Path("outputs") / "checklist.xlsx"
    if output is None:
        sys.stdout.write(render_markdown(result) if fmt == ChecklistFormat.md else render_json(result))
    else:
        write_checklist(result, output, fmt.value)
        if not quiet:
            err.print(f"wrote {output}", markup=False, highlight=False)
    if not quiet:
        _summary(result)
    raise typer.Exit(_exit_code(result))


def register(app: typer.Typer) -> None:
    """Add the ``checklist`` command to the ``office-agent`` app."""
    app.command("checklist")(checklist)
