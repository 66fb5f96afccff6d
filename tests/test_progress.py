"""Progress on long commands (issue 15): ledger / extract / report draw a bar (files done of the total, the file
just read) when stderr is a terminal, nothing in a pipe; --quiet and --json-logs as ``office-agent run``."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from jobhelpers import write_invoices

from office_agent.jobs.progress import BatchProgress, NoProgress

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "160", "TERM": "xterm"}


def _in_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``office-agent ARGS`` with stderr on a pseudo-terminal; returns its exit code and what it drew."""
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "office_agent", *args], cwd=cwd, env=_env(), stdout=subprocess.PIPE,
                            stderr=child, stdin=subprocess.DEVNULL)  # fmt: skip
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    proc.wait(120)
    os.close(main)
    return proc.returncode, drawn.decode("utf-8", "replace")


@pytest.mark.slow
def test_ledger_draws_a_bar_in_a_terminal_and_nothing_in_a_pipe(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 1, 6)
    code, drawn = _in_a_terminal(["ledger", "inbox", "-o", "out", "-j", "1"], tmp_path)
    assert code == 0, drawn
    assert "reading" in drawn and "6/6" in drawn and "inv00006.xml" in drawn  # files done / total, the file
    piped = subprocess.run([sys.executable, "-m", "office_agent", "ledger", "inbox", "-o", "out2", "-j", "1"],
                           cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)  # fmt: skip
    assert piped.returncode == 0 and "reading" not in piped.stderr and "\x1b[" not in piped.stderr
    assert "6 files → 6 invoices" in piped.stderr
    code, drawn = _in_a_terminal(["ledger", "inbox", "-o", "out3", "-j", "1", "--quiet"], tmp_path)
    assert code == 0 and "reading" not in drawn and "invoices" not in drawn


@pytest.mark.slow
def test_json_logs_are_one_object_a_line_with_the_counts(tmp_path: Path) -> None:
    write_invoices(tmp_path / "inbox", 1, 3)
    for args in (["ledger", "inbox", "-o", "out"], ["extract", "inbox", "-o", "out/x.jsonl"],
                 ["report", "inbox", "-o", "out", "--no-thumbnails"]):  # fmt: skip
        code, drawn = _in_a_terminal([*args, "-j", "1", "--json-logs"], tmp_path)
        lines = [json.loads(line) for line in drawn.replace("\r", "").splitlines() if line.strip()]
        assert code == 0 and lines, drawn
        done = [r for r in lines if r.get("event") == "batch_finished"]
        assert done and done[0]["invoices"] == 3 and done[0]["files"] == 3, lines


def test_batch_progress_counts_files_and_ocr_pages() -> None:
    from office_agent.models import FileResult, Invoice, PageFrame, Status

    seen: list[tuple[str, object]] = []

    class Record(NoProgress):
        def start(self, phase: str, total: int) -> None:
            seen.append((phase, total))

        def advance(self, steps: int = 1, note: str | None = None) -> None:
            seen.append(("advance", note))

    frame = PageFrame(width=1, height=1, to_source=[1, 0, 0, 0, 1, 0, 0, 0, 1])
    scan = Invoice(source="scans/a.jpg", sha256="a", page_frame=frame)
    tracker = BatchProgress(Record())
    tracker(0, 2)
    tracker.file_done([FileResult(source="scans/a.jpg", status=Status.OK, invoices=[scan])])
    tracker.file_done([FileResult(source="b.xml", status=Status.OK)])
    assert seen == [("reading", 2), ("advance", "scans/a.jpg · OCR 1 pages"), ("advance", "b.xml · OCR 1 pages")]
