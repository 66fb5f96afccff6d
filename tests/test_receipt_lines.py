"""The learned receipt reader: line features (office_agent.extract.receiptlines), the shipped model, the assembly of
its picks into fields (office_agent.extract.receiptfields) and the receipt fields in the output contract; one slow
test reads real SROIE scans through ``office-agent extract``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_tickets import fields, page

from office_agent.extract import receiptfields as rf
from office_agent.extract.receiptlines import CLASSES, DIM, LineModel, flags, fold, hashed, line_features, shipped_model
from office_agent.extract.receipts import extract_receipt
from office_agent.extract.textlines import text_lines
from office_agent.generate.records import CONTRACT_KEYS, invoice_record
from office_agent.models import Invoice, Source

ROOT = Path(__file__).resolve().parents[1]
SROIE = ROOT.parent / "shared" / "realdata" / "receipts" / "sroie-dev"

RECEIPT = [
    ["TAN WOON YANN"],
    ["KEDAI BUKU SINAR HARAPAN SDN BHD"],
    ["(123456-X)"],
    ["NO. 12, JALAN MERANTI 3,"],
    ["TAMAN BUKIT INDAH, 81200 JOHOR BAHRU,"],
    ["JOHOR."],
    ["TEL: 07-2345678"],
    ["GST ID: 000123456789"],
    ["TAX INVOICE"],
    ["DATE: 03/05/2018", "14:22:01"],
    ["CASHIER: AMY"],
    ["PENCIL 2B", "2", "3.00"],
    ["NOTEBOOK A5", "1", "5.50"],
    ["TOTAL:", "8.50"],
    ["CASH", "10.00"],
    ["CHANGE", "1.50"],
    ["THANK YOU, PLEASE COME AGAIN"],
]


def test_fold_drops_accents_and_case() -> None:
    assert fold("Gerbang  Alaf Restäurants") == "GERBANG ALAF RESTAURANTS"
    assert fold("ＴＥＬ：03-1234") == "TEL:03-1234"
    assert rf.fold_keep_case("Restäurants Sdn Bhd") == "Restaurants Sdn Bhd"


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("MR D.I.Y. (JOHOR) SDN BHD", {"sdnbhd"}),
        ("(CO.REG : 933109-X)", {"reg", "bracketed"}),
        ("43300 SERI KEMBANGAN, SELANGOR", {"postcode", "state"}),
        ("TEL:07-3507405 FAX:07-3558160", {"tel", "phone"}),
        ("TOTAL ROUNDED RM 33.90", {"totalkw", "grand", "rounding", "money", "rm"}),
        ("DATE: 25/12/2018 8:13:39 PM", {"date", "datelabel", "time"}),
        ("27,JALAN DEDAP 13,", {"street", "endcomma"}),
    ],
)
def test_line_marks(text: str, marks: set[str]) -> None:
    assert marks <= flags(text)


def test_features_see_position_neighbours_and_what_came_above() -> None:
    lines = text_lines(page(RECEIPT))
    feats = line_features(lines)
    assert len(feats) == len(lines)
    name, address = set(feats[1]), set(feats[4])
    assert {"idx1", "f:sdnbhd", "dn1:reg", "below:tel", "t:SDN"} <= name
    assert {"above:reg", "above:sdnbhd", "f:postcode", "dn2:tel"} <= address
    assert "above:reg" not in name
    assert line_features(lines) == feats  # deterministic
    assert all(0 <= i < DIM for i in hashed(feats[0]))
    assert hashed(["bias", "bias"]) == hashed(["bias"])


def test_a_model_round_trips_through_json_and_gives_probabilities() -> None:
    rng = np.random.default_rng(3)
    weights = np.zeros((DIM, len(CLASSES)))
    weights[rng.integers(0, DIM, 50)] = rng.normal(size=(50, len(CLASSES)))
    model = LineModel(weights, rng.normal(size=len(CLASSES)))
    again = LineModel.from_json(model.to_json())
    lines = text_lines(page(RECEIPT))
    p = again.probabilities(lines)
    assert p.shape == (len(lines), len(CLASSES))
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(p, model.probabilities(lines), atol=1e-3)  # weights are stored to 5 decimals
    assert again.probabilities([]).shape == (0, len(CLASSES))


def test_a_model_for_other_classes_is_refused() -> None:
    raw = json.loads(LineModel(np.zeros((DIM, len(CLASSES))), np.zeros(len(CLASSES))).to_json())
    raw["classes"] = ["none", "company"]
    with pytest.raises(ValueError, match="classes"):
        LineModel.from_json(json.dumps(raw))


def test_the_shipped_model_classifies_the_lines_of_a_receipt() -> None:
    lines = text_lines(page(RECEIPT))
    best = [CLASSES[k] for k in shipped_model().probabilities(lines).argmax(axis=1)]
    assert best[1] == "company"
    assert best[3:6] == ["address"] * 3
    assert best[9] == "date"
    assert best[13] == "total"
    assert best[0] != "company" and best[6] == "none" and best[14] == "none"


def test_the_learned_reader_assembles_a_receipt() -> None:
    got = fields(extract_receipt(page(RECEIPT), Source.OCR))
    assert got["seller_name"] == "KEDAI BUKU SINAR HARAPAN SDN BHD"
    assert got["seller_address"] == "NO. 12, JALAN MERANTI 3, TAMAN BUKIT INDAH, 81200 JOHOR BAHRU, JOHOR."
    assert got["issue_date"] == "2018-05-03"
    assert got["total_amount"] == "8.50"
    assert got["seller_phone"] == "07-2345678"
    assert got["seller_registration"] == "123456-X"
    assert got["seller_tax_registration"] == "000123456789"


def _probs(company: list[float], address: list[float]) -> np.ndarray:
    p = np.zeros((len(company), len(CLASSES)))
    p[:, 1], p[:, 2] = company, address
    return p


def test_the_name_is_the_best_contiguous_run_of_name_lines() -> None:
    p = _probs([0.1, 0.7, 0.9, 0.2, 0.6], [0.0, 0.0, 0.0, 0.8, 0.1])
    assert rf.pick_company(p) == rf.Pick((1, 2), pytest.approx(0.8))
    assert rf.pick_company(_probs([0.1, 0.2], [0.0, 0.0])) is None  # nothing looks like a name
    assert rf.pick_company(np.zeros((0, len(CLASSES)))) is None


def test_the_address_is_the_strongest_run_below_the_name() -> None:
    p = _probs([0.9, 0, 0, 0, 0, 0, 0], [0.6, 0.1, 0.9, 0.8, 0.7, 0.2, 0.95])
    assert rf.pick_address(p, after=0).lines == (2, 3, 4)  # 2.4 beats the lone 0.95
    assert rf.pick_address(p, after=5).lines == (6,)
    assert rf.pick_address(_probs([0.0], [0.1])) is None


def test_a_registration_number_is_dropped_from_the_name() -> None:
    assert rf.clean_name("BOOK TA .K (TAMAN DAYA) SDN BHD (789417-W)") == "BOOK TA .K (TAMAN DAYA) SDN BHD"
    assert rf.clean_name("SYARIKAT PERNIAGAAN GIN KEE (CO.REG 81109-A)") == "SYARIKAT PERNIAGAAN GIN KEE"
    assert rf.clean_name("UNIHAKKA INTERNATIONAL SDN BHD 867388-U") == "UNIHAKKA INTERNATIONAL SDN BHD"


def test_phone_and_registration_readers() -> None:
    lines = text_lines(page([["CO. REG: 933109-X"], ["TEL NO: 03 -8724 7099"], ["SST ID : W10-1808-31000123"]]))
    assert rf.company_registration(lines) == ("933109-X", lines[0])
    assert rf.phone(lines) == ("03-87247099", lines[1])
    assert rf.tax_registration(lines) == ("W10-1808-31000123", lines[2])
    assert rf.tax_registration(text_lines(page([["GST SUMMARY AMOUNT TAX"]]))) is None


def test_the_receipt_fields_are_in_the_output_contract() -> None:
    inv = Invoice(source="r.jpg", sha256="0", seller_name="KEDAI", seller_address="NO 1, JALAN 2",
                  seller_phone="07-2345678", seller_registration="123456-X",
                  seller_tax_registration="000123456789")  # fmt: skip
    rec = invoice_record(inv)
    for key in ("seller_address", "seller_phone", "seller_registration", "seller_tax_registration"):
        assert key in CONTRACT_KEYS
        assert rec[key] == getattr(inv, key)


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.skipif(not SROIE.is_dir(), reason="../shared/realdata/receipts is absent")
def test_real_receipts_read_live_through_extract(tmp_path: Path) -> None:
    """Three SROIE scans (training receipts of the split) through ``office-agent extract --format jsonl``, read by
    RapidOCR now: every record prints the address, and most fields match the labels the strict way."""
    names = ["000", "001", "002"]
    for n in names:
        shutil.copy(SROIE / "img" / f"{n}.jpg", tmp_path / f"{n}.jpg")  # a temporary copy (links are refused)
    out = subprocess.run(
        [sys.executable, "-m", "office_agent", "extract", str(tmp_path), "--format", "jsonl"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    records = {Path(r["source"]).stem: r for r in map(json.loads, out.stdout.splitlines())}
    assert sorted(records) == names
    right = total = 0
    for n, rec in records.items():
        label = json.loads((SROIE / "key" / f"{n}.json").read_text(encoding="utf-8"))
        assert "seller_address" in rec
        for field, key in (("company", "seller_name"), ("address", "seller_address"), ("total", "total_amount")):
            total += 1
            right += "".join((rec[key] or "").split()).upper() == "".join(label[field].split()).upper()
    assert right >= total * 2 // 3, f"{right}/{total} fields right"
