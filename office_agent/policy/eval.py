"""Scoring checklists against ground truth (``samples/policy/*.truth.json`` or expectations written by hand).

An extracted item matches a truth entry when it contains every word of the entry's ``match`` list (in its text);
matching is one-to-one, so a material listed twice counts once as found and once as a false positive. A citation
*resolves* when ``doc.text[start:end] == quote`` and the quote contains the item's match words (or, for items
without truth, its own text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from office_agent.policy_models import ChecklistItem, Citation, ItemKind, PolicyDocument, Procedure


@dataclass
class Score:
    expected: int = 0
    found: int = 0  # expected entries matched by an item
    extracted: int = 0
    correct: int = 0  # extracted items that matched an expected entry
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0

    def add(self, other: Score) -> None:
        self.expected += other.expected
        self.found += other.found
        self.extracted += other.extracted
        self.correct += other.correct
        self.missing += other.missing
        self.extra += other.extra


def _compact(text: str) -> str:
    return "".join(text.split()).lower()


def matches(item: ChecklistItem, words: Sequence[str]) -> bool:
    text = _compact(item.text)
    return all(_compact(w) in text for w in words)


def score_items(items: Sequence[ChecklistItem], truth: dict[str, list[str]]) -> tuple[Score, dict[str, ChecklistItem]]:
    """Score items against ``{id: match words}``; also return which item matched which id."""
    score = Score(expected=len(truth), extracted=len(items))
    matched: dict[str, ChecklistItem] = {}
    used: set[int] = set()
    for truth_id, words in truth.items():
        for k, item in enumerate(items):
            if k not in used and matches(item, words):
                matched[truth_id] = item
                used.add(k)
                break
    score.found = score.correct = len(matched)
    score.missing = [t for t in truth if t not in matched]
    score.extra = [items[k].text for k in range(len(items)) if k not in used]
    return score, matched


def citation_resolves(citation: Citation, docs: dict[str, PolicyDocument], words: Sequence[str] = ()) -> bool:
    doc = docs.get(citation.file)
    if doc is None or not (0 <= citation.start < citation.end <= len(doc.text)):
        return False
    if doc.text[citation.start : citation.end] != citation.quote:
        return False
    quote = _compact(citation.quote)
    return all(_compact(w) in quote for w in words)


def item_citations_resolve(item: ChecklistItem, docs: dict[str, PolicyDocument], words: Sequence[str] = ()) -> bool:
    """Every citation resolves, and together the quotes contain the match words (or the item's own text)."""
    if not item.citations or not all(citation_resolves(c, docs) for c in item.citations):
        return False
    quoted = _compact(" ".join(c.quote for c in item.citations))
    wanted = list(words) or [item.text]
    return all(_compact(w) in quoted for w in wanted)


def procedure_named(procedures: Sequence[Procedure], name: str) -> Procedure | None:
    """The extracted procedure whose name ends with the truth's procedure name (the heading, without numbering)."""
    return next((p for p in procedures if _compact(p.name).endswith(_compact(name))), None)


def score_procedures(
    procedures: Sequence[Procedure], truth: dict[str, Any]
) -> tuple[Score, dict[str, ChecklistItem], list[str]]:
    """Materials scored procedure by procedure (``truth["procedures"]``): each truth procedure against the extracted
    procedure of that name. Also returns the matches (by truth id) and the truth procedures not found at all."""
    words = {m["id"]: m["match"] for m in truth["materials"]}
    total, matched, absent = Score(), {}, []
    for spec in truth["procedures"]:
        found = procedure_named(procedures, spec["name"])
        expected = {i: words[i] for i in spec["materials"]}
        if found is None:
            absent.append(spec["name"])
            total.add(Score(expected=len(expected), missing=list(expected)))
            continue
        score, hits = score_items([i for i in found.items if i.kind == ItemKind.MATERIAL], expected)
        total.add(score)
        matched.update(hits)
    return total, matched, absent

