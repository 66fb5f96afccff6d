"""A synthetic invoice: realistic, self-consistent data drawn from a seeded random generator, and its ground truth.

Amounts are built bottom-up the way issuing software does it (line amount = quantity × unit price rounded to
the cent, line tax = amount × rate rounded per line, header totals = sums), so every cross-check holds unless
a generator deliberately breaks one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from office_agent.extract.cnwords import amount_to_words
from office_agent.extract.normalize import USCC_ALPHABET, uscc_check_char
from office_agent.synth.data import BANKS, BUYERS, CITIES, DRAWERS, ITEMS, SELLER_SUFFIXES, SELLER_WORDS, TOLL_ROADS

CENT = Decimal("0.01")
KINDS = ("digital_general", "digital_special", "vat_electronic_general", "vat_electronic_special")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A number as an invoice prints a quantity, a unit price or a rate: no exponent, no trailing zeros (6.2, 57)."""
    return format(value.normalize(), "f")


def credit_code(rng: random.Random, region: str = "330106") -> str:
    """A unified social credit code (统一社会信用代码) with a valid check character."""
    head = rng.choice(["91", "92", "93", "12", "52"]) + region
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    first17 = head + body
    return first17 + uscc_check_char(first17)


@dataclass
class SynthItem:
    name: str
    spec: str | None
    unit: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    rate: Decimal | None  # None: exempt (税率 免税, tax printed ***)
    tax: Decimal | None
    plate: str | None = None  # toll invoices
    vehicle: str | None = None
    travel_dates: tuple[str, str] | None = None

    @property
    def rate_text(self) -> str:
        return "免税" if self.rate is None else f"{(self.rate * 100).normalize():f}%"

    @property
    def quantity_text(self) -> str | None:
        return None if self.quantity is None else plain(self.quantity)

    @property
    def unit_price_text(self) -> str | None:
        return None if self.unit_price is None else plain(self.unit_price)


@dataclass
class SynthInvoice:
    kind: str
    number: str
    code: str | None
    issue_date: dt.date
    check_code: str | None
    machine_number: str | None
    buyer_name: str
    buyer_tax_id: str
    seller_name: str
    seller_tax_id: str
    seller_address: str
    seller_bank: str
    items: list[SynthItem]
    drawer: str
    remarks: str | None
    toll: bool = False
    red_of: str | None = None  # the original invoice a red (negative) invoice reverses
    files: list[str] = field(default_factory=list)
    qr_hex: str = "0000"

    @property
    def digital(self) -> bool:
        return self.kind.startswith("digital")

    @property
    def title(self) -> str:
        province = self.seller_address[:2]
        return {
            "digital_general": "电子发票（普通发票）",
            "digital_special": "电子发票（增值税专用发票）",
            "vat_electronic_general": f"{province}增值税电子普通发票",
            "vat_electronic_special": f"{province}增值税电子专用发票",
        }[self.kind]

    @property
    def date_text(self) -> str:
        """The issue date as printed: 2024年03月05日."""
        return f"{self.issue_date.year}年{self.issue_date.month:02d}月{self.issue_date.day:02d}日"

    @property
    def check_code_text(self) -> str:
        """The check code as printed, in groups of five (spaces only when there is none)."""
        return " ".join((self.check_code or "")[i : i + 5] for i in range(0, 20, 5))

    @property
    def amount(self) -> Decimal:
        return sum((i.amount for i in self.items), Decimal("0.00"))

    @property
    def tax(self) -> Decimal | None:
        taxes = [i.tax for i in self.items if i.tax is not None]
        return sum(taxes, Decimal("0.00")) if taxes else None

    @property
    def total(self) -> Decimal:
        return self.amount + (self.tax or Decimal("0"))

    @property
    def words(self) -> str:
        return amount_to_words(self.total)

    @property
    def qr_payload(self) -> str:
        if self.digital:
            type_code = "31" if self.kind == "digital_special" else "32"
            return f"01,{type_code},,{self.number},{self.total},{self.issue_date:%Y%m%d},,{self.qr_hex}"
        type_code = "08" if self.kind == "vat_electronic_special" else "10"
        amount = plain(self.amount)  # legacy QR codes drop trailing zeros (6.2, 57)
        return (
            f"01,{type_code},{self.code},{self.number},{amount},{self.issue_date:%Y%m%d},{self.check_code},"
            f"{self.qr_hex},"
        )

    def truth(self, fmt: str) -> dict[str, Any]:
        """Ground truth in the output contract's keys and formats."""
        return {
            "format": fmt,
            "files": list(self.files),
            "invoice_kind": self.kind,
            "invoice_code": self.code,
            "invoice_number": self.number,
            "issue_date": self.issue_date.isoformat(),
            "check_code": self.check_code,
            "buyer_name": self.buyer_name,
            "buyer_tax_id": self.buyer_tax_id,
            "seller_name": self.seller_name,
            "seller_tax_id": self.seller_tax_id,
            "amount_without_tax": str(self.amount),
            "tax_amount": None if self.tax is None else str(self.tax),
            "total_amount": str(self.total),
            "total_amount_in_words": self.words,
            "currency": "CNY",
            "items": [
                {
                    "name": i.name,
                    "spec": i.spec,
                    "unit": i.unit,
                    "quantity": i.quantity_text,
                    "unit_price": i.unit_price_text,
                    "amount": str(i.amount),
                    "tax_rate": i.rate_text,
                    "tax_amount": None if i.tax is None else str(i.tax),
                }
                for i in self.items
            ],
            "remarks": self.remarks,
            "qr_payload": None if fmt == "xml" else self.qr_payload,  # the XML download carries no QR code
            "is_red": self.red_of is not None,
            "original_invoice_number": self.red_of,
        }


def _items(rng: random.Random, toll: bool, negative: bool) -> list[SynthItem]:
    if toll:
        plate = (
            rng.choice("浙苏沪皖鄂鲁粤")
            + rng.choice("ABCDEF")
            + "".join(rng.choice("0123456789ABCDEFGHJK") for _ in range(5))
        )
        day = dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)).strftime("%Y%m%d")
        amount = money(Decimal(rng.randint(1500, 30000)) / 100)
        if negative:  # a red toll invoice reverses the passage: negative like every other red line
            amount = -amount
        toll_rate = Decimal("0.03")
        return [
            SynthItem("*经营租赁*通行费", None, None, None, None, amount, toll_rate, money(amount * toll_rate), plate,
                      rng.choice(["客车", "货车"]), (day, day))
        ]  # fmt: skip
    out = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        name, unit, spec_choices, lo, hi, rates = rng.choice(ITEMS)
        quantity = Decimal(rng.choice([1, 1, 1, 2, 3, 5, 10, 12]))
        price = Decimal(rng.randint(lo, hi)) / 100
        amount = money(quantity * price)
        rate: Decimal | None = Decimal(rng.choice(rates)) if rng.random() > 0.04 else None
        if negative:
            quantity, amount = -quantity, -amount
        tax = None if rate is None else money(amount * rate)
        out.append(SynthItem(name, rng.choice(spec_choices), unit, quantity, price, amount, rate, tax))
    return out


def _address(rng: random.Random, city: str) -> str:
    district = rng.choice(["西湖区", "滨江区", "高新区", "经开区"])
    return f"{city}{district}{rng.choice(['文三路', '江南大道', '科技路', '人民路'])}{rng.randint(1, 999)}号"


def make_invoice(
    rng: random.Random, kind: str | None = None, toll: bool | None = None, red_of: str | None = None
) -> SynthInvoice:
    kind = kind or rng.choice(KINDS)
    toll = rng.random() < 0.12 if toll is None else toll
    digital = kind.startswith("digital")
    issue = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 3 * 365 - 30))
    city = rng.choice(CITIES)
    region = str(rng.randint(110000, 659000))
    if toll:
        seller_name = rng.choice(TOLL_ROADS)
    else:
        seller_name = city[0] + "".join(rng.sample(SELLER_WORDS, 2)) + rng.choice(SELLER_SUFFIXES)
    buyer_name, buyer_id = rng.choice(BUYERS)
    if digital:
        number = f"{issue:%y}{rng.randint(10, 65)}{rng.randint(0, 9)}" + "".join(
            str(rng.randint(0, 9)) for _ in range(15)
        )
        code = check = machine = None
    else:
        number = f"{rng.randint(0, 99999999):08d}"
        code = f"0{rng.randint(1, 65):02d}0{rng.randint(0, 9)}{issue:%y}00{rng.randint(1, 9)}{rng.randint(1, 2)}1"
        check = "".join(str(rng.randint(0, 9)) for _ in range(20))
        machine = "".join(str(rng.randint(0, 9)) for _ in range(12))
    items = _items(rng, toll, negative=red_of is not None)
    remarks = None
    if red_of:
        remarks = f"被红冲蓝字数电发票号码：{red_of} 红字发票信息确认单编号：{rng.randint(10**19, 10**20 - 1)}"
    elif toll:
        remarks = None
    elif rng.random() < 0.4:
        remarks = rng.choice(["订单号：", "项目：", "合同号："]) + str(rng.randint(10**8, 10**12))
    return SynthInvoice(
        kind=kind,
        number=number,
        code=code,
        issue_date=issue,
        check_code=check,
        machine_number=machine,
        buyer_name=buyer_name,
        buyer_tax_id=buyer_id,
        seller_name=seller_name,
        seller_tax_id=credit_code(rng, region),
        seller_address=_address(rng, city),
        seller_bank=f"{rng.choice(BANKS)}{city[:2]}分行 {rng.randint(10**15, 10**16 - 1)}",
        items=items,
        drawer=rng.choice(DRAWERS),
        remarks=remarks,
        toll=toll,
        red_of=red_of,
        qr_hex=f"{rng.randint(0, 0xFFFF):04X}",
    )
