"""The HTML review report: self-contained, escaped, boxes where the fields were read, flagged fields in red, and
what headless Chromium (Debian's chromium) actually renders: the DOM after scripts, and a screenshot kept in
tests/artifacts/ for a person to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from ledger_builders import batch, make_invoice
from PIL import Image

from office_agent.batch import run_batch
from office_agent.generate.ledger_view import LedgerOptions
from office_agent.generate.pageimage import page_image, read_source
from office_agent.generate.report import render_report, write_report
from office_agent.models import BatchResult, FileResult, Provenance, Source, Status

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "invoices"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--disable-dev-shm-usage",
)  # fmt: skip


def make_pdf(path: Path) -> Path:
    """A one-page PDF (595 × 420 pt) with a number and a total where ledger_builders' boxes say they were read."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    c = canvas.Canvas(str(path), pagesize=(595.0, 420.0))
    c.setFont("Helvetica", 9)
    c.drawString(100, 420 - 60, "No. 25000000000000000001")  # the invoice_number box: x 100-200, y 50-62
    c.setFont("Helvetica-Bold", 11)
    c.drawString(302, 420 - 310, "106.00")  # the total_amount box: x 300-380, y 300-312
    c.setFont("Helvetica", 16)
    c.drawString(200, 420 - 30, "INVOICE (test)")
    c.showPage()
    c.save()
    return path


def flagged_batch(tmp_path: Path):  # type: ignore[no-untyped-def]
    pdf = make_pdf(tmp_path / "a.pdf")
    good = make_invoice("25000000000000000001", "106.00", source=str(pdf))
    low = make_invoice("25000000000000000002", "53.00", source=str(pdf), confidence=0.4)
    low.seller_name = "<script>alert(1)</script>杭州"
    failed = FileResult(source=str(tmp_path / "bad.pdf"), status=Status.FAILED, reason="truncated <b>PDF</b>")
    return batch([good, low], [failed])


def test_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    html = render_report(flagged_batch(tmp_path))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no CDN, no remote anything
    assert "<link" not in html and "@import" not in html
    assert html.count("<article") == 2 and html.count('class="oa-card oa-flagged"') == 1
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;杭州" in html
    assert "truncated &lt;b&gt;PDF&lt;/b&gt;" in html
    assert html.count('src="data:image/jpeg;base64,') == 2


def test_boxes_sit_where_the_fields_were_read_and_flagged_ones_are_red(tmp_path: Path) -> None:
    html = render_report(flagged_batch(tmp_path))
    cards = html.split("<article")[1:]
    flagged = next(c for c in cards if "oa-flagged" in c.split(">", 1)[0])
    # total_amount was read at x 300-380 of 595 pt, y 300-312 of 420 pt
    box = 'class="oa-box oa-bad" data-field="total_amount" style="left:50.42%;top:71.43%;width:13.45%;height:2.86%"'
    assert box in flagged
    assert 'class="oa-box" data-field="invoice_number"' in flagged
    assert '<tr class="oa-bad" data-field="total_amount">' in flagged and "置信度 0.40" in flagged
    clean = next(c for c in cards if "oa-flagged" not in c.split(">", 1)[0])
    assert not re.search(r"oa-bad(?!ge)", clean)  # nothing red on the clean card


def test_files_inside_zips_are_found_for_the_picture(tmp_path: Path) -> None:
    import zipfile

    pdf = make_pdf(tmp_path / "inner.pdf")
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(pdf, "2025/inner.pdf")
    assert read_source(f"{tmp_path / 'bundle.zip'}!2025/inner.pdf") == pdf.read_bytes()
    assert read_source(f"{tmp_path / 'bundle.zip'}!nope.pdf") is None
    inv = make_invoice("1", "1.00", source=f"{tmp_path / 'bundle.zip'}!2025/inner.pdf")
    image = page_image(inv, width=300)
    assert image is not None and image.width_px == 300 and image.page_size == (595.0, 420.0)


def test_xml_gets_a_labelled_rendering_with_boxes(tmp_path: Path) -> None:
    from factories import einvoice

    (tmp_path / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    html = render_report(run_batch([tmp_path], workers=1), LedgerOptions(lang="en"))
    assert "All clear" in html and html.count("<img") == 1
    assert 'data-kind="xml"' in html and "Rendered from the XML data, not a scan" in html
    for name in ("invoice_number", "total_amount", "seller_name", "issue_date"):
        assert f'class="oa-box" data-field="{name}"' in html


def test_no_picture_when_the_file_is_gone(tmp_path: Path) -> None:
    inv = make_invoice("1", "1.00", source=str(tmp_path / "gone.pdf"))
    html = render_report(batch([inv]), LedgerOptions(lang="en"))
    assert "No page image (PDF)" in html and "<img" not in html


@pytest.mark.realdata
def test_real_pdfs_get_a_picture_and_boxes(realdata: Path) -> None:
    pdfs = sorted((realdata / "cn" / "pdf").glob("*.pdf"))
    if not pdfs:
        pytest.skip("no real PDFs in ../shared/realdata/cn/pdf")
    result = run_batch([realdata / "cn" / "pdf"], workers=1)
    html = render_report(result)
    assert html.count("<img") == len(result.invoices) == len(pdfs)
    for card in html.split("<article")[1:]:
        assert card.count('class="oa-box') >= 8, card[:300]  # number, date, parties, amounts … each boxed


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(binary: str, url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True, text=True, timeout=120, check=False, env={**os.environ, "LANG": "zh_CN.UTF-8"},
    )  # fmt: skip


def test_chromium_renders_the_report(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    binary = chromium()
    if binary is None:
        print("SKIP reason: Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium not installed: apt-get install -y chromium")
    result = flagged_batch(tmp_path)
    realdata = request.config.rootpath.parent / "shared" / "realdata" / "cn" / "pdf"
    if realdata.is_dir():  # the real invoices too, when they are beside the checkout
        real = run_batch([realdata], workers=1)
        result.invoices.extend(real.invoices)
        result.files.extend(real.files)
    report = write_report(result, tmp_path / "report.html")
    url = report.resolve().as_uri() + "#needs-review"
    dom = run_chromium(binary, url, tmp_path / "profile-dom", "--dump-dom", "--virtual-time-budget=5000")
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body, dom.stdout[:500]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(0)))
    assert attrs["data-thumbs-loaded"] == str(len(result.invoices))  # every page picture decoded and shown
    assert attrs["data-visible-cards"] == "1"  # #needs-review: only the flagged card
    assert attrs["data-flagged-boxes-shown"] == "1"  # its red box is laid out with a size
    ARTIFACTS.mkdir(exist_ok=True)
    for name, view in (("report.png", ""), ("report-needs-review.png", "#needs-review")):
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        done = run_chromium(binary, report.resolve().as_uri() + view, tmp_path / f"profile-{name}",
                            f"--screenshot={shot}", "--window-size=1280,1400")  # fmt: skip
        assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
        pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
        assert pixels.shape == (1400, 1280, 3)
        ink = (pixels.sum(axis=2) < 600).mean()
        assert ink > 0.01, f"{name}: the screenshot is (nearly) blank ({ink:.3f} of pixels inked)"
        flag_red = ((abs(pixels[..., 0] - 0xCF) < 30) & (pixels[..., 1] < 80) & (pixels[..., 2] < 90)).sum()
        assert flag_red > 200, f"{name}: the flagged box, badge and field did not render in red"
    (ARTIFACTS / "report.html").write_text(report.read_text(encoding="utf-8"), encoding="utf-8")


def formats_batch(tmp_path: Path) -> BatchResult:
    """An OFD, an XML and a scan (recorded OCR replayed on a generated scan of a sample) — one card each."""
    from test_page_frames import recorded

    from office_agent.batch import process_blob
    from office_agent.ingest import ocr
    from office_agent.ingest.sources import Blob
    from office_agent.models import DocFormat

    result = run_batch([SAMPLES / "07_vat_electronic_general.ofd", SAMPLES / "11_digital_special.xml"], workers=1)
    engine, scan = recorded("scan_01_digital_general.json")
    ocr.register_engine(engine.name, lambda: engine)
    ocr.set_default_engine(engine.name)
    try:
        path = tmp_path / "scan.jpg"
        path.write_bytes(scan)
        scanned = process_blob(Blob(str(path), scan, "0" * 64, DocFormat.IMAGE))
    finally:
        ocr.set_default_engine(None)
        ocr.FACTORIES.pop(engine.name, None)
        ocr.forget_engine(engine.name)
    result.files.append(scanned)
    result.invoices.extend(scanned.invoices)
    return result


def test_chromium_renders_ofd_xml_and_scan_pictures_with_boxes(tmp_path: Path) -> None:
    binary = chromium()
    if binary is None:
        print("SKIP reason: Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium not installed: apt-get install -y chromium")
    result = formats_batch(tmp_path)
    assert len(result.invoices) == 3
    report = write_report(result, tmp_path / "formats.html")
    html = report.read_text(encoding="utf-8")
    assert len(html) < 600_000, f"report is {len(html):,} bytes for 3 cards"
    dom = run_chromium(binary, report.resolve().as_uri(), tmp_path / "profile-dom", "--dump-dom",
                       "--virtual-time-budget=5000")  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body, dom.stdout[:500]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(0)))
    assert attrs["data-thumbs-loaded"] == "3"
    # boxes laid out with a size over each decoded picture: the OFD page, the XML rendering, the straightened scan
    for kind, least in (("ofd", 10), ("xml", 10), ("straightened", 6)):
        assert int(attrs.get(f"data-boxes-{kind}", "0")) >= least, (kind, attrs)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-formats.png"
    shot.unlink(missing_ok=True)
    done = run_chromium(binary, report.resolve().as_uri(), tmp_path / "profile-shot", f"--screenshot={shot}",
                        "--window-size=1280,2000")  # fmt: skip
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    blue = ((abs(pixels[..., 0] - 9) < 40) & (abs(pixels[..., 1] - 105) < 40) & (pixels[..., 2] > 170)).sum()
    purple = ((abs(pixels[..., 0] - 0x82) < 30) & (abs(pixels[..., 1] - 0x50) < 30) & (pixels[..., 2] > 180)).sum()
    assert blue > 2000, "field boxes did not render over the pictures"
    assert purple > 200, "the XML rendering's label and dashed frame did not render"
    (ARTIFACTS / "report-formats.html").write_text(html, encoding="utf-8")


def test_provenance_without_box_or_on_another_page_draws_nothing(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf")
    inv = make_invoice("1", "1.00", source=str(pdf))
    inv.provenance = {
        "invoice_number": Provenance(source=Source.XML),
        "total_amount": Provenance(source=Source.TEXT, page=2, bbox=(1.0, 1.0, 2.0, 2.0)),
    }
    html = render_report(batch([inv]))
    assert 'class="oa-box' not in html and "<img" in html
