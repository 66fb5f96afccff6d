"""One checklist section per procedure: a guide that holds several procedures (首次申领 / 换领 / 补领 a passport; an
expense policy's 差旅费 and 招待费 chapters) is cut into them.

A heading opens a procedure when

* it does not itself name a kind of item ("申请材料", "收费标准" are parts of a procedure, not procedures) and no
  heading above it does (the "（二）换发或补发的，另需提交" under "申请材料" is a group of materials);
* materials were found under it;
* at least one sibling heading (same parent, same depth) qualifies too: the shallowest such group wins.

Each procedure gets the items under its heading, plus the items of the sections outside every procedure (a
shared "收费标准", "办理地点", the eligibility in the preamble), in document order. The conditions its heading
states ("补领护照" → lost) become the procedure's, and are taken off its items, where they would only repeat it.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass

from office_agent.policy.extract import rules
from office_agent.policy_models import BlockKind, ChecklistItem, ItemKind, PolicyDocument

MIN_PROCEDURES = 2


@dataclass(frozen=True)
class Section:
    heading: int  # block index of the heading
    start: int  # first block index under it (the heading itself)
    end: int  # one past the last block under it


def _subtree_end(doc: PolicyDocument, i: int) -> int:
    path = doc.blocks[i].location.section
    j = i + 1
    while j < len(doc.blocks) and doc.blocks[j].location.section[: len(path)] == path:
        j += 1
    return j


def _item_blocks(doc: PolicyDocument, items: list[ChecklistItem]) -> list[int]:
    """The block each item comes from (by its first citation's offset)."""
    starts = [b.location.start for b in doc.blocks]
    out = []
    for item in items:
        offset = item.citations[0].start if item.citations else -1
        out.append(max(0, bisect.bisect_right(starts, offset) - 1))
    return out


def procedure_sections(doc: PolicyDocument, items: list[ChecklistItem]) -> list[Section]:
    """The sections that are procedures of their own (empty when the document holds one procedure)."""
    where = _item_blocks(doc, items)
    material_blocks = sorted(w for w, it in zip(where, items, strict=True) if it.kind == ItemKind.MATERIAL)
    groups: dict[tuple[str, ...], list[Section]] = {}
    title = next((k for k, b in enumerate(doc.blocks) if b.kind == BlockKind.HEADING), None)
    for i, block in enumerate(doc.blocks):
        if block.kind != BlockKind.HEADING or (i == title and len(block.location.section) == 1):
            continue
        path = block.location.section
        inner = path[1:] if doc.title and path[0].endswith(doc.title) else path  # the title names the document
        if any(rules.classify_heading(title) is not None for title in inner):
            continue
        end = _subtree_end(doc, i)
        k = bisect.bisect_left(material_blocks, i)
        if k < len(material_blocks) and material_blocks[k] < end:
            groups.setdefault(path[:-1], []).append(Section(i, i, end))
    chosen = [g for g in groups.values() if len(g) >= MIN_PROCEDURES]
    if not chosen:
        return []
    return min(chosen, key=lambda g: len(doc.blocks[g[0].heading].location.section))


def split_items(
    doc: PolicyDocument, items: list[ChecklistItem], sections: list[Section]
) -> list[list[ChecklistItem]]:
    """Per section: its own items and the shared ones (outside every section), in document order."""
    starts = [sec.start for sec in sections]  # sections are disjoint and in document order
    owner: list[int | None] = []
    for block in _item_blocks(doc, items):
        k = bisect.bisect_right(starts, block) - 1
        owner.append(k if k >= 0 and block < sections[k].end else None)
    shared = [n for n, where in enumerate(owner) if where is None]
    mine: list[list[int]] = [[] for _ in sections]
    for n, where in enumerate(owner):
        if where is not None:
            mine[where].append(n)
    out: list[list[ChecklistItem]] = []
    for section, indexes in zip(sections, mine, strict=True):
        heading = doc.blocks[section.heading]
        title = heading.location.section[-1]
        own = {c.kind for c in rules.parse_conditions(heading.text)}
        kept = []
        for n in heapq.merge(indexes, shared):  # in the order the items were found
            item = items[n]
            if owner[n] is not None:
                conditions = [c for c in item.conditions if not (c.kind in own and c.text in title)]
                item = item.model_copy(update={"conditions": conditions})
            kept.append(item)
        out.append(kept)
    return out
