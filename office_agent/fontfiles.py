"""Where the Chinese (CJK) font files are: the one lookup for everything that draws Chinese text.

Two kinds of callers use it:

* the sample generators (``office_agent.synth``) embed a font in the files they write, so the file they pick decides
  the bytes of the committed samples. Each passes its own preference list of the paths below to :func:`find_font`
  or :func:`require_font`, and never asks fontconfig: the same install writes the same bytes.
* the page pictures (``office_agent.generate``) draw in a Song (serif) or Hei (sans) face: :func:`font_file` asks
  fontconfig (``fc-list :lang=zh``) first, then the usual Debian paths.

CI installs Debian's ``fonts-wqy-microhei`` and ``fonts-arphic-gbsn00lp`` (``.ci/run``).
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from office_agent.errors import OfficeAgentError

log = logging.getLogger(__name__)

Face = Literal["song", "hei", "mono"]

GBSN = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"  # a Song face
UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"
NOTO_SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
MICROHEI = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # a Hei face
ZENHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
NOTO_SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

PACKAGES = {  # the Debian package that installs each path
    GBSN: "fonts-arphic-gbsn00lp",
    UMING: "fonts-arphic-uming",
    NOTO_SERIF: "fonts-noto-cjk",
    MICROHEI: "fonts-wqy-microhei",
    ZENHEI: "fonts-wqy-zenhei",
    NOTO_SANS: "fonts-noto-cjk",
}
KNOWN: dict[Face, tuple[str, ...]] = {
    "song": (GBSN, UMING, NOTO_SERIF),
    "hei": (MICROHEI, ZENHEI, NOTO_SANS),
    "mono": (),
}
_SONG_WORDS = ("sung", "song", "ming", "serif", "宋", "明", "kai", "楷", "fang", "仿")


class FontMissing(OfficeAgentError, RuntimeError):
    """None of the font files a generator can embed is installed."""


def find_font(preference: Sequence[str]) -> str | None:
    """The first file of ``preference`` that exists; None when none does."""
    return next((p for p in preference if Path(p).is_file()), None)


def require_font(preference: Sequence[str], purpose: str) -> str:
    """The first file of ``preference`` that exists; :class:`FontMissing` naming the files and packages if none."""
    found = find_font(preference)
    if found is not None:
        return found
    packages = list(dict.fromkeys(PACKAGES[p] for p in preference if p in PACKAGES)) or [PACKAGES[MICROHEI]]
    raise FontMissing(
        f"no CJK font for {purpose} (looked for {', '.join(preference)}): install Debian's {' or '.join(packages)},"
        f" e.g. apt-get install {packages[0]}"
    )


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


def _fontconfig_mono() -> str | None:
    found = shutil.which("fc-match")
    if not found:
        return None
    try:
        path = subprocess.run([found, "-f", "%{file}", "monospace"], capture_output=True, text=True,
                              timeout=20, check=False).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return path if path and Path(path).is_file() else None


@functools.cache
def font_file(face: Face) -> str | None:
    """The file for ``face``: fontconfig's CJK fonts first, then the usual Debian paths; None when none exists.

    ``mono`` is fontconfig's monospace font, else the Hei face.
    """
    if face == "mono":
        return _fontconfig_mono() or font_file("hei")
    song, hei = _fontconfig_cjk()
    other: Face = "hei" if face == "song" else "song"
    listed = (song, hei) if face == "song" else (hei, song)
    return find_font([*listed[0], *listed[1], *KNOWN[face], *KNOWN[other]])
