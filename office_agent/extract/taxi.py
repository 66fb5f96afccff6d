"""Taxi receipts (出租汽车统一发票 / 出租汽车专用发票 / 出租车发票): the slip a taximeter prints.

Under a pre-printed head (title, 发票代码, 发票号码) the meter prints one ``label value`` per line: 车号, 日期,
上车, 下车, 单价, 里程, 等候, 金额. The layout extractor reads the code and number (they carry the usual labels);
this reads the rest: ``issue_date`` and ``travel_date`` (the ride's date is the receipt's date),
``total_amount`` (金额 / 实收金额), ``vehicle_plate``, ``pickup_time``, ``dropoff_time``, ``unit_price`` and
``distance_km``, and the title (the kind is ``other``, the category 交通, see ``classify``).
"""

from __future__ import annotations

import re

from office_agent.extract.textlines import TextLine, iso_date, provenance, text_lines
from office_agent.models import Extraction, Page, Source

_TITLE = re.compile(r"出租(?:汽)?车.{0,6}?(?:发票|票据|车票)|的士.{0,4}发票")
_GATE = re.compile(r"车号|上车|下车|里程|候时|等候")
_DATE = re.compile(r"(20\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_TIME = re.compile(r"([01]?\d|2[0-3])\s*[:：.]\s*([0-5]\d)")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")
_MONEY = re.compile(r"[¥￥]?\s*(\d+(?:\.\d+)?)")
_PLATE = re.compile(r"([\u4e00-\u9fff]?[A-Z][-·.]?[A-Z0-9]{4,6})")
# label → (field, value pattern); a label is its characters with any white space between them
_ROWS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("车号", "vehicle_plate", _PLATE),
    ("日期", "issue_date", _DATE),
    ("上车", "pickup_time", _TIME),
    ("下车", "dropoff_time", _TIME),
    ("单价", "unit_price", _MONEY),
    ("里程", "distance_km", _NUMBER),
    ("实收金额", "total_amount", _MONEY),
    ("金额", "total_amount", _MONEY),
)


def is_taxi_receipt(text: str) -> bool:
    """The page's text (squashed) names a taxi receipt and shows the meter's lines."""
    return bool(_TITLE.search(text)) and len(set(_GATE.findall(text))) >= 2


def extract_taxi(page: Page, source: Source) -> Extraction | None:
    lines = text_lines(page)
    squashed = re.sub(r"\s+", "", "".join(ln.folded for ln in lines))
    if not is_taxi_receipt(squashed):
        return None
    out = Extraction(page=page.number)
    for ln in lines:
        line = re.sub(r"\s+", "", ln.folded)
        title = _TITLE.search(line)
        if title and "title" not in _fields(out):
            out.add("title", line[: title.end()], provenance(page, source, ln.words, 0.9))
    seen: set[str] = set()
    for ln in lines:
        _read_row(page, source, ln, out, seen)
    _unlabelled_code_and_number(page, source, lines, out)
    return out if out.candidates else None


def _unlabelled_code_and_number(page: Page, source: Source, lines: list[TextLine], out: Extraction) -> None:
    """The head's 发票代码 / 发票号码 labels are printed in the form's red (or blue) and may be washed out with
    the seals: a lone 12-digit (10-digit) run above the meter's lines is the code, a lone 8-digit run the
    number. Offered below a labelled reading."""
    first_row = next((i for i, ln in enumerate(lines) if _GATE.search(ln.folded) or "电话" in ln.folded), len(lines))
    for ln in lines[:first_row]:
        text = re.sub(r"\s+", "", ln.folded)
        if re.fullmatch(r"\d{12}|\d{10}", text):
            out.add("invoice_code", text, provenance(page, source, ln.words, 0.75))
        elif re.fullmatch(r"\d{8}", text):
            out.add("invoice_number", text, provenance(page, source, ln.words, 0.75))


def _read_row(page: Page, source: Source, ln: TextLine, out: Extraction, seen: set[str]) -> None:
    """One meter line: ``label[:：] value``; the value is what follows the label on its line."""
    text = ln.folded
    for label, field, pattern in _ROWS:
        m = re.search(r"\s*".join(label) + r"\s*[:：]?\s*", text)
        if m is None or field in seen:
            continue
        rest = text[m.end() :]
        value = pattern.match(rest.upper() if field == "vehicle_plate" else rest)
        if value is None:
            continue
        seen.add(field)
        prov = provenance(page, source, ln.words, 0.9)
        if field == "issue_date":
            iso = iso_date(value)
            out.add("issue_date", iso, prov)
            out.add("travel_date", iso, prov)
        elif field in ("pickup_time", "dropoff_time"):
            out.add(field, f"{int(value.group(1)):02d}:{value.group(2)}", prov)
        else:
            out.add(field, value.group(1), prov)
        return


def _fields(ext: Extraction) -> set[str]:
    return {c.field for c in ext.candidates}
