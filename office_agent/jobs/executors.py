"""Where the reading happens: ``local`` (the project's supervised process pool on this machine, the default) or
``dask://HOST:PORT`` (a Dask distributed cluster). Either way the results come back to the coordinator, which alone
writes the store, one file per transaction, as they arrive.

A bounded number of tasks is in flight, so the coordinator's memory stays flat whatever the folder's size. A file
that kills its worker on its own (a reader crash, the OOM killer) or hangs is recorded as failed, so it does not
take the next night down too (``--reprocess`` tries it again). Dask workers need office-agent installed and the
input paths mounted at the same place as on the coordinator; Dask tasks carry a few files each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any, Protocol

from office_agent.batch import default_workers
from office_agent.config import Limits
from office_agent.jobs.errors import JobError
from office_agent.jobs.work import FileOutcome, FileTask, ResultRow, process_chunk, process_task
from office_agent.models import DocFormat, Status
from office_agent.pool import SupervisedPool, default_memory_limit
from office_agent.settings import Settings

log = logging.getLogger(__name__)

Chunk = list[FileTask]


class Executor(Protocol):
    description: str
    slots: int  # tasks that can usefully run at once

    def map(self, chunks: Iterable[Chunk], limits: Limits, settings: Settings | None) -> Iterator[list[FileOutcome]]:
        """Outcomes of every chunk, in completion order."""
        ...

    def close(self) -> None: ...


def crashed(chunk: Chunk, why: str, final: bool) -> list[FileOutcome]:
    """Outcomes for a chunk whose worker died: retried next run, or (``final``) recorded as a failed file."""
    out = []
    for t in chunk:
        o = FileOutcome(t.path, t.sha256, t.size, t.mtime_ns)
        if final:
            reason = f"the reader crashed on this file ({why}); run with --reprocess to try it again"
            o.results = [ResultRow("", t.sha256, DocFormat.UNKNOWN.value, Status.FAILED.value, reason)]
        else:
            o.problem = f"its worker crashed ({why}); it is read again on the next run"
        out.append(o)
    return out


class InlineExecutor:
    """``workers = 0``: read in this process (debugging, notebooks; a reader crash takes the run down, the store
    stays consistent)."""

    description = "local:0 (in-process)"
    slots = 1

    def map(self, chunks: Iterable[Chunk], limits: Limits, settings: Settings | None) -> Iterator[list[FileOutcome]]:
        for chunk in chunks:
            yield process_chunk(chunk, limits, settings)

    def close(self) -> None:
        pass


def failed_outcome(task: FileTask, reason: str) -> FileOutcome:
    """A file the pool gave up on (it hung, or crashed its worker on its own): stored as failed, not retried."""
    return crashed([task], reason, final=True)[0]


class LocalExecutor:
    """The project's supervised process pool on this machine (``office_agent.pool``): a file that hangs past
    ``limits.file_timeout_s``, crashes its worker or exhausts ``limits.worker_memory_bytes`` costs that file only."""

    def __init__(self, workers: int) -> None:
        self.slots = workers
        self.description = f"local:{workers}"

    def map(self, chunks: Iterable[Chunk], limits: Limits, settings: Settings | None) -> Iterator[list[FileOutcome]]:
        tasks = [t for chunk in chunks for t in chunk]
        pool: SupervisedPool[FileTask, FileOutcome] = SupervisedPool(
            partial(process_task, limits=limits, settings=settings),
            failed_outcome,
            workers=self.slots,
            timeout_s=limits.file_timeout_s,
            memory_bytes=limits.worker_memory_bytes or default_memory_limit(),
        )
        for outcome in pool.map(tasks):
            yield [outcome]

    def close(self) -> None:
        pass


class DaskExecutor:
    """Tasks on a Dask distributed cluster; ``address`` is ``tcp://host:port`` (what ``dask://`` becomes).

    At most ``2 × slots`` chunks in flight; a chunk whose worker died (the scheduler gives up after its own
    retries) is sent again one file per task, and a file that fails alone is recorded as failed.
    """

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client, as_completed
        except ImportError as exc:
            raise JobError("the dask executor needs dask.distributed: pip install 'dask[distributed]'") from exc
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except OSError as exc:
            raise JobError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        if not self._client.nthreads():
            self._client.wait_for_workers(1, timeout=timeout)
        self.slots = max(1, sum(self._client.nthreads().values()))
        self.description = f"dask:{address} ({self.slots} worker threads)"
        self._done = as_completed(loop=self._client.loop)

    def _submit(self, chunk: Chunk, limits: Limits, settings: Settings | None) -> Any:
        fut = self._client.submit(process_chunk, chunk, limits, settings, pure=False)
        self._done.add(fut)
        return fut

    def map(self, chunks: Iterable[Chunk], limits: Limits, settings: Settings | None) -> Iterator[list[FileOutcome]]:
        source = iter(chunks)
        retries: list[Chunk] = []
        pending: dict[Any, tuple[Chunk, bool]] = {}  # future → (its files, sent alone after a crash)
        try:
            while True:
                while len(pending) < 2 * self.slots:
                    alone = bool(retries)
                    chunk = retries.pop() if retries else next(source, None)
                    if chunk is None:
                        break
                    pending[self._submit(chunk, limits, settings)] = (chunk, alone)
                if not pending:
                    return
                fut = next(self._done)
                chunk, alone = pending.pop(fut)
                try:
                    outcomes = fut.result()
                except Exception as exc:  # KilledWorker after the scheduler's retries, a lost connection…
                    why = f"{type(exc).__name__}: {exc}"
                    if alone or len(chunk) == 1:
                        log.error("a Dask worker died reading %s (%s)", chunk[0].path, why)
                        outcomes = crashed(chunk, why, final=alone or len(chunk) == 1)
                    else:
                        log.warning("a Dask task of %d files failed (%s): sending them one by one", len(chunk), why)
                        retries.extend([t] for t in chunk)
                        continue
                finally:
                    fut.release()
                yield outcomes
        finally:
            if pending:
                self._client.cancel(list(pending))

    def close(self) -> None:
        self._client.close()


def dask_address(spec: str) -> str:
    hostport = spec.removeprefix("dask://")
    return f"tcp://{hostport}" if ":" in hostport else f"tcp://{hostport}:8786"


def make_executor(spec: str, workers: int | None = None) -> Executor:
    """``local`` (``workers`` processes, default all cores; 0 reads in this process) or ``dask://HOST:PORT``."""
    if spec == "local":
        n = default_workers() if workers is None else max(0, workers)
        return InlineExecutor() if n == 0 else LocalExecutor(n)
    if spec.startswith("dask://"):
        return DaskExecutor(dask_address(spec))
    raise JobError(f"unknown executor {spec!r}: use 'local' or 'dask://HOST:PORT'")


def chunked(tasks: Iterable[FileTask], size: int) -> Iterator[Chunk]:
    chunk: Chunk = []
    for t in tasks:
        chunk.append(t)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def chunk_size_for(total: int, slots: int, dask: bool = False) -> int:
    """Enough chunks to keep every slot busy to the end, few enough that task overhead stays small."""
    upper = 32 if dask else 16
    return max(1, min(upper, total // max(1, slots * 4)))
