"""Policy documents in: PDF, DOCX, HTML, Markdown, TXT, images → :class:`~office_agent.policy_models.PolicyDocument`.

One reader per format (``from_pdf``, ``from_docx``, ``from_html``, ``from_markdown``, ``from_ocr`` for photographed or
scanned guides), each turning bytes into flat
:class:`~office_agent.policy.ingest.structure.RawBlock` s; :func:`~office_agent.policy.ingest.structure.build_document`
works out numbering, headings, section paths and offsets the same way for all of them.

The format is detected from the bytes (``%PDF``, a ZIP holding ``word/document.xml``, markup), the file name only
breaking ties between HTML, Markdown and plain text.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from pathlib import Path

from office_agent.errors import EmptyFile, TooLarge, UnsupportedFormat
from office_agent.ingest.detect import sniff
from office_agent.models import DocFormat
from office_agent.policy.ingest.guard import check_docx, check_html
from office_agent.policy.ingest.html_layout import strip_server_tags
from office_agent.policy.ingest.structure import RawBlock, build_document
from office_agent.policy_models import DocKind, DocLimits, PolicyDocument

log = logging.getLogger(__name__)

DEFAULT_DOC_LIMITS = DocLimits()
SUFFIXES: dict[str, DocKind] = {
    ".pdf": DocKind.PDF,
    ".docx": DocKind.DOCX,
    ".html": DocKind.HTML,
    ".htm": DocKind.HTML,
    ".xhtml": DocKind.HTML,
    ".md": DocKind.MARKDOWN,
    ".markdown": DocKind.MARKDOWN,
    ".txt": DocKind.TEXT,
    **dict.fromkeys(
        (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".heic", ".heif", ".bmp", ".gif"), DocKind.IMAGE
    ),
}
_HTML_SNIFF = re.compile(
    rb"^\s*(?:<!doctype html|<html|<head|<body|<main|<div|<p[ >]|<article|<section|<header|<table)", re.I
)
# a page anywhere in the head, after a template's directives, an XML declaration or comments
_HTML_INSIDE = re.compile(rb"<!doctype html|<html[\s>]|<body[\s>]|<head>", re.I)
_TEMPLATE_SUFFIXES = (".jsp", ".jspx", ".asp", ".aspx", ".php", ".shtml", ".shtm", ".ftl", ".vm", ".cshtml")
_MD_FENCE = re.compile(rb"^```", re.M)  # a Markdown file quoting a page in a code block stays Markdown
_MD_SNIFF = re.compile(r"^(?:#{1,6} |\s*[-*] |\s*\d+\. |\|.*\|)|\]\(|^={3,}$|^-{3,}$", re.M)


def detect_kind(name: str, data: bytes) -> DocKind:
    """The document's format, from its bytes first and its name second."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-":
        return DocKind.PDF
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return DocKind.DOCX
        except zipfile.BadZipFile:
            pass
        raise UnsupportedFormat("a ZIP archive that is not a DOCX document")
    if sniff(data) == DocFormat.IMAGE:
        return DocKind.IMAGE
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnsupportedFormat("legacy Word .doc file: save it as .docx (or PDF) and try again")
    suffix = Path(name).suffix.lower()
    page = strip_server_tags(head)
    if suffix in (".html", ".htm", ".xhtml", *_TEMPLATE_SUFFIXES) or _HTML_SNIFF.match(page):
        return DocKind.HTML
    if _HTML_INSIDE.search(page) and not _MD_FENCE.search(page):
        return DocKind.HTML
    if suffix in (".md", ".markdown"):
        return DocKind.MARKDOWN
    if suffix == ".txt":
        return DocKind.TEXT
    if b"\x00" in head:
        raise UnsupportedFormat(f"unknown binary file format ({suffix or 'no extension'})")
    return DocKind.MARKDOWN if _MD_SNIFF.search(decode_text(head)) else DocKind.TEXT


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (Chinese government files), else Latin-1."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_policy_bytes(source: str, data: bytes, limits: DocLimits = DEFAULT_DOC_LIMITS) -> PolicyDocument:
    """Read one document. Raises an :class:`~office_agent.errors.InputError` subclass saying what is wrong."""
    if not data.strip():
        raise EmptyFile("file is empty" + (" (0 bytes)" if not data else " (only whitespace)"))
    if len(data) > limits.max_file_bytes:
        raise TooLarge(f"file is {len(data) // 2**20} MiB, over the {limits.max_file_bytes // 2**20} MiB limit")
    kind = detect_kind(source, data)
    sha256 = hashlib.sha256(data).hexdigest()
    warnings: list[str] = []
    pages: int | None = None
    raws: list[RawBlock]
    if kind == DocKind.PDF:
        from office_agent.policy.ingest.from_pdf import read_pdf_blocks

        raws, pages, warnings = read_pdf_blocks(data, limits)
    elif kind == DocKind.IMAGE:
        from office_agent.policy.ingest.from_ocr import read_image_blocks

        raws, pages, warnings = read_image_blocks(data, limits)
    elif kind == DocKind.DOCX:
        from office_agent.policy.ingest.from_docx import read_docx_blocks

        check_docx(data, limits)
        raws = read_docx_blocks(data)
    elif kind == DocKind.HTML:
        from office_agent.policy.ingest.from_html import read_html_blocks

        check_html(data, limits)
        raws, warnings = read_html_blocks(data)
    else:
        from office_agent.policy.ingest.from_markdown import read_markdown_blocks, read_text_blocks

        text = decode_text(data)
        raws = read_markdown_blocks(text) if kind == DocKind.MARKDOWN else read_text_blocks(text)
    doc = build_document(source, sha256, kind, raws, pages=pages, warnings=warnings, max_chars=limits.max_chars)
    if not doc.blocks:
        why = warnings[0] if warnings else "no text found in the document"
        raise EmptyFile(why)
    log.debug("%s: %s, %d blocks", source, kind.value, len(doc.blocks))
    return doc


def read_policy_file(path: str | Path, limits: DocLimits = DEFAULT_DOC_LIMITS) -> PolicyDocument:
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise TooLarge(f"file is {size // 2**20} MiB, over the {limits.max_file_bytes // 2**20} MiB limit")
    return read_policy_bytes(str(path), path.read_bytes(), limits)


def collect_policy_paths(paths: list[Path]) -> list[Path]:
    """Files named on the command line, and every file under the folders named, sorted.

    A folder takes every guide in it whatever its name (``.jsp`` templates, ``ui(3).html``, ``download (7).pdf``,
    no extension): the format is read from the bytes, and a file that is no guide gets its own one-line reason.
    Data and code beside the guides (``.json`` truth files, ``.py`` generators, stylesheets), hidden files
    (``.DS_Store``, ``.~lock``), a README (it describes the folder, not a policy; name it on the command
    line to read it anyway) and files in hidden folders are left out.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
            out.extend(sorted(p for p in found if not p.name.lower().startswith("readme")))
        else:
            out.append(path)
    return out


def _hidden(relative: Path) -> bool:
    name = relative.name.lower()
    if any(part.startswith((".", "~$")) for part in relative.parts) or name in _NOT_GUIDES:
        return True
    return Path(name).suffix in _DATA_SUFFIXES


_NOT_GUIDES = frozenset(("thumbs.db", "desktop.ini"))
# data, code and settings beside the guides (a generator, its truth file, a stylesheet): never a guide's text
_DATA_SUFFIXES = frozenset(
    (".json", ".jsonl", ".ndjson", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".csv", ".tsv", ".py", ".pyc", ".js",
     ".mjs", ".css", ".map", ".sh", ".bat", ".log", ".lock", ".sqlite", ".db", ".pkl", ".npy", ".gz", ".bz2", ".xz",
     ".7z", ".rar", ".tar", ".exe", ".dll", ".so", ".dylib", ".woff", ".woff2", ".ttf", ".otf", ".ico")
)  # fmt: skip


__all__ = ["collect_policy_paths", "detect_kind", "read_policy_bytes", "read_policy_file"]
