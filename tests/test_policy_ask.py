"""``ask`` with a policy question in plain words: told apart from invoice requests, answered from the guides given
or from ``[guides] paths`` in office-agent.toml, and with no guide at hand it says where to get one."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import POLICY_SAMPLES
from test_ask import CASES, TODAY
from typer.testing import CliRunner

from office_agent.ask import parse_request
from office_agent.errors import ExitCode
from office_agent.policy.asking import guide_sources, is_policy_question, urls_in

POLICY = [
    "杭州户籍办理护照需要什么材料",
    "第一次办护照要带什么",
    "How do I renew my passport by mail",
    "差旅费报销需要什么材料",
    "居住证怎么办理",
    "补办身份证要准备哪些证件",
    "What documents do I need for a passport for my child",
    "申请公积金提取",
    "https://zwfw.example.gov.cn/guide/123 需要什么材料",
]


@pytest.mark.parametrize("text", POLICY)
def test_policy_questions_are_recognised(text: str) -> None:
    assert is_policy_question(text, invoice_job=parse_request(text, today=TODAY).understood)


@pytest.mark.parametrize("text", [c[0] for c in CASES if c[1][0]])
def test_invoice_requests_stay_invoice_requests(text: str) -> None:
    assert not is_policy_question(text, invoice_job=parse_request(text, today=TODAY).understood)


def test_sources_urls_then_paths_then_configured(tmp_path: Path) -> None:
    assert urls_in("看 https://a.example.gov.cn/x.html，需要什么材料") == ["https://a.example.gov.cn/x.html"]
    assert guide_sources("x", [Path("https://a.example/b")], []) == ["https://a.example/b"]  # Path folds the //
    assert guide_sources("x", [], [tmp_path, tmp_path / "missing"]) == [str(tmp_path)]


def _ask(*args: str) -> tuple[int, str, str]:
    from office_agent.cli import app

    result = CliRunner().invoke(app, ["ask", *args])
    return result.exit_code, result.stdout, result.output


def test_ask_answers_from_the_guides_given(tmp_path: Path) -> None:
    code, stdout, _ = _ask("杭州户籍办理护照需要什么材料", str(POLICY_SAMPLES), "-o", str(tmp_path))
    assert code == ExitCode.OK
    assert "居民身份证" in stdout and "passport_hangzhou.docx" in stdout
    assert (tmp_path / "checklist.md").read_text(encoding="utf-8").startswith("# ")


def test_ask_answers_from_the_configured_guides_folder(tmp_path: Path) -> None:
    config = tmp_path / "office-agent.toml"
    config.write_text(f'[guides]\npaths = ["{POLICY_SAMPLES}"]\n', encoding="utf-8")
    code, stdout, _ = _ask("第一次办护照要带什么", "--config", str(config), "-o", str(tmp_path))
    assert code == ExitCode.OK, stdout
    assert "照片" in stdout


def test_ask_without_a_guide_says_where_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no office-agent.toml here
    import sys

    from office_agent.cli import main

    monkeypatch.setattr(sys, "argv", ["office-agent", "ask", "第一次办护照要带什么"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == ExitCode.BAD_ARGS


def test_ask_without_a_guide_message() -> None:
    from office_agent.policy.asking import no_guide_help

    assert "[guides] paths" in no_guide_help("第一次办护照要带什么") and "政务服务网" in no_guide_help("办护照")
    assert "office-agent.toml" in no_guide_help("How do I renew my passport")


def test_invoice_ask_without_paths_asks_for_them() -> None:
    code, _, _ = _ask("帮我生成2024年度报销台账")
    assert code != ExitCode.OK
