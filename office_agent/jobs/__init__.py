"""Scheduled batch jobs: incremental, crash-safe runs over a store, scaled out on a process pool or Dask.

Notebook / script use::

    from pathlib import Path
    from office_agent.jobs import load_job, run_job, Store

    job = load_job(Path("job.toml"))
    report = run_job(job)              # reads only what is new, regenerates the ledger from the store
    report.counts, report.vanished, report.exit_code()
    Store.open(job.store_url).stats()

Modules: ``jobfile`` (job.toml), ``store`` and ``schema`` (SQLAlchemy Core, migrations), ``lock`` (run lock with
heartbeat and stale takeover), ``work`` (what a worker does with one file), ``executors`` (local pool, Dask),
``runner`` (one run), ``report`` (what it did), ``rebuild`` (which files the ledger shows, and the in-memory
reference), ``stream`` (the ledger rebuilt from the store in bounded memory), ``seen`` (cross-run
duplicates), ``transfer`` (JSONL export/import), ``watch`` (a folder watcher), ``progress`` and ``logs`` (CLI).
"""

from __future__ import annotations

from office_agent.jobs.jobfile import Job, load_job
from office_agent.jobs.report import RunReport
from office_agent.jobs.runner import run_job
from office_agent.jobs.seen import StoreSeenIndex
from office_agent.jobs.store import Store

__all__ = ["Job", "RunReport", "Store", "StoreSeenIndex", "load_job", "run_job"]
