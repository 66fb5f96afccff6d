"""“Just say it”: Chinese and English requests → job and slots, by fixed rules; the router hook; what is printed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from office_agent.ask import AskRequest, describe, parse_request
from office_agent.errors import BadArguments

TODAY = dt.date(2025, 11, 21)
D = dt.date

# text → (jobs, year, from, to, categories, formats, person, group_by)
CASES: list[tuple[str, tuple[object, ...]]] = [
    ("帮我生成2024年度报销台账", (("ledger",), 2024, None, None, (), (), None, None)),
    ("ledger for March to May 2025, meals only, as csv",
     (("ledger",), None, D(2025, 3, 1), D(2025, 5, 31), ("餐饮",), ("csv",), None, None)),
    ("2025年3月至5月的住宿和交通费用，导出csv",
     (("ledger",), None, D(2025, 3, 1), D(2025, 5, 31), ("住宿", "交通"), ("csv",), None, None)),
    ("3-5月通行费台账", (("ledger",), None, D(2025, 3, 1), D(2025, 5, 31), ("通行费",), (), None, None)),
    ("二〇二四年", ((), None, None, None, (), (), None, None)),
    ("24年12月的报销台账", (("ledger",), None, D(2024, 12, 1), D(2024, 12, 31), (), (), None, None)),
    ("张三上季度的打车费复核报告",
     (("report",), None, D(2025, 7, 1), D(2025, 9, 30), ("交通",), (), "张三", "person")),
    ("帮我看看李四上个月的餐费", (("ledger",), None, D(2025, 10, 1), D(2025, 10, 31), ("餐饮",), (), "李四", "person")),
    ("第二季度油费", (("ledger",), None, D(2025, 4, 1), D(2025, 6, 30), ("油费",), (), None, None)),
    ("去年上半年的会议和培训", (("ledger",), None, D(2024, 1, 1), D(2024, 6, 30), ("会议", "培训"), (), None, None)),
    ("按项目汇总今年的报销", (("ledger",), 2025, None, None, (), (), None, "project")),
    ("生成台账和复核报告，Excel格式", (("ledger", "report"), None, None, None, (), ("xlsx",), None, None)),
    ("expense report for alice, Q1 2024",
     (("ledger",), None, D(2024, 1, 1), D(2024, 3, 31), (), (), "alice", "person")),
    ("review report for last month", (("report",), None, D(2025, 10, 1), D(2025, 10, 31), (), (), None, None)),
    ("hotels and taxis in 2024", (("ledger",), 2024, None, None, ("住宿", "交通"), (), None, None)),
    ("from 2025-03 to 2025-05 tolls as jsonl",
     (("ledger",), None, D(2025, 3, 1), D(2025, 5, 31), ("通行费",), ("jsonl",), None, None)),
    ("2025-03-10 to 2025-03-20 ledger", (("ledger",), None, D(2025, 3, 10), D(2025, 3, 20), (), (), None, None)),
    ("I may need the ledger for 2023", (("ledger",), 2023, None, None, (), (), None, None)),
    ("ledger for May", (("ledger",), None, D(2025, 5, 1), D(2025, 5, 31), (), (), None, None)),
    ("ledger for December", (("ledger",), None, D(2024, 12, 1), D(2024, 12, 31), (), (), None, None)),  # not future
    ("ledger from November 2024 to January 2025",
     (("ledger",), None, D(2024, 11, 1), D(2025, 1, 31), (), (), None, None)),
    ("bob's expenses this year", (("ledger",), 2025, None, None, (), (), "bob", "person")),
    ("extract the records as json", (("extract",), None, None, None, (), ("json",), None, None)),
    ("ledger by project for h2 2024", (("ledger",), None, D(2024, 7, 1), D(2024, 12, 31), (), (), None, "project")),
    ("what's the weather", ((), None, None, None, (), (), None, None)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "want"), CASES, ids=[c[0] for c in CASES])
def test_rules(text: str, want: tuple[object, ...]) -> None:
    r = parse_request(text, today=TODAY)
    got = (r.jobs, r.year, r.date_from, r.date_to, r.categories, r.formats, r.person, r.group_by)
    assert got == want


def test_sub_folder_names_are_recognised_as_people() -> None:
    r = parse_request("王五的台账 2025", today=TODAY, known_people=["王五", "alice"])
    assert (r.person, r.group_by, r.year) == ("王五", "person", 2025)
    r = parse_request("Alice 2024 hotels", today=TODAY, known_people=["alice"])
    assert r.person == "alice" and r.ledger_options().groups == ("alice",)


def test_same_text_same_request() -> None:
    texts = [c[0] for c in CASES]
    assert [parse_request(t, today=TODAY) for t in texts] == [parse_request(t, today=TODAY) for t in texts]


def test_ledger_options_carry_the_slots() -> None:
    r = parse_request("ledger for March to May 2025, meals only, in English", today=TODAY)
    opts = r.ledger_options()
    assert (opts.date_from, opts.date_to) == (D(2025, 3, 1), D(2025, 5, 31))
    assert (opts.categories, opts.lang) == (("餐饮",), "en")
    assert parse_request("帮我生成2024年度报销台账", today=TODAY).ledger_options().lang == "zh"


def test_describe_speaks_the_language_of_the_request() -> None:
    assert describe(parse_request("帮我生成2024年度报销台账", today=TODAY)) == "理解为：报销台账 · 2024年"
    said = describe(parse_request("ledger for March to May 2025, meals only, as csv", today=TODAY))
    assert said == "Understood: ledger · 2025-03-01 to 2025-05-31 · categories: Meals · format: csv"
    assert "未说年份，按 2025 年" in describe(parse_request("3月的台账", today=TODAY))
    assert describe(parse_request("hello", today=TODAY)) == "I did not understand that request."


def test_impossible_month_is_refused() -> None:
    with pytest.raises(BadArguments, match="no such month"):
        parse_request("13月的台账", today=TODAY)


class FakeRouter:
    def __init__(self, answer: AskRequest | None = None, fail: bool = False) -> None:
        self.answer, self.fail, self.calls = answer, fail, 0

    def route(self, text: str, rules: AskRequest) -> AskRequest | None:
        self.calls += 1
        if self.fail:
            raise TimeoutError("model did not answer")
        return self.answer


def test_router_is_asked_only_when_configured_and_is_validated() -> None:
    rules = parse_request("hello there", today=TODAY)
    assert not rules.understood and rules.router == "rules"
    routed = replace(rules, jobs=("ledger",), categories=("Meals",))
    router = FakeRouter(routed)
    r = parse_request("hello there", today=TODAY, router=router)
    assert router.calls == 1 and r.router == "llm" and r.jobs == ("ledger",) and r.categories == ("餐饮",)
    assert parse_request("hello there", today=TODAY, router=FakeRouter(None)) == rules  # None: the rules stand


def test_router_failure_leaves_the_rules_answer() -> None:
    r = parse_request("帮我生成2024年度报销台账", today=TODAY, router=FakeRouter(fail=True))
    assert r.router == "rules" and r.year == 2024 and "router failed (TimeoutError)" in r.notes[-1]


def test_router_answer_is_checked_like_any_other() -> None:
    """A router answer that fails the checks is not used: the rules' reading stands, with a note saying why."""
    bad = AskRequest(text="x", jobs=("ledger",), categories=("snacks",))
    req = parse_request("x", today=TODAY, router=FakeRouter(bad))
    assert req.router == "rules" and not req.understood and any("unknown category" in n for n in req.notes)
    backwards = AskRequest(text="x", jobs=("ledger",), date_from=D(2025, 5, 1), date_to=D(2025, 3, 1))
    req = parse_request("x", today=TODAY, router=FakeRouter(backwards))
    assert req.router == "rules" and any("empty" in n for n in req.notes)
