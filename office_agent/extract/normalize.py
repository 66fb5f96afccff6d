"""Normalisers for the values printed on invoices: money, dates, tax ids, check codes, amounts in words.

Every parser returns a value or raises :class:`NormalizeError` (a ``ValueError``): never ``TypeError`` or
``AttributeError`` on odd input, and never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from office_agent.ingest.textnorm import table as look_alikes

CENT = Decimal("0.01")


class NormalizeError(ValueError):
    pass


def clean_text(value: str | None) -> str | None:
    """NFKC-fold (full-width → ASCII; radical look-alikes NFKC leaves, see ``ingest.textnorm``), trim, and turn
    an empty string into None."""
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", str(value)).translate(look_alikes()).strip()
    return s or None


def squash(value: str) -> str:
    """Remove every kind of white space (labels are printed letter-spaced: ``名 称``, ``名　　称``)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


# Up to 15 integer digits: more than any invoice prints, and within Decimal's default 28-digit precision.
_MONEY_RE = re.compile(r"^[-−]?\d{1,15}(?:\.\d+)?$")


def parse_money(value: str | None) -> Decimal | None:
    """``'¥ 1,234.50'``, ``'￥-3.1'``, ``'(3.10)'`` → Decimal with two places. ``***`` (exempt) → None."""
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", str(value))
    s = re.sub(r"[¥￥$,\s]|CNY|RMB|元", "", s)
    if not s or set(s) <= {"*"}:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = s.replace("−", "-")
    if not _MONEY_RE.match(s):
        raise NormalizeError(f"not an amount (or too large): {value!r}")
    try:
        d = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise NormalizeError(f"not an amount: {value!r}") from exc
    if negative:
        d = -d
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(value: str | None) -> Decimal | None:
    """A plain number (quantity, unit price) kept at its printed precision."""
    if value is None:
        return None
    s = re.sub(r"[,\s]", "", unicodedata.normalize("NFKC", str(value)))
    if not s:
        return None
    if not re.fullmatch(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", s):
        raise NormalizeError(f"not a number: {value!r}")
    d = Decimal(s)
    if not d.is_finite():
        raise NormalizeError(f"not a finite number: {value!r}")
    return d


_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})"),
    re.compile(r"^(\d{4})\s+(\d{1,2})\s+(\d{1,2})$"),
)


def parse_date(value: str | None) -> dt.date | None:
    """``2025年10月20日``, ``2025-10-20``, ``20251020``, ``2019 11 18`` → date."""
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if not s:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.search(s)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise NormalizeError(f"not a calendar date: {value!r}") from exc
    raise NormalizeError(f"not a date: {value!r}")


# 统一社会信用代码: GB 32100-2015
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_tax_id(value: str | None) -> str | None:
    """Upper-case, drop spaces and punctuation that text layers insert inside ids."""
    if value is None:
        return None
    s = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(value))).upper()
    if not s:
        return None
    if not re.fullmatch(r"[0-9A-Z]{6,20}", s):
        raise NormalizeError(f"not a taxpayer id: {value!r}")
    if len(s) == 18 and ("O" in s or "I" in s) and not uscc_valid(s):
        # A credit code has no letters I and O: OCR's O and I for 0 and 1, taken only when the check holds.
        fixed = s.replace("O", "0").replace("I", "1")
        if uscc_valid(fixed):
            return fixed
    return s


def uscc_check_char(first17: str) -> str:
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise NormalizeError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_valid(tax_id: str) -> bool | None:
    """True/False for an 18-character unified social credit code; None when the id is of an older form."""
    if len(tax_id) != 18:
        return None
    try:
        return uscc_check_char(tax_id[:17]) == tax_id[17]
    except NormalizeError:
        return False


def digits_only(value: str | None) -> str | None:
    if value is None:
        return None
    s = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(value)))
    return s or None


def format_money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def format_rate(value: str | None) -> str | None:
    """``0.06`` / ``6%`` / ``6 %`` → ``6%``; words such as 免税 / 不征税 are kept."""
    s = clean_text(value)
    if s is None:
        return None
    s = s.replace(" ", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", s)
    if m:
        return f"{Decimal(m.group(1)).normalize():f}%"
    if re.fullmatch(r"0?\.\d+|0|1(?:\.0+)?", s):
        return f"{(Decimal(s) * 100).normalize():f}%"
    return s
