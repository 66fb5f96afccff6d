"""Log output for scheduled runs. The library only logs (``logging.getLogger(__name__)``); the CLI calls
:func:`setup_logging` once, with ``json_logs`` for machines: one JSON object per line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import IO, Any

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """``{"ts": …, "level": …, "logger": …, "message": …, **extra}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_logging(json_logs: bool = False, verbose: bool = False, stream: IO[str] | None = None) -> None:
    """Configure the root logger (replacing earlier handlers). JSON logs include the run's INFO events."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if json_logs:
        handler.setFormatter(JsonFormatter())
        level = logging.DEBUG if verbose else logging.INFO
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        level = logging.DEBUG if verbose else logging.WARNING
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("distributed", "asyncio", "tornado", "watchdog", "sqlalchemy", "pdfminer"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
