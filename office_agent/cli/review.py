"""The ``review`` command: a local page to go through the 待复核 list, correct fields and rebuild the ledger.
``register(app)`` adds it to the ``office-agent`` Typer app; the work is ``office_agent.review``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from office_agent.cli.common import err, setup_logging
from office_agent.cli.options import Config, Quiet, Verbose, Workers
from office_agent.errors import BadArguments


def review(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files, folders or ZIPs to read (or --job).", show_default=False)
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: ledger and corrections.")] = Path("outputs"),
    job: Annotated[Path | None, typer.Option("--job", help="Review a scheduled job's ledger (its job.toml).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port on 127.0.0.1 (default: a free one).")] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Only print the URL.")] = False,
    config: Config = None,
    workers: Workers = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Open the review page on 127.0.0.1: the 待复核 list first, each invoice's page with its boxes; click a field
    to correct it (saved to corrections.jsonl, the ledger rebuilt); keys j/k next/previous, a accept, e correct.

    Example: office-agent review ~/fapiao -o outputs
    Example: office-agent review --job job.toml --no-browser --port 8765
    """
    from office_agent.cli.invoices import _settings
    from office_agent.review.server import open_folder, open_job, serve

    setup_logging(verbose)
    if port is not None and not 0 < port < 65536:
        raise BadArguments(f"--port {port}: give a port from 1 to 65535")
    if job is not None and paths:
        raise BadArguments("give either PATHS or --job, not both")
    if job is None and not paths:
        raise BadArguments("give the files or folders to review, or --job job.toml")
    session = open_job(job) if job is not None else open_folder(paths or [], out, _settings(config, None, None),
                                                                workers=workers)  # fmt: skip
    if not quiet:
        err.print(
            f"{len(session.entries)} invoices, {sum(e.needs_review for e in session.entries)} to review; "
            f"corrections go to {session.out / 'corrections.jsonl'}", markup=False,
        )  # fmt: skip
    try:
        serve(session, port, open_browser=not no_browser)
    except OSError as exc:
        raise BadArguments(f"cannot listen on 127.0.0.1:{port or 0}: {exc.strerror or exc}") from exc


def register(app: typer.Typer) -> None:
    """Add ``review`` to ``app``."""
    app.command("review")(review)
