"""PDF reader: text runs with positions, embedded XML attachments, and the QR code of every page.

PDFium (pypdfium2) is the fast path. Some invoice PDFs use font encodings that one library decodes and another
does not (see FORMATS.md); when PDFium's text looks garbled the page is re-read with pdfplumber (pdfminer),
and if both are garbled the document is flagged so the OCR path can take over.
"""

from __future__ import annotations

import ctypes
import io
import logging
import re
import struct

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import CorruptFile, EncryptedFile
from office_agent.ingest import pdfium_fast as fast
from office_agent.ingest.ocr.pdfpages import ocr_pdf_pages, pages_needing_ocr
from office_agent.ingest.qr import decode_pure_qr, decode_qr
from office_agent.models import BBox, DocFormat, Document, EmbeddedFile, Page, Word

log = logging.getLogger(__name__)

# Characters an invoice's text layer is made of; anything else counts towards "garbled".
_EXPECTED = (
    "\u0020-\u007e\u00a5\u00b7\u00d7\u2014-\u2026\u2160-\u217f\u2460-\u24ff\u3000-\u303f"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_ODD = re.compile(f"[^{_EXPECTED}\\s]")
_SPACE = re.compile(r"\s")
GARBLED_THRESHOLD = 0.25


def garbled_share(text: str) -> float:
    """Share of non-space characters that are neither CJK, ASCII nor common punctuation."""
    visible = len(text) - len(_SPACE.findall(text))
    return len(_ODD.findall(text)) / visible if visible else 0.0


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    """Open a PDF with PDFium; an empty user password is tried by PDFium itself. Encrypted and unreadable files
    raise the project's errors, with what to do next."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise EncryptedFile(
                "encrypted PDF that needs a password to open; decrypt it first "
                "(e.g. `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`)"
            ) from exc
        raise CorruptFile(f"not a readable PDF ({msg.rstrip('.')})") from exc


def read_pdf(source: str, sha256: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    pdf = open_pdf(data)
    try:
        doc = Document(source=source, sha256=sha256, format=DocFormat.PDF)
        n_pages = len(pdf)
        if n_pages == 0:
            raise CorruptFile("PDF has no pages")
        if n_pages > limits.max_pages:
            doc.warnings.append(f"PDF has {n_pages} pages; only the first {limits.max_pages} were read")
        doc.embedded = _attachments(pdf, limits)
        plumber_needed: list[int] = []
        for index in range(min(n_pages, limits.max_pages)):
            try:
                page = _read_page(pdf, index, limits)
            except pdfium.PdfiumError as exc:  # one damaged page costs that page (found by fuzzing)
                doc.warnings.append(f"page {index + 1} cannot be read ({exc})")
                doc.pages.append(Page(number=index + 1, width=0, height=0))
                continue
            if garbled_share(" ".join(w.text for w in page.words)) > GARBLED_THRESHOLD:
                plumber_needed.append(index)
            doc.pages.append(page)
        if all(p.width == 0 for p in doc.pages):
            raise CorruptFile("no page of the PDF can be read")
        if plumber_needed:
            _reread_with_pdfplumber(doc, data, plumber_needed)
        garbled = {i: garbled_share(" ".join(w.text for w in doc.pages[i].words)) for i in plumber_needed}
        ocr_pdf_pages(pdf, doc, pages_needing_ocr(pdf, doc, garbled, GARBLED_THRESHOLD))
        return doc
    finally:
        pdf.close()


def _attachments(pdf: pdfium.PdfDocument, limits: Limits) -> list[EmbeddedFile]:
    files = []
    for i in range(pdf.count_attachments()):
        att = pdf.get_attachment(i)
        name = att.get_name() or f"attachment-{i}"
        try:
            data = bytes(att.get_data())
        except pdfium.PdfiumError:
            continue
        if len(data) <= limits.xml_max_bytes:
            files.append(EmbeddedFile(name=name, data=data))
    return files


def _read_page(pdf: pdfium.PdfDocument, index: int, limits: Limits) -> Page:
    page = pdf[index]
    try:
        left, bottom, right, top = page.get_cropbox()
        width, height = right - left, top - bottom
        textpage = page.get_textpage()
        try:
            words = _runs(textpage, left, top, width, height)
        finally:
            textpage.close()
        qr = _qr_from_images(page, left, top) or _qr_from_render(page, limits)
        return Page(number=index + 1, width=width, height=height, words=words, qr_payloads=qr)
    finally:
        page.close()


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters, one per character index.

    The text is read in one call into a UTF-16 buffer of one unit per character index (checked: when a
    character needs a surrogate pair the lengths differ, and each code point is then read on its own), never
    through a cleaned-up string that can hold fewer characters than the page and misalign the boxes.
    """
    raw = textpage.raw
    n = textpage.count_chars()
    buf = ctypes.create_string_buffer((n + 1) * 2)
    written = pdfium_c.FPDFText_GetText(raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 0xFFFE) for i in range(n))
    return text


_NO_CHAR = frozenset("\x00\ufffe\uffff\ufffd")
_BREAK = frozenset("\r\n")
_RECT = struct.Struct("4f")  # FS_RECTF: left, top, right, bottom


def _runs(textpage: pdfium.PdfTextPage, left: float, top: float, width: float, height: float) -> list[Word]:
    """Group characters into runs of text on one baseline, split at line breaks and at wide gaps.

    White-space characters that carry a box (real spaces, ideographic spaces in ``名　　称``) bridge the gap;
    the ones PDFium generates between text objects carry none and do not. This loop sees every character of
    every page, so it keeps the run's box in plain locals and reads each character's box with one raw call
    into a reused struct (``pdfium_fast``).
    """
    raw = fast.handle(textpage.raw)
    rect = pdfium_c.FS_RECTF()
    ref = ctypes.byref(rect)
    get_box = fast.loose_char_box
    unpack = _RECT.unpack_from
    words: list[Word] = []
    buf: list[str] = []
    # The current run's box in PDF coordinates (y up: top > bottom), valid while ``open_run``; the comparisons
    # below are the top-left ones mirrored, so a character's box is converted only when its run ends.
    rl = rt = rr = rb = 0.0
    open_run = False
    last_r = 0.0  # right edge of the run's last character (or box-carrying space)

    for i, ch in enumerate(_page_text(textpage)):
        if ch in _BREAK:
            if open_run:
                _flush(words, buf, (rl - left, top - rt, rr - left, top - rb), width, height)
            open_run = False
            continue
        if ch in _NO_CHAR or not get_box(raw, i, ref):
            continue
        cl, ct, cr, cb = unpack(rect)
        if cr <= cl and ct <= cb:  # generated by PDFium: no box
            if buf and ch.isspace():
                buf.append(" ")
            continue
        if open_run:
            h = ct - cb if ct - cb > rt - rb else rt - rb  # a period's box is tiny: use the run's height
            h = h if h > 1.0 else 1.0
            gap = cl - last_r
            # a new run: no vertical overlap with the current one, or a gap wider than two characters
            if not (ct > rb + 0.3 * h and cb < rt - 0.3 * h) or gap > 2.0 * h or gap < -h:
                _flush(words, buf, (rl - left, top - rt, rr - left, top - rb), width, height)
                open_run = False
        if ch.isspace():
            if buf:
                buf.append(" ")
                last_r = cr if cr > last_r else last_r
            continue
        buf.append(ch)
        if open_run:
            rl = cl if cl < rl else rl
            rt = ct if ct > rt else rt
            rr = cr if cr > rr else rr
            rb = cb if cb < rb else rb
        else:
            rl, rt, rr, rb, open_run = cl, ct, cr, cb, True
        last_r = cr
    if open_run:
        _flush(words, buf, (rl - left, top - rt, rr - left, top - rb), width, height)
    return words


def _flush(words: list[Word], buf: list[str], box: BBox, width: float, height: float) -> None:
    """End a run: its text becomes a word unless it is blank or lies outside the visible page (hidden text)."""
    s = "".join(buf).strip()
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if s and 0 <= cx <= width and 0 <= cy <= height:
        words.append(Word(text=s, bbox=box))
    buf.clear()


def _qr_from_images(page: pdfium.PdfPage, left: float, top: float) -> list[str]:
    """Decode square-ish embedded images: the QR of most e-invoices is one, so nothing has to be rendered."""
    found: list[str] = []
    for obj in fast.image_objects(page):
        size = fast.pixel_size(obj)
        if size is None or not (20 <= size[0] <= 4000 and 20 <= size[1] <= 4000 and 0.75 <= size[0] / size[1] <= 1.33):
            continue
        pixels = fast.image_pixels(obj)
        if pixels is None:
            log.debug("skipping an image object PDFium cannot decode")
            continue
        payloads = decode_pure_qr(pixels) or decode_qr(_pil(pixels), pure=True)
        found.extend(p for p in payloads if p not in found)
    return found


def _pil(pixels: np.ndarray) -> Image.Image:
    """PDFium's grey or BGR(x/A) pixels as a PIL image (RGB; the fourth channel is not reliably alpha)."""
    if pixels.ndim == 2:
        return Image.fromarray(pixels, "L")
    return Image.fromarray(np.ascontiguousarray(pixels[:, :, 2::-1]), "RGB")


def _qr_from_render(page: pdfium.PdfPage, limits: Limits) -> list[str]:
    """Render the page (QR drawn as vectors, or stored in an image filter PDFium cannot hand out raw)."""
    try:
        bitmap = page.render(scale=limits.qr_render_scale, grayscale=True)
        return decode_qr(bitmap.to_pil())
    except pdfium.PdfiumError as exc:
        log.debug("render for QR failed: %s", exc)
        return []


def _reread_with_pdfplumber(doc: Document, data: bytes, indexes: list[int]) -> None:
    import pdfplumber  # imported lazily: only pages PDFium cannot decode need it

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for index in indexes:
                page = doc.pages[index]
                words = _plumber_words(pdf.pages[index])
                before = garbled_share(" ".join(w.text for w in page.words))
                after = garbled_share(" ".join(w.text for w in words))
                if after < before:
                    page.words = words
                if min(before, after) > GARBLED_THRESHOLD:
                    doc.text_garbled = True
                    doc.warnings.append(f"page {index + 1}: the text layer is garbled in PDFium and pdfminer")
    except Exception as exc:  # pdfminer failing is a reason to keep PDFium's words, not to lose the file
        log.debug("pdfplumber re-read failed: %s", exc)
        doc.text_garbled = True
        doc.warnings.append(f"the text layer looks garbled and pdfplumber could not re-read it: {exc}")


def _plumber_words(page: object) -> list[Word]:
    width = float(page.width)  # type: ignore[attr-defined]
    height = float(page.height)  # type: ignore[attr-defined]
    raw = page.extract_words(keep_blank_chars=True, x_tolerance=3, y_tolerance=2)  # type: ignore[attr-defined]
    words = []
    for w in raw:
        bbox: BBox = (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]))
        cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        text = str(w["text"]).strip()
        if text and 0 <= cx <= width and 0 <= cy <= height:
            words.append(Word(text=text, bbox=bbox))
    return words
