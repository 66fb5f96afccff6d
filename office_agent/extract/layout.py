"""Layout-aware extraction over positioned text runs: PDF text layers, OFD text objects, OCR boxes.

The page's runs are grouped into lines by their boxes, never by text order (one reader emits every label
first and every value later). Labels are found in each line's text with white space allowed between their
characters and across runs (``名 称:``, ``名　　　　称``, ``名`` + ``称:``); a label's value is what follows
it on its line: the rest of its run after the colon, or the next run to the right.

Buyer and seller fields carry the same labels; the block labels ``购买方`` / ``销售方`` (printed one
character per line, left of each block) decide which is which. Legacy invoices stack the blocks, 数电
invoices put them side by side; "the nearest block label to the left" covers both.

The item table is read from its header row: each header keyword's x range makes a column, and the runs
between the header and the 合计 row are cut at white space and assigned to columns by position. Numbers
are right-aligned and some layouts let them drift under the neighbouring header, so amount, rate and tax
are then fixed by their order around the rate (``13%``, ``免税``, ``***``), which is unambiguous.

Every value is the raw printed string; the chain (``assemble``) normalises it. The characters of a run
have no boxes of their own, so positions inside a run are estimated from character widths (CJK one em,
ASCII about half an em).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from office_agent.extract.normalize import NormalizeError, format_rate, parse_decimal, parse_money
from office_agent.models import BBox, Extraction, LineItem, Page, Provenance, Source, Word

SURE = 0.95  # label and value on one line, value right after the label
LIKELY = 0.85  # geometry with a plausible alternative: a lone value on the total row, a joined value
GUESSED = 0.6  # no block labels found (party by reading order), or the value has an unexpected shape

_SEP = "\x1f"  # joins the runs of a line; label patterns may cross it
_GAP = r"[\s\x1f]*"
# Full-width forms → ASCII and ideographic space → space, one character for one, so offsets stay valid.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20, 0xFFE5: 0xA5}


def _spaced(word: str) -> str:
    """A regex for ``word`` with any white space (or a run boundary) between its characters."""
    return _GAP.join(re.escape(c) for c in word)


def _misread(word: str) -> str:
    """``word`` spaced, with any one of its characters read as another CJK character (OCR: 纳税人识刑号)."""
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
_LABEL_FIRST = "".join(sorted({re.escape(p[1] if p.startswith("\\") else p[0]) for _, p in _LABELS}))
_LABEL_RE = re.compile(
    f"(?=[{_LABEL_FIRST}])(?:" + "|".join(f"(?P<l{i}>{pattern})" for i, (_, pattern) in enumerate(_LABELS)) + ")"
)
_AFTER_LABEL = re.compile(r"[\s\x1f:]*")

_HEADER_FIELDS = {
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
_COLUMN_KIND = {f"c{i}": col for i, (col, _) in enumerate(_COLUMNS)}
_COLUMN_RE = re.compile("|".join(f"(?P<c{i}>{_spaced(word)})" for i, (_, word) in enumerate(_COLUMNS)))
_HEADER_NAME = re.compile(_spaced("名称") + "|" + _spaced("项目"))
_HEADER_AMOUNT = re.compile(_spaced("金额"))
_HEADER_TAX = re.compile(r"(?<!价)" + _spaced("税额"))
_NUMERIC_COLUMNS = frozenset({"quantity", "unit_price", "amount", "tax_rate", "tax_amount"})

_PIECE = re.compile(r"\S+")
_MONEY = re.compile(r"¥?-?¥?[\d,]*\d(?:\.\d+)?")
_STARS = re.compile(r"\*{2,}")
_RATE = re.compile(r"\d+(?:\.\d+)?%|免税|不征税|免征|出口零税")
# Columns that touch: ``50.1813%`` is 50.18 and 13%; ``13%6.52`` the other way round.
_TOUCHING = (
    re.compile(r"(-?\d+\.\d{2})(\d{1,2}(?:\.\d+)?%|免税|不征税|\*{2,})"),
    re.compile(r"(\d{1,2}(?:\.\d+)?%|免税|不征税|\*{2,})(-?\d+\.\d{2})"),
)
_CIPHER = re.compile(r"[0-9+\-*/<>]{16,}")
_CIPHER_MARK = re.compile(r"[+*/<>]")
_WORDS_PREFIX = re.compile(r"^[ⓧⓍ⊗⊕×\s]+")

# Block labels printed one character per line (or as one run): which block they open.
_BLOCK_WORDS = {"购买方信息": "buyer", "销售方信息": "seller", "密码区": "cipher", "备注": "remarks"}
_BLOCK_CHARS = frozenset("".join(_BLOCK_WORDS))
_BLOCK_RUNS = {
    "购买方": "buyer", "购买方信息": "buyer", "购方": "buyer",
    "销售方": "seller", "销售方信息": "seller", "销方": "seller",
    "密码区": "cipher", "备注": "remarks",
}  # fmt: skip


@dataclass(slots=True)
class _Tok:
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

    def sub(self, i: int, j: int) -> _Tok:
        """The characters ``[i, j)`` as a token of their own, with an estimated box."""
        if i <= 0 and j >= len(self.text):
            return self
        return _Tok(self.text[i:j], self.key[i:j], self.edge(i), self.top, self.edge(j), self.bottom)


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


def _pieces(tok: _Tok) -> list[_Tok]:
    """Cut a run at white space; a lone ``¥`` joins the amount after it; touching amount + rate are split."""
    spans = [[m.start(), m.end()] for m in _PIECE.finditer(tok.key)]
    merged: list[list[int]] = []
    for span in spans:
        if merged and tok.key[merged[-1][0] : merged[-1][1]] in ("¥", "-", "¥-"):
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    out: list[_Tok] = []
    for i, j in merged:
        out.extend(_split_touching(tok.sub(i, j)))
    return out


def _split_touching(tok: _Tok) -> list[_Tok]:
    for pattern in _TOUCHING:
        m = pattern.fullmatch(tok.key)
        if m:
            k = m.end(1)
            return [tok.sub(0, k), tok.sub(k, len(tok.key))]
    return [tok]


@dataclass(slots=True)
class _Line:
    toks: list[_Tok]  # left to right; fixed once the line is built
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

    def span(self, start: int, end: int) -> _Tok:
        """The estimated box of ``key[start:end]`` (which may cross runs), as a token."""
        i, a = self.locate(start)
        j, b = self.locate(max(end - 1, start))
        first, last = self.toks[i], self.toks[j]
        b = min(b + 1, len(last.text))
        x0, x1 = first.edge(a), last.edge(b)
        if i == j:  # a token's key is its folded text, character for character
            return _Tok(first.text[a:b], first.key[a:b], x0, first.top, x1, first.bottom)
        toks = self.toks[i : j + 1]
        text = " ".join(t.text for t in toks)
        return _Tok(text, text.translate(_FOLD), x0, min(t.top for t in toks), x1, max(t.bottom for t in toks))


@dataclass(slots=True)
class _Label:
    kind: str
    line: _Line
    start: int
    end: int
    box: _Tok


@dataclass(slots=True)
class _Value:
    text: str
    bbox: BBox
    confidence: float


@dataclass(slots=True)
class _Block:
    kind: str  # buyer, seller, cipher, remarks
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class _Layout:
    page: Page
    source: Source
    lines: list[_Line]
    labels: list[_Label]
    blocks: list[_Block]
    out: Extraction

    def add(self, name: str, value: _Value | None) -> None:
        if value is not None:
            prov = Provenance(source=self.source, page=self.page.number, bbox=value.bbox, confidence=value.confidence)
            self.out.add(name, value.text, prov)

    def first(self, kind: str) -> _Label | None:
        return next((lab for lab in self.labels if lab.kind == kind), None)


# ----------------------------------------------------------------------------------------------------------
# Entry point


def extract_page(page: Page, source: Source = Source.TEXT) -> Extraction:
    """Read the invoice fields and line items of one page from its positioned text runs."""
    toks = _tokens(page.words)
    blocks, rest = _find_blocks(toks)
    lines = _build_lines(rest)
    lay = _Layout(page, source, lines, _find_labels(lines), blocks, Extraction(page=page.number))
    _read_title(lay, toks)
    _read_header_fields(lay)
    _read_parties(lay)
    _read_totals(lay)
    _read_remarks(lay)
    _read_items(lay)
    return lay.out


def _tokens(words: list[Word]) -> list[_Tok]:
    out = []
    for w in words:
        text = w.text.strip()
        if not text:
            continue
        key = text.translate(_FOLD)
        squashed = "".join(key.split())
        if _CIPHER.fullmatch(squashed) and _CIPHER_MARK.search(squashed):
            continue  # 密码区 cipher text
        x0, top, x1, bottom = w.bbox
        out.append(_Tok(text, key, x0, top, x1, bottom))
    return out


# ----------------------------------------------------------------------------------------------------------
# Block labels and lines


def _find_blocks(toks: list[_Tok]) -> tuple[list[_Block], list[_Tok]]:
    """Block labels (one character per run, stacked; or one run) and the runs that are not block labels."""
    singles: dict[str, list[_Tok]] = {}
    used: set[int] = set()
    blocks: list[_Block] = []
    for t in toks:
        s = "".join(t.key.split())
        if len(s) == 1 and s in _BLOCK_CHARS:
            singles.setdefault(s, []).append(t)
        elif s in _BLOCK_RUNS:
            blocks.append(_Block(_BLOCK_RUNS[s], t.x0, t.top, t.x1, t.bottom))
            used.add(id(t))
    for word, kind in _BLOCK_WORDS.items():
        for start in singles.get(word[0], []):
            if id(start) in used:
                continue
            chain = _vertical_chain(start, word, singles, used)
            if len(chain) >= 2:
                used.update(id(t) for t in chain)
                x0, x1 = min(t.x0 for t in chain), max(t.x1 for t in chain)
                blocks.append(_Block(kind, x0, chain[0].top, x1, chain[-1].bottom))
    return blocks, [t for t in toks if id(t) not in used]


def _vertical_chain(start: _Tok, word: str, singles: dict[str, list[_Tok]], used: set[int]) -> list[_Tok]:
    chain = [start]
    for ch in word[1:]:
        cur = chain[-1]
        below = [
            t
            for t in singles.get(ch, [])
            if id(t) not in used
            and min(t.x1, cur.x1) - max(t.x0, cur.x0) > 0.5 * min(t.x1 - t.x0, cur.x1 - cur.x0)
            and cur.top < t.top <= cur.bottom + 4 * cur.h
        ]
        if not below:
            break
        chain.append(min(below, key=lambda t: t.top))
    return chain


def _build_lines(toks: list[_Tok]) -> list[_Line]:
    """Group runs whose boxes overlap a line's band vertically by at least half the smaller height.

    The band is the line's smallest run, so a tall title beside two rows of the header block (发票代码 above
    发票号码) does not merge those rows into one line.
    """
    groups: list[tuple[list[float], list[_Tok]]] = []  # [top, bottom] of the band, members
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
    return [_Line(members) for _, members in groups]


def _find_labels(lines: list[_Line]) -> list[_Label]:
    labels = []
    for line in lines:
        for m in _LABEL_RE.finditer(line.key):
            kind = _LABEL_KIND[m.lastgroup or ""]
            line.label_starts.add(m.start())
            labels.append(_Label(kind, line, m.start(), m.end(), line.span(m.start(), m.end())))
    return labels


# ----------------------------------------------------------------------------------------------------------
# Label → value


def _value_after(lay: _Layout, lab: _Label, kind: str | None = None) -> _Value | None:
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
    return _Value(text, value.bbox, confidence)


def _overlapping_whole(nxt: _Tok, value: _Tok, pattern: re.Pattern[str]) -> _Tok:
    """OCR sometimes reads a value's first characters into the label's box too (``纳税人识别号：9`` overlapping
    ``91330106MA2BX7Q8KA``): the overlapping run that starts with the same characters is the whole value."""
    head = _squashed(value)
    if nxt.x0 < value.x1 - 1 and head and nxt.key.startswith(head) and pattern.fullmatch(nxt.key):
        return nxt
    return value


def _continue(line: _Line, i: int, value: _Tok, pattern: re.Pattern[str]) -> tuple[_Tok, bool]:
    """Join the runs right of token ``i`` while they continue a split value (digits of a code, a date)."""
    joined = False
    prev = value
    for j in range(i + 1, len(line.toks)):
        nxt = line.toks[j]
        if line.starts[j] in line.label_starts or nxt.x0 < prev.x1 - 1 or nxt.x0 - prev.x1 > 2.5 * nxt.h:
            break
        if not pattern.fullmatch(nxt.key):
            break
        value = _Tok(
            f"{value.text} {nxt.text}", f"{value.key} {nxt.key}", value.x0, min(value.top, nxt.top), nxt.x1,
            max(value.bottom, nxt.bottom),
        )  # fmt: skip
        prev = nxt
        joined = True
    return value, joined


def _page_width(lay: _Layout) -> float:
    if lay.page.width > 0:
        return lay.page.width
    return max((t.x1 for line in lay.lines for t in line.toks), default=1.0)


def _pieces_after(line: _Line, pos: int) -> list[_Tok]:
    """The white-space separated pieces of a line from ``pos`` on."""
    if pos >= len(line.key):
        return []
    i, off = line.locate(pos)
    first = line.toks[i]
    out = _pieces(first.sub(off, len(first.text)))
    for tok in line.toks[i + 1 :]:
        out.extend(_pieces(tok))
    return out


def _union(toks: list[_Tok]) -> BBox:
    return (min(t.x0 for t in toks), min(t.top for t in toks), max(t.x1 for t in toks), max(t.bottom for t in toks))


def _squashed(tok: _Tok) -> str:
    return "".join(tok.key.split())


# ----------------------------------------------------------------------------------------------------------
# Fields


def _read_title(lay: _Layout, toks: list[_Tok]) -> None:
    """The tallest run near the top that says 发票, cut before any label it runs into (``… 发票号码：``)."""
    limit = lay.page.height * 0.3 if lay.page.height > 0 else float("inf")
    best: _Tok | None = None
    for t in toks:
        if t.top > limit or "发票" not in t.key:
            continue
        m = _LABEL_RE.search(t.key)
        title = t.sub(0, m.start()) if m else t
        if "发票" in title.key and len(_squashed(title)) >= 4 and (best is None or t.h > best.h):
            best = title
    if best is not None:
        best = _title_row(best, toks)
        lay.add("title", _Value(best.text.strip(), best.bbox, 0.9))


def _title_row(best: _Tok, toks: list[_Tok]) -> _Tok:
    """The title with the runs that continue it on its row: OCR often cuts ``电子发票`` | ``（增值税专用发票）``
    or ``上海增值税电子`` | ``普通发票``, their boxes a little apart or overlapping. A neighbour joins when it is as
    tall, at most an em and a half away (or overlapping by up to half an em), and holds no label and no digit."""
    bh = best.h
    row = [
        t for t in toks
        if t is not best and min(t.bottom, best.bottom) - max(t.top, best.top) >= 0.6 * bh and t.h >= 0.6 * bh
        and not _LABEL_RE.search(t.key) and not re.search(r"\d", t.key)
    ]  # fmt: skip
    joined = [best]
    grown = True
    while grown:
        grown = False
        for t in row:
            if t in joined:
                continue
            if -0.5 * best.h <= t.x0 - joined[-1].x1 <= 1.5 * best.h and t.x1 > joined[-1].x1:
                joined.append(t)
                grown = True
            elif -0.5 * best.h <= joined[0].x0 - t.x1 <= 1.5 * best.h and t.x0 < joined[0].x0:
                joined.insert(0, t)
                grown = True
    if len(joined) == 1:
        return best
    text = "".join(t.text.strip() for t in joined)
    box = _union(joined)
    return _Tok(text, text.translate(_FOLD), box[0], box[1], box[2], box[3])


def _read_header_fields(lay: _Layout) -> None:
    for kind, name in _HEADER_FIELDS.items():
        for lab in lay.labels:
            if lab.kind == kind:
                value = _value_after(lay, lab, kind)
                if value is not None:
                    lay.add(name, value)
                    break


def _block_score(box: _Tok, block: _Block) -> float | None:
    """How well a label sits in a block: the block label is left of its fields; nearer is better."""
    if box.x0 < block.x0 - 2 * box.h:
        return None
    cy = (box.top + box.bottom) / 2
    dy = 0.0 if block.top <= cy <= block.bottom else min(abs(cy - block.top), abs(cy - block.bottom))
    return dy + max(0.0, box.x0 - block.x1)


def _party_of(lab: _Label, blocks: list[_Block]) -> tuple[str, float] | None:
    best: tuple[str, float] | None = None
    for block in blocks:
        score = _block_score(lab.box, block)
        if score is not None and (best is None or score < best[1]):
            best = (block.kind, score)
    return best


def _read_parties(lay: _Layout) -> None:
    """名称 / 纳税人识别号 values, each given to the buyer or the seller by the block label it sits in."""
    labels = [lab for lab in lay.labels if lab.kind in ("name", "tax_id")]
    blocks = [b for b in lay.blocks if b.kind in ("buyer", "seller")]
    ranked: list[tuple[float, str, _Label, float]] = []  # score, party, label, confidence
    if {b.kind for b in blocks} == {"buyer", "seller"}:
        for lab in labels:
            found = _party_of(lab, blocks)
            if found is not None:
                ranked.append((found[1], found[0], lab, 1.0))
    else:  # no block labels (OCR lost them): the first in reading order is the buyer
        for kind in ("name", "tax_id"):
            ordered = sorted((lab for lab in labels if lab.kind == kind), key=lambda b: (b.box.top, b.box.x0))
            ranked.extend((0.0, party, lab, GUESSED) for party, lab in zip(("buyer", "seller"), ordered, strict=False))
    done: set[tuple[str, str]] = set()
    for _, party, lab, cap in sorted(ranked, key=lambda r: r[0]):
        if (party, lab.kind) in done:
            continue
        value = _value_after(lay, lab, lab.kind)
        if value is not None:
            done.add((party, lab.kind))
            value.confidence = min(value.confidence, cap)
            lay.add(f"{party}_{lab.kind}", value)


def _money_pieces(pieces: list[_Tok]) -> list[_Tok]:
    return [p for p in pieces if _MONEY.fullmatch(_squashed(p)) or _STARS.fullmatch(_squashed(p))]


def _read_totals(lay: _Layout) -> None:
    """合计 row → amount and tax (left, right); 价税合计（大写）→ words; （小写）→ total."""
    for sub in (lab for lab in lay.labels if lab.kind == "subtotal"):
        money = _money_pieces(_pieces_after(sub.line, sub.end))
        if not money:
            continue
        confidence = SURE if len(money) >= 2 else LIKELY
        names: tuple[str, ...] = ("amount_without_tax", "tax_amount")
        if len(money) == 1 and _under_tax_column(lay, money[0]):
            names = ("tax_amount",)  # the amount was not read (a seal over it): the one figure is the tax
        for name, piece in zip(names, money, strict=False):
            if _MONEY.fullmatch(_squashed(piece)):  # ``***`` (exempt) is no value
                lay.add(name, _Value(piece.text, piece.bbox, confidence))
        break
    words = lay.first("words")
    if words is not None:
        value = _value_after(lay, words)
        if value is not None:
            value.text = _WORDS_PREFIX.sub("", value.text)
            if value.text and not _MONEY.fullmatch(value.text.translate(_FOLD).replace(" ", "")):
                lay.add("total_amount_in_words", value)
    total = lay.first("total")
    value = _value_after(lay, total) if total is not None else None
    if value is not None:
        value.text = _OCR_YEN.sub("¥", value.text.strip())
    if value is not None and _MONEY.fullmatch(value.text.translate(_FOLD).replace(" ", "")):
        lay.add("total_amount", value)
    elif words is not None:  # no （小写） label: the last amount on the 价税合计 row
        trailing = [_trailing_money(p) for p in _pieces_after(words.line, words.end)]
        found = [p for p in trailing if p is not None]
        if found:
            lay.add("total_amount", _Value(found[-1].text, found[-1].bbox, LIKELY))


# OCR reads the yen sign as Y; and a seal's text may run into the total (``某某有限拿￥4123.22``)
_OCR_YEN = re.compile(r"^[Yy](?=-?[\d,]*\d\.\d{2}$)")
_YEN_AMOUNT = re.compile(r"[¥Y]\s*(-?[\d,]*\d\.\d{2})$")


def _trailing_money(piece: _Tok) -> _Tok | None:
    """The piece if it is an amount, else a yen-marked amount that ends it."""
    if _MONEY.fullmatch(_squashed(piece)):
        return piece
    m = _YEN_AMOUNT.search(piece.key)
    return piece.sub(m.start(1), m.end(1)) if m else None


def _under_tax_column(lay: _Layout, piece: _Tok) -> bool:
    """Whether ``piece`` stands nearer the item table's 税额 column than its 金额 column."""
    for line in lay.lines:
        if not (_HEADER_AMOUNT.search(line.key) and _HEADER_NAME.search(line.key)):
            continue
        amount, tax = _HEADER_AMOUNT.search(line.key), _HEADER_TAX.search(line.key)
        if amount is None or tax is None:
            return False
        amount_x = line.span(amount.start(), amount.end()).cx
        tax_x = line.span(tax.start(), tax.end()).cx
        return tax_x > amount_x and abs(piece.cx - tax_x) < abs(piece.cx - amount_x)
    return False


def _read_remarks(lay: _Layout) -> None:
    """The text right of the 备注 block label, between the 价税合计 row and the 开票人 row."""
    block = next((b for b in lay.blocks if b.kind == "remarks"), None)
    if block is None:
        return
    h = block.x1 - block.x0
    words, drawer = lay.first("words"), lay.first("drawer")
    top = words.line.bottom if words is not None and words.line.bottom <= block.top + h else block.top - 3 * h
    bottom = drawer.line.top if drawer is not None and drawer.line.top >= block.bottom - h else block.bottom + 2 * h
    texts: list[str] = []
    boxes: list[_Tok] = []
    for line in lay.lines:
        cy = (line.top + line.bottom) / 2
        if top <= cy <= bottom:
            toks = [t for t in line.toks if t.x0 >= block.x1 - 2]
            if toks:
                texts.append(" ".join(t.text for t in toks))
                boxes.extend(toks)
    if texts:
        lay.add("remarks", _Value("\n".join(texts), _union(boxes), LIKELY))


# ----------------------------------------------------------------------------------------------------------
# Line items


@dataclass(slots=True)
class _Table:
    columns: list[tuple[str, float, float]]  # column, x0, x1 of its header, left to right
    bounds: list[float]  # x of the border between neighbouring columns

    def column_of(self, tok: _Tok) -> str:
        return self.columns[bisect.bisect_right(self.bounds, tok.cx)][0]

    def center(self, column: str) -> float | None:
        return next(((a + b) / 2 for c, a, b in self.columns if c == column), None)


def _read_items(lay: _Layout) -> None:
    header = next((ln for ln in lay.lines if _HEADER_AMOUNT.search(ln.key) and _HEADER_NAME.search(ln.key)), None)
    if header is None:
        return
    table = _table_from_header(header)
    if table is None:
        return
    hy = (header.top + header.bottom) / 2
    ends = [lab.line.top for lab in lay.labels if lab.kind in ("subtotal", "words") and lab.line.top > hy]
    end = min(ends, default=lay.page.height if lay.page.height > 0 else float("inf"))
    body = [ln for ln in lay.lines if ln is not header and hy < (ln.top + ln.bottom) / 2 < end]
    rows: list[dict[str, list[_Tok]]] = []
    pending: dict[str, list[_Tok]] = {}
    for line in body:
        cells = _row_cells(line, table)
        if "amount" in cells:
            for col, toks in pending.items():
                cells[col] = toks + cells.get(col, [])
            pending = {}
            rows.append(cells)
        else:
            target = rows[-1] if rows else pending
            for col in ("name", "spec", "unit"):
                if col in cells:
                    target.setdefault(col, []).extend(cells[col])
    lay.out.items = [_line_item(cells) for cells in rows]
    if rows:
        toks = [t for cells in rows for ts in cells.values() for t in ts]
        lay.out.items_provenance = Provenance(
            source=lay.source, page=lay.page.number, bbox=_union(toks), confidence=0.9
        )


def _table_from_header(header: _Line) -> _Table | None:
    columns: list[tuple[str, float, float]] = []
    for m in _COLUMN_RE.finditer(header.key):
        box = header.span(m.start(), m.end())
        columns.append((_COLUMN_KIND[m.lastgroup or ""], box.x0, box.x1))
    columns.sort(key=lambda c: c[1])
    if len(columns) < 3 or not any(c[0] == "amount" for c in columns):
        return None
    bounds = [(a[2] + b[1]) / 2 for a, b in itertools.pairwise(columns)]
    return _Table(columns, bounds)


def _row_cells(line: _Line, table: _Table) -> dict[str, list[_Tok]]:
    pieces = [p for t in line.toks for p in _pieces(t)]
    pieces.sort(key=lambda p: p.x0)
    assign = [table.column_of(p) for p in pieces]
    _fix_numbers([_squashed(p) for p in pieces], pieces, assign, table)
    cells: dict[str, list[_Tok]] = {}
    for piece, col in zip(pieces, assign, strict=True):
        cells.setdefault(col, []).append(piece)
    return cells


def _rate_index(keys: list[str], pieces: list[_Tok], assign: list[str], table: _Table) -> int | None:
    rates = [i for i, k in enumerate(keys) if _RATE.fullmatch(k)]
    if rates:
        cx = table.center("tax_rate")
        return rates[-1] if cx is None else min(rates, key=lambda i: abs(pieces[i].cx - cx))
    stars = [i for i, k in enumerate(keys) if _STARS.fullmatch(k)]
    if len(stars) >= 2:
        return stars[-2]  # rate *** then tax ***
    if stars and (assign[stars[0]] == "tax_rate" or any(_MONEY.fullmatch(k) for k in keys[stars[0] + 1 :])):
        return stars[0]
    return None


def _fix_numbers(keys: list[str], pieces: list[_Tok], assign: list[str], table: _Table) -> None:
    """Amount, rate and tax by their order around the rate; quantity and unit price are the numbers before."""
    r = _rate_index(keys, pieces, assign, table)
    if r is None:
        return
    assign[r] = "tax_rate"
    right = [i for i in range(r + 1, len(keys)) if _MONEY.fullmatch(keys[i]) or _STARS.fullmatch(keys[i])]
    if right:
        assign[right[0]] = "tax_amount"
    left = [i for i in range(r) if _MONEY.fullmatch(keys[i])]
    if not left:
        return
    assign[left[-1]] = "amount"
    numbers = [i for i in left[:-1] if assign[i] in _NUMERIC_COLUMNS]
    if len(numbers) >= 2:
        assign[numbers[-1]], assign[numbers[-2]] = "unit_price", "quantity"
    elif numbers and assign[numbers[0]] not in ("quantity", "unit_price"):
        assign[numbers[0]] = "unit_price"


def _text(cells: dict[str, list[_Tok]], col: str) -> str | None:
    toks = cells.get(col)
    if not toks:
        return None
    return "".join(t.text for t in toks) if col == "name" else " ".join(t.text for t in toks)


def _number(text: str | None, money: bool) -> Decimal | None:
    try:
        return parse_money(text) if money else parse_decimal(text)
    except NormalizeError:
        return None


def _line_item(cells: dict[str, list[_Tok]]) -> LineItem:
    rate = _text(cells, "tax_rate")
    return LineItem(
        name=_text(cells, "name"),
        spec=_text(cells, "spec"),
        unit=_text(cells, "unit"),
        quantity=_number(_text(cells, "quantity"), money=False),
        unit_price=_number(_text(cells, "unit_price"), money=False),
        amount=_number(_text(cells, "amount"), money=True),
        tax_rate=format_rate(rate) if rate else None,
        tax_amount=_number(_text(cells, "tax_amount"), money=True),
    )
