"""User settings: the company profile, the reimbursement period, category rules and the opt-in LLM.

Read, lowest priority first, from defaults, a TOML file (``office-agent.toml`` in the working folder, or the
path in ``OFFICE_AGENT_CONFIG``), environment variables (``OFFICE_AGENT_COMPANY__NAME=…``,
``OFFICE_AGENT_LLM__BASE_URL=…``; nested keys use a double underscore) and finally command-line options.
The LLM is off unless both a model and an endpoint are configured: nothing leaves the machine by default.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from office_agent.errors import BadArguments

CONFIG_FILE = "office-agent.toml"


class CompanyProfile(BaseModel):
    """The user's company: an invoice made out to anyone else is flagged (the commonest reason for rejection)."""

    name: str | None = None
    tax_id: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.name or self.tax_id)


class Period(BaseModel):
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"period starts ({self.start}) after it ends ({self.end})")
        return self


class ClaimProfile(BaseModel):
    """Who claims, for the 报销单 cover of a print pack (``[claim]`` in office-agent.toml; ``pack`` options win)."""

    claimant: str | None = None  # 报销人
    department: str | None = None  # 部门
    purpose: str | None = None  # 事由


class LlmSettings(BaseModel):
    """An OpenAI-compatible endpoint (Qwen on DashScope, vLLM, LM Studio…) or a local Ollama. Off by default."""

    provider: Literal["openai", "ollama"] = "openai"
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float = 30.0
    max_retries: int = 0
    # How the structured answer is requested: json_schema / function_calling / json_mode (what servers support varies).
    method: Literal["json_schema", "function_calling", "json_mode"] = "json_mode"
    redact: bool = True  # mask tax ids and personal names before anything is sent

    @property
    def enabled(self) -> bool:
        return bool(self.model and (self.base_url or self.provider == "ollama"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OFFICE_AGENT_", env_nested_delimiter="__", extra="forbid")

    company: CompanyProfile = Field(default_factory=CompanyProfile)
    period: Period = Field(default_factory=Period)
    claim: ClaimProfile = Field(default_factory=ClaimProfile)
    categories_file: Path | None = None
    rules_file: Path | None = None  # expense-policy rules (office_agent/data/rules.example.yaml)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    today: dt.date | None = None  # for tests and replays: "the future" is judged against this date

    def reference_date(self) -> dt.date:
        return self.today or dt.date.today()


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the config file and the environment, with ``overrides`` (CLI options) on top."""
    path = config or (Path(os.environ["OFFICE_AGENT_CONFIG"]) if "OFFICE_AGENT_CONFIG" in os.environ else None)
    if path is None and Path(CONFIG_FILE).is_file():
        path = Path(CONFIG_FILE)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise BadArguments(f"{path}: config file not found") from exc
        except tomllib.TOMLDecodeError as exc:
            raise BadArguments(f"{path}: not valid TOML ({exc})") from exc
    for key, value in overrides.items():
        if value is None:
            continue
        section, _, field = key.partition("__")
        if field:
            data.setdefault(section, {})[field] = value
        else:
            data[key] = value
    try:
        env_only = Settings()  # environment variables and defaults
        merged = _deep_merge(env_only.model_dump(exclude_defaults=True), data)
        return Settings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadArguments(f"invalid setting {where}: {first['msg']}") from exc


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
