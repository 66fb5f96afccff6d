"""Fault injection: a file that crashes its worker, hangs or runs out of memory costs that file only."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from factories import einvoice

import office_agent.batch as batch
from office_agent.batch import run_batch
from office_agent.config import Limits
from office_agent.ingest.sources import Blob
from office_agent.models import FileResult, Status
from office_agent.pool import SupervisedPool


def square(x: int) -> int:
    if x == 13:
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies, as under the OOM killer
    if x == 7:
        time.sleep(60)
    if x == 5:
        raise ValueError("five")
    return x * x


def test_pool_isolates_crash_hang_and_error_in_order() -> None:
    pool = SupervisedPool(square, lambda x, why: -1000 - x, workers=2, timeout_s=2.0)
    start = time.monotonic()
    out = list(pool.map(list(range(16))))
    assert time.monotonic() - start < 30
    assert out[13] == -1013 and out[7] == -1007 and out[5] == -1005
    assert [v for i, v in enumerate(out) if i not in (5, 7, 13)] == [i * i for i in range(16) if i not in (5, 7, 13)]


def faulty_process_blob(blob: Blob, limits: Limits | None = None, settings: object = None) -> FileResult:
    name = blob.source.rsplit("/", 1)[-1]
    if name == "crash.xml":
        os.kill(os.getpid(), signal.SIGKILL)
    if name == "hang.xml":
        time.sleep(120)
    if name == "oom.xml":
        hog = [bytearray(64 * 1024 * 1024) for _ in range(1024)]  # 64 GiB: far past the worker's cap
        del hog
    return ORIGINAL(blob, limits or Limits(), settings)  # type: ignore[arg-type]


ORIGINAL = batch.process_blob


@pytest.mark.slow
def test_engine_faults_cost_only_their_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i, name in enumerate(["a.xml", "crash.xml", "hang.xml", "oom.xml", "z.xml"]):
        (tmp_path / name).write_bytes(einvoice(f"2500000000000000000{i}", "106.00"))
    monkeypatch.setattr(batch, "process_blob", faulty_process_blob)
    limits = Limits(file_timeout_s=3.0, worker_memory_bytes=1024**3)
    result = run_batch([tmp_path], workers=2, limits=limits)
    by_name = {f.source.rsplit("/", 1)[-1]: f for f in result.files}
    assert by_name["a.xml"].status == Status.OK and by_name["z.xml"].status == Status.OK
    assert by_name["crash.xml"].status == Status.FAILED and "worker process died" in (by_name["crash.xml"].reason or "")
    assert by_name["hang.xml"].status == Status.FAILED and "timed out" in (by_name["hang.xml"].reason or "")
    assert by_name["oom.xml"].status == Status.FAILED and "MemoryError" in (by_name["oom.xml"].reason or "")
    assert sorted(i.invoice_number for i in result.invoices) == ["25000000000000000000", "25000000000000000004"]
