"""The store's tables (SQLAlchemy Core, the same on SQLite and PostgreSQL) and the migrations between versions.

``meta.schema_version`` says which migrations a store has had. Opening a store applies the missing ones in order,
each in its own transaction; a store written by a newer office-agent is refused rather than damaged.

Tables:

- ``runs``: one row per run (job, host, pid, executor, status, counts as JSON).
- ``files``: every file seen under the job's inputs (path, size, mtime, sha256, state present/vanished/unreadable).
- ``contents``: every distinct content read (by sha256), once, whatever its names: a rename or a copy is no work.
- ``results``: the per-file results of a content (one per ZIP member), with status and reason.
- ``invoices``: the invoice records read from a content, each the output-contract record (JSON, see
  ``generate/records.py``) plus key columns for queries (identity, number, date, seller, total).
- ``locks``: the run lock (pid, host, heartbeat), so two runs never write one store at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(200), nullable=False),
    Column("started_at", String(40), nullable=False),  # ISO 8601, UTC
    Column("finished_at", String(40)),
    Column("status", String(20), nullable=False),  # running, ok, partial, failed, interrupted
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("executor", String(255), nullable=False),
    Column("counts", Text),  # JSON
    Column("message", Text),
)

files = Table(
    "files",
    metadata,
    Column("path", String(4096), primary_key=True),
    Column("sha256", String(64)),  # None when it could never be read
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("state", String(20), nullable=False),  # present, vanished, unreadable
    Column("reason", Text),
    Column("first_run", Integer, nullable=False),
    Column("changed_run", Integer, nullable=False),
    Column("vanished_run", Integer),
    Index("ix_files_sha256", "sha256"),
)

contents = Table(
    "contents",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("format", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("config_digest", String(64), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("processed_at", String(40), nullable=False),
    Column("first_path", String(4096), nullable=False),  # the path it was read from (sources are relative to it)
    Column("invoice_count", Integer, nullable=False),
)

results = Table(
    "results",
    metadata,
    Column("content_sha256", String(64), ForeignKey("contents.sha256"), primary_key=True),
    Column("ordinal", Integer, primary_key=True),
    Column("member", String(4096), nullable=False),  # "" for the file itself, "!inner/x.pdf" for a ZIP member
    Column("sha256", String(64)),
    Column("format", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reason", Text),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_sha256", String(64), ForeignKey("contents.sha256"), nullable=False),
    Column("result_ordinal", Integer, nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("member", String(4096), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("page", Integer),
    Column("identity", String(400)),  # JSON list: Invoice.identity()
    Column("invoice_kind", String(40)),
    Column("invoice_code", String(40)),
    Column("invoice_number", String(40)),
    Column("issue_date", String(10)),
    Column("seller_name", String(400)),
    Column("seller_tax_id", String(40)),
    Column("buyer_tax_id", String(40)),
    Column("total_amount", String(40)),
    Column("status", String(20), nullable=False),
    Column("record", Text, nullable=False),  # the output-contract record, JSON
    Column("run_id", Integer, nullable=False),
    UniqueConstraint("content_sha256", "result_ordinal", "ordinal", name="uq_invoices_position"),
    Index("ix_invoices_identity", "identity"),
    Index("ix_invoices_number", "invoice_number"),
)

locks = Table(
    "locks",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("token", String(64), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("acquired_at", Float, nullable=False),  # epoch seconds
    Column("heartbeat_at", Float, nullable=False),
    Column("run_id", Integer),
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    # Version 1 is the tables above. When the schema changes, freeze these definitions here and express the
    # change as the next migration (ALTER TABLE …), never by editing what version 1 creates.
    metadata.create_all(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "files, contents, results, invoices, runs, locks", _v1),
]
SCHEMA_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The store's schema version: 0 for an empty database."""
    if not inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else 0


def set_version(conn: Connection, version: int) -> None:
    updated = conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(version)))
    if updated.rowcount == 0:
        conn.execute(meta.insert().values(key="schema_version", value=str(version)))


def serialize_migrations(conn: Connection) -> None:
    """Inside a migration's transaction: make concurrent openers of a new PostgreSQL store wait their turn."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7007007)"))
