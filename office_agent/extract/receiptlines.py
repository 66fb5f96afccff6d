"""The learned step of the receipt reader: every text line of a receipt scored as the seller's name (company), a
line of its address, the date line, the total line, or none of these.

The model is multinomial logistic regression over hashed binary features of each line: where it stands (line
number from the top and from the bottom, relative height on the receipt, left / centre / right, width, letter
height against the median), what it looks like (length, share of digits and capitals, a bracketed registration
number, a postcode, a money amount, a date, a time), which words it holds (hashed), what its neighbours are (the
same marks on the lines above and below) and what the receipt has printed above and below it so far (a
registration line above, a phone line below, ...). ``scripts/train_receipts.py`` trains it on labelled SROIE
receipts (see docs/receipts.md) and writes ``office_agent/data/receipt_lines.json``: the non-zero weight rows by
feature hash, so the reader needs numpy only (no training library, no pickle) and scores a receipt in about a
millisecond. The same features are computed on the dataset's reference OCR lines and on our own OCR's lines, so
they are kept to what both show alike: folded text (NFKC, accents dropped, upper case), relative geometry.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from office_agent.extract.textlines import TextLine

CLASSES = ("none", "company", "address", "date", "total")
DIM = 1 << 14
MODEL_FILE = "receipt_lines.json"

_FLAGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(rx)) for name, rx in (
    ("sdnbhd", r"S[DO0]N\.?\s*B[HN][DO0]|\bBHD\b|\bS/B\b|\bSB\b"),
    ("legal", r"\b(?:LTD|LIMITED|ENTERPRISES?|TRADING|CO|COMPANY|CORP|CORPORATION|INC|LLC|PLC|PTE|HOLDINGS|"
              r"INDUSTRIES|GROUP|MARKETING|SERVICES?)\b"),
    ("trade", r"\b(?:RESTAURANTS?|RESTORAN|CAFE|MART|STORE|BAKERY|HARDWARE|STATIONERY|PHARMACY|FOOD|KEDAI|"
              r"SUPERMARKET|MARKET|BOOKS?|KITCHEN|TEA|COFFEE|MINI)\b"),
    ("reg", r"\(?\b\d{4,}\s*-\s*[A-Z]\b\)?|\bCO\.?\s*REG|\bCOMPANY\s*NO|\bROC\b|\bREG\.?\s*NO|\(\d{5,}[A-Z]?\)"),
    ("gst", r"\b(?:GST|SST)\b"),
    ("postcode", r"(?<!\d)\d{5}(?!\d)"),
    ("state", r"\b(?:JOHOR|SELANGOR|KUALA\s*LUMPUR|PERAK|PAHANG|KEDAH|KELANTAN|MELAKA|MALACCA|NEGERI|SEMBILAN|"
              r"PENANG|PINANG|PERLIS|SABAH|SARAWAK|TERENGGANU|PUTRAJAYA|LABUAN|MALAYSIA|K\.?L\.?)\b"),
    ("street", r"\b(?:JALAN|JLN|JL|TAMAN|TMN|LORONG|LRG|LOT|NO|BLOK|BLOCK|BLK|KAWASAN|BANDAR|PERSIARAN|LEBUH|ROAD|"
               r"RD|STREET|PLAZA|WISMA|MENARA|PUSAT|KOMPLEKS|LEVEL|FLOOR|UNIT|SEKSYEN|SECTION|KG|KAMPUNG|BATU|"
               r"INDUSTRI|PERINDUSTRIAN|AVENUE|SQUARE|CENTRE|MALL)\b"),
    ("tel", r"\b(?:TEL|FAX|PHONE|H/P|HP|MOBILE|TELEPHONE|WHATSAPP)\b"),
    ("phone", r"\b0\d{1,2}\s*-\s*\d{3,4}\s*\d{3,4}\b|(?<!\d)\d{9,11}(?!\d)"),
    ("web", r"@|\bWWW\b|HTTP|\.COM\b|\.MY\b"),
    ("date", r"(?<!\d)\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}|(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|"
             r"(?<!\d)\d{1,2}[\s\-]*(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[\s\-,]*\d{2,4}"),
    ("datelabel", r"\b(?:DATE|TARIKH|DT)\b"),
    ("time", r"\d{1,2}\s*:\s*\d{2}"),
    ("money", r"(?<![\d.])\d{1,3}(?:,\d{3})*\.\d{2}(?![\d%])|(?<![\d.])\d+\.\d{2}(?![\d%])"),
    ("rm", r"\bRM\b|\bMYR\b|\$"),
    ("totalkw", r"TOTAL|\bJUMLAH\b"),
    ("subtotal", r"SUB\s*-?\s*TOTAL"),
    ("grand", r"\b(?:GRAND|NETT|NET|ROUNDED|PAYABLE|DUE)\b|TOTAL\s*(?:AMOUNT|AMT|SALES|INCL)"),
    ("rounding", r"ROUND"),
    ("cash", r"\b(?:CASH|TENDER(?:ED)?|PAID|PAYMENT|CARD|VISA|MASTER|CREDIT)\b"),
    ("change", r"\b(?:CHANGE|BALANCE|CHG)\b"),
    ("taxkw", r"\b(?:TAX|VAT|SERVICE\s*CHARGE|SVC)\b|\d+\s*%"),
    ("qty", r"\b(?:QTY|ITEMS?|PCS|UNIT|X)\b|\bX\s*\d|\d\s*X\b"),
    ("invoice", r"\b(?:INVOICE|RECEIPT|BILL|SLIP|INV|DOC|NO\s*:)\b"),
    ("staff", r"\b(?:CASHIER|SERVER|TABLE|COUNTER|POS|TERMINAL|STAFF|SALESPERSON|OPERATOR|MEMBER)\b"),
    ("thanks", r"\b(?:THANK|THANKS|WELCOME|PLEASE|VISIT|GOODS|SOLD|EXCHANGE|REFUND|AGAIN)\b"),
))  # fmt: skip
_FLAG_NAMES = tuple(name for name, _ in _FLAGS)
_TOKEN = re.compile(r"[A-Z0-9&'./\-]+")


def fold(text: str) -> str:
    """Upper case, full-width folded, accents dropped (``Restäurants`` → ``RESTAURANTS``), spaces single."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().upper()


def flags(text: str) -> frozenset[str]:
    """The marks of one folded line (``sdnbhd``, ``postcode``, ``money``, ...)."""
    found = {name for name, rx in _FLAGS if rx.search(text)}
    if text.startswith("(") and text.endswith(")"):
        found.add("bracketed")
    if text.endswith(","):
        found.add("endcomma")
    return frozenset(found)


def _bucket(value: float, edges: Sequence[float]) -> int:
    return next((i for i, edge in enumerate(edges) if value < edge), len(edges))


def _shape(text: str) -> list[str]:
    letters = [c for c in text if c.isalpha()]
    chars = text.replace(" ", "")
    digits = sum(c.isdigit() for c in chars) / max(len(chars), 1)
    upper = sum(c.isupper() for c in letters) / max(len(letters), 1)
    words = len(re.findall(r"[A-Z]{2,}", text))
    return [
        f"len{_bucket(len(chars), (4, 9, 16, 26, 41))}",
        f"dig{_bucket(digits, (0.01, 0.1, 0.3, 0.6))}",
        f"words{min(words, 6)}",
        f"punct{_bucket(sum(not c.isalnum() for c in chars) / max(len(chars), 1), (0.01, 0.1, 0.25))}",
        "first-digit" if chars[:1].isdigit() else "first-alpha",
        f"upper{_bucket(upper, (0.5, 0.95))}" if letters else "noletters",
    ]


@dataclass(frozen=True)
class _Geometry:
    left: float
    span: float
    top: float
    depth: float
    widest: float
    median_height: float


def _geometry(lines: Sequence[TextLine]) -> _Geometry:
    boxes = [ln.bbox for ln in lines]
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    top, bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
    heights = sorted(b[3] - b[1] for b in boxes)
    return _Geometry(left, max(right - left, 1.0), top, max(bottom - top, 1.0),
                     max(max(b[2] - b[0] for b in boxes), 1.0), max(heights[len(heights) // 2], 1.0))  # fmt: skip


def _position(i: int, n: int, box: tuple[float, float, float, float], geo: _Geometry) -> list[str]:
    x_mid = ((box[0] + box[2]) / 2 - geo.left) / geo.span
    return [
        f"idx{min(i, 14)}",
        f"fromend{min(n - 1 - i, 10)}",
        f"y{min(int(10 * ((box[1] + box[3]) / 2 - geo.top) / geo.depth), 9)}",
        f"x{min(int(3 * x_mid), 2)}",
        f"left{min(int(4 * (box[0] - geo.left) / geo.span), 3)}",
        f"w{min(int(5 * (box[2] - box[0]) / geo.widest), 4)}",
        f"h{_bucket((box[3] - box[1]) / geo.median_height, (0.8, 1.15, 1.5, 2.0))}",
    ]


def _words(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)
    out = [f"t:{re.sub(r'[0-9]', '9', t)}" for t in tokens if len(t) <= 20]
    if tokens:
        out += [f"first:{tokens[0]}", f"last:{tokens[-1]}"]
    return out


def line_features(lines: Sequence[TextLine]) -> list[list[str]]:
    """The feature names of every line (top to bottom), from their text and boxes."""
    if not lines:
        return []
    texts = [fold(ln.text) for ln in lines]
    marks = [flags(t) for t in texts]
    geo = _geometry(lines)
    n = len(lines)
    above: list[frozenset[str]] = []
    seen: set[str] = set()
    for line_marks in marks:
        above.append(frozenset(seen))
        seen |= line_marks
    below: list[frozenset[str]] = [frozenset()] * n
    seen = set()
    for i in range(n - 1, -1, -1):
        below[i] = frozenset(seen)
        seen |= marks[i]
    out = []
    for i, ln in enumerate(lines):
        feats = ["bias", *_shape(texts[i]), *_position(i, n, ln.bbox, geo), *_words(texts[i])]
        own = sorted(marks[i]) or ["plain"]
        feats += [f"f:{m}" for m in own]
        feats += [f"f:{m}@{min(i, 8)}" for m in own]
        for name, k in (("up1", i - 1), ("up2", i - 2), ("dn1", i + 1), ("dn2", i + 2)):
            if 0 <= k < n:
                feats += [f"{name}:{m}" for m in sorted(marks[k])] or [f"{name}:plain"]
            else:
                feats.append(f"{name}:edge")
        feats += [f"above:{m}" for m in sorted(above[i])]
        feats += [f"below:{m}" for m in sorted(below[i])]
        for m in own:
            for ctx in ("reg", "postcode", "tel", "date", "totalkw", "sdnbhd"):
                feats.append(f"{m}&above-{ctx}:{int(ctx in above[i])}")
        out.append(feats)
    return out


def hashed(features: Sequence[str]) -> list[int]:
    """Distinct hash indices (CRC-32, the same on every machine and in every Python) of one line's features."""
    return sorted({zlib.crc32(f.encode()) & (DIM - 1) for f in features})


@dataclass(frozen=True)
class LineModel:
    """Weights ``DIM × len(CLASSES)`` and one bias per class."""

    weights: np.ndarray
    bias: np.ndarray

    def probabilities(self, lines: Sequence[TextLine]) -> np.ndarray:
        """One row per line: the probability of each of ``CLASSES``."""
        if not lines:
            return np.zeros((0, len(CLASSES)))
        rows = [self.weights[hashed(f)].sum(axis=0) for f in line_features(lines)]
        logits = np.vstack(rows) + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def to_json(self) -> str:
        rows = {str(i): [round(float(v), 5) for v in row] for i, row in enumerate(self.weights) if np.any(row)}
        head = {"classes": list(CLASSES), "dim": DIM, "bias": [round(float(b), 5) for b in self.bias]}
        return json.dumps({**head, "rows": rows}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> LineModel:
        raw = json.loads(text)
        if raw.get("classes") != list(CLASSES) or raw.get("dim") != DIM:
            raise ValueError(f"receipt line model for classes {raw.get('classes')} × {raw.get('dim')}, not {CLASSES}")
        weights = np.zeros((DIM, len(CLASSES)))
        for index, row in raw["rows"].items():
            weights[int(index)] = row
        return cls(weights, np.asarray(raw["bias"], dtype=float))


@cache
def shipped_model() -> LineModel:
    """The model in the wheel (``office_agent/data/receipt_lines.json``), loaded once."""
    text = resources.files("office_agent").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    return LineModel.from_json(text)
