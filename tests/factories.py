"""Small builders shared by tests (hand-made inputs; real documents stay in ../shared/realdata)."""

from __future__ import annotations

from decimal import Decimal


def einvoice(number: str, total: str, seller: str = "杭州甲科技有限公司", remark: str = "") -> bytes:
    amount = (Decimal(total) / Decimal("1.06")).quantize(Decimal("0.01"))
    tax = Decimal(total) - amount
    return (
        f"<EInvoice><Header><EIid>{number}</EIid></Header><EInvoiceData>"
        f"<SellerInformation><SellerIdNum>91610132688983884K</SellerIdNum><SellerName>{seller}</SellerName>"
        f"</SellerInformation><BuyerInformation><BuyerIdNum>91310115MA1H9HD02E</BuyerIdNum>"
        f"<BuyerName>上海乙有限公司</BuyerName></BuyerInformation><BasicInformation>"
        f"<TotalAmWithoutTax>{amount}</TotalAmWithoutTax><TotalTaxAm>{tax}</TotalTaxAm>"
        f"<TotalTax-includedAmount>{total}</TotalTax-includedAmount></BasicInformation>"
        f"<IssuItemInformation><ItemName>*餐饮服务*餐费</ItemName><Amount>{amount}</Amount><TaxRate>0.06</TaxRate>"
        f"<ComTaxAm>{tax}</ComTaxAm></IssuItemInformation>"
        f"<AdditionalInformation><Remark>{remark}</Remark></AdditionalInformation></EInvoiceData>"
        f"<TaxSupervisionInfo><IssueTime>2025-03-04</IssueTime></TaxSupervisionInfo></EInvoice>"
    ).encode()
