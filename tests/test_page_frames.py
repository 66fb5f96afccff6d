"""Scans and photos: the review picture is the page OCR read, and the field boxes land on the words.

The OCR path records, per page, where the page it recognised lies in the file (a :class:`PageFrame`): paper
found on a desk and flattened, turned, deskewed, scaled, cut in two. The picture is cut from the file's pixels
through that frame. Checked three ways:
- a geometric engine (ink blobs as "words", on whatever image it is given) over generated scans, sideways pages
  and desk photos: every box it reports is inked in the straightened picture and in the original file;
- recorded RapidOCR answers replayed on the same generated scans (``tests/fixtures/ocr``): the invoice's fields
  are read, and the box of each amount lies on ink in the picture, where the sample PDF printed it;
- (slow) the real model, and OCR of the picture's crop under the total's box reads the total.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from office_agent.batch import process_blob
from office_agent.generate.pageimage import page_image, straighten
from office_agent.generate.report import render_report
from office_agent.ingest import ocr
from office_agent.ingest import preprocess as pp
from office_agent.ingest.image import load_frames
from office_agent.ingest.ocr import OcrBox, register_engine
from office_agent.ingest.ocr.page import page_from_boxes, read_pixels, split_invoices
from office_agent.ingest.ocr.replay import Recording
from office_agent.ingest.sources import Blob
from office_agent.models import BatchResult, BBox, DocFormat, Page, PageFrame
from office_agent.synth.scans import STYLES, scan_pdf, with_dpi

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "invoices" / "01_digital_general.pdf"
FIXTURES = Path(__file__).parent / "fixtures" / "ocr"
TRUTH = json.loads((ROOT / "samples" / "truth" / "01_digital_general.json").read_text(encoding="utf-8"))


class BlobEngine:
    """Reports the ink blobs of whatever image it is given as words (runs of glyphs merged sideways)."""

    name = "blob"

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        ink = (gray < 140).astype(np.uint8)
        merged = cv2.dilate(ink, np.ones((3, 7), np.uint8))
        n, _, stats, _ = cv2.connectedComponentsWithStats(merged)
        h, w = gray.shape
        out = []
        for i in range(1, n):
            x, y, bw, bh, area = (int(v) for v in stats[i])
            if area < 40 or bw > 0.3 * w or bh > 0.1 * h:  # specks, table rules and the frames they touch
                continue
            out.append(OcrBox.from_rect(f"w{i:04d}", x, y, x + bw, y + bh, 0.99))
        return out


class SequenceEngine:
    """Replays recorded calls in order (orientation tries included)."""

    name = "replay-seq"

    def __init__(self, calls: list[Recording]) -> None:
        self.calls = calls
        self.n = 0

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        rec = self.calls[min(self.n, len(self.calls) - 1)]
        self.n += 1
        return list(rec.boxes)


def recorded(name: str) -> tuple[SequenceEngine, bytes]:
    raw = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    calls = []
    for call in raw["calls"]:
        calls.append(Recording(boxes=[OcrBox.from_json(b) for b in call["boxes"]], width=call["width"],
                               height=call["height"]))  # fmt: skip
    meta = raw["meta"]
    scan = scan_pdf((ROOT / "samples" / "invoices" / meta["pdf"]).read_bytes(),
                    with_dpi(STYLES[meta["style"]], meta["dpi"]), seed=meta["seed"])  # fmt: skip
    return SequenceEngine(calls), scan


@pytest.fixture
def engine_slot() -> Iterator[None]:
    yield
    ocr.set_default_engine(None)
    for name in ("blob", "replay-seq"):
        ocr.FACTORIES.pop(name, None)
        ocr.forget_engine(name)


def use(engine: ocr.OcrEngine) -> None:
    register_engine(engine.name, lambda: engine)
    ocr.set_default_engine(engine.name)


def ink_share(img: np.ndarray, box: BBox, per_unit: float = 1.0) -> float:
    x0, y0, x1, y1 = (round(v * per_unit) for v in box)
    region = img[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    return float((region < 180).mean()) if region.size else 0.0


def gray(img: Image.Image | np.ndarray) -> np.ndarray:
    arr = np.asarray(img)
    return cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY) if arr.ndim == 3 else arr


# ----------------------------------------------------------------------------------------------------------
# The geometry, with an engine that reads ink wherever it is


@pytest.mark.parametrize("style", ["scan", "scan_sideways", "scan_upside_down", "photo"])
def test_every_box_lies_on_ink_in_the_picture_and_in_the_file(style: str) -> None:
    scan = scan_pdf(SAMPLE.read_bytes(), with_dpi(STYLES[style], 150.0), seed=4)
    pixels, dpi = load_frames(scan)[0]
    (page,) = read_pixels(pixels, 1, BlobEngine(), dpi)
    assert page.frame is not None and len(page.words) >= 25
    width = 1200
    picture = gray(straighten(pixels, 1.0, page.frame, width))
    t = width / page.frame.width
    shares = [ink_share(picture, w.bbox, t) for w in page.words]
    assert np.median(shares) > 0.1 and np.mean([s > 0.02 for s in shares]) > 0.9, sorted(shares)[:10]
    # the same boxes, followed into the file's own pixels
    to_source = np.asarray(page.frame.to_source).reshape(3, 3)
    original = gray(pixels)
    hits = 0
    for w in page.words:
        centre = pp.map_points(to_source, np.array([[(w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2]]))[0]
        x, y = int(centre[0]), int(centre[1])
        hits += bool((original[max(0, y - 4) : y + 5, max(0, x - 4) : x + 5] < 140).any())
    assert hits > 0.9 * len(page.words)


def test_split_pages_keep_their_place_on_the_sheet() -> None:
    one = [
        OcrBox.from_rect("发票号码：25000000000000000001", 650, 20, 950, 45, 0.99),
        OcrBox.from_rect("开票日期：2025年03月04日", 650, 50, 950, 75, 0.99),
        OcrBox.from_rect("（小写）¥106.00", 650, 380, 850, 405, 0.99),
    ]
    two = [OcrBox(b.text.replace("0001", "0002"), tuple((x, y + 600) for x, y in b.quad), b.score)  # type: ignore[misc]
           for b in one]  # fmt: skip
    page = page_from_boxes(one + two, 1000, 1250, 0.6)
    page.frame = PageFrame(width=page.width, height=page.height, to_source=list(pp.scaling(1 / 0.6).flat))
    top, bottom = split_invoices(page, [])
    assert top.frame is not None and bottom.frame is not None
    for band, boxes in ((top, one), (bottom, two)):
        word = next(w for w in band.words if w.text.startswith("（小写）"))
        m = np.asarray(band.frame.to_source).reshape(3, 3)  # type: ignore[union-attr]
        corner = pp.map_points(m, np.array([[word.bbox[0], word.bbox[1]]]))[0]
        assert corner == pytest.approx(boxes[2].quad[0], abs=0.01)  # back on the sheet's pixels


# ----------------------------------------------------------------------------------------------------------
# Recorded RapidOCR on generated scans: the card's boxes are on the printed amounts


@pytest.mark.parametrize("fixture", ["scan_01_digital_general.json", "photo_01_digital_general.json",
                                     "sideways_01_digital_general.json"])  # fmt: skip
def test_replayed_scan_card_boxes_sit_on_the_amounts(fixture: str, engine_slot: None, tmp_path: Path) -> None:
    engine, scan = recorded(fixture)
    use(engine)
    path = tmp_path / "scan.jpg"
    path.write_bytes(scan)
    result = process_blob(Blob(str(path), scan, "0" * 64, DocFormat.IMAGE))
    (inv,) = result.invoices
    assert inv.invoice_number == TRUTH["invoice_number"]
    assert str(inv.total_amount) == TRUTH["total_amount"]
    assert inv.page_frame is not None
    image = page_image(inv, width=900)
    assert image is not None and image.kind == "straightened"
    fields = ("total_amount", "amount_without_tax", "tax_amount", "seller_name", "buyer_name", "buyer_tax_id")
    assert set(fields) <= set(image.boxes), sorted(image.boxes)
    picture = gray(Image.open(io.BytesIO(_decode(image.data_uri))))
    t = image.width_px / image.page_size[0]  # type: ignore[index]
    for name in fields:
        assert ink_share(picture, image.boxes[name], t) > 0.08, name
    # where the sample PDF printed them: each box, as a share of the page, within 2 % of the PDF reader's box
    truth = run_pdf(SAMPLE)
    for name in ("total_amount", "seller_name", "buyer_tax_id"):
        want, got = truth.provenance[name].bbox, image.boxes[name]
        assert want is not None
        centre = ((got[0] + got[2]) / 2 / image.page_size[0], (got[1] + got[3]) / 2 / image.page_size[1])  # type: ignore[index]
        expect = ((want[0] + want[2]) / 2 / PDF_SIZE[0], (want[1] + want[3]) / 2 / PDF_SIZE[1])
        assert centre == pytest.approx(expect, abs=0.03), name
    html = render_report(BatchResult(files=[result], invoices=[inv]))
    assert html.count('data-kind="straightened"') == 1 and html.count('class="oa-box') >= 8


PDF_SIZE = (595.28, 396.85)


def run_pdf(path: Path):  # type: ignore[no-untyped-def]
    from office_agent.batch import run_batch

    (inv,) = run_batch([path], workers=1).invoices
    return inv


def _decode(uri: str) -> bytes:
    import base64

    return base64.b64decode(uri.split(",", 1)[1])


def test_scanned_pdf_page_is_straightened_with_its_boxes(engine_slot: None, tmp_path: Path) -> None:
    """The same scan saved as an image-only PDF: OCR'd through PDFium's rendering, the frame ends in PDF points."""
    engine, scan = recorded("scan_01_digital_general.json")
    use(engine)
    buf = io.BytesIO()
    Image.open(io.BytesIO(scan)).save(buf, format="PDF", resolution=200.0)
    path = tmp_path / "scan.pdf"
    path.write_bytes(buf.getvalue())
    result = process_blob(Blob(str(path), buf.getvalue(), "0" * 64, DocFormat.PDF))
    (inv,) = result.invoices
    assert str(inv.total_amount) == TRUTH["total_amount"] and inv.page_frame is not None
    image = page_image(inv, width=900)
    assert image is not None and image.kind == "straightened"
    picture = gray(Image.open(io.BytesIO(_decode(image.data_uri))))
    t = image.width_px / image.page_size[0]  # type: ignore[index]
    for name in ("total_amount", "seller_name", "buyer_tax_id"):
        assert ink_share(picture, image.boxes[name], t) > 0.08, name


def test_image_without_frame_is_shown_as_it_is_without_boxes(tmp_path: Path) -> None:
    from ledger_builders import make_invoice

    path = tmp_path / "photo.png"
    Image.new("RGB", (400, 300), "white").save(path)
    inv = make_invoice("1", "1.00", source=str(path))
    image = page_image(inv, width=200)
    assert image is not None and image.kind == "image" and image.page_size is None and image.width_px == 200


# ----------------------------------------------------------------------------------------------------------
# The real model


@pytest.mark.slow
def test_real_ocr_reads_the_total_in_the_picture_under_its_box(engine_slot: None, tmp_path: Path) -> None:
    from office_agent.ingest.ocr.rapid import is_available

    if not is_available():
        pytest.skip("rapidocr + onnxruntime are not installed")
    ocr.set_default_engine("rapidocr")
    scan = scan_pdf(SAMPLE.read_bytes(), with_dpi(STYLES["photo"], 200.0), seed=7)
    path = tmp_path / "photo.jpg"
    path.write_bytes(scan)
    (inv,) = process_blob(Blob(str(path), scan, "0" * 64, DocFormat.IMAGE)).invoices
    image = page_image(inv, width=1600)
    assert image is not None and image.kind == "straightened" and "total_amount" in image.boxes
    picture = np.asarray(Image.open(io.BytesIO(_decode(image.data_uri))).convert("RGB"))
    t = image.width_px / image.page_size[0]  # type: ignore[index]
    x0, y0, x1, y1 = (round(v * t) for v in image.boxes["total_amount"])
    crop = picture[max(0, y0 - 3) : y1 + 3, max(0, x0 - 3) : x1 + 3]
    padded = np.ascontiguousarray(cv2.copyMakeBorder(crop, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=(255, 255, 255)))
    read = " ".join(b.text for b in ocr.get_engine("rapidocr").recognize(padded))
    assert TRUTH["total_amount"] in read.replace(",", ""), read


def test_page_from_a_scanned_pdf_maps_to_pdf_points() -> None:
    """A PDF page read by OCR: its frame ends in the page's points (the renderer's frame), not pixels."""
    page = Page(number=1, width=100, height=50)
    page.frame = PageFrame(width=100, height=50, to_source=list(np.eye(3).flat))
    from office_agent.ingest.ocr.page import reframe

    reframe(page, pp.scaling(72.0 / 200.0))
    m = np.asarray(page.frame.to_source).reshape(3, 3)
    assert pp.map_points(m, np.array([[200.0, 100.0]]))[0] == pytest.approx((72.0, 36.0))
