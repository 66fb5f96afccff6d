"""The policy path's guarantees: hostile guides (tests/hostile/guides.py) each end with a reason naming the file
while the good guides beside them are answered; a guide that hangs or eats memory is stopped by the supervised
pool; exit codes are those of ``ledger``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hostile.generate import Case
from hostile.guides import GOOD_MD, build_guide_corpus, docx_bomb, html_table
from typer.testing import CliRunner

from office_agent.errors import ExitCode
from office_agent.models import Status
from office_agent.policy.checklist import checklist_from_paths, read_documents
from office_agent.policy.ingest.docs import read_policy_bytes
from office_agent.policy_models import DocLimits, FileOutcome


def _app():  # type: ignore[no-untyped-def]
    from office_agent.cli import app

    return app


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    root = tmp_path_factory.mktemp("hostile-guides")
    return root, build_guide_corpus(root)


@pytest.mark.slow
def test_every_hostile_guide_ends_with_its_reason_and_the_good_ones_are_answered(
    corpus: tuple[Path, list[Case]],
) -> None:
    root, cases = corpus
    started = time.perf_counter()
    checklist = checklist_from_paths([root], "需要什么材料")
    elapsed = time.perf_counter() - started
    by_source = {f.source: f for f in checklist.files}
    wrong = []
    for case in cases:
        outcome = by_source.get(str(root / case.path))
        if outcome is None:
            wrong.append(f"{case.path}: no outcome (lost)")
        elif outcome.status.value not in case.statuses:
            wrong.append(f"{case.path}: {outcome.status.value} ({outcome.reason}), expected {sorted(case.statuses)}")
        elif case.reason and case.reason not in (outcome.reason or ""):
            wrong.append(f"{case.path}: reason {outcome.reason!r} lacks {case.reason!r}")
    assert not wrong, "\n".join(wrong)
    answered = {Path(p.file).name for p in checklist.procedures}
    assert {"good_guide.md", "good_guide.docx"} <= answered
    assert elapsed < 240  # bounded: every refusal comes before the expensive part


def test_docx_bomb_is_refused_before_it_inflates() -> None:
    started = time.perf_counter()
    with pytest.raises(Exception) as info:
        read_policy_bytes("bomb.docx", docx_bomb(64 << 20), DocLimits(zip_member_bytes=32 << 20))
    assert "over the per-file limit" in str(info.value)
    assert time.perf_counter() - started < 20


def test_html_table_over_the_element_bound_is_refused_quickly() -> None:
    data = html_table(70_000)
    started = time.perf_counter()
    with pytest.raises(Exception, match="elements, over the limit"):
        read_policy_bytes("table.html", data)
    assert time.perf_counter() - started < 5
    assert read_policy_bytes("table.html", data, DocLimits(html_max_elements=10**6)).blocks  # the bound is a setting


def _slow_reader(path: str, limits: DocLimits):  # type: ignore[no-untyped-def]
    if Path(path).name == "hang.md":
        time.sleep(60)
    if Path(path).name == "greedy.md":
        hog = bytearray(4 << 30)  # far over the worker's address-space cap
        return hog[:1]
    from office_agent.policy.ingest.docs import read_policy_file

    return read_policy_file(path, limits)


@pytest.mark.slow
def test_a_guide_that_hangs_or_eats_memory_costs_that_guide_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a_good.md", "hang.md", "greedy.md", "z_good.md"):
        (tmp_path / name).write_text(GOOD_MD, encoding="utf-8")
    monkeypatch.setattr("office_agent.policy.reading.read_policy_file", _slow_reader)  # workers are forked
    limits = DocLimits(file_timeout_s=10, worker_memory_bytes=1 << 30)  # 10 s: this shared machine is slow
    started = time.perf_counter()
    docs, outcomes = read_documents([tmp_path], limits, workers=2)
    assert time.perf_counter() - started < 50
    by_name = {Path(o.source).name: o for o in outcomes}
    assert by_name["hang.md"].status == Status.FAILED and "timed out after 10 s" in (by_name["hang.md"].reason or "")
    assert by_name["greedy.md"].status == Status.FAILED
    assert "memory" in (by_name["greedy.md"].reason or "")
    assert sorted(Path(d.source).name for d in docs) == ["a_good.md", "z_good.md"]


def test_exit_codes_are_those_of_ledger(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "guide.md").write_text(GOOD_MD, encoding="utf-8")
    (bad / "empty.md").write_bytes(b"")
    (bad / "table.html").write_bytes(html_table(70_000))
    runner = CliRunner()
    ok = runner.invoke(_app(), ["checklist", str(good), "--question", "居住证需要什么材料", "--no-index"])
    assert ok.exit_code == ExitCode.OK, ok.output
    partial = runner.invoke(_app(), ["checklist", str(good), str(bad), "--question", "居住证需要什么材料"])
    assert partial.exit_code == ExitCode.PARTIAL
    assert f"{bad / 'table.html'}: failed — HTML page has about" in partial.output  # one line, naming the file
    assert "Traceback" not in partial.output
    failed = runner.invoke(_app(), ["checklist", str(bad), "--question", "居住证需要什么材料"])
    assert failed.exit_code == ExitCode.FAILED


def test_outcome_of_a_lost_worker_names_the_limit() -> None:
    from office_agent.policy.reading import _lost

    outcome = _lost(DocLimits(), "x.pdf", "timed out after 300 s; the file was abandoned")
    assert isinstance(outcome, FileOutcome) and "file_timeout_s" in (outcome.reason or "")


def test_progress_bar_on_a_terminal_only(capsys: pytest.CaptureFixture[str]) -> None:
    from office_agent.cli.checklist import Bar

    shown = Bar(True)
    for done in (1, 2, 3):
        shown(done, 3)
    shown.close()
    assert "guides" in capsys.readouterr().err
    for bar in (Bar(None), Bar(False)):  # None: a pipe (pytest's capture is not a terminal); False: --quiet
        bar(1, 3)
        bar.close()
    single = Bar(True)
    single(1, 1)  # one guide: no bar
    single.close()
    assert capsys.readouterr().err == ""
