"""A supervised process pool: one file that hangs, crashes its worker or eats all memory costs that file only.

- Each file is its own task, with at most two per worker in flight, so a time limit can be judged per file.
- A task past its time limit is failed with the reason; the pool is torn down (the only way to stop a stuck
  C library) and rebuilt, and the other files in flight are sent again.
- A worker that dies (segfault, SIGKILL from the OOM killer) breaks the pool without saying which file did it:
  the files that were in flight are re-run one at a time, and only the one that breaks it again is failed.
- Each worker runs under an address-space limit, so a memory bomb raises ``MemoryError`` inside the worker
  (reported as that file's failure) instead of taking the machine down.
Results come back in input order.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def _limit_memory(max_bytes: int | None) -> None:
    """Cap the worker's address space at what it holds when it starts (forked from a parent that may already
    hold large libraries) plus ``max_bytes``: a memory bomb then raises ``MemoryError`` in this worker only."""
    if not max_bytes:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + max_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _address_space() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class SupervisedPool(Generic[T, R]):
    """Run ``func`` over items in worker processes; ``on_failure(item, reason)`` stands in for a lost result."""

    def __init__(
        self,
        func: Callable[[T], R],
        on_failure: Callable[[T, str], R],
        workers: int,
        timeout_s: float | None = None,
        memory_bytes: int | None = None,
    ) -> None:
        self.func = func
        self.on_failure = on_failure
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_limit_memory, initargs=(self.memory_bytes,)
        )

    def _kill_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for proc in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(OSError, AttributeError):
                proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def map(self, items: list[T], chunk_size: int | None = None) -> Iterator[R]:
        """Yield one result per item, in input order.

        Items travel in chunks (small files cost less than the round trip of a task); a chunk that times out or
        breaks its worker is split and its items run one at a time, so the limit and the blame are per item.
        """
        size = chunk_size or max(1, min(16, len(items) // (self.workers * 8)))
        pending: deque[list[int]] = deque(list(range(i, min(i + size, len(items)))) for i in range(0, len(items), size))
        isolate: deque[int] = deque()  # items of a failed chunk, re-run one at a time
        inflight: dict[Future[list[R]], tuple[list[int], float]] = {}
        done: dict[int, R] = {}
        next_out = 0
        self._pool = self._new_pool()
        try:
            while pending or isolate or inflight:
                self._fill(items, pending, isolate, inflight)
                finished, _ = wait(list(inflight), timeout=0.2, return_when=FIRST_COMPLETED)
                if self._collect(items, finished, inflight, done, isolate):
                    self._restart(inflight, pending)
                else:
                    self._enforce_timeout(items, inflight, done, pending, isolate)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            self._kill_pool()

    def _submit(
        self, items: list[T], chunk: list[int], inflight: dict[Future[list[R]], tuple[list[int], float]]
    ) -> None:
        assert self._pool is not None
        fut = self._pool.submit(_run_chunk, self.func, [items[i] for i in chunk])
        inflight[fut] = (chunk, time.monotonic())

    def _fill(
        self,
        items: list[T],
        pending: deque[list[int]],
        isolate: deque[int],
        inflight: dict[Future[list[R]], tuple[list[int], float]],
    ) -> None:
        if isolate:  # suspects run alone, so a crash or a hang names its item
            if not inflight:
                self._submit(items, [isolate.popleft()], inflight)
            return
        while pending and len(inflight) < 2 * self.workers:
            self._submit(items, pending.popleft(), inflight)

    def _collect(
        self,
        items: list[T],
        finished: set[Future[list[R]]],
        inflight: dict[Future[list[R]], tuple[list[int], float]],
        done: dict[int, R],
        isolate: deque[int],
    ) -> bool:
        """Store finished results; True when the pool broke (a worker died)."""
        crashed = False
        alone = len(inflight) == 1
        for fut in finished:
            chunk, _ = inflight.pop(fut)
            try:
                done.update(zip(chunk, fut.result(), strict=True))
            except BrokenProcessPool:
                crashed = True
                if alone and len(chunk) == 1:
                    reason = "the worker process died on this file (crash or out of memory)"
                    done[chunk[0]] = self.on_failure(items[chunk[0]], reason)
                else:
                    isolate.extend(chunk)
            except Exception as exc:  # the task raised past its own guard, or its result could not be pickled
                if len(chunk) == 1:
                    done[chunk[0]] = self.on_failure(items[chunk[0]], f"internal error ({type(exc).__name__}: {exc})")
                else:
                    isolate.extend(chunk)
        return crashed

    def _restart(self, inflight: dict[Future[list[R]], tuple[list[int], float]], pending: deque[list[int]]) -> None:
        """After a crash, the chunks that were merely in flight beside the culprit go back as they were."""
        pending.extendleft(reversed([chunk for chunk, _ in inflight.values()]))
        inflight.clear()
        self._kill_pool()
        self._pool = self._new_pool()

    def _enforce_timeout(
        self,
        items: list[T],
        inflight: dict[Future[list[R]], tuple[list[int], float]],
        done: dict[int, R],
        pending: deque[list[int]],
        isolate: deque[int],
    ) -> None:
        if self.timeout_s is None:
            return
        now = time.monotonic()
        late = [
            (fut, chunk) for fut, (chunk, started) in inflight.items() if now - started > self.timeout_s * len(chunk)
        ]
        if not late:
            return
        for fut, chunk in late:
            inflight.pop(fut)
            if len(chunk) == 1:
                done[chunk[0]] = self.on_failure(
                    items[chunk[0]], f"timed out after {self.timeout_s:g} s; the file was abandoned"
                )
                log.warning("task %d timed out after %.0f s", chunk[0], self.timeout_s)
            else:
                isolate.extend(chunk)  # which item hung is not known: each runs alone with its own limit
        # The stuck worker cannot be interrupted: replace the pool, and send the innocent in-flight chunks again.
        pending.extendleft(reversed([chunk for chunk, _ in inflight.values()]))
        inflight.clear()
        self._kill_pool()
        self._pool = self._new_pool()


def _run_chunk(func: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [func(item) for item in chunk]


def default_memory_limit() -> int | None:
    """Address space a worker may grow by: a quarter of the machine's memory, at least 2 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None
    return max(total // 4, 2 * 1024**3)
