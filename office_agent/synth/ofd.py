"""Synthetic OFD packages (GB/T 33190) with the structure of the real invoice files.

``OFD.xml`` (DocInfo/CustomDatas, DocRoot) → ``Doc_0/Document.xml`` (CommonData with PageArea, TemplatePage,
DocumentRes/PublicRes; Pages; Attachments; CustomTags) → the template page holding the printed labels, the
page holding the values as TextObjects (Boundary in millimetres, TextCode X/Y relative to it), the QR image as
an ImageObject over a PNG resource, ``Tags/CustomTag.xml`` mapping InvoiceNo, IssueDate, … to TextObject ids,
and for legacy invoices ``Attachs/original_invoice.xml`` (the eInvoice schema) listed in ``Attachments.xml``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

from office_agent.synth.converters import CONVERTERS
from office_agent.synth.model import SynthInvoice
from office_agent.synth.pdf import qr_png
from office_agent.synth.xmlgen import legacy_xml

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
PT = 25.4 / 72  # the PDF layout's points → millimetres


class _Objects:
    def __init__(self, first_id: int, convert: Callable[[str], str] = str) -> None:
        self.convert = convert
        self.next_id = first_id
        self.parts: list[str] = []

    def text(self, x_pt: float, top_pt: float, s: str | None, size_pt: float = 9) -> int | None:
        if not s:
            return None
        oid = self.next_id
        self.next_id += 1
        s = self.convert(s)
        size = size_pt * PT
        width = max(len(s), 1) * size * (0.55 if s.isascii() else 1.0)
        self.parts.append(
            f'<ofd:TextObject ID="{oid}" Boundary="{x_pt * PT:.3f} {top_pt * PT:.3f} {width:.3f} {size * 1.3:.3f}" '
            f'Font="1" Size="{size:.4f}"><ofd:TextCode X="0" Y="{size:.4f}">{escape(s)}</ofd:TextCode>'
            "</ofd:TextObject>"
        )
        return oid

    def image(self, x_pt: float, top_pt: float, size_pt: float, resource: int) -> None:
        oid = self.next_id
        self.next_id += 1
        s = size_pt * PT
        self.parts.append(
            f'<ofd:ImageObject ID="{oid}" Boundary="{x_pt * PT:.3f} {top_pt * PT:.3f} {s:.3f} {s:.3f}" '
            f'CTM="{s:.3f} 0 0 {s:.3f} 0 0" ResourceID="{resource}"/>'
        )


def _page(parts: list[str], template: bool) -> str:
    tpl = "" if template else '<ofd:Template TemplateID="2" ZOrder="Background"/>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page {NS}>{tpl}<ofd:Content><ofd:Layer ID="3">'
        + "".join(parts)
        + "</ofd:Layer></ofd:Content></ofd:Page>"
    )


def _labels(inv: SynthInvoice, convert: Callable[[str], str]) -> list[str]:
    t = _Objects(1000, convert)
    for x, top, s in [
        (187, 24, inv.title),
        (435, 13, None if inv.digital else "发票代码:"),
        (435, 31, "发票号码:"),
        (435, 48, "开票日期:"),
        (435, 66, None if inv.digital else "校 验 码:"),
        (31, 65, None if inv.digital else "机器编号:"),
        (49, 87, "名 称:"),
        (49, 102, "纳税人识别号:"),
        (29, 92, "购"), (29, 105, "买"), (29, 118, "方"),
        (45, 148, "货物或应税劳务、服务名称"), (181, 148, "规格型号"), (226, 148, "单位"), (276, 148, "数 量"),
        (345, 148, "单 价"), (424, 148, "金 额"), (484, 148, "税率"), (537, 148, "税 额"),
        (62, 258, "合"), (102, 258, "计"),
        (62, 277, "价税合计（大写）"), (449, 277, "（小写）"),
        (30, 302, "销"), (30, 317, "售"), (30, 332, "方"),
        (48, 296, "名 称:"), (48, 310, "纳税人识别号:"),
        (352, 302, "备"), (352, 333, "注"),
        (315, 357, "开票人:"),
    ]:  # fmt: skip
        t.text(x, top, s, 8)
    return t.parts


def render_ofd(inv: SynthInvoice, converter: str | None = None, tags: bool = True) -> bytes:
    """The invoice's OFD; ``converter`` (a name in ``synth.converters.CONVERTERS``) writes its text objects as that
    converter would; ``tags=False`` leaves out CustomData, CustomTag and the attachment (only positioned text)."""
    convert = CONVERTERS[converter] if converter is not None else str
    objs = _Objects(10, convert)
    ids: dict[str, int | None] = {}
    ids["InvoiceCode"] = objs.text(475, 13, inv.code, 8)
    ids["InvoiceNo"] = objs.text(475, 31, inv.number, 8)
    ids["IssueDate"] = objs.text(475, 48, inv.date_text, 8)
    if inv.check_code:
        ids["InvoiceCheckCode"] = objs.text(475, 66, inv.check_code_text, 8)
    ids["MachineNo"] = objs.text(75, 65, inv.machine_number, 8)
    ids["BuyerName"] = objs.text(108, 87, inv.buyer_name, 8.5)
    ids["BuyerTaxID"] = objs.text(109, 102, inv.buyer_tax_id, 8.5)
    top = 161.0
    for item in inv.items:
        objs.text(28, top, item.name, 7.5)
        objs.text(181, top, item.spec or item.plate, 7.5)
        objs.text(228, top, item.unit, 7.5)
        if item.quantity_text is not None:
            objs.text(300, top, item.quantity_text, 7.5)
        if item.unit_price_text is not None:
            objs.text(350, top, item.unit_price_text, 7.5)
        objs.text(440, top, str(item.amount), 7.5)
        objs.text(488, top, item.rate_text, 7.5)
        objs.text(550, top, "***" if item.tax is None else str(item.tax), 7.5)
        top += 12
    ids["TaxExclusiveTotalAmount"] = objs.text(438, 261, f"¥{inv.amount}", 8)
    ids["TaxTotalAmount"] = objs.text(557, 261, "***" if inv.tax is None else f"¥{inv.tax}", 8)
    objs.text(190, 277, inv.words, 8.5)
    ids["TaxInclusiveTotalAmount"] = objs.text(474, 277, f"¥{inv.total}", 8.5)
    ids["SellerName"] = objs.text(108, 296, inv.seller_name, 8.5)
    ids["SellerTaxID"] = objs.text(109, 311, inv.seller_tax_id, 8.5)
    ids["Note"] = objs.text(370, 295, inv.remarks, 7.5)
    ids["InvoiceClerk"] = objs.text(348, 357, inv.drawer, 8)
    objs.image(20, 8, 52, resource=900)

    custom = {
        "发票代码": inv.code,
        "发票号码": inv.number,
        "开票日期": inv.date_text,
        "合计金额": str(inv.amount),
        "合计税额": None if inv.tax is None else str(inv.tax),
        "校验码": inv.check_code_text if inv.check_code else None,
        "购买方纳税人识别号": inv.buyer_tax_id,
        "销售方纳税人识别号": inv.seller_tax_id,
    }
    custom_xml = "".join(
        f'<ofd:CustomData Name="{k}">{escape(v)}</ofd:CustomData>' for k, v in custom.items() if v is not None and tags
    )
    ofd_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD {NS} DocType="OFD" Version="1.1"><ofd:DocBody>'
        f"<ofd:DocInfo><ofd:DocID>{inv.number}</ofd:DocID><ofd:Author>office-agent synth</ofd:Author>"
        f"<ofd:CreationDate>{inv.issue_date.isoformat()}</ofd:CreationDate>"
        f'<ofd:CustomDatas><ofd:CustomData Name="template-version">1.0</ofd:CustomData>{custom_xml}'
        "</ofd:CustomDatas></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    attachments = not inv.digital and tags
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>2000'
        '</ofd:MaxUnitID><ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/><ofd:PageArea>'
        "<ofd:PhysicalBox>0 0 215 139.7</ofd:PhysicalBox></ofd:PageArea><ofd:DocumentRes>DocumentRes.xml"
        "</ofd:DocumentRes><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>"
        '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
        + ("<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>" if attachments else "")
        + "<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags></ofd:Document>"
    )
    refs = {name: oid for name, oid in ids.items() if oid and tags}
    tag_xml = "".join(
        f'<{name}><ofd:ObjectRef PageRef="1">{oid}</ofd:ObjectRef></{name}>' for name, oid in refs.items()
    )
    members = {
        "OFD.xml": ofd_xml,
        "Doc_0/Document.xml": document,
        "Doc_0/PublicRes.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res {NS} BaseLoc="Res"><ofd:Fonts>'
        '<ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        "Doc_0/DocumentRes.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res {NS} BaseLoc="Res">'
        '<ofd:MultiMedias><ofd:MultiMedia ID="900" Type="Image" Format="PNG"><ofd:MediaFile>qr.png'
        "</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>",
        "Doc_0/Tpls/Tpl_0/Content.xml": _page(_labels(inv, convert), template=True),
        "Doc_0/Pages/Page_0/Content.xml": _page(objs.parts, template=False),
        "Doc_0/Tags/CustomTags.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:CustomTags {NS}>'
        '<ofd:CustomTag TypeID="invoice"><ofd:FileLoc>CustomTag.xml</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>',
        "Doc_0/Tags/CustomTag.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<eInvoice {NS}>{tag_xml}</eInvoice>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            _write(zf, name, text.encode("utf-8"))
        _write(zf, "Doc_0/Res/qr.png", qr_png(inv.qr_payload), zipfile.ZIP_STORED)
        if attachments:
            _write(
                zf,
                "Doc_0/Attachs/Attachments.xml",
                (
                    f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Attachments {NS}><ofd:Attachment ID="1999" '
                    'Name="original_invoice" Format="xml" Visible="false"><ofd:FileLoc>original_invoice.xml'
                    "</ofd:FileLoc></ofd:Attachment></ofd:Attachments>"
                ).encode(),
            )
            _write(zf, "Doc_0/Attachs/original_invoice.xml", legacy_xml(inv))
    return buf.getvalue()


def _write(zf: zipfile.ZipFile, name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED) -> None:
    """Members with a fixed timestamp, so the same seed writes the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = compress
    zf.writestr(info, data)
