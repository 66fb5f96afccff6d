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
    if max_bytes:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


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

    def map(self, items: list[T]) -> Iterator[R]:
        """Yield one result per item, in input order."""
        pending: deque[int] = deque(range(len(items)))
        isolate: deque[int] = deque()  # suspects of a crash, re-run one at a time
        inflight: dict[Future[R], tuple[int, float]] = {}
        done: dict[int, R] = {}
        next_out = 0
        self._pool = self._new_pool()
        try:
            while pending or isolate or inflight:
                self._fill(items, pending, isolate, inflight)
                finished, _ = wait(list(inflight), timeout=0.2, return_when=FIRST_COMPLETED)
                crashed = self._collect(items, finished, inflight, done, isolate)
                if crashed:
                    self._restart(inflight, isolate)
                else:
                    self._enforce_timeout(items, inflight, done, pending)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            self._kill_pool()

    def _fill(
        self, items: list[T], pending: deque[int], isolate: deque[int], inflight: dict[Future[R], tuple[int, float]]
    ) -> None:
        assert self._pool is not None
        if isolate:  # suspects run alone, so a crash names its file
            if not inflight:
                i = isolate.popleft()
                inflight[self._pool.submit(self.func, items[i])] = (i, time.monotonic())
            return
        while pending and len(inflight) < 2 * self.workers:
            i = pending.popleft()
            inflight[self._pool.submit(self.func, items[i])] = (i, time.monotonic())

    def _collect(
        self,
        items: list[T],
        finished: set[Future[R]],
        inflight: dict[Future[R], tuple[int, float]],
        done: dict[int, R],
        isolate: deque[int],
    ) -> bool:
        crashed = False
        alone = len(inflight) == 1
        for fut in finished:
            i, _ = inflight.pop(fut)
            try:
                done[i] = fut.result()
            except BrokenProcessPool:
                crashed = True
                if alone:
                    done[i] = self.on_failure(items[i], "the worker process died on this file (crash or out of memory)")
                else:
                    isolate.append(i)
            except Exception as exc:  # the task itself raised past its own guard, or could not be pickled
                done[i] = self.on_failure(items[i], f"internal error ({type(exc).__name__}: {exc})")
        return crashed

    def _restart(self, inflight: dict[Future[R], tuple[int, float]], isolate: deque[int]) -> None:
        isolate.extend(i for i, _ in inflight.values())
        inflight.clear()
        self._kill_pool()
        self._pool = self._new_pool()

    def _enforce_timeout(
        self,
        items: list[T],
        inflight: dict[Future[R], tuple[int, float]],
        done: dict[int, R],
        pending: deque[int],
    ) -> None:
        if self.timeout_s is None:
            return
        now = time.monotonic()
        late = [(fut, i) for fut, (i, started) in inflight.items() if now - started > self.timeout_s]
        if not late:
            return
        for fut, i in late:
            inflight.pop(fut)
            done[i] = self.on_failure(items[i], f"timed out after {self.timeout_s:g} s; the file was abandoned")
            log.warning("task %d timed out after %.0f s", i, self.timeout_s)
        # The stuck worker cannot be interrupted: replace the pool, and send the innocent in-flight files again.
        pending.extendleft(sorted((i for i, _ in inflight.values()), reverse=True))
        inflight.clear()
        self._kill_pool()
        self._pool = self._new_pool()


def default_memory_limit() -> int | None:
    """Per-worker address-space cap: a quarter of the machine's memory, at least 2 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None
    return max(total // 4, 2 * 1024**3)
