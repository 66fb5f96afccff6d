"""The folder watcher: a file is read once it has stopped growing, never half-written."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from jobhelpers import einvoice, ledger_numbers, make_job, number, write_invoices

from office_agent.jobs.report import RunReport
from office_agent.jobs.watch import StabilityTracker, watch


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_file_is_ready_only_after_it_stops_growing(tmp_path: Path) -> None:
    clock = FakeClock()
    tracker = StabilityTracker(settle=2.0, clock=clock)
    path = tmp_path / "a.xml"
    path.write_bytes(b"<EInvoice>")
    tracker.touch(path)
    clock.now = 1.5
    assert tracker.ready() == []
    with path.open("ab") as fh:  # still growing: its clock starts again
        fh.write(b"<Header/>")
    clock.now = 3.0
    assert tracker.ready() == []
    clock.now = 4.9
    assert tracker.ready() == []
    clock.now = 5.1
    assert tracker.ready() == [path] and len(tracker) == 0
    gone = tmp_path / "gone.xml"
    gone.write_bytes(b"x")
    tracker.touch(gone)
    gone.unlink()
    clock.now = 10.0
    assert tracker.ready() == [] and len(tracker) == 0  # vanished before it settled


def test_the_watcher_reads_files_as_they_land(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 0, 2)
    job = make_job(tmp_path, options={"settle_seconds": 0.5})
    reports: list[RunReport] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, kwargs={"job": job, "stop": stop, "poll": 0.1, "on_report": reports.append})
    thread.start()
    try:
        _wait(lambda: len(reports) >= 1)
        assert reports[0].counts["new"] == 2  # the catch-up run
        data = einvoice(number(7), "70.00")
        path = tmp_path / "inbox" / "slow-scan.xml"
        with path.open("wb") as fh:  # written in three bursts, like a scanner or a sync client
            for part in (data[:100], data[100:300], data[300:]):
                fh.write(part)
                fh.flush()
                time.sleep(0.3)
        _wait(lambda: any(r.counts.get("new") for r in reports[1:]))
    finally:
        stop.set()
        thread.join(timeout=30)
    later = [r for r in reports[1:] if r.counts.get("scanned")]
    assert sum(r.counts.get("new", 0) for r in later) == 1 and not any(r.problems for r in later)
    assert all(r.counts.get("failed", 0) == 0 for r in later)  # never read half-written
    assert sorted(ledger_numbers(job.output)) == [number(0), number(1), number(7)]


def _wait(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")
