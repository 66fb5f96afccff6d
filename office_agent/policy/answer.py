"""Answer a question from guides named by path or web address: what ``checklist`` and ``ask`` both call.

Paths (files and folders) go through the guide index when one is given; a web address is downloaded only because
it was given (:mod:`office_agent.policy.ingest.fetch`), its dated copy read like any file, and everything read from
it cites the address, with the retrieval time and the copy's path in the file's line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from office_agent.errors import BadArguments, InputError
from office_agent.models import Status
from office_agent.policy.checklist import build_checklist
from office_agent.policy.extract.llm import ChecklistRefiner
from office_agent.policy.guides import Guides, load_guides
from office_agent.policy.index import GuideIndex
from office_agent.policy.ingest.docs import DEFAULT_DOC_LIMITS
from office_agent.policy.ingest.fetch import DEFAULT_TIMEOUT_S, Fetched, fetch_guide, is_url
from office_agent.policy.reading import Progress
from office_agent.policy_models import Checklist, DocLimits, FileOutcome, Procedure


@dataclass
class Sources:
    """What the command line named: paths to read, pages downloaded (copy path → fetch), addresses that failed."""

    paths: list[Path] = field(default_factory=list)
    fetched: dict[str, Fetched] = field(default_factory=dict)
    failed: list[FileOutcome] = field(default_factory=list)


def gather(names: Sequence[str], download_to: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Sources:
    """Paths as given (each must exist), and every web address downloaded into ``download_to``."""
    sources = Sources()
    missing = [n for n in names if not is_url(n) and not Path(n).exists()]
    if missing:
        raise BadArguments(f"no such file or folder: {', '.join(missing)}")
    for name in names:
        if not is_url(name):
            sources.paths.append(Path(name))
            continue
        try:
            fetched = fetch_guide(name, download_to, timeout_s=timeout_s)
        except InputError as exc:
            sources.failed.append(FileOutcome(source=name, status=Status.FAILED, reason=str(exc)))
            continue
        sources.paths.append(fetched.path)
        sources.fetched[str(fetched.path)] = fetched
    return sources


def _cite_urls(guides: Guides, fetched: dict[str, Fetched]) -> None:
    """What was read from a downloaded copy cites the address it came from."""
    for i, outcome in enumerate(guides.files):
        page = fetched.get(outcome.source)
        if page is None:
            continue
        note = f"retrieved {page.retrieved:%Y-%m-%d %H:%M} UTC from {page.final_url}; copy saved as {page.path}"
        reason = "; ".join(r for r in (note, outcome.reason) if r)
        guides.files[i] = outcome.model_copy(update={"source": page.url, "reason": reason})
    old_new = {json.dumps(p, ensure_ascii=False): json.dumps(f.url, ensure_ascii=False) for p, f in fetched.items()}
    for i, (procedure, text) in enumerate(guides.extracted):
        if procedure.file in fetched:
            raw = procedure.model_dump_json()
            for old, new in old_new.items():
                raw = raw.replace(old, new)
            guides.extracted[i] = (Procedure.model_validate_json(raw), text)


def answer(
    names: Sequence[str],
    question: str | None,
    *,
    download_to: Path,
    limits: DocLimits = DEFAULT_DOC_LIMITS,
    index: GuideIndex | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    refiner: ChecklistRefiner | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Checklist:
    """The checklist for ``question`` from the guides (paths or web addresses) in ``names``."""
    sources = gather(names, download_to, timeout_s=timeout_s)
    guides = load_guides(sources.paths, limits, index=index, workers=workers, progress=progress)
    _cite_urls(guides, sources.fetched)
    guides.files = sources.failed + guides.files
    docs = guides.documents() if refiner is not None else []
    checklist = build_checklist(docs, question, files=guides.files, refiner=refiner, extracted=guides.extracted)
    if not any(f.status in (Status.OK, Status.PARTIAL) for f in guides.files):
        checklist.warnings.append("no document could be read")
    return checklist


__all__ = ["Sources", "answer", "gather"]
