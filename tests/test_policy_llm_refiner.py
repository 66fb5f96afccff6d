"""The opt-in LLM refiner for checklists against a local OpenAI-compatible server: items it rephrases with a real
quote are kept (marked llm), items with an invented quote are dropped and reported, a failure keeps the rules."""

from __future__ import annotations

from pathlib import Path

from fakes_llm import FakeOpenAI

from office_agent.policy.checklist import checklist_from_paths, read_documents
from office_agent.policy.extract.llm import LlmChecklistRefiner
from office_agent.policy_models import ItemOrigin
from office_agent.settings import LlmSettings

GUIDE = Path(__file__).resolve().parents[1] / "samples" / "policy" / "travel_expense_policy.md"


def refiner(url: str) -> LlmChecklistRefiner:
    docs, _ = read_documents([GUIDE])
    return LlmChecklistRefiner(LlmSettings(model="qwen-test", base_url=url, api_key="k", timeout_s=2), docs)


def test_cited_items_are_kept_and_invented_ones_dropped(openai_server: str) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    real_quote = next(line.strip("-* ").strip() for line in text.splitlines() if "发票" in line and len(line) > 12)
    FakeOpenAI.mode = "ok"
    FakeOpenAI.answer = {
        "items": [
            {"text": "带上发票原件", "kind": "material", "quote": real_quote},
            {"text": "带上护照", "kind": "material", "quote": "申请人须提交护照原件及复印件三份"},  # not in the text
        ]
    }
    checklist = checklist_from_paths([GUIDE], "报销需要什么", refiner=refiner(openai_server))
    items = checklist.items()
    assert [i.text for i in items] == ["带上发票原件"] and items[0].origin == ItemOrigin.LLM
    assert items[0].citations[0].quote == real_quote
    assert [d.text for d in checklist.dropped] == ["带上护照"]
    assert FakeOpenAI.requests  # the model was asked


def test_refiner_failure_keeps_the_rule_based_items(openai_server: str) -> None:
    FakeOpenAI.mode = "refuse"
    plain = checklist_from_paths([GUIDE], "报销需要什么")
    refined = checklist_from_paths([GUIDE], "报销需要什么", refiner=refiner(openai_server))
    assert [i.text for i in refined.items()] == [i.text for i in plain.items()]
    assert any("LLM refinement failed" in w for w in refined.warnings)
