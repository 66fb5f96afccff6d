"""``office-agent watch``: read files as they land in a folder, once they have stopped growing.

A scanner or a sync client writes a file over seconds or minutes; reading it half-written would fail it (or
worse, read a truncated XML). So every event (created, modified, moved in, closed) only restarts that file's
clock, and the file is read once its size and mtime stayed the same for ``settle_seconds``. Then an incremental
run over just the ready files stores them and regenerates the ledger. The watcher starts with a full run (files
that came while it was not watching) and does a full one again every ``rescan_seconds`` (vanished files, and any
event the operating system dropped).
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from office_agent.jobs.errors import JobLocked
from office_agent.jobs.executors import Executor, make_executor
from office_agent.jobs.jobfile import Job
from office_agent.jobs.report import RunReport
from office_agent.jobs.runner import run_job

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class StabilityTracker:
    """Files become ready once their (size, mtime) stayed the same for ``settle`` seconds."""

    def __init__(self, settle: float, clock: Clock = time.monotonic) -> None:
        self.settle = settle
        self.clock = clock
        self._pending: dict[Path, tuple[tuple[int, int] | None, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _signature(path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def touch(self, path: Path) -> None:
        """Something happened to ``path``: (re)start its clock."""
        with self._lock:
            self._pending[path] = (self._signature(path), self.clock())

    def ready(self) -> list[Path]:
        """The files that have stopped changing; they leave the tracker. Vanished ones are dropped."""
        now = self.clock()
        out = []
        with self._lock:
            for path, (sig, since) in list(self._pending.items()):
                current = self._signature(path)
                if current is None:
                    del self._pending[path]
                elif current != sig:
                    self._pending[path] = (current, now)
                elif now - since >= self.settle:
                    out.append(path)
                    del self._pending[path]
        return sorted(out)

    def __len__(self) -> int:
        return len(self._pending)


class _Events(FileSystemEventHandler):
    def __init__(self, tracker: StabilityTracker, job: Job) -> None:
        self.tracker = tracker
        self.exclude = job.options.exclude
        self.output = job.output.resolve()

    def _note(self, raw: str | bytes) -> None:
        path = Path(raw.decode() if isinstance(raw, bytes) else raw)
        if any(fnmatch.fnmatch(path.name, p) for p in self.exclude):
            return
        if path.resolve() == self.output or self.output in path.resolve().parents:
            return
        if path.is_file() and not path.is_symlink():
            self.tracker.touch(path)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("deleted", "opened", "closed_no_write"):
            return
        self._note(event.dest_path if event.event_type == "moved" else event.src_path)


def watch(
    job: Job, *, stop: threading.Event | None = None, poll: float = 0.5, rescan_seconds: float = 3600.0,
    on_report: Callable[[RunReport], None] | None = None, executor: Executor | None = None,
) -> int:  # fmt: skip
    """Watch the job's input folders until ``stop`` is set (or Ctrl-C). Returns the number of runs made."""
    stop = stop or threading.Event()
    tracker = StabilityTracker(job.options.settle_seconds)
    own = executor is None
    executor = executor or make_executor(job.executor, job.workers)
    observer = Observer()
    for folder in job.inputs:
        if folder.is_dir():
            observer.schedule(_Events(tracker, job), str(folder), recursive=True)
        else:
            log.warning("%s is not a folder: not watched", folder)
    runs = 0
    observer.start()
    try:
        last_full = _run(job, executor, None, on_report)
        runs += last_full is not None
        last_full_at = time.monotonic()
        while not stop.wait(poll):
            if time.monotonic() - last_full_at >= rescan_seconds:
                if _run(job, executor, None, on_report) is not None:
                    runs += 1
                    last_full_at = time.monotonic()
                continue
            ready = tracker.ready()
            if not ready:
                continue
            if _run(job, executor, ready, on_report) is None:
                for path in ready:  # another run holds the store: try these again shortly
                    tracker.touch(path)
            else:
                runs += 1
    finally:
        observer.stop()
        observer.join(timeout=5)
        if own:
            executor.close()
    return runs


def _run(
    job: Job, executor: Executor, only: list[Path] | None, on_report: Callable[[RunReport], None] | None
) -> RunReport | None:
    try:
        report = run_job(job, executor=executor, only=only)
    except JobLocked as exc:
        log.info("%s; retrying shortly", exc)
        return None
    if on_report is not None:
        on_report(report)
    return report
