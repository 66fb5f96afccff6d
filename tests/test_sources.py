"""Folders, ZIPs and hostile containers: every problem is a result naming the file, the batch goes on."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from office_agent.batch import run_batch
from office_agent.config import Limits
from office_agent.errors import BadArguments, CorruptFile, UnsafeArchive
from office_agent.ingest.archive import SafeZip, safe_member_name
from office_agent.ingest.detect import sniff
from office_agent.ingest.sources import Blob, discover, expand
from office_agent.models import DocFormat, FileResult, Status

XML = (
    "<EInvoice><Header><EIid>{n}</EIid></Header><EInvoiceData>"
    "<SellerInformation><SellerIdNum>91610132688983884K</SellerIdNum><SellerName>甲公司</SellerName></SellerInformation>"
    "<BasicInformation><TotalAmWithoutTax>100.00</TotalAmWithoutTax><TotalTaxAm>6.00</TotalTaxAm>"
    "<TotalTax-includedAmount>106.00</TotalTax-includedAmount></BasicInformation></EInvoiceData>"
    "<TaxSupervisionInfo><IssueTime>2025-01-02</IssueTime></TaxSupervisionInfo></EInvoice>"
)


def invoice_xml(number: str = "25317000002228021821") -> bytes:
    return XML.format(n=number).encode()


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _gbk_zip(members: dict[str, bytes]) -> bytes:
    """Member names as GBK bytes with the UTF-8 flag clear, as Windows zip tools and the tax portal write them."""
    placeholders = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i, (name, data) in enumerate(members.items()):
            gbk = name.encode("gbk")
            placeholder = f"{i:02d}".encode().ljust(len(gbk), b"_")
            placeholders[placeholder] = gbk
            zf.writestr(placeholder.decode(), data)
    raw = buf.getvalue()
    for placeholder, gbk in placeholders.items():
        raw = raw.replace(placeholder, gbk)
    return raw


def blobs(items: list[Blob | FileResult]) -> list[Blob]:
    return [b for b in items if isinstance(b, Blob)]


def results(items: list[Blob | FileResult]) -> list[FileResult]:
    return [r for r in items if isinstance(r, FileResult)]


def test_sniff_by_content_not_name() -> None:
    assert sniff(b"%PDF-1.7\n...") == DocFormat.PDF
    assert sniff(b"\x89PNG\r\n\x1a\n....") == DocFormat.IMAGE
    assert sniff(b"\xef\xbb\xbf<?xml version='1.0'?><EInvoice/>") == DocFormat.XML
    assert sniff(make_zip({"OFD.xml": b"<ofd:OFD/>"})) == DocFormat.OFD
    assert sniff(make_zip({"a.xml": b"<a/>"})) == DocFormat.ZIP
    assert sniff(b"just text") == DocFormat.UNKNOWN


def test_gbk_member_names_are_decoded() -> None:
    data = _gbk_zip({"发票/数电发票.xml": invoice_xml()})
    found = blobs(list(expand("bundle.zip", data)))
    assert [b.source for b in found] == ["bundle.zip!发票/数电发票.xml"]


def test_nested_zip_members_are_expanded() -> None:
    inner = make_zip({"inner.xml": invoice_xml()})
    outer = make_zip({"a.xml": invoice_xml("25317000002228021822"), "nested.zip": inner})
    sources = sorted(b.source for b in blobs(list(expand("outer.zip", outer))))
    assert sources == ["outer.zip!a.xml", "outer.zip!nested.zip!inner.xml"]


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "a/../../evil.xml", "C:/evil.xml"])
def test_escaping_member_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeArchive):
        safe_member_name(name)
    out = list(expand("bad.zip", make_zip({name: invoice_xml()})))
    assert not blobs(out)
    assert results(out)[0].status == Status.FAILED
    assert "outside" in (results(out)[0].reason or "") or "absolute" in (results(out)[0].reason or "")


def test_zip_bomb_ratio_is_refused() -> None:
    bomb = make_zip({"bomb.xml": b"<a>" + b" " * 5_000_000 + b"</a>"})
    out = list(expand("bomb.zip", bomb))
    assert not blobs(out)
    reason = results(out)[0].reason or ""
    assert results(out)[0].source == "bomb.zip!bomb.xml" and "ZIP bomb" in reason


def test_zip_total_size_is_refused() -> None:
    limits = Limits(zip_max_total_bytes=1000)
    data = make_zip({f"{i}.xml": os.urandom(600) for i in range(3)})
    out = list(expand("big.zip", data, limits))
    assert results(out)[0].status == Status.FAILED and "over the limit" in (results(out)[0].reason or "")


def test_nested_depth_is_limited() -> None:
    data = invoice_xml()
    for _ in range(5):
        data = make_zip({"x.zip" if data[:2] == b"PK" else "x.xml": data})
    out = list(expand("deep.zip", data, Limits(zip_max_depth=3)))
    assert not blobs(out) and "nested more than 3" in (results(out)[0].reason or "")


def test_truncated_zip_is_corrupt() -> None:
    data = make_zip({"a.xml": invoice_xml()})[:-30]
    with pytest.raises(CorruptFile):
        SafeZip(data)


def test_member_count_limit() -> None:
    data = make_zip({f"{i}.txt": b"x" for i in range(50)})
    with pytest.raises(UnsafeArchive):
        SafeZip(data, Limits(zip_max_members=10))


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xml").write_bytes(invoice_xml())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ok.xml").write_bytes(invoice_xml("25317000002228021899"))
    (inbox / "link.xml").symlink_to(outside / "secret.xml")
    (inbox / "linkdir").symlink_to(outside, target_is_directory=True)
    files, refused = discover([inbox])
    assert [f.path.name for f in files] == ["ok.xml"]
    assert sorted(r.source.rsplit("/", 1)[-1] for r in refused) == ["link.xml", "linkdir"]
    assert all(r.status == Status.SKIPPED and "not followed" in (r.reason or "") for r in refused)


def test_missing_input_is_a_bad_argument(tmp_path: Path) -> None:
    with pytest.raises(BadArguments):
        discover([tmp_path / "nope"])


def test_a_bad_file_does_not_take_the_batch_down(tmp_path: Path) -> None:
    (tmp_path / "good.xml").write_bytes(invoice_xml())
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    (tmp_path / "picture.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    (tmp_path / "bomb.xml").write_bytes(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')
    (tmp_path / "other.xml").write_bytes(b"<html><body>hello</body></html>")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    result = run_batch([tmp_path], workers=1)
    by_name = {f.source.rsplit("/", 1)[-1]: f for f in result.files}
    assert set(by_name) == {"good.xml", "empty.pdf", "truncated.pdf", "picture.pdf", "bomb.xml", "other.xml"}
    assert by_name["good.xml"].status in (Status.OK, Status.PARTIAL)
    assert [i.invoice_number for i in result.invoices] == ["25317000002228021821"]
    reasons = {k: v.reason or "" for k, v in by_name.items()}
    assert "empty" in reasons["empty.pdf"]
    assert "PDF" in reasons["truncated.pdf"]
    assert "image" in reasons["picture.pdf"]
    assert "DTD" in reasons["bomb.xml"]
    assert "not an invoice" in reasons["other.xml"]
    for name in ("empty.pdf", "truncated.pdf", "bomb.xml", "other.xml"):
        assert by_name[name].status == Status.FAILED


def test_nothing_is_written_outside_the_output_folder(tmp_path: Path) -> None:
    """A hostile bundle (``../`` and absolute members) and a normal run: only the output folder changes."""
    import subprocess
    import sys

    inbox, out, cwd = tmp_path / "in", tmp_path / "out", tmp_path / "cwd"
    inbox.mkdir()
    cwd.mkdir()
    (inbox / "evil.zip").write_bytes(make_zip({"../../escaped.xml": invoice_xml(), "/tmp/abs.xml": invoice_xml()}))
    (inbox / "good.xml").write_bytes(invoice_xml())

    def snapshot() -> set[Path]:
        return {p for p in tmp_path.rglob("*")}

    before = snapshot()
    proc = subprocess.run(
        [sys.executable, "-m", "office_agent", "ledger", str(inbox), "-o", str(out)],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the evil members failed, the good file went through
    created = snapshot() - before
    assert created and all(p == out or out in p.parents for p in created), sorted(created)
