"""JBIG2 images (``.jb2``, the QR code of legacy OFD invoices) decoded offline by PDFium.

Pillow has no JBIG2 decoder; PDFium has one for PDF's ``/JBIG2Decode`` filter. A standalone JBIG2 file (the
``\\x97JB2`` header of ITU T.88 Annex D, sequential organisation, as OFD packages hold) becomes that filter's
embedded stream once its file header is dropped; it is wrapped as the only image of a one-page PDF and
rendered at one pixel per image pixel.
"""

from __future__ import annotations

import logging
import struct

import pypdfium2 as pdfium
from PIL import Image

log = logging.getLogger(__name__)

MAGIC = b"\x97JB2\r\n\x1a\n"
MAX_SIDE = 8000  # pixels: a QR or a seal, never a poster


def _page_size(stream: bytes) -> tuple[int, int] | None:
    """Width and height from the first segment when it is the page information segment (type 48)."""
    if len(stream) < 19:
        return None
    flags = stream[4]
    if flags & 0x3F != 48:
        return None
    referred = stream[5] >> 5
    if referred > 4:
        return None
    page_field = 4 if flags & 0x40 else 1
    offset = 6 + referred + page_field + 4  # number(4) flags(1) referred(1+n) page association, data length
    if len(stream) < offset + 8:
        return None
    width, height = struct.unpack(">II", stream[offset : offset + 8])
    return width, height


def _pdf(stream: bytes, width: int, height: int) -> bytes:
    content = b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (width, height)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 4 0 R >> >> "
        b"/Contents 5 0 R >>" % (width, height),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 "
        b"/Filter /JBIG2Decode /Length %d >>\nstream\n%b\nendstream" % (width, height, len(stream), stream),
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.5\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def decode_jbig2(data: bytes) -> Image.Image | None:
    """A standalone JBIG2 file → a greyscale image (black ink on white); None when it cannot be decoded."""
    if not data.startswith(MAGIC) or len(data) < 13:
        return None
    flags = data[8]
    if not flags & 0x01:
        log.debug("JBIG2 file in random-access organisation: not decoded")
        return None
    stream = data[9:] if flags & 0x02 else data[13:]
    size = _page_size(stream)
    if size is None or not (0 < size[0] <= MAX_SIDE and 0 < size[1] <= MAX_SIDE):
        log.debug("JBIG2 file without a usable page size: %r", size)
        return None
    try:
        pdf = pdfium.PdfDocument(_pdf(stream, *size))
        try:
            page = pdf[0]
            try:
                return page.render(scale=1.0, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
        finally:
            pdf.close()
    except pdfium.PdfiumError as exc:
        log.debug("JBIG2 image cannot be decoded: %s", exc)
        return None
