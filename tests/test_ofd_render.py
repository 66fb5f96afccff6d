"""The OFD page renderer: what it draws is where the package says it is.

Checks against the OFD reader (an independent path through the same package): every text run the reader found
is inked in the picture and the paper between runs is not; the QR image decodes back to the invoice's payload;
the provenance box of the total covers the drawn amount; table rules are drawn; hostile or broken parts cost
only themselves. Run on the bundled samples and on the real OFDs in ../shared/realdata/cn/ofd.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from office_agent.batch import run_batch
from office_agent.generate.fonts import covers, font_note
from office_agent.generate.ofdrender import parse_path, render_ofd
from office_agent.generate.pageimage import page_image
from office_agent.ingest.jbig2 import decode_jbig2
from office_agent.ingest.ofd import read_ofd
from office_agent.models import BBox

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "invoices"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "cn" / "ofd"
WIDTH = 1400


def ofd_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.ofd")) + (sorted(REAL.glob("*.ofd")) if REAL.is_dir() else [])


def ink(img: np.ndarray, box: BBox, size_pt: tuple[float, float]) -> float:
    """Share of dark pixels inside ``box`` (points) of a picture of a page ``size_pt`` big."""
    sx, sy = img.shape[1] / size_pt[0], img.shape[0] / size_pt[1]
    x0, y0, x1, y1 = int(box[0] * sx), int(box[1] * sy), int(np.ceil(box[2] * sx)), int(np.ceil(box[3] * sy))
    region = img[max(0, y0) : y1, max(0, x0) : x1]
    return float((region < 160).mean()) if region.size else 0.0


@pytest.fixture(scope="module", params=ofd_files(), ids=lambda p: p.name)
def drawn(request: pytest.FixtureRequest) -> tuple[Path, object, np.ndarray]:
    path: Path = request.param
    picture = render_ofd(path.read_bytes(), 1, WIDTH)
    assert picture is not None
    return path, picture, np.asarray(picture.image.convert("L"))


def test_picture_has_the_page_size_of_the_physical_box(drawn: tuple[Path, object, np.ndarray]) -> None:
    path, picture, gray = drawn
    doc = read_ofd(path.name, "0" * 64, path.read_bytes())
    page = doc.pages[0]
    assert picture.size_pt == pytest.approx((page.width, page.height))  # type: ignore[attr-defined]
    assert gray.shape[1] == WIDTH and gray.shape[0] == round(WIDTH * page.height / page.width)


def test_every_text_run_the_reader_found_is_inked(drawn: tuple[Path, object, np.ndarray]) -> None:
    path, picture, gray = drawn
    doc = read_ofd(path.name, "0" * 64, path.read_bytes())
    words = [w for w in doc.pages[0].words if len(w.text.strip()) >= 2]
    assert len(words) >= 10
    size = picture.size_pt  # type: ignore[attr-defined]
    inked = [w.text for w in words if ink(gray, w.bbox, size) > 0.015]
    assert len(inked) >= 0.95 * len(words), sorted({w.text for w in words} - set(inked))
    # and not everywhere: the same boxes moved a page-width out of place are mostly white
    moved = [(w.bbox[0], w.bbox[1] + 2000, w.bbox[2], w.bbox[3] + 2000) for w in words]
    assert all(ink(gray, b, size) == 0.0 for b in moved)
    assert (gray < 160).mean() < 0.12  # most of the page is paper


def test_qr_image_decodes_back_to_the_invoice_payload(drawn: tuple[Path, object, np.ndarray]) -> None:
    path, _, gray = drawn
    (inv,) = run_batch([path], workers=1).invoices
    found = zxingcpp.read_barcodes(gray[: gray.shape[0] // 3, : gray.shape[1] // 4])
    assert found, f"{path.name}: no QR in the top-left corner of the picture"
    payload = found[0].text
    if inv.qr_payload:  # read from the package's PNG by the reader
        assert payload == inv.qr_payload
    else:  # a JBIG2 QR the reader does not decode: its fields are the record's
        assert inv.invoice_number in payload.split(",") and str(inv.total_amount) in payload


def test_total_amount_box_covers_the_drawn_amount(drawn: tuple[Path, object, np.ndarray]) -> None:
    """The card's box for the total (from provenance, or the package's tagged text where the record's value came
    from the embedded XML) lies on the drawn amount."""
    path, picture, gray = drawn
    (inv,) = run_batch([path], workers=1).invoices
    image = page_image(inv, width=560)
    assert image is not None and image.kind == "ofd"
    assert {"invoice_number", "issue_date", "total_amount", "seller_name"} <= set(image.boxes), sorted(image.boxes)
    box = image.boxes["total_amount"]
    size = picture.size_pt  # type: ignore[attr-defined]
    assert ink(gray, box, size) > 0.08
    # the ink of the box spans most of its width (the digits, not a stray rule)
    sx, sy = gray.shape[1] / size[0], gray.shape[0] / size[1]
    x0, y0, x1, y1 = (int(v) for v in (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy))
    cols = np.nonzero((gray[y0:y1, x0:x1] < 160).any(axis=0))[0]
    assert cols.size and (cols[-1] - cols[0]) > 0.6 * (x1 - x0)


@pytest.mark.realdata
def test_real_digital_invoice_draws_rules_seal_and_vertical_watermark() -> None:
    path = REAL / "ofdrw_reader_digital_invoice.ofd"
    if not path.is_file():
        pytest.skip("../shared/realdata/cn/ofd is not beside this checkout")
    picture = render_ofd(path.read_bytes(), 1, 1050)  # 5 px per mm
    assert picture is not None
    rgb = np.asarray(picture.image.convert("RGB")).astype(int)
    # the template's 201 mm rule at y = 30 mm, in the form's dark red (128 0 0)
    row = rgb[149:153, 30:1000]
    reddish = (row[..., 0] > row[..., 1] + 40) & (row[..., 0] > row[..., 2] + 40)
    assert reddish.any(axis=0).mean() > 0.9
    # the tax bureau seal (an annotation's image) at 90–120 mm x 8–28 mm is red
    seal = rgb[40:140, 450:600]
    assert ((seal[..., 0] > 150) & (seal[..., 1] < 120)).mean() > 0.02
    # the vertical 下载次数 watermark (CTM 0 1 -1 0) inks the right margin, in a tall, narrow strip
    strip = rgb[150:260, 1032:1050].sum(axis=2) < 500
    assert strip.mean() > 0.02


def test_path_data_is_read_with_curves_and_closes() -> None:
    subpaths = parse_path("M 0 0 L 10 0 L 10 5 C M 20 0 B 20 5 25 5 25 0 A 2 2 0 0 1 29 0 Q 30 1 31 0 X 9")
    assert subpaths[0] == ([(0.0, 0.0), (10.0, 0.0), (10.0, 5.0)], True)
    curve, closed = subpaths[1]
    assert not closed and curve[0] == (20.0, 0.0)
    assert curve[-1] == pytest.approx((31.0, 0.0))
    assert max(y for _, y in curve) == pytest.approx(3.75, abs=0.05)  # the cubic's peak
    assert min(y for _, y in curve) < -1.5  # the arc bulges the other way
    assert parse_path("M 0 0 L nan 3") == [] and parse_path("") == []


def _package(page_xml: str, box: str = "0 0 100 50", extra: dict[str, bytes] | None = None) -> bytes:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    files = {
        "OFD.xml": f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f"<ofd:Document {ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>{box}"
        "</ofd:PhysicalBox></ofd:PageArea><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>"
        '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        "Doc_0/DocumentRes.xml": f'<ofd:Res {ns} BaseLoc="Res"><ofd:MultiMedias><ofd:MultiMedia ID="9" Type="Image">'
        '<ofd:MediaFile>gone.png</ofd:MediaFile></ofd:MultiMedia><ofd:MultiMedia ID="8" Type="Image">'
        "<ofd:MediaFile>../../../etc/passwd</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>",
        "Doc_0/Pages/Page_0/Content.xml": f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{page_xml}</ofd:Layer>"
        "</ofd:Content></ofd:Page>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def test_broken_parts_cost_only_themselves() -> None:
    page = (
        '<ofd:PathObject Boundary="10 10 80 1" LineWidth="0.5"><ofd:AbbreviatedData>M 0 0.5 L 80 0.5'
        "</ofd:AbbreviatedData></ofd:PathObject>"
        '<ofd:ImageObject Boundary="5 20 10 10" CTM="10 0 0 10 0 0" ResourceID="9"/>'
        '<ofd:ImageObject Boundary="5 20 10 10" CTM="10 0 0 10 0 0" ResourceID="8"/>'
        '<ofd:ImageObject Boundary="5 20 10 10" ResourceID="77"/>'
        '<ofd:TextObject Boundary="x y" Size="4"><ofd:TextCode X="0" Y="3">坏</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject Boundary="20 30 60 8" Size="1e300"><ofd:TextCode X="0" Y="3">大</ofd:TextCode>'
        "</ofd:TextObject>"
        '<ofd:PathObject Boundary="0 0 1 1"><ofd:AbbreviatedData>M 0 0 L 1e999 1</ofd:AbbreviatedData></ofd:PathObject>'
    )
    picture = render_ofd(_package(page), 1, 500)
    assert picture is not None
    gray = np.asarray(picture.image.convert("L"))
    assert (gray[50:56, 60:440] < 128).any(axis=0).mean() > 0.95  # the good rule is still drawn at y = 10.5 mm
    text = " | ".join(picture.warnings)
    assert "gone.png is missing" in text and "resource 77" in text and "outside the archive" in text


def test_absurd_page_size_and_missing_page() -> None:
    assert render_ofd(_package("", box="0 0 1 5000"), 1, 500) is None
    assert render_ofd(_package(""), 2, 500) is None


def test_jbig2_decodes_to_the_qr() -> None:
    path = REAL / "ofdrw_1.ofd"
    if not path.is_file():
        pytest.skip("../shared/realdata/cn/ofd is not beside this checkout")
    with zipfile.ZipFile(path) as z:
        img = decode_jbig2(z.read("Doc_0/Res/image_78.jb2"))
    assert img is not None and img.size == (100, 100)
    (code,) = zxingcpp.read_barcodes(img.resize((400, 400), Image.Resampling.NEAREST))
    assert "83089647" in code.text.split(",")
    assert decode_jbig2(b"\x97JB2\r\n\x1a\n\x01\x00\x00\x00\x01garbage") is None
    assert decode_jbig2(b"not jbig2") is None


def test_report_card_of_an_ofd_gets_its_picture_and_boxes() -> None:
    path = SAMPLES / "07_vat_electronic_general.ofd"
    (inv,) = run_batch([path], workers=1).invoices
    image = page_image(inv, width=560)
    assert image is not None and image.kind == "ofd"
    doc = read_ofd(path.name, "0" * 64, path.read_bytes())
    assert image.page_size == pytest.approx((doc.pages[0].width, doc.pages[0].height))
    assert {"invoice_number", "total_amount", "buyer_name", "seller_name"} <= set(image.boxes)
    assert image.note == font_note()


def test_cjk_fonts_are_found_or_the_fallback_is_said() -> None:
    if font_note() is None:
        assert covers("song", "票") and covers("hei", "¥")
    else:
        assert "Pillow" in font_note()  # type: ignore[operator]


def test_hostile_ofd_corpus_never_breaks_the_picture(tmp_path: Path) -> None:
    """Every OFD of the hostile corpus: a picture, None, or the reader's own refusal — never anything else."""
    from hostile.generate import build_corpus

    from office_agent.errors import InputError

    cases = [c for c in build_corpus(tmp_path, heavy=False) if c.path.endswith(".ofd") and "!" not in c.path]
    assert len(cases) >= 4
    for case in cases:
        data = (tmp_path / case.path).read_bytes()
        try:
            picture = render_ofd(data, 1, 300)
        except InputError:
            continue
        assert picture is None or picture.image.width == 300, case.path


def test_without_a_chinese_font_the_page_is_still_drawn_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from office_agent.generate import fonts
    from office_agent.generate.report import card_html

    def clear() -> None:
        fonts.font.cache_clear()
        fonts.covers.cache_clear()

    clear()
    monkeypatch.setattr(fonts, "font_file", lambda face: None)
    try:
        path = SAMPLES / "09_digital_special.ofd"
        picture = render_ofd(path.read_bytes(), 1, 600)
        assert picture is not None and picture.font_note == fonts.NO_CJK_NOTE
        assert (np.asarray(picture.image.convert("L")) < 128).mean() > 0.005  # Latin digits and the QR still show
        (inv,) = run_batch([path], workers=1).invoices
        image = page_image(inv, width=400)
        assert image is not None and image.note == fonts.NO_CJK_NOTE
        assert "Pillow&#x27;s default font" in card_html(inv, [], "en", image)
    finally:
        monkeypatch.undo()
        clear()
