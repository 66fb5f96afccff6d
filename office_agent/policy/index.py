"""The guide index: a folder of guides is read once and kept, keyed by each file's sha256.

One SQLite file (``index.sqlite`` under the cache folder; WAL, so several runs may share it) holds:

- ``files``: path → size, mtime and sha256, so an unchanged file is known without reading its bytes;
- ``reads``: sha256 → the :class:`~office_agent.policy_models.PolicyDocument` (zlib-compressed JSON), or the
  outcome of a guide that could not be read (a hostile file is refused once, not on every question);
- ``extracted``: sha256 → its procedures, the text each was ranked on, and the tokens of those texts, so a later
  question re-runs neither the reader nor the extractor nor the tokenizer.

Every row is stamped with a key made from the source code of the readers (or the extractors) and the limits, so
changed code re-reads instead of answering from stale results. A changed file (size or mtime) is hashed again; a
file that vanished from a folder that is read again is dropped, and rows no file points to any more go with it.
The same bytes under another name are answered from the same row, with the citations naming the new path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from office_agent.models import Status
from office_agent.policy_models import DocLimits, FileOutcome, PolicyDocument, Procedure

INDEX_FILE = "index.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reads (
    sha256 TEXT NOT NULL, reader TEXT NOT NULL, source TEXT NOT NULL, doc BLOB, status TEXT, reason TEXT,
    PRIMARY KEY (sha256, reader));
CREATE TABLE IF NOT EXISTS extracted (
    sha256 TEXT NOT NULL, extractor TEXT NOT NULL, source TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (sha256, extractor));
"""


def default_cache_dir() -> Path:
    """``$OFFICE_AGENT_GUIDES_CACHE``, else ``$XDG_CACHE_HOME/office-agent/guides`` (``~/.cache/…``)."""
    if env := os.environ.get("OFFICE_AGENT_GUIDES_CACHE"):
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "office-agent" / "guides"


def _source_hash(*packages: str) -> str:
    """A digest of the ``.py`` files of the given folders of ``office_agent`` (and the policy models)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = [root / "policy_models.py"]
    for package in packages:
        files += sorted((root / package).rglob("*.py"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def reader_key(limits: DocLimits) -> str:
    """Changes when the readers, the models, the limits or the OCR engine change."""
    from office_agent.ingest.ocr import get_engine

    bounds = limits.model_dump(exclude={"file_timeout_s", "worker_memory_bytes"})
    stamp = f"{_source_hash('policy/ingest', 'ingest')}|{json.dumps(bounds, sort_keys=True)}|{get_engine().name}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:24]


def extractor_key(reader: str) -> str:
    """Changes when the reader key or the policy package (extractors, the pipeline that dedupes items) changes."""
    stamp = f"{reader}|{_source_hash('policy')}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:24]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Extracted:
    """What a guide gave the extractor, as kept: its procedures and, per procedure, the text it is ranked on."""

    procedures: list[Procedure]
    texts: list[str]
    tokens: dict[str, list[str]]  # text → tokens, for :func:`office_agent.policy.extract.query.remember_tokens`


def _renamed(blob: bytes, old: str, new: str) -> str:
    """The stored JSON with every string equal to the old path now naming the new one."""
    text = zlib.decompress(blob).decode("utf-8")
    if old == new:
        return text
    return text.replace(json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False))


def _pack(obj: object) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 3)


class GuideIndex:
    """A guide index in ``folder`` (created when missing)."""

    def __init__(self, folder: Path, limits: DocLimits) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / INDEX_FILE
        self.reader = reader_key(limits)
        self.extractor = extractor_key(self.reader)
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> GuideIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- files ------------------------------------------------------------------------------------------------

    def sha256_of(self, path: Path) -> str:
        """The file's sha256: from the index when its size and mtime are unchanged, else hashed (and noted)."""
        st = path.stat()
        row = self._db.execute("SELECT size, mtime_ns, sha256 FROM files WHERE path = ?", (str(path),)).fetchone()
        if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
            return str(row[2])
        sha = file_sha256(path)
        self._db.execute(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
            (str(path), st.st_size, st.st_mtime_ns, sha),
        )
        return sha

    def forget_missing(self, roots: Iterable[Path], present: Iterable[Path]) -> int:
        """Drop the files under ``roots`` that are no longer there, then every row no file points to."""
        keep = {str(p) for p in present}
        gone: list[str] = []
        for root in roots:
            prefix = str(root).rstrip(os.sep) + os.sep
            rows = self._db.execute("SELECT path FROM files WHERE substr(path, 1, ?) = ?", (len(prefix), prefix))
            gone += [path for (path,) in rows if path not in keep]
        with self._transaction():
            self._db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            for table in ("reads", "extracted"):
                self._db.execute(f"DELETE FROM {table} WHERE sha256 NOT IN (SELECT sha256 FROM files)")
        return len(gone)

    # --- reads ------------------------------------------------------------------------------------------------

    def read(self, sha: str, path: str) -> PolicyDocument | FileOutcome | None:
        """What reading these bytes gave last time (with ``path`` as the source), or None when not kept."""
        row = self._db.execute(
            "SELECT source, doc, status, reason FROM reads WHERE sha256 = ? AND reader = ?", (sha, self.reader)
        ).fetchone()
        if row is None:
            return None
        source, doc, status, reason = row
        if doc is None:  # a guide that could not be read: the reason, not the work, is kept
            return FileOutcome(source=path, status=Status(status), reason=reason)
        return PolicyDocument.model_validate_json(_renamed(doc, source, path))

    def outcome(self, sha: str, path: str) -> FileOutcome | None:
        """The file's status and reason as last read, without loading the document."""
        row = self._db.execute(
            "SELECT status, reason FROM reads WHERE sha256 = ? AND reader = ?", (sha, self.reader)
        ).fetchone()
        return None if row is None else FileOutcome(source=path, status=Status(row[0]), reason=row[1])

    def put_read(self, sha: str, read: PolicyDocument | FileOutcome, outcome: FileOutcome) -> None:
        doc = _pack(read.model_dump(mode="json")) if isinstance(read, PolicyDocument) else None
        row = (sha, self.reader, read.source, doc, outcome.status.value, outcome.reason)
        with self._transaction():
            self._db.execute("DELETE FROM reads WHERE sha256 = ?", (sha,))  # rows of older readers go
            self._db.execute("INSERT INTO reads VALUES (?, ?, ?, ?, ?, ?)", row)

    # --- extracted --------------------------------------------------------------------------------------------

    def extracted(self, sha: str, path: str) -> Extracted | None:
        row = self._db.execute(
            "SELECT source, data FROM extracted WHERE sha256 = ? AND extractor = ?", (sha, self.extractor)
        ).fetchone()
        if row is None:
            return None
        data = json.loads(_renamed(row[1], row[0], path))
        procedures = [Procedure.model_validate(p) for p in data["procedures"]]
        return Extracted(procedures, data["texts"], dict(zip(data["token_keys"], data["tokens"], strict=True)))

    def put_extracted(self, sha: str, source: str, extracted: Extracted) -> None:
        data = {
            "procedures": [p.model_dump(mode="json") for p in extracted.procedures],
            "texts": extracted.texts,
            "token_keys": list(extracted.tokens),
            "tokens": list(extracted.tokens.values()),
        }
        with self._transaction():
            self._db.execute("DELETE FROM extracted WHERE sha256 = ?", (sha,))
            self._db.execute("INSERT INTO extracted VALUES (?, ?, ?, ?)", (sha, self.extractor, source, _pack(data)))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


__all__ = ["Extracted", "GuideIndex", "default_cache_dir", "extractor_key", "file_sha256", "reader_key"]
