from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from office_agent.extract.cnwords import amount_to_words, words_to_amount
from office_agent.extract.normalize import (
    NormalizeError,
    format_rate,
    normalize_tax_id,
    parse_date,
    parse_decimal,
    parse_money,
    uscc_check_char,
    uscc_valid,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥23.89", "23.89"),
        ("￥ 1,234.5", "1234.50"),
        ("-10.62", "-10.62"),
        ("¥ 228.00", "228.00"),
        ("(3.10)", "-3.10"),
        ("57", "57.00"),
        ("6.2", "6.20"),
    ],
)
def test_parse_money(text: str, expected: str) -> None:
    assert parse_money(text) == Decimal(expected)


def test_exempt_tax_is_absent_not_zero() -> None:
    assert parse_money("***") is None
    assert parse_money("") is None


@pytest.mark.parametrize("text", ["12a", "1.2.3", "abc", "--5", "¥"])
def test_parse_money_rejects(text: str) -> None:
    if text == "¥":
        assert parse_money(text) is None
        return
    with pytest.raises(NormalizeError):
        parse_money(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年10月20日", dt.date(2025, 10, 20)),
        ("2025-10-20 10:00:00", dt.date(2025, 10, 20)),
        ("20180323", dt.date(2018, 3, 23)),
        ("2019 11 18", dt.date(2019, 11, 18)),
        ("2026/3/6", dt.date(2026, 3, 6)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_parse_date_rejects_impossible_dates() -> None:
    with pytest.raises(NormalizeError):
        parse_date("2025年02月30日")
    with pytest.raises(NormalizeError):
        parse_date("yesterday")


def test_uscc_check_character() -> None:
    # Real credit codes printed on the invoices in ../shared/realdata
    for code in ("91610132688983884K", "91310115MA1H9HD02E", "91120110MA06J3WLX8", "914201007483062457"):
        assert uscc_valid(code) is True
        assert uscc_check_char(code[:17]) == code[17]
    assert uscc_valid("91610132688983884A") is False
    assert uscc_valid("110101198001010") is None  # 15-digit legacy id: not verifiable, not rejected


def test_tax_id_normalisation() -> None:
    assert normalize_tax_id(" 9161 0132 6889 8388 4k ") == "91610132688983884K"
    with pytest.raises(NormalizeError):
        normalize_tax_id("纳税人")


@pytest.mark.parametrize(("text", "expected"), [("0.13", "13%"), ("6%", "6%"), ("0.06", "6%"), ("免税", "免税")])
def test_format_rate(text: str, expected: str) -> None:
    assert format_rate(text) == expected


@pytest.mark.parametrize(
    ("words", "amount"),
    [
        ("叁万伍仟伍佰伍拾玖圆陆角玖分", "35559.69"),
        ("贰拾柒圆整", "27.00"),
        ("壹佰贰拾捌元伍角肆分", "128.54"),
        ("叁拾玖元整", "39.00"),
        ("（负数）壹佰圆整", "-100.00"),
        ("壹仟零伍圆零伍分", "1005.05"),
        ("壹拾万零叁佰圆正", "100300.00"),
    ],
)
def test_words_to_amount(words: str, amount: str) -> None:
    assert words_to_amount(words) == Decimal(amount)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_words_round_trip(cents: int) -> None:
    amount = Decimal(cents) / 100
    assert words_to_amount(amount_to_words(amount)) == amount.quantize(Decimal("0.01"))


@given(st.text(max_size=40))
def test_parsers_never_raise_foreign_errors(text: str) -> None:
    """Every parser returns a value or raises the project's own error, never TypeError/AttributeError."""
    for parse in (parse_money, parse_date, parse_decimal, normalize_tax_id, words_to_amount):
        with contextlib.suppress(NormalizeError):
            parse(text)


@given(st.text(alphabet="零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整正负数（）", max_size=30))
def test_words_parser_on_numeral_soup(text: str) -> None:
    try:
        value = words_to_amount(text)
    except NormalizeError:
        return
    assert isinstance(value, Decimal)


def test_huge_amount_is_refused_not_a_decimal_crash() -> None:
    """Regression (found by hypothesis): 27 digits overflowed Decimal's precision in quantize()."""
    with pytest.raises(NormalizeError):
        parse_money("100000000000000000000000000")
