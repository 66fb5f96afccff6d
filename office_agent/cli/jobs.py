"""The scheduled-job commands: ``run JOB.toml``, ``watch FOLDER``, ``store export|import|info``.

``office_agent.cli.app`` adds them with ``register(app)``. Each command is a few lines over ``office_agent.jobs``;
errors travel up to ``office_agent.cli.app.main``, the one place that turns them into exit codes (4: locked).
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from office_agent.cli.options import Quiet, StdoutOutput, Verbose, Workers
from office_agent.errors import BadArguments, ExitCode
from office_agent.jobs.jobfile import job_from_dict, load_job
from office_agent.jobs.logs import setup_logging
from office_agent.jobs.progress import progress_for

if TYPE_CHECKING:  # the store, the runner and SQLAlchemy load when a job command runs, not with every command
    from office_agent.jobs.report import RunReport

err = Console(stderr=True, soft_wrap=True)

StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Store: a SQLite path, sqlite:///… or postgresql://… URL.")
]
JobOpt = Annotated[Path | None, typer.Option("--job", help="Take the store (and settings) from this job file.")]
ExecutorOpt = Annotated[str | None, typer.Option("--executor", help="local (default) or dask://HOST:PORT.")]
JsonLogs = Annotated[
    bool, typer.Option("--json-logs", help="Logs as one JSON object per line on stderr (cron, systemd).")
]
ProgressOpt = Annotated[
    bool | None, typer.Option("--progress/--no-progress", help="Progress bars (default: on a terminal).")
]


def _sigterm_as_interrupt() -> None:
    """systemd and kill send SIGTERM: stop like Ctrl-C (finish the current write, release the lock)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _cli_store(store: str | None) -> str | None:
    if store is None or "://" in store:
        return store
    return str(Path(store).expanduser().absolute())  # a path on the command line is relative to the cwd


def _print_report(report: RunReport) -> None:
    c = report.counts
    err.print(
        f"run {report.run_id}: [bold]{c.get('new', 0)}[/] new, {c.get('changed', 0)} changed, "
        f"{c.get('renamed', 0)} renamed, {c.get('copies', 0)} copies, {c.get('unchanged', 0)} unchanged, "
        f"{c.get('vanished', 0)} vanished, {c.get('problems', 0)} to retry ({report.seconds:.1f} s, {report.executor})"
    )
    led = report.ledger
    if led:
        err.print(
            f"ledger: [bold]{led.get('files', 0)}[/] files → [bold]{led.get('invoices', 0)}[/] invoices "
            f"({led.get('duplicates', 0)} duplicates); ok {led.get('ok', 0)}, partial {led.get('partial', 0)}, "
            f"failed {led.get('failed', 0)}, skipped {led.get('skipped', 0)}"
            + ("" if report.ledger_written else " (unchanged, not rewritten)")
        )
    rows = [(p, "retry", r) for p, r in report.problems]
    rows += [(f["file"], f["status"], f["reason"] or "") for f in led.get("problem_files", [])]
    if rows:
        table = Table("file", "status", "reason", box=None)
        for row in rows[:30]:
            table.add_row(*row)
        err.print(table)
    for path in report.vanished[:20]:
        err.print(f"vanished: {path}")
    for written in report.outputs:
        err.print(f"wrote {written}")


def run_command(
    job_file: Annotated[Path, typer.Argument(help="The job file.", show_default=False)],
    executor: ExecutorOpt = None,
    workers: Workers = None,
    store: StoreOpt = None,
    reprocess: Annotated[bool, typer.Option("--reprocess", help="Read every file again.")] = False,
    json_logs: JsonLogs = False,
    progress: ProgressOpt = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Run a job: read what is new under its inputs into the store, then regenerate the ledger.

    Example: office-agent run /srv/ledger/job.toml --json-logs
    """
    from office_agent.jobs.runner import run_job

    setup_logging(json_logs, verbose)
    job = load_job(job_file, executor=executor, workers=workers, store=_cli_store(store))
    _sigterm_as_interrupt()
    try:
        report = run_job(job, progress=progress_for(False if (json_logs or quiet) else progress), reprocess=reprocess)
    except KeyboardInterrupt:
        err.print("interrupted: every file read so far is in the store; the next run goes on from there")
        raise typer.Exit(ExitCode.FAILED) from None
    if not (quiet or json_logs):
        _print_report(report)
    raise typer.Exit(report.exit_code())


def watch_command(
    folder: Annotated[Path, typer.Argument(help="The folder to watch.", show_default=False)],
    job_file: JobOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: the job's, or outputs).")
    ] = None,
    store: StoreOpt = None,
    settle: Annotated[float | None, typer.Option("--settle", help="Seconds a file must stop growing first.")] = None,
    rescan: Annotated[float, typer.Option("--rescan", help="Seconds between full rescans.")] = 3600.0,
    executor: ExecutorOpt = None,
    workers: Workers = None,
    json_logs: JsonLogs = False,
    verbose: Verbose = False,
) -> None:
    """Read files as they land in FOLDER (once they stop growing); keep the ledger up to date. Ctrl-C stops.

    Example: office-agent watch ~/fapiao-inbox -o ~/ledger
    """
    setup_logging(json_logs, verbose)
    if not folder.is_dir():
        raise BadArguments(f"{folder}: not a folder")
    overrides: dict[str, Any] = {"inputs": [str(folder.absolute())], "executor": executor, "workers": workers}
    overrides["store"] = _cli_store(store)
    if out is not None:
        overrides["output"] = str(out.absolute())
    if job_file is not None:
        job = load_job(job_file, **overrides)
    else:
        overrides.setdefault("output", str(Path("outputs").absolute()))
        job = job_from_dict({k: v for k, v in overrides.items() if v is not None}, where="watch", base=Path.cwd())
    if settle is not None:
        job = job.model_copy(update={"options": job.options.model_copy(update={"settle_seconds": settle})})
    from office_agent.jobs.watch import watch

    def show(report: RunReport) -> None:
        if not json_logs:
            _print_report(report)

    _sigterm_as_interrupt()
    err.print(f"watching {folder} (Ctrl-C to stop); ledger in {job.output}")
    try:
        watch(job, on_report=show, rescan_seconds=rescan)
    except KeyboardInterrupt:
        err.print("stopped")


def _store_url(store: str | None, job_file: Path | None) -> str:
    if store is not None:
        return _cli_store(store) or store
    if job_file is not None:
        return load_job(job_file).store_url
    raise BadArguments("name the store: --store PATH_OR_URL, or --job job.toml")


def export_command(
    store: StoreOpt = None,
    job_file: JobOpt = None,
    output: StdoutOutput = None,
) -> None:
    """Export the whole store (runs, files, contents, invoice records) as JSONL.

    Example: office-agent store export --job job.toml -o store-2025.jsonl
    """
    from office_agent.jobs.store import Store
    from office_agent.jobs.transfer import export_jsonl

    with Store.open(_store_url(store, job_file)) as st:
        if output is None:
            n = export_jsonl(st, sys.stdout)
        else:
            from office_agent.generate.ledger import atomic_write

            with atomic_write(output) as fh:
                n = export_jsonl(st, fh)
    err.print(f"exported {n} lines")


def import_command(
    file: Annotated[Path, typer.Argument(help="A JSONL export.", show_default=False)],
    store: StoreOpt = None,
    job_file: JobOpt = None,
) -> None:
    """Add a JSONL export to a store (what it already has is left alone).

    Example: office-agent store import store-2025.jsonl --store postgresql://ledger@db/ledger
    """
    from office_agent.jobs.store import Store
    from office_agent.jobs.transfer import import_jsonl

    if not file.is_file():
        raise BadArguments(f"{file}: no such file")
    with Store.open(_store_url(store, job_file)) as st, file.open(encoding="utf-8") as lines:
        added = import_jsonl(st, lines)
    err.print("imported " + ", ".join(f"{n} {kind}s" for kind, n in added.items()))


def info_command(store: StoreOpt = None, job_file: JobOpt = None) -> None:
    """What a store holds, and its last runs.

    Example: office-agent store info --job job.toml
    """
    from office_agent.jobs.store import Store

    with Store.open(_store_url(store, job_file)) as st:
        err.print(f"store {st.url} (schema {st.schema_version()}): {st.stats()}")
        table = Table("run", "job", "started", "status", "executor", box=None)
        for r in st.runs()[-10:]:
            table.add_row(str(r["id"]), r["job"], r["started_at"], r["status"], r["executor"])
        err.print(table)


def register(app: typer.Typer) -> None:
    """Add ``run``, ``watch`` and ``store …`` to the ``office-agent`` app (once)."""
    if any(c.name == "run" for c in app.registered_commands):
        return
    app.command("run")(run_command)
    app.command("watch")(watch_command)
    store_app = typer.Typer(no_args_is_help=True, help="Export, import and inspect the job store.")
    store_app.command("export")(export_command)
    store_app.command("import")(import_command)
    store_app.command("info")(info_command)
    app.add_typer(store_app, name="store")


__all__ = ["register"]
