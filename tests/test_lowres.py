"""Screenshots and 100-150 dpi pictures of real invoices (benchmarks/bench_screenshots.py measures them): what
broke on them, each as a small test on generated pixels or positioned words."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from office_agent.extract.layout import extract_page
from office_agent.ingest.preprocess import suppress_red
from office_agent.models import Page, Source, Word

DARK_RED = (151, 47, 47)  # the 数电 form's labels and rules, as PDFium draws them
SEAL = (220, 30, 40)


def _low_res_label_and_seal() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin dark-red strokes (label glyphs a pixel or two wide after shrinking, with light anti-aliased edges) and
    a vivid seal ring, drawn at 4× and shrunk as a 100-dpi render is; with the masks of the print and the seal."""
    big = Image.new("RGB", (1600, 800), "white")
    draw = ImageDraw.Draw(big)
    for i in range(12):  # strokes of label glyphs, 5 px wide at 4x: about one pixel after shrinking
        x = 80 + 40 * i
        draw.line((x, 80, x + 12, 200), fill=DARK_RED, width=5)
        draw.line((x - 8, 140, x + 24, 140), fill=DARK_RED, width=4)
    draw.ellipse((800, 200, 1400, 700), outline=SEAL, width=14)
    img = np.asarray(big.resize((400, 200), Image.Resampling.LANCZOS))
    print_mask = np.zeros(img.shape[:2], bool)
    print_mask[18:52, 16:150] = True
    seal_mask = np.zeros(img.shape[:2], bool)
    seal_mask[48:177, 198:352] = True
    return img, print_mask, seal_mask


def test_red_print_of_a_low_resolution_picture_survives_the_seal_removal() -> None:
    """At 100 dpi the 数电 labels (dark red) are nearly all light anti-aliased edge: the seal step painted them out
    with the seal, and the layout lost every 名称 and 纳税人识别号 label of the picture."""
    img, print_mask, seal_mask = _low_res_label_and_seal()
    out = suppress_red(img)
    ink_before = (img.min(axis=2) < 235) & print_mask
    ink_after = (out.min(axis=2) < 235) & print_mask
    assert ink_after.sum() >= 0.9 * ink_before.sum()  # the print keeps its strokes, edges and all
    seal_ink = (img.min(axis=2) < 200) & seal_mask
    assert seal_ink.any() and (out[seal_ink].min(axis=1) > 200).mean() > 0.95  # the seal goes


def _page(rows: list[tuple[float, float, str]]) -> Page:
    words = [Word(text=t, bbox=(x, y, x + 11.0 * len(t), y + 12)) for x, y, t in rows]
    return Page(number=1, width=842, height=560, words=words)


def test_check_code_label_misread_by_ocr_on_a_small_screenshot() -> None:
    """cn2's 820-px demo screenshot: RapidOCR reads 校验码 as 权验码; the 20 digits after it are the check code."""
    page = _page([(575, 26, "发票代码：012001100311"), (575, 43, "发票号码：63591128"),
                  (574, 79, "权验码：04656054380312409795")])  # fmt: skip
    ext = extract_page(page, Source.OCR)
    assert ext.get("check_code") == "04656054380312409795" and ext.get("invoice_number") == "63591128"
