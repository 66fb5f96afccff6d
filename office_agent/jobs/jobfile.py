"""``job.toml``: what a scheduled run reads, where it writes, and for whom. Validated with clear errors.

Example (relative paths are relative to the job file's folder)::

    name = "reimbursements-2025"
    inputs = ["/srv/share/fapiao-inbox"]        # folders, files or ZIPs
    output = "/srv/share/ledger/2025"           # ledger.xlsx/.csv/.jsonl and, by default, the store
    # store = "postgresql://ledger@db/ledger"   # default: <output>/office-agent.sqlite
    # executor = "dask://scheduler:8786"        # default: "local", a process pool
    # workers = 2                               # local pool size (default: all cores)
    period = "2025"                             # or "2025-11", "2025-Q3", or a table {start = …, end = …}

    [company]
    name = "上海乙有限公司"
    tax_id = "91310115MA1H9HD02E"

    [options]
    vanished = "keep"                           # keep invoices of files that left the inbox ("drop" to remove)
    exclude = ["*.part", "~$*"]                 # file names never read (partial downloads, Office temp files)
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from office_agent.config import Limits
from office_agent.jobs.errors import JobFileError
from office_agent.jobs.store import STORE_FILENAME
from office_agent.settings import CompanyProfile, Period, Settings, load_settings

DEFAULT_EXCLUDE = ["*.part", "*.crdownload", "*.download", "*.tmp", "~$*", ".~lock.*#"]
EXECUTOR_RE = re.compile(r"^(local|dask://[^\s/:]+:\d{1,5}|dask://[^\s/:]+)$")


class JobCompany(CompanyProfile):
    model_config = ConfigDict(extra="forbid")


class JobPeriod(Period):
    model_config = ConfigDict(extra="forbid")


class JobOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vanished: Literal["keep", "drop"] = "keep"
    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    settle_seconds: float = Field(2.0, ge=0, description="watch: a file is read once it stopped growing this long")
    heartbeat_seconds: float = Field(5.0, gt=0)
    stale_lock_seconds: float = Field(60.0, gt=0)
    chunk_size: int | None = Field(None, ge=1, description="files per task sent to a worker (default: automatic)")


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("office-agent", min_length=1, max_length=200)
    inputs: list[Path] = Field(min_length=1)
    output: Path
    store: str | None = None
    executor: str = "local"
    workers: int | None = Field(None, ge=0, le=256)  # 0: read in this process
    period: JobPeriod = Field(default_factory=JobPeriod)
    company: JobCompany = Field(default_factory=JobCompany)
    categories_file: Path | None = None
    settings_file: Path | None = None  # an office-agent.toml to take the other settings (LLM…) from
    options: JobOptions = Field(default_factory=JobOptions)
    limits: Limits = Field(default_factory=Limits)

    @field_validator("executor")
    @classmethod
    def _executor(cls, value: str) -> str:
        if not EXECUTOR_RE.match(value):
            raise ValueError(f"{value!r} is neither 'local' nor 'dask://HOST:PORT'")
        return value

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: Any) -> Any:
        return parse_period(value) if isinstance(value, str) else value

    @field_validator("company", mode="after")
    @classmethod
    def _company(cls, value: JobCompany) -> JobCompany:
        if value.tax_id and not re.fullmatch(r"[0-9A-Z]{15,20}", value.tax_id):
            raise ValueError(f"tax_id {value.tax_id!r} is not a tax id (15 to 20 digits or capital letters)")
        return value

    # -- derived -------------------------------------------------------------------------------------------------

    @property
    def store_url(self) -> str:
        return self.store or str(self.output / STORE_FILENAME)

    def resolved(self, base: Path) -> Job:
        """Relative paths taken relative to ``base`` (the job file's folder), made absolute."""

        def fix(p: Path) -> Path:
            p = p.expanduser()
            return (p if p.is_absolute() else base / p).absolute()

        update: dict[str, Any] = {"inputs": [fix(p) for p in self.inputs], "output": fix(self.output)}
        if self.store and "://" not in self.store:
            update["store"] = str(fix(Path(self.store)))
        for key in ("categories_file", "settings_file"):
            value = getattr(self, key)
            if value is not None:
                update[key] = fix(value)
        return self.model_copy(update=update)

    def settings(self) -> Settings:
        """The chain's settings for this job: its company, period and categories (over ``settings_file``)."""
        overrides: dict[str, Any] = {
            "company__name": self.company.name,
            "company__tax_id": self.company.tax_id,
            "period__start": self.period.start,
            "period__end": self.period.end,
            "categories_file": str(self.categories_file) if self.categories_file else None,
        }
        if self.settings_file is not None:
            return load_settings(self.settings_file, **overrides)
        data: dict[str, Any] = {"company": self.company.model_dump(), "period": self.period.model_dump()}
        if self.categories_file:
            data["categories_file"] = self.categories_file
        return Settings.model_validate(data)  # no environment, no office-agent.toml: the job says it all

    def config_digest(self, settings: Settings) -> str:
        """What the stored records depend on: a content read under another configuration is read again."""
        parts: dict[str, Any] = {
            # claim (the pack's cover) and rules_file (flags added after reading) never change a stored record
            "settings": settings.model_dump(mode="json", exclude={"today", "claim", "rules_file"}),
            "limits": self.limits.model_dump(mode="json"),
        }
        if settings.categories_file and Path(settings.categories_file).is_file():
            parts["categories"] = hashlib.sha256(Path(settings.categories_file).read_bytes()).hexdigest()
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def parse_period(value: str) -> dict[str, dt.date]:
    """``2025``, ``2025-11`` or ``2025-Q3`` → first and last day."""
    value = value.strip()
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m[1])
        return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"period {value!r}: no month {month}")
        return {"start": dt.date(year, month, 1), "end": dt.date(year, month, calendar.monthrange(year, month)[1])}
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", value):
        year, q = int(m[1]), int(m[2])
        last = 3 * q
        return {"start": dt.date(year, last - 2, 1), "end": dt.date(year, last, calendar.monthrange(year, last)[1])}
    raise ValueError(f"period {value!r} is not YYYY, YYYY-MM, YYYY-Qn or a table with start and end")


def _known_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: Any = Job
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def describe(errors: ValidationError, where: str) -> str:
    lines = []
    for e in errors.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        if e["type"] == "extra_forbidden":
            known = _known_keys(loc)
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else (f" (known: {', '.join(known)})" if known else "")
            lines.append(f"{where}: {key}: unknown key{hint}")
        elif e["type"] == "missing":
            lines.append(f"{where}: {key}: required, but missing")
        else:
            lines.append(f"{where}: {key}: {e['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


def load_job(path: Path, **overrides: Any) -> Job:
    """Read and validate ``job.toml``; ``overrides`` (from the command line) win over the file's keys."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise JobFileError(f"{path}: no such job file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise JobFileError(f"{path}: cannot be read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise JobFileError(f"{path}: not valid TOML: {exc}") from exc
    data.update({k: v for k, v in overrides.items() if v is not None})
    return job_from_dict(data, where=str(path), base=path.parent)


def job_from_dict(data: dict[str, Any], where: str = "job", base: Path | None = None) -> Job:
    try:
        job = Job.model_validate(data)
    except ValidationError as exc:
        raise JobFileError(describe(exc, where)) from exc
    return job.resolved(base or Path.cwd())
