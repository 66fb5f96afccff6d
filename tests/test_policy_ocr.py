"""Photographed and scanned guides (OCR replayed from recordings), tables rebuilt from OCR boxes, and guides that
hold several procedures. The real model runs in ``test_policy_ocr_slow.py`` (marked slow).

Recordings: ``tests/fixtures/ocr/policy/<file>.json``, made by ``benchmarks/record_policy_ocr.py`` on
``samples/policy_scanned`` (written by ``python -m office_agent.synth.policy``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from policy_helpers import ROOT

from office_agent.errors import NeedsOcr
from office_agent.ingest import ocr
from office_agent.ingest.ocr.base import OcrBox
from office_agent.ingest.ocr.layout import Segment, group_rows, merge_close, xy_cut
from office_agent.ingest.ocr.replay import SequenceReplayEngine, load_recordings
from office_agent.policy.checklist import build_checklist, read_documents
from office_agent.policy.eval import item_citations_resolve, procedure_named, score_items, score_procedures
from office_agent.policy.ingest.docs import read_policy_bytes, read_policy_file
from office_agent.policy.ingest.ocr_tables import aligned_tables, ruled_tables
from office_agent.policy_models import Applicability, BlockKind, ConditionKind, DocKind, ItemKind, PolicyDocument

SCANNED = ROOT / "samples" / "policy_scanned"
PROCEDURES = ROOT / "samples" / "policy_procedures"
RECORDINGS = Path(__file__).parent / "fixtures" / "ocr" / "policy"
SCAN_TRUTHS = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCANNED.glob("*.truth.json"))]
PROCEDURE_TRUTHS = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PROCEDURES.glob("*.truth.json"))]


@pytest.fixture
def engine_reset() -> Iterator[None]:
    yield
    ocr.set_default_engine(None)
    ocr.FACTORIES.pop("replay", None)
    ocr.forget_engine("replay")


def replayed(name: str) -> PolicyDocument:
    """The sample read with the engine's recorded answers (every call checked against the image size)."""
    engine = SequenceReplayEngine(load_recordings(RECORDINGS / f"{name}.json"))
    ocr.register_engine("replay", lambda: engine)
    ocr.set_default_engine("replay")
    try:
        doc = read_policy_file(SCANNED / name)
    finally:
        ocr.set_default_engine(None)
        ocr.FACTORIES.pop("replay", None)
        ocr.forget_engine("replay")
    assert engine.calls == len(engine.recordings)
    return doc


@pytest.fixture(scope="module")
def scanned_docs() -> dict[str, PolicyDocument]:
    return {t["file"]: replayed(t["file"]) for t in SCAN_TRUTHS}


def test_scanned_samples_cover_image_containers() -> None:
    assert {t["file"].rsplit(".", 1)[1] for t in SCAN_TRUTHS} == {"pdf", "tiff", "jpg"}
    assert {t["style"] for t in SCAN_TRUTHS} == {"scan", "photo"}


@pytest.mark.parametrize("truth", SCAN_TRUTHS, ids=lambda t: t["file"])
def test_scanned_guide_materials_conditions_and_citations(truth: dict, scanned_docs: dict) -> None:
    doc = scanned_docs[truth["file"]]
    assert any("OCR" in w for w in doc.warnings)
    checklist = build_checklist([doc])
    if "procedures" in truth:
        score, matched, absent = score_procedures(checklist.procedures, truth)
        assert not absent and len(checklist.procedures) == len(truth["procedures"])
    else:
        words = {m["id"]: m["match"] for m in truth["materials"]}
        score, matched = score_items(checklist.items(ItemKind.MATERIAL), words)
    assert score.recall == 1.0, score.missing
    assert score.precision >= 0.9, score.extra
    docs = {doc.source: doc}
    for m in truth["materials"]:
        item = matched[m["id"]]
        assert item_citations_resolve(item, docs, m["match"]), (m["id"], item.citations)
        assert all(c.page is not None for c in item.citations)
        assert set(m["conditions"]) <= {c.kind.value for c in item.conditions}, (m["id"], item.conditions)
    for item in checklist.items():
        assert item_citations_resolve(item, docs), item


def test_scanned_ruled_table_becomes_table_rows_with_conditions(scanned_docs: dict) -> None:
    doc = scanned_docs["id_card_renewal_scan.pdf"]
    rows = [b for b in doc.blocks if b.kind == BlockKind.TABLE_ROW]
    assert len(rows) == 6 and rows[0].header == ["序号", "材料名称", "原件/复印件", "份数", "适用情形"]
    assert rows[3].cells[1:] == ["监护人居民身份证", "原件及复印件", "1", "未满16周岁的申请人"]
    guardian = next(i for i in build_checklist([doc]).items(ItemKind.MATERIAL) if "监护人" in i.text)
    assert guardian.original and guardian.copy_required and guardian.copies == 1
    assert [c.kind for c in guardian.conditions] == [ConditionKind.AGE_UNDER]


def test_conditional_table_rows_are_filtered_by_the_question(scanned_docs: dict) -> None:
    doc = scanned_docs["passport_procedures_scan.tiff"]
    adult = build_checklist([doc], "我是成年人，第一次办护照需要什么材料")
    assert [p.name.rsplit("›", 1)[-1].strip() for p in adult.procedures] == ["首次申领护照"]
    texts = [i.text for i in adult.items(ItemKind.MATERIAL)]
    assert not any("监护人" in t or "出生医学证明" in t for t in texts)
    assert any("监护人" in i.text for i in adult.excluded)
    military = next(i for i in adult.items(ItemKind.MATERIAL) if "同意出境意见" in i.text)
    assert military.applicability == Applicability.DEPENDS and military.condition_text() == "现役军人"
    child = build_checklist([doc], "孩子10岁，第一次申请护照要准备哪些材料")
    guardian = next(i for i in child.items(ItemKind.MATERIAL) if "监护人" in i.text)
    assert guardian.applicability == Applicability.APPLIES


def test_unruled_table_in_a_photo_is_rebuilt_from_column_alignment(scanned_docs: dict) -> None:
    doc = scanned_docs["expense_policy_photo.jpg"]
    rows = [b for b in doc.blocks if b.kind == BlockKind.TABLE_ROW]
    assert [r.cells for r in rows] == [["宴请外宾", "外事接待批件复印件"], ["单次超过5000元", "总经理签批的超标准说明"]]
    assert rows[0].header == ["情形", "所需材料"]
    item = next(i for i in build_checklist([doc]).items(ItemKind.MATERIAL) if "外事接待批件" in i.text)
    assert item.condition_text() == "宴请外宾" and item.applicability == Applicability.DEPENDS  # kept, with its case


def test_scan_page_numbers_are_cited(scanned_docs: dict) -> None:
    doc = scanned_docs["passport_procedures_scan.tiff"]
    assert doc.kind == DocKind.IMAGE and doc.pages == 2
    where = next(i for i in build_checklist([doc]).items(ItemKind.WHERE) if "市民中心" in i.text)
    assert where.citations[0].page == 2 and "p.2" in where.citations[0].label()


# --- several procedures in one guide --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def procedure_docs() -> list[PolicyDocument]:
    docs, outcomes = read_documents([PROCEDURES])
    assert len(docs) == 2 and all(o.status.value == "ok" for o in outcomes), outcomes
    return docs


@pytest.mark.parametrize("truth", PROCEDURE_TRUTHS, ids=lambda t: t["file"])
def test_one_section_per_procedure(truth: dict, procedure_docs: list[PolicyDocument]) -> None:
    doc = next(d for d in procedure_docs if d.source.endswith(truth["file"]))
    checklist = build_checklist([doc])
    score, _, absent = score_procedures(checklist.procedures, truth)
    assert not absent and len(checklist.procedures) == len(truth["procedures"])
    assert score.recall == 1.0 and score.precision >= 0.9, (score.missing, score.extra)
    by_id = {t["id"]: t for t in truth["items"]}
    words_of = {m["id"]: m["match"] for m in truth["materials"]}
    for spec in truth["procedures"]:
        procedure = procedure_named(checklist.procedures, spec["name"])
        assert procedure is not None and procedure.citation is not None
        assert spec["name"] in procedure.citation.quote
        for item_id in spec["items"]:  # its own time, the shared fee, place and steps
            words, kind = by_id[item_id]["match"], by_id[item_id]["kind"]
            assert any(i.kind.value == kind and all(w in i.text for w in words) for i in procedure.items), item_id
        own_words = [words_of[i] for i in spec["materials"]]
        foreign = {i: words_of[i] for o in truth["procedures"] if o is not spec for i in o["materials"]
                   if words_of[i] not in own_words}  # fmt: skip
        assert foreign and not score_items(procedure.of_kind(ItemKind.MATERIAL), foreign)[0].found, spec["name"]

QUESTIONS = [(t, q) for t in PROCEDURE_TRUTHS for q in t["questions"]]


@pytest.mark.parametrize(("truth", "q"), QUESTIONS, ids=[q["question"] for _, q in QUESTIONS])
def test_question_picks_the_matching_procedure(truth: dict, q: dict, procedure_docs: list[PolicyDocument]) -> None:
    checklist = build_checklist(procedure_docs, q["question"])
    names = [p.name.rsplit("›", 1)[-1].strip() for p in checklist.procedures]
    assert names == q["procedures"]
    words = {m["id"]: m["match"] for m in truth["materials"]}
    score, _ = score_items(checklist.items(ItemKind.MATERIAL), {i: words[i] for i in q["expect"]})
    assert score.recall == 1.0, score.missing
    assert score.precision >= 0.9, score.extra
    for excluded in q["excluded"]:
        assert not score_items(checklist.items(ItemKind.MATERIAL), {excluded: words[excluded]})[0].found, excluded


def test_single_procedure_guides_stay_whole() -> None:
    text = "某事项办理指南\n\n一、申请材料\n1. 居民身份证原件。\n二、收费标准\n每本120元。\n三、办理时限\n7个工作日。\n"
    doc = read_policy_bytes("guide.txt", text.encode())
    (procedure,) = build_checklist([doc]).procedures
    assert procedure.extent is None and procedure.name == "某事项办理指南"


# --- bad input ----------------------------------------------------------------------------------------------------


def test_image_without_an_ocr_engine_says_so(engine_reset: None) -> None:
    ocr.set_default_engine("null")
    with pytest.raises(NeedsOcr, match="no OCR engine is available"):
        read_policy_file(SCANNED / "expense_policy_photo.jpg")


def test_cli_with_the_null_engine_skips_the_photo_and_names_it() -> None:
    from typer.testing import CliRunner

    from office_agent.cli import app

    try:
        result = CliRunner().invoke(
            app, ["--ocr-engine", "null", "checklist", str(SCANNED / "expense_policy_photo.jpg"), "--format", "json"]
        )
    finally:
        ocr.set_default_engine(None)
    assert result.exit_code == 2
    assert "expense_policy_photo.jpg" in result.output and "no OCR engine" in result.output


def test_blank_and_tiny_images_are_clear_errors(engine_reset: None) -> None:
    import io

    from office_agent.errors import EmptyFile

    engine = SequenceReplayEngine([])
    ocr.register_engine("replay", lambda: engine)
    ocr.set_default_engine("replay")
    buf = io.BytesIO()
    Image.new("RGB", (800, 1000), "white").save(buf, "PNG")
    with pytest.raises(EmptyFile, match="blank"):
        read_policy_bytes("blank.png", buf.getvalue())
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buf, "PNG")
    with pytest.raises(EmptyFile, match="too small to hold a readable page"):
        read_policy_bytes("icon.png", buf.getvalue())
    assert engine.calls == 0


# --- the table and reading-order steps on their own ---------------------------------------------------------------


def _ruled_page() -> tuple[np.ndarray, list[Segment]]:
    """A white page with a 3-column, 3-row grid, and segments as a recogniser would box the cell texts."""
    im = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(im)
    xs, ys = [100, 300, 700, 1100], [200, 260, 320, 380]
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill="black", width=2)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill="black", width=2)
    draw.text((110, 100), "title text above the table", fill="black")
    texts = [["情形", "所需材料", "份数"], ["未满16周岁", "监护人身份证", "1"], ["现役军人", "同意出境意见", "1"]]
    segs = []
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            segs.append(Segment(text, xs[c] + 10, ys[r] + 15, xs[c] + 10 + 28 * len(text), ys[r] + 45))
    segs.append(Segment("title text above the table", 110, 100, 500, 130))
    return np.asarray(im), segs


def test_ruled_table_from_morphology() -> None:
    image, segs = _ruled_page()
    (table,) = ruled_tables(image, segs, 30.0)
    assert table.rows == [
        ["情形", "所需材料", "份数"], ["未满16周岁", "监护人身份证", "1"], ["现役军人", "同意出境意见", "1"]
    ]  # fmt: skip
    assert len(table.used) == 9  # the title above is not in it


def test_a_box_read_across_a_column_rule_is_cut_there() -> None:
    image, segs = _ruled_page()
    merged = Segment("现役军人同意出境意见", 188, 335, 468, 365)  # 28 px a character; the rule at x=300
    segs = [s for s in segs if s.text not in ("现役军人", "同意出境意见")] + [merged]
    (table,) = ruled_tables(image, segs, 30.0)
    assert table.rows[2][:2] == ["现役军人", "同意出境意见"]


def test_page_without_rules_has_no_ruled_table() -> None:
    image = np.full((800, 1200, 3), 255, np.uint8)
    assert ruled_tables(image, [Segment("text", 10, 10, 100, 40)], 30.0) == []


def test_aligned_rows_make_a_table_and_wrapped_cells_join() -> None:
    def row(y: float, *cells: tuple[float, str]) -> list[Segment]:
        return [Segment(t, x, y, x + 28 * len(t), y + 30) for x, t in cells]

    segs = row(0, (100, "情形"), (600, "所需材料"))
    segs += row(60, (100, "未满16周岁"), (600, "监护人居民身份证原件及"))
    segs += row(95, (600, "复印件"))  # the rest of the cell, tight under it
    segs += row(150, (100, "现役军人"), (600, "同意出境意见"))
    segs += row(240, (100, "这是表格之后的一段很长的正文，横跨两栏的位置，所以表格到此为止。"))
    rows = [merge_close(r) for r in group_rows(segs)]
    ((start, end, cells),) = aligned_tables(rows, 30.0)
    assert (start, end) == (0, 4)
    assert cells == [["情形", "所需材料"], ["未满16周岁", "监护人居民身份证原件及复印件"], ["现役军人", "同意出境意见"]]


def test_label_and_value_pairs_are_not_a_table() -> None:
    segs = [Segment("收费标准", 100, 0, 212, 30), Segment("120元", 600, 0, 680, 30)]
    rows = [merge_close(r) for r in group_rows(segs)]
    assert aligned_tables(rows, 30.0) == []


def test_two_columns_are_read_left_column_first() -> None:
    left = [Segment(f"左栏第{i}行", 100, 100 + 40 * i, 400, 130 + 40 * i) for i in range(4)]
    right = [Segment(f"右栏第{i}行", 700, 100 + 40 * i, 1000, 130 + 40 * i) for i in range(4)]
    title = [Segment("通栏标题", 100, 20, 1000, 50)]
    regions = xy_cut(title + right + left, lambda s: s.box, 30.0)
    order = [s.text for region in regions for s in sorted(region, key=lambda s: s.y0)]
    assert order == ["通栏标题", *[s.text for s in left], *[s.text for s in right]]


def test_replay_out_of_step_is_an_error() -> None:
    recs = load_recordings(RECORDINGS / "expense_policy_photo.jpg.json")
    engine = SequenceReplayEngine(recs)
    with pytest.raises(RuntimeError, match="record the fixture again"):
        engine.recognize(np.zeros((10, 10, 3), np.uint8))
    assert isinstance(recs[0].boxes[0], OcrBox)
