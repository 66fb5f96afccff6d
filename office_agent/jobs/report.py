"""What a run did (:class:`RunReport`), and the ledger's figures that decide the exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from office_agent.errors import ExitCode
from office_agent.models import FileResult


@dataclass
class RunReport:
    """What one run did, and the state of the ledger after it."""

    run_id: int
    store: str
    executor: str
    counts: dict[str, int] = field(default_factory=dict)
    new_files: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # this run only: read again next run
    ledger: dict[str, Any] = field(default_factory=dict)  # counts of the ledger, its problem files, exit code
    ledger_written: bool = False
    outputs: list[Path] = field(default_factory=list)
    took_over_lock: str | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: scan, hash, read, ledger

    def exit_code(self) -> int:
        code = int(self.ledger.get("exit_code", ExitCode.OK))
        if self.problems:
            code = max(code, ExitCode.PARTIAL)
        return code

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "store": self.store,
            "executor": self.executor,
            "seconds": round(self.seconds, 3),
            "counts": self.counts,
            "ledger": self.ledger,
            "ledger_written": self.ledger_written,
            "vanished": self.vanished[:100],
            "problems": [{"file": p, "reason": r} for p, r in self.problems[:100]],
            "renamed": [{"from": a, "to": b} for a, b in self.renamed[:100]],
            "exit_code": self.exit_code(),
        }


def summary_of(counts: dict[str, Any], problems: Sequence[FileResult], any_invoice: bool) -> dict[str, Any]:
    """The ledger's figures: ``counts`` (``BatchResult.counts``), the first problem files, and the exit code."""
    code = ExitCode.OK
    if problems:
        code = ExitCode.PARTIAL if any_invoice else ExitCode.FAILED
    return {
        **counts,
        "problem_files": [{"file": f.source, "status": f.status.value, "reason": f.reason} for f in problems[:50]],
        "exit_code": code,
    }
