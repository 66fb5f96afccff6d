"""One run at a time per store: a lock row in the store itself (so it works the same on SQLite and PostgreSQL, and
across machines sharing a PostgreSQL store).

The row names its holder: pid, host, a random token, and a heartbeat the holder refreshes every few seconds from a
background thread. A lock is stale, and is taken over, when its holder is on this host and its pid is gone (a run
killed with SIGKILL), or when its heartbeat is older than ``stale_after`` (a holder on another host that died, or a
frozen one). Every write of a run checks the token in the same transaction (a fencing token): a run whose lock was
taken over stops at its next write instead of interleaving with the new holder.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from office_agent.jobs.errors import JobLocked, LockLost, StoreError
from office_agent.jobs.schema import locks
from office_agent.jobs.store import Store

log = logging.getLogger(__name__)

LOCK_NAME = "run"
HEARTBEAT_S = 5.0
STALE_AFTER_S = 60.0


@dataclass(frozen=True)
class Holder:
    token: str
    pid: int
    host: str
    acquired_at: float
    heartbeat_at: float


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def is_stale(holder: Holder, now: float, stale_after: float, host: str) -> str | None:
    """Why ``holder`` no longer holds the lock, or None while it does."""
    if holder.host == host and not pid_alive(holder.pid):
        return f"process {holder.pid} on {holder.host} is gone"
    age = now - holder.heartbeat_at
    if age > stale_after:
        return f"no heartbeat from process {holder.pid} on {holder.host} for {age:.0f} s"
    return None


class RunLock:
    """``with RunLock(store):`` holds the store's run lock, with a heartbeat, or raises :class:`JobLocked`."""

    def __init__(
        self, store: Store, *, heartbeat_s: float = HEARTBEAT_S, stale_after: float = STALE_AFTER_S,
        name: str = LOCK_NAME,
    ) -> None:  # fmt: skip
        self.store = store
        self.name = name
        self.heartbeat_s = heartbeat_s
        self.stale_after = max(stale_after, 2 * heartbeat_s)
        self.token = secrets.token_hex(16)
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.took_over: str | None = None  # why the previous holder's lock was stale, when it was
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- acquire / release ---------------------------------------------------------------------------------------

    def acquire(self) -> None:
        try:
            self._acquire()
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):  # two runs inserted the first lock row at once
                raise JobLocked(f"store {self.store.url} is locked: another run took the lock just now") from exc
            raise
        self._thread = threading.Thread(target=self._beat, name="office-agent-lock-heartbeat", daemon=True)
        self._thread.start()

    def _acquire(self) -> None:
        now = time.time()
        with self.store.transaction() as conn:
            row = conn.execute(select(locks).where(locks.c.name == self.name).with_for_update()).first()
            mine = {"token": self.token, "pid": self.pid, "host": self.host, "acquired_at": now, "heartbeat_at": now}
            if row is None:
                conn.execute(locks.insert().values(name=self.name, run_id=None, **mine))
            else:
                holder = Holder(row.token, row.pid, row.host, row.acquired_at, row.heartbeat_at)
                why = is_stale(holder, now, self.stale_after, self.host)
                if why is None:
                    raise JobLocked(
                        f"store {self.store.url} is locked by a run of process {holder.pid} on {holder.host} "
                        f"(started {time.ctime(holder.acquired_at)}, last heartbeat {now - holder.heartbeat_at:.0f} s "
                        f"ago); try again when it has finished"
                    )
                updated = conn.execute(
                    locks.update()
                    .where(locks.c.name == self.name, locks.c.token == holder.token)
                    .values(run_id=None, **mine)
                )
                if updated.rowcount != 1:  # pragma: no cover - another taker won the race inside our transaction
                    raise JobLocked(f"store {self.store.url} is locked: another run took the stale lock first")
                self.took_over = why
                log.warning("took over a stale lock on %s: %s", self.store.url, why)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.heartbeat_s + 5)
        try:
            with self.store.transaction() as conn:
                conn.execute(locks.delete().where(locks.c.name == self.name, locks.c.token == self.token))
        except StoreError as exc:  # the lock goes stale by itself; say so, do not hide the run's own error
            log.warning("could not release the lock (it will be taken over as stale): %s", exc)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    # -- while held ----------------------------------------------------------------------------------------------

    def check(self, conn: Connection, run_id: int | None = None) -> None:
        """Inside a write transaction: prove this run still holds the lock (and refresh the heartbeat)."""
        values: dict[str, object] = {"heartbeat_at": time.time()}
        if run_id is not None:
            values["run_id"] = run_id
        updated = conn.execute(
            locks.update().where(locks.c.name == self.name, locks.c.token == self.token).values(**values)
        )
        if updated.rowcount != 1:
            self.lost.set()
            raise LockLost(
                f"this run's lock on {self.store.url} was taken over by another run (this one looked stale): "
                "stopping; nothing half-written was kept"
            )

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                with self.store.transaction() as conn:
                    self.check(conn)
            except LockLost as exc:
                log.error("%s", exc)
                return
            except StoreError as exc:  # a busy or briefly unreachable store: the next beat tries again
                log.warning("lock heartbeat failed: %s", exc)
