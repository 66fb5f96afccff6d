"""``rules draft``: the rules a company's expense policy states, each citing its clause, none enforced until confirmed.
Checked against the sample travel policy and a second, hand-written policy with its truth file beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from office_agent.models import BatchResult, Invoice
from office_agent.rules import check_policy
from office_agent.rules.draft import draft_rules
from office_agent.rules.model import parse_rules

ROOT = Path(__file__).resolve().parents[1]
TRAVEL = ROOT / "samples" / "policy" / "travel_expense_policy.md"
COMPANY = ROOT / "samples" / "expense_rules" / "company_expense_policy.md"


def test_travel_policy_table_and_deadline():
    draft = draft_rules([TRAVEL])
    s = draft.sections
    assert set(s) == {"hotel", "meal", "age"}
    assert s["hotel"]["default"] == 350 and s["hotel"]["tiers"] == {1: 450}  # the 其他员工 row
    assert s["hotel"]["city_tiers"] == {"北京": 1, "上海": 1, "广州": 1, "深圳": 1}
    assert s["meal"]["per_day"] == 100
    assert s["age"]["max_days"] == 21  # 15 个工作日
    assert "第五条" in s["hotel"]["source"] and "其他员工 | 450 | 350 | 100" in s["hotel"]["source"]
    assert "总监及以上 | 800 | 600 | 150" in s["hotel"]["source"]  # the other levels are quoted
    assert "第八条" in s["age"]["source"] and "15个工作日内" in s["age"]["source"]
    assert all(sec["confirmed"] is False for sec in s.values())


def test_travel_policy_level_option_picks_its_row():
    s = draft_rules([TRAVEL], level="经理").sections
    assert s["hotel"]["default"] == 450 and s["hotel"]["tiers"] == {1: 600} and s["meal"]["per_day"] == 120


def test_company_policy_gives_the_rules_it_states():
    truth = yaml.safe_load((COMPANY.parent / "company_expense_policy.rules.truth.yaml").read_text(encoding="utf-8"))
    s = draft_rules([COMPANY]).sections
    assert set(s) == set(truth)
    for name, want in truth.items():
        cites = want.pop("cites")
        for clause in [cites] if isinstance(cites, str) else cites:
            assert f" {clause}:" in s[name]["source"], (name, clause)
        for key, value in want.items():
            assert s[name][key] == value, (name, key)
        assert s[name]["confirmed"] is False


def test_a_draft_enforces_nothing_until_confirmed():
    text = draft_rules([COMPANY]).to_yaml(["company_expense_policy.md"])
    assert "NOTHING HERE IS ENFORCED" in text
    rules = parse_rules(yaml.safe_load(text), "draft")
    assert rules.enforced() == {}
    over = Invoice(source="a.pdf", sha256="0" * 64, category="餐饮", total_amount=Decimal(900),
                   issue_date=dt.date(2025, 6, 10), invoice_number="1")  # fmt: skip
    assert check_policy(BatchResult(invoices=[over]), rules, today=dt.date(2025, 6, 30)) == []
    data = yaml.safe_load(text)
    data["meal"]["confirmed"] = True  # a person read 第七条 and 第八条 and confirmed them
    flags = check_policy(BatchResult(invoices=[over]), parse_rules(data, "draft"), today=dt.date(2025, 6, 30))
    assert [f.rule for f in flags] == ["meal", "meal"]  # over the per-meal cap (500) and the day's (100)
    assert "500.00" in flags[0].message and "100.00" in flags[1].message


def test_rules_draft_command(tmp_path):
    from office_agent.cli import app

    out = tmp_path / "rules.yaml"
    res = CliRunner().invoke(app, ["rules", "draft", str(COMPANY), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "none confirmed" in res.output
    assert set(yaml.safe_load(out.read_text(encoding="utf-8"))) >= {"version", "hotel", "meal", "taxi", "buyer"}
    empty = tmp_path / "empty.md"
    empty.write_text("# 会议纪要\n\n本周讨论了产品路线图。\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["rules", "draft", str(empty)])
    assert res.exit_code != 0 and "no rule" in str(res.exception)


@pytest.mark.parametrize(
    ("sentence", "section", "key", "value"),
    [
        ("住宿费每人每晚不超过500元。", "hotel", "default", 500),
        ("出差补助每人每日80元。", "meal", "per_day", 80),
        ("工作餐每餐不超过60元。", "meal", "per_invoice", 60),
        ("加班22:00以后打车可报销。", "taxi", "allowed", ["22:00-06:00"]),
        ("发票须在开具后3个月内报销。", "age", "max_days", 90),
    ],
)
def test_single_clauses(tmp_path, sentence, section, key, value):
    doc = tmp_path / "policy.md"
    doc.write_text(f"# 报销规定\n\n第一条 {sentence}\n", encoding="utf-8")
    s = draft_rules([doc]).sections
    assert s[section][key] == value and sentence.rstrip("。") in s[section]["source"]
