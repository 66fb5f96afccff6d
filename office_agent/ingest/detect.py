"""Format detection from content. The extension is only a tie-breaker, never the authority:
a PNG named ``.pdf`` is an image, an OFD named ``.zip`` is an OFD.
"""

from __future__ import annotations

import io
import zipfile

from office_agent.models import DocFormat

_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)


def sniff(data: bytes) -> DocFormat:
    head = data[:1024]
    # A ZIP first: a stored (uncompressed) ZIP whose first member is a PDF has "%PDF-" in its first kilobyte too.
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return DocFormat.OFD if _is_ofd(data) else DocFormat.ZIP
    if b"%PDF-" in head:
        return DocFormat.PDF
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return DocFormat.IMAGE
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heim", b"heis", b"avif"):
        return DocFormat.IMAGE
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return DocFormat.XML
    if stripped.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return DocFormat.XML
    return DocFormat.UNKNOWN


def _is_ofd(data: bytes) -> bool:
    """An OFD package is a ZIP whose root holds OFD.xml (any case)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(name.strip("/").lower() == "ofd.xml" for name in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
