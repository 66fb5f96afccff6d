"""Opening a review: read the folder (or the job's store) into a session, then serve the page on 127.0.0.1."""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from office_agent.generate.ledger_view import LedgerOptions
from office_agent.models import BatchResult
from office_agent.review.session import ReviewSession
from office_agent.settings import Settings


def open_folder(
    paths: Sequence[Path], out: Path, settings: Settings | None = None, options: LedgerOptions | None = None,
    workers: int | None = None,
) -> ReviewSession:  # fmt: skip
    """Read ``paths`` as ``office-agent ledger`` does (``out`` excluded) into a review session over ``out``."""
    from office_agent.batch import run_batch

    result = run_batch(list(paths), workers=workers, exclude=[out], settings=settings)
    opts = options or LedgerOptions(inputs=tuple(paths))
    return ReviewSession(result, out, settings, opts, source_root=Path.cwd())


def open_job(job_file: Path) -> ReviewSession:
    """The ledger of a scheduled job, from its store (read only, nothing is read again): corrections go into
    the job's output folder, which every later ``office-agent run`` applies."""
    from office_agent.jobs.jobfile import load_job
    from office_agent.jobs.rebuild import build_result, plan_ledger
    from office_agent.jobs.store import Store

    job = load_job(job_file)
    settings = job.settings()
    with Store.open(job.store_url) as store:
        plan = plan_ledger(store.file_rows().values(), store.content_info(), job.options.vanished == "keep", [],
                           job.config_digest(settings))  # fmt: skip
        files, invoices = build_result(store, plan, settings)
    options = LedgerOptions(inputs=tuple(Path(p) for p in job.inputs))
    return ReviewSession(BatchResult(files=files, invoices=invoices), job.output, settings, options)


def free_socket(port: int | None, host: str = "127.0.0.1") -> socket.socket:
    """A listening socket on ``host``: ``port``, or a free one the system picks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port or 0))
    sock.listen(64)
    return sock


class Background:
    """The review page served from a thread (tests, benchmarks, notebooks): ``url``, then ``stop()``."""

    def __init__(self, session: ReviewSession, port: int | None = None) -> None:
        import uvicorn

        from office_agent.review.app import ReviewApp

        self.sock = free_socket(port)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.app = ReviewApp(session)
        self.server = uvicorn.Server(uvicorn.Config(self.app.app, log_level="warning", access_log=False,
                                                    lifespan="off"))  # fmt: skip
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            self.thread.join(0.02)

    def stop(self) -> None:
        self.app.session.flush(60)
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def serve(
    session: ReviewSession, port: int | None = None, *, open_browser: bool = True, stream: IO[str] | None = None
) -> None:
    """Serve the review page until interrupted; prints its URL on one line first."""
    import uvicorn

    from office_agent.review.app import ReviewApp

    sock = free_socket(port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/?status=review"
    app = ReviewApp(session)
    config = uvicorn.Config(app.app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    print(url, file=stream or sys.stdout, flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        session.flush(120)  # a ledger still being written after the last save is finished before exit
