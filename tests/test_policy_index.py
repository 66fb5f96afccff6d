"""The guide index: a folder of guides is read once and kept, keyed by sha256; a changed file is read again, a
vanished one dropped, the same bytes under another name answered from the kept row with the new name cited."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hostile.guides import GOOD_MD
from policy_helpers import POLICY_SAMPLES

from office_agent.models import Status
from office_agent.policy.checklist import build_checklist
from office_agent.policy.guides import load_guides
from office_agent.policy.index import GuideIndex
from office_agent.policy.ingest.docs import DEFAULT_DOC_LIMITS

QUESTION = "杭州户籍办理护照需要什么材料"


def _items(guides_extracted: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    checklist = build_checklist([], QUESTION, extracted=guides_extracted)
    return [(p.file, i.text, c.quote) for p in checklist.procedures for i in p.items for c in i.citations]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    guides = tmp_path / "guides"
    shutil.copytree(POLICY_SAMPLES, guides)
    (guides / "empty.md").write_bytes(b"")
    return guides


def test_second_question_reads_nothing_and_answers_the_same(folder: Path, tmp_path: Path) -> None:
    with GuideIndex(tmp_path / "cache", DEFAULT_DOC_LIMITS) as index:
        first = load_guides([folder], index=index, workers=0)
        again = load_guides([folder], index=index, workers=0)
    assert first.read_now == 5 and again.read_now == 0
    assert [f.model_dump() for f in again.files] == [f.model_dump() for f in first.files]
    empty = next(f for f in again.files if f.source.endswith("empty.md"))
    assert empty.status == Status.FAILED and "empty" in (empty.reason or "")  # a bad guide is refused once, kept
    assert _items(again.extracted) == _items(first.extracted) and _items(first.extracted)
    fresh = load_guides([folder], workers=0)  # no index: the same answer
    assert _items(fresh.extracted) == _items(first.extracted)


def test_changed_file_is_read_again_and_vanished_one_dropped(folder: Path, tmp_path: Path) -> None:
    with GuideIndex(tmp_path / "cache", DEFAULT_DOC_LIMITS) as index:
        load_guides([folder], index=index, workers=0)
        guide = folder / "travel_expense_policy.md"
        guide.write_text(GOOD_MD, encoding="utf-8")
        os.utime(guide, ns=(1, 1))  # a new mtime whatever the clock's resolution
        (folder / "residence_permit.html").unlink()
        again = load_guides([folder], index=index, workers=0)
        assert again.read_now == 1
        assert not any(f.source.endswith("residence_permit.html") for f in again.files)
        names = {p.name for p, _ in again.extracted if p.file == str(guide)}
        assert names and all("差旅" not in n for n in names)
        kept = index._db.execute("SELECT count(*) FROM files WHERE path LIKE '%residence_permit.html'").fetchone()
        assert kept == (0,)


def test_same_bytes_under_another_name_cite_the_new_name(folder: Path, tmp_path: Path) -> None:
    with GuideIndex(tmp_path / "cache", DEFAULT_DOC_LIMITS) as index:
        load_guides([folder], index=index, workers=0)
        other = tmp_path / "elsewhere"
        other.mkdir()
        shutil.copy(folder / "passport_hangzhou.docx", other / "renamed.docx")
        again = load_guides([other], index=index, workers=0)
    assert again.read_now == 0  # hashed, found by its sha256, not read
    files = {c[0] for c in _items(again.extracted)}
    assert files == {str(other / "renamed.docx")}


def test_the_index_survives_a_new_process(folder: Path, tmp_path: Path) -> None:
    GuideIndex(tmp_path / "cache", DEFAULT_DOC_LIMITS).close()
    with GuideIndex(tmp_path / "cache", DEFAULT_DOC_LIMITS) as index:
        load_guides([folder], index=index, workers=0)
    with GuideIndex(tmp_path / "cache", DEFAULT_DOC_LIMITS) as index:
        assert load_guides([folder], index=index, workers=0).read_now == 0
    with GuideIndex(tmp_path / "cache", DEFAULT_DOC_LIMITS.model_copy(update={"max_pages": 5})) as index:
        assert load_guides([folder], index=index, workers=0).read_now == 5  # other limits: read again
