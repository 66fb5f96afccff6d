"""Deductible input VAT on passenger transport (旅客运输服务), per ticket (财政部 税务总局 海关总署公告2019年第39号).

Only a ticket that names its passenger (an employee) counts. The tax printed on a 数电 ticket (电子发票（铁路电子客票）,
电子发票（航空运输电子客票行程单）) or on an 增值税电子普通发票 is the deductible tax; otherwise it is computed from the
fare: air (票价 + 燃油附加费) ÷ (1 + 9%) × 9%, rail 票面金额 ÷ (1 + 9%) × 9%, road and water 票面金额 ÷ (1 + 3%) × 3%.
民航发展基金 is never part of the base. Amounts are rounded to the fen (half up).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from office_agent.models import Invoice, InvoiceKind

RULE = (
    "旅客运输服务进项税额（财政部 税务总局 海关总署公告2019年第39号）："
    "注明旅客身份信息的客票，数电客票及增值税电子普通发票按票面税额；"
    "其他航空客票（票价＋燃油附加费）÷（1＋9%）×9%，铁路车票 票面金额÷（1＋9%）×9%，"
    "公路、水路 票面金额÷（1＋3%）×3%；民航发展基金不计入"
)
CENT = Decimal("0.01")
_RATES = {"air": Decimal("0.09"), "rail": Decimal("0.09"), "road": Decimal("0.03"), "water": Decimal("0.03")}


@dataclass(frozen=True)
class InputVat:
    amount: Decimal
    basis: str  # "printed" or the mode whose formula gave it (air / rail / road / water)


def transport_mode(inv: Invoice) -> str | None:
    """air, rail, road or water for a passenger ticket; None for anything else."""
    title = inv.title or ""
    if inv.invoice_kind == InvoiceKind.FLIGHT_ITINERARY or "航空运输电子客票" in title:
        return "air"
    if inv.invoice_kind == InvoiceKind.RAILWAY_TICKET or "铁路电子客票" in title:
        return "rail"
    if "公路" in title or "汽车客票" in title:
        return "road"
    if "水路" in title or "船票" in title:
        return "water"
    return None


def _printed(inv: Invoice) -> bool:
    """A 数电 ticket or an 增值税电子普通发票 prints its tax."""
    return "电子发票" in (inv.title or "") or inv.invoice_kind in (
        InvoiceKind.DIGITAL_GENERAL, InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.VAT_ELECTRONIC_GENERAL,
    )  # fmt: skip


def passenger_input_vat(inv: Invoice, fuel_surcharge: Decimal | None = None) -> InputVat | None:
    """The deductible input tax of one ticket, or None (no passenger named, not a passenger ticket, no amount,
    a red or duplicate record)."""
    mode = transport_mode(inv)
    if mode is None or not (inv.passenger or "").strip() or inv.duplicate_of or inv.is_red:
        return None
    if _printed(inv) and inv.tax_amount is not None:
        return InputVat(inv.tax_amount, "printed")
    base = inv.fare if inv.fare is not None else inv.total_amount
    if base is None:
        return None
    if mode == "air":
        base += fuel_surcharge or Decimal(0)
    rate = _RATES[mode]
    return InputVat((base / (1 + rate) * rate).quantize(CENT, rounding=ROUND_HALF_UP), mode)


def total_input_vat(invoices: list[Invoice]) -> Decimal:
    """The summary figure: the sum over every ticket that has one."""
    found = (passenger_input_vat(inv) for inv in invoices)
    return sum((v.amount for v in found if v is not None), Decimal("0.00"))
