"""Outputs under faults: a full disk or a read-only folder gives a clear error, and the previous files survive.

(Tests run as root in CI, where a chmod'ed folder stays writable, so the faults are injected at the system-call
boundary instead: the code under test is the same.)
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from factories import einvoice

from office_agent.batch import run_batch
from office_agent.errors import OutputError
from office_agent.generate.ledger import atomic_write, write_ledger


def test_atomic_write_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "ledger.csv"
    target.write_text("old", encoding="utf-8")
    with atomic_write(target) as fh:
        fh.write("new")
        assert target.read_text(encoding="utf-8") == "old"  # a reader meanwhile sees the old file whole
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.csv"]  # no temporary file left behind


def test_disk_full_keeps_the_previous_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    result = run_batch([tmp_path / "in"], workers=0)
    out = tmp_path / "out"
    write_ledger(result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device") as info:
        write_ledger(result, out)
    assert "ledger" in str(info.value) and "unchanged" in str(info.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_read_only_output_folder_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with (
        pytest.raises(OutputError, match=f"cannot write into {tmp_path}: Read-only file system"),
        atomic_write(tmp_path / "ledger.xlsx", "wb"),
    ):
        pass


def test_cli_reports_an_unwritable_output_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(einvoice("25000000000000000001", "106.00"))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "office_agent", "ledger", str(tmp_path / "a.xml"), "-o", str(blocker / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "cannot write into" in proc.stderr and "Not a directory" in proc.stderr and "Traceback" not in proc.stderr
