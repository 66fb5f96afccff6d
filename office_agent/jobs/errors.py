"""Errors of scheduled jobs. Each says what went wrong and what to do next; the CLI turns them into exit codes."""

from __future__ import annotations

from office_agent.errors import BadArguments, ExitCode, OfficeAgentError


class JobError(OfficeAgentError):
    """A run could not go on (exit code 2). The store is left consistent: a re-run picks up where it stopped."""


class JobLocked(OfficeAgentError):
    """Another run holds the store's lock (exit code 4)."""

    exit_code = ExitCode.LOCKED


class LockLost(JobError):
    """This run's lock was taken over (it looked stale to another run): stop before writing anything more."""


class StoreError(JobError):
    """The store cannot be opened, read or written (missing driver, read-only folder, disk full, newer schema)."""


class OutputError(JobError):
    """The ledger cannot be written (read-only output folder, disk full)."""


class JobFileError(BadArguments):
    """``job.toml`` is missing, not TOML, or does not validate (exit code 3)."""
