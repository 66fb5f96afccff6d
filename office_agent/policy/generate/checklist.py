"""Checklists out: Markdown with checkboxes, XLSX (openpyxl), JSON — every line with its citation.

Labels are Chinese when the question (or, without one, most procedure names) is Chinese, English otherwise.
Spreadsheet cells holding document text are written as text, never as formulas.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from office_agent.generate.ledger import HEADER_FILL, atomic_write, set_text
from office_agent.policy_models import (
    ITEM_KIND_TITLES,
    Applicability,
    Checklist,
    ChecklistItem,
    Citation,
    ItemKind,
    Procedure,
)

_CJK = re.compile(r"[\u4e00-\u9fff]")

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("办理清单", "Checklist"),
    "all": ("全部办理事项", "All procedures"),
    "question": ("问题", "Question"),
    "facts": ("已知情况", "Known from the question"),
    "source": ("来源", "Source"),
    "depends": ("视情况", "Depends on"),
    "applies_if": ("适用", "Applies"),
    "original": ("原件", "original"),
    "copy": ("复印件", "copy"),
    "copies": ("份", "copies"),
    "who": ("提供人", "by"),
    "excluded": ("按问题排除的条目", "Left out for this case"),
    "files": ("文件处理情况", "Files"),
    "dropped": ("未通过引文校验而丢弃的条目", "Dropped: no valid citation"),
    "no_match": (
        "文档中没有与问题相关的内容。这些文档涵盖：",
        "Nothing in the documents matches the question. They cover:",
    ),
    "warnings": ("提示", "Warnings"),
    "procedure": ("办理事项", "Procedure"),
}


def is_chinese(checklist: Checklist) -> bool:
    sample = checklist.question or " ".join(p.name for p in checklist.procedures) or " ".join(checklist.coverage)
    return bool(_CJK.search(sample))


def _label(key: str, zh: bool) -> str:
    return _LABELS[key][0 if zh else 1]


def _colon(zh: bool) -> str:
    return "：" if zh else ": "


def _kind_title(kind: ItemKind, zh: bool) -> str:
    return ITEM_KIND_TITLES[kind][0 if zh else 1]


def item_details(item: ChecklistItem, zh: bool) -> str:
    """ "原件、复印件；2份；提供人：监护人" — the attributes worth printing next to an item."""
    parts: list[str] = []
    forms = [_label(k, zh) for k, v in (("original", item.original), ("copy", item.copy_required)) if v]
    if forms:
        parts.append(("、" if zh else " + ").join(forms))
    if item.copies:
        parts.append(f"{item.copies}{_label('copies', zh)}" if zh else f"{item.copies} {_label('copies', zh)}")
    if item.who:
        parts.append(f"{_label('who', zh)}{'：' if zh else ': '}{item.who}")
    return ("；" if zh else "; ").join(parts)


def _md_escape(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def _md_item(item: ChecklistItem, zh: bool) -> list[str]:
    line = f"- [ ] {_md_escape(item.text)}"
    details = item_details(item, zh)
    if details:
        line += f"（{details}）" if zh else f" ({details})"
    if item.applicability == Applicability.DEPENDS and item.conditions:
        line += f" — **{_label('depends', zh)}**{_colon(zh)}{_md_escape(item.condition_text())}"
    lines = [line]
    for c in item.citations:
        lines.append(f"  - {_label('source', zh)}{_colon(zh)}{_md_escape(c.label())} — “{_md_escape(c.quote)}”")
    return lines


def _md_procedure(procedure: Procedure, zh: bool) -> list[str]:
    lines = [f"## {procedure.name}", ""]
    if procedure.citation is not None:
        lines += [f"{_label('source', zh)}{_colon(zh)}{procedure.citation.label()}", ""]
    for kind in ItemKind:
        items = procedure.of_kind(kind)
        if not items:
            continue
        lines += [f"### {_kind_title(kind, zh)}", ""]
        for item in items:
            lines += _md_item(item, zh)
        lines.append("")
    return lines


def render_markdown(checklist: Checklist) -> str:
    zh = is_chinese(checklist)
    title = f"{_label('title', zh)}{_colon(zh)}{checklist.question}" if checklist.question else _label("all", zh)
    lines = [f"# {_md_escape(title)}", ""]
    if checklist.profile.facts:
        facts = ("，" if zh else ", ").join(checklist.profile.facts)
        lines += [f"> {_label('facts', zh)}{_colon(zh)}{facts}", ""]
    if checklist.no_match:
        lines += [_label("no_match", zh), ""] + [f"- {_md_escape(c)}" for c in checklist.coverage] + [""]
    for procedure in checklist.procedures:
        lines += _md_procedure(procedure, zh)
    if checklist.excluded:
        lines += [f"## {_label('excluded', zh)}", ""]
        lines += [f"- ~~{_md_escape(i.text)}~~ — {_md_escape(i.condition_text())}" for i in checklist.excluded]
        lines.append("")
    if checklist.dropped:
        lines += [f"## {_label('dropped', zh)}", ""]
        lines += [f"- {_md_escape(d.text)} — {_md_escape(d.reason)}" for d in checklist.dropped] + [""]
    problems = [f for f in checklist.files if f.reason]
    if problems:
        lines += [f"## {_label('files', zh)}", ""]
        lines += [f"- {f.source}: {f.status.value} — {_md_escape(f.reason or '')}" for f in problems] + [""]
    if checklist.warnings:
        lines += [f"## {_label('warnings', zh)}", ""] + [f"- {_md_escape(w)}" for w in checklist.warnings] + [""]
    return "\n".join(lines).rstrip() + "\n"


def render_json(checklist: Checklist) -> str:
    return json.dumps(checklist.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


# --- XLSX ---------------------------------------------------------------------------------------------------------

_COLUMNS_ZH = ["完成", "办理事项", "类别", "条目", "原件/复印件/份数", "适用条件", "状态", "来源文件", "页", "章节",
               "引文", "起止"]  # fmt: skip
_COLUMNS_EN = ["Done", "Procedure", "Kind", "Item", "Form / copies", "Condition", "Status", "File", "Page", "Section",
               "Quote", "Offsets"]  # fmt: skip
_WIDTHS = [6, 28, 14, 40, 22, 30, 10, 24, 6, 30, 60, 12]
_STATUS = {
    Applicability.APPLIES: ("需要", "required"),
    Applicability.DEPENDS: ("视情况", "depends"),
    Applicability.EXCLUDED: ("不适用", "not for this case"),
}


def _header(ws: Worksheet, names: list[str]) -> None:
    from openpyxl.utils import get_column_letter

    for col, (name, width) in enumerate(zip(names, _WIDTHS, strict=False), start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def _item_rows(ws: Worksheet, rows: list[tuple[str, ChecklistItem]], zh: bool) -> None:
    row = 2
    for procedure, item in rows:
        cited: list[Citation | None] = list(item.citations) or [None]
        for k, citation in enumerate(cited):
            values = [
                "☐" if k == 0 else "",
                procedure,
                _kind_title(item.kind, zh),
                item.text if k == 0 else "",
                item_details(item, zh) if k == 0 else "",
                item.condition_text() if k == 0 else "",
                _STATUS[item.applicability][0 if zh else 1] if k == 0 else "",
                citation.file if citation else "",
                citation.page if citation else None,
                citation.section if citation else "",
                citation.quote if citation else "",
                f"{citation.start}-{citation.end}" if citation else "",
            ]
            for col, value in enumerate(values, start=1):
                set_text(ws, row, col, value)
                ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1


def build_workbook(checklist: Checklist) -> Workbook:
    zh = is_chinese(checklist)
    names = _COLUMNS_ZH if zh else _COLUMNS_EN
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "清单" if zh else "Checklist"
    _header(ws, names)
    _item_rows(ws, [(p.name, i) for p in checklist.procedures for i in p.items], zh)
    if checklist.excluded:
        ex = wb.create_sheet("排除" if zh else "Left out")
        _header(ex, names)
        _item_rows(ex, [("", i) for i in checklist.excluded], zh)
    info = wb.create_sheet("说明" if zh else "About")
    rows: list[tuple[str, str]] = [(_label("question", zh), checklist.question or _label("all", zh))]
    rows += [(_label("facts", zh), "，".join(checklist.profile.facts))] if checklist.profile.facts else []
    rows += [(_label("no_match", zh), c) for c in checklist.coverage]
    rows += [(f.source, f"{f.status.value}: {f.reason or ''}") for f in checklist.files]
    rows += [(_label("dropped", zh), f"{d.text} — {d.reason}") for d in checklist.dropped]
    rows += [(_label("warnings", zh), w) for w in checklist.warnings]
    for r, (key, value) in enumerate(rows, start=1):
        set_text(info, r, 1, key)
        set_text(info, r, 2, value)
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 100
    return wb


def write_checklist(checklist: Checklist, path: Path, fmt: str) -> Path:
    """Write ``md``, ``json`` or ``xlsx`` to ``path`` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        with atomic_write(path, mode="wb", encoding=None) as fh:
            build_workbook(checklist).save(fh)
        return path
    text = render_markdown(checklist) if fmt == "md" else render_json(checklist)
    with atomic_write(path) as fh:
        fh.write(text)
    return path
