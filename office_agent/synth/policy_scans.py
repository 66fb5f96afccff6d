"""Scanned and photographed versions of sample guides, for the OCR path of the checklist.

Each guide is rendered to PDF with reportlab, every page rasterised with PDFium and made to look like what arrives
from a scanner or a phone (``office_agent.synth.scans``: skew, noise, JPEG artefacts; a photo has the page in
perspective on a desk under uneven light), then saved as the container a user would have:

==================================  =========================================================================
``id_card_renewal_scan.pdf``        a scanned PDF (pages are pictures only): the ruled 适用情形 table
``passport_procedures_scan.tiff``   a multi-page TIFF scan: three procedures, a ruled 情形 | 所需材料 table
``expense_policy_photo.jpg``        a phone photo: 差旅费 and 招待费 procedures, an unruled 情形 | 所需材料 table
==================================  =========================================================================

Next to each, ``<file>.truth.json``: the truth of the guide it was printed from (``source``), so the scan is
scored exactly as the text. Written by ``python -m office_agent.synth.policy`` with the other samples.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from office_agent.synth.policy import SAMPLES_DIR, SCANNED_DIRNAME, Guide, render_pdf, truth_record
from office_agent.synth.scans import STYLES, Style, degrade, render_page

SCANNED_DIR = SAMPLES_DIR.parent / SCANNED_DIRNAME
SCAN_DPI = 150.0  # an office scanner's default for text; keeps the samples small
PHOTO_DPI = 220.0


@dataclass(frozen=True)
class ScanSpec:
    file: str
    guide: str
    style: Style
    seed: int

    @property
    def container(self) -> str:
        return self.file.rsplit(".", 1)[1]


_SCAN = replace(STYLES["scan"], seal=False, dpi=SCAN_DPI)  # a guide carries no invoice seal
_PHOTO = replace(STYLES["photo"], seal=False, photo_size=(1800, 2400))  # a portrait phone photo, kept small
SCANS = [
    ScanSpec("id_card_renewal_scan.pdf", "id_card_renewal", _SCAN, 1),
    ScanSpec("passport_procedures_scan.tiff", "passport_procedures", _SCAN, 2),
    ScanSpec("expense_policy_photo.jpg", "expense_policy", _PHOTO, 3),
]


def _all_guides() -> dict[str, Guide]:
    from office_agent.synth.policy_guides import GUIDES
    from office_agent.synth.policy_procedures import PROCEDURE_GUIDES

    return {g.name: g for g in [*GUIDES, *PROCEDURE_GUIDES]}


def page_images(guide: Guide, style: Style, seed: int) -> list[Image.Image]:
    """Every page of the guide, printed and scanned (or photographed) in ``style``."""
    import pypdfium2 as pdfium

    buf = io.BytesIO()
    render_pdf(guide, buf)
    pdf = buf.getvalue()
    n = len(pdfium.PdfDocument(pdf))
    dpi = PHOTO_DPI if style.photo else style.dpi
    out = []
    for index in range(n):
        image = degrade(render_page(pdf, index, dpi), style, seed + index)
        out.append(image if style.photo else image.convert("L"))
    return out


def _jpeg(image: Image.Image, quality: int, dpi: float | None) -> bytes:
    buf = io.BytesIO()
    extra = {"dpi": (round(dpi), round(dpi))} if dpi else {}
    image.save(buf, format="JPEG", quality=quality, **extra)
    return buf.getvalue()


def save(images: list[Image.Image], spec: ScanSpec, path: Path) -> None:
    style = spec.style
    if spec.container == "pdf":
        from reportlab.lib.utils import ImageReader
        from reportlab.pdfgen import canvas

        c = canvas.Canvas(str(path), invariant=1)
        for image in images:
            w, h = image.width * 72.0 / style.dpi, image.height * 72.0 / style.dpi
            c.setPageSize((w, h))
            c.drawImage(ImageReader(io.BytesIO(_jpeg(image, style.jpeg_quality, None))), 0, 0, width=w, height=h)
            c.showPage()
        c.save()
    elif spec.container in ("tif", "tiff"):
        first, *rest = images
        first.save(path, format="TIFF", save_all=True, append_images=rest, compression="jpeg",
                   quality=style.jpeg_quality, dpi=(style.dpi, style.dpi))  # fmt: skip
    else:
        if len(images) != 1:
            raise ValueError(f"{spec.file}: a photo holds one page, the guide has {len(images)}")
        path.write_bytes(_jpeg(images[0], style.jpeg_quality, None if style.photo else style.dpi))


def scan_truth(spec: ScanSpec, guide: Guide) -> dict[str, object]:
    record = truth_record(guide)
    return {"file": spec.file, "source": record.pop("file"), "style": spec.style.name, **record}


def write_scans(out_dir: Path = SCANNED_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    guides = _all_guides()
    written = []
    for spec in SCANS:
        guide = guides[spec.guide]
        path = out_dir / spec.file
        save(page_images(guide, spec.style, spec.seed), spec, path)
        truth = out_dir / f"{spec.file}.truth.json"
        truth.write_text(json.dumps(scan_truth(spec, guide), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written += [path, truth]
    return written
