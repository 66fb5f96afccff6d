"""The hostile corpus (tests/hostile/generate.py) through a real batch: every class ends as expected, and the
invariants hold for all of them: no crash, a reason for every failure, the batch completes, nothing is written
outside the output folder, nothing is lost, and no text from a document is ever run as a formula.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hostile.generate import GOOD, Case, build_corpus
from openpyxl import load_workbook

from office_agent.batch import run_batch
from office_agent.generate.ledger import write_ledger
from office_agent.models import BatchResult, FileResult

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case], BatchResult, Path]:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "corpus"
    root.mkdir()
    cases = build_corpus(root)
    before = {p for p in base.rglob("*")}
    out = base / "out"
    result = run_batch([root], workers=2)
    write_ledger(result, out)
    created = {p for p in base.rglob("*")} - before
    assert all(p == out or out in p.parents for p in created), sorted(str(p) for p in created if out not in p.parents)
    return root, cases, result, out


def results_for(root: Path, case: Case, result: BatchResult) -> list[FileResult]:
    path = str(root / case.path)
    return [f for f in result.files if f.source == path or f.source.startswith(path + "!")]


def test_every_class_ends_as_expected(corpus: tuple[Path, list[Case], BatchResult, Path]) -> None:
    root, cases, result, _ = corpus
    wrong = []
    for case in cases:
        found = results_for(root, case, result)
        if not found:
            wrong.append(f"{case.path}: no result at all (lost)")
            continue
        for f in found:
            member = f.source.split("!", 1)[1] if "!" in f.source else None
            expected = GOOD if member in case.members else case.statuses
            if f.status.value not in expected:
                wrong.append(f"{f.source!r}: {f.status.value} ({f.reason}), expected {sorted(expected)}")
            elif f.status.value in ("failed", "skipped"):
                if not f.reason:
                    wrong.append(f"{f.source!r}: {f.status.value} without a reason")
                elif case.reason and member not in case.members and case.reason not in f.reason:
                    wrong.append(f"{f.source!r}: reason {f.reason!r} lacks {case.reason!r}")
    assert not wrong, "\n".join(wrong)


def test_nothing_is_lost(corpus: tuple[Path, list[Case], BatchResult, Path]) -> None:
    root, _, result, _ = corpus
    on_disk = {str(p) for p in root.rglob("*") if p.is_file() or p.is_symlink()}
    reported = {f.source.split("!", 1)[0] for f in result.files}
    assert on_disk == reported


def test_formula_text_is_never_a_formula(corpus: tuple[Path, list[Case], BatchResult, Path]) -> None:
    _, _, result, out = corpus
    sellers = {"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,2)"}
    assert sellers <= {i.seller_name for i in result.invoices}
    wb = load_workbook(out / "ledger.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in sellers:
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
    rows = list(csv.DictReader((out / "ledger.csv").read_text(encoding="utf-8-sig").splitlines()))
    csv_sellers = {r["seller_name"] for r in rows}
    for s in sellers:
        assert "'" + s in csv_sellers, s


def test_odd_file_names_survive(corpus: tuple[Path, list[Case], BatchResult, Path]) -> None:
    _root, _, result, _ = corpus
    names = {Path(i.source).name for i in result.invoices}
    assert "new\nline.xml" in names and "tab\tand\x1bescape.xml" in names
    assert any(len(n.encode()) == 255 for n in names)
