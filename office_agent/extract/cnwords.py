"""Amounts in Chinese capital numerals (大写), both ways: 叁万伍仟伍佰伍拾玖圆陆角玖分 ↔ 35559.69.

Invoices write 圆 where most converters write 元, and end whole amounts with 整 or 正; red invoices prefix
（负数）. Parsing is lenient about those spellings, strict about everything else.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from office_agent.extract.normalize import NormalizeError

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_DIGIT_VALUE = {c: i for i, c in enumerate(_DIGITS)} | {
    "〇": 0, "两": 2, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "貮": 2, "贰": 2, "弍": 2, "叁": 3, "参": 3,
}  # fmt: skip
_SMALL_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def _parse_integer(s: str) -> int:
    total = 0  # completed sections (above 万 / 亿)
    section = 0  # current section below the next big unit
    digit: int | None = None
    for ch in s:
        if ch in _DIGIT_VALUE:
            digit = _DIGIT_VALUE[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        elif ch in _BIG_UNITS:
            unit = _BIG_UNITS[ch]
            section += digit or 0
            digit = None
            if unit > 10_000:
                total = (total + section) * unit
            else:
                total += section * unit
            section = 0
        else:
            raise NormalizeError(f"unexpected character {ch!r} in amount words")
    return total + section + (digit or 0)


def words_to_amount(value: str) -> Decimal:
    """Parse a capital-numeral amount. Raises :class:`NormalizeError` on anything else."""
    if not isinstance(value, str):
        raise NormalizeError(f"amount words must be text, not {type(value).__name__}")
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    s = s.replace("人民币", "")
    negative = False
    m = re.match(r"^[(（]?负数?[)）]?", s)
    if m and m.group(0):
        negative, s = True, s[m.end() :]
    s = re.sub(r"[整正]$", "", s)
    if not s:
        raise NormalizeError(f"no amount in {value!r}")
    if re.search(r"[圆元]", s):
        yuan_part, rest = re.split(r"[圆元]", s, maxsplit=1)
    elif re.search(r"[角分]", s):
        yuan_part, rest = "", s
    else:
        raise NormalizeError(f"no 圆/元 unit in {value!r}")
    integer = _parse_integer(yuan_part) if yuan_part else 0
    jiao = fen = 0
    for amount, unit in re.findall(r"(零?[" + _DIGITS + r"])([角分])", rest):
        d = _DIGIT_VALUE[amount[-1]]
        if unit == "角":
            jiao = d
        else:
            fen = d
    leftover = re.sub(r"零?[" + _DIGITS + r"][角分]|零", "", rest)
    if leftover:
        raise NormalizeError(f"unexpected {leftover!r} after the 圆 in {value!r}")
    result = Decimal(integer) + Decimal(jiao) / 10 + Decimal(fen) / 100
    return (-result if negative else result).quantize(Decimal("0.01"))


def _section_words(n: int) -> str:
    """0 < n < 10000 → e.g. 伍仟零伍拾."""
    out: list[str] = []
    zero = False
    for unit_value, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        d = n // unit_value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[d] + unit)
    return "".join(out)


def amount_to_words(amount: Decimal, yuan: str = "圆") -> str:
    """35559.69 → 叁万伍仟伍佰伍拾玖圆陆角玖分; 27 → 贰拾柒圆整; negative amounts get the （负数） prefix."""
    negative = amount < 0
    cents = int((abs(amount) * 100).to_integral_value())
    integer, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    parts: list[str] = []
    if integer:
        sections = []
        n = integer
        while n:
            sections.append(n % 10_000)
            n //= 10_000
        units = ["", "万", "亿", "万亿"]
        words = ""
        need_zero = False
        for i in range(len(sections) - 1, -1, -1):
            sec = sections[i]
            if sec == 0:
                need_zero = bool(words)
                continue
            if words and (need_zero or sec < 1000):
                words += "零"
            words += _section_words(sec) + units[i]
            need_zero = False
        parts.append(words + yuan)
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif fen and integer:
        parts.append("零")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    if not jiao and not fen:
        parts.append("整" if integer else "零" + yuan + "整")
    text = "".join(parts)
    return ("（负数）" if negative else "") + text
