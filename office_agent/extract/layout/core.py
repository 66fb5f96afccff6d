"""The layout extractor's vocabulary and geometry: folded text, label and column patterns, runs cut into tokens
with estimated character edges, lines grouped by their boxes, block labels, and a label's value on its line."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from office_agent.models import BBox, Extraction, Page, Provenance, Source, Word

SURE = 0.95  # label and value on one line, value right after the label
LIKELY = 0.85  # geometry with a plausible alternative: a lone value on the total row, a joined value
GUESSED = 0.6  # no block labels found (party by reading order), or the value has an unexpected shape

_SEP = "\x1f"  # joins the runs of a line; label patterns may cross it
_GAP = r"[\s\x1f]*"
# Full-width forms → ASCII and ideographic space → space, one character for one, so offsets stay valid.
FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20, 0xFFE5: 0xA5}


def _spaced(word: str) -> str:
    """A regex for ``word`` with any white space (or a run boundary) between its characters."""
    return _GAP.join(re.escape(c) for c in word)


_MISREAD_WORDS: list[str] = []


def _misread(word: str) -> str:
    """``word`` spaced, with any one of its characters read as another CJK character (OCR: 纳税人识刑号)."""
    _MISREAD_WORDS.append(word)
    variants = []
    for i in range(len(word)):
        chars = [re.escape(c) for c in word]
        chars[i] = "[\u4e00-\u9fff]"
        variants.append(_GAP.join(chars))
    return "(?:" + "|".join(variants) + ")"


# (kind, printed label); longer labels first where one contains another. The misread forms come after the exact
# ones, so they only match where the exact label is not there.
_LABELS: tuple[tuple[str, str], ...] = (
    ("invoice_code", _spaced("发票代码")),
    ("invoice_number", _spaced("发票号码")),
    ("issue_date", _spaced("开票日期")),
    ("check_code", _spaced("校验码")),
    ("machine_number", _spaced("机器编号")),
    ("tax_id", _spaced("统一社会信用代码/纳税人识别号")),
    ("tax_id", _spaced("纳税人识别号")),
    ("tax_id", _spaced("统一社会信用代码")),
    ("tax_id", _misread("统一社会信用代码/纳税人识别号")),
    ("tax_id", _misread("纳税人识别号")),
    ("check_code", _misread("校验码")),  # OCR on low-resolution pictures: 权验码
    ("words", _spaced("价税合计") + f"(?:{_GAP}{_spaced('(大写)')})?"),
    # OCR may lose a bracket or the 小 under a seal: (小写¥16252.47, 写)¥2256.07
    ("total", r"\(?" + _GAP + f"(?:{_spaced('小写')}{_GAP}\\)?|{_spaced('写)')})"),
    ("subtotal", _spaced("合计")),
    ("drawer", _spaced("开票人")),
    ("other", _spaced("货物或应税劳务、服务名称")),
    ("other", _spaced("货物或应税劳务名称")),
    ("other", _spaced("项目名称")),
    ("other", _spaced("服务名称")),
    ("name", _spaced("名称")),
    ("name", "(?<!姓)名" + _GAP + "(?=[:：])"),  # 称 lost by OCR: ``名`` | ``：广东省…``
    ("other", _spaced("地址、电话")),
    ("other", _spaced("地址")),
    ("other", _spaced("电话")),
    ("other", _spaced("开户行及账号")),
    ("other", _spaced("收款人")),
    ("other", _spaced("复核人")),
    ("other", _spaced("复核")),
    ("other", _spaced("购买方")),
    ("other", _spaced("销售方")),
)
_LABEL_KIND = {f"l{i}": kind for i, (kind, _) in enumerate(_LABELS)}
# Every pattern starts with its label's first character (escaped when it is punctuation): a lookahead on those
# characters lets the search skip every other position at once instead of trying each alternative there (4x).
# A misread label may start with any character: the lookahead takes any CJK character followed by its second one.
_LABEL_FIRST = "".join(sorted({re.escape(p[1] if p.startswith("\\") else p[0]) for _, p in _LABELS if p[:3] != "(?:"}))
_MISREAD_SECOND = "".join(sorted({w[1] for w in _MISREAD_WORDS}))
LABEL_RE = re.compile(
    f"(?=[{_LABEL_FIRST}]|[\u4e00-\u9fff]{_GAP}[{_MISREAD_SECOND}])(?:"
    + "|".join(f"(?P<l{i}>{pattern})" for i, (_, pattern) in enumerate(_LABELS))
    + ")"
)
_AFTER_LABEL = re.compile(r"[\s\x1f:]*")

HEADER_FIELDS = {
    "invoice_code": "invoice_code",
    "invoice_number": "invoice_number",
    "issue_date": "issue_date",
    "check_code": "check_code",
    "machine_number": "machine_number",
    "drawer": "drawer",
}
# A value split over several runs (``83454`` ``62359`` …) is joined while the next run looks like more of it.
_CONTINUES = {
    "invoice_code": re.compile(r"\d+"),
    "invoice_number": re.compile(r"\d+"),
    "check_code": re.compile(r"\d+"),
    "machine_number": re.compile(r"\d+"),
    "issue_date": re.compile(r"[\d年月日\-/. ]*\d[\d年月日\-/. ]*"),
    "tax_id": re.compile(r"[0-9A-Z]+"),
}
_SHAPES = {
    "invoice_code": re.compile(r"\d{10}|\d{12}"),
    "invoice_number": re.compile(r"\d{8}|\d{20}"),
    "check_code": re.compile(r"\d{20}"),
    "machine_number": re.compile(r"\d{9,15}"),
}

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "货物或应税劳务、服务名称"),
    ("name", "货物或应税劳务名称"),
    ("name", "项目名称"),
    ("name", "服务名称"),
    ("spec", "规格型号"),
    ("unit", "单位"),
    ("quantity", "数量"),
    ("unit_price", "单价"),
    ("amount", "金额"),
    ("tax_rate", "税率/征收率"),
    ("tax_rate", "征收率/税率"),
    ("tax_rate", "税率"),
    ("tax_rate", "征收率"),
    ("tax_amount", "税额"),
    ("plate", "车牌号"),
    ("vehicle_type", "类型"),
    ("date_from", "通行日期起"),
    ("date_to", "通行日期止"),
)
COLUMN_KIND = {f"c{i}": col for i, (col, _) in enumerate(_COLUMNS)}
COLUMN_RE = re.compile("|".join(f"(?P<c{i}>{_spaced(word)})" for i, (_, word) in enumerate(_COLUMNS)))
HEADER_NAME = re.compile(_spaced("名称") + "|" + _spaced("项目"))
HEADER_AMOUNT = re.compile(_spaced("金额"))
HEADER_TAX = re.compile(r"(?<!价)" + _spaced("税额"))
NUMERIC_COLUMNS = frozenset({"quantity", "unit_price", "amount", "tax_rate", "tax_amount"})

_PIECE = re.compile(r"\S+")
MONEY = re.compile(r"¥?-?¥?[\d,]*\d(?:\.\d+)?")
STARS = re.compile(r"\*{2,}")
RATE = re.compile(r"\d+(?:\.\d+)?%|免税|不征税|免征|出口零税")
# Columns that touch: ``50.1813%`` is 50.18 and 13%; ``13%6.52`` the other way round.
_TOUCHING = (
    re.compile(r"(-?\d+\.\d{2})(\d{1,2}(?:\.\d+)?%|免税|不征税|\*{2,})"),
    re.compile(r"(\d{1,2}(?:\.\d+)?%|免税|不征税|\*{2,})(-?\d+\.\d{2})"),
)
_CIPHER = re.compile(r"[0-9+\-*/<>]{16,}")
_CIPHER_MARK = re.compile(r"[+*/<>]")
WORDS_PREFIX = re.compile(r"^[ⓧⓍ⊗⊕×\s]+")

# Block labels printed one character per line (or as one run): which block they open.
_BLOCK_WORDS = {"购买方信息": "buyer", "销售方信息": "seller", "密码区": "cipher", "备注": "remarks"}
_BLOCK_RUNS = {
    "购买方": "buyer", "购买方信息": "buyer", "购方": "buyer",
    "销售方": "seller", "销售方信息": "seller", "销方": "seller",
    "密码区": "cipher", "备注": "remarks",
}  # fmt: skip


@dataclass(slots=True)
class Tok:
    """A run of text (or a piece of one) and its box; ``key``: the text folded for matching, same length."""

    text: str
    key: str
    x0: float
    top: float
    x1: float
    bottom: float
    _edges: list[float] | None = None

    @property
    def h(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)

    def edge(self, i: int) -> float:
        """Estimated x of the boundary before character ``i`` (the run's own edges need no estimate)."""
        if i <= 0:
            return self.x0
        if i >= len(self.text):
            return self.x1
        if self._edges is None:
            self._edges = _char_edges(self.text, self.x0, self.x1, self.h)
        return self._edges[i]

    def sub(self, i: int, j: int) -> Tok:
        """The characters ``[i, j)`` as a token of their own, with an estimated box."""
        if i <= 0 and j >= len(self.text):
            return self
        return Tok(self.text[i:j], self.key[i:j], self.edge(i), self.top, self.edge(j), self.bottom)


def _char_edges(text: str, x0: float, x1: float, height: float) -> list[float]:
    """Estimated x of each character boundary: CJK one em, others 0.55 em, spaces share what is left."""
    weights = [0.0 if c.isspace() else 1.0 if c >= "\u2e80" else 0.55 for c in text]
    spaces = weights.count(0.0)
    ems = sum(weights)
    width = max(x1 - x0, 0.0)
    if ems == 0.0:
        em, space = 0.0, width / max(spaces, 1)
    elif spaces:
        em = min(0.9 * height, width / ems)
        space = (width - em * ems) / spaces
    else:
        em, space = width / ems, 0.0
    edges = list(itertools.accumulate([em * w if w else space for w in weights], initial=x0))
    edges[-1] = x1
    return edges


def cut_pieces(tok: Tok) -> list[Tok]:
    """Cut a run at white space; a lone ``¥`` joins the amount after it; touching amount + rate are split."""
    spans = [[m.start(), m.end()] for m in _PIECE.finditer(tok.key)]
    merged: list[list[int]] = []
    for span in spans:
        if merged and tok.key[merged[-1][0] : merged[-1][1]] in ("¥", "-", "¥-"):
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    out: list[Tok] = []
    for i, j in merged:
        out.extend(_split_touching(tok.sub(i, j)))
    return out


def _split_touching(tok: Tok) -> list[Tok]:
    for pattern in _TOUCHING:
        m = pattern.fullmatch(tok.key)
        if m:
            k = m.end(1)
            return [tok.sub(0, k), tok.sub(k, len(tok.key))]
    return [tok]


@dataclass(slots=True)
class Line:
    toks: list[Tok]  # left to right; fixed once the line is built
    key: str = ""
    starts: list[int] = field(default_factory=list)
    label_starts: set[int] = field(default_factory=set)
    top: float = 0.0
    bottom: float = 0.0

    def __post_init__(self) -> None:
        self.toks.sort(key=lambda t: t.x0)
        pos = 0
        for t in self.toks:
            self.starts.append(pos)
            pos += len(t.key) + 1
        self.key = _SEP.join(t.key for t in self.toks)
        self.top = min(t.top for t in self.toks)
        self.bottom = max(t.bottom for t in self.toks)

    def locate(self, pos: int) -> tuple[int, int]:
        """(token index, offset inside it) of a position in ``key``."""
        i = bisect.bisect_right(self.starts, pos) - 1
        return i, pos - self.starts[i]

    def span(self, start: int, end: int) -> Tok:
        """The estimated box of ``key[start:end]`` (which may cross runs), as a token."""
        i, a = self.locate(start)
        j, b = self.locate(max(end - 1, start))
        first, last = self.toks[i], self.toks[j]
        b = min(b + 1, len(last.text))
        x0, x1 = first.edge(a), last.edge(b)
        if i == j:  # a token's key is its folded text, character for character
            return Tok(first.text[a:b], first.key[a:b], x0, first.top, x1, first.bottom)
        toks = self.toks[i : j + 1]
        text = " ".join(t.text for t in toks)
        return Tok(text, text.translate(FOLD), x0, min(t.top for t in toks), x1, max(t.bottom for t in toks))


@dataclass(slots=True)
class Label:
    kind: str
    line: Line
    start: int
    end: int
    box: Tok


@dataclass(slots=True)
class Value:
    text: str
    bbox: BBox
    confidence: float


@dataclass(slots=True)
class Block:
    kind: str  # buyer, seller, cipher, remarks
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Layout:
    page: Page
    source: Source
    lines: list[Line]
    labels: list[Label]
    blocks: list[Block]
    out: Extraction

    def add(self, name: str, value: Value | None) -> None:
        if value is not None:
            prov = Provenance(source=self.source, page=self.page.number, bbox=value.bbox, confidence=value.confidence)
            self.out.add(name, value.text, prov)

    def first(self, kind: str) -> Label | None:
        return next((lab for lab in self.labels if lab.kind == kind), None)


def page_tokens(words: list[Word]) -> list[Tok]:
    out = []
    for w in words:
        text = w.text.strip()
        if not text:
            continue
        key = text.translate(FOLD)
        squashed = "".join(key.split())
        if _CIPHER.fullmatch(squashed) and _CIPHER_MARK.search(squashed):
            continue  # 密码区 cipher text
        x0, top, x1, bottom = w.bbox
        out.append(Tok(text, key, x0, top, x1, bottom))
    return out


# ----------------------------------------------------------------------------------------------------------
# Block labels and lines


def find_blocks(toks: list[Tok]) -> tuple[list[Block], list[Tok]]:
    """Block labels (stacked runs that spell one, top to bottom: one character each, or pieces of any length as
    OCR cuts a vertical label, ``购买方信`` + ``息``; or one run) and the runs that are not block labels."""
    pieces: dict[str, list[Tok]] = {}
    used: set[int] = set()
    blocks: list[Block] = []
    for t in toks:
        s = "".join(t.key.split())
        if s in _BLOCK_RUNS:
            blocks.append(Block(_BLOCK_RUNS[s], t.x0, t.top, t.x1, t.bottom))
            used.add(id(t))
        elif s and any(s in word for word in _BLOCK_WORDS):
            pieces.setdefault(s, []).append(t)
    for word, kind in _BLOCK_WORDS.items():
        starts = [t for text, ts in pieces.items() if word.startswith(text) for t in ts]
        for start in sorted(starts, key=lambda t: t.top):
            if id(start) in used:
                continue
            chain = _vertical_chain(start, word, pieces, used)
            if len(chain) >= 2 or (len(_squeeze(start)) >= 2 and start.h > start.x1 - start.x0):  # or one tall run
                used.update(id(t) for t in chain)
                x0, x1 = min(t.x0 for t in chain), max(t.x1 for t in chain)
                blocks.append(Block(kind, x0, chain[0].top, x1, chain[-1].bottom))
    return blocks, [t for t in toks if id(t) not in used]


def _squeeze(t: Tok) -> str:
    return "".join(t.key.split())


def _vertical_chain(start: Tok, word: str, pieces: dict[str, list[Tok]], used: set[int]) -> list[Tok]:
    """``start`` and the runs below it, each overlapping the one above in x, that go on spelling ``word``."""
    chain = [start]
    rest = word[len(_squeeze(start)) :]
    while rest:
        cur = chain[-1]
        step = cur.h / max(len(_squeeze(cur)), 1) if cur.h > cur.x1 - cur.x0 else cur.h  # one character's height
        below = [
            t
            for text, ts in pieces.items()
            if rest.startswith(text)
            for t in ts
            if id(t) not in used
            and min(t.x1, cur.x1) - max(t.x0, cur.x0) > 0.5 * min(t.x1 - t.x0, cur.x1 - cur.x0)
            and cur.top < t.top <= cur.bottom + 4 * step
        ]
        if not below:
            break
        nxt = min(below, key=lambda t: t.top)
        chain.append(nxt)
        rest = rest[len(_squeeze(nxt)) :]
    return chain


def build_lines(toks: list[Tok]) -> list[Line]:
    """Group runs whose boxes overlap a line's band vertically by at least half the smaller height.

    The band is the line's smallest run, so a tall title beside two rows of the header block (发票代码 above
    发票号码) does not merge those rows into one line.
    """
    groups: list[tuple[list[float], list[Tok]]] = []  # [top, bottom] of the band, members
    for t in sorted(toks, key=lambda t: t.top):
        top, bottom = t.top, t.bottom
        h = bottom - top if bottom - top > 1.0 else 1.0  # t.h, inlined: this loop sees every run
        for band, members in reversed(groups[-4:]):
            height = band[1] - band[0]
            overlap = (band[1] if band[1] < bottom else bottom) - (band[0] if band[0] > top else top)
            if overlap >= 0.5 * (height if height < h else h):
                members.append(t)
                if h < 0.8 * height:
                    band[0], band[1] = top, bottom
                break
        else:
            groups.append(([top, bottom], [t]))
    return [Line(members) for _, members in groups]


def find_labels(lines: list[Line]) -> list[Label]:
    labels = []
    for line in lines:
        for m in LABEL_RE.finditer(line.key):
            kind = _LABEL_KIND[m.lastgroup or ""]
            line.label_starts.add(m.start())
            labels.append(Label(kind, line, m.start(), m.end(), line.span(m.start(), m.end())))
    return labels


# ----------------------------------------------------------------------------------------------------------
# Label → value


def value_after(lay: Layout, lab: Label, kind: str | None = None) -> Value | None:
    """The text after a label on its line: the rest of its run after the colon, or the next run."""
    line = lab.line
    p = _AFTER_LABEL.match(line.key, lab.end)
    pos = p.end() if p else lab.end
    if pos >= len(line.key) or pos in line.label_starts:
        return None
    i, off = line.locate(pos)
    tok = line.toks[i]
    stop = min((s for s in line.label_starts if s > pos), default=len(line.key))
    end_in_tok = min(len(tok.text), stop - line.starts[i])
    if off == 0 and tok.x0 - lab.box.x1 > 0.3 * _page_width(lay):
        return None  # too far away to belong to the label
    value = tok.sub(off, end_in_tok)
    if kind in _CONTINUES and end_in_tok == len(tok.text) and i + 1 < len(line.toks):
        value = _overlapping_whole(line.toks[i + 1], value, _CONTINUES[kind])
    confidence = SURE
    if kind in _CONTINUES and end_in_tok == len(tok.text):
        value, joined = _continue(line, i, value, _CONTINUES[kind])
        confidence = LIKELY if joined else SURE
    text = value.text.strip()
    if not text:
        return None
    shape = _SHAPES.get(kind or "")
    if shape is not None and not shape.fullmatch("".join(text.split())):
        confidence = GUESSED
    return Value(text, value.bbox, confidence)


def _overlapping_whole(nxt: Tok, value: Tok, pattern: re.Pattern[str]) -> Tok:
    """OCR sometimes reads a value's first characters into the label's box too (``纳税人识别号：9`` overlapping
    ``91330106MA2BX7Q8KA``): the overlapping run that starts with the same characters is the whole value."""
    head = squashed_key(value)
    if nxt.x0 < value.x1 - 1 and head and nxt.key.startswith(head) and pattern.fullmatch(nxt.key):
        return nxt
    return value


def _continue(line: Line, i: int, value: Tok, pattern: re.Pattern[str]) -> tuple[Tok, bool]:
    """Join the runs right of token ``i`` while they continue a split value (digits of a code, a date)."""
    joined = False
    prev = value
    for j in range(i + 1, len(line.toks)):
        nxt = line.toks[j]
        if line.starts[j] in line.label_starts or nxt.x0 < prev.x1 - 1 or nxt.x0 - prev.x1 > 2.5 * nxt.h:
            break
        if not pattern.fullmatch(nxt.key):
            break
        value = Tok(
            f"{value.text} {nxt.text}", f"{value.key} {nxt.key}", value.x0, min(value.top, nxt.top), nxt.x1,
            max(value.bottom, nxt.bottom),
        )  # fmt: skip
        prev = nxt
        joined = True
    return value, joined


def _page_width(lay: Layout) -> float:
    if lay.page.width > 0:
        return lay.page.width
    return max((t.x1 for line in lay.lines for t in line.toks), default=1.0)


def pieces_after(line: Line, pos: int) -> list[Tok]:
    """The white-space separated pieces of a line from ``pos`` on."""
    if pos >= len(line.key):
        return []
    i, off = line.locate(pos)
    first = line.toks[i]
    out = cut_pieces(first.sub(off, len(first.text)))
    for tok in line.toks[i + 1 :]:
        out.extend(cut_pieces(tok))
    return out


def union_box(toks: list[Tok]) -> BBox:
    return (min(t.x0 for t in toks), min(t.top for t in toks), max(t.x1 for t in toks), max(t.bottom for t in toks))


def squashed_key(tok: Tok) -> str:
    return "".join(tok.key.split())
