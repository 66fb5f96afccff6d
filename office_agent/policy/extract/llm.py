"""The opt-in LLM step for checklists: the interface, the validation that keeps it honest, and the refiner that
asks the configured model (only when an LLM is configured).

A :class:`ChecklistRefiner` (an LLM behind the chain issue's configuration, or a fake in tests) may rephrase and
merge a procedure's items. Whatever it returns is checked by :func:`validate_items`: an item is kept only if every
one of its citations resolves — the file is one of the documents read, and the quoted span is really there (at the
offsets given, or found once elsewhere in that file, in which case the offsets are corrected) — and the quotes
share words with the item. Anything else is dropped and reported in ``Checklist.dropped``; it never reaches the
checklist. If the refiner fails, the rule-based items are kept and a warning says why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, Field

from office_agent.policy.extract.query import tokenize
from office_agent.policy_models import (
    Checklist,
    ChecklistItem,
    Citation,
    DroppedItem,
    ItemKind,
    ItemOrigin,
    PolicyDocument,
    Procedure,
)
from office_agent.settings import LlmSettings

log = logging.getLogger(__name__)

MIN_QUOTE_CHARS = 2


class ChecklistRefiner(Protocol):
    """Rephrases and merges one procedure's items. Every item it returns must cite the documents."""

    def refine(self, question: str | None, procedure: Procedure) -> list[ChecklistItem]: ...


def resolve_citation(citation: Citation, docs: dict[str, PolicyDocument]) -> Citation | str:
    """The citation, corrected to where its quote really is; or the reason it does not resolve."""
    doc = docs.get(citation.file)
    if doc is None:
        return f"cites {citation.file!r}, which is not one of the documents read"
    quote = citation.quote
    if len(quote.strip()) < MIN_QUOTE_CHARS:
        return "the quoted span is empty"
    if 0 <= citation.start < citation.end <= len(doc.text) and doc.text[citation.start : citation.end] == quote:
        return citation
    first = doc.text.find(quote)
    if first < 0:
        return f"the quote {quote[:40]!r} is not in {citation.file}"
    # several places may hold the same words: the first is as good a source as any
    block = next((b for b in doc.blocks if b.location.start <= first < b.location.end + 1), None)
    return citation.model_copy(
        update={
            "start": first,
            "end": first + len(quote),
            "page": block.location.page if block else None,
            "section": block.location.section_label() if block else "",
        }
    )


def _supported(item: ChecklistItem, citations: list[Citation]) -> bool:
    """The quotes mention the item: at least one content word (or a 2-character Chinese word) in common."""
    words = {t for t in tokenize(item.text) if len(t) > 1}
    quoted = {t for c in citations for t in tokenize(c.quote)}
    return not words or bool(words & quoted)


def validate_items(
    items: list[ChecklistItem], docs: dict[str, PolicyDocument]
) -> tuple[list[ChecklistItem], list[DroppedItem]]:
    """Items whose citations all resolve and support them; the rest, with the reason each was dropped."""
    kept: list[ChecklistItem] = []
    dropped: list[DroppedItem] = []
    for item in items:
        if not item.citations:
            dropped.append(DroppedItem(text=item.text, reason="no citation"))
            continue
        resolved: list[Citation] = []
        reason: str | None = None
        for citation in item.citations:
            result = resolve_citation(citation, docs)
            if isinstance(result, str):
                reason = result
                break
            resolved.append(result)
        if reason is None and not _supported(item, resolved):
            reason = "the quoted text does not mention the item"
        if reason is not None:
            dropped.append(DroppedItem(text=item.text, reason=reason))
            continue
        kept.append(item.model_copy(update={"citations": resolved}))
    return kept, dropped


def refine_checklist(checklist: Checklist, docs: dict[str, PolicyDocument], refiner: ChecklistRefiner) -> Checklist:
    """Let the refiner rewrite each procedure's items, keeping only those that validate."""
    procedures: list[Procedure] = []
    dropped = list(checklist.dropped)
    warnings = list(checklist.warnings)
    for procedure in checklist.procedures:
        try:
            proposed = refiner.refine(checklist.question, procedure)
        except Exception as exc:  # the LLM is optional: its failure must not cost the checklist
            log.warning("LLM refinement failed for %s: %s", procedure.name, exc)
            warnings.append(f"LLM refinement failed for {procedure.name!r} ({exc}); the rule-based items are kept")
            procedures.append(procedure)
            continue
        proposed = [i.model_copy(update={"origin": ItemOrigin.LLM}) for i in proposed]
        kept, lost = validate_items(proposed, docs)
        dropped += lost
        for d in lost:
            log.warning("LLM item dropped (%s): %s", d.reason, d.text)
        procedures.append(procedure.model_copy(update={"items": kept}))
    return checklist.model_copy(update={"procedures": procedures, "dropped": dropped, "warnings": warnings})


class _ProposedItem(BaseModel):
    text: str = Field(description="the item, rephrased plainly in the documents' language")
    kind: str = Field(description="material, eligibility, step, where, fee, time, validity or note")
    quote: str = Field(description="the exact passage of the source text this item comes from, copied verbatim")
    condition: str | None = Field(None, description="who or when it applies, if only sometimes")


class _Proposal(BaseModel):
    items: list[_ProposedItem]


REFINE_PROMPT = (
    "You tidy a checklist drawn from one government service guide or policy. Merge duplicates and rephrase items "
    "plainly, but add nothing the text does not say. For every item copy the exact passage it comes from into "
    "'quote': items whose quote is not found word for word in the source are thrown away. Question: {question}"
)


class LlmChecklistRefiner:
    """The configured LLM (settings ``[llm]``) as a :class:`ChecklistRefiner`: structured output, and every item
    it proposes still goes through :func:`validate_items` (an uncited or misquoted item is dropped and reported)."""

    def __init__(self, settings: LlmSettings, docs: Sequence[PolicyDocument]) -> None:
        from office_agent.extract.llm import make_structured_model

        self.structured = make_structured_model(settings, _Proposal)
        self.docs = {d.source: d for d in docs}

    def refine(self, question: str | None, procedure: Procedure) -> list[ChecklistItem]:
        lines = [f"- [{i.kind.value}] {i.text} (quote: {i.citations[0].quote if i.citations else ''})"
                 for i in procedure.items]  # fmt: skip
        prompt = REFINE_PROMPT.format(question=question or "(none: summarise every item)")
        answer: Any = self.structured.invoke([("system", prompt), ("human", "\n".join(lines))])
        if isinstance(answer, dict):
            answer = _Proposal.model_validate(answer)
        out = []
        doc = self.docs.get(procedure.file)
        for proposed in answer.items:
            start = doc.text.find(proposed.quote) if doc and proposed.quote else -1
            citation = Citation(
                file=procedure.file, quote=proposed.quote, start=max(start, 0), end=max(start, 0) + len(proposed.quote)
            )
            kind = ItemKind(proposed.kind) if proposed.kind in ItemKind._value2member_map_ else ItemKind.NOTE
            out.append(ChecklistItem(kind=kind, text=proposed.text, citations=[citation]))
        return out
