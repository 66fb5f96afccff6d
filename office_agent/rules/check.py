"""Expense-policy checks over a batch: each confirmed rule of a :class:`~office_agent.rules.model.Rules` file run on
the invoices it concerns, each breach a :class:`Flag` naming the rule, the invoice and the figures.

Flags are also added to each invoice's ``checks`` (name ``policy.<rule>``, ``passed=False``), so they show where
every other check shows: the ledger's 待复核 sheet, the review report and ``extract`` output. Supporting documents
(行程单) and failed records are never checked; a duplicate is checked only by ``claimed_before``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from office_agent.extract.supporting import is_supporting
from office_agent.models import BatchResult, Check, Invoice, Status
from office_agent.rules.model import (
    AgeRule,
    BuyerRule,
    ClaimedBeforeRule,
    ConsecutiveRule,
    HotelRule,
    MealRule,
    Rule,
    Rules,
    TaxiRule,
    WeekendRule,
)

PREFIX = "policy."
NIGHT_UNITS = ("晚", "夜", "间夜", "间·夜", "天", "日")
_DAY = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_STAY = re.compile(_DAY + r"\s*(?:至|到|-|—|~)\s*" + _DAY)
CENT = Decimal("0.01")
R = TypeVar("R", bound=Rule)


@dataclass(frozen=True)
class Flag:
    rule: str
    source: str
    sha256: str
    invoice_number: str | None
    message: str


def _money(v: Decimal) -> str:
    return f"{v.quantize(CENT, ROUND_HALF_UP):,.2f}"


def _flag(rule: str, inv: Invoice, message: str) -> Flag:
    return Flag(rule, inv.source, inv.sha256, inv.invoice_number, message)


def nights(inv: Invoice) -> tuple[Decimal, str]:
    """Nights of a hotel stay: the 住宿 lines' quantity in nights, else a stay printed in the remarks
    (2025-03-01至2025-03-03), else 1; and how it was found."""
    qty = [i.quantity for i in inv.items if i.quantity and i.quantity > 0 and (i.unit or "").strip() in NIGHT_UNITS]
    if qty:
        return sum(qty, Decimal(0)), "item lines"
    m = _STAY.search(inv.remarks or "")
    if m:
        try:
            a = dt.date(int(m[1]), int(m[2]), int(m[3]))
            b = dt.date(int(m[4]), int(m[5]), int(m[6]))
        except ValueError:
            a = b = dt.date.min
        if b > a:
            return Decimal((b - a).days), "remarks"
    return Decimal(1), "assumed"


def _city(inv: Invoice, names: Iterable[str]) -> str | None:
    text = " ".join(x for x in (inv.seller_name, inv.seller_address, inv.remarks, *(i.name or "" for i in inv.items))
                    if x)  # fmt: skip
    for name in sorted(set(names), key=len, reverse=True):
        if name and name in text:
            return name
    return None


def check_hotel(rule: HotelRule, invoices: list[Invoice]) -> list[Flag]:
    out = []
    for inv in invoices:
        if inv.category != "住宿" or inv.total_amount is None or inv.total_amount <= 0:
            continue
        city = _city(inv, [*rule.cities, *rule.city_tiers])
        cap, where = rule.default, "默认"
        if city and city in rule.cities:
            cap, where = rule.cities[city], city
        elif city and rule.city_tiers.get(city) in rule.tiers:
            tier = rule.city_tiers[city]
            cap, where = rule.tiers[tier], f"{city}（{tier}类城市）"
        if cap is None:
            continue
        n, how = nights(inv)
        per_night = inv.total_amount / n
        if per_night > cap:
            basis = {"item lines": "按明细", "remarks": "按备注入住日期", "assumed": "未见晚数，按1晚计"}[how]
            out.append(_flag("hotel", inv, f"住宿 {_money(inv.total_amount)} 元 / {n} 晚（{basis}）= "
                              f"{_money(per_night)} 元/晚，超过{where}标准 {_money(cap)} 元/晚"))  # fmt: skip
    return out


def check_meal(rule: MealRule, invoices: list[Invoice]) -> list[Flag]:
    meals = [i for i in invoices if i.category in rule.categories and i.total_amount is not None]
    out = []
    if rule.per_invoice is not None:
        for inv in meals:
            assert inv.total_amount is not None
            if inv.total_amount > rule.per_invoice:
                out.append(_flag("meal", inv, f"餐费 {_money(inv.total_amount)} 元，超过单张标准 "
                                  f"{_money(rule.per_invoice)} 元"))  # fmt: skip
    if rule.per_day is not None:
        by_day: dict[dt.date, list[Invoice]] = {}
        for inv in meals:
            if inv.issue_date:
                by_day.setdefault(inv.issue_date, []).append(inv)
        for day, group in sorted(by_day.items()):
            total = sum((i.total_amount or Decimal(0) for i in group), Decimal(0))
            if total > rule.per_day:
                for inv in group:
                    out.append(_flag("meal", inv, f"{day} 餐费合计 {_money(total)} 元（{len(group)} 张），超过每日"
                                      f"标准 {_money(rule.per_day)} 元"))  # fmt: skip
    return out


def _minutes(hhmm: str) -> int | None:
    m = re.match(r"^\s*(\d{1,2}):(\d{2})", hhmm)
    return int(m[1]) * 60 + int(m[2]) if m and int(m[1]) < 24 and int(m[2]) < 60 else None


def in_window(minute: int, window: str) -> bool:
    start_s, end_s = window.split("-")
    start, end = _minutes(start_s), _minutes(end_s)
    assert start is not None and end is not None
    return start <= minute < end if start <= end else minute >= start or minute < end


def check_taxi(rule: TaxiRule, invoices: list[Invoice]) -> list[Flag]:
    out = []
    for inv in invoices:
        minute = _minutes(inv.pickup_time) if inv.pickup_time else None
        if minute is None or not rule.allowed or any(in_window(minute, w) for w in rule.allowed):
            continue
        out.append(_flag("taxi", inv, f"上车时间 {inv.pickup_time} 不在允许的用车时段 {'、'.join(rule.allowed)}"))
    return out


def check_weekend(rule: WeekendRule, invoices: list[Invoice]) -> list[Flag]:
    out = []
    holidays, workdays = set(rule.holidays), set(rule.workdays)
    for inv in invoices:
        d = inv.issue_date
        if d is None or (rule.categories and inv.category not in rule.categories):
            continue
        if d in holidays:
            why = "节假日"
        elif d.weekday() >= 5 and d not in workdays:
            why = "周六" if d.weekday() == 5 else "周日"
        else:
            continue
        amount = f" {_money(inv.total_amount)} 元" if inv.total_amount is not None else ""
        out.append(_flag("weekend", inv, f"{d}（{why}）的{inv.category or ''}支出{amount}"))
    return out


def check_age(rule: AgeRule, invoices: list[Invoice], today: dt.date) -> list[Flag]:
    out = []
    for inv in invoices:
        if inv.issue_date and (today - inv.issue_date).days > rule.max_days:
            days = (today - inv.issue_date).days
            out.append(_flag("age", inv, f"开票于 {inv.issue_date}，距今 {days} 天，超过报销时限 {rule.max_days} 天"))
    return out


def check_consecutive(rule: ConsecutiveRule, invoices: list[Invoice]) -> list[Flag]:
    groups: dict[tuple[str, str], list[tuple[int, Invoice]]] = {}
    for inv in invoices:
        seller = inv.seller_tax_id or inv.seller_name
        if seller and inv.invoice_number and inv.invoice_number.isdigit():
            groups.setdefault((seller, inv.invoice_code or ""), []).append((int(inv.invoice_number), inv))
    out = []
    for (seller, _code), items in groups.items():
        items.sort(key=lambda x: x[0])
        run = [items[0]] if items else []
        for prev, cur in itertools.pairwise(items):
            if cur[0] == prev[0] + 1:
                run.append(cur)
                continue
            out += _run_flags(run, rule.min_run, seller)
            run = [cur]
        out += _run_flags(run, rule.min_run, seller)
    return out


def _run_flags(run: list[tuple[int, Invoice]], min_run: int, seller: str) -> list[Flag]:
    if len(run) < min_run:
        return []
    numbers = f"{run[0][1].invoice_number}–{run[-1][1].invoice_number}"
    name = run[0][1].seller_name or seller
    return [_flag("consecutive", inv, f"{name} 的 {len(run)} 张发票连号（{numbers}）") for _n, inv in run]


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def check_buyer(rule: BuyerRule, invoices: list[Invoice]) -> list[Flag]:
    out = []
    for inv in invoices:
        wrong = []
        if rule.tax_id and (inv.buyer_tax_id or "").strip().upper() != rule.tax_id.strip().upper():
            wrong.append(f"购买方税号 {inv.buyer_tax_id or '（无）'}，应为 {rule.tax_id}")
        if rule.name and _norm(inv.buyer_name or "") != _norm(rule.name):
            wrong.append(f"购买方 {inv.buyer_name or '（无）'}，应为 {rule.name}")
        if wrong:
            out.append(_flag("buyer", inv, "；".join(wrong)))
    return out


def check_claimed_before(
    _rule: ClaimedBeforeRule, invoices: list[Invoice], history: Mapping[tuple[str, ...], str]
) -> list[Flag]:
    out = []
    for inv in invoices:
        ident = inv.identity()
        earlier = history.get(ident) if ident else None
        if inv.duplicate_of:
            earlier = inv.duplicate_of.get("source", "?")
        if earlier:
            number = inv.invoice_number or "无号码"
            out.append(_flag("claimed_before", inv, f"同一张发票（{number}）已在 {earlier} 报销过"))
    return out


def check_policy(
    result: BatchResult,
    rules: Rules,
    *,
    today: dt.date | None = None,
    history: Mapping[tuple[str, ...], str] | None = None,
    attach: bool = True,
) -> list[Flag]:
    """Run every confirmed rule on ``result``'s invoices; with ``attach`` (the default) each flag is also added to
    its invoice's ``checks`` (earlier policy checks are replaced, so running twice gives the same checks).

    ``history``: invoice identity (:meth:`Invoice.identity`) → where it was claimed before (the job store).
    """
    today = today or dt.date.today()
    live = [i for i in result.invoices if not is_supporting(i) and i.status != Status.FAILED]
    counted = [i for i in live if not i.duplicate_of]
    runs: dict[str, Callable[[Rule], list[Flag]]] = {
        "hotel": lambda r: check_hotel(_as(r, HotelRule), counted),
        "meal": lambda r: check_meal(_as(r, MealRule), counted),
        "taxi": lambda r: check_taxi(_as(r, TaxiRule), counted),
        "weekend": lambda r: check_weekend(_as(r, WeekendRule), counted),
        "age": lambda r: check_age(_as(r, AgeRule), counted, today),
        "consecutive": lambda r: check_consecutive(_as(r, ConsecutiveRule), counted),
        "buyer": lambda r: check_buyer(_as(r, BuyerRule), counted),
        "claimed_before": lambda r: check_claimed_before(_as(r, ClaimedBeforeRule), live, history or {}),
    }
    flags = [f for name, rule in rules.enforced().items() for f in runs[name](rule)]
    if attach:
        _attach(result.invoices, flags)
    return flags


def _as(rule: Rule, kind: type[R]) -> R:
    assert isinstance(rule, kind)
    return rule


def _attach(invoices: list[Invoice], flags: list[Flag]) -> None:
    by_invoice: dict[tuple[str, str], list[Flag]] = {}
    for f in flags:
        by_invoice.setdefault((f.source, f.sha256), []).append(f)
    for inv in invoices:
        inv.checks = [c for c in inv.checks if not c.name.startswith(PREFIX)]
        for f in by_invoice.get((inv.source, inv.sha256), []):
            inv.checks.append(Check(name=PREFIX + f.rule, passed=False, detail=f.message))


def policy_flags(invoices: Iterable[Invoice]) -> list[dict[str, str]]:
    """The policy flags already on ``invoices`` (their ``policy.*`` checks), as plain records for JSON."""
    return [
        {"source": i.source, "invoice_number": i.invoice_number or "", "rule": c.name, "detail": c.detail}
        for i in invoices
        for c in i.checks
        if c.name.startswith(PREFIX) and c.passed is False
    ]
