"""旅客运输服务 input VAT per ticket: printed on 数电 tickets, otherwise computed by mode; only tickets naming the
passenger; the rule text names its source."""

from __future__ import annotations

from decimal import Decimal

from office_agent.extract.inputvat import RULE, passenger_input_vat, total_input_vat, transport_mode
from office_agent.models import Invoice, InvoiceKind


def ticket(kind: InvoiceKind, title: str, **fields: object) -> Invoice:
    return Invoice(source="t.pdf", sha256="0", invoice_kind=kind, title=title, **fields)  # type: ignore[arg-type]


def test_a_digital_railway_ticket_gives_its_printed_tax() -> None:
    inv = ticket(InvoiceKind.RAILWAY_TICKET, "电子发票(铁路电子客票)", passenger="张三", total_amount=Decimal("139.50"),
                 tax_amount=Decimal("11.52"))  # fmt: skip
    vat = passenger_input_vat(inv)
    assert vat is not None and (vat.amount, vat.basis) == (Decimal("11.52"), "printed")


def test_rail_without_printed_tax_is_fare_over_1_09_times_9_percent() -> None:
    inv = ticket(InvoiceKind.RAILWAY_TICKET, "铁路客票", passenger="张三", fare=Decimal("139.50"))
    vat = passenger_input_vat(inv)
    assert vat is not None and vat.amount == Decimal("11.52") and vat.basis == "rail"  # 139.50 / 1.09 * 0.09 = 11.518


def test_air_adds_the_fuel_surcharge_and_never_the_development_fund() -> None:
    inv = ticket(
        InvoiceKind.FLIGHT_ITINERARY,
        "航空运输电子客票行程单",
        passenger="李四",
        fare=Decimal("1200.00"),
        total_amount=Decimal("1280.00"),
    )  # fmt: skip  (1280 = fare + 50 fund + 30 fuel)
    vat = passenger_input_vat(inv, fuel_surcharge=Decimal("30.00"))
    assert vat is not None and vat.amount == Decimal("101.56")  # (1200 + 30) / 1.09 * 0.09 = 101.56


def test_no_passenger_no_deduction_and_ordinary_invoices_are_no_tickets() -> None:
    assert passenger_input_vat(ticket(InvoiceKind.RAILWAY_TICKET, "铁路客票", fare=Decimal("10.00"))) is None
    plain = ticket(InvoiceKind.DIGITAL_GENERAL, "电子发票(普通发票)", passenger="张三", tax_amount=Decimal("6.00"))
    assert transport_mode(plain) is None and passenger_input_vat(plain) is None


def test_road_is_3_percent_and_the_total_skips_duplicates() -> None:
    bus = ticket(InvoiceKind.OTHER, "公路客运汽车客票", passenger="王五", total_amount=Decimal("103.00"))
    again = bus.model_copy(update={"duplicate_of": {"source": "a", "sha256": "b"}})
    assert passenger_input_vat(bus) is not None
    assert total_input_vat([bus, again]) == Decimal("3.00")
    assert "2019年第39号" in RULE and "民航发展基金不计入" in RULE


def test_the_record_prints_the_input_vat_in_trip() -> None:
    from office_agent.generate.records import invoice_record

    inv = ticket(InvoiceKind.RAILWAY_TICKET, "铁路客票", passenger="张三", fare=Decimal("139.50"))
    trip = invoice_record(inv)["trip"]
    assert trip["input_vat"] == "11.52" and trip["input_vat_basis"] == "rail" and trip["fare"] == "139.50"
    assert invoice_record(ticket(InvoiceKind.OTHER, "x"))["trip"] is None
