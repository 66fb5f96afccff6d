"""The expense-policy rules file (``rules.yaml``): a pydantic model of what a company's policy caps and forbids.

Every section is optional; a section that is absent is not checked. The annotated example is
``office_agent/data/rules.example.yaml`` (copy it, edit it, pass ``--rules``). A rule drafted from a policy document
(``office-agent rules draft``) carries ``confirmed: false`` and the clause it came from; it is not enforced until a
person sets ``confirmed: true``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from office_agent.errors import BadArguments

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$")


class Rule(BaseModel):
    """What every rule has: whether it is enforced, and where it came from (a drafted rule's clause)."""

    model_config = ConfigDict(extra="forbid")

    confirmed: bool = True
    source: str | None = None  # "差旅费管理办法.pdf p.3 §4.2: 住宿费一线城市每晚不超过800元"


class HotelRule(Rule):
    """Per-night caps for 住宿 invoices: by city first, then by the city's tier, then ``default``."""

    default: Decimal | None = None
    cities: dict[str, Decimal] = Field(default_factory=dict)  # 北京: 900
    tiers: dict[int, Decimal] = Field(default_factory=dict)  # 1: 800
    city_tiers: dict[str, int] = Field(default_factory=dict)  # 上海: 1


class MealRule(Rule):
    """A cap on one meal invoice (``per_invoice``) and on the meals of one day (``per_day``: the per diem)."""

    per_invoice: Decimal | None = None
    per_day: Decimal | None = None
    categories: list[str] = Field(default_factory=lambda: ["餐饮"])


class TaxiRule(Rule):
    """The hours a taxi or ride-hailing trip may start in (``"21:00-07:00"`` wraps past midnight)."""

    allowed: list[str] = Field(default_factory=list)

    @field_validator("allowed")
    @classmethod
    def _windows(cls, value: list[str]) -> list[str]:
        for w in value:
            if not _HHMM.match(w.strip()):
                raise ValueError(f"{w!r} is not a time window like 21:00-07:00")
        return [w.strip() for w in value]


class WeekendRule(Rule):
    """Spend on Saturdays, Sundays and the listed holidays (in ``categories``; all categories when empty)."""

    categories: list[str] = Field(default_factory=list)
    holidays: list[dt.date] = Field(default_factory=list)
    workdays: list[dt.date] = Field(default_factory=list)  # 调休: weekend days that are working days


class AgeRule(Rule):
    max_days: int = Field(gt=0)


class ConsecutiveRule(Rule):
    """连号: ``min_run`` or more invoices from one seller whose numbers follow one another."""

    min_run: int = Field(default=3, ge=2)


class BuyerRule(Rule):
    """The buyer every invoice must be made out to (its name, or its tax id, or both)."""

    name: str | None = None
    tax_id: str | None = None


class ClaimedBeforeRule(Rule):
    """The same invoice in an earlier claim (the job store, or an earlier file of this batch)."""


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    hotel: HotelRule | None = None
    meal: MealRule | None = None
    taxi: TaxiRule | None = None
    weekend: WeekendRule | None = None
    age: AgeRule | None = None
    consecutive: ConsecutiveRule | None = None
    buyer: BuyerRule | None = None
    claimed_before: ClaimedBeforeRule | None = None

    def enforced(self) -> dict[str, Rule]:
        """The sections present and confirmed, by name."""
        out: dict[str, Rule] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Rule) and value.confirmed:
                out[name] = value
        return out


def parse_rules(data: Any, where: str) -> Rules:
    try:
        return Rules.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise BadArguments(f"{where}: invalid rule {loc}: {first['msg']}") from exc


def load_rules(path: str | Path) -> Rules:
    """Read a rules file; :class:`BadArguments` naming the file and the rule for anything wrong with it."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadArguments(f"{p}: rules file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BadArguments(f"{p}: cannot read the rules file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise BadArguments(f"{p}: not valid YAML ({exc})") from exc
    return parse_rules(data, str(p))


def example_rules_text() -> str:
    return resources.files("office_agent").joinpath("data/rules.example.yaml").read_text(encoding="utf-8")
