"""The opt-in LLM router for `ask`, against a local OpenAI-compatible server: it completes what the rules could
not read, its answer is validated like the rules', and when it fails the rules' answer stands."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from fakes_llm import FakeOpenAI

from office_agent.ask import parse_request
from office_agent.ask_llm import LlmIntentRouter
from office_agent.settings import LlmSettings

TODAY = dt.date(2025, 6, 15)


def router(url: str) -> LlmIntentRouter:
    return LlmIntentRouter(LlmSettings(model="qwen-test", base_url=url, api_key="k", timeout_s=2), today=TODAY)


def test_router_completes_what_the_rules_missed(openai_server: str) -> None:
    text = "给老板看看出差那几天的开销"
    assert not parse_request(text, today=TODAY).understood  # the rules alone do not get it
    FakeOpenAI.mode = "ok"
    FakeOpenAI.answer = {"jobs": ["ledger"], "date_from": "2025-01-01", "date_to": "2025-03-31",
                         "categories": ["餐饮"], "formats": [], "english": False}  # fmt: skip
    req = parse_request(text, today=TODAY, router=router(openai_server))
    assert req.router == "llm" and req.jobs == ("ledger",)
    assert (req.date_from, req.date_to, req.categories) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31), ("餐饮",))
    sent = str(FakeOpenAI.requests[0])
    assert text in sent and "jobs=[]" in sent  # the model saw the request and what the rules read


def test_router_answer_is_validated_and_failures_keep_the_rules(openai_server: str) -> None:
    FakeOpenAI.mode = "ok"
    FakeOpenAI.answer = {"jobs": ["ledger"], "date_from": "2025-05-01", "date_to": "2025-01-01"}  # empty range
    req = parse_request("帮我生成2024年度报销台账", today=TODAY, router=router(openai_server))
    assert req.router == "rules" and req.year == 2024 and any("router failed" in n for n in req.notes)
    FakeOpenAI.mode = "refuse"
    req = parse_request("帮我生成2024年度报销台账", today=TODAY, router=router(openai_server))
    assert req.router == "rules" and req.year == 2024


def test_cli_uses_the_router_only_when_configured(openai_server: str, tmp_path: Path) -> None:
    FakeOpenAI.mode = "ok"
    FakeOpenAI.answer = {"jobs": ["ledger"], "year": 2024, "categories": ["交通"]}
    env = {**os.environ, "OFFICE_AGENT_LLM__MODEL": "qwen-test", "OFFICE_AGENT_LLM__BASE_URL": openai_server}
    cmd = [
        sys.executable,
        "-m",
        "office_agent",
        "ask",
        "去年打车的钱",
        str(tmp_path),
        "--dry-run",
        "--today",
        "2025-06-15",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "交通" in proc.stderr and FakeOpenAI.requests
    FakeOpenAI.requests = []
    plain = {k: v for k, v in os.environ.items() if not k.startswith("OFFICE_AGENT_LLM")}
    subprocess.run(cmd, capture_output=True, text=True, env=plain, check=False)
    assert FakeOpenAI.requests == []  # off by default: nothing sent
