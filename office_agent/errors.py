"""One exception base for the project. Each subclass says what went wrong and, where it can, what to do next.

The library raises; exactly one place (``office_agent.cli``) turns exceptions into exit codes.
Per-file problems inside a batch never escape: they become a :class:`~office_agent.models.FileResult`
with ``status=failed`` and the exception's message as its reason.
"""

from __future__ import annotations


class ExitCode:
    """Process exit codes (documented in the README)."""

    OK = 0
    PARTIAL = 1  # the run finished, but at least one file failed
    FAILED = 2  # nothing could be processed
    BAD_ARGS = 3
    LOCKED = 4


class OfficeAgentError(Exception):
    exit_code = ExitCode.FAILED


class BadArguments(OfficeAgentError):
    exit_code = ExitCode.BAD_ARGS


class OutputError(OfficeAgentError):
    """An output could not be written (a full disk, a read-only folder): the run stops, earlier outputs stay."""


class InputError(OfficeAgentError):
    """A problem with one input file. The batch goes on without it."""


class UnsupportedFormat(InputError):
    pass


class NeedsOcr(UnsupportedFormat):
    """Pixels only (an image, a scanned PDF) and no OCR engine to read them: the file is skipped, not failed."""


class EmptyFile(InputError):
    pass


class CorruptFile(InputError):
    pass


class EncryptedFile(InputError):
    pass


class UnsafeArchive(InputError):
    """A ZIP (or OFD) that is a bomb, escapes its folder, or is otherwise unsafe to unpack."""


class UnsafeXml(InputError):
    """XML with a DTD, entities or external references: refused rather than expanded."""


class TooLarge(InputError):
    pass


class NotAnInvoice(InputError):
    pass
