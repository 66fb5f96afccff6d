"""Progress behind a small protocol: the runner reports phases and steps; what shows them is the caller's choice.

A terminal gets rich progress bars on stderr; cron, systemd and pipes get nothing (:class:`NoProgress`), and logs
carry the summary instead.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from office_agent.models import FileResult


class Progress(Protocol):
    def start(self, phase: str, total: int) -> None:
        """A new phase ("hashing", "reading", "ledger") with ``total`` steps (0 when unknown)."""

    def advance(self, steps: int = 1, note: str | None = None) -> None:
        """``steps`` more done; ``note``: what is being worked on now (a file name, OCR pages so far)."""

    def close(self) -> None: ...


class NoProgress:
    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1, note: str | None = None) -> None:
        pass

    def close(self) -> None:
        pass


class RichProgress:
    """Bars on a terminal (stderr), one per phase."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bars

        self._bars = Bars(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[note]}", markup=False),
            console=Console(file=stream or sys.stderr),
            transient=False,
        )
        self._task: object | None = None
        self._bars.start()

    def start(self, phase: str, total: int) -> None:
        self._task = self._bars.add_task(phase, total=total or None, note="")

    def advance(self, steps: int = 1, note: str | None = None) -> None:
        if self._task is not None:
            self._bars.update(self._task, advance=steps, **({} if note is None else {"note": note}))  # type: ignore[arg-type]

    def close(self) -> None:
        self._bars.stop()


def progress_for(enabled: bool | None = None, stream: IO[str] | None = None) -> Progress:
    """Bars when ``enabled`` (or, when None, when ``stream`` — stderr by default — is a terminal)."""
    stream = stream or sys.stderr
    if enabled is None:
        enabled = stream.isatty()
    return RichProgress(stream) if enabled else NoProgress()


class BatchProgress:
    """``run_batch``'s two callbacks over a :class:`Progress`: files done of the total, the file just read, and
    how many pages OCR has read so far (``office-agent ledger / extract / report`` in a terminal)."""

    def __init__(self, progress: Progress, phase: str = "reading") -> None:
        self.progress, self.phase = progress, phase
        self.ocr_pages = 0
        self.started = False

    def __call__(self, done: int, total: int) -> None:
        if not self.started:
            self.progress.start(self.phase, total)
            self.started = True

    def file_done(self, results: list[FileResult]) -> None:
        self.ocr_pages += sum(1 for r in results for inv in r.invoices if inv.page_frame is not None)
        name = results[0].source if results else ""
        name = name if len(name) <= 60 else "…" + name[-59:]
        ocr = f" · OCR {self.ocr_pages} pages" if self.ocr_pages else ""
        self.progress.advance(1, f"{name}{ocr}")

    def close(self) -> None:
        self.progress.close()
