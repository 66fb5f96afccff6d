"""Policy document → procedures with cited checklist items (materials, eligibility, steps, where, fees, time,
validity, notes). Rules only; retrieval and the question's conditions are applied in ``policy.extract.query``.

How a block becomes an item:

* its **kind** comes from the nearest heading above it that names one ("二、申请材料" → material, "Fees" → fee);
  blocks outside any such section are read sentence by sentence, and only clear statements count ("应当提交本人的
  居民身份证、户口簿…" → materials, "十五日内签发" → processing time), which is how laws are read;
* in a materials section every list item, table row or short numbered line naming a document is one material; a
  sub-heading naming a document is one material whose lines below are its details ("Số lượng: Bản chính: 1");
  lead-ins ("Personal documents including:", "未满16周岁的还需提交：") are not items but pass their conditions on;
* **conditions** come from the headings of its section, its lead-ins, its own text and lines labelled 适用/Áp dụng;
* every item carries at least one citation whose quote is ``doc.text[start:end]``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from office_agent.policy.extract import materials, rules
from office_agent.policy.extract.naming import good_name, name_block
from office_agent.policy_models import (
    Block,
    BlockKind,
    ChecklistItem,
    Citation,
    Condition,
    ConditionKind,
    ItemKind,
    Necessity,
    PolicyDocument,
    Procedure,
)

log = logging.getLogger(__name__)

_NOTE_LEAD = re.compile(r"^(?:注|备注|说明|提示|温馨提示|特别提示|note|lưu ý)\s*[:：]", re.I)
_CONDITION_LABEL = re.compile(r"^(?:适用于?|适用对象|适用情形|仅限|Áp dụng|Applies to|Only for)\s*[:：]?", re.I)
_SENTENCE = re.compile(r".+?(?:[。！？!?]|(?<![A-Z])\.(?=\s|$)|$)", re.S)
_MAX_MATERIAL_PARAGRAPH = 40
_EVERYONE = re.compile(r"所有|全部|均|一律|\ball\b|every", re.I)  # a table's case column that names no case
# A paragraph that reads as an instruction ("须携带下表所列材料。") is a note about the materials, not one of them.
_INSTRUCTION = re.compile(r"。|\.\s|携带|提交|提供|须|应当|must|should", re.I)


def cite(doc: PolicyDocument, block: Block, start: int | None = None, end: int | None = None) -> Citation:
    """A citation of a block, or of ``[start, end)`` inside ``doc.text``."""
    s = block.location.start if start is None else start
    e = block.location.end if end is None else end
    return Citation(
        file=doc.source, page=block.location.page, section=block.location.section_label(),
        quote=doc.text[s:e], start=s, end=e,
    )  # fmt: skip


@dataclass
class _Context:
    kind: ItemKind | None
    depth: int  # index in the section path of the heading that gave the kind (-1: none)
    heading_conditions: list[Condition] = field(default_factory=list)
    necessity: Necessity | None = None  # from a group heading above ("（一）必要材料", "容缺材料")


def _section_context(doc: PolicyDocument, block: Block) -> _Context:
    path = list(block.location.section)
    if block.kind == BlockKind.HEADING and path:
        path = path[:-1]  # a heading's own title is not its context
    if path and doc.title and path[0].endswith(doc.title) and good_name(doc.title):
        path_offset, path = 1, path[1:]  # the title names the document (unless it is a section title itself)
    else:
        path_offset = 0
    kind, depth = None, -1
    for i in range(len(path) - 1, -1, -1):
        found = rules.classify_heading(path[i])
        if found is not None:
            kind, depth = found, i + path_offset
            break
    conditions: list[Condition] = []
    necessity = None
    for i, title in enumerate(path):
        conditions += rules.parse_conditions(title, group_base=1000 + 100 * i)
        if materials.is_material_group(title):
            necessity = materials.necessity_of(title) or necessity
    return _Context(kind, depth, conditions, necessity)


# A short line standing alone as a section title ("需要申请材料", "办理流程及时限") where the page styles its
# titles as plain paragraphs: it gives the blocks after it their kind, as a heading would.
_LABEL_TEXT = re.compile(r"^[^\s，,。；;：:、！？!?]{2,12}$")


def _key_kind(block: Block) -> ItemKind | None:
    """The kind a key–value row's key names (not materials: a row naming one is no list of them)."""
    rows = [block.cells, block.header] if block.kind == BlockKind.TABLE_ROW else []
    for cells in rows:
        if len(cells) == 2 and cells[1].strip() and _LABEL_TEXT.match(cells[0].strip()):
            kind = rules.classify_heading(cells[0])
            if kind not in (None, ItemKind.MATERIAL):
                return kind
    return None


def _label_kind(text: str) -> ItemKind | None:
    return rules.classify_heading(text) if _LABEL_TEXT.match(text) else None


def _material_table_sections(doc: PolicyDocument) -> set[tuple[str, ...]]:
    """Sections holding a table of materials (a header with a 材料名称 column): its rows are the materials."""
    return {
        b.location.section
        for b in doc.blocks
        if b.kind == BlockKind.TABLE_ROW and _column(b.header, _NAME_COLUMN) is not None
    }


def _ancestors(doc: PolicyDocument, index: int) -> list[int]:
    out: list[int] = []
    parent = doc.blocks[index].parent
    while parent is not None and parent not in out:
        out.append(parent)
        parent = doc.blocks[parent].parent
    return out


class _Extractor:
    def __init__(self, doc: PolicyDocument) -> None:
        self.doc = doc
        self.items: list[ChecklistItem] = []
        self.material_at: dict[int, ChecklistItem] = {}  # block index → the material it names
        self.consumed: set[int] = set()
        self._contexts: dict[tuple[tuple[str, ...], bool], _Context] = {}
        self.table_sections = _material_table_sections(doc)
        self.material_sections = any(
            b.kind == BlockKind.HEADING and b.text != doc.title and rules.classify_heading(b.text) == ItemKind.MATERIAL
            for b in doc.blocks
        )
        self.label: tuple[ItemKind, tuple[str, ...]] | None = None  # the last label paragraph, and its section

    def context(self, block: Block) -> _Context:
        """The block's section context, computed once per distinct section path."""
        key = (block.location.section, block.kind == BlockKind.HEADING)
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = _section_context(self.doc, block)
        kind = ctx.kind
        if kind is None and self.label is not None and self.label[1] == block.location.section:
            kind = self.label[0]
        return _Context(kind, ctx.depth, list(ctx.heading_conditions), ctx.necessity)

    def _take_label(self, block: Block) -> bool:
        """Remember a label paragraph (it opens a section of its kind); True when ``block`` is one."""
        if block.kind == BlockKind.HEADING:
            self.label = None
            return False
        if block.kind != BlockKind.PARAGRAPH or self._contexts_kind(block) is not None:
            return False
        kind = _label_kind(block.text)
        if kind is None:
            return False
        self.label = (kind, block.location.section)
        return True

    def _contexts_kind(self, block: Block) -> ItemKind | None:
        key = (block.location.section, False)
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = _section_context(self.doc, block)
        return ctx.kind

    def run(self) -> list[ChecklistItem]:
        for i, block in enumerate(self.doc.blocks):
            if i in self.consumed:
                continue
            if rules.is_chrome(block.text) or self._take_label(block):
                continue
            ctx = self.context(block)
            if block.parent is not None and rules.is_material_lead(self.doc.blocks[block.parent].text):
                restated = ctx.kind == ItemKind.ELIGIBILITY and self.material_sections
                if not restated:  # "受理条件：申请材料齐全：1. …" restates the guide's own 申请材料 section
                    ctx = _Context(ItemKind.MATERIAL, ctx.depth, ctx.heading_conditions)
            if block.kind == BlockKind.HEADING:
                if ctx.kind == ItemKind.MATERIAL:
                    self._material_heading(i, ctx)
                continue
            if ctx.kind is None and (key := _key_kind(block)) is not None:
                self._plain(i, key, ctx)  # a 基本信息 row "承诺时限 | 10个工作日" is a line of its kind
            elif ctx.kind is None:
                self._sentences(i, ctx)
            elif ctx.kind == ItemKind.MATERIAL:
                self._material_block(i, ctx)
            else:
                self._plain(i, ctx.kind, ctx)
        return self.items

    # --- materials ------------------------------------------------------------------------------------------------

    def _material_heading(self, i: int, ctx: _Context) -> None:
        block = self.doc.blocks[i]
        if rules.classify_heading(block.text) not in (None, ItemKind.MATERIAL):
            return
        if not rules.looks_like_material(block.text) or materials.is_material_group(block.text):
            return
        if rules.parse_conditions(block.text) and not rules.looks_like_material(_strip_conditions(block.text)):
            return  # "（二）未满16周岁的申请人" opens a group of materials
        details: list[int] = []
        for j in range(i + 1, len(self.doc.blocks)):
            nxt = self.doc.blocks[j]
            if nxt.kind == BlockKind.HEADING:
                break
            details.append(j)
        if any(self.doc.blocks[j].kind == BlockKind.TABLE_ROW for j in details):
            return  # a heading over a table of materials: the rows are the materials
        if sum(1 for j in details if rules.looks_like_material(self.doc.blocks[j].text)) > 2 and not any(
            ":" in self.doc.blocks[j].text or "：" in self.doc.blocks[j].text for j in details
        ):
            return  # a heading over a list of materials
        item = self._material(i, ctx, block.text, [cite(self.doc, block)])
        for j in details:
            self._add_detail(item, j)
            self.consumed.add(j)

    def _add_detail(self, item: ChecklistItem, j: int) -> None:
        text = self.doc.blocks[j].text
        if _NOTE_LEAD.match(text):
            ctx = self.context(self.doc.blocks[j])
            self._plain(j, ItemKind.NOTE, ctx)
            return
        original, copy = rules.parse_form(text)
        if re.search(r"Số lượng|数量|份数|copies", text, re.I):
            item.original, item.copy_required = original, copy
            item.copies = rules.parse_copies(text) or item.copies
        elif _CONDITION_LABEL.match(text):
            base = 500 + 10 * len(item.conditions)
            item.conditions += _or_group(rules.parse_conditions(text, group_base=base)) or _other(text, base)
            item.citations.append(cite(self.doc, self.doc.blocks[j]))
        item.who = item.who or rules.parse_who(text)

    def _material_block(self, i: int, ctx: _Context) -> None:
        block = self.doc.blocks[i]
        ancestors = _ancestors(self.doc, i)
        owner = next((a for a in ancestors if a in self.material_at), None)
        if owner is not None:
            self._add_detail(self.material_at[owner], i)
            return
        if block.kind == BlockKind.TABLE_ROW:
            self._table_material(i, ctx)
            return
        if _NOTE_LEAD.match(block.text) or (
            block.kind == BlockKind.PARAGRAPH and block.location.section in self.table_sections
        ):
            self._plain(i, ItemKind.NOTE, ctx)  # beside a table of materials a loose line is a legend or a note
            return
        if rules.is_attribute_line(block.text) or materials.is_material_group(block.text):
            return
        if rules.is_group_header(block.text) and not rules.submit_list(block.text):
            return
        spans = rules.submit_list(block.text)
        if spans and block.kind == BlockKind.PARAGRAPH:
            self._split_materials(i, ctx, 0, len(block.text), spans)
            return
        if block.kind == BlockKind.PARAGRAPH:
            short = len(block.text) <= _MAX_MATERIAL_PARAGRAPH and not _INSTRUCTION.search(block.text)
        else:
            short = True
        if short and rules.looks_like_material(block.text):
            self._material_line(i, ctx)
        elif block.kind == BlockKind.PARAGRAPH:
            self._sentences(i, ctx, materials=False)  # "Apply in person at …" inside a materials section
        else:
            self._plain(i, ItemKind.NOTE, ctx)

    def _table_material(self, i: int, ctx: _Context) -> None:
        block = self.doc.blocks[i]
        name_col = _column(block.header, _NAME_COLUMN)
        cells = block.cells
        named = name_col is not None and name_col < len(cells) and bool(cells[name_col].strip())
        if name_col is not None and not named:
            self._plain(i, ItemKind.NOTE, ctx)  # a row with an empty 材料名称: the rest of a cell cut at a page end
            return
        if not named:
            name_col = next((k for k, c in enumerate(cells) if c and not c.isdigit()), 0)
        assert name_col is not None
        name = cells[name_col] if cells else block.text
        if not (named and not _PLACEHOLDER.match(name.strip())) and not rules.looks_like_material(name):
            self._plain(i, ItemKind.NOTE, ctx)  # a 材料名称 cell names a material whatever its words
            return
        end, run_in = materials.split_attributes(name)
        name = name[:end].strip() or name
        cond_col = _column(block.header, r"情形|情况|条件|对象|适用|case|condition|if you")
        extra = None
        if cond_col is not None and cond_col != name_col and cond_col < len(cells) and cells[cond_col]:
            clause = cells[cond_col]  # a row of a 情形 | 所需材料 table: the row's case is the condition
            extra = rules.parse_conditions(clause)
            if not extra and not _EVERYONE.search(clause):
                extra = [Condition(kind=ConditionKind.OTHER, text=re.split(r"[，,；;。]", clause)[0], group=3000)]
        item = self._material(i, ctx, name, [cite(self.doc, block)], attributes_from=name, extra_conditions=extra)
        columns = {
            f: cells[k]
            for k, label in enumerate(block.header)
            if k < len(cells) and k != name_col and (f := materials.attribute_field(label)) is not None
        }
        materials.apply_attributes(item, {**run_in, **columns})
        if item.necessity is None and "★" in block.text:
            item.necessity = Necessity.REQUIRED

    def _split_materials(self, i: int, ctx: _Context, base: int, end: int, spans: list[tuple[int, int]]) -> None:
        block = self.doc.blocks[i]
        sentence = block.text[base:end]
        start = block.location.start + base
        for s, e in spans:
            name = sentence[s:e].strip()
            conditions = rules.parse_conditions(sentence[:s] + sentence[e:])
            item = self._material(
                i, ctx, name, [cite(self.doc, block, start, block.location.start + end)],
                attributes_from=name, extra_conditions=conditions,
            )  # fmt: skip
            item.who = item.who or rules.parse_who(sentence)

    def _material(
        self,
        i: int,
        ctx: _Context,
        text: str,
        citations: list[Citation],
        attributes_from: str | None = None,
        extra_conditions: list[Condition] | None = None,
    ) -> ChecklistItem:
        source = attributes_from or text
        original, copy = rules.parse_form(source)
        conditions = list(ctx.heading_conditions)
        for a in reversed(_ancestors(self.doc, i)):
            conditions += rules.parse_conditions(self.doc.blocks[a].text, group_base=2000 + 10 * a)
        head = _first_sentence(source)  # later sentences explain the item; its conditions come first
        own = extra_conditions if extra_conditions is not None else rules.parse_conditions(head)
        conditions += own or _other(head, 3000)
        item = ChecklistItem(
            kind=ItemKind.MATERIAL, text=_display(text), original=original, copy_required=copy,
            copies=rules.parse_copies(source), who=rules.parse_who(source), conditions=conditions,
            citations=citations, necessity=ctx.necessity, alternatives=materials.alternatives(_display(text)),
        )  # fmt: skip
        self.items.append(item)
        self.material_at.setdefault(i, item)
        return item

    def _material_line(self, i: int, ctx: _Context) -> None:
        """A list item or short line in a materials section: its name (attributes split off and kept as fields),
        one material per document it names, a bracketed restriction ("（限离婚投靠）") as its condition."""
        block = self.doc.blocks[i]
        text = block.text.lstrip("★*").rstrip()
        lead = len(block.text) - len(block.text.lstrip("★*"))
        end, values = materials.split_attributes(text)
        name = text[:end].rstrip(" ；;。，,") or text
        if _RULE.search(name):
            self._plain(i, ItemKind.NOTE, ctx)
            return
        for s, e in materials.names_in_line(name):
            part = name[s:e]
            limit = materials.restriction(part)
            extra = None
            if limit is not None:
                extra = rules.parse_conditions(part) or [Condition(kind=ConditionKind.OTHER, text=limit[2], group=3000)]
            start = block.location.start + lead + s
            said = _SUBMIT_LEAD.match(part)  # "未满16周岁的，提交监护证明（…）": the case is its condition
            item = self._material(
                i, ctx, part, [cite(self.doc, block, start, start + len(part))], attributes_from=part,
                extra_conditions=extra,
            )  # fmt: skip
            if said and not item.conditions:
                item.conditions = rules.parse_conditions(part) or _other(said.group(0), 3000)
            materials.apply_attributes(item, values)
            if item.necessity is None and block.text.startswith("★"):
                item.necessity = Necessity.REQUIRED

    # --- everything else ----------------------------------------------------------------------------------------

    def _plain(self, i: int, kind: ItemKind, ctx: _Context) -> None:
        block = self.doc.blocks[i]
        if rules.is_group_header(block.text) and self._has_children(i):
            return  # the lead-in is quoted with each of its items instead
        citations = [cite(self.doc, block)]
        text = block.text
        parent = block.parent
        if parent is not None and rules.is_group_header(self.doc.blocks[parent].text):
            lead = self.doc.blocks[parent].text
            text = f"{lead} {text}"
            citations.insert(0, cite(self.doc, self.doc.blocks[parent]))  # quoted in reading order
        conditions = list(ctx.heading_conditions) + _or_group(rules.parse_conditions(block.text, group_base=3000))
        if parent is not None:
            conditions += _or_group(rules.parse_conditions(self.doc.blocks[parent].text, group_base=2000 + parent))
        self.items.append(ChecklistItem(kind=kind, text=_display(text), conditions=conditions, citations=citations))

    def _has_children(self, i: int) -> bool:
        return i + 1 < len(self.doc.blocks) and self.doc.blocks[i + 1].parent == i

    def _sentences(self, i: int, ctx: _Context, materials: bool = True) -> None:
        block = self.doc.blocks[i]
        for m in _SENTENCE.finditer(block.text):
            sentence = m.group(0)
            if len(sentence.strip()) < 4:
                continue
            kind = rules.classify_sentence(sentence, materials=materials)
            if kind is None:
                continue
            lead = len(sentence) - len(sentence.lstrip())
            s, e = m.start() + lead, m.end()
            if kind == ItemKind.MATERIAL:
                spans = rules.submit_list(block.text[s:e]) or rules.english_objects(block.text[s:e])
                self._split_materials(i, ctx, s, e, spans)
                continue
            conditions = list(ctx.heading_conditions) + _or_group(rules.parse_conditions(sentence, 3000))
            start = block.location.start
            self.items.append(
                ChecklistItem(
                    kind=kind, text=_display(sentence), conditions=conditions,
                    citations=[cite(self.doc, block, start + s, start + e)],
                )
            )  # fmt: skip


def _or_group(conditions: list[Condition]) -> list[Condition]:
    """Conditions stated inside a descriptive item ("未满十六周岁的五年，十六周岁以上的十年") are alternatives."""
    if not conditions:
        return []
    group = conditions[0].group
    return [c.model_copy(update={"group": group}) for c in conditions]


def _other(text: str, group: int) -> list[Condition]:
    clause = rules.other_condition(text)
    return [Condition(kind=ConditionKind.OTHER, text=clause, group=group)] if clause else []


def _strip_conditions(text: str) -> str:
    for c in rules.parse_conditions(text):
        text = text.replace(c.text, "")
    return text.replace("申请人", "")


def _first_sentence(text: str) -> str:
    m = re.search(r"。|(?<![A-Z])\.\s|\s[-–—]\s", text)
    return text[: m.start()] if m else text


_NAME_COLUMN = r"材料|名称|name|document|item|giấy tờ"
# A rule about the materials ("申请表格应由申请人填写并签名", "应使用A4型纸打印"), not one of them
_RULE = re.compile(
    r"(?:应当?|须|必须|不得|需)(?:使用|用|按照?|由|经|如实|逐项|符合|齐全|核对|加盖|签名|签字|填写|打印|装订|注明|保持|真实"
    r"|清晰|完整|一致|有效|在)"
)
_SUBMIT_LEAD = re.compile(
    r"^(?:[^，,：:。]{2,30}?(?:的|者)[，,]?\s*(?:应当|应|须|需|还需|另需|还应)?|[^，,：:。]{2,20}?(?:应当|应|须|需|还需|另需))"
    r"\s*(?:提交|提供|携带|出具|出示|交验)\s*(?=\S{2})"
)
_PLACEHOLDER = re.compile(r"^(?:无|—+|-+|/|暂无)?$")


def _column(header: list[str], pattern: str) -> int | None:
    for k, cell in enumerate(header):
        if re.search(pattern, cell, re.I):
            return k
    return None


def _display(text: str) -> str:
    return text.strip().rstrip("；;，,")


def extract_procedures(doc: PolicyDocument) -> list[Procedure]:
    """The procedures of one document with every item found: one named by its title, or one per procedure section
    when the document holds several (see :mod:`office_agent.policy.extract.sections`)."""
    from office_agent.policy.extract.sections import procedure_sections, split_items

    items = _Extractor(doc).run()
    log.debug("%s: %d items", doc.source, len(items))
    sections = procedure_sections(doc, items)
    name, at = name_block(doc)
    if not sections:
        citation = cite(doc, doc.blocks[at]) if at is not None else None
        return [Procedure(name=name, file=doc.source, items=items, citation=citation)]
    out = []
    for section, own in zip(sections, split_items(doc, items, sections), strict=True):
        heading = doc.blocks[section.heading]
        last = doc.blocks[section.end - 1]
        out.append(
            Procedure(
                name=f"{name} › {heading.text}", file=doc.source, items=own,
                citation=cite(doc, heading), conditions=rules.parse_conditions(heading.text),
                extent=(heading.location.start, last.location.end),
            )
        )  # fmt: skip
    log.debug("%s: %d procedures", doc.source, len(out))
    return out
