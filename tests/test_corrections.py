"""Corrections that are kept (issue 15): corrections.jsonl beside the outputs, keyed by the file's sha256, applied
on every later ledger / report / extract / run, reported (never applied) when the file changed or vanished, and
never half-written, even when the process saving it is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from factories import einvoice
from jobhelpers import make_job, write_invoices
from openpyxl import load_workbook

from office_agent.batch import run_batch
from office_agent.corrections import (
    CorrectionError,
    Kind,
    add_corrections,
    apply_corrections,
    correct,
    load_corrections,
    merge,
    set_field,
    split,
)
from office_agent.corrections.by_file import apply_saved, correct_file
from office_agent.generate.ledger import write_ledger
from office_agent.generate.ledger_view import build_view
from office_agent.jobs.runner import run_job
from office_agent.models import Source, Status

ROOT = Path(__file__).resolve().parents[1]
HOTEL = "25310000000000000012"


def hotel_xml(tax: str = "81.00") -> bytes:
    """A hotel invoice whose header tax is misread: amount + tax does not make the total (the line says 18.00)."""
    return (
        f"<EInvoice><Header><EIid>{HOTEL}</EIid></Header><EInvoiceData>"
        "<SellerInformation><SellerIdNum>91610132688983884K</SellerIdNum><SellerName>杭州甲酒店有限公司</SellerName>"
        "</SellerInformation><BuyerInformation><BuyerIdNum>91310115MA1H9HD02E</BuyerIdNum>"
        "<BuyerName>上海乙有限公司</BuyerName></BuyerInformation><BasicInformation>"
        f"<TotalAmWithoutTax>300.00</TotalAmWithoutTax><TotalTaxAm>{tax}</TotalTaxAm>"
        "<TotalTax-includedAmount>318.00</TotalTax-includedAmount></BasicInformation>"
        "<IssuItemInformation><ItemName>*住宿服务*住宿费</ItemName><Amount>300.00</Amount><TaxRate>0.06</TaxRate>"
        "<ComTaxAm>18.00</ComTaxAm></IssuItemInformation></EInvoiceData>"
        "<TaxSupervisionInfo><IssueTime>2025-03-04</IssueTime></TaxSupervisionInfo></EInvoice>"
    ).encode()


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = Path("inbox")
    folder.mkdir()
    (folder / "hotel.xml").write_bytes(hotel_xml())
    (folder / "meal.xml").write_bytes(einvoice("25310000000000000011", "106.00"))
    (folder / "meal-scan.xml").write_bytes(einvoice("25310000000000000099", "106.00", remark="same meal"))
    return folder


def ledger_rows(out: Path) -> dict[str, dict[str, object]]:
    return {
        Path(r["source"]).name: r
        for r in (json.loads(line) for line in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines())
    }


def test_a_correction_survives_every_ledger_rerun_with_manual_provenance_and_checks_run_again(inbox: Path) -> None:
    out = Path("out")
    before = run_batch([inbox], workers=0)
    hotel = next(i for i in before.invoices if i.invoice_number == HOTEL)
    assert hotel.status == Status.PARTIAL
    assert any(c.name == "amount_plus_tax" and c.passed is False for c in hotel.checks)
    correct(out, hotel, {"tax_amount": "18.00"}, by="会计小王")
    for _ in range(2):  # every later run applies it: nothing is lost when the files are read again
        result = run_batch([inbox], workers=0)
        report = apply_saved(result, out)
        assert report.applied == 1 and not report.problems
        fixed = next(i for i in result.invoices if i.invoice_number == HOTEL)
        assert fixed.tax_amount == Decimal("18.00") and fixed.status == Status.OK
        assert all(c.passed is not False for c in fixed.checks)
        prov = fixed.provenance["tax_amount"]
        assert prov.source == Source.MANUAL and "会计小王" in (prov.detail or "") and "was 81.00" in (prov.detail or "")
        assert prov.bbox == hotel.provenance["tax_amount"].bbox  # the box stays where the value was read
        assert [(a.value, a.source) for a in fixed.alternatives["tax_amount"]] == [("81.00", Source.XML)]
        write_ledger(result, out)
        assert ledger_rows(out)["hotel.xml"]["tax_amount"] == "18.00"
    saved = load_corrections(out)
    assert len(saved) == 1 and saved[0].replaced == "81.00" and saved[0].by == "会计小王"
    assert saved[0].target.sha256 == hotel.sha256 and saved[0].target.page == 1


def test_the_file_is_one_readable_sorted_json_line_per_correction_and_a_repeat_replaces(inbox: Path) -> None:
    out = Path("out")
    inv = next(i for i in run_batch([inbox], workers=0).invoices if i.invoice_number == HOTEL)
    correct(out, inv, {"tax_amount": "17.00"})
    correct(out, inv, {"tax_amount": "18.00", "remarks": "纸质发票核对"})
    lines = (out / "corrections.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # the second tax_amount replaced the first
    rec = json.loads(lines[0])
    assert list(rec) == sorted(rec) and rec["value"] == "18.00" and "纸质发票核对" in lines[1]  # not \u escapes


def test_not_reimbursable_is_shown_with_its_reason_and_left_out_of_the_totals(inbox: Path) -> None:
    out = Path("out")
    result = run_batch([inbox], workers=0)
    meal = next(i for i in result.invoices if i.invoice_number == "25310000000000000011")
    correct(out, meal, not_reimbursable_reason="私人聚餐")
    again = run_batch([inbox], workers=0)
    apply_saved(again, out)
    view = build_view(again)
    row = next(r for r in view.rows if r.invoice.invoice_number == meal.invoice_number)
    assert not row.counted and row.invoice.not_reimbursable == "私人聚餐"
    assert any(r.issue == "not_reimbursable" and "私人聚餐" in r.reason for r in view.review)
    assert sum(r.invoice.total_amount or 0 for r in view.rows if r.counted) == Decimal("424.00")  # 318 + 106


def test_two_records_are_one_invoice_and_one_record_is_two(inbox: Path) -> None:
    out = Path("out")
    result = run_batch([inbox], workers=0)
    meal = next(i for i in result.invoices if i.invoice_number == "25310000000000000011")
    scan = next(i for i in result.invoices if i.invoice_number == "25310000000000000099")
    hotel = next(i for i in result.invoices if i.invoice_number == HOTEL)
    add_corrections(out, [merge(meal, scan), split(hotel)])
    add_corrections(out, [set_field(hotel, "total_amount", "200.00", part=2)])
    again = run_batch([inbox], workers=0)
    report = apply_saved(again, out)
    assert report.applied == 3, report.problems
    view = build_view(again)
    counted = [r.invoice for r in view.rows if r.counted]
    assert scan.sha256 not in {i.sha256 for i in counted}  # the second copy: shown as a duplicate, not added up
    merged = next(i for i in again.invoices if i.sha256 == scan.sha256)
    assert merged.duplicate_of == {"source": meal.source, "sha256": meal.sha256}
    parts = [i for i in again.invoices if i.sha256 == hotel.sha256]
    assert len(parts) == 2 and parts[1].total_amount == Decimal("200.00") and parts[1].invoice_number is None
    assert parts[1].provenance["total_amount"].source == Source.MANUAL


def test_a_changed_or_vanished_file_is_reported_never_applied_and_listed_for_review(inbox: Path) -> None:
    out = Path("out")
    result = run_batch([inbox], workers=0)
    hotel = next(i for i in result.invoices if i.invoice_number == HOTEL)
    meal = next(i for i in result.invoices if i.invoice_number == "25310000000000000011")
    correct(out, hotel, {"tax_amount": "18.00"})
    correct(out, meal, not_reimbursable_reason="私人")
    (inbox / "hotel.xml").write_bytes(hotel_xml(tax="82.00"))  # another invoice at the same path
    (inbox / "meal.xml").unlink()
    again = run_batch([inbox], workers=0)
    report = apply_saved(again, out)
    assert report.applied == 0
    assert sorted(p.issue for p in report.problems) == ["changed", "vanished"]
    assert report.summary() == "0 corrections applied, 1 not applied (changed), 1 not applied (vanished)"
    now = next(i for i in again.invoices if i.invoice_number == HOTEL)
    assert now.tax_amount == Decimal("82.00")  # never applied blindly to the new content
    paths = write_ledger(again, out)
    review = [[c.value for c in row] for row in load_workbook(paths["xlsx"])["待复核"].iter_rows(values_only=False)]
    text = "\n".join(" ".join(str(v) for v in row if v) for row in review)
    assert "hotel.xml: the file changed since it was corrected" in text and "meal.xml: the file is gone" in text
    from office_agent.generate.report import render_report

    html = render_report(again, thumbnails=False)
    assert "更正未生效" in html and "hotel.xml: the file changed since it was corrected" in html


def test_bad_corrections_say_what_is_wrong(inbox: Path) -> None:
    inv = run_batch([inbox], workers=0).invoices[0]
    with pytest.raises(CorrectionError, match="'sha256' is not a field that can be corrected"):
        set_field(inv, "sha256", "x")
    with pytest.raises(CorrectionError, match=r"tax_amount='十八元'"):
        set_field(inv, "tax_amount", "十八元")
    with pytest.raises(CorrectionError, match="issue_date='2025-13-01'"):
        set_field(inv, "issue_date", "2025-13-01")
    with pytest.raises(CorrectionError, match="a reason is required"):
        correct(Path("out"), inv, not_reimbursable_reason=" ")
    Path("out").mkdir()
    Path("out/corrections.jsonl").write_text('{"kind": "set"}\nnot json\n', encoding="utf-8")
    with pytest.raises(CorrectionError, match=r"corrections.jsonl:1: not a correction"):
        load_corrections(Path("out"))


def test_a_hand_edited_value_that_no_longer_parses_flags_the_record(inbox: Path) -> None:
    result = run_batch([inbox], workers=0)
    hotel = next(i for i in result.invoices if i.invoice_number == HOTEL)
    bad = set_field(hotel, "tax_amount", "18.00").model_copy(update={"value": "eighteen"})
    report = apply_corrections(result, [bad, set_field(hotel, "remarks", "ok")])
    assert [p.issue for p in report.problems] == ["bad_value"] and report.applied == 1
    assert hotel.remarks == "ok" and hotel.status == Status.PARTIAL
    assert any(e.stage == "correct" for e in hotel.errors)


def test_correct_file_reads_the_file_to_find_its_record(inbox: Path) -> None:
    made = correct_file(Path("out"), inbox / "hotel.xml", fields={"tax_amount": "18.00"})
    assert [(c.kind, c.field, c.replaced) for c in made] == [(Kind.SET, "tax_amount", "81.00")]
    both = correct_file(Path("out"), inbox / "hotel.xml", split_in_two=True, part=2, fields={"total_amount": "200"})
    assert [(c.kind, c.target.part) for c in both] == [(Kind.SPLIT, 1), (Kind.SET, 2)]  # the split comes first
    result = run_batch([inbox], workers=0)
    assert apply_saved(result, Path("out")).applied == 3
    assert [str(i.total_amount) for i in result.invoices if i.invoice_number in (HOTEL, None)] == ["318.00", "200"]
    with pytest.raises(CorrectionError, match="no record on page 2"):
        correct_file(Path("out"), inbox / "hotel.xml", page=2, fields={"tax_amount": "1"})
    with pytest.raises(CorrectionError, match="no such file"):
        correct_file(Path("out"), inbox / "none.xml", fields={"tax_amount": "1"})


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OFFICE_AGENT_USER": "reviewer"}
    return subprocess.run([sys.executable, "-m", "office_agent", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL)  # fmt: skip


def test_the_correct_command_then_ledger_report_and_extract_apply_it(inbox: Path) -> None:
    cwd = Path.cwd()
    done = _cli("correct", "inbox/hotel.xml", "--set", "tax_amount=18.00", cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert "tax_amount: 81.00 → 18.00" in done.stderr and "wrote outputs/corrections.jsonl" in done.stderr
    bad = _cli("correct", "inbox/hotel.xml", "--set", "tax_amount", cwd=cwd)
    assert bad.returncode == 3 and "write FIELD=VALUE" in bad.stderr and "Traceback" not in bad.stderr
    led = _cli("ledger", "inbox", "-j", "0", cwd=cwd)
    assert led.returncode == 0 and "1 correction applied" in led.stderr, led.stderr
    assert ledger_rows(cwd / "outputs")["hotel.xml"]["tax_amount"] == "18.00"
    ext = _cli("extract", "inbox", "-j", "0", cwd=cwd)
    hotel = next(json.loads(line) for line in ext.stdout.splitlines() if HOTEL in line)
    assert hotel["tax_amount"] == "18.00" and hotel["provenance"]["tax_amount"]["source"] == "manual"
    rep = _cli("report", "inbox", "-j", "0", "--no-thumbnails", cwd=cwd)
    assert rep.returncode == 0 and "1 correction applied" in rep.stderr


def test_a_scheduled_job_applies_the_corrections_in_its_output_folder(tmp_path: Path) -> None:
    paths = write_invoices(tmp_path / "inbox", 1, 3)
    job = make_job(tmp_path)
    run_job(job)
    first = next(iter(paths.values()))
    correct_file(job.output, first, fields={"total_amount": "999.00"}, by="finance")
    correct_file(job.output, list(paths.values())[1], not_reimbursable_reason="duplicate claim")
    run_job(job)  # nothing new to read: the ledger is rebuilt because the corrections changed
    rows = ledger_rows(job.output)
    assert rows[first.name]["total_amount"] == "999.00"
    assert rows[first.name]["provenance"]["total_amount"]["source"] == "manual"
    review = load_workbook(job.output / "ledger.xlsx")["待复核"]
    assert any("duplicate claim" in " ".join(str(c) for c in row if c) for row in review.iter_rows(values_only=True))
    first.write_bytes(einvoice("25000000000000000777", "50.00"))  # other content at the same path
    list(paths.values())[1].unlink()
    run_job(job)
    rows = ledger_rows(job.output)
    assert rows[first.name]["total_amount"] == "50.00"  # the correction was for the old content: not applied
    review = load_workbook(job.output / "ledger.xlsx")["待复核"]
    lines = [" ".join(str(c) for c in row if c) for row in review.iter_rows(values_only=True)]
    assert any("the file changed since it was corrected" in line for line in lines), lines
    assert any("the file is gone" in line for line in lines), lines


def test_a_scheduled_job_counts_two_records_of_one_invoice_once(tmp_path: Path) -> None:
    paths = list(write_invoices(tmp_path / "inbox", 1, 3).values())
    job = make_job(tmp_path)
    run_job(job)
    correct_file(job.output, paths[2], same_as=paths[0])
    run_job(job)
    rows = ledger_rows(job.output)
    assert rows[paths[2].name]["duplicate_of"]["sha256"] == rows[paths[0].name]["sha256"]  # FILE: a duplicate
    assert not rows[paths[0].name]["duplicate_of"] and not rows[paths[1].name]["duplicate_of"]


SAVER = """
import sys, time, datetime as dt
from pathlib import Path
from office_agent.corrections import Correction, Kind, Target, save_corrections
n = int(sys.argv[2])
made = [Correction(kind=Kind.SET, target=Target(source=f"f{i}.xml", sha256=f"{i:064x}", page=1), field="remarks",
                   value="备注" * 40, by="x", at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) for i in range(n)]
while True:
    t = time.perf_counter()
    save_corrections(Path(sys.argv[1]), made)
    print(f"saved {time.perf_counter() - t:.4f}", flush=True)
"""


@pytest.mark.slow
def test_sigkill_during_a_save_never_leaves_a_half_written_file(tmp_path: Path) -> None:
    """A real process saving a 3 MB corrections file over and over is killed (SIGKILL) halfway through a save:
    the file left is always one whole save, and the kill did land inside a save (its temporary file is there)."""
    from office_agent.corrections import save_corrections

    path = tmp_path / "corrections.jsonl"
    save_corrections(path, [])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    caught_mid_save = 0
    for attempt in range(3):
        n = 8000 + attempt
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path), str(n)], env=env, stdout=subprocess.PIPE,
                                text=True)  # fmt: skip
        assert proc.stdout is not None
        took = float(proc.stdout.readline().split()[1])  # one whole save done: the file holds n corrections
        time.sleep(took * (0.2 + 0.2 * attempt))  # then part of the way into the next one
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        caught_mid_save += bool(list(tmp_path.glob(".corrections.jsonl.*.tmp")))
        for tmp in tmp_path.glob(".corrections.jsonl.*.tmp"):
            tmp.unlink()
        loaded = load_corrections(path)  # every line parses: never half a file
        assert len(loaded) == n and loaded[-1].target.source == f"f{n - 1}.xml"
    assert caught_mid_save, "no kill landed inside a save: the test did not exercise what it claims"
