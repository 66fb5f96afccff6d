"""End to end on the real invoices in ../shared/realdata/cn (files stay there; expected values are written here by
hand from the printed documents: number, date, parties, tax ids, amount, tax and total).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from office_agent.batch import run_batch
from office_agent.generate.records import invoice_record
from office_agent.models import Invoice

pytestmark = pytest.mark.realdata

# file: (kind, code, number, date, buyer, buyer tax id, seller, seller tax id, amount, tax, total)
EXPECTED: dict[str, tuple[str, str | None, str, str, str, str | None, str, str, str, str | None, str]] = {
    "pdf/vat_electronic_general_jd_1.pdf": (
        "vat_electronic_general", "012001900211", "61876678", "2019-11-18",
        "信睿吉科技（北京）有限公司", "91110108MA01GUF37R", "天津京东达业贸易有限公司", "91120110MA06J3WLX8",
        "23.89", "3.11", "27.00",
    ),
    "pdf/toll_hubei_1.pdf": (
        "vat_electronic_general", "042001700112", "10077287", "2018-03-23",
        "武汉市车城物流有限公司", "914201007483062457", "湖北省汉蔡高速公路有限公司", "91420112792429656B",
        "124.80", "3.74", "128.54",
    ),
    "pdf/toll_guangdong_1.pdf": (
        "vat_electronic_general", "044001700112", "36151707", "2018-03-23",
        "武汉市车城物流有限公司", "914201007483062457", "广东省路桥建设发展有限公司广韶分公司", "91440106556656312W",
        "51.20", "1.54", "52.74",
    ),
    "pdf/digital_special_1.pdf": (
        "digital_special", None, "25317000002228021821", "2025-10-20",
        "龙腾半导体股份有限公司", "91610132688983884K", "上海积塔半导体有限公司", "91310115MA1H9HD02E",
        "31468.75", "4090.94", "35559.69",
    ),
    "pdf/digital_general_fuel_1.pdf": (
        "digital_general", None, "26427000000145891963", "2026-01-08",
        "安徽燕之坊食品有限公司", "91340100728526312J",
        "中国石化销售股份有限公司湖北武汉石油分公司", "914201006791228986",
        "194.69", "25.31", "220.00",
    ),
    "pdf/digital_toll_1.pdf": (  # tax printed as *** (not deductible): absent, not zero
        "digital_general", None, "26377000000217799580", "2026-03-06",
        "北汽福田汽车股份有限公司时代销售分公司", "91370782MAEW4MTN67", "山东高速集团有限公司", "913700002671781071",
        "39.00", None, "39.00",
    ),
    "ofd/ofdrw_reader_digital_invoice.ofd": (
        "digital_special", None, "24112000000048542163", "2024-05-28",
        "海南麒麟云服科技有限公司", "91460300MAA92DJN95", "北京互联三六五科技有限公司", "91110108690017781B",
        "4197.17", "251.83", "4449.00",
    ),
    "ofd/ofdrw_1.ofd": (
        "vat_electronic_general", "033002000211", "83089647", "2020-07-23",
        "江苏京利华新材料有限公司", "91320115MA202UKD7X", "兰溪市悦济舫餐厅", "92330781MA2EDMFU50",
        "510.68", "15.32", "526.00",
    ),
    "ofd/ofdrw_999.ofd": (  # buyer printed as the generic word for an individual, with no tax id
        "vat_electronic_general", "050001700111", "12235358", "2020-08-05",
        "个人", None, "财天下科技有限公司", "91500102563638729E",
        "10000.00", "600.00", "10600.00",
    ),
    "ofd/ofdrw_fptpl.ofd": (  # the same invoice as 999.ofd, laid out from a template, no embedded XML
        "vat_electronic_general", "050001700111", "12235358", "2020-08-05",
        "个人", None, "财天下科技有限公司", "91500102563638729E",
        "10000.00", "600.00", "10600.00",
    ),
    "ofd/ofdrw_keyword2.ofd": (  # a 20-digit legacy taxpayer number: kept, not validated
        "vat_electronic_general", "032001600511", "31471858", "2020-10-04",
        "上海后衍品牌管理有限公司钟楼分公司", "91320404MA22FHG7XX", "新北区河海华昇印章雕刻社", "32040419760706081301",
        "198.04", "1.96", "200.00",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def records(realdata: Path) -> dict[str, Invoice]:
    cn = realdata / "cn"
    result = run_batch([cn / "pdf", cn / "ofd"], workers=2)
    assert not result.failed, [(f.source, f.reason) for f in result.failed]
    out: dict[str, Invoice] = {}
    for inv in result.invoices:
        out[inv.source.split("/cn/", 1)[1]] = inv
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_invoice_fields(records: dict[str, Invoice], name: str) -> None:
    kind, code, number, date, buyer, buyer_id, seller, seller_id, amount, tax, total = EXPECTED[name]
    inv = records[name]
    got = invoice_record(inv)
    assert (got["invoice_kind"], got["invoice_code"], got["invoice_number"], got["issue_date"]) == (
        kind, code, number, date,
    )  # fmt: skip
    assert (got["buyer_name"], got["buyer_tax_id"]) == (buyer, buyer_id)
    assert (got["seller_name"], got["seller_tax_id"]) == (seller, seller_id)
    assert (got["amount_without_tax"], got["tax_amount"], got["total_amount"]) == (amount, tax, total)
    for field in ("invoice_number", "issue_date", "total_amount", "seller_tax_id"):
        assert field in inv.provenance, f"{field} has no provenance"


def test_checks_pass_on_real_invoices(records: dict[str, Invoice]) -> None:
    """The arithmetic of every real invoice adds up, and its QR (where one was read) agrees with the text."""
    for name, inv in records.items():
        by_name = {c.name: c for c in inv.checks}
        assert by_name["amount_plus_tax"].passed is True, (name, by_name["amount_plus_tax"].detail)
        assert by_name["qr_agrees"].passed in (True, None), (name, by_name["qr_agrees"].detail)
        if inv.total_amount_in_words:
            assert by_name["amount_in_words"].passed is True, (name, inv.total_amount_in_words)


def test_every_real_pdf_gives_its_qr(records: dict[str, Invoice]) -> None:
    for name, inv in records.items():
        if name.startswith("pdf/"):
            assert inv.qr_payload and inv.invoice_number in inv.qr_payload, name


def test_same_invoice_twice_in_one_folder_counts_once(realdata: Path, tmp_path: Path) -> None:
    """999.ofd and fptpl.ofd carry the same invoice: the second is marked, kept visible, out of totals."""
    for name in ("ofdrw_999.ofd", "ofdrw_fptpl.ofd"):
        shutil.copy(realdata / "cn" / "ofd" / name, tmp_path / name)
    result = run_batch([tmp_path], workers=1)
    assert len(result.invoices) == 2
    first, second = result.invoices
    assert first.duplicate_of is None and second.duplicate_of == {"source": first.source, "sha256": first.sha256}
    counted = sum((i.total_amount or Decimal(0)) for i in result.invoices if not i.duplicate_of)
    assert counted == Decimal("10600.00")
