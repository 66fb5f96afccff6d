"""A batch: every file under the given paths through the chain, on a process pool, then merged into one result.

A bad file costs that file: each becomes a :class:`FileResult` with a status and a one-line reason, and the
batch goes on. Results come back in input order whatever the pool's order, so runs are reproducible.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import InputError, NeedsOcr
from office_agent.extract.bundle import SeenIndex
from office_agent.extract.chain import chain_for, deduplicate_step
from office_agent.ingest.sources import Blob, InputFile, discover, expand, failed, read_file
from office_agent.models import BatchResult, FileResult, Status
from office_agent.pool import SupervisedPool, default_memory_limit
from office_agent.rules import check_policy, load_rules
from office_agent.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)


def process_blob(blob: Blob, limits: Limits = DEFAULT_LIMITS, settings: Settings | None = None) -> FileResult:
    """One file's bytes → its result. Never raises."""
    chain = chain_for(settings, limits)
    try:
        invoices = chain.invoke(blob)
    except NeedsOcr as exc:
        return FileResult(
            source=blob.source, sha256=blob.sha256, format=blob.format, status=Status.SKIPPED, reason=str(exc)
        )
    except InputError as exc:
        return failed(blob.source, str(exc), blob.sha256, blob.format)
    except Exception as exc:  # a bug or a library crash on one file must not take the batch down
        log.warning("%s: internal error", blob.source, exc_info=True)
        return failed(blob.source, f"internal error ({type(exc).__name__}: {exc})", blob.sha256, blob.format)
    status = Status.OK if all(i.status == Status.OK for i in invoices) else Status.PARTIAL
    return FileResult(source=blob.source, sha256=blob.sha256, format=blob.format, status=status, invoices=invoices)


def process_input(
    item: InputFile, limits: Limits = DEFAULT_LIMITS, settings: Settings | None = None
) -> list[FileResult]:
    """One file on disk (a ZIP gives one result per member). Never raises."""
    try:
        data = read_file(item, limits)
    except InputError as exc:
        return [failed(item.source, str(exc))]
    results = []
    for entry in expand(item.source, data, limits):
        results.append(entry if isinstance(entry, FileResult) else process_blob(entry, limits, settings))
    return results


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run_batch(
    paths: Sequence[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    exclude: Sequence[str | os.PathLike[str]] = (),
    settings: Settings | None = None,
    seen: SeenIndex | None = None,
) -> BatchResult:
    """Read every file under ``paths`` and return per-file results plus the merged invoice records.

    ``exclude``: files or folders never read (the output folder, when it lies inside an input folder).
    ``settings``: company profile, period, categories, opt-in LLM (default: none of them).
    ``seen``: invoices counted by earlier runs, so a re-submission is marked ``duplicate_of``.
    """
    rules = load_rules(settings.rules_file) if settings is not None and settings.rules_file else None
    files, refused = discover(paths, exclude)
    workers = default_workers() if workers is None else max(0, workers)
    results: list[FileResult] = list(refused)
    for per_file in _map(files, workers, limits, settings, progress):
        results.extend(per_file)
    invoices = deduplicate_step(settings, seen).invoke([inv for r in results for inv in r.invoices])
    batch = BatchResult(files=results, invoices=invoices)
    if rules is not None:  # expense-policy flags join each invoice's checks
        check_policy(batch, rules, today=settings.reference_date() if settings else None)
    return batch


def _map(
    files: list[InputFile], workers: int, limits: Limits, settings: Settings | None, progress: Progress | None
) -> Iterable[list[FileResult]]:
    """In this process when ``workers == 0`` (debugging, notebooks); otherwise on a supervised pool, where a
    file that hangs, crashes its worker or runs out of memory costs that file only."""
    total = len(files)
    work = partial(process_input, limits=limits, settings=settings)
    if workers == 0:
        for i, item in enumerate(files, 1):
            yield work(item)
            if progress:
                progress(i, total)
        return
    pool: SupervisedPool[InputFile, list[FileResult]] = SupervisedPool(
        work,
        lambda item, reason: [failed(item.source, reason)],
        workers=workers,
        timeout_s=limits.file_timeout_s,
        memory_bytes=limits.worker_memory_bytes or default_memory_limit(),
    )
    for i, per_file in enumerate(pool.map(files), 1):
        yield per_file
        if progress:
            progress(i, total)
