"""The ledger, report and ask commands (office_agent.cli.invoices), run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from factories import einvoice
from ledger_builders import sheet_rows
from openpyxl import load_workbook

# The whole office-agent command; main() maps errors to exit codes.
MAIN = "from office_agent.cli import main; main()"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", MAIN, *args], capture_output=True, text=True, check=False, cwd=cwd,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "fapiao"
    for person, number, total, remark in (
        ("alice", "25000000000000000001", "106.00", ""),
        ("alice", "25000000000000000002", "53.00", ""),
        ("bob", "25000000000000000003", "212.00", ""),
    ):
        (root / person).mkdir(parents=True, exist_ok=True)
        (root / person / f"{number}.xml").write_bytes(einvoice(number, total, remark=remark))
    return root


def test_ledger_command_with_filters_language_and_groups(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("ledger", str(inbox), "-o", str(out), "--lang", "en", "--year", "2025", "--category", "Meals",
               "--group-by", "person", "--report", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ledger.csv", "ledger.jsonl", "ledger.xlsx", "report.html"]
    wb = load_workbook(out / "ledger.xlsx")
    rows = sheet_rows(wb["Ledger"])
    assert [(r["Person"], r["Invoice number"]) for r in rows] == [
        ("alice", "25000000000000000001"), ("alice", "25000000000000000002"), ("bob", "25000000000000000003"),
    ]  # fmt: skip
    about = {r["Item"]: r["Value"] for r in sheet_rows(wb["About"])}
    assert about["Filters"] == "year 2025; category: Meals" and about["Grouped by"] == "Person"


def test_ledger_command_from_to_and_person(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("ledger", str(inbox), "-o", str(out), "--from", "2025-03", "--to", "2025-03", "--person", "bob",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = sheet_rows(load_workbook(out / "ledger.xlsx")["台账"])
    assert [r["发票号码"] for r in rows] == ["25000000000000000003"]
    bad = run("ledger", str(inbox), "-o", str(out), "--from", "March", cwd=tmp_path)
    assert bad.returncode == 3 and "YYYY-MM" in bad.stderr


def test_ledger_command_flags_another_buyer(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("ledger", str(inbox), "-o", str(out), "--company", "别的公司", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    review = sheet_rows(load_workbook(out / "ledger.xlsx")["待复核"])
    assert {r["问题类型"] for r in review} == {"抬头不是本公司"} and len(review) == 3


def test_report_command(inbox: Path, tmp_path: Path) -> None:
    done = run("report", str(inbox), "-o", str(tmp_path / "r"), "--no-thumbnails", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert html.count("<article") == 3


def test_ask_prints_what_it_understood_then_does_it(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("ask", "帮我生成2025年度报销台账", str(inbox), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("理解为：报销台账 · 2025年")
    assert (out / "ledger.xlsx").is_file() and (out / "ledger.csv").is_file()


def test_ask_in_english_with_format_category_and_person(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("ask", "ledger for March to May 2025, meals only, for bob, as csv", str(inbox), "-o", str(out),
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    said = "Understood: ledger · 2025-03-01 to 2025-05-31 · categories: Meals · person: bob · format: csv"
    assert said in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ledger.csv"]
    lines = (out / "ledger.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and "25000000000000000003" in lines[1]


def test_ask_extract_as_json_and_a_dry_run(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("ask", "extract the records as json", str(inbox), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(json.loads((out / "invoices.json").read_text(encoding="utf-8"))) == 3
    dry = run("ask", "复核报告", str(inbox), "-o", str(tmp_path / "dry"), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0 and "复核报告" in dry.stderr and not (tmp_path / "dry").exists()


def test_ask_never_prompts_without_a_terminal_and_refuses_nonsense(inbox: Path, tmp_path: Path) -> None:
    done = run("ask", "what's the weather", str(inbox), cwd=tmp_path)
    assert done.returncode == 3
    assert "did not understand" in done.stderr and "帮我生成2024年度报销台账" in done.stderr
    assert "Go ahead" not in done.stderr  # stdin is not a terminal: nothing was asked
