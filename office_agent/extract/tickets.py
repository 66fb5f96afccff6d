"""Travel documents: 铁路电子客票, 航空运输电子客票行程单 (both now issued as 数电 invoices) and ride-hailing trip
tables (行程单: a supporting document, never an expense of its own).

Besides the invoice fields the layout extractor reads (number, date, buyer), they carry travel fields; these are
emitted as candidates named ``passenger``, ``route`` (``北京南-上海虹桥``), ``travel_date``, ``trip_number``
(train or flight), ``seat_class`` and ``fare``, and the fare or the itinerary's total as ``total_amount``.
"""

from __future__ import annotations

import re

from office_agent.extract.textlines import TextLine, iso_date, provenance, text_lines
from office_agent.models import Extraction, Page, Source, Word

_MONEY = re.compile(r"[¥￥]?\s*(-?\d[\d,]*\.\d{2})")
_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_TRAIN = re.compile(r"(?<![A-Z0-9])([GDCZTKSYL]\d{1,4})(?![0-9])")
_FLIGHT = re.compile(r"(?<![A-Z0-9])([A-Z0-9]{2}\d{3,4})(?![0-9])")
_SEAT = re.compile(r"商务座|特等座|一等座|二等座|高级软卧|软卧|硬卧|动卧|一等卧|二等卧|软座|硬座|无座")
_STATION = re.compile(r"([\u4e00-\u9fff]{1,8}?)\s*站")
_ID_NAME = re.compile(r"\d{4,10}\*{3,}[\dXx*]{0,8}\s*([\u4e00-\u9fff·]{2,6})")
_ISSUE = re.compile(r"开\s*票\s*日\s*期|填\s*开\s*日\s*期|申\s*请\s*日\s*期")


def extract_ticket(page: Page, source: Source) -> Extraction | None:
    lines = text_lines(page)
    text = "\n".join(line.folded for line in lines)
    squashed = re.sub(r"\s+", "", text)
    if "铁路电子客票" in squashed or ("电子客票号" in squashed and _TRAIN.search(text) and "站" in text):
        return _railway(page, source, lines)
    if "航空运输电子客票行程单" in squashed or ("旅客姓名" in squashed and "航班号" in squashed):
        return _flight(page, source, lines)
    if "行程单" in squashed and re.search(r"滴滴|出行|网约车|用车|打车|TRAVEL|行程起止|共\d+笔行程", squashed, re.I):
        return _ride(page, source, lines, squashed)
    return None


def _railway(page: Page, source: Source, lines: list[TextLine]) -> Extraction:
    out = Extraction(page=page.number)
    if not any("铁路电子客票" in re.sub(r"\s+", "", ln.folded) for ln in lines):
        out.add("title", "电子发票(铁路电子客票)", provenance(page, source, [], 0.6))
    for ln in lines:
        t = ln.folded
        stations = _STATION.findall(t)
        if len(stations) >= 2 and "route" not in _fields(out):
            out.add("route", f"{stations[0]}-{stations[1]}", provenance(page, source, ln.words, 0.85))
            train = _TRAIN.search(t.replace(" ", ""))
            if train:
                out.add("trip_number", train.group(1), provenance(page, source, ln.words, 0.85))
        m = _DATE.search(t)
        if m and not _ISSUE.search(t) and "travel_date" not in _fields(out) and re.search(r"\d{1,2}:\d{2}", t):
            out.add("travel_date", iso_date(m), provenance(page, source, ln.words, 0.85))
            seat = _SEAT.search(t.replace(" ", ""))
            if seat:
                out.add("seat_class", seat.group(0), provenance(page, source, ln.words, 0.85))
        seat = _SEAT.search(t.replace(" ", ""))
        if seat and "seat_class" not in _fields(out):
            out.add("seat_class", seat.group(0), provenance(page, source, ln.words, 0.8))
        if "fare" not in _fields(out) and not _ISSUE.search(t) and re.search(r"[¥￥]", ln.text):
            money = _MONEY.search(t)
            if money:
                out.add("fare", money.group(1), provenance(page, source, ln.words, 0.85))
                out.add("total_amount", money.group(1), provenance(page, source, ln.words, 0.8))
        who = _ID_NAME.search(t)
        if who and "passenger" not in _fields(out):
            out.add("passenger", who.group(1), provenance(page, source, ln.words, 0.85))
    return out


def _flight(page: Page, source: Source, lines: list[TextLine]) -> Extraction:
    out = Extraction(page=page.number)
    if not any("航空运输电子客票行程单" in re.sub(r"\s+", "", ln.folded) for ln in lines):
        out.add("title", "电子发票(航空运输电子客票行程单)", provenance(page, source, [], 0.6))
    name = _labelled(page, lines, r"旅\s*客\s*姓\s*名", r"[\u4e00-\u9fff·A-Za-z/ ]{2,30}")
    if name:
        out.add("passenger", name[0].strip(), provenance(page, source, name[1], 0.85))
    origin = dest = None
    for ln in lines:
        t = ln.folded.strip()
        m = re.match(r"^自\s*[:：]?\s*([\u4e00-\u9fff]{2,10})", t)
        if m and origin is None:
            origin = m.group(1)
            _flight_row(page, source, ln, out)
        m = re.match(r"^至\s*[:：]?\s*([\u4e00-\u9fff]{2,10})", t)
        if m and dest is None:
            dest = m.group(1)
    if origin and dest:
        out.add("route", f"{origin}-{dest}", provenance(page, source, [], 0.8))
    flight = _labelled(page, lines, r"航\s*班\s*号", r"[A-Z0-9]{2}\d{3,4}")
    if flight and "trip_number" not in _fields(out):
        out.add("trip_number", flight[0], provenance(page, source, flight[1], 0.85))
    seat = _labelled(page, lines, r"座\s*位\s*等\s*级", r"[A-Z]|经济舱|公务舱|头等舱|[\u4e00-\u9fff]{2,4}舱")
    if seat and "seat_class" not in _fields(out):
        out.add("seat_class", seat[0], provenance(page, source, seat[1], 0.85))
    for field, label in (("fare", r"票\s*价"), ("total_amount", r"合\s*计"), ("tax_amount", r"增\s*值\s*税\s*税\s*额")):
        found = _labelled(page, lines, label, r"[¥￥]?\s*\d[\d,]*\.\d{2}")
        if found:
            out.add(field, found[0].lstrip("¥￥ "), provenance(page, source, found[1], 0.85))
    return out


def _flight_row(page: Page, source: Source, ln: TextLine, out: Extraction) -> None:
    t = ln.folded
    m = _FLIGHT.search(t.replace(" ", "")[2:])
    if m:
        out.add("trip_number", m.group(1), provenance(page, source, ln.words, 0.8))
    d = _DATE.search(t)
    if d:
        out.add("travel_date", iso_date(d), provenance(page, source, ln.words, 0.8))


def _ride(page: Page, source: Source, lines: list[TextLine], squashed: str) -> Extraction:
    out = Extraction(page=page.number)
    title = next((ln for ln in lines if "行程单" in ln.folded.replace(" ", "")), None)
    if title is not None:
        out.add("title", title.folded.replace(" ", ""), provenance(page, source, title.words, 0.9))
    m = re.search(r"共(\d+)笔行程[,，]?合计([\d,]+\.?\d*)元", squashed)
    total = m.group(2) if m else None
    if total is None:
        m2 = re.search(r"合计[:：]?[¥￥]?([\d,]+\.\d{2})", squashed)
        total = m2.group(1) if m2 else None
    if total:
        out.add("total_amount", total, provenance(page, source, [], 0.8))
    # 滴滴 prints 行程起止日期 and 申请日期; 高德 prints 行程时间 (with the times) and 申请时间
    span = re.search(r"行程(?:起止日期|时间)[:：]?" + _DATE.pattern + r"(?:\d{1,2}:\d{2})?至" + _DATE.pattern, squashed)
    if span:
        start = iso_date(span)
        out.add("travel_date", start, provenance(page, source, [], 0.8))
    applied = re.search(r"申请(?:日期|时间)[:：]?" + _DATE.pattern, squashed)
    if applied:
        out.add("issue_date", iso_date(applied), provenance(page, source, [], 0.8))
    return out


def _fields(ext: Extraction) -> set[str]:
    return {c.field for c in ext.candidates}


def _labelled(page: Page, lines: list[TextLine], label: str, value: str) -> tuple[str, list[Word]] | None:
    """The value right of ``label`` on its line, else in the line below within the label's columns."""
    lab = re.compile(label)
    val = re.compile(r"\s*[:：]?\s*(" + value + ")")
    for i, ln in enumerate(lines):
        for j, w in enumerate(ln.words):
            m = lab.search(w.text)
            if not m:
                continue
            rest = w.text[m.end() :]
            v = val.match(rest)
            if v and v.group(1).strip():
                return v.group(1).strip(), [w]
            if j + 1 < len(ln.words):
                v = val.match(ln.words[j + 1].text)
                if v:
                    return v.group(1).strip(), [ln.words[j + 1]]
            if i + 1 < len(lines):
                for below in lines[i + 1].words:
                    overlap = min(below.bbox[2], w.bbox[2] + 20) - max(below.bbox[0], w.bbox[0] - 20)
                    v = val.match(below.text)
                    if overlap > 0 and v:
                        return v.group(1).strip(), [below]
    return None
