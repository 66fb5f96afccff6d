"""An incremental, crash-safe run of a job: read what is new, remember it, regenerate the ledger from the store.

1. Scan the inputs. A file whose path, size and mtime the store already knows is not even opened.
2. Hash the others. Content the store has already read (a rename, a copy, a file touched but not changed) is
   noted under its new path and costs nothing more.
3. Send the new contents to the executor; each result is written in its own transaction as it comes back, with
   the run lock's token checked in the same transaction. A run killed at any point has stored whole files only;
   the next run reads the rest.
4. Files the store knew that are gone are marked vanished and reported (their invoices stay in the ledger, with a
   warning, unless the job says ``vanished = "drop"``).
5. The ledger is regenerated from the store, and only when something changed: the same job twice in a row
   changes nothing.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from office_agent.corrections import corrections_path, load_corrections
from office_agent.corrections import digest as correction_digest
from office_agent.ingest.sources import InputFile, discover
from office_agent.jobs.errors import JobError, OutputError
from office_agent.jobs.executors import Executor, chunk_size_for, chunked, make_executor
from office_agent.jobs.jobfile import Job
from office_agent.jobs.lock import RunLock
from office_agent.jobs.progress import NoProgress, Progress
from office_agent.jobs.rebuild import plan_ledger
from office_agent.jobs.report import RunReport
from office_agent.jobs.store import FileRow, Store, normalize_url
from office_agent.jobs.stream import write_store_ledger
from office_agent.jobs.work import FileOutcome, FileTask, hash_file
from office_agent.models import FileResult, Status
from office_agent.settings import Settings

log = logging.getLogger(__name__)

LEDGER_NAMES = ("ledger.xlsx", "ledger.csv", "ledger.jsonl")
FLUSH_FILES = 64  # files per write transaction, at most…
FLUSH_SECONDS = 0.5  # …and results wait at most this long to be written


def check_writable(folder: Path) -> None:
    """Fail before any work when the ledger could not be written at the end (read-only folder, no such mount)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".office-agent-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(
            f"output folder {folder} is not writable ({exc.strerror or exc}): fix its permissions or choose "
            "another output; nothing was read and the store is unchanged"
        ) from exc


def remove_stale_temps(folder: Path) -> int:
    """Temporary files of a ledger write that was killed (``atomic_write`` cleans up unless SIGKILLed)."""
    n = 0
    for name in LEDGER_NAMES:
        for tmp in folder.glob(f".{name}.*.tmp"):
            tmp.unlink(missing_ok=True)
            n += 1
    for probe in folder.glob(".office-agent-probe.*"):
        probe.unlink(missing_ok=True)
    return n


def _store_files(url: str) -> list[Path]:
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return []
    db = Path(parsed.database)
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), db.with_name(db.name + "-journal")]


class _Run:
    """The state of one run while it goes (kept apart from :func:`run_job` to keep each step small)."""

    def __init__(self, job: Job, store: Store, lock: RunLock, executor: Executor, progress: Progress, **kw: Any):
        self.job, self.store, self.lock, self.executor, self.progress = job, store, lock, executor, progress
        self.settings: Settings = kw["settings"]
        self.digest: str = kw["digest"]
        self.reprocess: bool = kw["reprocess"]
        self.only: Sequence[Path] | None = kw["only"]
        self.report = RunReport(run_id=0, store=store.url, executor=executor.description)
        self.refused: list[FileResult] = []
        self.seen_paths: set[str] = set()
        self.rows: dict[str, FileRow] = {}
        self.noted: list[tuple[str, str]] = []  # (path, sha) of known contents under a path new to them
        self.digests: dict[str, str] = {}  # sha256 → config digest, of every content in the store
        self._outcomes: list[tuple[FileOutcome, list[tuple[str, int, int]]]] = []  # read, not yet written
        self._files: list[FileRow] = []  # file rows not yet written
        self._written: set[str] = set()
        self._since = 0.0

    @property
    def run_id(self) -> int:
        return self.report.run_id

    def count(self, key: str, n: int = 1) -> None:
        self.report.counts[key] = self.report.counts.get(key, 0) + n

    # -- 1. scan ---------------------------------------------------------------------------------------------------

    def scan(self) -> list[InputFile]:
        found, refused = discover(list(self.only) if self.only is not None else self.job.inputs, [self.job.output])
        patterns = self.job.options.exclude
        store_files = {str(p) for p in _store_files(self.job.store_url)}
        kept = [
            f for f in found
            if f.source not in store_files and not any(fnmatch.fnmatch(f.path.name, p) for p in patterns)
        ]  # fmt: skip
        self.refused = refused
        self.count("scanned", len(kept))
        return kept

    # -- 2. hash ---------------------------------------------------------------------------------------------------

    def plan(self, found: list[InputFile]) -> dict[str, list[tuple[str, int, int]]]:
        """sha256 → the paths (with size, mtime) whose content needs reading."""
        self.rows = self.store.file_rows()
        self.digests = self.store.content_digests()
        to_hash: list[tuple[str, os.stat_result]] = []
        for f in found:
            path = f.source
            try:
                st = f.path.stat()
            except OSError:
                continue  # gone since the scan: counted as vanished below when the store knew it
            self.seen_paths.add(path)
            row = self.rows.get(path)
            if (
                not self.reprocess and row is not None and row.state == "present" and row.sha256 is not None
                and (row.size, row.mtime_ns) == (st.st_size, st.st_mtime_ns)
                and self.digests.get(row.sha256) == self.digest
            ):  # fmt: skip
                self.count("unchanged")
                continue
            to_hash.append((path, st))
        work: dict[str, list[tuple[str, int, int]]] = {}
        self.progress.start("hashing", len(to_hash))
        for path, st in to_hash:
            self._hash_one(path, st, work)
            self.progress.advance()
        self._flush()
        return work

    def _hash_one(self, path: str, st: os.stat_result, work: dict[str, Any]) -> None:
        limit = self.job.limits.max_file_bytes
        if st.st_size > limit:
            self._unreadable(path, st, f"file is {st.st_size:,} bytes, over the limit of {limit:,}")
            return
        try:
            sha, size, mtime = hash_file(path)
        except FileNotFoundError:
            self.seen_paths.discard(path)
            return
        except OSError as exc:
            self._unreadable(path, st, f"cannot be read ({exc.strerror or exc})")
            return
        if not self.reprocess and self.digests.get(sha) == self.digest:
            self._put_file(path, sha, size, mtime)
            old = self.rows.get(path)
            if old is not None and old.sha256 == sha:
                self.count("touched" if old.state == "present" else "returned")
            else:
                self.noted.append((path, sha))
            return
        work.setdefault(sha, []).append((path, size, mtime))

    def _unreadable(self, path: str, st: os.stat_result, reason: str) -> None:
        self._put_file(path, None, st.st_size, st.st_mtime_ns, "unreadable", reason)
        self.count("unreadable")
        log.warning("%s: %s", path, reason, extra={"event": "file_unreadable", "file": path})

    def _put_file(
        self, path: str, sha: str | None, size: int, mtime: int, state: str = "present", reason: str | None = None
    ) -> None:
        """Queue a file row (written by :meth:`_flush`)."""
        old = self.rows.get(path)
        changed = old is None or old.sha256 != sha or old.state != state
        row = FileRow(
            path=path, sha256=sha, size=size, mtime_ns=mtime, state=state, reason=reason,
            first_run=old.first_run if old else self.run_id,
            changed_run=self.run_id if changed or old is None else old.changed_run, vanished_run=None,
        )  # fmt: skip
        self._files.append(row)
        if len(self._files) >= FLUSH_FILES:
            self._flush()

    # -- 3. read ---------------------------------------------------------------------------------------------------

    def read(self, work: dict[str, list[tuple[str, int, int]]]) -> None:
        tasks = [FileTask(paths[0][0], sha, paths[0][1], paths[0][2]) for sha, paths in work.items()]
        if not tasks:
            return
        dask = self.executor.description.startswith("dask")
        size = self.job.options.chunk_size or chunk_size_for(len(tasks), self.executor.slots, dask)
        self.progress.start("reading", len(tasks))
        for outcomes in self.executor.map(chunked(tasks, size), self.job.limits, self.settings):
            for outcome in outcomes:
                self._take(outcome, work[outcome.sha256][1:])
                self.progress.advance()
            if len(self._outcomes) >= FLUSH_FILES or time.monotonic() - self._since >= FLUSH_SECONDS:
                self._flush()
        self._flush()

    def _take(self, o: FileOutcome, copies: list[tuple[str, int, int]]) -> None:
        if o.problem:
            if o.vanished:
                self.seen_paths.discard(o.path)
            self.report.problems.append((o.path, o.problem))
            self.count("problems")
            log.warning("%s: %s", o.path, o.problem, extra={"event": "file_problem", "file": o.path})
            return
        if not self._outcomes:
            self._since = time.monotonic()
        self._outcomes.append((o, copies))
        for path, size, mtime in [(o.path, o.size, o.mtime_ns), *copies]:
            self._put_file(path, o.sha256, size, mtime)

    def _flush(self) -> None:
        """Write what is queued in one transaction, under the lock's token: whole files, or nothing."""
        if not (self._outcomes or self._files):
            return
        with self.store.transaction() as conn:
            self.lock.check(conn)
            outcomes = [o for o, _ in self._outcomes]
            self.store.save_contents(conn, outcomes, self.run_id, self.digest, replace=self.digests)
            self.store.put_files(conn, self._files, known=self._known_paths())
        for o, copies in self._outcomes:
            self._count_read(o, copies)
            self.digests[o.sha256] = self.digest
        for row in self._files:
            self._written.add(row.path)
        self._outcomes, self._files = [], []

    def _known_paths(self) -> set[str]:
        return self._written | self.rows.keys()

    def _count_read(self, o: FileOutcome, copies: list[tuple[str, int, int]]) -> None:
        old = self.rows.get(o.path)
        if old is not None and old.sha256 == o.sha256:
            self.count("reread")
        elif old is not None and old.sha256 is not None:
            self.count("changed")
            self.report.changed_files.append(o.path)
        else:
            self.count("new")
            self.report.new_files.append(o.path)
        self.count("invoices_read", sum(len(r.invoices) for r in o.results))
        if o.status in (Status.FAILED.value, Status.SKIPPED.value):
            self.count(o.status)
        self.report.copies.extend(p for p, _, _ in copies)
        self.count("copies", len(copies))
        log.debug("%s: %s", o.path, o.status, extra={"event": "file_read", "file": o.path, "status": o.status})

    # -- 4. vanished -----------------------------------------------------------------------------------------------

    def vanish(self) -> None:
        if self.only is not None:
            return  # a partial run (the watcher's) cannot tell what is gone
        gone = sorted(p for p, r in self.rows.items() if r.state != "vanished" and p not in self.seen_paths)
        if gone:
            with self.store.transaction() as conn:
                self.lock.check(conn)
                self.store.mark_vanished(conn, gone, self.run_id)
            for p in gone:
                log.info("%s: vanished", p, extra={"event": "file_vanished", "file": p})
        self.report.vanished = gone
        self.count("vanished", len(gone))
        gone_by_sha = {self.rows[p].sha256: p for p in gone}
        present_shas = {r.sha256 for p, r in self.rows.items() if r.state == "present" and p in self.seen_paths}
        for path, sha in self.noted:
            if sha in gone_by_sha:
                self.report.renamed.append((gone_by_sha[sha], path))
                self.count("renamed")
            elif sha in present_shas:
                self.report.copies.append(path)
                self.count("copies")
            else:
                self.count("returned")

    # -- 5. ledger -------------------------------------------------------------------------------------------------

    def ledger(self) -> None:
        out = self.job.output
        fixes = load_corrections(corrections_path(out))  # a person's corrections, kept beside the job's ledger
        plan = plan_ledger(
            self.store.file_rows().values(),
            self.store.content_info(),
            self.job.options.vanished == "keep",
            self.refused,
            self.digest + (correction_digest(fixes) if fixes else ""),
        )
        key = f"ledger:{out.resolve()}"
        last = json.loads(self.store.get_meta(key) or "{}")
        if last.get("digest") == plan.digest and all((out / n).is_file() for n in LEDGER_NAMES):
            self.report.ledger = last["summary"]
            return
        self.progress.start("ledger", 0)
        try:
            written, summary = write_store_ledger(self.store, plan, out, settings=self.settings, corrections=fixes)
        except OSError as exc:
            raise OutputError(
                f"cannot write the ledger into {out}: {exc.strerror or exc}. The store is intact (everything read "
                "so far is kept): fix the output folder and run again; nothing is read twice"
            ) from exc
        self.report.ledger = summary
        self.report.ledger_written = True
        self.report.outputs = list(written.values())
        with self.store.transaction() as conn:
            self.lock.check(conn)
            self.store.set_meta(conn, key, json.dumps({"digest": plan.digest, "summary": self.report.ledger}))


def run_job(
    job: Job, *, executor: Executor | None = None, progress: Progress | None = None,
    only: Sequence[Path] | None = None, reprocess: bool = False,
) -> RunReport:  # fmt: skip
    """Run ``job`` once. Raises :class:`JobLocked` when another run holds the store, a :class:`JobError` when the
    run cannot go on (the store stays consistent); per-file problems are in the report, never raised.

    ``only``: read just these files (the watcher's runs); vanished files are then not looked for.
    ``reprocess``: read every file again (after an upgrade of office-agent, say).
    """
    t0 = time.perf_counter()
    progress = progress or NoProgress()
    check_writable(job.output)
    settings = job.settings()
    store = Store.open(job.store_url)
    own_executor = executor is None
    try:
        with RunLock(
            store, heartbeat_s=job.options.heartbeat_seconds, stale_after=job.options.stale_lock_seconds
        ) as lk:
            executor = executor or make_executor(job.executor, job.workers)
            run = _Run(
                job,
                store,
                lk,
                executor,
                progress,
                settings=settings,
                digest=job.config_digest(settings),
                reprocess=reprocess,
                only=only,
            )
            run.report.took_over_lock = lk.took_over
            remove_stale_temps(job.output)
            run.report.run_id = store.start_run(job.name, executor.description)
            with store.transaction() as conn:
                lk.check(conn, run.run_id)
            store.interrupt_stale_runs(run.run_id)
            log.info(
                "run %d started",
                run.run_id,
                extra={"event": "run_started", "run_id": run.run_id, "job": job.name, "executor": executor.description},
            )
            _steps(run)
            run.report.seconds = time.perf_counter() - t0
            status = {0: "ok", 1: "partial"}.get(run.report.exit_code(), "failed")
            store.finish_run(run.run_id, status, run.report.counts)
            log.info("run %d finished: %s", run.run_id, status, extra={"event": "run_finished", **run.report.summary()})
            return run.report
    finally:
        if own_executor and executor is not None:
            executor.close()
        store.close()
        progress.close()


def _steps(run: _Run) -> None:
    timings = run.report.timings
    try:
        t = time.perf_counter()
        found = run.scan()
        timings["scan"] = time.perf_counter() - t
        work = run.plan(found)
        timings["hash"] = time.perf_counter() - t - timings["scan"]
        t = time.perf_counter()
        run.read(work)
        timings["read"] = time.perf_counter() - t
        t = time.perf_counter()
        run.vanish()
        run.ledger()
        timings["ledger"] = time.perf_counter() - t
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        message = str(exc) or type(exc).__name__
        try:
            run.store.finish_run(run.run_id, status, run.report.counts, message)
        except JobError as again:  # the store itself failed: the next run marks this one interrupted
            log.warning("could not record the end of run %d: %s", run.run_id, again)
        raise
