"""Synthetic taxi receipts (出租汽车统一发票 / 出租汽车专用发票) with ground truth, for the OCR path.

A taxi receipt is a narrow paper slip: a pre-printed head (title, 发票联, 发票代码 and 发票号码, printed in the
form's colour) and the lines the taximeter prints below it, one ``label value`` per line: 车号, 日期, 上车,
下车, 单价, 里程, 等候, 金额. Cities print slightly different sets of lines and separators; the generator varies
them. The PDF is drawn with reportlab and scanned or photographed with :mod:`office_agent.synth.scans`.

    python -m office_agent.synth.taxi OUT --count 50      # OUT/000000.pdf … and OUT/truth.jsonl

The meter's arithmetic holds: 金额 = 起步价 + (里程 − 3 km) × 单价 + 等候费 + 燃油附加费, rounded to the yuan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from reportlab.pdfgen import canvas

from office_agent.synth.pdf import cjk_font

# (city on the title, province character on the plates, 起步价, 单价 per km)
CITIES = (
    ("北京市", "京", Decimal("13"), Decimal("2.30")),
    ("上海市", "沪", Decimal("14"), Decimal("2.50")),
    ("杭州市", "浙", Decimal("13"), Decimal("2.50")),
    ("广州市", "粤", Decimal("12"), Decimal("2.60")),
    ("成都市", "川", Decimal("9"), Decimal("1.90")),
    ("武汉市", "鄂", Decimal("10"), Decimal("1.80")),
    ("南京市", "苏", Decimal("11"), Decimal("2.40")),
)
TITLES = ("{city}出租汽车统一发票", "{city}出租汽车专用发票", "{city}出租汽车发票")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
RED = (0.78, 0.12, 0.15)
BLUE = (0.12, 0.25, 0.62)


@dataclass
class SynthTaxi:
    title: str
    code: str  # 发票代码, 12 digits
    number: str  # 发票号码, 8 digits
    plate: str  # 车号, as the meter prints it
    date: dt.date
    pickup: str  # 上车 HH:MM
    dropoff: str  # 下车 HH:MM
    unit_price: Decimal
    distance: Decimal  # km, one decimal
    waiting: str  # 等候 HH:MM:SS
    total: Decimal
    phone: str
    licence: str  # 证号 (the driver's licence number)

    def truth(self) -> dict[str, Any]:
        return {
            "invoice_kind": "other",
            "title": self.title,
            "invoice_code": self.code,
            "invoice_number": self.number,
            "issue_date": self.date.isoformat(),
            "travel_date": self.date.isoformat(),
            "total_amount": f"{self.total:.2f}",
            "vehicle_plate": self.plate,
            "pickup_time": self.pickup,
            "dropoff_time": self.dropoff,
            "unit_price": f"{self.unit_price:.2f}",
            "distance_km": f"{self.distance:.1f}",
            "category": "交通",
            "currency": "CNY",
            "buyer_name": None,
            "buyer_tax_id": None,
            "seller_name": None,
            "seller_tax_id": None,
            "amount_without_tax": None,
            "tax_amount": None,
        }


def make_taxi(rng: random.Random) -> SynthTaxi:
    city, province, flag_fall, price = rng.choice(CITIES)
    day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 6 * 365))
    start = rng.randint(6 * 60, 23 * 60 - 90)
    distance = Decimal(rng.randint(12, 380)) / 10
    wait_s = rng.choice([0, 0, rng.randint(20, 900)])
    minutes = int(distance * 2) + wait_s // 60 + rng.randint(2, 8)
    end = start + minutes
    meter = flag_fall + max(Decimal(0), distance - 3) * price + Decimal(wait_s) / 300 * price
    total = (meter + Decimal(rng.choice([0, 1, 2]))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    plate_body = "".join(rng.choice(PLATE_LETTERS) for _ in range(5))
    plate = rng.choice([f"{province}{rng.choice('ABDEFGHJ')}{plate_body}", f"{rng.choice('ABDEFGHJ')}-{plate_body}"])
    code = f"1{rng.randint(10, 65)}0{rng.randint(0, 9)}{day:%y}{rng.randint(10000, 99999)}{rng.randint(1, 9)}"
    return SynthTaxi(
        title=rng.choice(TITLES).format(city=city),
        code=code[:12],
        number=f"{rng.randint(0, 99999999):08d}",
        plate=plate,
        date=day,
        pickup=f"{start // 60:02d}:{start % 60:02d}",
        dropoff=f"{end // 60 % 24:02d}:{end % 60:02d}",
        unit_price=price,
        distance=distance,
        waiting=f"00:{wait_s // 60:02d}:{wait_s % 60:02d}",
        total=total,
        phone=f"96{rng.randint(100, 999)}",
        licence=f"{rng.randint(100000, 999999)}",
    )


def render_taxi(taxi: SynthTaxi, rng: random.Random) -> bytes:
    """An 80 mm × 150 mm slip: the printed head in the form's colour, the meter's lines in black."""
    width, height = 227.0, 425.0
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=True, pageCompression=1)
    c.setTitle(taxi.title)
    font = cjk_font()
    ink = rng.choice([RED, BLUE])

    def text(x: float, top: float, s: str, size: float, color: tuple[float, float, float] = (0, 0, 0)) -> None:
        c.setFillColorRGB(*color)
        c.setFont(font, size)
        c.drawString(x, height - top - size * 0.85, s)

    title_size = min(15.0, (width - 24) / len(taxi.title))
    c.setFillColorRGB(*ink)
    c.setFont(font, title_size)
    c.drawCentredString(width / 2, height - 24 - title_size * 0.85, taxi.title)
    text(width / 2 - 16, 46, "发 票 联", 9, ink)
    text(16, 68, "发票代码", 9, ink)
    text(66, 68, taxi.code, 10)
    text(16, 86, "发票号码", 9, ink)
    text(66, 86, taxi.number, 10)
    c.setStrokeColorRGB(*ink)
    c.setLineWidth(0.8)
    c.line(12, height - 104, width - 12, height - 104)
    sep = rng.choice([" ", "：", ":"])
    date = rng.choice([f"{taxi.date:%Y-%m-%d}", f"{taxi.date:%Y.%m.%d}", f"{taxi.date:%Y年%m月%d日}"])
    rows = [
        ("电话", taxi.phone),
        ("车号", taxi.plate),
        ("证号", taxi.licence),
        ("日期", date),
        ("上车", taxi.pickup),
        ("下车", taxi.dropoff),
        ("单价", f"{taxi.unit_price:.2f}元"),
        ("里程", f"{taxi.distance:.1f}km"),
        ("等候", taxi.waiting),
        ("金额", f"{taxi.total:.2f}元"),
    ]
    if rng.random() < 0.5:
        rows.insert(9, ("燃油附加", f"{rng.choice([0, 1, 2]):.2f}元"))
    top = 116.0
    for label, value in rows:
        text(24, top, f"{label}{sep}", 10.5)
        text(92, top, value, 10.5)
        top += 19.5
    text(16, height - 30, "手写无效  当日有效", 8, ink)
    c.showPage()
    c.save()
    return buf.getvalue()


def write_taxi_corpus(out_dir: Path, count: int, seed: int = 1) -> list[Path]:
    """``count`` receipts as ``NNNNNN.pdf`` and their truth in ``truth.jsonl`` (the same seed, the same bytes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written, truths = [], []
    for i in range(count):
        rng = random.Random(f"taxi:{seed}:{i}")
        taxi = make_taxi(rng)
        path = out_dir / f"taxi_{i:06d}.pdf"
        path.write_bytes(render_taxi(taxi, rng))
        written.append(path)
        truths.append(json.dumps({"file": path.name, **taxi.truth()}, ensure_ascii=False))
    (out_dir / "truth.jsonl").write_text("\n".join(truths) + "\n", encoding="utf-8")
    return written


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m office_agent.synth.taxi", description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"wrote {len(write_taxi_corpus(args.out, args.count, args.seed))} taxi receipts to {args.out}")


if __name__ == "__main__":
    main()
