"""Crash safety: ``office-agent run`` killed with SIGKILL at random moments, again and again, while new files keep
landing; then one run to the end. No invoice lost, none counted twice, the store consistent, no half-written
ledger left behind."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from jobhelpers import cli_command, einvoice, number, write_invoices, write_job_file
from sqlalchemy import func, select

from office_agent.jobs.schema import contents, files, invoices, runs
from office_agent.jobs.store import Store

BUDGET_S = 35.0  # the killing part; the whole test stays under about a minute


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(20251121)
    inbox = tmp_path / "inbox"
    expected = set(write_invoices(inbox, 0, 500))
    job = write_job_file(tmp_path, workers=2)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    kills = finished = 0
    next_number = 500
    t0 = time.monotonic()
    while time.monotonic() - t0 < BUDGET_S:
        proc = subprocess.Popen(
            cli_command("run", str(job), "--json-logs"),
            cwd=tmp_path,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 3.0))
        if proc.poll() is None:
            target = proc.pid if rng.random() < 0.3 else -proc.pid  # the coordinator alone, or with its workers
            with contextlib.suppress(ProcessLookupError):
                os.kill(target, signal.SIGKILL) if target > 0 else os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        else:
            finished += 1
        proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # workers orphaned by a coordinator-only kill
        expected |= set(write_invoices(inbox, next_number, 60))  # more mail arrives between runs
        next_number += 60
        victim = inbox / f"inv{rng.randrange(next_number):05d}.xml"  # and someone replaces a file
        if victim.exists():
            old = victim.read_bytes()
            new_number = number(100_000 + next_number)
            victim.write_bytes(einvoice(new_number, "999.00"))
            expected.discard(next(n for n in expected if n.encode() in old))
            expected.add(new_number)
    assert kills >= 5, f"only {kills} runs were killed mid-way ({finished} finished on their own)"

    final = subprocess.run(cli_command("run", str(job)), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr

    with Store.open(tmp_path / "out" / "office-agent.sqlite") as store:
        assert store.check_integrity() == "ok"
        with store.reading() as conn:
            stored = Counter(conn.execute(select(invoices.c.invoice_number)).scalars())
            present = conn.execute(select(func.count()).select_from(files).where(files.c.state == "present")).scalar()
            n_contents = conn.execute(select(func.count()).select_from(contents)).scalar()
            statuses = Counter(conn.execute(select(runs.c.status)).scalars())
    live = Counter(n for n in stored if n in expected)
    assert set(live) == expected, f"lost: {sorted(expected - set(live))[:5]}"
    assert max(stored.values()) == 1, f"doubled: {[n for n, c in stored.items() if c > 1][:5]}"
    assert present == len(expected) and n_contents >= len(expected)
    assert statuses["running"] == 0 and statuses["ok"] >= 1
    print(f"{kills} runs killed, {finished} finished; run statuses {dict(statuses)}; {len(expected)} invoices")

    rows = [json.loads(x) for x in (tmp_path / "out" / "ledger.jsonl").read_text().splitlines()]
    counted = Counter(r["invoice_number"] for r in rows if r["invoice_number"] and not r.get("duplicate_of"))
    assert set(counted) == expected and max(counted.values()) == 1
    assert not list((tmp_path / "out").glob(".*.tmp"))  # no half-written ledger left by a killed run
