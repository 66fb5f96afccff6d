"""Header fields from their labels: title, number/date/codes, the buyer and seller blocks, totals, remarks."""

from __future__ import annotations

import re

from office_agent.extract.layout.core import (
    FOLD,
    GUESSED,
    HEADER_AMOUNT,
    HEADER_FIELDS,
    HEADER_NAME,
    HEADER_TAX,
    LABEL_RE,
    LIKELY,
    MONEY,
    STARS,
    SURE,
    WORDS_PREFIX,
    Block,
    Label,
    Layout,
    Tok,
    Value,
    pieces_after,
    squashed_key,
    union_box,
    value_after,
)

# ----------------------------------------------------------------------------------------------------------
# Fields


def read_title(lay: Layout, toks: list[Tok]) -> None:
    """The tallest run near the top that says 发票, cut before any label it runs into (``… 发票号码：``)."""
    limit = lay.page.height * 0.3 if lay.page.height > 0 else float("inf")
    best: Tok | None = None
    for t in toks:
        if t.top > limit or "发票" not in t.key:
            continue
        m = LABEL_RE.search(t.key)
        title = t.sub(0, m.start()) if m else t
        if "发票" in title.key and len(squashed_key(title)) >= 4 and (best is None or t.h > best.h):
            best = title
    if best is not None:
        best = _title_row(best, toks)
        lay.add("title", Value(best.text.strip(), best.bbox, 0.9))


def _title_row(best: Tok, toks: list[Tok]) -> Tok:
    """The title with the runs that continue it on its row: OCR often cuts ``电子发票`` | ``（增值税专用发票）``
    or ``上海增值税电子`` | ``普通发票``, their boxes a little apart or overlapping. A neighbour joins when it is as
    tall, at most an em and a half away (or overlapping by up to an em: PaddleOCR's box of ``（`` reaches back
    over the run before it), and holds no label and no digit."""
    bh = best.h
    row = [
        t for t in toks
        if t is not best and min(t.bottom, best.bottom) - max(t.top, best.top) >= 0.6 * bh and t.h >= 0.6 * bh
        and not LABEL_RE.search(t.key) and not re.search(r"\d", t.key)
    ]  # fmt: skip
    joined = [best]
    grown = True
    while grown:
        grown = False
        for t in row:
            if t in joined:
                continue
            if -best.h <= t.x0 - joined[-1].x1 <= 1.5 * best.h and t.x1 > joined[-1].x1:
                joined.append(t)
                grown = True
            elif -best.h <= joined[0].x0 - t.x1 <= 1.5 * best.h and t.x0 < joined[0].x0:
                joined.insert(0, t)
                grown = True
    if len(joined) == 1:
        return best
    text = "".join(t.text.strip() for t in joined)
    box = union_box(joined)
    return Tok(text, text.translate(FOLD), box[0], box[1], box[2], box[3])


def read_header_fields(lay: Layout) -> None:
    for kind, name in HEADER_FIELDS.items():
        for lab in lay.labels:
            if lab.kind == kind:
                value = value_after(lay, lab, kind)
                if value is not None:
                    lay.add(name, value)
                    break


def _block_score(box: Tok, block: Block) -> float | None:
    """How well a label sits in a block: the block label is left of its fields; nearer is better."""
    if box.x0 < block.x0 - 2 * box.h:
        return None
    cy = (box.top + box.bottom) / 2
    dy = 0.0 if block.top <= cy <= block.bottom else min(abs(cy - block.top), abs(cy - block.bottom))
    return dy + max(0.0, box.x0 - block.x1)


def _party_of(lab: Label, blocks: list[Block]) -> tuple[str, float] | None:
    best: tuple[str, float] | None = None
    for block in blocks:
        score = _block_score(lab.box, block)
        if score is not None and (best is None or score < best[1]):
            best = (block.kind, score)
    return best


def read_parties(lay: Layout) -> None:
    """名称 / 纳税人识别号 values, each given to the buyer or the seller by the block label it sits in."""
    labels = [lab for lab in lay.labels if lab.kind in ("name", "tax_id")]
    blocks = [b for b in lay.blocks if b.kind in ("buyer", "seller")]
    ranked: list[tuple[float, str, Label, float]] = []  # score, party, label, confidence
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
        value = value_after(lay, lab, lab.kind)
        if value is not None:
            done.add((party, lab.kind))
            value.confidence = min(value.confidence, cap)
            lay.add(f"{party}_{lab.kind}", value)


def _money_pieces(pieces: list[Tok]) -> list[Tok]:
    return [p for p in pieces if MONEY.fullmatch(squashed_key(p)) or STARS.fullmatch(squashed_key(p))]


def read_totals(lay: Layout) -> None:
    """合计 row → amount and tax (left, right); 价税合计（大写）→ words; （小写）→ total."""
    for sub in (lab for lab in lay.labels if lab.kind == "subtotal"):
        money = _money_pieces(pieces_after(sub.line, sub.end))
        if not money:
            continue
        confidence = SURE if len(money) >= 2 else LIKELY
        names: tuple[str, ...] = ("amount_without_tax", "tax_amount")
        if len(money) == 1 and _under_tax_column(lay, money[0]):
            names = ("tax_amount",)  # the amount was not read (a seal over it): the one figure is the tax
        for name, piece in zip(names, money, strict=False):
            if MONEY.fullmatch(squashed_key(piece)):  # ``***`` (exempt) is no value
                lay.add(name, Value(piece.text, piece.bbox, confidence))
        break
    words = lay.first("words")
    if words is not None:
        value = value_after(lay, words)
        if value is not None:
            value.text = WORDS_PREFIX.sub("", value.text)
            if value.text and not MONEY.fullmatch(value.text.translate(FOLD).replace(" ", "")):
                lay.add("total_amount_in_words", value)
    total = lay.first("total")
    value = value_after(lay, total) if total is not None else None
    if value is not None:
        value.text = _OCR_YEN.sub("¥", value.text.strip())
    if value is not None and MONEY.fullmatch(value.text.translate(FOLD).replace(" ", "")):
        lay.add("total_amount", value)
    elif words is not None:  # no （小写） label: the last amount on the 价税合计 row
        trailing = [_trailing_money(p) for p in pieces_after(words.line, words.end)]
        found = [p for p in trailing if p is not None]
        if found:
            lay.add("total_amount", Value(found[-1].text, found[-1].bbox, LIKELY))


# OCR reads the yen sign as Y (PaddleOCR's PP-OCRv4 as ?); and a seal's text may run into the total
# (``某某有限拿￥4123.22``)
_OCR_YEN = re.compile(r"^[Yy?？](?=-?[\d,]*\d\.\d{2}$)")
_YEN_AMOUNT = re.compile(r"[¥Y]\s*(-?[\d,]*\d\.\d{2})$")


def _trailing_money(piece: Tok) -> Tok | None:
    """The piece if it is an amount, else a yen-marked amount that ends it."""
    if MONEY.fullmatch(squashed_key(piece)):
        return piece
    m = _YEN_AMOUNT.search(piece.key)
    return piece.sub(m.start(1), m.end(1)) if m else None


def _under_tax_column(lay: Layout, piece: Tok) -> bool:
    """Whether ``piece`` stands nearer the item table's 税额 column than its 金额 column."""
    for line in lay.lines:
        if not (HEADER_AMOUNT.search(line.key) and HEADER_NAME.search(line.key)):
            continue
        amount, tax = HEADER_AMOUNT.search(line.key), HEADER_TAX.search(line.key)
        if amount is None or tax is None:
            return False
        amount_x = line.span(amount.start(), amount.end()).cx
        tax_x = line.span(tax.start(), tax.end()).cx
        return tax_x > amount_x and abs(piece.cx - tax_x) < abs(piece.cx - amount_x)
    return False


def read_remarks(lay: Layout) -> None:
    """The text right of the 备注 block label, between the 价税合计 row and the 开票人 row."""
    block = next((b for b in lay.blocks if b.kind == "remarks"), None)
    if block is None:
        return
    h = block.x1 - block.x0
    words, drawer = lay.first("words"), lay.first("drawer")
    top = words.line.bottom if words is not None and words.line.bottom <= block.top + h else block.top - 3 * h
    bottom = drawer.line.top if drawer is not None and drawer.line.top >= block.bottom - h else block.bottom + 2 * h
    texts: list[str] = []
    boxes: list[Tok] = []
    for line in lay.lines:
        cy = (line.top + line.bottom) / 2
        if top <= cy <= bottom:
            toks = [t for t in line.toks if t.x0 >= block.x1 - 2]
            if toks:
                texts.append(" ".join(t.text for t in toks))
                boxes.extend(toks)
    if texts:
        lay.add("remarks", Value("\n".join(texts), union_box(boxes), LIKELY))
