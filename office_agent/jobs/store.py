"""The job store: what every run saw and read, durable across runs and crashes (SQLite by default, PostgreSQL too).

- SQLite: one file next to the outputs, WAL journal, ``synchronous=NORMAL`` (a killed process never loses a
  committed transaction; a power cut may lose the last ones, which the next run simply redoes), every transaction
  ``BEGIN IMMEDIATE`` so readers and writers never deadlock on a lock upgrade.
- PostgreSQL: ``postgresql://user@host/db`` (the psycopg 3 driver is used when installed).
- One transaction per file read: a run killed at any point leaves whole files in the store, never half of one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import ConnectionPoolEntry

from office_agent.jobs.errors import StoreError
from office_agent.jobs.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    contents,
    current_version,
    files,
    invoices,
    meta,
    results,
    runs,
    serialize_migrations,
    set_version,
)
from office_agent.jobs.work import FileOutcome

log = logging.getLogger(__name__)

STORE_FILENAME = "office-agent.sqlite"


def utcnow(timespec: str = "seconds") -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec=timespec)


def normalize_url(url: str | os.PathLike[str]) -> str:
    """A path is a SQLite file; ``postgresql://`` uses psycopg 3 when it is installed (else SQLAlchemy's default)."""
    s = os.fspath(url)
    if "://" not in s:
        return f"sqlite:///{Path(s).expanduser().absolute()}"
    for prefix in ("postgresql://", "postgres://"):
        if s.startswith(prefix):
            try:
                import psycopg  # noqa: F401
            except ImportError:
                return "postgresql://" + s[len(prefix) :]
            return "postgresql+psycopg://" + s[len(prefix) :]
    return s


FILE_UPDATE_COLUMNS = ("sha256", "size", "mtime_ns", "state", "reason", "changed_run", "vanished_run")


@dataclass(frozen=True)
class FileRow:
    path: str
    sha256: str | None
    size: int
    mtime_ns: int
    state: str  # present, vanished, unreadable
    reason: str | None
    first_run: int
    changed_run: int
    vanished_run: int | None


@dataclass(frozen=True)
class ContentInfo:
    first_path: str  # the path the content was read from: stored sources are relative to it
    run_id: int  # the run that read it (last)
    config_digest: str


class Store:
    """A connection to one store. Open with :meth:`open`; every write goes through :meth:`transaction`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    # -- opening -------------------------------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | os.PathLike[str]) -> Store:
        """Open (and create, and migrate) the store at ``url``: a SQLite path or URL, or a PostgreSQL URL."""
        full = normalize_url(url)
        try:
            parsed = make_url(full)
        except ArgumentError as exc:
            raise StoreError(f"store {url}: not a database URL or path ({exc})") from exc
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(full, parsed.database)
        else:
            try:
                engine = create_engine(full, pool_pre_ping=True)
            except (NoSuchModuleError, ImportError) as exc:
                raise StoreError(
                    f"store {parsed.render_as_string(hide_password=True)}: no database driver for it ({exc}); "
                    "for PostgreSQL install psycopg: pip install 'psycopg[binary]'"
                ) from exc
        store = cls(engine)
        store.migrate()
        return store

    def migrate(self) -> None:
        for migration in MIGRATIONS:
            with self.transaction() as conn:
                serialize_migrations(conn)
                version = current_version(conn)
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"store {self.url} has schema version {version}, newer than this office-agent knows "
                        f"({SCHEMA_VERSION}): upgrade office-agent, or export the store to JSONL with the newer one"
                    )
                if version >= migration.version:
                    continue
                log.info("store %s: migrating to schema %d (%s)", self.url, migration.version, migration.description)
                migration.apply(conn)
                set_version(conn, migration.version)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; database failures become a :class:`StoreError` that says what to do."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise store_error(self.url, exc) from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise store_error(self.url, exc) from exc

    # -- meta and runs -------------------------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.reading() as conn:
            return current_version(conn)

    def get_meta(self, key: str) -> str | None:
        with self.reading() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
            return str(value) if value is not None else None

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        if conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount == 0:
            conn.execute(meta.insert().values(key=key, value=value))

    def start_run(self, job: str, executor: str) -> int:
        with self.transaction() as conn:
            row = conn.execute(
                runs.insert()
                .values(
                    job=job,
                    started_at=utcnow("microseconds"),  # with host and pid: a run's identity across exports
                    status="running",
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    executor=executor,
                )
                .returning(runs.c.id)
            ).scalar_one()
            return int(row)

    def finish_run(self, run_id: int, status: str, counts: dict[str, Any], message: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(finished_at=utcnow(), status=status, counts=json.dumps(counts), message=message)
            )

    def interrupt_stale_runs(self, current: int) -> int:
        """Runs still marked running when a new run holds the lock died mid-way (killed, crashed)."""
        with self.transaction() as conn:
            return conn.execute(
                runs.update()
                .where(runs.c.status == "running", runs.c.id != current)
                .values(status="interrupted", message="the process stopped before the run finished")
            ).rowcount

    def runs(self) -> list[dict[str, Any]]:
        with self.reading() as conn:
            return [dict(r._mapping) for r in conn.execute(select(runs).order_by(runs.c.id))]

    # -- files and contents --------------------------------------------------------------------------------------

    def file_rows(self) -> dict[str, FileRow]:
        with self.reading() as conn:
            return {r.path: FileRow(**r._mapping) for r in conn.execute(select(files))}

    def content_digests(self) -> dict[str, str]:
        """sha256 → the configuration digest it was read under, for every content read."""
        with self.reading() as conn:
            return {
                r.sha256: r.config_digest for r in conn.execute(select(contents.c.sha256, contents.c.config_digest))
            }

    def content_info(self) -> dict[str, ContentInfo]:
        with self.reading() as conn:
            query = select(contents.c.sha256, contents.c.first_path, contents.c.run_id, contents.c.config_digest)
            return {r.sha256: ContentInfo(r.first_path, r.run_id, r.config_digest) for r in conn.execute(query)}

    def mark_vanished(self, conn: Connection, paths: Sequence[str], run_id: int) -> None:
        if paths:
            stmt = files.update().where(files.c.path == bindparam("p"))
            values = {"state": "vanished", "vanished_run": run_id, "changed_run": run_id}
            conn.execute(stmt.values(**values), [{"p": p} for p in paths])

    def save_contents(
        self, conn: Connection, outcomes: Sequence[FileOutcome], run_id: int, config_digest: str,
        replace: Collection[str] = (),
    ) -> None:  # fmt: skip
        """The results and invoice records of contents just read (``replace``: shas read before, dropped first).

        Each content's rows are written together in the caller's transaction: a content is in the store whole or
        not at all. Several contents may share one transaction (fewer commits; a crash loses none of them half).
        """
        old = [o.sha256 for o in outcomes if o.sha256 in replace]
        if old:
            conn.execute(invoices.delete().where(invoices.c.content_sha256.in_(old)))
            conn.execute(results.delete().where(results.c.content_sha256.in_(old)))
            conn.execute(contents.delete().where(contents.c.sha256.in_(old)))
        now = utcnow()
        content_rows, result_rows, invoice_rows = [], [], []
        for o in outcomes:
            content_rows.append(
                {
                    "sha256": o.sha256, "size": o.size, "format": o.format, "status": o.status,
                    "config_digest": config_digest, "run_id": run_id, "processed_at": now, "first_path": o.path,
                    "invoice_count": sum(len(r.invoices) for r in o.results),
                }
            )  # fmt: skip
            for i, r in enumerate(o.results):
                result_rows.append(
                    {
                        "content_sha256": o.sha256, "ordinal": i, "member": r.member, "sha256": r.sha256,
                        "format": r.format, "status": r.status, "reason": r.reason,
                    }
                )  # fmt: skip
                for j, inv in enumerate(r.invoices):
                    invoice_rows.append(
                        {
                            "content_sha256": o.sha256,
                            "result_ordinal": i,
                            "ordinal": j,
                            "run_id": run_id,
                            **inv.columns(),
                        }
                    )
        for table, rows in ((contents, content_rows), (results, result_rows), (invoices, invoice_rows)):
            if rows:
                conn.execute(table.insert(), rows)

    def put_files(self, conn: Connection, rows: Sequence[FileRow], known: Collection[str]) -> None:
        """Insert or update file rows (``known``: the paths the store already has)."""
        fresh = [vars(r) for r in rows if r.path not in known]
        if fresh:
            conn.execute(files.insert(), fresh)
        updates = [{**vars(r), "p": r.path} for r in rows if r.path in known]
        if updates:
            stmt = files.update().where(files.c.path == bindparam("p"))
            conn.execute(stmt.values({c: bindparam(c) for c in FILE_UPDATE_COLUMNS}), updates)

    # -- reading back --------------------------------------------------------------------------------------------

    def results_by_content(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self.iter_results():
            out.setdefault(r.content_sha256, []).append(dict(r._mapping))
        return out

    def iter_invoice_rows(self, batch: int = 2000) -> Iterator[Any]:
        """Every invoice row, streamed in store order (content, file result, position)."""
        with self.reading() as conn:
            query = select(invoices).order_by(invoices.c.content_sha256, invoices.c.result_ordinal, invoices.c.ordinal)
            yield from conn.execution_options(yield_per=batch).execute(query)

    def iter_results(self, batch: int = 2000) -> Iterator[Any]:
        """Every file result row, streamed (content, position)."""
        with self.reading() as conn:
            query = select(results).order_by(results.c.content_sha256, results.c.ordinal)
            yield from conn.execution_options(yield_per=batch).execute(query)

    def invoice_records(self, ids: Collection[int]) -> dict[int, tuple[str, str]]:
        """id → (content sha256, record JSON) of the invoice rows with these ids."""
        if not ids:
            return {}
        with self.reading() as conn:
            query = select(invoices.c.id, invoices.c.content_sha256, invoices.c.record).where(
                invoices.c.id.in_(list(ids))
            )
            return {r.id: (r.content_sha256, r.record) for r in conn.execute(query)}

    def stats(self) -> dict[str, int]:
        """Row counts: a quick look at what the store holds."""
        with self.reading() as conn:
            count = {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in (("files", files), ("contents", contents), ("invoices", invoices), ("runs", runs))
            }
            count["present_files"] = int(
                conn.execute(select(func.count()).select_from(files).where(files.c.state == "present")).scalar_one()
            )
            return count

    def check_integrity(self) -> str:
        """SQLite's own integrity check ("ok" when the file is sound); PostgreSQL keeps its own."""
        if self.dialect != "sqlite":
            return "ok"
        with self.reading() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store {database}: cannot create its folder ({exc.strerror or exc})") from exc
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None  # we say BEGIN ourselves (below), pysqlite's implicit BEGIN is too late
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def store_error(url: str, exc: DBAPIError) -> StoreError:
    """A database failure in words a user can act on; the store itself is left as it was before the transaction."""
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    low = detail.lower()
    if "disk is full" in low or "no space left" in low or "could not extend file" in low:
        hint = "the disk is full: free some space and run again; the store is intact and the run resumes"
    elif "readonly" in low or "read-only" in low or "unable to open database" in low:
        hint = (
            "the store cannot be written (read-only folder or file?): fix the permissions, or point --store elsewhere"
        )
    elif "database is locked" in low:
        hint = "another process keeps the SQLite file busy: try again when it is done"
    elif "connection" in low or "could not connect" in low or "password authentication" in low:
        hint = "the database server cannot be reached: check the URL, the server and the credentials"
    else:
        hint = "the store was left as it was before this step"
    return StoreError(
        f"store {url}: {detail.strip().splitlines()[0] if detail.strip() else type(exc).__name__} — {hint}"
    )
