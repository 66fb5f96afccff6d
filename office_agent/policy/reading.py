"""Reading guides on the invoice path's supervised pool: a guide that hangs, crashes its worker or eats memory is
killed and reported, and the others are still read.

:func:`read_one` never raises: it gives the document or a :class:`~office_agent.policy_models.FileOutcome` with the
reason. :func:`read_many` runs it on :class:`~office_agent.pool.SupervisedPool` (per-file time limit
``DocLimits.file_timeout_s``, address-space cap ``DocLimits.worker_memory_bytes``), or in this process when
``workers == 0`` (debugging, notebooks: no limit on time or memory there).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from office_agent.errors import InputError, NeedsOcr
from office_agent.models import Status
from office_agent.policy.index import Extracted
from office_agent.policy.ingest.docs import read_policy_file
from office_agent.policy_models import DocLimits, FileOutcome, PolicyDocument
from office_agent.pool import SupervisedPool, default_memory_limit

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)
Read = PolicyDocument | FileOutcome
T = TypeVar("T")


def read_one(path: str, limits: DocLimits) -> Read:
    """One guide → its document, or the outcome saying why there is none. Never raises."""
    try:
        return read_policy_file(path, limits)
    except NeedsOcr as exc:
        return FileOutcome(source=path, status=Status.SKIPPED, reason=str(exc))
    except (InputError, OSError) as exc:
        return FileOutcome(source=path, status=Status.FAILED, reason=str(exc) or type(exc).__name__)
    except MemoryError:
        return FileOutcome(source=path, status=Status.FAILED, reason="ran out of memory reading it (over the limit)")
    except RecursionError:
        return FileOutcome(source=path, status=Status.FAILED, reason="nested too deeply to read")
    except Exception as exc:  # a reader bug or a library crash on one guide must not take the others down
        log.warning("%s: internal error", path, exc_info=True)
        return FileOutcome(source=path, status=Status.FAILED, reason=f"internal error ({type(exc).__name__}: {exc})")


def read_and_extract(path: str, limits: DocLimits) -> tuple[Read, Extracted | None]:
    """One guide → what reading it gave and, when it could be read, its procedures with their ranking texts and
    tokens (done in the worker, so a folder is extracted in parallel and a kept guide is never extracted again).
    Never raises."""
    read = read_one(path, limits)
    if not isinstance(read, PolicyDocument):
        return read, None
    try:
        return read, extract_kept(read)
    except Exception as exc:  # an extractor bug on one guide costs that guide
        log.warning("%s: internal error in extraction", path, exc_info=True)
        reason = f"internal error finding its procedures ({type(exc).__name__}: {exc})"
        return FileOutcome(source=path, status=Status.FAILED, reason=reason), None


def extract_kept(doc: PolicyDocument) -> Extracted:
    """The document's procedures, their ranking texts, and the tokens ranking will ask for (kept by the index)."""
    from office_agent.policy.checklist import extract_document
    from office_agent.policy.extract.query import tokenize

    procedures, texts = extract_document(doc)
    tokens: dict[str, list[str]] = {}
    for procedure, text in zip(procedures, texts, strict=True):
        for key in (f"{procedure.name} {text}", procedure.name):
            tokens.setdefault(key, tokenize(key))
    return Extracted(procedures, texts, tokens)


def outcome_of(read: Read) -> FileOutcome:
    """The file's line in the summary: failed / skipped as read, partial when the reader warned, else ok."""
    if isinstance(read, FileOutcome):
        return read
    status = Status.PARTIAL if read.warnings else Status.OK
    return FileOutcome(source=read.source, status=status, reason="; ".join(read.warnings) or None)


def default_workers(n_files: int) -> int:
    return max(1, min(os.cpu_count() or 1, 8, n_files))


def _lost(limits: DocLimits, path: str, reason: str) -> FileOutcome:
    if "timed out" in reason:
        reason = f"{reason} (the limit is DocLimits.file_timeout_s)"
    return FileOutcome(source=path, status=Status.FAILED, reason=reason)


def read_files(
    paths: Sequence[Path], limits: DocLimits, *, workers: int | None = None, progress: Progress | None = None
) -> Iterator[Read]:
    """One :data:`Read` per path, in order, on the supervised pool."""
    return read_many(paths, limits, workers=workers, progress=progress, work=read_one, lost=_as_read)


def _as_read(outcome: FileOutcome) -> Read:
    return outcome


def _call(work: Callable[[str, DocLimits], T], limits: DocLimits, path: str) -> T:
    return work(path, limits)


def read_many(
    paths: Sequence[Path],
    limits: DocLimits,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    work: Callable[[str, DocLimits], T],
    lost: Callable[[FileOutcome], T],
) -> Iterator[T]:
    """``work(path, limits)`` for every path, in order; a path whose worker timed out, died or ran out of memory
    gives ``lost(outcome)`` instead."""
    names = [str(p) for p in paths]
    total = len(names)
    workers = default_workers(total) if workers is None else max(0, workers)
    func: Callable[[str], T] = partial(_call, work, limits)
    if workers == 0 or total == 0:
        for i, name in enumerate(names, 1):
            yield func(name)
            if progress:
                progress(i, total)
        return
    pool: SupervisedPool[str, T] = SupervisedPool(
        func,
        lambda path, reason: lost(_lost(limits, path, reason)),
        workers=workers,
        timeout_s=limits.file_timeout_s,
        memory_bytes=limits.worker_memory_bytes or default_memory_limit(),
    )
    for i, read in enumerate(pool.map(names, chunk_size=1), 1):  # guides are slow: one per task, so blame is exact
        yield read
        if progress:
            progress(i, total)


__all__ = [
    "Progress",
    "Read",
    "default_workers",
    "extract_kept",
    "outcome_of",
    "read_and_extract",
    "read_files",
    "read_many",
    "read_one",
]
