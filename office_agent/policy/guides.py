"""A set of guides made ready for questions: each file read (on the supervised pool) and extracted once, or
taken from the guide index (:mod:`office_agent.policy.index`) when its bytes were seen before.

:func:`load_guides` is what ``checklist`` and ``ask`` call; :func:`~office_agent.policy.checklist.build_checklist`
then answers from ``Guides.extracted`` without touching the files again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from office_agent.models import Status
from office_agent.policy.index import Extracted, GuideIndex
from office_agent.policy.ingest.docs import DEFAULT_DOC_LIMITS, collect_policy_paths
from office_agent.policy.reading import Progress, Read, outcome_of, read_and_extract, read_many
from office_agent.policy_models import DocLimits, FileOutcome, PolicyDocument, Procedure

log = logging.getLogger(__name__)


@dataclass
class Guides:
    """Per file an outcome, in path order; the procedures of the readable ones with the text each is ranked on."""

    files: list[FileOutcome] = field(default_factory=list)
    extracted: list[tuple[Procedure, str]] = field(default_factory=list)
    read_now: int = 0  # files read in this run (the rest came from the index)
    index: GuideIndex | None = None

    def documents(self) -> list[PolicyDocument]:
        """The documents themselves (for the opt-in LLM refiner), from the index or read again."""
        from office_agent.policy.checklist import read_documents

        sources = {p.file for p, _ in self.extracted}
        if self.index is None:
            return read_documents([Path(s) for s in sorted(sources)])[0]
        docs = []
        for source in sorted(sources):
            read = self.index.read(self.index.sha256_of(Path(source)), source)
            if isinstance(read, PolicyDocument):
                docs.append(read)
        return docs


def _lost(outcome: FileOutcome) -> tuple[Read, Extracted | None]:
    return outcome, None


def _kept(index: GuideIndex, sha: str, path: Path) -> tuple[FileOutcome, Extracted | None] | None:
    """What the index holds for these bytes, or None when they must be read."""
    name = str(path)
    outcome = index.outcome(sha, name)
    if outcome is None:
        return None
    if outcome.status in (Status.FAILED, Status.SKIPPED):
        return outcome, None
    extracted = index.extracted(sha, name)
    if extracted is None:  # read by the current readers, but the extractors changed since: extract again
        doc = index.read(sha, name)
        if not isinstance(doc, PolicyDocument):
            return None
        from office_agent.policy.reading import extract_kept

        extracted = extract_kept(doc)
        index.put_extracted(sha, name, extracted)
    return outcome, extracted


def load_guides(
    paths: Sequence[Path],
    limits: DocLimits = DEFAULT_DOC_LIMITS,
    *,
    index: GuideIndex | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Guides:
    """Every guide under ``paths``: from the index when kept, else read (and kept, when there is an index)."""
    files = collect_policy_paths(list(paths))
    slots: list[tuple[FileOutcome, Extracted | None] | None] = [None] * len(files)
    todo: list[tuple[int, str | None]] = []
    for i, path in enumerate(files):
        sha = None
        if index is not None:
            try:
                sha = index.sha256_of(path)
            except OSError as exc:
                slots[i] = FileOutcome(source=str(path), status=Status.FAILED, reason=exc.strerror or str(exc)), None
                continue
            slots[i] = _kept(index, sha, path)
        if slots[i] is None:
            todo.append((i, sha))
    reads = read_many(
        [files[i] for i, _ in todo], limits, workers=workers, progress=progress, work=read_and_extract, lost=_lost
    )
    for (i, sha), (read, extracted) in zip(todo, reads, strict=True):
        outcome = outcome_of(read)
        if index is not None and sha is not None:
            index.put_read(sha, read, outcome)
            if extracted is not None:
                index.put_extracted(sha, str(files[i]), extracted)
        slots[i] = outcome, extracted
    if index is not None:
        index.forget_missing([p for p in paths if p.is_dir()], files)
    guides = Guides(read_now=len(todo), index=index)
    for slot in slots:
        assert slot is not None
        outcome, extracted = slot
        guides.files.append(outcome)
        if extracted is not None:
            guides.extracted += zip(extracted.procedures, extracted.texts, strict=True)
            _remember(extracted)
    return guides


def _remember(extracted: Extracted) -> None:
    from office_agent.policy.extract.query import remember_tokens

    remember_tokens(extracted.tokens)


__all__ = ["Guides", "load_guides"]
