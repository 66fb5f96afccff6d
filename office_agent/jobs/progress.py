"""Progress behind a small protocol: the runner reports phases and steps; what shows them is the caller's choice.

A terminal gets rich progress bars on stderr; cron, systemd and pipes get nothing (:class:`NoProgress`), and logs
carry the summary instead.
"""

from __future__ import annotations

import sys
from typing import IO, Protocol


class Progress(Protocol):
    def start(self, phase: str, total: int) -> None:
        """A new phase ("hashing", "reading", "ledger") with ``total`` steps (0 when unknown)."""

    def advance(self, steps: int = 1) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
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
            console=Console(file=stream or sys.stderr),
            transient=False,
        )
        self._task: object | None = None
        self._bars.start()

    def start(self, phase: str, total: int) -> None:
        self._task = self._bars.add_task(phase, total=total or None)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._bars.advance(self._task, steps)  # type: ignore[arg-type]

    def close(self) -> None:
        self._bars.stop()


def progress_for(enabled: bool | None = None, stream: IO[str] | None = None) -> Progress:
    """Bars when ``enabled`` (or, when None, when ``stream`` — stderr by default — is a terminal)."""
    stream = stream or sys.stderr
    if enabled is None:
        enabled = stream.isatty()
    return RichProgress(stream) if enabled else NoProgress()
