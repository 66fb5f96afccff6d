"""Synthetic invoice XML: the 数电 ``EInvoice`` download, and the legacy ``eInvoice`` embedded in OFD packages."""

from __future__ import annotations

from xml.sax.saxutils import escape

from office_agent.synth.model import SynthInvoice, plain

LEGACY_NS = "http://www.edrm.org.cn/schema/e-invoice/2019"


def _el(name: str, value: object) -> str:
    return "" if value is None else f"<{name}>{escape(str(value))}</{name}>"


def digital_xml(inv: SynthInvoice) -> bytes:
    label = "01" if inv.kind == "digital_special" else "02"
    items = "".join(
        "<IssuItemInformation>"
        + _el("ItemName", i.name)
        + _el("SpecMod", i.spec)
        + _el("MeaUnits", i.unit)
        + _el("Quantity", i.quantity_text)
        + _el("UnPrice", i.unit_price_text)
        + _el("Amount", i.amount)
        + _el("TaxRate", "免税" if i.rate is None else plain(i.rate))
        + _el("ComTaxAm", i.tax)
        + "</IssuItemInformation>"
        for i in inv.items
    )
    toll = ""
    if inv.toll and inv.items[0].plate:
        toll = f"<SpecificInformation><Toll>{_el('PlateNumber', inv.items[0].plate)}</Toll></SpecificInformation>"
    remark = f"<AdditionalInformation>{_el('Remark', inv.remarks)}</AdditionalInformation>" if inv.remarks else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<EInvoice>'
        f"<Header>{_el('EIid', inv.number)}<EInLabelCode>01</EInLabelCode><InherentLabel>"
        f"<EInvoiceType><LabelCode>{'02' if inv.red_of else '01'}</LabelCode>"
        f"<LabelName>{'红字发票' if inv.red_of else '蓝字发票'}</LabelName></EInvoiceType>"
        f"<GeneralOrSpecialVAT><LabelCode>{label}</LabelCode></GeneralOrSpecialVAT></InherentLabel></Header>"
        "<EInvoiceData><SellerInformation>"
        + _el("SellerIdNum", inv.seller_tax_id)
        + _el("SellerName", inv.seller_name)
        + _el("SellerAddr", inv.seller_address)
        + _el("SellerBankName", inv.seller_bank)
        + "</SellerInformation><BuyerInformation>"
        + _el("BuyerIdNum", inv.buyer_tax_id)
        + _el("BuyerName", inv.buyer_name)
        + "</BuyerInformation><BasicInformation>"
        + _el("TotalAmWithoutTax", inv.amount)
        + _el("TotalTaxAm", inv.tax if inv.tax is not None else "0.00")
        + _el("TotalTax-includedAmount", inv.total)
        + _el("TotalTax-includedAmountInChinese", inv.words)
        + _el("Drawer", inv.drawer)
        + _el("RequestTime", f"{inv.issue_date.isoformat()} 10:15:00")
        + "</BasicInformation>"
        + items
        + toll
        + remark
        + "</EInvoiceData><TaxSupervisionInfo>"
        + _el("InvoiceNumber", inv.number)
        + _el("IssueTime", inv.issue_date.isoformat())
        + "</TaxSupervisionInfo></EInvoice>\n"
    )
    return xml.encode("utf-8")


def legacy_xml(inv: SynthInvoice) -> bytes:
    def fp(name: str, value: object) -> str:
        return "" if value is None else f"<fp:{name}>{escape(str(value))}</fp:{name}>"

    goods = "".join(
        "<fp:GoodsInfo>"
        + fp("Item", i.name)
        + fp("Specification", i.spec or i.plate or "")
        + fp("MeasurementDimension", i.unit or "")
        + fp("Price", i.unit_price_text or "")
        + fp("Quantity", i.quantity_text or "")
        + fp("Amount", i.amount)
        + fp("TaxScheme", i.rate_text)
        + fp("TaxAmount", "***" if i.tax is None else i.tax)
        + "</fp:GoodsInfo>"
        for i in inv.items
    )
    xml = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<eInvoice xmlns:fp="{LEGACY_NS}" Version="1.0">'
        + fp("DocID", "01")
        + fp("InvoiceCode", inv.code)
        + fp("InvoiceNo", inv.number)
        + fp("TypeCode", "0")
        + fp("IssueDate", inv.date_text)
        + fp("InvoiceCheckCode", inv.check_code)
        + fp("MachineNo", inv.machine_number)
        + "<fp:Buyer>"
        + fp("BuyerName", inv.buyer_name)
        + fp("BuyerTaxID", inv.buyer_tax_id)
        + "</fp:Buyer><fp:Seller>"
        + fp("SellerName", inv.seller_name)
        + fp("SellerTaxID", inv.seller_tax_id)
        + fp("SellerAddrTel", inv.seller_address)
        + fp("SellerFinancialAccount", inv.seller_bank)
        + "</fp:Seller>"
        + fp("TaxInclusiveTotalAmount", inv.total)
        + fp("Note", inv.remarks or "")
        + fp("InvoiceClerk", inv.drawer)
        + fp("TaxTotalAmount", inv.tax if inv.tax is not None else "***")
        + fp("TaxExclusiveTotalAmount", inv.amount)
        + fp("GraphCode", inv.qr_payload)
        + f"<fp:GoodsInfos>{goods}</fp:GoodsInfos></eInvoice>\n"
    )
    return xml.encode("utf-8")
