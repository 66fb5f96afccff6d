"""Ingestion: bytes in, :class:`~office_agent.models.Document` out. One reader per format, chosen by content."""

from __future__ import annotations

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import EmptyFile, UnsupportedFormat
from office_agent.ingest.detect import sniff
from office_agent.models import DocFormat, Document, EmbeddedFile


def read_document(
    source: str, sha256: str, data: bytes, fmt: DocFormat | None = None, limits: Limits = DEFAULT_LIMITS
) -> Document:
    """Read one file's bytes. Raises an :class:`~office_agent.errors.InputError` subclass with the reason."""
    if not data:
        raise EmptyFile("file is empty (0 bytes)")
    fmt = fmt or sniff(data)
    if fmt == DocFormat.PDF:
        from office_agent.ingest.pdf import read_pdf

        return read_pdf(source, sha256, data, limits)
    if fmt == DocFormat.OFD:
        from office_agent.ingest.ofd import read_ofd

        return read_ofd(source, sha256, data, limits)
    if fmt == DocFormat.XML:
        name = source.rsplit("/", 1)[-1]
        return Document(source=source, sha256=sha256, format=fmt, embedded=[EmbeddedFile(name=name, data=data)])
    if fmt == DocFormat.IMAGE:
        from office_agent.ingest.image import read_image

        return read_image(source, sha256, data, limits)
    if fmt == DocFormat.ZIP:
        raise UnsupportedFormat("ZIP archives are expanded by the batch reader, not read as one document")
    suffix = source.rsplit(".", 1)[-1].lower() if "." in source.rsplit("/", 1)[-1] else ""
    named = f"; the name says .{suffix} but the content is not" if suffix in _KNOWN_SUFFIXES else ""
    raise UnsupportedFormat(f"unknown file format (not a PDF, OFD, XML, ZIP or image{named})")


_KNOWN_SUFFIXES = {"pdf", "ofd", "xml", "zip", "png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp", "heic"}


__all__ = ["read_document", "sniff"]
