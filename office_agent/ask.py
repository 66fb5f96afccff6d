"""“Just say it”: a request in plain Chinese or English becomes a job with its parameters.

    帮我生成2024年度报销台账                       → ledger, year 2024
    ledger for March to May 2025, meals only, as csv → ledger, 2025-03-01..2025-05-31, 餐饮, csv
    张三上季度的打车费复核报告                      → report, last quarter, 交通, person 张三

Deterministic by default: intent and slot rules, the same text giving the same request on every run (relative
dates such as 去年 / last month are read against ``today``, which tests pass in). An LLM router can be plugged in
(:class:`IntentRouter`): it is asked only when one is configured, sees what the rules found, and whatever it
returns is checked by the same validation. This module makes no LLM call itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol

from office_agent.errors import BadArguments
from office_agent.generate.labels import Lang, category_name
from office_agent.generate.ledger_view import GroupBy, LedgerOptions, resolve_categories

Job = Literal["ledger", "report", "extract", "pack", "organize", "policy"]
JOBS: tuple[Job, ...] = ("ledger", "report", "extract", "pack", "organize", "policy")
OUTPUT_FORMATS = ("xlsx", "csv", "jsonl", "json", "html")


@dataclass(frozen=True)
class AskRequest:
    """What a request was understood to ask for."""

    text: str
    jobs: tuple[Job, ...] = ()  # empty: not understood
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    categories: tuple[str, ...] = ()  # canonical (Chinese) names
    formats: tuple[str, ...] = ()  # empty: the job's default files
    person: str | None = None
    group_by: GroupBy | None = None
    lang: Lang = "zh"  # the language the request was written in (what we print back)
    output_lang: Lang = "zh"  # the ledger's headers: Chinese unless English is asked for
    router: str = "rules"
    notes: tuple[str, ...] = field(default_factory=tuple)
    layout: str | None = None  # pack: 1up / 2up / 4up / 6up ("两张一页")
    organize_by: str | None = None  # organize: month / category / person ("按月份整理")

    @property
    def understood(self) -> bool:
        return bool(self.jobs)

    def ledger_options(self, inputs: Sequence[Path] = (), **extra: object) -> LedgerOptions:
        opts = LedgerOptions(
            lang=self.output_lang,
            year=self.year,
            date_from=self.date_from,
            date_to=self.date_to,
            categories=self.categories,
            group_by=self.group_by or ("person" if self.person else None),
            groups=(self.person,) if self.person else (),
            inputs=tuple(inputs),
        )
        return replace(opts, **extra)  # type: ignore[arg-type]


class IntentRouter(Protocol):
    """The hook for an LLM router (issue 4's opt-in LLM): given the text and what the rules found, a request or
    None to keep the rules' answer. It must not prompt; it may raise, and the rules' answer is used then."""

    def route(self, text: str, rules: AskRequest) -> AskRequest | None: ...


CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
MONTHS_EN = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS_EN.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS_EN["sept"] = 9
_CN_NUM = r"\d{1,2}|十[一二]?|[一二三四五六七八九]"
_EN_MONTH = r"\b(" + "|".join(sorted(MONTHS_EN, key=len, reverse=True)) + r")\.?\b"

SYNONYMS: dict[str, tuple[str, ...]] = {
    "餐饮": ("餐饮", "餐费", "吃饭", "用餐", "饭费", "meal", "meals", "food", "dining", "restaurant", "restaurants"),
    "交通": (
        "交通", "打车", "出租车", "网约车", "机票", "火车", "高铁", "taxi", "taxis", "transport", "transportation",
        "flight", "flights", "train", "trains", "rides", "cab",
    ),
    "住宿": ("住宿", "酒店", "宾馆", "hotel", "hotels", "lodging", "accommodation"),
    "通行费": ("通行费", "过路费", "高速费", "toll", "tolls"),
    "油费": ("油费", "加油", "汽油", "fuel", "petrol", "gasoline"),
    "办公用品": ("办公用品", "文具", "office supplies", "stationery"),
    "通讯": ("通讯", "通信", "话费", "电话费", "telecom", "telecoms", "phone bill", "phone bills", "mobile"),
    "快递": ("快递", "邮寄", "courier", "express delivery", "shipping", "postage"),
    "会议": ("会议", "会务", "conference", "conferences", "meeting", "meetings"),
    "培训": ("培训", "training", "course", "courses"),
}
JOB_WORDS: dict[Job, tuple[str, ...]] = {
    "report": ("复核报告", "审核报告", "复核", "核对", "报告", "网页", "review", "report", "html"),
    "extract": ("提取", "识别", "导出数据", "extract", "records"),
    "ledger": (
        "台账", "报销", "明细", "汇总", "表格", "费用", "发票", "ledger", "reimbursement", "expense", "expenses",
        "spreadsheet", "excel", "summary", "claim",
    ),
}
# issue 16: print pack, organize, policy flags ("把今年的发票打印出来，两张一页", "按月份整理发票", "哪些发票超标了")
ACTION_WORDS: dict[Job, tuple[str, ...]] = {
    "pack": ("打印", "print", "粘贴单", "报销单据"),
    "organize": ("整理", "归档", "重命名", "organize", "rename", "file them"),
    "policy": ("超标", "超支", "违规", "不合规", "超出标准", "over the limit", "over budget", "out of policy"),
}
LEDGER_ONLY = ("台账", "明细", "汇总", "表格", "ledger", "spreadsheet", "excel", "summary")
N_UP = (
    ("1up", r"一张一页|每页一张|1\s*(?:张一页|per page|-?up)"),
    ("2up", r"两张一页|二张一页|每页两张|2\s*(?:张一页|per page|-?up)"),
    ("4up", r"四张一页|每页四张|4\s*(?:张一页|per page|-?up)"),
    ("6up", r"六张一页|每页六张|6\s*(?:张一页|per page|-?up)"),
)
A, Z = r"(?<![a-z0-9])", r"(?![a-z0-9])"  # ASCII word edges: \b sees no edge between 导出 and csv
FORMAT_WORDS = (
    ("jsonl", rf"{A}jsonl{Z}|json lines"),
    ("json", rf"{A}json{Z}(?!\s*lines)"),
    ("csv", rf"{A}csv{Z}"),
    ("xlsx", rf"{A}(?:xlsx|excel){Z}|电子表格|工作簿"),
    ("html", rf"{A}html{Z}|网页"),
)
PERSON_STOP = {
    "me", "my", "us", "our", "the", "all", "everyone", "this", "last", "next", "year", "month", "quarter", "a", "an",
    "q1", "q2", "q3", "q4", "h1", "h2", "ledger", "report", "csv", "excel", "json", "jsonl", "html", "xlsx", "every",
    "it", "let", "that", "what", "there", "here", "who", "today", "company", "team", "everybody",
}  # fmt: skip
TIME_WORDS = (
    r"上个?月|本月|这个?月|今年|去年|前年|本年|上个?季度|第.季度|[上下]半年|\d+\s*年度?|\d+\s*月份?"
    r"|[一二三四五六七八九十]+月份?|按项目|按报销人|按人|按员工"
)
CN_NOT_PERSON = (
    "年", "月", "季度", "全部", "所有", "本", "上", "这", "那", "我", "公司", "部门", "半年", "今", "去", "项目",
    "汇总", "报销", "台账", "发票", "费用", "明细", "报告",
)


def _cn_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s.startswith("十"):
        return 10 + (CN_DIGITS[s[1]] if len(s) > 1 else 0)
    return CN_DIGITS[s]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class _Slots:
    year: int | None = None
    months: tuple[int, int] | None = None  # start, end month numbers (in ``year`` or the end year)
    start_year: int | None = None
    span: tuple[dt.date, dt.date] | None = None  # an explicit date range (ISO dates, relative months)
    zh: bool = True  # the request's language, for the notes
    notes: list[str] = field(default_factory=list)


def _is_chinese(text: str) -> bool:
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 and cjk * 3 >= sum(1 for ch in text if ch.isalpha())


def _years(text: str, today: dt.date, slots: _Slots) -> None:
    rel = {"今年": 0, "本年": 0, "this year": 0, "去年": -1, "上年": -1, "last year": -1, "前年": -2}
    for word, delta in rel.items():
        if word in text:
            slots.year = today.year + delta
    m = re.search(r"(\d{4})\s*年", text) or re.search(r"\b((?:19|20)\d{2})\b", text)
    if m:
        slots.year = int(m.group(1))
    elif short := re.search(r"(?<!\d)(\d{2})\s*年", text):
        slots.year = 2000 + int(short.group(1))


def _cn_months(text: str, slots: _Slots) -> None:
    m = re.search(rf"(?:(\d{{4}})\s*年)?\s*({_CN_NUM})\s*月?份?\s*(?:到|至|-|~|～|—|－)\s*(?:(\d{{4}})\s*年)?\s*"
                  rf"({_CN_NUM})\s*月", text)  # fmt: skip
    if m:
        slots.months = (_cn_int(m.group(2)), _cn_int(m.group(4)))
        if m.group(1):
            slots.start_year = int(m.group(1))
        if m.group(3):
            slots.year = int(m.group(3))
        return
    m = re.search(rf"({_CN_NUM})\s*月份?", text)
    if m and not re.search(r"(上|本|这|下)个?月", text):
        month = _cn_int(m.group(1))
        slots.months = (month, month)
        return
    q = re.search(r"第\s*([1-4一二三四])\s*季度?", text)
    if q:
        n = _cn_int(q.group(1))
        slots.months = (3 * n - 2, 3 * n)
    elif "上半年" in text:
        slots.months = (1, 6)
    elif "下半年" in text:
        slots.months = (7, 12)


def _en_months(text: str, slots: _Slots) -> None:
    between = r"(?:to|through|till|until|and|-|–)"
    m = re.search(rf"{_EN_MONTH}\s*(?:(\d{{4}})\s*)?{between}\s*{_EN_MONTH}(?:,?\s*(\d{{4}}))?", text)
    if m:
        slots.months = (MONTHS_EN[m.group(1)], MONTHS_EN[m.group(3)])
        if m.group(2):
            slots.start_year = int(m.group(2))
        if m.group(4):
            slots.year = int(m.group(4))
        return
    m = re.search(_EN_MONTH, text)
    if m and (m.group(1) != "may" or re.search(r"\b(?:in|for|of|during) may\b|\bmay\s+(?:(?:19|20)\d{2}|only)", text)):
        month = MONTHS_EN[m.group(1)]  # "may" alone is too often the verb
        slots.months = (month, month)
        return
    q = re.search(r"\bq([1-4])\b|\b(first|second|third|fourth) quarter\b", text)
    if q:
        n = int(q.group(1)) if q.group(1) else ("first", "second", "third", "fourth").index(q.group(2)) + 1
        slots.months = (3 * n - 2, 3 * n)
    elif re.search(r"\bh1\b|first half", text):
        slots.months = (1, 6)
    elif re.search(r"\bh2\b|second half", text):
        slots.months = (7, 12)


def _relative_and_iso(text: str, today: dt.date, slots: _Slots) -> None:
    iso = re.findall(r"\b((?:19|20)\d{2})-(\d{1,2})(?:-(\d{1,2}))?\b", text)
    if iso:
        first, last = iso[0], iso[-1]
        start = dt.date(int(first[0]), int(first[1]), int(first[2] or 1))
        end_y, end_m = int(last[0]), int(last[1])
        end = dt.date(end_y, end_m, int(last[2])) if last[2] else _month_end(end_y, end_m)
        slots.span = (start, end)
        return
    this_month = today.replace(day=1)
    prev_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    if re.search(r"上个?月|last month", text):
        slots.span = (prev_month, _month_end(prev_month.year, prev_month.month))
    elif re.search(r"(本|这个?)月|this month", text):
        slots.span = (this_month, today)
    elif re.search(r"上个?季度|last quarter", text):
        q = (today.month - 1) // 3  # the current quarter's index 0..3; the last one is q-1
        year, q = (today.year - 1, 3) if q == 0 else (today.year, q - 1)
        slots.span = (dt.date(year, 3 * q + 1, 1), _month_end(year, 3 * q + 3))


def _dates(slots: _Slots, today: dt.date) -> tuple[int | None, dt.date | None, dt.date | None]:
    if slots.span:
        return None, slots.span[0], slots.span[1]
    if slots.months is None:
        return slots.year, None, None
    m0, m1 = slots.months
    if not (1 <= m0 <= 12 and 1 <= m1 <= 12):
        raise BadArguments(f"no such month: {m0 if not 1 <= m0 <= 12 else m1}")
    end_year = slots.year
    if end_year is None:
        end_year = today.year if dt.date(today.year, m0, 1) <= today else today.year - 1
        slots.notes.append(f"未说年份，按 {end_year} 年" if slots.zh else f"year not given: {end_year} assumed")
    start_year = slots.start_year or (end_year if m0 <= m1 else end_year - 1)
    return None, dt.date(start_year, m0, 1), _month_end(end_year, m1)


def _categories(text: str) -> tuple[str, ...]:
    found: list[tuple[int, str]] = []
    for name, words in SYNONYMS.items():
        for w in words:
            pat = re.escape(w) if not w.isascii() else rf"{A}{re.escape(w)}{Z}"
            m = re.search(pat, text)
            if m:
                found.append((m.start(), name))
                break
    return resolve_categories([n for _, n in sorted(found)]) if found else ()


def _formats(text: str) -> tuple[str, ...]:
    return tuple(fmt for fmt, pat in FORMAT_WORDS if re.search(pat, text))


def _jobs(text: str, formats: Sequence[str]) -> tuple[Job, ...]:
    hits = {job for job, words in JOB_WORDS.items() if any(w in text for w in words)}
    if "html" in formats:
        hits.add("report")
    if "报销" in text and "报告" in text and "台账" not in text and "ledger" not in text:
        hits.discard("ledger")  # 报销复核报告: the report about reimbursements
    if re.search(r"expense report|reimbursement report", text) and "review" not in text:
        hits.discard("report")  # an "expense report" is what we call the ledger
    actions = {job for job, words in ACTION_WORDS.items() if any(w in text for w in words)}
    if actions and not any(w in text for w in LEDGER_ONLY):
        hits.discard("ledger")  # "把发票打印出来": the invoices are what is printed, not a ledger
    return tuple(j for j in JOBS if j in hits | actions)


def _layout(text: str) -> str | None:
    return next((layout for layout, pat in N_UP if re.search(pat, text)), None)


def _organize_by(text: str) -> str | None:
    if re.search(r"按月|by month|monthly", text):
        return "month"
    if re.search(r"按类别|按类型|按费用类型|by category", text):
        return "category"
    return "person" if re.search(r"按人|按报销人|by person", text) else None


def _person(text: str, raw: str, known: Sequence[str]) -> str | None:
    for name in sorted(known, key=len, reverse=True):  # a sub-folder named in the request is the surest sign
        if len(name) >= 2 and re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", text):
            return name
    m = re.search(r"(?:报销人|员工|同事|人员)\s*[:：为是]?\s*([\u4e00-\u9fffA-Za-z0-9_.-]{1,20})", raw)
    if m:
        return m.group(1)
    cleaned = re.sub(TIME_WORDS, " ", raw)
    for m in re.finditer(r"([\u4e00-\u9fff]{2,4})\s*的", cleaned):
        name = re.sub(r"^(帮我|请|给我|麻烦|生成|导出|看看|查看|查|做|整理|制作|统计|出|一下|一份|个)+", "", m.group(1))
        if len(name) >= 2 and not any(w in name for w in CN_NOT_PERSON) and not _categories(name):
            return name
    m = re.search(r"\b(?:for|of)\s+(?:person\s+|employee\s+)?([a-z][\w.-]*)", text)
    if m and m.group(1) not in PERSON_STOP and m.group(1) not in MONTHS_EN and not _categories(m.group(1)):
        return _original_case(raw, m.group(1))
    m = re.search(r"(?<![A-Za-z])([A-Za-z][\w.-]*)['’]s\b", raw)
    ok = m and m.group(1).lower() not in (*PERSON_STOP, *MONTHS_EN) and not _categories(m.group(1).lower())
    return m.group(1) if m and ok else None


def _original_case(raw: str, word: str) -> str:
    m = re.search(re.escape(word), raw, re.IGNORECASE)
    return m.group(0) if m else word


def parse_request(
    text: str,
    *,
    today: dt.date | None = None,
    known_people: Sequence[str] = (),
    router: IntentRouter | None = None,
) -> AskRequest:
    """Understand ``text``. ``known_people``: the sub-folder names of the input (matched as persons)."""
    today = today or dt.date.today()
    raw = unicodedata.normalize("NFKC", text).strip()
    low = raw.lower()
    zh = _is_chinese(raw)
    slots = _Slots(zh=zh)
    _years(low, today, slots)
    _relative_and_iso(low, today, slots)
    if not slots.span:
        _cn_months(raw, slots)
        if slots.months is None:
            _en_months(low, slots)
    year, date_from, date_to = _dates(slots, today)
    formats = _formats(low)
    person = _person(low, raw, known_people)
    by_project = re.search(r"按项目|by project|per project", low)
    by_person = re.search(r"按人|按报销人|按员工|by person|per person|by employee", low)
    english_out = re.search(r"英文|in english|english headers", low) and not re.search(r"中文|in chinese", low)
    request = AskRequest(
        text=text,
        jobs=_jobs(low, formats),
        year=year,
        date_from=date_from,
        date_to=date_to,
        categories=_categories(low),
        formats=formats,
        person=person,
        group_by="project" if by_project else "person" if (by_person or person) else None,
        lang="zh" if zh else "en",
        output_lang="en" if english_out else "zh",
        notes=tuple(slots.notes),
        layout=_layout(low),
        organize_by=_organize_by(low),
    )
    if not request.jobs and (request.year or request.date_from or request.categories or request.formats):
        note = "未说做什么，按报销台账" if zh else "no job named: a ledger assumed"
        request = replace(request, jobs=("ledger",), notes=(*request.notes, note))
    if router is not None:
        request = _ask_router(router, text, request)
    return request


def _ask_router(router: IntentRouter, text: str, rules: AskRequest) -> AskRequest:
    try:
        routed = router.route(text, rules)
    except Exception as exc:  # the router is optional: its failure leaves the rules' answer standing
        return replace(rules, notes=(*rules.notes, f"router failed ({type(exc).__name__}): rules used"))
    if routed is None:
        return rules
    try:
        return validate_request(replace(routed, router="llm"))
    except BadArguments as exc:  # an answer that fails the checks every request passes is not used
        return replace(rules, notes=(*rules.notes, f"router failed (invalid answer: {exc}): rules used"))


def validate_request(req: AskRequest) -> AskRequest:
    """The checks every request passes, whoever made it: known jobs, formats and categories, an ordered range."""
    bad_jobs = [j for j in req.jobs if j not in JOBS]
    bad_formats = [f for f in req.formats if f not in OUTPUT_FORMATS]
    if bad_jobs or bad_formats:
        raise BadArguments(f"unknown job or format: {', '.join(bad_jobs + bad_formats)}")
    if req.date_from and req.date_to and req.date_from > req.date_to:
        raise BadArguments(f"the date range is empty: {req.date_from} to {req.date_to}")
    return replace(req, categories=resolve_categories(req.categories))


def describe(req: AskRequest) -> str:
    """One line saying what was understood, in the request's language."""
    zh = req.lang == "zh"
    if not req.understood:
        return "没有听懂这个请求。" if zh else "I did not understand that request."
    names = {
        "ledger": ("报销台账", "ledger"),
        "report": ("复核报告", "review report"),
        "extract": ("提取记录", "records"),
        "pack": (f"打印包（{req.layout or '2up'}）", f"print pack ({req.layout or '2up'})"),
        "organize": (f"整理文件（{req.organize_by or 'month'}）", f"organize files (by {req.organize_by or 'month'})"),
        "policy": ("超标检查", "policy check"),
    }
    parts = [" + ".join(names[j][0 if zh else 1] for j in req.jobs)]
    if req.year:
        parts.append(f"{req.year}年" if zh else f"year {req.year}")
    if req.date_from or req.date_to:
        lo, hi = (d.isoformat() if d else "…" for d in (req.date_from, req.date_to))
        parts.append(f"{lo} 至 {hi}" if zh else f"{lo} to {hi}")
    if req.categories:
        cats = ", ".join(category_name(c, "zh" if zh else "en") for c in req.categories)
        parts.append(f"类别：{cats}" if zh else f"categories: {cats}")
    if req.person:
        parts.append(f"报销人：{req.person}" if zh else f"person: {req.person}")
    elif req.group_by:
        parts.append(("按项目分组" if zh else "grouped by project") if req.group_by == "project" else
                     ("按报销人分组" if zh else "grouped by person"))  # fmt: skip
    if req.formats:
        parts.append(("格式：" if zh else "format: ") + ", ".join(req.formats))
    if req.output_lang == "en":
        parts.append("英文表头" if zh else "English headers")
    head = "理解为：" if zh else "Understood: "
    tail = f"（{'; '.join(req.notes)}）" if zh and req.notes else f" ({'; '.join(req.notes)})" if req.notes else ""
    return head + (" · ".join(parts)) + tail
