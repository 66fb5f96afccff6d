"""One run per store: a live lock refuses (exit code 4), a stale one (dead pid, or no heartbeat) is taken over,
and a run whose lock was taken over stops at its next write."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jobhelpers import make_job, run_cli, write_invoices, write_job_file
from sqlalchemy import select

from office_agent.errors import ExitCode
from office_agent.jobs.errors import JobLocked, LockLost
from office_agent.jobs.lock import RunLock
from office_agent.jobs.runner import run_job
from office_agent.jobs.schema import locks
from office_agent.jobs.store import Store


def _plant(store: Store, pid: int, host: str, heartbeat_age: float) -> None:
    now = time.time()
    with store.transaction() as conn:
        conn.execute(locks.delete())
        conn.execute(
            locks.insert().values(
                name="run",
                token="planted",
                pid=pid,
                host=host,
                acquired_at=now - 3600,
                heartbeat_at=now - heartbeat_age,
                run_id=None,
            )
        )


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_live_lock_refuses_a_second_run(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store, RunLock(store), pytest.raises(JobLocked, match="by a run of"):
        RunLock(store).acquire()


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 2)
    job = make_job(tmp_path)
    with Store.open(job.store_url) as store:
        _plant(store, _dead_pid(), socket.gethostname(), heartbeat_age=1)
    report = run_job(job)
    assert report.took_over_lock is not None and "is gone" in report.took_over_lock
    assert report.counts["new"] == 2


def test_a_lock_without_heartbeat_is_taken_over_and_a_fresh_one_is_not(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        _plant(store, 1, "another-host", heartbeat_age=30)
        with pytest.raises(JobLocked, match="another-host"):
            RunLock(store, stale_after=60).acquire()
        _plant(store, 1, "another-host", heartbeat_age=600)
        lock = RunLock(store, stale_after=60)
        lock.acquire()
        assert lock.took_over is not None and "no heartbeat" in lock.took_over
        lock.release()
        with store.reading() as conn:
            assert conn.execute(select(locks)).first() is None  # released


def test_heartbeat_keeps_the_lock_fresh(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store, RunLock(store, heartbeat_s=0.05):
        with store.reading() as conn:
            first = conn.execute(select(locks.c.heartbeat_at)).scalar_one()
        time.sleep(0.4)
        with store.reading() as conn:
            assert conn.execute(select(locks.c.heartbeat_at)).scalar_one() > first


def test_a_run_whose_lock_was_taken_over_stops_writing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        lock = RunLock(store, heartbeat_s=60)
        lock.acquire()
        _plant(store, 1, "another-host", heartbeat_age=0)  # someone judged us stale and took over
        with pytest.raises(LockLost), store.transaction() as conn:
            lock.check(conn)
        assert lock.lost.is_set()
        lock.release()  # does not remove the new holder's lock
        with store.reading() as conn:
            assert conn.execute(select(locks.c.token)).scalar_one() == "planted"


def test_the_cli_exits_4_while_another_run_holds_the_store(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 1)
    job_file = write_job_file(tmp_path)
    with Store.open(tmp_path / "out" / "office-agent.sqlite") as store, RunLock(store, heartbeat_s=0.5):
        proc = run_cli("run", str(job_file), cwd=tmp_path)
    assert proc.returncode == ExitCode.LOCKED == 4, proc.stderr
    assert "locked" in proc.stderr
    again = run_cli("run", str(job_file), cwd=tmp_path)  # released: the next run goes through
    assert again.returncode == 0, again.stderr
