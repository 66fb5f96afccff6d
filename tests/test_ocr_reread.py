"""The second, recognition-only pass over a receipt's header, date and total lines (ingest/ocr/reread.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from office_agent.ingest.ocr import OcrBox, OcrFailed, line_reader, run_line_reader
from office_agent.ingest.ocr.page import read_document_image
from office_agent.ingest.ocr.replay import CachingEngine, ReplayEngine
from office_agent.ingest.ocr.reread import MARGINS, choose, crop_line, is_latin_page, pick_lines, reread_lines


class LineEngine:
    """Detects ``boxes`` on any image and reads every crop given to it as the next scripted reading."""

    name = "lines"
    reads_lines = True

    def __init__(self, boxes: list[OcrBox], readings: dict[str, list[tuple[str, float]]]) -> None:
        self.boxes = boxes
        self.readings = readings  # first reading's text -> what each re-crop reads, in MARGINS order
        self.crops: list[np.ndarray] = []
        self.fail = False

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        return list(self.boxes)

    def recognize_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if self.fail:
            raise RuntimeError("recogniser crashed")
        self.crops.extend(crops)
        order = [self.boxes[i].text for i in pick_lines(self.boxes)]
        per_margin = len(order)
        if len(crops) != len(MARGINS) * per_margin:  # crops not cut by the pass: each read by its width
            return [(f"line of {c.shape[1]} px", 0.9) for c in crops]
        out = []
        for k in range(len(crops)):
            first = order[k % per_margin]
            scripted = self.readings.get(first)
            out.append(scripted[k // per_margin] if scripted else (first, 0.9))
        return out


def box(text: str, x0: float, y0: float, x1: float, y1: float, score: float = 0.99) -> OcrBox:
    return OcrBox.from_rect(text, x0, y0, x1, y1, score)


RECEIPT = [
    box("HREE STOOGES", 80, 20, 300, 50),
    box("109, SS21/1A, DAMANSARA UTAMA", 60, 60, 330, 90),
    box("Date:", 20, 120, 80, 145),
    box("20/03/201", 90, 120, 200, 145),
    box("TOTAL", 20, 300, 90, 325),
    box("12.30", 300, 300, 360, 325),
    box("Thank you", 120, 400, 260, 425),
]


def page_pixels() -> np.ndarray:
    image = np.full((500, 400, 3), 255, np.uint8)
    for b in RECEIPT:
        x0, y0, x1, y1 = (int(v) for v in b.bbox)
        image[y0 + 5 : y1 - 5, x0 + 2 : x1 - 2] = 0  # ink where each line is, so the page is not blank
    return image


# ------------------------------------------------------------------------------------------------------------
# The choice between the first reading and the re-crops'


def test_a_glyph_clipped_at_the_edge_is_restored_when_both_recrops_see_it() -> None:
    first = box("HREE STOOGES", 0, 0, 100, 20, 0.991)
    chosen = choose(first, [("THREE STOOGES", 0.998), ("THREE STOOGES", 0.993)])
    assert chosen.text == "THREE STOOGES" and chosen.quad == first.quad
    assert choose(box("20/03/201", 0, 0, 50, 10, 0.99), [("20/03/2018", 0.97), ("20/03/2018", 0.96)]).text == (
        "20/03/2018"
    )


def test_an_extension_keeps_the_first_readings_spacing() -> None:
    chosen = choose(box("SUB TOTAL", 0, 0, 50, 10, 0.99), [("SUBTOTAL :", 0.98), ("SUB TOTAL:", 0.97)])
    assert chosen.text == "SUB TOTAL :"


def test_recrops_that_disagree_leave_the_first_reading() -> None:
    first = box("1A030", 0, 0, 50, 10, 0.87)
    assert choose(first, [("1A03078", 0.87), ("A03078", 0.93)]) is first
    assert choose(first, [("A03078", 0.93)]) is first  # one view alone outvotes nothing
    assert choose(first, [("", 0.0), ("", 0.0)]) is first


def test_an_extension_that_scores_much_lower_is_refused() -> None:
    first = box("0001", 0, 0, 50, 10, 1.0)
    assert choose(first, [("260001", 0.94), ("260001", 0.83)]) is first


def test_an_inner_change_needs_a_better_score() -> None:
    first = box("12, Jalan Tampol 7/4", 0, 0, 50, 10, 0.976)
    assert choose(first, [("12, Jalan Tampoi 7/4", 0.975), ("12, Jalan Tampoi 7/4", 0.993)]).text == (
        "12, Jalan Tampoi 7/4"
    )
    assert choose(first, [("12, Jalan Tampoi 7/4", 0.96), ("12, Jalan Tampoi 7/4", 0.97)]) is first
    same = choose(first, [("12,Jalan Tampol 7/4", 0.999), ("12, Jalan  Tampol 7/4", 0.999)])
    assert same is first  # a change of spacing alone is no change


@pytest.mark.parametrize(("first", "second"), [("Qty", "aty"), ("Item", "ltem"), ("Total", "Totäl")])
def test_case_flips_and_foreign_glyphs_are_not_taken(first: str, second: str) -> None:
    old = box(first, 0, 0, 50, 10, 0.90)
    assert choose(old, [(second, 0.97), (second, 0.98)]) is old


# ------------------------------------------------------------------------------------------------------------
# Which lines, and how they are cut


def test_header_dates_and_the_total_row_are_picked() -> None:
    picked = [RECEIPT[i].text for i in pick_lines(RECEIPT)]
    assert picked[:2] == ["HREE STOOGES", "109, SS21/1A, DAMANSARA UTAMA"]
    assert {"20/03/201", "TOTAL", "12.30"} <= set(picked)
    many = [box(f"ITEM {i}", 10, 200 + 30 * i, 100, 220 + 30 * i) for i in range(40)]
    assert len(pick_lines(RECEIPT + many)) <= 24
    assert "ITEM 39" not in [(RECEIPT + many)[i].text for i in pick_lines(RECEIPT + many)]


def test_a_crop_gets_its_margins_but_stops_at_the_next_box_on_the_row() -> None:
    image = np.zeros((500, 400, 3), np.uint8)
    lone = crop_line(image, RECEIPT, 0, 0.5, 0.1)  # 30 px high: 15 px each side, 3 up and down
    assert lone.shape == (36, 250, 3)
    date = crop_line(image, RECEIPT, 3, 1.0, 0.0)  # ``Date:`` ends at x=80, 10 px left of the date
    assert date.shape[1] == (200 + 25) - (80 + 1)
    edge = crop_line(image, [box("X", 0, 0, 20, 10)], 0, 2.0, 1.0)
    assert edge.shape[:2] == (20, 40)  # cut at the image's edges


def test_a_page_with_chinese_text_is_not_latin() -> None:
    assert is_latin_page(RECEIPT)
    assert not is_latin_page([box("发票号码：12345678", 0, 0, 10, 10), box("开票日期：2024年1月2日", 0, 0, 10, 10)])
    assert not is_latin_page([box("12.30", 0, 0, 10, 10)])  # no letters: nothing to say it is Latin


# ------------------------------------------------------------------------------------------------------------
# The pass on a page


def test_reread_lines_replaces_only_what_a_rule_allows() -> None:
    scripted = {
        "HREE STOOGES": [("THREE STOOGES", 0.99), ("THREE STOOGES", 0.99)],
        "12.30": [("12.38", 0.95), ("12.38", 0.96)],  # less sure than the first reading (0.99): not taken
    }
    engine = LineEngine(RECEIPT, scripted)
    out = reread_lines(page_pixels(), list(RECEIPT), engine)
    assert [b.text for b in out] == ["THREE STOOGES", *[b.text for b in RECEIPT[1:]]]
    assert len(engine.crops) == len(MARGINS) * len(pick_lines(RECEIPT))


def test_engines_without_the_entry_and_failing_passes_leave_the_boxes() -> None:
    assert line_reader(ReplayEngine(RECEIPT)) is None
    assert reread_lines(page_pixels(), list(RECEIPT), ReplayEngine(RECEIPT)) == RECEIPT
    assert run_line_reader(ReplayEngine(RECEIPT), [np.zeros((5, 5, 3), np.uint8)]) == []
    engine = LineEngine(RECEIPT, {"HREE STOOGES": [("THREE STOOGES", 0.99), ("THREE STOOGES", 0.99)]})
    engine.fail = True
    with pytest.raises(OcrFailed, match="re-reading lines"):
        run_line_reader(engine, [np.zeros((5, 5, 3), np.uint8)])
    assert reread_lines(page_pixels(), list(RECEIPT), engine) == RECEIPT


def test_a_chinese_page_is_never_read_again() -> None:
    boxes = [box("发票号码：12345678", 20, 20, 300, 50), box("开票日期：2024年01月02日", 20, 60, 300, 90)]
    engine = LineEngine(boxes, {b.text: [("X", 1.0), ("X", 1.0)] for b in boxes})
    assert reread_lines(page_pixels(), list(boxes), engine) == boxes and engine.crops == []


def test_the_page_of_words_carries_the_second_reading() -> None:
    engine = LineEngine(RECEIPT, {"HREE STOOGES": [("THREE STOOGES", 0.99), ("THREE STOOGES", 0.99)]})
    pages = read_document_image(page_pixels(), 1, engine, None)
    texts = [w.text for w in pages[0].words]
    assert "THREE STOOGES" in texts and "HREE STOOGES" not in texts


# ------------------------------------------------------------------------------------------------------------
# The benchmark's cache keeps line readings too


def test_the_cache_keeps_line_readings(tmp_path: Path) -> None:
    inner = LineEngine(RECEIPT, {})
    engine = CachingEngine(inner, tmp_path / "ocr")
    assert line_reader(engine) is not None
    crops = [np.zeros((10, 30, 3), np.uint8), np.full((10, 40, 3), 255, np.uint8)]
    first = engine.recognize_lines(crops)
    assert len(first) == 2 and len(inner.crops) == 2
    assert engine.recognize_lines(crops) == first and len(inner.crops) == 2  # from disk
    assert (engine.hits, engine.misses) == (1, 1)
    other = engine.recognize_lines(crops[:1])
    assert len(other) == 1 and len(inner.crops) == 3  # another set of crops is another reading
    later = CachingEngine(LineEngine(RECEIPT, {}), tmp_path / "ocr")
    assert later.recognize_lines(crops) == first and later.misses == 0
    bare = CachingEngine(ReplayEngine(RECEIPT), tmp_path / "bare")
    assert line_reader(bare) is None and reread_lines(page_pixels(), list(RECEIPT), bare) == RECEIPT
    with pytest.raises(NotImplementedError):
        bare.recognize_lines(crops)


# ------------------------------------------------------------------------------------------------------------
# The real recogniser (slow: loads RapidOCR's model)


@pytest.mark.slow
def test_rapidocr_reads_given_lines_without_detecting() -> None:
    from PIL import Image, ImageDraw, ImageFont

    from office_agent.fontfiles import MICROHEI
    from office_agent.ingest.ocr.rapid import RapidOcrEngine, is_available

    if not is_available():
        pytest.skip("rapidocr + onnxruntime are not installed")
    try:
        font = ImageFont.truetype(MICROHEI, 32)
    except OSError:
        pytest.skip("the font (fonts-wqy-microhei) is not installed")
    im = Image.new("RGB", (420, 60), "white")
    ImageDraw.Draw(im).text((20, 10), "THREE STOOGES", fill="black", font=font)
    line = np.asarray(im)
    engine = RapidOcrEngine(threads=1)
    assert line_reader(engine) is not None
    whole, grey, blank = engine.recognize_lines([line, line.mean(axis=2).astype(np.uint8), np.full_like(line, 255)])
    assert whole[0].replace(" ", "") == "THREESTOOGES" and whole[1] > 0.8
    assert grey[0].replace(" ", "") == "THREESTOOGES"
    assert blank == ("", 0.0)
    assert engine.recognize_lines([]) == []
