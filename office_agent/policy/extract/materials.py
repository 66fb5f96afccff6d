"""What a material line says besides its name: the vocabulary of 申请材料 lists and tables.

A guide gives each material with attributes, either as table columns (序号 | 材料名称 | 材料类型 | 来源渠道 |
份数 | 必要性 | 填报须知) or run into the line ("…报告书材料类型：原件或复印件；份数：复印件1份；来源渠道：
申请人自备；必要性：必要。").
The same labels serve both: :func:`attribute_field` names the field a label (a header cell, or the text before a
colon) gives, :func:`split_attributes` cuts a line into its name and its labelled values, :func:`apply_attributes`
puts them on the item. Groups ("（一）必要材料", "非必要材料", "容缺材料") are not materials: they give their
materials a necessity. A line that names several documents is cut into them, never inside brackets, and "A或B"
stays one material with alternatives.

Pure functions over text, like :mod:`office_agent.policy.extract.rules`.
"""

from __future__ import annotations

import re

from office_agent.policy.extract import rules
from office_agent.policy_models import ChecklistItem, Necessity

# label → field; checked in order (份数 labels before the generic 份数, 容缺 before 必要)
_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("original_copies", re.compile(r"^原件(?:份数|数量)$")),
    ("copy_copies", re.compile(r"^复印件(?:份数|数量)$")),
    ("copies", re.compile(r"^(?:纸质)?(?:份数|数量)$|^copies$|^số lượng$", re.I)),
    ("form", re.compile(r"^材料类型$|^类型$|^原件/复印件$|^材料种类$")),
    ("medium", re.compile(r"^(?:材料|提交|载体)形式$")),
    ("source", re.compile(r"^(?:来源渠道|材料来源|来源|出具单位|提供单位)$")),
    ("waivable", re.compile(r"^是否容缺(?:受理)?$|^容缺$")),
    ("necessity", re.compile(r"^(?:必要性|是否必要|是否必需|是否必须|必需|必要|材料必要性)$")),
    ("guidance", re.compile(r"^(?:填报须知|填写须知|填写说明|填写要求|受理标准|要求|备注|说明)$")),
    ("who", re.compile(r"^提供人$|^提交人$")),
]
_LABEL = re.compile(
    r"(原件份数|复印件份数|纸质份数|份数|材料类型|材料形式|提交形式|载体形式|来源渠道|材料来源|出具单位|是否容缺(?:受理)?"
    r"|必要性|是否必要|是否必需|填报须知|填写须知|填写说明|填写要求|受理标准|提供人)\s*[:：]"
)


def attribute_field(label: str) -> str | None:
    """The field a label gives ("来源渠道" → source), or None for a label that is no attribute."""
    label = re.sub(r"\s+", "", label).strip("：:★*")
    return next((name for name, pattern in _FIELDS if pattern.search(label)), None)


def split_attributes(text: str) -> tuple[int, dict[str, str]]:
    """Where the name ends in ``text`` and the labelled values after it: ``"X材料类型：原件；份数：1份"`` →
    ``(1, {"form": "原件", "copies": "1份"})``. Without labels the whole text is the name."""
    labels = list(_LABEL.finditer(text))
    if not labels:
        return len(text), {}
    values: dict[str, str] = {}
    for k, m in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(text)
        field = attribute_field(m.group(1))
        if field is not None:
            values.setdefault(field, text[m.end() : end].strip(" ；;。，,"))
    return labels[0].start(), values


def necessity_of(text: str) -> Necessity | None:
    """必要 / 非必要 / 容缺 (also 是/否 of a 是否必要 column, ★ of a legend), or None."""
    t = re.sub(r"\s+", "", text)
    if re.search(r"容缺", t):
        return Necessity.WAIVABLE
    if re.search(r"非必要|非必需|非必须|可选|选填|选交|选择性|^否$|optional", t, re.I):
        return Necessity.OPTIONAL
    if re.search(r"必要|必需|必须|必交|必备|^是$|★|required", t, re.I):
        return Necessity.REQUIRED
    return None


_GROUP = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]?\s*)?"
    r"(?:(?:必要|非必要|必需|必须|必交|可选|选择性|选交|容缺(?:受理)?|其他|其它|补充|附加|基本|共性|个性)的?)?"
    r"(?:申请|所需|需要|应交|提交的?|需提交的?|需要申请)?(?:材料|资料|证件|要件)(?:清单|目录|列表|名称)?\s*[:：]?$"
)


def is_material_group(text: str) -> bool:
    """ "（一）必要材料", "非必要材料：", "需要申请材料" — a group of materials, not one of them."""
    return bool(_GROUP.match(text.strip()))


def _apply_form(item: ChecklistItem, value: str) -> None:
    original, copy = rules.parse_form(value)
    item.original = item.original or original
    item.copy_required = item.copy_required or copy


def _apply_copies(item: ChecklistItem, field: str, value: str) -> None:
    number = rules.cn_number(value) if field != "copies" else None
    if field == "copies":
        for kind, pattern in (("original_copies", r"原件\s*(\d{1,3})"), ("copy_copies", r"复印件\s*(\d{1,3})")):
            m = re.search(pattern, value)
            if m:
                setattr(item, kind, int(m.group(1)))
        _apply_form(item, value)
        number = rules.cn_number(value) or rules.parse_copies(value)
        if number is None and (item.original_copies or item.copy_copies):
            number = (item.original_copies or 0) + (item.copy_copies or 0)
        item.copies = number or item.copies
        return
    if number is not None:
        setattr(item, field, number)
        if number > 0:
            if field == "original_copies":
                item.original = True
            else:
                item.copy_required = True


def apply_attributes(item: ChecklistItem, values: dict[str, str]) -> None:
    """Put labelled values (from a table row's columns or a line's "label：value" parts) on a material."""
    for field, value in values.items():
        if not value:
            continue
        if field == "form":
            _apply_form(item, value)
        elif field in ("copies", "original_copies", "copy_copies"):
            _apply_copies(item, field, value)
        elif field == "necessity":
            item.necessity = necessity_of(value) or item.necessity
        elif field == "waivable":
            if necessity_of(value) == Necessity.REQUIRED:  # 是否容缺：是
                item.necessity = Necessity.WAIVABLE
        elif field in ("source", "medium", "guidance", "who") and getattr(item, field) is None:
            setattr(item, field, value)
    if item.original_copies is not None and item.copy_copies is not None and item.copies is None:
        item.copies = item.original_copies + item.copy_copies or None


# --- one line, several documents ------------------------------------------------------------------------------

_OPEN, _CLOSE = "（(【[《〔「“", "）)】]》〕」”"


def outside_brackets(text: str) -> list[bool]:
    """Per character: is it outside every bracket (（…）, 《…》, 【…】 …)? Unbalanced closers are ignored."""
    depth = 0
    out = []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        out.append(depth == 0)
        if ch in _CLOSE and depth:
            depth -= 1
    return out


# "和" joins two documents; "及" in guides mostly joins a document and its companion ("发票原件及酒店结账水单"),
# printed as one line to bring together, so it does not cut
_AND = ("和",)
_FORM_ONLY = re.compile(r"^(?:原件|复印件|正本|副本|影印件|[各共]?\s*\d{1,2}\s*[份张套]|[、及和]|\s)+$")


def _cuts(text: str, end: int, ors: bool) -> list[tuple[int, int, str]]:
    """Separators outside brackets: (start, end, kind) with kind "list" (、；和 及), or "or" (或 / 或者)."""
    flat = outside_brackets(text)
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < end:
        if not flat[i]:
            i += 1
            continue
        if ors and text.startswith("或者", i):
            out.append((i, i + 2, "or"))
            i += 2
            continue
        if ors and text[i] == "或":
            out.append((i, i + 1, "or"))
        elif text[i] in "、；;":
            out.append((i, i + 1, "list"))
        else:
            word = next((w for w in _AND if text.startswith(w, i)), None)
            if word is not None:
                out.append((i, i + len(word), "list"))
                i += len(word)
                continue
        i += 1
    return out


def _pieces(text: str, cuts: list[tuple[int, int, str]], end: int) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for s, e, _ in [*cuts, (end, end, "")]:
        piece = text[pos:s]
        lead = len(piece) - len(piece.lstrip())
        spans.append((pos + lead, s))
        pos = e
    return spans


def _names(text: str, spans: list[tuple[int, int]]) -> bool:
    """Every span names a document by itself (not only a form: "复印件1份")."""
    return all(
        s < e and rules.looks_like_material(_bare(text[s:e])) and not _FORM_ONLY.match(_bare(text[s:e]))
        for s, e in spans
    )


def alternatives(text: str) -> list[str]:
    """ "A或B" / "A或者B或C" (outside brackets, each side naming a document) → ["A", "B", "C"]; else []."""
    if "或" not in text:
        return []
    end = len(text.rstrip(" ；;。，,"))
    cuts = _cuts(text, end, ors=True)
    atoms = _pieces(text, cuts, end)
    real = [k for k, (_, _, kind) in enumerate(cuts) if kind == "or" and _names(text, [atoms[k], atoms[k + 1]])]
    if not real:
        return []
    ors = [cuts[k] for k in real]
    return [text[s:e].strip(" ；;。，,") for s, e in _pieces(text, ors, end)]


def names_in_line(text: str) -> list[tuple[int, int]]:
    """The documents one material line names: "双方居民户口簿、居民身份证" → two spans; "弃婴、儿童基本情况说明"
    (the first part names nothing) and "离婚证或协议书、判决书" (alternatives) → one. Never cut inside brackets."""
    end = len(text.rstrip(" ；;。，,"))
    if alternatives(text):
        return [(0, end)]
    spans = _pieces(text, _cuts(text, end, ors=False), end)
    if len(spans) > 1 and _names(text, spans):
        return spans
    return [(0, end)]


def _bare(text: str) -> str:
    """The text with its bracketed parts left out (what a part names by itself)."""
    flat = outside_brackets(text)
    return "".join(ch for ch, keep in zip(text, flat, strict=True) if keep and ch not in _CLOSE)


_RESTRICTION = re.compile(
    r"[（(]\s*((?:限|仅限|适用于?|如|若|属|需)[^（()）]*(?:[（(][^（()）]*[)）][^（()）]*)*)[)）]"
)


def restriction(text: str) -> tuple[int, int, str] | None:
    """A printed restriction in brackets: "未婚声明（限达到法定婚龄的未婚子女投靠父母）" → its span and text."""
    m = _RESTRICTION.search(text)
    return (m.start(), m.end(), m.group(1)) if m else None
