"""System fonts for drawing invoice pages (OFD pages, renderings of XML invoices): a Song (serif) face and a Hei
(sans) face that hold Chinese, found with fontconfig (``fc-list :lang=zh``) — Debian's ``fonts-arphic-gbsn00lp``
and ``fonts-wqy-microhei`` in CI — then at their usual paths. Without any CJK font the pictures are still drawn,
with Pillow's built-in font (Chinese shows as boxes), and :func:`font_note` says so.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Literal

from PIL import ImageFont

log = logging.getLogger(__name__)

Face = Literal["song", "hei", "mono"]
AnyFont = ImageFont.FreeTypeFont | ImageFont.ImageFont

KNOWN: dict[Face, tuple[str, ...]] = {
    "song": (
        "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    ),
    "hei": (
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ),
    "mono": (),
}
_SONG_WORDS = ("sung", "song", "ming", "serif", "宋", "明", "kai", "楷", "fang", "仿")
NO_CJK_NOTE = "no Chinese font found (install fonts-wqy-microhei): Chinese text is drawn with Pillow's default font"


@functools.cache
def _fontconfig_cjk() -> tuple[list[str], list[str]]:
    """(song-like, hei-like) font files that fontconfig lists for Chinese."""
    song: list[str] = []
    hei: list[str] = []
    binary = shutil.which("fc-list")
    if binary is None:
        return song, hei
    try:
        out = subprocess.run(
            [binary, ":lang=zh", "file", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("fc-list failed: %s", exc)
        return song, hei
    for line in sorted(out.splitlines()):
        path, _, family = line.partition(":")
        if not path.strip():
            continue
        (song if any(w in family.lower() for w in _SONG_WORDS) else hei).append(path.strip())
    return song, hei


@functools.cache
def font_file(face: Face) -> str | None:
    """The file for ``face``: fontconfig's CJK fonts first, then the usual Debian paths; None when none exists."""
    song, hei = _fontconfig_cjk()
    if face == "mono":
        found = shutil.which("fc-match")
        if found:
            try:
                path = subprocess.run([found, "-f", "%{file}", "monospace"], capture_output=True, text=True,
                                      timeout=20, check=False).stdout.strip()  # fmt: skip
            except (OSError, subprocess.SubprocessError):
                path = ""
            if path and Path(path).is_file():
                return path
        return font_file("hei")
    ordered = [*(song if face == "song" else hei), *(hei if face == "song" else song), *KNOWN[face]]
    ordered += list(KNOWN["hei" if face == "song" else "song"])
    return next((p for p in ordered if Path(p).is_file()), None)


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
