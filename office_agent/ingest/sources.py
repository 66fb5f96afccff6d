"""Turning what the user gave (files, folders, ZIPs) into blobs of bytes to read, one failure at a time.

- Folders are walked in sorted order; symbolic links are never followed (a link may point outside the folder).
- ZIP archives are expanded in memory through :class:`~office_agent.ingest.archive.SafeZip`, nested ones too,
  up to ``Limits.zip_max_depth``; a member's source reads ``bundle.zip!folder/file.pdf``.
- Every problem becomes a failed :class:`~office_agent.models.FileResult` naming the file and the reason.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from office_agent.config import DEFAULT_LIMITS, Limits
from office_agent.errors import BadArguments, InputError, TooLarge
from office_agent.ingest.archive import SafeZip
from office_agent.ingest.detect import sniff
from office_agent.models import DocFormat, FileResult, Status

log = logging.getLogger(__name__)

# Files that operating systems and zip tools leave behind: never invoices, never worth a line in the report.
_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


def is_junk(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.lower() in _JUNK_NAMES or base.startswith("._") or "__MACOSX/" in name


@dataclass(frozen=True)
class InputFile:
    path: Path
    source: str  # the path as the user gave it, joined with the relative path below a folder


@dataclass(frozen=True)
class Blob:
    source: str
    data: bytes
    sha256: str
    format: DocFormat


def discover(
    paths: Sequence[str | os.PathLike[str]], exclude: Sequence[str | os.PathLike[str]] = ()
) -> tuple[list[InputFile], list[FileResult]]:
    """The files to process, and the entries refused up front (links, special files).

    Anything inside ``exclude`` is left out silently: the output folder must not be read back as input.
    """
    files: list[InputFile] = []
    refused: list[FileResult] = []
    skip = [Path(e).resolve() for e in exclude]
    for given in paths:
        p = Path(given)
        if p.is_symlink() and p.is_dir():
            refused.append(_skipped(str(given), "symbolic link to a folder: not followed"))
        elif p.is_dir():
            _walk(p, str(given), files, refused)
        elif p.is_file():
            files.append(InputFile(p, str(given)))
        elif not p.exists():
            raise BadArguments(f"{given}: no such file or folder")
        else:
            refused.append(_skipped(str(given), "not a regular file"))
    if skip:
        files = [f for f in files if not any(_inside(f.path, s) for s in skip)]
    return files, refused


def _inside(path: Path, folder: Path) -> bool:
    resolved = path.resolve()
    return resolved == folder or folder in resolved.parents


def _walk(root: Path, shown: str, files: list[InputFile], refused: list[FileResult]) -> None:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        rel_dir = here.relative_to(root)
        for d in list(dirnames):
            if (here / d).is_symlink():
                refused.append(_skipped(_join(shown, rel_dir / d), "symbolic link to a folder: not followed"))
                dirnames.remove(d)
        for name in sorted(filenames):
            path = here / name
            source = _join(shown, rel_dir / name)
            if is_junk(name):
                continue
            if path.is_symlink():
                refused.append(_skipped(source, "symbolic link: not followed (it may point outside the folder)"))
            elif not path.is_file():
                refused.append(_skipped(source, "not a regular file"))
            else:
                files.append(InputFile(path, source))


def _join(shown: str, rel: Path) -> str:
    rel_s = rel.as_posix()
    if rel_s in ("", "."):
        return shown
    return f"{shown.rstrip('/')}/{rel_s}"


def _skipped(source: str, reason: str) -> FileResult:
    return FileResult(source=source, status=Status.SKIPPED, reason=reason)


def failed(source: str, reason: str, sha256: str | None = None, fmt: DocFormat = DocFormat.UNKNOWN) -> FileResult:
    return FileResult(source=source, sha256=sha256, format=fmt, status=Status.FAILED, reason=reason)


def read_file(item: InputFile, limits: Limits = DEFAULT_LIMITS) -> bytes:
    try:
        size = item.path.stat().st_size
        if size > limits.max_file_bytes:
            raise TooLarge(f"file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}")
        with item.path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError as exc:
        raise InputError("file disappeared before it could be read") from exc
    except PermissionError as exc:
        raise InputError("permission denied") from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder") from exc
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limits.max_file_bytes:
        raise TooLarge(f"file grew past the limit of {limits.max_file_bytes:,} bytes while it was read")
    return data


def expand(source: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Iterator[Blob | FileResult]:
    """Yield the blob itself, or for a ZIP every member (recursively), or a failed result per problem."""
    yield from _expand(source, data, limits, depth=0, budget=None)


def _expand(
    source: str, data: bytes, limits: Limits, depth: int, budget: list[int] | None
) -> Iterator[Blob | FileResult]:
    sha = hashlib.sha256(data).hexdigest()
    fmt = sniff(data)
    if fmt != DocFormat.ZIP:
        yield Blob(source, data, sha, fmt)
        return
    if depth >= limits.zip_max_depth:
        yield failed(source, f"ZIP nested more than {limits.zip_max_depth} levels deep: refused", sha, fmt)
        return
    try:
        archive = SafeZip(data, limits, budget)
    except InputError as exc:
        yield failed(source, str(exc), sha, fmt)
        return
    try:
        members = [m for m in archive if not is_junk(m.name)]
        if not members:
            yield FileResult(source=source, sha256=sha, format=fmt, status=Status.SKIPPED, reason="empty ZIP")
        for member in members:
            member_source = f"{source}!{member.name}"
            try:
                content = archive.read(member)
            except InputError as exc:
                yield failed(member_source, str(exc))
                continue
            yield from _expand(member_source, content, limits, depth + 1, archive.budget)
    finally:
        archive.close()
