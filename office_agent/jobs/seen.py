"""Cross-run duplicates: "have I seen this invoice before, and in which file?", answered by the store.

:class:`StoreSeenIndex` implements the ``SeenIndex`` protocol of ``office_agent.extract.bundle``, so the batch step
can mark a re-submission ``duplicate_of`` the first file that carried it, however many runs ago::

    from office_agent.jobs import Store, StoreSeenIndex
    seen = StoreSeenIndex(Store.open("outputs/office-agent.sqlite"))
    seen.first_seen(("no", "", "25317000002228021821"))   # ("/srv/inbox/a.pdf", "<sha256>") or None
"""

from __future__ import annotations

import json

from sqlalchemy import select

from office_agent.jobs.schema import contents, files, invoices
from office_agent.jobs.store import Store


class StoreSeenIndex:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._added: dict[tuple[str, ...], tuple[str, str]] = {}

    def first_seen(self, identity: tuple[str, ...]) -> tuple[str, str] | None:
        """(source, sha256) of the earliest stored record with this identity (source under its current path)."""
        key = json.dumps(list(identity), ensure_ascii=False)
        with self.store.reading() as conn:
            row = conn.execute(
                select(invoices.c.member, invoices.c.sha256, invoices.c.content_sha256, contents.c.first_path)
                .join(contents, contents.c.sha256 == invoices.c.content_sha256)
                .where(invoices.c.identity == key)
                .order_by(invoices.c.run_id, invoices.c.id)
                .limit(1)
            ).first()
            if row is None:
                return self._added.get(identity)
            path = conn.execute(
                select(files.c.path)
                .where(files.c.sha256 == row.content_sha256, files.c.state == "present")
                .order_by(files.c.first_run, files.c.path)
                .limit(1)
            ).scalar()
        return (path or row.first_path) + row.member, row.sha256

    def add(self, identity: tuple[str, ...], source: str, sha256: str) -> None:
        """Remember a record of the current batch (the store itself is written by the job runner)."""
        self._added.setdefault(identity, (source, sha256))
