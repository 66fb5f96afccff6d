"""The opt-in LLM router for ``office-agent ask``: used only when an LLM is configured (settings ``[llm]``).

The rules in :mod:`office_agent.ask` read the request first; the model is then shown the request and what the
rules understood, and answers in the same terms (:class:`RoutedRequest`). Its answer goes through the same
validation as the rules' (known jobs, formats, categories, an ordered date range); when it fails, is refused or
times out, the rules' answer stands. Only the request text is sent, never a document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, Field

from office_agent.ask import OUTPUT_FORMATS, AskRequest
from office_agent.extract.llm import make_structured_model
from office_agent.settings import LlmSettings


class RoutedRequest(BaseModel):
    """What a reimbursement request asks for."""

    jobs: list[Literal["ledger", "report", "extract"]] = Field(description="what to produce; empty if unclear")
    year: int | None = Field(None, description="a whole year, e.g. 2024")
    date_from: str | None = Field(None, description="first day, YYYY-MM-DD")
    date_to: str | None = Field(None, description="last day, YYYY-MM-DD")
    categories: list[str] = Field(default_factory=list, description="expense categories, e.g. 餐饮, 交通, Meals")
    formats: list[str] = Field(default_factory=list, description=f"output formats among {', '.join(OUTPUT_FORMATS)}")
    person: str | None = Field(None, description="one person (a sub-folder name), if named")
    group_by: Literal["person", "project"] | None = None
    english: bool = Field(False, description="true if the ledger should have English headers")


PROMPT = (
    "You turn one request about reimbursement invoices into JSON with the keys {keys}. Today is {today}. "
    "Fixed rules read it as: {rules}. Correct or complete that reading; never invent what the request does not say."
)


class LlmIntentRouter:
    def __init__(self, settings: LlmSettings, today: dt.date | None = None) -> None:
        self.structured = make_structured_model(settings, RoutedRequest)
        self.today = today or dt.date.today()

    def route(self, text: str, rules: AskRequest) -> AskRequest | None:
        reading = f"jobs={list(rules.jobs)}, year={rules.year}, from={rules.date_from}, to={rules.date_to}, "
        reading += f"categories={list(rules.categories)}, formats={list(rules.formats)}, person={rules.person}"
        prompt = PROMPT.format(keys=", ".join(RoutedRequest.model_fields), today=self.today, rules=reading)
        answer: Any = self.structured.invoke([("system", prompt), ("human", text)])
        if isinstance(answer, dict):
            answer = RoutedRequest.model_validate(answer)
        if not isinstance(answer, RoutedRequest) or not answer.jobs:
            return None
        return replace(
            rules,
            jobs=tuple(answer.jobs),
            year=answer.year,
            date_from=dt.date.fromisoformat(answer.date_from) if answer.date_from else None,
            date_to=dt.date.fromisoformat(answer.date_to) if answer.date_to else None,
            categories=tuple(answer.categories),
            formats=tuple(answer.formats),
            person=answer.person,
            group_by=answer.group_by,
            output_lang="en" if answer.english else rules.output_lang,
        )
