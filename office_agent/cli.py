"""The ``office-agent`` command. Each command is a few lines over the library; ``main`` is the one place where
exceptions become exit codes (see the README's table).
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from office_agent import __version__
from office_agent.cli_options import Config, JsonLogs, Paths, Quiet, StdoutOutput, Verbose, Workers
from office_agent.errors import BadArguments, ExitCode, OfficeAgentError
from office_agent.generate.records import iter_records, write_csv, write_json, write_jsonl
from office_agent.models import BatchResult, Status
from office_agent.settings import Settings, load_settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn a folder of Chinese invoices (PDF, OFD, XML, ZIP) into a reimbursement ledger, offline.",
)
err = Console(stderr=True, soft_wrap=True)  # one line per message, also in logs and pipes


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"



def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _summary(result: BatchResult) -> None:
    counts = result.counts()
    err.print(
        f"[bold]{counts['files']}[/] files → [bold]{counts['invoices']}[/] invoices "
        f"({counts['duplicates']} duplicates); ok {counts.get('ok', 0)}, partial {counts.get('partial', 0)}, "
        f"failed {counts.get('failed', 0)}, skipped {counts.get('skipped', 0)}"
    )
    problems = [f for f in result.files if f.status in (Status.FAILED, Status.SKIPPED)]
    if problems:
        table = Table("file", "status", "reason", show_lines=False, box=None)
        for f in problems[:50]:
            table.add_row(escape(printable(f.source)), f.status.value, escape(printable(f.reason or "")))
        err.print(table)
        if len(problems) > 50:
            err.print(f"… and {len(problems) - 50} more")


def printable(name: str) -> str:
    """A file name for the terminal: control characters (a newline in a name, an escape sequence) shown escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)


def _exit_code(result: BatchResult) -> int:
    """0 when every file gave its invoices; 1 when some failed or were skipped; 2 when none could be read."""
    if any(f.status in (Status.FAILED, Status.SKIPPED) for f in result.files):
        return ExitCode.FAILED if not result.invoices else ExitCode.PARTIAL
    return ExitCode.OK


@app.callback()
def options(
    ctx: typer.Context,
    config: Config = None,
    company: Annotated[
        str | None, typer.Option("--company", help="Your company's name: other buyers are flagged.")
    ] = None,
    company_tax_id: Annotated[str | None, typer.Option("--company-tax-id", help="Your company's tax id.")] = None,
    period_from: Annotated[str | None, typer.Option("--period-from", help="Reimbursement period start.")] = None,
    period_to: Annotated[str | None, typer.Option("--period-to", help="Reimbursement period end.")] = None,
    categories: Annotated[Path | None, typer.Option("--categories", help="Your own category rules (YAML).")] = None,
    ocr_engine: Annotated[
        str | None,
        typer.Option("--ocr-engine", help="OCR engine: rapidocr (default), paddleocr, tesseract, null."),
    ] = None,
) -> None:
    """Shared settings for every command (file, then OFFICE_AGENT_* environment, then these options)."""
    if ocr_engine:
        from office_agent.ingest.ocr import available_engines, set_default_engine, unavailable_reason

        if ocr_engine not in available_engines():
            raise BadArguments(f"{unavailable_reason(ocr_engine)}; available: {', '.join(available_engines())}")
        set_default_engine(ocr_engine)
    ctx.obj = load_settings(
        config,
        company__name=company,
        company__tax_id=company_tax_id,
        period__start=period_from,
        period__end=period_to,
        categories_file=categories,
    )
    _shared[:] = [ctx.obj]


def settings_of(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else load_settings()


_shared: list[Settings] = []  # the settings of the command line being run (one per process)


def shared_settings() -> Settings | None:
    """The settings read from the options before the command name, for commands that take no context."""
    return _shared[-1] if _shared else None


@app.command()
def extract(
    ctx: typer.Context,
    paths: Paths,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.jsonl,
    output: StdoutOutput = None,
    workers: Workers = None,
    corrections: Annotated[
        Path | None, typer.Option("--corrections", help="Folder of the corrections.jsonl to apply (default: outputs).")
    ] = None,
    quiet: Quiet = False,
    json_logs: JsonLogs = False,
    verbose: Verbose = False,
) -> None:
    """Print one record per invoice (and one per file that failed).

    Example: office-agent extract samples/invoices --format csv -o outputs/invoices.csv
    """
    from office_agent.cli_correct import apply_saved_corrections
    from office_agent.cli_ledger import logs, read_batch

    logs(verbose, json_logs)
    result = read_batch(paths, workers, settings_of(ctx), [output] if output else [], not (quiet or json_logs))
    apply_saved_corrections(result, corrections or Path("outputs"), settings_of(ctx), quiet or json_logs)
    failures = [f for f in result.files if f.status == Status.FAILED]
    writer = {OutputFormat.jsonl: write_jsonl, OutputFormat.json: write_json, OutputFormat.csv: write_csv}[fmt]
    records = iter_records(result.invoices, failures)
    if output is None:
        writer(records, sys.stdout)
    else:
        from office_agent.generate.ledger import atomic_write

        with atomic_write(output, encoding="utf-8-sig" if fmt == OutputFormat.csv else "utf-8") as fh:
            writer(records, fh)
    if json_logs:
        logging.getLogger(__name__).info("finished", extra={"event": "batch_finished", **result.counts()})
    elif not quiet:
        _summary(result)
    raise typer.Exit(_exit_code(result))


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _register_commands() -> None:
    """Commands that live in their own modules, each with a ``register(app)``."""
    from office_agent.cli_checklist import register as register_checklist
    from office_agent.cli_correct import register as register_correct
    from office_agent.cli_jobs import register as register_jobs
    from office_agent.cli_ledger import register as register_ledger
    from office_agent.cli_ocr import register as register_ocr
    from office_agent.cli_review import register as register_review

    register_ledger(app)
    register_checklist(app)
    register_jobs(app)
    register_ocr(app)
    register_correct(app)
    register_review(app)


_register_commands()


def main() -> None:
    try:
        code = app(standalone_mode=False)  # returns the code of a typer.Exit instead of raising it
        sys.exit(code if isinstance(code, int) else ExitCode.OK)
    except OfficeAgentError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        sys.exit(exc.exit_code)
    except OSError as exc:  # an output path that cannot be made or written, outside the library's own checks
        where = f" {exc.filename}" if exc.filename else ""
        err.print(f"[red]error:[/] cannot write{escape(where)}: {escape(exc.strerror or str(exc))}")
        sys.exit(ExitCode.FAILED)
    except (typer.BadParameter, typer.Abort) as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(ExitCode.BAD_ARGS)
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(ExitCode.BAD_ARGS)
        raise
