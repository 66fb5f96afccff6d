"""Checklists from real documents in ../shared/realdata/policy (never copied here), against items written by hand
from reading those files."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import POLICY_REALDATA

from office_agent.policy.checklist import build_checklist
from office_agent.policy.eval import item_citations_resolve, score_items
from office_agent.policy.ingest.docs import read_policy_file
from office_agent.policy_models import Applicability, ItemKind, PolicyDocument

pytestmark = pytest.mark.realdata


def _read(name: str) -> PolicyDocument:
    path = POLICY_REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/realdata/policy)")
    return read_policy_file(path)


def _check(doc: PolicyDocument, expected: dict[str, list[str]], min_precision: float, question: str | None = None):
    checklist = build_checklist([doc], question)
    materials = checklist.items(ItemKind.MATERIAL)
    score, matched = score_items(materials, expected)
    assert score.recall == 1.0, score.missing
    assert score.precision >= min_precision, score.extra
    for key, item in matched.items():
        assert item_citations_resolve(item, {doc.source: doc}, expected[key]), key
    return checklist, matched


# PRC Passport Law, article 6: 居民身份证、户口簿、近期免冠照片以及申请事由的相关材料;
# state employees also 相关证明文件.
PASSPORT_LAW = {
    "id_card": ["居民身份证"],
    "hukou": ["户口簿"],
    "photo": ["免冠照片"],
    "reason": ["申请事由"],
    "state_proof": ["证明文件"],
}


def test_passport_law_article_6_materials() -> None:
    doc = _read("cn_passport_law_2006.md")
    checklist, matched = _check(doc, PASSPORT_LAW, 1.0)
    for item in matched.values():
        assert all(c.section.endswith("第六条") for c in item.citations)
    assert [c.kind.value for c in matched["state_proof"].conditions] == ["state_employee"]
    kinds = {i.kind for i in checklist.items()}
    assert {ItemKind.TIME, ItemKind.VALIDITY, ItemKind.WHERE, ItemKind.FEE} <= kinds
    time = next(i for i in checklist.items(ItemKind.TIME))
    assert "十五日内" in time.text and time.citations[0].section.endswith("第六条")


def test_passport_law_question_for_a_state_employee() -> None:
    doc = _read("cn_passport_law_2006.md")
    plain = build_checklist([doc], "申请普通护照要提交什么")
    proof = next(i for i in plain.items(ItemKind.MATERIAL) if "证明文件" in i.text)
    assert proof.applicability == Applicability.DEPENDS
    employee = build_checklist([doc], "我是国家工作人员，申请普通护照要提交什么")
    proof = next(i for i in employee.items(ItemKind.MATERIAL) if "证明文件" in i.text)
    assert proof.applicability == Applicability.APPLIES


# USA.gov "Apply for a new adult passport": Form DS-11; original proof of citizenship; an acceptable photo ID;
# a photocopy of both; a passport photo; the passport fee.
US_ADULT = {
    "ds11": ["Application"],
    "citizenship": ["proof of citizenship"],
    "photo_id": ["photo ID"],
    "photocopy": ["photocopy"],
    "photo": ["Passport photo"],
    "fee": ["Passport fee"],
}


@pytest.mark.parametrize("name", ["us_apply_adult_passport.md", "us_apply_adult_passport.html"])
def test_us_adult_passport_page(name: str) -> None:
    doc = _read(name)
    checklist, matched = _check(doc, US_ADULT, 1.0, "I am an adult applying for my first passport. What do I need?")
    assert matched["citizenship"].original is True
    assert matched["photocopy"].copy_required is True
    where = " ".join(i.text for i in checklist.items() if i.kind in (ItemKind.WHERE, ItemKind.ELIGIBILITY))
    assert "in person" in where
    assert "Home" not in doc.text.split("\n")[0]  # breadcrumbs are not the first block


# USA.gov "Get a passport for a minor under 18": under 16 a parent signs the application, documents proving
# citizenship and the relationship; 16-17 their identification documents and a parent's signed statement.
US_CHILD = {
    "application": ["passport application"],
    "citizenship": ["proof of U.S. citizenship"],
    "identification": ["identification documents"],
    "statement": ["signed statement"],
}


def test_us_child_passport_page_and_ages() -> None:
    doc = _read("us_child_passport.md")
    _check(doc, US_CHILD, 0.5)
    ten = build_checklist([doc], "passport for my 10 year old child")
    texts = [i.text for i in ten.items(ItemKind.MATERIAL)]
    assert "passport application" in texts and "signed statement" not in texts
    seventeen = build_checklist([doc], "passport for my daughter, age 17")
    texts = [i.text for i in seventeen.items(ItemKind.MATERIAL)]
    assert "signed statement" in texts and "identification documents" in texts
    assert "passport application" not in texts


# Vietnamese procedure 1.001456 (ordinary passport, in country): declaration TK01 / TK01a (under 14), photo, latest
# passport, birth certificate copy (under 14), proof of the legal representative; ID shown when submitting.
VN = {
    "tk01": ["Tờ khai đề nghị cấp hộ chiếu phổ thông ở trong nước"],
    "tk01a": ["(trẻ em)"],
    "photo": ["Ảnh"],
    "passport": ["Hộ chiếu phổ thông cấp lần gần nhất"],
    "birth": ["giấy khai sinh"],
    "representative": ["người đại diện hợp pháp"],
    "id_card": ["Thẻ căn cước công dân"],
}


def test_vietnamese_procedure_record() -> None:
    doc = _read("vn_procedure_1.001456.md")
    checklist, matched = _check(doc, VN, 0.75)
    birth = matched["birth"]
    assert (birth.original, birth.copy_required, birth.copies) == (True, True, 1)
    assert any(c.kind.value == "age_under" and c.value == 14 for c in birth.conditions)
    fees = " ".join(i.text for i in checklist.items(ItemKind.FEE))
    assert "160.000" in fees and "200.000" in fees


def test_all_real_documents_together(tmp_path: Path) -> None:
    if not POLICY_REALDATA.is_dir():
        pytest.skip("../shared/realdata/policy is absent")
    from office_agent.policy.checklist import read_documents

    docs, outcomes = read_documents([POLICY_REALDATA])
    assert len(docs) == len(outcomes) >= 6
    checklist = build_checklist(docs, "公民申请普通护照需要什么材料")
    assert any(p.file.endswith("cn_passport_law_2006.md") for p in checklist.procedures)
    by_source = {d.source: d for d in docs}
    assert all(item_citations_resolve(i, by_source) for i in checklist.items() if i.kind == ItemKind.MATERIAL)
