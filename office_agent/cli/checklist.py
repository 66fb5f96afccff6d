"""``office-agent checklist``: policy documents → a checklist that cites its sources. A few lines over the library
(``office_agent.policy.checklist`` and ``office_agent.policy.generate.checklist``); registered by
``office_agent.cli.app``.

Exit codes: 0 a checklist was made from every file; 1 some files could not be read, or the question matched
nothing (the output says what the documents cover); 2 no document could be read; 3 bad arguments.
"""

from __future__ import annotations

import sqlite3
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from office_agent.cli.common import setup_logging, shared_settings
from office_agent.cli.options import Quiet, Verbose, Workers
from office_agent.errors import ExitCode
from office_agent.jobs.progress import Progress, progress_for
from office_agent.models import Status
from office_agent.policy_models import Checklist
from office_agent.settings import Settings, load_settings

if TYPE_CHECKING:
    from office_agent.policy.index import GuideIndex

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


Index = Annotated[
    bool | None, typer.Option("--index/--no-index", help="Keep what was read in the guide index (default: on).")
]
Cache = Annotated[
    Path | None, typer.Option("--cache", help="Guide index folder (default: ~/.cache/office-agent/guides).")
]
ProgressOpt = Annotated[
    bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal).")
]
FetchTimeout = Annotated[float, typer.Option("--fetch-timeout", help="Seconds a web address may take.")]


def guide_index(settings: Settings, enabled: bool | None, cache: Path | None) -> GuideIndex | None:
    """The guide index the options and ``[guides]`` settings ask for (None: read every guide afresh)."""
    from office_agent.policy.index import GuideIndex, default_cache_dir
    from office_agent.policy.ingest.docs import DEFAULT_DOC_LIMITS

    if not (settings.guides.index if enabled is None else enabled):
        return None
    folder = (cache or settings.guides.cache or default_cache_dir()).expanduser()
    try:
        return GuideIndex(folder, DEFAULT_DOC_LIMITS)
    except (OSError, sqlite3.Error) as exc:
        err.print(f"guide index {folder} cannot be used ({exc}); reading every guide", markup=False)
        return None


class Bar:
    """``progress(done, total)`` for the library, shown as a rich bar on stderr when there are guides to read."""

    def __init__(self, enabled: bool | None, label: str = "guides") -> None:
        self.enabled, self.label = enabled, label
        self._bars: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bars is None:
            self._bars = progress_for(self.enabled if total > 1 else False)
            self._bars.start(self.label, total)
        self._bars.advance()

    def close(self) -> None:
        if self._bars is not None:
            self._bars.close()


def run_checklist(
    docs: list[str],
    question: str | None,
    *,
    download_to: Path,
    index: bool | None = None,
    cache: Path | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    fetch_timeout: float = 20.0,
    settings: Settings | None = None,
) -> Checklist:
    """What ``checklist`` and ``ask`` share: settings, the opt-in refiner, the index, the bar, then the answer."""
    from office_agent.policy.answer import answer

    settings = settings or shared_settings() or load_settings()
    refiner = None
    if settings.llm.enabled:  # opt-in: the model may rephrase and merge; uncited items are dropped and reported
        from office_agent.policy.checklist import read_documents
        from office_agent.policy.extract.llm import LlmChecklistRefiner

        refiner = LlmChecklistRefiner(settings.llm, read_documents([Path(d) for d in docs if Path(d).exists()])[0])
    kept = guide_index(settings, index, cache)
    bar = Bar(progress)
    try:
        return answer(
            docs, question, download_to=download_to, index=kept, workers=workers, progress=bar,
            refiner=refiner, timeout_s=fetch_timeout,
        )  # fmt: skip
    finally:
        bar.close()
        if kept is not None:
            kept.close()


def checklist(
    docs: Annotated[
        list[str],
        typer.Argument(
            help="Guides, regulations or policies (PDF, DOCX, HTML, MD, TXT, scans), folders of them, or web "
            "addresses (downloaded only because you give them; a dated copy is saved beside the output).",
            show_default=False,
        ),
    ],
    question: Annotated[str | None, typer.Option("--question", help="What the checklist is for.")] = None,
    fmt: Annotated[ChecklistFormat, typer.Option("--format", "-f", help="Output format.")] = ChecklistFormat.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout; xlsx: outputs/checklist.xlsx).")
    ] = None,
    index: Index = None,
    cache: Cache = None,
    workers: Workers = None,
    progress: ProgressOpt = None,
    fetch_timeout: FetchTimeout = 20.0,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Turn policy documents into a checklist to print and tick, every line citing its source.

    Example: office-agent checklist samples/policy --question "杭州户籍办理护照需要什么材料" -f xlsx -o out.xlsx
    """
    setup_logging(verbose)
    if output is None and fmt == ChecklistFormat.xlsx:
        output = Path("outputs") / "checklist.xlsx"
    result = run_checklist(
        docs, question, download_to=output.parent if output else Path("outputs"), index=index, cache=cache,
        workers=workers, progress=False if quiet else progress, fetch_timeout=fetch_timeout,
    )  # fmt: skip
    write_result(result, fmt, output, quiet)
    raise typer.Exit(_exit_code(result))


def write_result(result: Checklist, fmt: ChecklistFormat, output: Path | None, quiet: bool) -> None:
    from office_agent.policy.generate.checklist import render_json, render_markdown, write_checklist

    if output is None:
        sys.stdout.write(render_markdown(result) if fmt == ChecklistFormat.md else render_json(result))
    else:
        write_checklist(result, output, fmt.value)
        if not quiet:
            err.print(f"wrote {output}", markup=False, highlight=False)
    if not quiet:
        _summary(result)


def register(app: typer.Typer) -> None:
    """Add the ``checklist`` command to the ``office-agent`` app."""
    app.command("checklist")(checklist)
