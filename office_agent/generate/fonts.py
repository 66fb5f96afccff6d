"""System fonts for drawing invoice pages (OFD pages, renderings of XML invoices): a Song (serif) face and a Hei
(sans) face that hold Chinese, found by :func:`office_agent.fontfiles.font_file` (fontconfig, then the usual
paths). Without any CJK font the pictures are still drawn, with Pillow's built-in font (Chinese shows as boxes),
and :func:`font_note` says so.
"""

from __future__ import annotations

import functools
import logging

from PIL import ImageFont

from office_agent.fontfiles import Face, font_file

log = logging.getLogger(__name__)

AnyFont = ImageFont.FreeTypeFont | ImageFont.ImageFont
NO_CJK_NOTE = "no Chinese font found (install fonts-wqy-microhei): Chinese text is drawn with Pillow's default font"


def has_cjk_font() -> bool:
    return font_file("song") is not None or font_file("hei") is not None


def font_note() -> str | None:
    """None when Chinese can be drawn; otherwise what is missing and what is used instead."""
    return None if has_cjk_font() else NO_CJK_NOTE


@functools.lru_cache(maxsize=256)
def font(face: Face, px: int) -> AnyFont:
    """``face`` at ``px`` pixels per em (at least 1)."""
    px = max(1, int(px))
    path = font_file(face)
    if path is not None:
        try:
            return ImageFont.truetype(path, px)
        except OSError as exc:
            log.debug("font %s cannot be loaded: %s", path, exc)
    return ImageFont.load_default(size=px)


def face_for(name: str | None) -> Face:
    """An OFD/PDF font name → the face that looks closest: 宋体/楷体/仿宋 → song, Courier → mono, others → hei."""
    low = (name or "").lower()
    if "courier" in low or "mono" in low:
        return "mono"
    if "sans" in low or "黑" in low or "hei" in low:
        return "hei"
    if any(w in low for w in ("宋", "楷", "仿", "song", "kai", "fang", "sun", "ming", "times", "serif")):
        return "song"
    return "hei"


_PROBE_PX = 32


@functools.lru_cache(maxsize=8192)
def covers(face: Face, ch: str) -> bool:
    """Whether ``face`` has a glyph for ``ch`` (its outline differs from the missing-glyph box)."""
    if ch.isspace():
        return True
    f = font(face, _PROBE_PX)
    try:
        return bytes(f.getmask(ch)) != bytes(f.getmask("\U0010fffe"))
    except (OSError, ValueError):
        return False


def font_for(face: Face, text: str, px: int) -> AnyFont:
    """``face`` at ``px``, or the first other face that has every glyph of ``text`` (the Song face has no ¥)."""
    faces: tuple[Face, ...] = (face, "hei", "song", "mono")
    for candidate in faces:
        if all(covers(candidate, ch) for ch in text):
            return font(candidate, px)
    return font(face, px)
