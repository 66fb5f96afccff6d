"""Expense-policy checks: each rule flags a breach and passes a compliant invoice; a generated corpus with planted
breaches (known truth) is flagged exactly; flags reach checks, the ledger's review sheet and extract records."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pytest

from office_agent.errors import BadArguments
from office_agent.generate.ledger_view import build_view
from office_agent.generate.records import invoice_record
from office_agent.models import BatchResult, Invoice, InvoiceKind, LineItem
from office_agent.rules import check_policy, load_rules
from office_agent.rules.model import Rules, parse_rules

TODAY = dt.date(2025, 6, 30)
BASE_RULES = {
    "hotel": {"default": 400, "cities": {"北京": 800}, "tiers": {1: 700}, "city_tiers": {"广州": 1}},
    "meal": {"per_invoice": 300, "per_day": 500},
    "taxi": {"allowed": ["21:00-07:00"]},
    "weekend": {"categories": ["餐饮"], "holidays": ["2025-05-01"], "workdays": ["2025-04-27"]},
    "age": {"max_days": 180},
    "consecutive": {"min_run": 3},
    "buyer": {"name": "上海乙有限公司", "tax_id": "91310000MA1FL0XX0X"},
    "claimed_before": {},
}


def rules(**only: object) -> Rules:
    return parse_rules({k: v for k, v in BASE_RULES.items() if not only or k in only}, "test")


_serial = iter(range(10_000_000, 99_999_999, 7919))


def inv(**kw: object) -> Invoice:
    """A compliant invoice (a Tuesday, a small office purchase, our buyer) with ``kw`` on top."""
    n = next(_serial)
    data: dict[str, object] = {
        "source": f"in/{n}.pdf", "sha256": f"{n:064d}", "invoice_kind": InvoiceKind.DIGITAL_GENERAL,
        "invoice_number": str(n), "issue_date": dt.date(2025, 6, 10), "category": "办公用品",
        "seller_name": f"杭州{n}商贸有限公司", "seller_tax_id": f"9133{n:014d}",
        "buyer_name": "上海乙有限公司", "buyer_tax_id": "91310000MA1FL0XX0X", "total_amount": Decimal("120.00"),
    }  # fmt: skip
    data.update(kw)
    return Invoice.model_validate(data)


def flags_of(invoices: list[Invoice], r: Rules, **kw: object) -> set[tuple[str, str]]:
    batch = BatchResult(invoices=invoices)
    return {(f.rule, f.source) for f in check_policy(batch, r, today=TODAY, **kw)}


def hotel(total: str, nights: int | None = None, seller: str = "杭州湖畔酒店有限公司", remarks: str | None = None
          ) -> Invoice:  # fmt: skip
    items = (
        [LineItem(name="*住宿服务*住宿费", unit="晚", quantity=Decimal(nights), amount=Decimal(total))]
        if nights
        else []
    )
    return inv(category="住宿", total_amount=Decimal(total), seller_name=seller, items=items, remarks=remarks)


# ----------------------------------------------------------------------------------------------------------
# One rule at a time: one invoice that breaks it, one that does not


@pytest.mark.parametrize(
    ("rule", "bad", "good"),
    [
        ("hotel", lambda: hotel("1000", 2), lambda: hotel("790", 2)),  # 500/晚 vs the 400 default; 395/晚
        ("hotel", lambda: hotel("900", 1, "北京王府酒店有限公司"), lambda: hotel("1500", 2, "北京王府酒店有限公司")),
        ("hotel", lambda: hotel("750", 1, "广州白云宾馆"), lambda: hotel("690", 1, "广州白云宾馆")),  # tier 1: 700
        ("hotel", lambda: hotel("1200", remarks="入住 2025-06-01至2025-06-03"),
         lambda: hotel("780", remarks="入住 2025-06-01至2025-06-03")),  # nights from the remarks: 600 vs 390
        ("meal", lambda: inv(category="餐饮", total_amount=Decimal("350")),
         lambda: inv(category="餐饮", total_amount=Decimal("280"))),
        ("taxi", lambda: inv(category="交通", pickup_time="14:05"), lambda: inv(category="交通", pickup_time="22:40")),
        ("taxi", lambda: inv(category="交通", pickup_time="07:00"), lambda: inv(category="交通", pickup_time="06:59")),
        ("weekend", lambda: inv(category="餐饮", issue_date=dt.date(2025, 6, 14), total_amount=Decimal(80)),
         lambda: inv(category="餐饮", issue_date=dt.date(2025, 4, 27), total_amount=Decimal(80))),  # 调休 Sunday
        ("weekend", lambda: inv(category="餐饮", issue_date=dt.date(2025, 5, 1), total_amount=Decimal(80)),
         lambda: inv(category="办公用品", issue_date=dt.date(2025, 6, 14))),  # weekend, but not a listed category
        ("age", lambda: inv(issue_date=dt.date(2024, 12, 31)), lambda: inv(issue_date=dt.date(2025, 1, 1))),
        ("buyer", lambda: inv(buyer_name="上海丙有限公司", buyer_tax_id="91310000MA1FL0YY0Y"),
         lambda: inv(buyer_name="上海乙有限公司 ")),
    ],
)  # fmt: skip
def test_each_rule_flags_a_breach_and_passes_a_compliant_invoice(rule, bad, good):
    r = rules(**{rule: True})
    b, g = bad(), good()
    assert flags_of([b], r) == {(rule, b.source)}
    assert flags_of([g], r) == set()


def test_meal_per_day_flags_every_meal_of_an_over_budget_day():
    r = rules(meal=True)
    day = [inv(category="餐饮", total_amount=Decimal(200)) for _ in range(3)]  # 600 > 500, each under 300
    other = inv(category="餐饮", total_amount=Decimal(200), issue_date=dt.date(2025, 6, 11))
    assert flags_of([*day, other], r) == {("meal", i.source) for i in day}
    assert flags_of(day[:2], r) == set()


def test_consecutive_numbers_from_one_seller():
    r = rules(consecutive=True)
    seller = {"seller_name": "杭州连号餐饮有限公司", "seller_tax_id": "91330100MA2XXXXX1X"}
    run = [inv(invoice_number=str(25000000 + k), **seller) for k in range(3)]
    assert flags_of(run, r) == {("consecutive", i.source) for i in run}
    gap = [inv(invoice_number=str(25000000 + k), **seller) for k in (0, 1, 3)]
    others = [inv(invoice_number=str(25000000 + k)) for k in range(3)]  # three sellers: not a run
    assert flags_of(gap, r) == set() and flags_of(others, r) == set()


def test_claimed_before_in_this_batch_or_the_history():
    r = rules(claimed_before=True)
    first = inv()
    again = first.model_copy(update={"source": "other/again.pdf", "duplicate_of": {"source": first.source}})
    old = inv()
    assert flags_of([first, again, old], r, history={old.identity(): "2024 年度报销 (run 3)"}) == {
        ("claimed_before", again.source), ("claimed_before", old.source)}  # fmt: skip
    assert flags_of([first, old], r) == set()


def test_unconfirmed_rules_are_not_enforced():
    r = parse_rules({"meal": {"per_invoice": 10, "confirmed": False, "source": "policy.md §3"}}, "test")
    assert r.enforced() == {}
    assert flags_of([inv(category="餐饮")], r) == set()


def test_supporting_documents_are_never_checked_and_flags_name_the_figures():
    r = rules(hotel=True)
    trip = hotel("5000", 1).model_copy(update={"invoice_kind": InvoiceKind.RIDE_ITINERARY})
    bad = hotel("1000", 2)
    (flag,) = check_policy(BatchResult(invoices=[trip, bad]), r, today=TODAY)
    assert flag.invoice_number == bad.invoice_number
    assert (
        "1,000.00" in flag.message and "2 晚" in flag.message and "500.00" in flag.message and "400.00" in flag.message
    )


# ----------------------------------------------------------------------------------------------------------
# A generated corpus with planted breaches


WEEKDAYS = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13]  # of June 2025 (the 16th is kept for the per-day breach)
PLANTS = {
    "hotel": lambda rng: hotel(str(rng.randint(420, 900) * 2), 2),
    "meal": lambda rng: inv(category="餐饮", total_amount=Decimal(rng.randint(301, 480)),
                            issue_date=dt.date(2025, 6, rng.choice(WEEKDAYS))),
    "taxi": lambda rng: inv(category="交通", pickup_time=f"{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}"),
    "weekend": lambda rng: inv(category="餐饮", total_amount=Decimal(rng.randint(20, 90)),
                               issue_date=dt.date(2025, 6, rng.choice([7, 8, 14, 15, 21, 22]))),
    "age": lambda rng: inv(issue_date=TODAY - dt.timedelta(days=rng.randint(181, 400))),
    "buyer": lambda rng: inv(buyer_name=rng.choice(["上海丙有限公司", "个人"]), buyer_tax_id=None),
}  # fmt: skip


def _clean(rng: random.Random) -> Invoice:
    """A compliant invoice of a random kind: under every cap, a weekday, our buyer, inside the period."""
    day = dt.date(2025, 6, rng.choice(WEEKDAYS))
    kind = rng.choice(["hotel", "meal", "taxi", "office"])
    if kind == "hotel":
        return hotel(str(rng.randint(100, 400) * 2), 2).model_copy(update={"issue_date": day})
    if kind == "meal":
        return inv(category="餐饮", total_amount=Decimal(rng.randint(20, 90)), issue_date=day)
    if kind == "taxi":
        return inv(category="交通", pickup_time=f"{rng.choice([21, 22, 23, 0, 5, 6]):02d}:{rng.randint(0, 59):02d}",
                   issue_date=day)  # fmt: skip
    return inv(issue_date=day, total_amount=Decimal(rng.randint(10, 3000)))


def test_planted_breaches_are_all_flagged_and_nothing_else():
    rng = random.Random(16)
    truth: set[tuple[str, str]] = set()
    corpus: list[Invoice] = []
    for _ in range(400):
        if rng.random() < 0.3:
            rule = rng.choice(sorted(PLANTS))
            planted = PLANTS[rule](rng)
            truth.add((rule, planted.source))
            corpus.append(planted)
        else:
            corpus.append(_clean(rng))
    seller = {"seller_name": "杭州连号酒店有限公司", "seller_tax_id": "91330100MA2CONSEC"}
    for k in range(4):  # one run of four consecutive numbers
        planted = inv(invoice_number=str(30000000 + k), **seller)
        truth.add(("consecutive", planted.source))
        corpus.append(planted)
    for _ in range(20):  # one day's meals over the per-day cap (5,200 > 5,000), each under the per-meal cap
        planted = inv(category="餐饮", total_amount=Decimal(260), issue_date=dt.date(2025, 6, 16))
        truth.add(("meal", planted.source))
        corpus.append(planted)
    first = corpus[5]
    again = first.model_copy(update={"source": "later/again.pdf", "duplicate_of": {"source": first.source}})
    truth.add(("claimed_before", again.source))
    corpus.append(again)
    rng.shuffle(corpus)
    r = rules()
    assert r.meal is not None
    r.meal.per_day = Decimal(5000)  # no ordinary day of this corpus comes near it
    found = flags_of(corpus, r)
    assert found - truth == set(), "false flags"
    assert truth - found == set(), "missed breaches"
    assert len(truth) > 100


# ----------------------------------------------------------------------------------------------------------
# Where flags show, and the rules file


def test_flags_become_checks_review_items_and_extract_records():
    bad = inv(category="餐饮", total_amount=Decimal("350"))
    batch = BatchResult(invoices=[bad, inv()])
    r = rules(meal=True)
    check_policy(batch, r, today=TODAY)
    check_policy(batch, r, today=TODAY)  # again: the same checks, not doubled
    (check,) = [c for c in batch.invoices[0].checks if c.name.startswith("policy.")]
    assert check.name == "policy.meal" and check.passed is False and "350.00" in check.detail
    review = [item for item in build_view(batch).review if item.invoice_number == bad.invoice_number]
    assert any("超餐费标准" in item.reason and "350.00" in item.reason for item in review)
    record = invoice_record(batch.invoices[0])
    assert any(c["name"] == "policy.meal" and c["passed"] is False for c in record["checks"])
    assert not [c for c in batch.invoices[1].checks if c.name.startswith("policy.")]


def test_the_example_rules_file_loads_and_every_section_is_enforced():
    r = load_rules(Path(__file__).resolve().parents[1] / "office_agent" / "data" / "rules.example.yaml")
    assert set(r.enforced()) == set(Rules.model_fields) - {"version"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("meal: {per_invoice: lots}", "meal.per_invoice"),
        ("taxi: {allowed: ['9pm-7am']}", "taxi.allowed"),
        ("hotle: {default: 400}", "hotle"),
        ("meal: [", "not valid YAML"),
    ],
)
def test_a_bad_rules_file_names_the_file_and_the_rule(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadArguments, match=message) as err:
        load_rules(path)
    assert str(path) in str(err.value)


def test_rules_option_flags_through_the_batch(samples, tmp_path):
    from office_agent.batch import run_batch
    from office_agent.settings import load_settings

    path = tmp_path / "rules.yaml"
    path.write_text("meal: {per_invoice: 1000}\nage: {max_days: 36500}\n", encoding="utf-8")
    batch = run_batch([samples / "09_digital_special.ofd", samples / "01_digital_general.pdf"], workers=0,
                      settings=load_settings(rules_file=path))  # fmt: skip
    flagged = {i.source.rsplit("/", 1)[-1]: [c.name for c in i.checks if c.name.startswith("policy.")]
               for i in batch.invoices}  # fmt: skip
    assert flagged == {"09_digital_special.ofd": ["policy.meal"], "01_digital_general.pdf": []}


@pytest.mark.slow
def test_rules_option_on_extract_ledger_and_pack(samples, tmp_path):
    import json

    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from office_agent.cli import app

    path = tmp_path / "rules.yaml"
    path.write_text("meal: {per_invoice: 1000}\n", encoding="utf-8")
    one = str(samples / "09_digital_special.ofd")
    runner = CliRunner()
    res = runner.invoke(app, ["extract", one, "--rules", str(path), "-j", "0", "-q"])
    assert res.exit_code == 0, res.output
    (record,) = [json.loads(line) for line in res.stdout.splitlines()]
    assert [c["name"] for c in record["checks"] if c["name"].startswith("policy.")] == ["policy.meal"]
    res = runner.invoke(app, ["ledger", one, "--rules", str(path), "-o", str(tmp_path / "l"), "-j", "0", "-q"])
    assert res.exit_code == 0, res.output
    review = [r for r in load_workbook(tmp_path / "l" / "ledger.xlsx")["待复核"].iter_rows(values_only=True)]
    assert any("超餐费标准" in str(r[4]) for r in review)
    res = runner.invoke(app, ["pack", one, "--rules", str(path), "-o", str(tmp_path / "p"), "-j", "0", "-q"])
    assert res.exit_code == 0, res.output
    flags = json.loads((tmp_path / "p" / "pack.json").read_text(encoding="utf-8"))["policy_flags"]
    assert [f["rule"] for f in flags] == ["policy.meal"]
