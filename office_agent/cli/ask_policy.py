"""``ask`` with a policy question: a few lines over :mod:`office_agent.policy.asking` and the checklist command's
:func:`~office_agent.cli.checklist.run_checklist`. ``cli.invoices.ask`` hands the question here when
:func:`~office_agent.policy.asking.is_policy_question` says it is one.

The checklist goes to stdout (Markdown) and to ``OUT/checklist.md``; the exit codes are the checklist's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from office_agent.errors import BadArguments, ExitCode
from office_agent.settings import Settings


def ask_policy(
    request: str,
    paths: list[Path],
    out: Path,
    settings: Settings,
    *,
    dry_run: bool = False,
    quiet: bool = False,
    workers: int | None = None,
) -> None:
    """Answer ``request`` from the guides given (or configured); raises ``typer.Exit`` with the exit code."""
    from office_agent.cli.checklist import ChecklistFormat, _exit_code, run_checklist, write_result
    from office_agent.cli.common import err
    from office_agent.policy.asking import guide_sources, no_guide_help, question_without_urls
    from office_agent.policy.generate.checklist import render_markdown

    sources = guide_sources(request, paths, settings.guides.expanded_paths())
    question = question_without_urls(request) or request
    zh = any("\u4e00" <= c <= "\u9fff" for c in request)
    if not sources:
        raise BadArguments(no_guide_help(question))
    where = ", ".join(sources[:3]) + (f" … (+{len(sources) - 3})" if len(sources) > 3 else "")
    err.print(("理解为：办事材料清单 · 指南：" if zh else "Understood: a checklist · guides: ") + where, markup=False)
    if dry_run:
        raise typer.Exit(ExitCode.OK)
    result = run_checklist(
        sources, question, download_to=out, workers=workers, progress=False if quiet else None, settings=settings
    )
    sys.stdout.write(render_markdown(result))
    write_result(result, ChecklistFormat.md, out / "checklist.md", quiet)
    raise typer.Exit(_exit_code(result))
