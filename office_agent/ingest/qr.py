"""QR codes: zxing-cpp over a PIL image. Invoices print one QR per page; trip tables may carry marketing links."""

from __future__ import annotations

import logging

import numpy as np
import zxingcpp
from PIL import Image

log = logging.getLogger(__name__)

_QR_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_qr(image: Image.Image, pure: bool = False) -> list[str]:
    """Every QR payload readable in ``image`` (text, in reading order). Never raises on a bad image.

    ``pure``: the image is likely nothing but the code (an invoice's embedded QR image): zxing's fast path for
    such images is tried first, then the full search.
    """
    try:
        if image.mode not in ("L", "RGB"):
            image = _flatten(image)
        results = zxingcpp.read_barcodes(image, formats=_QR_FORMATS, is_pure=True) if pure else []
        if not results:
            results = zxingcpp.read_barcodes(image, formats=_QR_FORMATS)
    except Exception as exc:  # zxing or PIL failing on one image must not cost the file
        log.debug("QR decoding failed: %s", exc)
        return []
    return [r.text for r in results if r.valid and r.text]


def decode_pure_qr(pixels: np.ndarray) -> list[str]:
    """The fast path for an image that is nothing but a dark-on-light code (an e-invoice's embedded QR image, as
    PDFium hands it out: grey, or BGR(A) of which the green channel is kept): no search, rotation or inversion.
    Empty when that does not read; the caller then tries :func:`decode_qr`."""
    if pixels.ndim == 3:
        pixels = np.ascontiguousarray(pixels[:, :, 1])
    try:
        results = zxingcpp.read_barcodes(
            pixels, formats=_QR_FORMATS, is_pure=True, try_rotate=False, try_invert=False, try_downscale=False
        )
    except Exception as exc:  # as in decode_qr: one odd image must not cost the file
        log.debug("QR fast path failed: %s", exc)
        return []
    return [r.text for r in results if r.valid and r.text]


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent images (PNGs named .jpg) go onto white, or dark QR modules on a clear background vanish."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    return image.convert("L")
