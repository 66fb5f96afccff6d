"""The checklist flow: documents → procedures → the ones the question is about → items for the applicant's case.

``checklist_from_paths`` is what the CLI calls: it reads every file (a file that cannot be read is reported in
``Checklist.files`` and the rest go on), extracts each document's procedures, ranks them against the question,
drops what the question's conditions rule out (reported in ``Checklist.excluded``), keeps "depends on" items with
their condition, and lets an optional :class:`~office_agent.policy.extract.llm.ChecklistRefiner` rephrase them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from office_agent.models import Status
from office_agent.policy.extract.llm import ChecklistRefiner, refine_checklist
from office_agent.policy.extract.procedures import extract_procedures
from office_agent.policy.extract.query import (
    applicability,
    conditions_applicability,
    parse_question,
    rank_procedures,
)
from office_agent.policy.ingest.docs import DEFAULT_DOC_LIMITS, collect_policy_paths
from office_agent.policy_models import (
    ITEM_KIND_TITLES,
    Applicability,
    Checklist,
    ChecklistItem,
    DocLimits,
    FileOutcome,
    ItemKind,
    PolicyDocument,
    Procedure,
    Profile,
)

if TYPE_CHECKING:
    from office_agent.policy.index import GuideIndex
    from office_agent.policy.reading import Progress

log = logging.getLogger(__name__)


def read_documents(
    paths: Sequence[Path], limits: DocLimits = DEFAULT_DOC_LIMITS, *, workers: int | None = 0
) -> tuple[list[PolicyDocument], list[FileOutcome]]:
    """Every readable document, and one outcome per file (failed / skipped with the reason). In this process by
    default (notebooks, benchmarks, an OCR engine replaying recordings in order); ``workers=None`` or a count: on
    the supervised pool, where a guide that hangs or eats memory is stopped and reported (what the CLI does, via
    :func:`checklist_from_paths`)."""
    from office_agent.policy.reading import outcome_of, read_files

    docs: list[PolicyDocument] = []
    outcomes: list[FileOutcome] = []
    for read in read_files(collect_policy_paths(list(paths)), limits, workers=workers):
        if isinstance(read, PolicyDocument):
            docs.append(read)
        outcomes.append(outcome_of(read))
    return docs, outcomes


MAX_CITATIONS = 10  # per item: a material repeated on 500 pages is cited where it first appears, not 500 times


def _dedupe(items: list[ChecklistItem]) -> list[ChecklistItem]:
    """One item per (kind, text, conditions); the citations of repeats are added to the first (up to a bound)."""
    seen: dict[tuple[str, str, str], tuple[ChecklistItem, set[tuple[str, int, int]]]] = {}
    out: list[ChecklistItem] = []
    for item in items:
        key = (item.kind.value, "".join(item.text.split()).lower(), item.condition_text())
        if key not in seen:
            seen[key] = (item, {(c.file, c.start, c.end) for c in item.citations})
            out.append(item)
            continue
        first, cited = seen[key]
        for c in item.citations:
            if len(first.citations) < MAX_CITATIONS and (c.file, c.start, c.end) not in cited:
                cited.add((c.file, c.start, c.end))
                first.citations.append(c)
    return out


def coverage(procedures: list[Procedure]) -> list[str]:
    """One line per procedure: its name, file and how many items of each kind it has."""
    lines = []
    for p in procedures:
        counts = ", ".join(
            f"{ITEM_KIND_TITLES[k][1].lower()} {n}" for k in ItemKind if (n := len(p.of_kind(k)))
        )  # fmt: skip
        lines.append(f"{p.name} ({Path(p.file).name}): {counts or 'no checklist items found'}")
    return lines


def _for_case(procedures: list[Procedure], texts: list[str], profile: Profile) -> tuple[list[Procedure], list[str]]:
    """Leave out the procedures the question's case rules out ("补领" when the passport was lost and this is
    "首次申领"); where the case names one of a document's procedures, leave out that document's undecided ones."""
    verdicts = [conditions_applicability(p.conditions, profile) if p.conditions else None for p in procedures]
    named = {p.file for p, v in zip(procedures, verdicts, strict=True) if v == Applicability.APPLIES}
    kept = [
        (p, t)
        for p, t, v in zip(procedures, texts, verdicts, strict=True)
        if v != Applicability.EXCLUDED and not (p.file in named and v == Applicability.DEPENDS)
    ]
    return [p for p, _ in kept], [t for _, t in kept]


def extract_document(doc: PolicyDocument) -> tuple[list[Procedure], list[str]]:
    """The document's procedures (items deduplicated) and, per procedure, the text it is ranked on."""
    procedures: list[Procedure] = []
    texts: list[str] = []
    for procedure in extract_procedures(doc):
        procedure.items = _dedupe(procedure.items)
        procedures.append(procedure)
        texts.append(doc.text[slice(*procedure.extent)] if procedure.extent else doc.text)
    return procedures, texts


def build_checklist(
    docs: list[PolicyDocument],
    question: str | None = None,
    *,
    files: list[FileOutcome] | None = None,
    refiner: ChecklistRefiner | None = None,
    extracted: list[tuple[Procedure, str]] | None = None,
) -> Checklist:
    """The checklist for ``question`` (or for every procedure when there is none) from documents already read.

    ``extracted``: the documents' procedures with their texts, kept from an earlier run (the guide index); the
    documents are then needed only by the refiner.
    """
    procedures: list[Procedure] = []
    texts: list[str] = []
    if extracted is None:
        extracted = [pair for doc in docs for pair in zip(*extract_document(doc), strict=True)]
    counts: dict[str, int] = {}
    for procedure, text in extracted:
        procedures.append(procedure)
        texts.append(text)
        counts[procedure.file] = counts.get(procedure.file, 0) + 1
    outcomes = [o.model_copy(update={"procedures": counts.get(o.source, 0)}) for o in files or []]
    profile = parse_question(question)
    checklist = Checklist(question=question, profile=profile, files=outcomes)
    procedures, texts = _for_case(procedures, texts, profile)
    ranking = rank_procedures(procedures, texts, question)
    if not ranking.matched:
        checklist.no_match = True
        checklist.coverage = coverage(procedures)
        checklist.warnings.append(
            f"nothing in the documents matches the question ({', '.join(ranking.topic)}); see what they cover"
        )
        return checklist
    for procedure in ranking.procedures:
        kept: list[ChecklistItem] = []
        for item in procedure.items:
            verdict = applicability(item, profile)
            item = item.model_copy(update={"applicability": verdict})
            (checklist.excluded if verdict == Applicability.EXCLUDED else kept).append(item)
        checklist.procedures.append(procedure.model_copy(update={"items": kept}))
    if question and not ranking.procedures:
        checklist.no_match = True
    checklist.others = ranking.others
    if ranking.others and ranking.procedures:
        best = ranking.procedures[0]
        also = "; ".join(f"{p.name} ({Path(p.file).name}, {p.reason})" for p in ranking.others)
        checklist.warnings.append(
            f"the question also matches {also}; answered from {Path(best.file).name} ({best.reason})"
        )
    if refiner is not None:
        by_source = {d.source: d for d in docs}
        checklist = refine_checklist(checklist, by_source, refiner)
    return checklist


def checklist_from_paths(
    paths: Sequence[Path],
    question: str | None = None,
    *,
    limits: DocLimits = DEFAULT_DOC_LIMITS,
    refiner: ChecklistRefiner | None = None,
    index: GuideIndex | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Checklist:
    """Read (or take from ``index``) every guide under ``paths`` and answer ``question`` from them."""
    from office_agent.policy.guides import load_guides

    guides = load_guides(paths, limits, index=index, workers=workers, progress=progress)
    docs = guides.documents() if refiner is not None else []
    checklist = build_checklist(docs, question, files=guides.files, refiner=refiner, extracted=guides.extracted)
    if not any(f.status in (Status.OK, Status.PARTIAL) for f in guides.files):
        checklist.warnings.append("no document could be read")
    return checklist
