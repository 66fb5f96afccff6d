"""Extraction on the project's samples (recall / precision / citations), the question filter, the LLM hook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_helpers import POLICY_SAMPLES, truths

from office_agent.policy.checklist import build_checklist, read_documents
from office_agent.policy.eval import Score, item_citations_resolve, score_items
from office_agent.policy.extract import rules
from office_agent.policy.extract.llm import validate_items
from office_agent.policy.extract.query import applicability, parse_question
from office_agent.policy_models import (
    Applicability,
    ChecklistItem,
    Citation,
    ConditionKind,
    ItemKind,
    ItemOrigin,
    PolicyDocument,
    Procedure,
)

TRUTHS = truths()


@pytest.fixture(scope="module")
def sample_docs() -> list[PolicyDocument]:
    docs, outcomes = read_documents([POLICY_SAMPLES])
    assert len(docs) == 4 and all(o.status.value == "ok" for o in outcomes), outcomes
    return docs


def _doc(docs: list[PolicyDocument], name: str) -> PolicyDocument:
    return next(d for d in docs if d.source.endswith(name))


def test_sample_set_covers_the_formats_the_issue_names() -> None:
    assert {t["file"].rsplit(".", 1)[1] for t in TRUTHS} == {"docx", "pdf", "html", "md"}


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda t: t["file"])
def test_required_materials_recall_precision_and_citations(truth: dict, sample_docs: list[PolicyDocument]) -> None:
    doc = _doc(sample_docs, truth["file"])
    checklist = build_checklist([doc])
    materials = checklist.items(ItemKind.MATERIAL)
    expected = {m["id"]: m["match"] for m in truth["materials"]}
    score, matched = score_items(materials, expected)
    assert score.recall == 1.0, score.missing
    assert score.precision >= 0.9, score.extra
    docs = {doc.source: doc}
    for m in truth["materials"]:
        item = matched[m["id"]]
        assert item_citations_resolve(item, docs, m["match"]), (m["id"], item.citations)
        kinds = {c.kind.value for c in item.conditions}
        assert set(m["conditions"]) <= kinds, (m["id"], kinds)
        if m["original"]:
            assert item.original, m["id"]
        if m["copy"]:
            assert item.copy_required, m["id"]
        if m["copies"]:
            assert item.copies == m["copies"], m["id"]
    for item in checklist.items():
        assert (item.citations and item_citations_resolve(item, docs)) or item.kind != ItemKind.MATERIAL


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda t: t["file"])
def test_other_items_are_found_with_citations(truth: dict, sample_docs: list[PolicyDocument]) -> None:
    doc = _doc(sample_docs, truth["file"])
    items = [i for i in build_checklist([doc]).items() if i.kind != ItemKind.MATERIAL]
    for expected in truth["items"]:
        found = [i for i in items if i.kind.value == expected["kind"] and all(w in i.text for w in expected["match"])]
        assert found, expected
        assert item_citations_resolve(found[0], {doc.source: doc}, expected["match"])


QUESTIONS = [(t, q) for t in TRUTHS for q in t["questions"]]


@pytest.mark.parametrize(("truth", "q"), QUESTIONS, ids=[q["question"] for _, q in QUESTIONS])
def test_questions_against_all_samples(truth: dict, q: dict, sample_docs: list[PolicyDocument]) -> None:
    """The whole folder is searched: the right guide must be chosen, and the case's conditions applied."""
    checklist = build_checklist(sample_docs, q["question"])
    assert [p.file for p in checklist.procedures] == [_doc(sample_docs, truth["file"]).source]
    words = {m["id"]: m["match"] for m in truth["materials"]}
    score, _ = score_items(checklist.items(ItemKind.MATERIAL), {i: words[i] for i in q["expect"]})
    assert score.recall == 1.0, score.missing
    assert score.precision >= 0.9, score.extra
    for excluded in q["excluded"]:
        assert not score_items(checklist.items(ItemKind.MATERIAL), {excluded: words[excluded]})[0].found, excluded


def test_adult_first_time_hangzhou_applicant_does_not_see_minor_materials(sample_docs: list[PolicyDocument]) -> None:
    checklist = build_checklist(sample_docs, "我是杭州户籍的成年人，第一次办理护照，需要带什么材料？")
    texts = " ".join(i.text for i in checklist.items(ItemKind.MATERIAL))
    assert "出生医学证明" not in texts and "监护人" not in texts and "原护照" not in texts
    military = next(i for i in checklist.items(ItemKind.MATERIAL) if "现役军人" in i.text)
    assert military.applicability == Applicability.DEPENDS and "现役军人" in military.condition_text()
    assert any("出生医学证明" in i.text for i in checklist.excluded)


def test_question_that_matches_nothing_lists_what_is_covered(sample_docs: list[PolicyDocument]) -> None:
    checklist = build_checklist(sample_docs, "结婚登记需要什么材料")
    assert checklist.no_match and not checklist.procedures
    assert len(checklist.coverage) == 4 and any("护照" in c for c in checklist.coverage)
    assert "结婚" in checklist.warnings[0]


def test_without_a_question_every_procedure_is_summarised(sample_docs: list[PolicyDocument]) -> None:
    checklist = build_checklist(sample_docs)
    assert len(checklist.procedures) == 4 and not checklist.excluded
    assert all(i.applicability != Applicability.EXCLUDED for i in checklist.items())


# --- rules --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value", "negated"),
    [
        ("未满16周岁的申请人", ConditionKind.AGE_UNDER, 16, False),
        ("未满十六周岁的", ConditionKind.AGE_UNDER, 16, False),
        ("16周岁以下的", ConditionKind.AGE_UNDER, 17, False),
        ("年满十六周岁的", ConditionKind.AGE_AT_LEAST, 16, False),
        ("Children under 16", ConditionKind.AGE_UNDER, 16, False),
        ("现役军人须提交", ConditionKind.MILITARY, None, False),
        ("护照遗失或被盗的", ConditionKind.LOST, None, False),
        ("非本市户籍人员", ConditionKind.NONLOCAL, None, False),
        ("未满16周岁的可免交", ConditionKind.AGE_UNDER, 16, True),
        ("If you are not able to renew your passport", ConditionKind.RENEWAL, None, True),
    ],
)
def test_conditions(text: str, kind: ConditionKind, value: int | None, negated: bool) -> None:
    found = [c for c in rules.parse_conditions(text) if c.kind == kind]
    assert found and found[0].value == value and found[0].negated is negated


def test_alternatives_share_a_group_and_separate_clauses_do_not() -> None:
    either = rules.parse_conditions("换发、补发护照的")
    assert {c.kind for c in either} == {ConditionKind.RENEWAL, ConditionKind.LOST}
    assert len({c.group for c in either}) == 1
    both = rules.parse_conditions("首次申请的，未满16周岁的")
    assert len({c.group for c in both}) == 2


def test_material_attributes() -> None:
    assert rules.parse_form("居民身份证原件及复印件1份") == (True, True)
    assert rules.parse_copies("近期免冠照片2张") == 2
    assert rules.parse_copies("一式两份") == 2
    assert rules.parse_who("监护人居民身份证原件") == "监护人"
    assert rules.parse_form("Số lượng: Bản chính: 1, Bản sao: 0") == (True, False)
    spans = rules.submit_list(
        "公民申请普通护照，应当提交本人的居民身份证、户口簿、近期免冠照片以及申请事由的相关材料。"
    )
    sentence = "公民申请普通护照，应当提交本人的居民身份证、户口簿、近期免冠照片以及申请事由的相关材料。"
    assert [sentence[s:e] for s, e in spans] == ["居民身份证", "户口簿", "近期免冠照片", "申请事由的相关材料"]
    assert rules.submit_list("员工报销差旅费，须提交以下材料：") == []


@given(st.text(max_size=6))
def test_cn_number_never_raises(text: str) -> None:
    value = rules.cn_number(text)
    assert value is None or value >= 0


@pytest.mark.parametrize(("text", "value"), [("十六", 16), ("二十", 20), ("两", 2), ("九十九", 99), ("16", 16)])
def test_cn_number(text: str, value: int) -> None:
    assert rules.cn_number(text) == value


def test_profile_from_questions() -> None:
    p = parse_question("我是杭州户籍的成年人，第一次办理护照")
    assert (p.local, p.adult, p.first_time, p.renewal, p.lost) == (True, True, True, False, False)
    assert parse_question("外地户口，孩子12岁").local is False
    child = parse_question("孩子12岁")
    assert child.age == 12 and child.adult is False
    assert parse_question("my passport was stolen").lost is True
    assert parse_question(None).is_empty()


def test_applicability_groups() -> None:
    item = ChecklistItem(kind=ItemKind.MATERIAL, text="x", conditions=rules.parse_conditions("换发、补发护照的"))
    assert applicability(item, parse_question("护照丢了")) == Applicability.APPLIES
    assert applicability(item, parse_question("第一次申请")) == Applicability.EXCLUDED
    assert applicability(item, parse_question("杭州户籍")) == Applicability.DEPENDS


# --- the LLM hook -------------------------------------------------------------------------------------------------


class FakeRefiner:
    """Stands in for an LLM: merges the first two items with a valid citation, invents one without, and one with
    a quote that is not in the document."""

    def refine(self, question: str | None, procedure: Procedure) -> list[ChecklistItem]:
        first, second = procedure.items[0], procedure.items[1]
        merged = ChecklistItem(kind=ItemKind.MATERIAL, text=f"{first.text}；{second.text}",
                               citations=[*first.citations, *second.citations])  # fmt: skip
        no_citation = ChecklistItem(kind=ItemKind.MATERIAL, text="结婚证原件")
        fake_quote = ChecklistItem(
            kind=ItemKind.MATERIAL, text="驾驶证原件",
            citations=[Citation(file=procedure.file, quote="驾驶证原件1份", start=0, end=7)],
        )  # fmt: skip
        off = first.citations[0]
        wrong_offsets = ChecklistItem(
            kind=ItemKind.MATERIAL, text=first.text,
            citations=[off.model_copy(update={"start": off.start + 100, "end": off.end + 100})],
        )  # fmt: skip
        unsupported = ChecklistItem(kind=ItemKind.MATERIAL, text="营业执照副本", citations=[first.citations[0]])
        return [merged, no_citation, fake_quote, wrong_offsets, unsupported]


class BrokenRefiner:
    def refine(self, question: str | None, procedure: Procedure) -> list[ChecklistItem]:
        raise TimeoutError("model did not answer")


def test_llm_items_without_a_valid_citation_are_dropped_and_reported(sample_docs: list[PolicyDocument]) -> None:
    doc = _doc(sample_docs, "passport_hangzhou.docx")
    checklist = build_checklist([doc], "杭州户籍成年人首次办理护照", refiner=FakeRefiner())
    items = checklist.items()
    assert [i.origin for i in items] == [ItemOrigin.LLM, ItemOrigin.LLM]
    assert items[1].citations[0].start == next(i for i in items).citations[0].start  # offsets corrected
    reasons = {d.text: d.reason for d in checklist.dropped}
    assert reasons["结婚证原件"] == "no citation"
    assert "not in" in reasons["驾驶证原件"]
    assert "does not mention" in reasons["营业执照副本"]
    assert all(item_citations_resolve(i, {doc.source: doc}) or i.origin == ItemOrigin.LLM for i in items)


def test_validate_items_rejects_unknown_files(sample_docs: list[PolicyDocument]) -> None:
    doc = _doc(sample_docs, "residence_permit.html")
    item = ChecklistItem(kind=ItemKind.NOTE, text="居住证", citations=[Citation(file="elsewhere.pdf", quote="居住证",
                                                                               start=0, end=3)])  # fmt: skip
    kept, dropped = validate_items([item], {doc.source: doc})
    assert not kept and "not one of the documents" in dropped[0].reason


def test_a_failing_llm_keeps_the_rule_based_items(sample_docs: list[PolicyDocument]) -> None:
    doc = _doc(sample_docs, "residence_permit.html")
    plain = build_checklist([doc], "居住证")
    checklist = build_checklist([doc], "居住证", refiner=BrokenRefiner())
    assert len(checklist.items()) == len(plain.items()) and "LLM refinement failed" in checklist.warnings[0]


def test_score_counts_duplicates_as_false_positives() -> None:
    items = [
        ChecklistItem(kind=ItemKind.MATERIAL, text="户口簿原件"),
        ChecklistItem(kind=ItemKind.MATERIAL, text="户口簿"),
    ]
    score, _ = score_items(items, {"hukou": ["户口簿"]})
    assert isinstance(score, Score) and score.recall == 1.0 and score.precision == 0.5


def test_jieba_works_offline_and_caches_where_told(tmp_path: Path) -> None:
    """A fresh process with an empty temp dir: the dictionary ships with jieba, the cache goes to the given dir."""
    cache = tmp_path / "cache"
    env = {**os.environ, "OFFICE_AGENT_CACHE_DIR": str(cache), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    code = "from office_agent.policy.extract.query import tokenize; print(' '.join(tokenize('杭州户籍办理护照')))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "护照" in done.stdout.split() and "杭州" in done.stdout.split()
    assert list(cache.glob("jieba*.cache")) and not list((tmp_path / "tmp").glob("jieba*"))
    assert "Building prefix dict" not in done.stderr  # jieba's own logging stays quiet
