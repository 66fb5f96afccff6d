"""The PDFium calls made for every character or every page object, bound without pypdfium2's pointer types.

pypdfium2 declares each function with ctypes prototypes whose pointer types are checked on every call; for the
calls made once per character (the box of each character) or once per page object (finding the QR image among
the text objects) those checks cost as much as PDFium's own work. The functions here are the very ones
pypdfium2 loaded (same addresses), declared with plain ``c_void_p``/``c_int`` arguments. Measured on a
generated invoice page of 530 characters: the character boxes 0.36 → 0.12 ms.

Handles are passed as ``ctypes.c_void_p``; every function here only reads from the document.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_P = ctypes.c_void_p
_I = ctypes.c_int


def _bind(func: Any, restype: Any, *argtypes: Any) -> Callable[..., Any]:
    address = ctypes.cast(func, ctypes.c_void_p).value
    if not address:  # pragma: no cover - a PDFium build without the function
        raise ImportError(f"PDFium has no {func.__name__}")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


# FPDFText_GetLooseCharBox(text_page, index, FS_RECTF*) -> FPDF_BOOL. Declared with no argument types at all, the
# fastest form: callers pass a c_void_p handle, a Python int index and a byref() to a reused FS_RECTF.
loose_char_box = _bind(pdfium_c.FPDFText_GetLooseCharBox, _I)
_count_objects = _bind(pdfium_c.FPDFPage_CountObjects, _I, _P)
_get_object = _bind(pdfium_c.FPDFPage_GetObject, _P, _P, _I)
_object_type = _bind(pdfium_c.FPDFPageObj_GetType, _I, _P)
_form_count = _bind(pdfium_c.FPDFFormObj_CountObjects, _I, _P)
_form_object = _bind(pdfium_c.FPDFFormObj_GetObject, _P, _P, ctypes.c_ulong)
_pixel_size = _bind(pdfium_c.FPDFImageObj_GetImagePixelSize, _I, _P, _P, _P)
_get_bitmap = _bind(pdfium_c.FPDFImageObj_GetBitmap, _P, _P)
_bitmap_buffer = _bind(pdfium_c.FPDFBitmap_GetBuffer, _P, _P)
_bitmap_width = _bind(pdfium_c.FPDFBitmap_GetWidth, _I, _P)
_bitmap_height = _bind(pdfium_c.FPDFBitmap_GetHeight, _I, _P)
_bitmap_stride = _bind(pdfium_c.FPDFBitmap_GetStride, _I, _P)
_bitmap_format = _bind(pdfium_c.FPDFBitmap_GetFormat, _I, _P)
_bitmap_destroy = _bind(pdfium_c.FPDFBitmap_Destroy, None, _P)

_CHANNELS = {
    pdfium_c.FPDFBitmap_Gray: 1,
    pdfium_c.FPDFBitmap_BGR: 3,
    pdfium_c.FPDFBitmap_BGRx: 4,
    pdfium_c.FPDFBitmap_BGRA: 4,
}


def handle(obj: Any) -> ctypes.c_void_p:
    """A pypdfium2 handle (``page.raw``, ``textpage.raw``) as the plain pointer the functions here take."""
    return ctypes.cast(obj, ctypes.c_void_p)


def image_objects(page: pdfium.PdfPage, max_depth: int = 3) -> list[ctypes.c_void_p]:
    """The image objects of a page, inside form XObjects too, as handles valid while the page is open."""
    found: list[ctypes.c_void_p] = []

    def walk(parent: ctypes.c_void_p, count: int, get: Callable[..., Any], level: int) -> None:
        for i in range(count):
            address = get(parent, i)  # a plain int: the c_void_p argument types take it as it is
            if not address:
                continue
            kind = _object_type(address)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                found.append(ctypes.c_void_p(address))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < max_depth:
                walk(ctypes.c_void_p(address), _form_count(address), _form_object, level + 1)

    raw = handle(page.raw)
    walk(raw, _count_objects(raw), _get_object, 1)
    return found


def pixel_size(obj: ctypes.c_void_p) -> tuple[int, int] | None:
    """(width, height) of an image object's pixels, without decoding it."""
    width, height = ctypes.c_uint(), ctypes.c_uint()
    if not _pixel_size(obj, ctypes.byref(width), ctypes.byref(height)):
        return None
    return width.value, height.value


def image_pixels(obj: ctypes.c_void_p) -> np.ndarray | None:
    """The decoded pixels of an image object (grey, or BGR/BGRx/BGRA as PDFium gives them), copied out.
    None when PDFium cannot decode the image."""
    bitmap = _get_bitmap(obj)
    if not bitmap:
        return None
    bm = ctypes.c_void_p(bitmap)
    try:
        channels = _CHANNELS.get(_bitmap_format(bm))
        width, height, stride = _bitmap_width(bm), _bitmap_height(bm), _bitmap_stride(bm)
        buffer = _bitmap_buffer(bm)
        if channels is None or not buffer or width <= 0 or height <= 0 or stride < width * channels:
            return None
        raw = (ctypes.c_ubyte * (stride * height)).from_address(buffer)
        rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride)[:, : width * channels]
        pixels = rows.reshape(height, width, channels) if channels > 1 else rows
        return pixels.copy()
    finally:
        _bitmap_destroy(bm)
