"""Checklist outputs (Markdown, JSON, XLSX read back by cell value), the CLI command, and the sample generator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from policy_helpers import CJK_FONT, POLICY_SAMPLES, scanned_pdf_bytes
from typer.testing import CliRunner

from office_agent.cli.checklist import register
from office_agent.policy.checklist import checklist_from_paths
from office_agent.policy.generate.checklist import render_json, render_markdown, write_checklist
from office_agent.policy_models import Checklist
from office_agent.synth.policy import guides, truth_record

QUESTION = "我是杭州户籍的成年人，第一次办理护照，需要带什么材料？"
REGENERATE = False  # flip to rewrite samples/policy from the generator; a test keeps it off


@pytest.fixture(scope="module")
def passport_checklist() -> Checklist:
    return checklist_from_paths([POLICY_SAMPLES], QUESTION)


def test_markdown_has_checkboxes_and_a_citation_under_every_item(passport_checklist: Checklist) -> None:
    md = render_markdown(passport_checklist)
    lines = md.splitlines()
    assert lines[0] == f"# 办理清单：{QUESTION}"
    boxes = [k for k, line in enumerate(lines) if line.startswith("- [ ] ")]
    assert len(boxes) == len(passport_checklist.items())
    for k in boxes:
        assert lines[k + 1].startswith("  - 来源：passport_hangzhou.docx"), lines[k + 1]
    assert "### 所需材料" in md and "**视情况**" in md and "## 按问题排除的条目" in md


def test_json_round_trips(passport_checklist: Checklist) -> None:
    data = json.loads(render_json(passport_checklist))
    again = Checklist.model_validate(data)
    assert again == passport_checklist
    first = data["procedures"][0]["items"][0]
    assert {"file", "page", "section", "quote", "start", "end"} <= set(first["citations"][0])


def test_xlsx_read_back_by_value(passport_checklist: Checklist, tmp_path: Path) -> None:
    path = write_checklist(passport_checklist, tmp_path / "out" / "checklist.xlsx", "xlsx")
    wb = load_workbook(path)
    ws = wb["清单"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["完成", "办理事项", "类别", "条目"] and "引文" in header
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    quote_col = header.index("引文")
    items = [r for r in rows if r[3]]
    assert len(items) == len(passport_checklist.items())
    assert all(r[0] == "☐" and r[quote_col] for r in items)
    assert "排除" in wb.sheetnames and "说明" in wb.sheetnames


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    doc = tmp_path / "evil.md"
    doc.write_text('# 指南\n\n## 申请材料\n\n1. =HYPERLINK("http://x","证明材料")\n', encoding="utf-8")
    path = write_checklist(checklist_from_paths([doc]), tmp_path / "e.xlsx", "xlsx")
    ws = load_workbook(path)["清单"]
    assert ws.cell(row=2, column=4).data_type == "s"


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def version() -> None:  # a second command, so typer keeps "checklist" as a subcommand
        """Print the version."""

    register(app)
    return app


def test_cli_markdown_to_stdout() -> None:
    result = CliRunner().invoke(_app(), ["checklist", str(POLICY_SAMPLES), "--question", QUESTION])
    assert result.exit_code == 0, result.output
    assert "- [ ] 居民身份证原件" in result.stdout


def test_cli_xlsx_defaults_under_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(_app(), ["checklist", str(POLICY_SAMPLES), "-f", "xlsx", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "checklist.xlsx").exists()


def test_cli_json_to_file_and_bad_files(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf_bytes())
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "guide.md").write_bytes((POLICY_SAMPLES / "travel_expense_policy.md").read_bytes())
    out = tmp_path / "c.json"
    result = CliRunner().invoke(_app(), ["checklist", str(tmp_path), "--question", "报销材料", "-f", "json", "-o",
                                         str(out)])  # fmt: skip
    assert result.exit_code == 1  # some files could not be read
    data = json.loads(out.read_text(encoding="utf-8"))
    reasons = {Path(f["source"]).name: (f["status"], f["reason"]) for f in data["files"]}
    assert reasons["scan.pdf"][0] == "skipped" and "OCR read nothing" in reasons["scan.pdf"][1]
    assert reasons["empty.md"][0] == "failed" and "empty" in reasons["empty.md"][1]
    assert data["procedures"] and "OCR read nothing" in result.output


def test_cli_question_matching_nothing_says_what_is_covered() -> None:
    result = CliRunner().invoke(_app(), ["checklist", str(POLICY_SAMPLES), "--question", "结婚登记需要什么材料"])
    assert result.exit_code == 1
    assert "文档中没有与问题相关的内容" in result.stdout
    assert "nothing in the documents matches" in result.output and "travel_expense_policy.md" in result.output


def test_cli_nothing_readable_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(_app(), ["checklist", str(tmp_path / "empty.txt")])
    assert result.exit_code == 2
    from office_agent.errors import BadArguments

    result = CliRunner().invoke(_app(), ["checklist", str(tmp_path / "nope.pdf")])
    assert isinstance(result.exception, BadArguments)


def test_samples_match_the_generator(tmp_path: Path) -> None:
    """The committed truth files are what the generator writes (``python -m office_agent.synth.policy``)."""
    assert REGENERATE is False
    for guide in guides():
        committed = json.loads((POLICY_SAMPLES / f"{guide.name}.truth.json").read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(truth_record(guide), ensure_ascii=False)), guide.name
        assert (POLICY_SAMPLES / f"{guide.name}{guide.suffix}").exists()


def test_procedure_and_scanned_samples_match_the_generator() -> None:
    """samples/policy_procedures and samples/policy_scanned: truth files as the generator writes them."""
    from office_agent.synth.policy import procedure_guides
    from office_agent.synth.policy_scans import SCANNED_DIR, SCANS, _all_guides, scan_truth

    procedures_dir = POLICY_SAMPLES.parent / "policy_procedures"
    for guide in procedure_guides():
        committed = json.loads((procedures_dir / f"{guide.name}.truth.json").read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(truth_record(guide), ensure_ascii=False)), guide.name
        assert len(committed["procedures"]) >= 2
    guides_by_name = _all_guides()
    for spec in SCANS:
        committed = json.loads((SCANNED_DIR / f"{spec.file}.truth.json").read_text(encoding="utf-8"))
        expected = scan_truth(spec, guides_by_name[spec.guide])
        assert committed == json.loads(json.dumps(expected, ensure_ascii=False)), spec.file
        assert (SCANNED_DIR / spec.file).exists()


@pytest.mark.skipif(not CJK_FONT.exists(), reason="fonts-wqy-microhei is not installed")
def test_generator_writes_readable_samples(tmp_path: Path) -> None:
    from office_agent.synth.policy import write_samples

    written = write_samples(tmp_path)
    assert len(written) == 8
    checklist = checklist_from_paths([tmp_path])
    assert len(checklist.procedures) == 4
