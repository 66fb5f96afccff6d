"""The invoice commands: extract, ledger, report and ask. ``register(app)`` adds them to the ``office-agent`` app.

Each command is a few lines over the library (office_agent.batch, office_agent.generate, office_agent.ask);
exceptions become exit codes in ``office_agent.cli.app.main`` only. Shared helpers (logging, the summary, exit
codes) come from ``office_agent.cli.common``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from office_agent.cli.common import (
    OutputFormat,
    batch_exit_code,
    err,
    print_summary,
    printable,
    setup_logging,
    shared_settings,
)
from office_agent.cli.options import Config, JsonLogs, Paths, Quiet, RulesFile, StdoutOutput, Verbose, Workers
from office_agent.errors import BadArguments, ExitCode
from office_agent.generate.ledger_view import LedgerOptions

if TYPE_CHECKING:
    from office_agent.ask import AskRequest
    from office_agent.generate.labels import Lang as LangCode
    from office_agent.generate.ledger_view import GroupBy as GroupByCode
    from office_agent.models import BatchResult
    from office_agent.settings import Settings


log = logging.getLogger(__name__)


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class GroupBy(StrEnum):
    person = "person"
    project = "project"


Out = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
AskPaths = Annotated[
    list[Path] | None,
    typer.Argument(help="Invoices (files, folders, ZIPs), or guides and web addresses for a policy question.",
                   show_default=False),
]  # fmt: skip
LangOpt = Annotated[Lang, typer.Option("--lang", help="Headers and labels: zh (Chinese) or en (English).")]
Year = Annotated[int | None, typer.Option("--year", help="Only invoices issued in this year.")]
From = Annotated[str | None, typer.Option("--from", help="Issued on or after: YYYY-MM or YYYY-MM-DD.")]
To = Annotated[str | None, typer.Option("--to", help="Issued on or before: YYYY-MM (the whole month) or YYYY-MM-DD.")]
Category = Annotated[
    list[str] | None, typer.Option("--category", "-c", help="Only these categories (餐饮 or Meals); repeatable.")
]
Group = Annotated[
    GroupBy | None, typer.Option("--group-by", help="Group by the sub-folder below each input: person or project.")
]
Person = Annotated[list[str] | None, typer.Option("--person", help="Only this sub-folder (person); repeatable.")]
Company = Annotated[str | None, typer.Option("--company", help="Your company's name (else from the config).")]
CompanyId = Annotated[str | None, typer.Option("--company-tax-id", help="Your company's tax id (else from config).")]


def parse_day(value: str | None, end: bool) -> dt.date | None:
    """``2025-03`` → the first (or, for ``end``, the last) day of March 2025; ``2025-03-15`` → that day."""
    if value is None:
        return None
    try:
        if len(value.strip()) <= 7:
            y, m = (int(x) for x in value.strip().split("-"))
            return dt.date(y, m, calendar.monthrange(y, m)[1] if end else 1)
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise BadArguments(f"{value!r}: not a date; use YYYY-MM or YYYY-MM-DD") from exc


def _settings(config: Path | None, company: str | None, tax_id: str | None, rules: Path | None = None) -> Settings:
    """The shared settings given before the command (``office-agent --company … ledger``), with this command's
    own options on top; a ``--config`` given here is read instead."""
    from office_agent.settings import load_settings

    base = shared_settings()
    if base is None or config is not None:
        return load_settings(config, company__name=company, company__tax_id=tax_id, rules_file=rules)
    own = {k: v for k, v in (("name", company), ("tax_id", tax_id)) if v}
    base = base.model_copy(update={"rules_file": rules}) if rules else base
    return base.model_copy(update={"company": base.company.model_copy(update=own)}) if own else base


def _company(settings: Settings) -> tuple[str, str] | None:
    c = settings.company
    return (c.name or "", c.tax_id or "") if c.configured else None


def _codes(lang: Lang, group_by: GroupBy | None) -> tuple[LangCode, GroupByCode | None]:
    return ("en" if lang == Lang.en else "zh"), (
        None if group_by is None else "project" if group_by == GroupBy.project else "person"
    )


def _options(
    paths: list[Path],
    settings: Settings,
    lang: Lang,
    year: int | None,
    date_from: str | None,
    date_to: str | None,
    category: list[str] | None,
    group_by: GroupBy | None = None,
    person: list[str] | None = None,
) -> LedgerOptions:
    """The ledger (or report) that the command-line options ask for; naming a ``--person`` groups by person."""
    lang_code, group_code = _codes(lang, group_by)
    return LedgerOptions(
        lang=lang_code,
        year=year,
        date_from=parse_day(date_from, end=False),
        date_to=parse_day(date_to, end=True),
        categories=tuple(category or ()),
        group_by=group_code or ("person" if person else None),
        groups=tuple(person or ()),
        inputs=tuple(paths),
        company=_company(settings),
    )


def _run(
    paths: list[Path], out: Path, workers: int | None, settings: Settings, quiet: bool = False, json_logs: bool = False
) -> BatchResult:
    from office_agent.cli.correct import apply_saved_corrections

    result = read_batch(paths, workers, settings, exclude=[out], bars=not (quiet or json_logs))
    apply_saved_corrections(result, out, settings, quiet or json_logs)
    return result


def read_batch(
    paths: list[Path], workers: int | None, settings: Settings, exclude: list[Path], bars: bool
) -> BatchResult:
    """``run_batch`` with a progress bar on stderr when it is a terminal and ``bars`` (files done of the total,
    the file just read, OCR pages so far); nothing in pipes, cron, ``--quiet`` or ``--json-logs``."""
    from office_agent.batch import run_batch
    from office_agent.jobs.progress import BatchProgress, progress_for

    tracker = BatchProgress(progress_for(None if bars else False))
    try:
        return run_batch(paths, workers=workers, exclude=exclude, settings=settings, progress=tracker,
                         file_done=tracker.file_done)  # fmt: skip
    finally:
        tracker.close()


def logs(verbose: bool, json_logs: bool) -> None:
    """Plain warnings on stderr, or with ``--json-logs`` one JSON object a line (as ``office-agent run``)."""
    from office_agent.jobs.logs import setup_logging as setup_job_logging

    setup_job_logging(json_logs, verbose)


def _finish(result: BatchResult, written: list[Path], quiet: bool, json_logs: bool = False) -> None:
    if json_logs:
        log.info("finished", extra={"event": "batch_finished", **result.counts(), "written": [str(p) for p in written]})
    elif not quiet:
        print_summary(result)
        for path in written:
            err.print(f"wrote {path}")
    raise typer.Exit(batch_exit_code(result))


def extract(
    paths: Paths,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.jsonl,
    output: StdoutOutput = None,
    rules: RulesFile = None,
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
    from office_agent.cli.correct import apply_saved_corrections
    from office_agent.generate.records import iter_records, write_csv, write_json, write_jsonl
    from office_agent.models import Status

    logs(verbose, json_logs)
    settings = _settings(None, None, None, rules)
    result = read_batch(paths, workers, settings, [output] if output else [], not (quiet or json_logs))
    apply_saved_corrections(result, corrections or Path("outputs"), settings, quiet or json_logs)
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
        log.info("finished", extra={"event": "batch_finished", **result.counts()})
    elif not quiet:
        print_summary(result)
    raise typer.Exit(batch_exit_code(result))


def ledger(
    paths: Paths,
    out: Out = Path("outputs"),
    lang: LangOpt = Lang.zh,
    year: Year = None,
    date_from: From = None,
    date_to: To = None,
    category: Category = None,
    group_by: Group = None,
    person: Person = None,
    company: Company = None,
    company_tax_id: CompanyId = None,
    report: Annotated[bool, typer.Option("--report", help="Also write report.html (the review report).")] = False,
    rules: RulesFile = None,
    config: Config = None,
    workers: Workers = None,
    quiet: Quiet = False,
    json_logs: JsonLogs = False,
    verbose: Verbose = False,
) -> None:
    """Write ledger.xlsx (台账, 明细, 汇总, 待复核, 说明), ledger.csv and ledger.jsonl for the invoices under PATHS.

    Example: office-agent ledger ~/fapiao --year 2025 --category 餐饮 --group-by person -o outputs/2025
    """
    from office_agent.generate.ledger import write_ledger
    from office_agent.generate.report import write_report

    logs(verbose, json_logs)
    settings = _settings(config, company, company_tax_id, rules)
    options = _options(paths, settings, lang, year, date_from, date_to, category, group_by, person)
    result = _run(paths, out, workers, settings, quiet, json_logs)
    written = list(write_ledger(result, out, source_root=Path.cwd(), options=options).values())
    if report:
        written.append(write_report(result, out / "report.html", options, source_root=Path.cwd()))
    _finish(result, written, quiet, json_logs)


def report(
    paths: Paths,
    out: Out = Path("outputs"),
    lang: LangOpt = Lang.zh,
    year: Year = None,
    date_from: From = None,
    date_to: To = None,
    category: Category = None,
    company: Company = None,
    company_tax_id: CompanyId = None,
    thumbnails: Annotated[bool, typer.Option(help="Page pictures with field boxes (off: text only, faster).")] = True,
    rules: RulesFile = None,
    config: Config = None,
    workers: Workers = None,
    quiet: Quiet = False,
    json_logs: JsonLogs = False,
    verbose: Verbose = False,
) -> None:
    """Write report.html: one card per invoice with its page, the boxes read, and what needs review. Offline.

    Example: office-agent report ~/fapiao -o outputs && open outputs/report.html#needs-review
    """
    from office_agent.generate.report import write_report

    logs(verbose, json_logs)
    settings = _settings(config, company, company_tax_id, rules)
    options = _options(paths, settings, lang, year, date_from, date_to, category)
    result = _run(paths, out, workers, settings, quiet, json_logs)
    path = write_report(result, out / "report.html", options, source_root=Path.cwd(), thumbnails=thumbnails)
    _finish(result, [path], quiet, json_logs)


def _people(paths: list[Path]) -> list[str]:
    """Sub-folder names of the given folders: the people (or projects) a request may name."""
    names: set[str] = set()
    for p in paths:
        if p.is_dir():
            names.update(c.name for c in p.iterdir() if c.is_dir() and not c.name.startswith("."))
    return sorted(names)


def ask(
    request: Annotated[str, typer.Argument(help="What you want, in Chinese or English.", show_default=False)],
    paths: AskPaths = None,
    out: Out = Path("outputs"),
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Run without asking (no TTY: never asks).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print what was understood.")] = False,
    today: Annotated[str | None, typer.Option("--today", hidden=True, help="Reference date (tests).")] = None,
    company: Company = None,
    company_tax_id: CompanyId = None,
    rules: RulesFile = None,
    config: Config = None,
    workers: Workers = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Say what you want: the request is read by fixed rules (and the opt-in LLM, when one is configured),
    printed back, then run.

    Example: office-agent ask "帮我生成2024年度报销台账" ~/fapiao
    Example: office-agent ask "ledger for March to May 2025, meals only, as csv" ~/fapiao
    """
    from office_agent.ask import describe as describe_request
    from office_agent.ask import parse_request
    from office_agent.cli.ask_policy import ask_policy
    from office_agent.policy.asking import is_policy_question

    setup_logging(verbose)
    paths = paths or []
    settings = _settings(config, company, company_tax_id, rules)
    router = None
    if settings.llm.enabled:  # opt-in: the request text (never a document) goes to the configured model
        from office_agent.ask_llm import LlmIntentRouter

        router = LlmIntentRouter(settings.llm, today=parse_day(today, end=False))
    req = parse_request(request, today=parse_day(today, end=False), known_people=_people(paths), router=router)
    if is_policy_question(request, invoice_job=req.understood):  # "第一次办护照要带什么": a checklist from guides
        ask_policy(request, paths, out, settings, dry_run=dry_run, quiet=quiet, workers=workers)
    if not paths:
        raise BadArguments("name the invoices to read: office-agent ask \"…\" FOLDER_OR_FILES")
    err.print(describe_request(req), markup=False)
    if not req.understood:
        examples = '"帮我生成2024年度报销台账", "ledger for March to May 2025, meals only, as csv"'
        raise BadArguments(f"could not tell what to do with {request!r}; try e.g. {examples}")
    if dry_run:
        raise typer.Exit(ExitCode.OK)
    if sys.stdin.isatty() and not yes and not typer.confirm("继续？/ Go ahead?", default=True):
        raise typer.Abort()
    if "policy" in req.jobs and settings.rules_file is None:
        raise BadArguments("checking for breaches needs your expense rules: add --rules rules.yaml (an annotated "
                           "example is office_agent/data/rules.example.yaml)")  # fmt: skip
    options = req.ledger_options(paths, company=_company(settings))
    result = _run(paths, out, workers, settings)
    _finish(result, run_jobs(req, result, out, options), quiet)


def run_jobs(req: AskRequest, result: BatchResult, out: Path, options: LedgerOptions) -> list[Path]:
    """Carry out what ``ask`` understood; returns the files written."""
    from office_agent.generate.ledger import atomic_write, view_records, write_csv_records, write_ledger
    from office_agent.generate.ledger_view import build_view
    from office_agent.generate.records import write_json, write_jsonl
    from office_agent.generate.report import write_report

    written: list[Path] = []
    if "ledger" in req.jobs:
        wanted = [f for f in req.formats if f in ("xlsx", "csv", "jsonl")] or ["xlsx", "csv", "jsonl"]
        written += write_ledger(result, out, source_root=Path.cwd(), options=options, formats=wanted).values()
    extract_formats = [f for f in req.formats if f in ("json", "jsonl", "csv")] or ["jsonl"]
    if "extract" in req.jobs or ("ledger" in req.jobs and "json" in req.formats):
        records = view_records(build_view(result, options))
        for fmt in extract_formats if "extract" in req.jobs else ["json"]:
            path = out / f"{'invoices' if 'extract' in req.jobs else 'ledger'}.{fmt}"
            with atomic_write(path, encoding="utf-8-sig" if fmt == "csv" else "utf-8") as fh:
                if fmt == "csv":
                    write_csv_records(records, fh)
                else:
                    (write_json if fmt == "json" else write_jsonl)(records, fh)
            written.append(path)
    if "report" in req.jobs or "html" in req.formats:
        written.append(write_report(result, out / "report.html", options, source_root=Path.cwd()))
    return written + _issue16_jobs(req, result, out, options)


def _issue16_jobs(req: AskRequest, result: BatchResult, out: Path, options: LedgerOptions) -> list[Path]:
    """The print pack ("两张一页"), organize ("按月份整理发票") and the policy flags ("哪些发票超标了")."""
    from office_agent.generate.organize import BYS, By
    from office_agent.generate.organize import organize as organize_files
    from office_agent.generate.pack import PackOptions, build_pack

    written: list[Path] = []
    if "pack" in req.jobs:
        layout = req.layout or "2up"
        written.append(build_pack(result, out / "pack.pdf", PackOptions(layout=layout, ledger=options),
                                  source_root=Path.cwd()).path)  # fmt: skip
    if "organize" in req.jobs:
        by: By = next((b for b in BYS if b == req.organize_by), "month")
        organize_files(result, out / "organized", by=by, inputs=tuple(p for p in options.inputs if p.is_dir()))
        written.append(out / "organized" / "organize.json")
    if "policy" in req.jobs:
        written.append(_policy_flags(result, out / "policy.json"))
    return written


def _policy_flags(result: BatchResult, path: Path) -> Path:
    import json

    from office_agent.generate.ledger import atomic_write
    from office_agent.rules.check import policy_flags

    flags = policy_flags(result.invoices)
    for f in flags:
        err.print(f"{f['rule']}: {printable(f['source'])}: {f['detail']}", markup=False)
    err.print(f"{len(flags)} policy flags", markup=False)
    with atomic_write(path) as fh:
        json.dump(flags, fh, ensure_ascii=False, indent=1)
    return path


def register(app: typer.Typer) -> None:
    """Add ``extract``, ``ledger``, ``report`` and ``ask`` to ``app``."""
    app.command("extract")(extract)
    app.command("ledger")(ledger)
    app.command("report")(report)
    app.command("ask")(ask)
