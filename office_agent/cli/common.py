"""What every command module shares: the stderr console, logging, the settings read before the command name, the
batch summary and the exit code of a batch. Nothing here imports a command module, so the commands import it
freely and ``app`` imports the commands: the imports go one way.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from office_agent.errors import ExitCode
from office_agent.models import BatchResult, Status
from office_agent.settings import Settings, load_settings

err = Console(stderr=True, soft_wrap=True)  # one line per message, also in logs and pipes


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def printable(name: str) -> str:
    """A file name for the terminal: control characters (a newline in a name, an escape sequence) shown escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)


def print_summary(result: BatchResult) -> None:
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


def batch_exit_code(result: BatchResult) -> int:
    """0 when every file gave its invoices; 1 when some failed or were skipped; 2 when none could be read."""
    if any(f.status in (Status.FAILED, Status.SKIPPED) for f in result.files):
        return ExitCode.FAILED if not result.invoices else ExitCode.PARTIAL
    return ExitCode.OK


_shared: list[Settings] = []  # the settings of the command line being run (one per process)


def remember_settings(settings: Settings) -> None:
    _shared[:] = [settings]


def shared_settings() -> Settings | None:
    """The settings read from the options before the command name, for commands that take no context."""
    return _shared[-1] if _shared else None


def settings_of(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else load_settings()
