"""Draft a rules file from a company's expense policy (差旅费管理办法.pdf, .docx, .md …), for a person to confirm.

The document is read by the checklist engine's readers (:func:`office_agent.policy.ingest.docs.read_policy_file`:
PDF text or OCR, DOCX, HTML, Markdown; blocks with their section, 第X条, page and offsets). Each clause that states
a cap or a ban the rules file can check becomes a section with ``confirmed: false`` and ``source`` citing the file,
the section and the quoted clause; nothing is enforced until a person reads the clause and sets ``confirmed: true``.

What is recognised (Chinese policies):

- a standards table with 住宿 columns per city class (一线城市 / 其他城市 …) and a 伙食补助 column, one row per staff
  level: the row of ``level`` (default: the last row, the general staff) gives hotel ``tiers`` / ``default`` and
  meal ``per_day``; the other rows are quoted in the source;
- sentences: 住宿…（北京、上海…）每晚不超过 N 元 (cities or default), 伙食补助…每人每天 N 元 (per day), 餐费/招待…单次
  （每次）不超过 N 元 (per invoice), 打车/出租车…HH:MM 以后(至次日 HH:MM) (taxi hours), 周末/节假日…不予报销
  (weekend), N 日/天/个工作日/个月内…报销 (claim age; working days × 7/5), 连号 (consecutive), 重复报销
  (claimed before), 发票抬头…XX公司 and 纳税人识别号 (buyer).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from office_agent.policy.ingest.docs import read_policy_file
from office_agent.policy_models import Block, BlockKind, PolicyDocument

AMOUNT = r"(\d{2,6}(?:\.\d+)?)\s*元"
CITY_LIST = re.compile(r"([\u4e00-\u9fff]{2,3}(?:[、，,和及][\u4e00-\u9fff]{2,3})+)(?:等)?(?:城市|地区)?")
NOT_CITY = ("住宿", "伙食", "餐费", "其他", "标准", "员工", "出差", "城市", "每晚", "每人", "每天")
TIER1 = ("北京", "上海", "广州", "深圳")
TIME = r"([01]?\d|2[0-3])[:：点]([0-5]\d)?"


@dataclass
class Draft:
    """Sections of a rules file, each with the citation of the clause it came from."""

    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, name: str, values: dict[str, Any], source: str) -> None:
        section = self.sections.setdefault(name, {"confirmed": False, "source": source})
        for key, value in values.items():
            if isinstance(value, dict) and isinstance(section.get(key), dict):
                section[key].update(value)
            else:
                section.setdefault(key, value)
        if source not in section["source"]:
            section["source"] += f" ｜ {source}"

    def to_yaml(self, documents: Iterable[str]) -> str:
        head = [
            "# Drafted by `office-agent rules draft` from: " + ", ".join(documents),
            "# NOTHING HERE IS ENFORCED until you read each rule's `source` (the clause it came from), check the",
            "# figures and set `confirmed: true`. Sections: see office_agent/data/rules.example.yaml.",
        ]
        body = yaml.safe_dump({"version": 1, **self.sections}, allow_unicode=True, sort_keys=False, width=200)
        return "\n".join(head) + "\n" + body


def _cite(doc: PolicyDocument, block: Block, quote: str | None = None) -> str:
    loc = block.location
    where = loc.file.rsplit("/", 1)[-1]
    if loc.page is not None:
        where += f" p.{loc.page}"
    section = " ".join(s for s in loc.section[1:] if s) or loc.section_label()
    return f"{where} § {section}: {(quote or block.text).strip()}"


def _num(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def _table_rules(doc: PolicyDocument, rows: list[Block], level: str | None, draft: Draft) -> None:
    header = rows[0].header
    hotel_cols = [i for i, h in enumerate(header) if "住宿" in h]
    meal_cols = [i for i, h in enumerate(header) if "伙食" in h or "餐" in h]
    if not hotel_cols and not meal_cols:
        return
    chosen = next((r for r in rows if level and r.cells and level in r.cells[0]), rows[-1])
    others = "；".join(r.text for r in rows if r is not chosen)
    lead = f"表（{' | '.join(header)}）取“{chosen.cells[0] if chosen.cells else ''}”一行：{chosen.text}"
    source = _cite(doc, chosen, lead + (f"（其他级别：{others}）" if others else ""))
    hotel: dict[str, Any] = {}
    for i in hotel_cols:
        m = re.search(r"\d+(?:\.\d+)?", chosen.cells[i] if i < len(chosen.cells) else "")
        if not m:
            continue
        if re.search(r"一线|一类|直辖市|省会", header[i]):
            hotel.setdefault("tiers", {})[1] = _num(m[0])
            hotel["city_tiers"] = dict.fromkeys(TIER1, 1)  # the usual four: to be checked against the policy
        elif re.search(r"二线|二类", header[i]):
            hotel.setdefault("tiers", {})[2] = _num(m[0])
        else:
            hotel["default"] = _num(m[0])
    if hotel:
        draft.add("hotel", hotel, source)
    for i in meal_cols:
        m = re.search(r"\d+(?:\.\d+)?", chosen.cells[i] if i < len(chosen.cells) else "")
        if m:
            draft.add("meal", {"per_day": _num(m[0])}, source)


def _cities(text: str) -> list[str]:
    m = CITY_LIST.search(text)
    if not m:
        return []
    cut = (re.sub(r"(?:每|等|市|地区|的).*$", "", n) for n in re.split(r"[、，,和及]", m[1]))  # 深圳每人… → 深圳
    names = [n for n in cut if len(n) >= 2 and not any(w in n for w in NOT_CITY)]
    return names if len(names) >= 2 else []


def _hotel(text: str, doc: PolicyDocument, block: Block, draft: Draft) -> None:
    for clause in re.split(r"[；;。]", text):
        if "住宿" not in clause and "每晚" not in clause:
            continue
        m = re.search(r"(?:每晚|每天|每日|标准)[^0-9]{0,8}" + AMOUNT, clause) or re.search(
            AMOUNT + r"\s*/\s*(?:晚|天)", clause
        )
        if not m:
            continue
        cap = _num(m[1])
        cities = _cities(clause)
        if cities:
            draft.add("hotel", {"cities": dict.fromkeys(cities, cap)}, _cite(doc, block, clause))
        elif "其他" in clause or "其余" in clause or "住宿" in clause:
            draft.add("hotel", {"default": cap}, _cite(doc, block, clause))


def _meal(text: str, cite: str, draft: Draft) -> None:
    if re.search(r"伙食补助|伙食费|餐补|出差补助", text) and (
        m := re.search(r"每(?:人)?每?(?:天|日)[^0-9]{0,6}" + AMOUNT, text)
    ):
        draft.add("meal", {"per_day": _num(m[1])}, cite)
    if re.search(r"餐费|招待|用餐|工作餐|每餐", text) and (
        m := re.search(r"(?:单次|每次|每餐|单张)[^0-9]{0,8}" + AMOUNT, text)
    ):
        draft.add("meal", {"per_invoice": _num(m[1])}, cite)


def _taxi(text: str, cite: str, draft: Draft) -> None:
    if re.search(r"打车|出租车|网约车|用车", text) and (m := re.search(TIME + r"\s*(?:以后|之后|后)", text)):
        start = f"{int(m[1]):02d}:{m[2] or '00'}"
        end_m = re.search(r"(?:至|到)次日\s*" + TIME, text)
        end = f"{int(end_m[1]):02d}:{end_m[2] or '00'}" if end_m else "06:00"
        draft.add("taxi", {"allowed": [f"{start}-{end}"]}, cite)


def _weekend(text: str, cite: str, draft: Draft) -> None:
    if re.search(r"周末|节假日|法定假日|双休日", text) and re.search(r"不予报销|不得报销|不予受理|须说明|需说明", text):
        cats = [c for c in ("餐饮", "住宿", "交通") if c in text or (c == "餐饮" and re.search(r"餐|招待", text))]
        draft.add("weekend", {"categories": cats, "holidays": [], "workdays": []}, cite)


def _age(text: str, cite: str, draft: Draft) -> None:
    if re.search(r"报销|报账", text) and (m := re.search(r"(\d{1,3})\s*(个工作日|日|天|个月|月)内", text)):
        n = int(m[1])
        days = math.ceil(n * 7 / 5) if m[2] == "个工作日" else n * 30 if "月" in m[2] else n
        draft.add("age", {"max_days": days}, cite)


def _flags(text: str, cite: str, draft: Draft) -> None:
    if "连号" in text:
        draft.add("consecutive", {"min_run": 3}, cite)
    if "重复报销" in text:
        draft.add("claimed_before", {}, cite)


def _buyer(text: str, cite: str, draft: Draft) -> None:
    if "抬头" not in text:
        return
    buyer: dict[str, Any] = {}
    if m := re.search(r"抬头[^“”「」（(]{0,12}[“「（(]?([\u4e00-\u9fff（）()]{4,40}?(?:有限公司|集团|公司))", text):
        buyer["name"] = m[1]
    if m := re.search(r"(?:纳税人识别号|税号|统一社会信用代码)[^0-9A-Z]{0,6}([0-9A-Z]{15,20})", text):
        buyer["tax_id"] = m[1]
    if buyer:
        draft.add("buyer", buyer, cite)


def _sentence_rules(doc: PolicyDocument, block: Block, draft: Draft) -> None:
    text, cite = block.text, _cite(doc, block)
    if "住宿" in text or "每晚" in text:
        _hotel(text, doc, block, draft)
    for rule in (_meal, _taxi, _weekend, _age, _flags, _buyer):
        rule(text, cite, draft)


def draft_rules(paths: Iterable[str | Path], level: str | None = None) -> Draft:
    """The rules a set of policy documents states, each with ``confirmed: false`` and its clause cited."""
    draft = Draft()
    for path in paths:
        doc = read_policy_file(path)
        table: list[Block] = []
        for block in [*doc.blocks, None]:
            if block is not None and block.kind == BlockKind.TABLE_ROW:
                if table and block.header != table[0].header:
                    _table_rules(doc, table, level, draft)
                    table = []
                table.append(block)
                continue
            if table:
                _table_rules(doc, table, level, draft)
                table = []
            if block is not None and block.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM):
                _sentence_rules(doc, block, draft)
    return draft
