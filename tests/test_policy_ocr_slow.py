"""The scanned and photographed sample guides through the real OCR model (RapidOCR, PP-OCRv6 from its wheel).

Marked slow: about 30 s on 2 cores. The fast tests replay the recordings of these runs (``test_policy_ocr.py``);
this checks that the live model still gives the same checklist, so the recordings have not gone stale.
"""

from __future__ import annotations

import json

import pytest
from policy_helpers import ROOT

from office_agent.ingest import ocr
from office_agent.ingest.ocr.rapid import is_available
from office_agent.policy.checklist import build_checklist
from office_agent.policy.eval import item_citations_resolve, score_items, score_procedures
from office_agent.policy.ingest.docs import read_policy_file
from office_agent.policy_models import ItemKind

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not is_available(), reason="rapidocr + onnxruntime are not installed"),
]

SCANNED = ROOT / "samples" / "policy_scanned"
TRUTHS = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCANNED.glob("*.truth.json"))]


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda t: t["file"])
def test_real_ocr_reads_the_scanned_guide(truth: dict) -> None:
    ocr.set_default_engine("rapidocr")
    try:
        doc = read_policy_file(SCANNED / truth["file"])
    finally:
        ocr.set_default_engine(None)
    assert any("OCR" in w for w in doc.warnings)
    checklist = build_checklist([doc])
    if "procedures" in truth:
        score, matched, absent = score_procedures(checklist.procedures, truth)
        assert not absent
    else:
        words = {m["id"]: m["match"] for m in truth["materials"]}
        score, matched = score_items(checklist.items(ItemKind.MATERIAL), words)
    assert score.recall == 1.0, score.missing
    assert score.precision >= 0.9, score.extra
    for m in truth["materials"]:
        assert item_citations_resolve(matched[m["id"]], {doc.source: doc}, m["match"]), m["id"]
        assert set(m["conditions"]) <= {c.kind.value for c in matched[m["id"]].conditions}, m["id"]
