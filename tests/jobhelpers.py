"""Helpers and fixtures for the scheduled-job tests (tests/test_jobs_*.py): invoice files, job files, the CLI in a
subprocess, and a throwaway PostgreSQL server."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import einvoice

from office_agent.jobs.jobfile import Job, job_from_dict

ROOT = Path(__file__).resolve().parents[1]
PG_SCRIPT = ROOT / "scripts" / "start_test_postgres.sh"


def number(i: int) -> str:
    return f"25{i:018d}"


def write_invoices(folder: Path, start: int, count: int, prefix: str = "inv") -> dict[str, Path]:
    """``count`` invoice files numbered from ``start``; returns invoice number → path."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in range(start, start + count):
        path = folder / f"{prefix}{i:05d}.xml"
        path.write_bytes(einvoice(number(i), f"{100 + i % 900}.00"))
        out[number(i)] = path
    return out


def make_job(tmp: Path, **extra: Any) -> Job:
    data: dict[str, Any] = {"inputs": [str(tmp / "inbox")], "output": str(tmp / "out"), "workers": 1}
    data.update(extra)
    return job_from_dict(data, base=tmp)


def write_job_file(tmp: Path, **extra: Any) -> Path:
    lines = ['inputs = ["inbox"]', 'output = "out"']
    for key, value in extra.items():
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    path = tmp / "job.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli_command(*args: str) -> list[str]:
    """``office-agent ARGS`` (the job commands are registered with the rest)."""
    return [sys.executable, "-m", "office_agent", *args]


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(cli_command(*args), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def ledger_numbers(out: Path) -> list[str]:
    """Invoice numbers of the records counted in ledger.jsonl (duplicates and failure rows left out)."""
    rows = [json.loads(line) for line in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["invoice_number"] for r in rows if r["invoice_number"] and not r.get("duplicate_of")]


# -- PostgreSQL ----------------------------------------------------------------------------------------------------


def _reachable(url: str) -> str | None:
    import sqlalchemy as sa

    from office_agent.jobs.store import normalize_url

    try:
        engine = sa.create_engine(normalize_url(url))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server URL: $OFFICE_AGENT_TEST_PG_URL, else a throwaway cluster started for this session.

    Skips (saying why, in the test summary and on stderr) only when neither works.
    """
    reasons = []
    given = os.environ.get("OFFICE_AGENT_TEST_PG_URL")
    if given:
        why = _reachable(given)
        if why is None:
            yield given
            return
        reasons.append(f"OFFICE_AGENT_TEST_PG_URL={given} cannot be reached ({why})")
    folder = tempfile.mkdtemp(prefix="office-agent-pg-")
    proc = subprocess.run(["bash", str(PG_SCRIPT), "start", folder], capture_output=True, text=True, timeout=180)
    if proc.returncode != 0:
        reasons.append(f"{PG_SCRIPT.name} could not start a server: {proc.stderr.strip()[-500:]}")
        message = "no PostgreSQL server: " + "; ".join(reasons)
        print(message, file=sys.stderr)
        pytest.skip(message)
    try:
        yield proc.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(PG_SCRIPT), "stop", folder], capture_output=True, timeout=60)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server (dropped afterwards)."""
    import sqlalchemy as sa

    from office_agent.jobs.store import normalize_url

    name = f"oa_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(normalize_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(normalize_url(pg_server)).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
