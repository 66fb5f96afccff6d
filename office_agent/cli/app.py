"""The ``office-agent`` Typer app: the settings every command takes before its name, the commands of each module
(``register(app)``), and ``main``, the one place where exceptions become exit codes (see the README's table).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from office_agent import __version__
from office_agent.cli import checklist, invoices, jobs, ocr, pack
from office_agent.cli.common import err, remember_settings
from office_agent.cli.options import Config, RulesFile
from office_agent.errors import BadArguments, ExitCode, OfficeAgentError
from office_agent.settings import load_settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn a folder of Chinese invoices (PDF, OFD, XML, ZIP) into a reimbursement ledger, offline.",
)


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
    rules: RulesFile = None,
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
        rules_file=rules,
    )
    remember_settings(ctx.obj)


for module in (invoices, checklist, jobs, ocr, pack):
    module.register(app)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


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
