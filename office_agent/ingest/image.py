"""Image reader: JPG, PNG, TIFF (every page), BMP, WebP, GIF, HEIC → a :class:`Document` of OCR pages.

Decoding is bounded before any pixel is unpacked (a decompression bomb costs its header, not the memory);
EXIF orientation is applied; transparency is flattened onto white (PNGs named ``.jpg`` exist); truncated files,
images too small to hold an invoice and blank images are refused with a reason. Each frame then goes through
:func:`office_agent.ingest.ocr.page.read_pixels` (paper finding, orientation, deskew, seals, two invoices).

Without an OCR engine an image is still read for its QR code: the QR alone gives number, date and amount.
"""

from __future__ import annotations

import io
import logging
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import CorruptFile, NotAnInvoice, TooLarge
from office_agent.ingest.ocr import OcrUnavailable, get_engine
from office_agent.ingest.ocr.page import qr_with_positions, read_pixels
from office_agent.ingest.preprocess import is_blank
from office_agent.models import DocFormat, Document, Page

log = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 80_000_000  # 80 MP: a 48-MP phone photo or an A4 scan at 600 dpi fits; a bomb does not
MIN_SIDE = 32  # pixels: anything smaller cannot hold a readable invoice
PLAUSIBLE_DPI = (100.0, 1200.0)  # outside this the file's resolution tag is a default, not a measurement

try:  # HEIC/HEIF (iPhone photos) through libheif, when pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    log.debug("pillow-heif is not installed: HEIC images cannot be read")


class ImageTooLarge(TooLarge):
    """More pixels than the limit (a decompression bomb, or a scan at an absurd resolution)."""


class TruncatedImage(CorruptFile):
    """The file ends before its pixels do (an interrupted download or copy)."""


class ImageTooSmall(NotAnInvoice):
    """Too few pixels to hold an invoice (a tracking pixel, an icon)."""


class BlankImage(NotAnInvoice):
    """Nothing is printed or written on it."""


def max_pixels(limits: Limits) -> int:
    return limits.max_image_pixels


def load_frames(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[tuple[np.ndarray, float | None]]:
    """Every frame (TIFF pages) as an upright RGB array on white, with its resolution in dpi when known."""
    limit = max_pixels(limits)
    Image.MAX_IMAGE_PIXELS = limit  # PIL's own guard (it refuses at twice this); the check below comes first
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            frames = _frames(im, limits, limit)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(f"image has more pixels than the limit of {limit:,} (a decompression bomb?)") from exc
    except UnidentifiedImageError as exc:
        raise CorruptFile("not a readable image (the decoder does not recognise its content)") from exc
    except OSError as exc:
        if "truncated" in str(exc).lower():
            raise TruncatedImage("image file is truncated: it ends before its pixels do (copy it again)") from exc
        raise CorruptFile(f"image cannot be decoded ({exc})") from exc
    return frames


def _frames(im: Image.Image, limits: Limits, limit: int) -> list[tuple[np.ndarray, float | None]]:
    n = int(getattr(im, "n_frames", 1) or 1)
    out = []
    for index in range(min(n, limits.max_pages)):
        if index:
            im.seek(index)
        w, h = im.size
        if w * h > limit:
            raise ImageTooLarge(f"image is {w}x{h} pixels, more than the limit of {limit:,} (a decompression bomb?)")
        if min(w, h) < MIN_SIDE:
            raise ImageTooSmall(f"image is {w}x{h} pixels: too small to hold an invoice")
        frame = im.copy() if n > 1 else im
        frame.load()
        out.append((np.asarray(_upright_rgb(frame)), _dpi(frame)))
    return out


def _upright_rgb(frame: Image.Image) -> Image.Image:
    frame = ImageOps.exif_transpose(frame) or frame
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if frame.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(frame, dtype=np.float64)
        peak = float(arr.max()) or 1.0
        return Image.fromarray((arr * (255.0 / peak)).astype(np.uint8)).convert("RGB")
    return frame.convert("RGB")


def _dpi(frame: Image.Image) -> float | None:
    dpi = frame.info.get("dpi")
    try:
        x = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return x if PLAUSIBLE_DPI[0] <= x <= PLAUSIBLE_DPI[1] else None


def read_image(source: str, sha256: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Decode, then OCR every frame. Raises an InputError subclass with the reason when nothing can be read."""
    frames = load_frames(data, limits)
    doc = Document(source=source, sha256=sha256, format=DocFormat.IMAGE)
    engine = get_engine()
    blank = 0
    for number, (pixels, dpi) in enumerate(frames, 1):
        if is_blank(pixels):
            blank += 1
            doc.warnings.append(f"page {number} is blank")
            continue
        if engine.name == "null":
            codes = [text for text, _ in qr_with_positions(pixels)]
            if codes:
                doc.pages.append(Page(number=number, width=pixels.shape[1], height=pixels.shape[0], qr_payloads=codes))
            continue
        doc.pages.extend(read_pixels(pixels, number, engine, dpi))
    if blank == len(frames):
        raise BlankImage("image is blank: nothing is printed on it" if len(frames) == 1 else "every page is blank")
    if not doc.pages:
        raise OcrUnavailable(
            "image without a readable QR code, and no OCR engine is installed "
            "(pip install rapidocr onnxruntime, or choose one with --ocr-engine)"
        )
    return doc
