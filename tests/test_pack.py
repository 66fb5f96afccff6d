"""The print pack: the layouts' promises (geometry), then packs of the bundled samples (and the real dev files)
rendered with PDFium and checked piece by piece: each invoice where the plan says, at its scale, whole (its own
text found inside its box; nothing printed outside the boxes, captions and cut lines), every record accounted for.
"""

from __future__ import annotations

import json
import math
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from office_agent.batch import run_batch
from office_agent.extract.cnwords import amount_to_words
from office_agent.generate.pack import PackOptions, PackResult, Placed, build_pack
from office_agent.generate.pack_layout import CAPTION, MM, PAPERS, Box, content, grid_for, place
from office_agent.models import BatchResult, InvoiceKind

# ----------------------------------------------------------------------------------------------------------
# Geometry


@pytest.mark.parametrize(
    ("layout", "paper", "landscape", "cols", "rows"),
    [
        ("1up", "a4", True, 1, 1),  # landscape: the page at 100 % (portrait would shrink it to 92 %)
        ("2up", "a4", False, 1, 2),
        ("4up", "a4", True, 2, 2),
        ("6up", "a4", False, 2, 3),
        ("1up", "a5", True, 1, 1),
        ("2up", "a5", False, 1, 2),
    ],
)
def test_grid_is_the_one_that_shows_a_shudian_page_largest(layout, paper, landscape, cols, rows):
    g = grid_for(layout, paper)
    assert (g.landscape, g.cols, g.rows) == (landscape, cols, rows)
    sw, sh = g.size
    boxes = [g.slot(i) for i in range(g.per_sheet)]
    sheet = Box(0, 0, sw, sh)
    for i, a in enumerate(boxes):
        assert sheet.contains(a)
        for b in boxes[i + 1 :]:  # slots never overlap
            assert a.x1 <= b.x + 1e-6 or b.x1 <= a.x + 1e-6 or a.y1 <= b.y + 1e-6 or b.y1 <= a.y + 1e-6


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="unknown layout"):
        grid_for("3up", "a4")


def test_two_up_prints_a_shudian_page_near_full_size():
    slot = grid_for("2up", "a4").slot(0)
    at = place((210 * MM, 140 * MM), slot, enlarge=False)
    assert 0.9 < at.scale <= 1.0 and not at.rotated
    assert content(slot).contains(at.box)


def test_placement_is_whole_centred_and_never_enlarged_unless_a_photo():
    slot = grid_for("1up", "a4").slot(0)
    small = place((100.0, 50.0), slot, enlarge=False)
    assert small.scale == 1.0 and math.isclose(small.box.w, 100.0)
    photo = place((100.0, 50.0), slot, enlarge=True)
    assert photo.scale > 4 and content(slot).contains(photo.box)
    assert math.isclose(photo.box.x + photo.box.w / 2, slot.x + slot.w / 2)


def test_a_portrait_trip_table_is_turned_in_a_landscape_slot():
    slot = grid_for("2up", "a4").slot(1)
    at = place(PAPERS["a4"], slot, enlarge=False)
    assert at.rotated and content(slot).contains(at.box)
    assert at.scale > 1.25 * min(content(slot).w / PAPERS["a4"][0], content(slot).h / PAPERS["a4"][1])


# ----------------------------------------------------------------------------------------------------------
# Packs, rendered


@pytest.fixture(scope="module")
def sample_batch(samples: Path) -> BatchResult:
    return run_batch([samples], workers=2)


def _render(pdf: pdfium.PdfDocument, index: int, scale: float) -> np.ndarray:
    page = pdf[index]
    try:
        return np.asarray(page.render(scale=scale).to_pil().convert("L"))
    finally:
        page.close()


def _text_in(pdf: pdfium.PdfDocument, p: Placed) -> str:
    page = pdf[p.sheet - 1]
    try:
        b = p.placement.box
        return page.get_textpage().get_text_bounded(b.x, b.y, b.x1, b.y1)
    finally:
        page.close()


def _ink_outside(gray: np.ndarray, height_pt: float, scale: float, keep: list[Box]) -> float:
    """Share of the page's dark pixels that lie outside every box of ``keep``."""
    dark = gray < 200
    mask = np.zeros_like(dark)
    for b in keep:
        x0, x1 = max(0, int((b.x - 2) * scale)), math.ceil((b.x1 + 2) * scale)
        y0, y1 = max(0, int((height_pt - b.y1 - 2) * scale)), math.ceil((height_pt - b.y + 2) * scale)
        mask[y0:y1, x0:x1] = True
    total = dark.sum()
    return float((dark & ~mask).sum() / total) if total else 0.0


def _looks_like_its_page(pdf: pdfium.PdfDocument, p: Placed, scale: float = 1.5) -> float:
    """Mean difference (0–255) between the pack's render of ``p``'s box and its source page rendered alone at the
    placed scale: small when the page is there whole, upright as placed, at its scale."""
    from office_agent.generate.pageimage import read_source

    data = read_source(p.source)
    assert data is not None
    src = pdfium.PdfDocument(data)
    page = src[0]
    try:
        alone = page.render(scale=p.placement.scale * scale).to_pil().convert("L")
    finally:
        page.close()
        src.close()
    if p.placement.rotated:
        alone = alone.rotate(90, expand=True)
    gray = _render(pdf, p.sheet - 1, scale)
    sh = pdf.get_page_size(p.sheet - 1)[1]
    b = p.placement.box
    crop = gray[round((sh - b.y1) * scale) : round((sh - b.y) * scale), round(b.x * scale) : round(b.x1 * scale)]
    alone = alone.resize((crop.shape[1], crop.shape[0]))
    return float(np.abs(crop.astype(int) - np.asarray(alone).astype(int)).mean())


def check_pack(pack: PackResult, batch: BatchResult) -> None:
    """The pack against its plan and its batch (the assertions every pack test shares)."""
    pdf = pdfium.PdfDocument(pack.path)
    try:
        promised = int(pack.cover) + pack.sheets_of("main") + pack.sheets_of("tickets")
        assert len(pdf) == pack.pages == promised
        by_sheet: dict[int, list[Placed]] = {}
        for p in pack.placed:
            by_sheet.setdefault(p.sheet, []).append(p)
            assert content(p.slot_box).contains(p.placement.box), p  # whole, inside its slot
            w, h = (p.size[1], p.size[0]) if p.placement.rotated else p.size
            assert math.isclose(p.placement.box.w, w * p.placement.scale, rel_tol=1e-6)
            assert math.isclose(p.placement.box.h, h * p.placement.scale, rel_tol=1e-6)
            if p.kind == "pdf" and p.role == "invoice" and p.invoice_number:  # vector: its own text, in its box
                assert p.invoice_number in _text_in(pdf, p).replace(" ", ""), p.source
                assert _looks_like_its_page(pdf, p) < 6, p.source
        for sheet, here in by_sheet.items():
            page = pdf[sheet - 1]
            _sw, sh = page.get_size()
            page.close()
            gray = _render(pdf, sheet - 1, 1.0)
            keep = [p.placement.box for p in here]
            keep += [Box(p.slot_box.x, p.slot_box.y, p.slot_box.w, p.placement.box.y - p.slot_box.y) for p in here]
            for p in here:  # the piece is really there: ink inside its box
                b = p.placement.box
                crop = gray[int(sh - b.y1) + 2 : int(sh - b.y) - 2, int(b.x) + 2 : int(b.x1) - 2]
                assert (crop < 200).mean() > 0.01, f"nothing drawn for {p.source} on page {sheet}"
            grid = pack.grids[here[0].stream]
            keep += [Box(min(x0, x1) - 1, min(y0, y1) - 1, abs(x1 - x0) + 2, abs(y1 - y0) + 2)
                     for x0, y0, x1, y1 in grid.cut_lines()]  # fmt: skip
            # nothing spills out of its box: the only other ink is the cut lines
            assert _ink_outside(gray, sh, 1.0, keep) < 0.002, f"ink outside the slots on page {sheet}"
        printed = {(p.source, p.sha256) for p in pack.placed} | {(p.source, "") for p in pack.placed}
        for inv in batch.invoices:  # every record printed (from one of its files) or left out with a reason
            files = {inv.source, *inv.sources}
            shown = any(p.sha256 == inv.sha256 and p.source in files for p in pack.placed)
            left = any(x.source == inv.source for x in pack.left_out)
            assert shown or left, inv.source
            assert not (shown and left)
        assert printed
    finally:
        pdf.close()


@pytest.mark.slow
@pytest.mark.parametrize(("layout", "paper"), [("2up", "a4"), ("4up", "a4"), ("1up", "a5")])
def test_pack_of_the_samples(sample_batch, tmp_path, layout, paper):
    pack = build_pack(sample_batch, tmp_path / "pack.pdf", PackOptions(layout=layout, paper=paper, claimant="张三"))
    check_pack(pack, sample_batch)
    per = grid_for(layout, paper).per_sheet
    invoices = [p for p in pack.placed if p.role == "invoice"]
    assert pack.pages == 1 + math.ceil(len(pack.placed) / per)
    assert len(invoices) == len(sample_batch.invoices) - 1  # 17_downloaded_again is a duplicate: not printed
    (dup,) = pack.left_out
    assert dup.source.endswith("17_downloaded_again.pdf") and "duplicate of" in dup.reason
    kinds = {p.kind for p in invoices}
    assert {"pdf", "ofd", "xml"} <= kinds  # a bundle prints its PDF; lone OFD and XML files are drawn
    bundles = [p for p in invoices if ".zip!" in p.source]
    assert bundles and all(p.kind == "pdf" for p in bundles)
    manifest = json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))
    assert manifest["pages"] == pack.pages and len(manifest["placed"]) == len(pack.placed)


@pytest.mark.slow
def test_cover_states_the_ledger_totals_in_figures_and_words(sample_batch, tmp_path):
    opts = PackOptions(claimant="张三", department="市场部", purpose="上海出差")
    pack = build_pack(sample_batch, tmp_path / "pack.pdf", opts)
    counted = [i for i in sample_batch.invoices if not i.duplicate_of]
    total = sum((i.total_amount for i in counted if i.total_amount is not None), Decimal(0))
    assert pack.form.total == total and pack.form.attachments == len(counted)
    assert pack.form.total_in_words == amount_to_words(total)
    by_cat: dict[str, Decimal] = {}
    for i in counted:
        by_cat[i.category or "未分类"] = by_cat.get(i.category or "未分类", Decimal(0)) + (i.total_amount or 0)
    assert {ln.category: ln.amount for ln in pack.form.lines} == by_cat
    pdf = pdfium.PdfDocument(pack.path)
    text = pdf[0].get_textpage().get_text_range().replace(" ", "")
    pdf.close()
    for wanted in ("报销单", "报销人：张三", "部门：市场部", "事由：上海出差", amount_to_words(total),
                   f"附单据{len(counted)}张", f"{total:,.2f}"):  # fmt: skip
        assert wanted in text, wanted


@pytest.mark.slow
def test_tickets_get_their_own_sheets_and_trip_tables_follow_their_invoice(sample_batch, tmp_path):
    invoices = [i.model_copy(deep=True) for i in sample_batch.invoices if not i.duplicate_of]
    pdfs = [i for i in invoices if i.source.endswith(".pdf")]
    for t in pdfs[:3]:  # stand-ins: three PDF pages filed as railway tickets
        t.invoice_kind = InvoiceKind.RAILWAY_TICKET
    host, trip = pdfs[3], pdfs[4]
    trip.invoice_kind = InvoiceKind.RIDE_ITINERARY
    trip.supports = {"source": host.source, "sha256": host.sha256}
    batch = BatchResult(files=sample_batch.files, invoices=invoices)
    pack = build_pack(batch, tmp_path / "pack.pdf", PackOptions(layout="2up", tickets="6up"))
    check_pack(pack, batch)
    tickets = [p for p in pack.placed if p.stream == "tickets"]
    assert len(tickets) == 3 and len({p.sheet for p in tickets}) == 1 and tickets[0].sheet == pack.pages
    order = [p.source for p in pack.placed]
    assert order.index(trip.source) == order.index(host.source) + 1
    (trip_placed,) = [p for p in pack.placed if p.source == trip.source]
    assert trip_placed.role == "supporting"
    assert pack.form.attachments == len(invoices) - 1 and pack.form.supporting == 1  # never counted


def test_a_rotated_pdf_page_is_placed_upright_and_whole(samples, tmp_path):
    src = pdfium.PdfDocument(samples / "01_digital_general.pdf")
    src[0].set_rotation(90)
    src.save(tmp_path / "turned.pdf")
    src.close()
    shutil.copy(samples / "03_digital_special.pdf", tmp_path / "plain.pdf")
    batch = run_batch([tmp_path / "turned.pdf", tmp_path / "plain.pdf"], workers=0)
    pack = build_pack(batch, tmp_path / "out" / "pack.pdf", PackOptions(cover=False))
    turned = next(p for p in pack.placed if p.source.endswith("turned.pdf"))
    assert turned.size[1] > turned.size[0] and turned.placement.rotated  # shown portrait, turned back to fit
    check_pack(pack, batch)


@pytest.mark.slow
def test_order_by_category_groups_the_categories(sample_batch, tmp_path):
    pack = build_pack(sample_batch, tmp_path / "pack.pdf", PackOptions(order="category", cover=False))
    cats = []
    by_source = {i.source: i for i in sample_batch.invoices}
    for p in pack.placed:
        inv = by_source.get(p.source) or next(i for i in sample_batch.invoices if p.source in i.sources)
        if not cats or cats[-1] != inv.category:
            cats.append(inv.category)
    assert len(cats) == len(set(cats))  # each category in one run
    assert pack.pages == math.ceil(len(pack.placed) / 2)


@pytest.mark.slow
def test_a_file_gone_since_reading_is_left_out_with_its_reason_and_the_rest_printed(samples, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("01_digital_general.pdf", "07_vat_electronic_general.ofd", "03_digital_special.pdf"):
        shutil.copy(samples / name, folder / name)
    batch = run_batch([folder], workers=0)
    (folder / "07_vat_electronic_general.ofd").unlink()
    pack = build_pack(batch, tmp_path / "pack.pdf")
    (gone,) = pack.left_out
    assert gone.source.endswith("07_vat_electronic_general.ofd") and "gone or unreadable" in gone.reason
    assert len(pack.placed) == 2 and pack.pages == 2


@pytest.mark.slow
@pytest.mark.realdata
def test_pack_of_the_samples_and_the_real_dev_files(samples, realdata, tmp_path):
    batch = run_batch([samples, realdata / "cn"], workers=2)
    pack = build_pack(batch, tmp_path / "pack.pdf", PackOptions(layout="2up"))
    check_pack(pack, batch)
    kinds = {p.kind for p in pack.placed}
    assert {"pdf", "ofd", "xml", "photo"} <= kinds
    continuation = [p for p in pack.placed if p.role == "continuation"]
    assert continuation and all(p.source.endswith("ofdrw_999.ofd") for p in continuation)  # its goods list
    assert pack.path.stat().st_size < 8_000_000


@pytest.mark.slow
def test_pack_command(samples, tmp_path):
    from office_agent.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["pack", str(samples), "-o", str(out), "--layout", "4up", "--claimant", "李四",
                                   "-j", "2"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (out / "pack.pdf").is_file() and (out / "pack.json").is_file()
    assert "not printed" in res.output and "17_downloaded_again.pdf" in res.output
    assert json.loads((out / "pack.json").read_text(encoding="utf-8"))["claim"]["claimant"] == "李四"


def test_caption_band_is_kept_below_each_piece():
    slot = grid_for("2up", "a4").slot(0)
    at = place((210 * MM, 140 * MM), slot, enlarge=False)
    assert at.box.y >= slot.y + CAPTION - 1e-6


@pytest.mark.slow
def test_ledger_workbook_has_the_same_claim_form_as_the_cover(sample_batch, tmp_path):
    from openpyxl import load_workbook

    from office_agent.generate.ledger import write_ledger

    pack = build_pack(sample_batch, tmp_path / "pack.pdf")
    ws = load_workbook(write_ledger(sample_batch, tmp_path)["xlsx"])["报销单"]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "报销单"
    head = rows.index(["序号", "类别", "张数", "金额（小写）"])
    lines = [
        (r[1], r[2], Decimal(str(r[3])).quantize(Decimal("0.01")))
        for r in rows[head + 1 : head + 1 + len(pack.form.lines)]
    ]
    assert lines == [(ln.category, ln.count, ln.amount) for ln in pack.form.lines]
    total_row = rows[head + 1 + len(pack.form.lines)]
    assert total_row[1] == "合计" and Decimal(str(total_row[3])).quantize(Decimal("0.01")) == pack.form.total
    assert any(r[0] == "合计金额（大写）" and r[3] == pack.form.total_in_words for r in rows)
    assert [f"附单据 {pack.form.attachments} 张"] == [r[0] for r in rows if r[0] and str(r[0]).startswith("附单据")]


@pytest.mark.slow
def test_ask_prints_organizes_and_checks(samples, tmp_path):
    from office_agent.cli import app

    runner = CliRunner()
    one = [str(samples / n) for n in ("01_digital_general.pdf", "09_digital_special.ofd", "03_digital_special.pdf")]
    res = runner.invoke(app, ["ask", "把今年的发票打印出来，四张一页", *one, "-o", str(tmp_path / "a"), "-y", "-j", "0",
                              "--today", "2025-12-01"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "打印包（4up）" in res.output and "2025年" in res.output
    placed = json.loads((tmp_path / "a" / "pack.json").read_text(encoding="utf-8"))["placed"]
    assert [p["source"].rsplit("/", 1)[-1] for p in placed] == ["09_digital_special.ofd", "01_digital_general.pdf"]
    res = runner.invoke(app, ["ask", "按月份整理发票", *one, "-o", str(tmp_path / "b"), "-y", "-j", "0"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b" / "organized" / "organize.json").is_file()
    res = runner.invoke(app, ["ask", "哪些发票超标了", *one, "-o", str(tmp_path / "c"), "-y", "-j", "0"])
    assert res.exit_code != 0 and "--rules" in str(res.exception)
    rules = tmp_path / "rules.yaml"
    rules.write_text("meal: {per_invoice: 1000}\n", encoding="utf-8")
    res = runner.invoke(app, ["ask", "哪些发票超标了", *one, "-o", str(tmp_path / "c"), "-y", "-j", "0",
                              "--rules", str(rules)])  # fmt: skip
    assert res.exit_code == 0, res.output
    flags = json.loads((tmp_path / "c" / "policy.json").read_text(encoding="utf-8"))
    assert [(f["rule"], f["source"].rsplit("/", 1)[-1]) for f in flags] == [("policy.meal", "09_digital_special.ofd")]
