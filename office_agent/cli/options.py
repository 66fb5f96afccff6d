"""Command-line options that several commands take, each declared once (an ``Annotated`` type a command's
parameter uses), so ``--workers`` or ``--config`` reads and behaves the same in ``extract``, ``ledger``, ``run`` …
Options of one command module alone stay in that module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Paths = Annotated[list[Path], typer.Argument(help="Files, folders or ZIPs to read.", show_default=False)]
Workers = Annotated[int | None, typer.Option("--workers", "-j", help="Local worker processes (default: all cores).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Debug logs.")]
Config = Annotated[Path | None, typer.Option("--config", help="Settings file (default: ./office-agent.toml).")]
StdoutOutput = Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")]
RulesFile = Annotated[
    Path | None, typer.Option("--rules", help="Expense-policy rules (YAML): breaches are flagged for review.")
]
