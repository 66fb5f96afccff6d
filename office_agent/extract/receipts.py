"""Foreign receipts and invoices (English first): seller name and address, date, total, tax and currency.

Read from text lines, top to bottom, the way a receipt is printed: the seller's name stands above its address
(a person's name or a slogan may stand above that), registration and phone lines follow, then the date, the
items and the totals. Emitted as candidates ``seller_name``, ``seller_address``, ``issue_date`` (ISO, day
first when ambiguous, as printed outside North America), ``total_amount``, ``tax_amount`` and ``currency``.
Measured on the SROIE receipts by ``benchmarks/bench_ocr.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import numpy as np

from office_agent.extract import receiptfields as rf
from office_agent.extract.ocrwords import POSTCODE, repair_address, repair_name, repair_postcode
from office_agent.extract.receiptlines import shipped_model
from office_agent.extract.textlines import TextLine, provenance, text_lines
from office_agent.models import Extraction, Page, Source, Word

_CJK = re.compile(r"[\u4e00-\u9fff]")
_AMOUNT = re.compile(r"(?<![\d.])-?\d{1,3}(?:[,\s]\d{3})*\.\d{2}(?!\d)|(?<![\d.])-?\d+\.\d{2}(?!\d)")
_TOTAL_WORDS = tuple((re.compile(words), rank) for words, rank in (
    ("ROUNDED TOTAL", 9), ("TOTAL ROUNDED", 9), ("GRAND TOTAL", 8), ("NETT TOTAL", 8), ("NET TOTAL", 8),
    ("TOTAL AMOUNT", 7), ("TOTAL AMT", 7), ("TOTAL SALES", 6), ("TOTAL INCL", 7), ("AMOUNT DUE", 6),
    ("AMT DUE", 6), ("TOTAL PAYABLE", 8), ("BALANCE DUE", 5), ("TOTAL", 5),
    (r"(?<![A-Z])TL(?![A-Z])", 4),  # ``TL:RM 28.60``
))  # fmt: skip
_NOT_TOTAL = re.compile(
    r"SUB\s*-?\s*TOTAL|TOTAL\s*(QTY|QUANTITY|ITEM|DISC|GST|TAX|SAVING|EXCL|EXC\b)|ITEM\s*COUNT", re.I
)
_TAX = re.compile(r"\b(GST|SST|VAT|TAX)\b", re.I)
_COMPANY = re.compile(
    r"\b(SDN\.?\s*BHD|BHD|S/B|ENTERPRISE|TRADING|HOLDINGS|RESTAURANT|RESTORAN|STORE|MART|MARKET|LTD|LIMITED|"
    r"INC|LLC|GMBH|CO\.|COMPANY|CORP|PLC|PTE|BAKERY|CAFE|HARDWARE|STATIONERY|PHARMACY|FOOD|KEDAI)\b",
    re.I,
)
_ADDRESS = re.compile(
    r"\b(NO\.?\s*\d|LOT\b|JALAN|JLN|JL\b|TAMAN|STREET|ST\.|ROAD|RD\.?|AVENUE|AVE|LORONG|BLOCK|BLK|FLOOR|"
    r"\d{5}\b|SUITE|PLAZA|BANDAR|KAWASAN|PERSIARAN|LEVEL\s*\d|BANGUNAN|WISMA|MENARA|KOMPLEKS|UNIT\s+[A-Z]?-?\d)",
    re.I,
)
_STOP = re.compile(
    r"\b(TEL|FAX|PHONE|GST|REG|INVOICE|RECEIPT|DATE|CASHIER|TAX|EMAIL|WWW|HTTP|DOC|DOCUMENT|BILL|ORDER|TABLE|"
    r"CHECK|GUEST|SERVER)\b|TAX\s*INVOICE|GST\s*(?:ID|NO|REG)|@",
    re.I,
)
# A registration number on its own (``(867388-U)``, ``JM0352019-K``: a digit in it, so ``JOHOR`` is none)
_REG = re.compile(r"^\(?(?=[\dA-Z\-]*\d)[\dA-Z\-]{5,}\)?$|CO\.?\s*REG|COMPANY\s*NO|\(\d{4,}-?[A-Z]?\)", re.I)
# A line that only says what kind of place it is (``BISTRO & CAFE``): a description printed under the name
_TRADE = r"(?:CAFE|CAF[ÉE]|BISTRO|RESTAURANT|RESTORAN|BAKERY|BAR|KITCHEN|COFFEE|FOOD|PUB|GRILL|DELI|LOUNGE)"
_TRADES_ONLY = re.compile(rf"^{_TRADE}(?:\s*(?:&|AND|,)\s*{_TRADE})+\W*$", re.I)
_SUFFIX_ONLY = re.compile(r"^(?:SDN\.?\s*BHD\.?|BHD\.?|S/B|LTD\.?|LIMITED|INC\.?|LLC|PTE\.?\s*LTD\.?)$", re.I)
_REG_IN_BRACKETS = re.compile(r"\((?:CO\.?\s*REG[^)]*|\s*[\dA-Z]{0,3}\d{4,}\s*-?\s*[A-Z]?\s*)\)", re.I)
_POSTCODE_TOWN = re.compile(r"^\d{5}\s*[A-Z]{2,}", re.I)  # ``57000KL``: no registration number
# A street line (the address printed where a name would be, on a receipt that prints no name)
_STREET = re.compile(r"\b(?:JALAN|JLN|JL|LORONG|LRG|PERSIARAN|LEBUH)\b|\bLOT\s*\d|^\s*NO\.?\s*\d", re.I)
_LEGAL_SUFFIX = re.compile(r"(?:SDN\.?\s*BHD|BHD|S/B|LTD|LIMITED|INC|LLC|ENTERPRISE|TRADING)\W*$", re.I)
_PHONE = re.compile(r"\b0\d{1,2}\s*-\s*\d{3,4}\s*\d{3,4}\b|\d{9,}")
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                                       "DEC"), 1)}  # fmt: skip
_DATES = (
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),  # ISO
    # day first; the year may run into the time (``18/01/201810:27:03``)
    re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}(?=\d{1,2}:\d{2})|\d{4}(?!\d)|\d{2}(?!\d))"),
    re.compile(r"(?<!\d)(\d{1,2})[\s\-]*([A-Z]{3})[A-Z]*[\s\-,]*(\d{4}|\d{2})(?!\d)", re.I),
    re.compile(r"\b([A-Z]{3})[A-Z]*\.?\s+(\d{1,2})\s*,?\s*(\d{4})\b", re.I),
)
_CURRENCIES = (
    (re.compile(r"\bRM\b|\bMYR\b"), "MYR"), (re.compile(r"S\$|\bSGD\b"), "SGD"), (re.compile(r"HK\$|\bHKD\b"), "HKD"),
    (re.compile(r"US\$|\bUSD\b"), "USD"), (re.compile(r"€|\bEUR\b"), "EUR"), (re.compile(r"£|\bGBP\b"), "GBP"),
    (re.compile(r"₹|\bINR\b|\bRs\.?\b"), "INR"), (re.compile(r"\bJPY\b|円"), "JPY"), (re.compile(r"\$"), "USD"),
)  # fmt: skip


def is_receipt_page(lines: list[TextLine]) -> bool:
    text = " ".join(ln.folded for ln in lines)
    if not text.strip() or "发票" in text:
        return False
    cjk = len(_CJK.findall(text)) / max(len(text.replace(" ", "")), 1)
    keywords = r"TOTAL|AMOUNT|BALANCE|DUE|SUMME|CASH|CHANGE|RECEIPT|INVOICE|BILL|\bGST\b|\bTAX\b|\bRM\s*\d|\$\s*\d"
    return cjk < 0.1 and bool(re.search(keywords, text, re.I))


def extract_receipt(page: Page, source: Source) -> Extraction | None:
    lines = text_lines(page)
    if not is_receipt_page(lines):
        return None
    out = Extraction(page=page.number)
    probs = shipped_model().probabilities(lines)
    if LEARNED_SELLER:
        _learned_seller(page, source, lines, probs, out)
    else:
        _seller(page, source, lines, out)
    date = _learned_date(lines, probs) if LEARNED_DATE else _date(lines)
    if date:
        value, ln = date
        out.add("issue_date", value, provenance(page, source, ln.words, 0.85))
    _registrations(page, source, lines, out)
    total = _total_paid(lines)
    if total:
        value, ln = total
        out.add("total_amount", value, provenance(page, source, ln.words, 0.85))
    tax = _tax(lines)
    if tax:
        value, ln = tax
        out.add("tax_amount", value, provenance(page, source, ln.words, 0.7))
    number = _invoice_number(lines)
    if number:
        value, ln = number
        prov = provenance(page, source, ln.words, 0.8).model_copy(update={"detail": "foreign"})
        out.add("invoice_number", value, prov)
    currency = _currency(lines)
    if currency:
        out.add("currency", currency, provenance(page, source, [], 0.7))
    return out


LEARNED_SELLER = True
LEARNED_DATE = True


def _learned_seller(page: Page, source: Source, lines: list[TextLine], probs: np.ndarray, out: Extraction) -> None:
    """The seller's name and address from the lines the classifier picked (an invoice's ``Sold By`` label first)."""
    labelled = _labelled_seller(page)
    if labelled is not None:
        out.add("seller_name", labelled[0], provenance(page, source, labelled[1], 0.8))
    first = rf.pick_company(probs)
    company = _trim_name(lines, first)
    if company is None and first is not None:  # only a receipt label was picked: the next best name
        rest = probs.copy()
        rest[list(first.lines), rf.CLASSES.index("company")] = 0.0
        company = _trim_name(lines, rf.pick_company(rest))
    if company is not None and labelled is None:
        words = [w for i in company.lines for w in lines[i].words]
        name = repair_name(rf.name_text(lines, company))
        if name:
            out.add("seller_name", name, provenance(page, source, words, min(0.9, company.score)))
    address = rf.pick_address(probs, after=company.lines[-1] if company is not None else -1)
    if address is not None:
        address = rf.with_branch(lines, address)
        words = [w for i in address.lines for w in lines[i].words]
        text = repair_address(rf.address_text(lines, address))
        out.add("seller_address", text, provenance(page, source, words, min(0.85, address.score)))


def _trim_name(lines: list[TextLine], pick: rf.Pick | None) -> rf.Pick | None:
    """A name ends at its legal suffix (``KEDAI ABC SDN BHD`` takes no branch line below it), a line that only
    says what kind of place it is (``BISTRO & CAFE``) below a name is no part of it, and neither is a receipt label
    above it (``TAX INVOICE``). None where nothing is left."""
    if pick is None:
        return None
    kept: list[int] = []
    for i in pick.lines:
        text = _clean(lines[i].folded)
        if not kept and _STOP.search(text) and not _COMPANY.search(text):
            continue  # ``TAX INVOICE`` above the name
        if kept and _TRADES_ONLY.match(text):
            break
        kept.append(i)
        if _LEGAL_SUFFIX.search(text):
            break
    return rf.Pick(tuple(kept), pick.score) if kept else None


_ISSUED = re.compile(r"(INVOICE|BILL|ISSUE|ORDER)\s*DATE|DATE\s*OF\s*(ISSUE|INVOICE)", re.I)


def _learned_date(lines: list[TextLine], probs: np.ndarray) -> tuple[str, TextLine] | None:
    """The date on the line the classifier scores likeliest to be the date line, among those that hold one."""
    found = {i: value for i, ln in enumerate(lines) if (value := _date_in(ln.folded))}
    if not found:
        return None
    issued = [i for i in found if _ISSUED.search(lines[i].folded)]  # an invoice that says which date is its own
    best = rf.ranked(probs, "date", issued or list(found))[0]
    return found[best], lines[best]


def _registrations(page: Page, source: Source, lines: list[TextLine], out: Extraction) -> None:
    """The seller's phone, company registration number and GST / SST registration number."""
    for field, reader in (("seller_phone", rf.phone), ("seller_registration", rf.company_registration),
                          ("seller_tax_registration", rf.tax_registration)):  # fmt: skip
        found = reader(lines)
        if found is not None:
            out.add(field, found[0], provenance(page, source, found[1].words, 0.7))


def _clean(text: str) -> str:
    """A line without registration numbers in brackets (``(867388-U)``, ``(CO.REG :933109-X)``)."""
    text = _REG_IN_BRACKETS.sub(" ", text).replace("·", " ")
    return re.sub(r"\s+", " ", text).strip()


_SELLER_LABEL = re.compile(
    r"^\s*(?:SOLD\s*BY|SERVICE\s*PROVIDER|SELLER|VENDOR|SUPPLIER|BILL(?:ED)?\s*FROM)\b\s*[:：]?\s*", re.I
)


def _labelled_seller(page: Page) -> tuple[str, list[Word]] | None:
    """An invoice that names its seller: ``Sold By : WS Retail Services Pvt. Ltd.`` in one run, or a
    ``Service Provider:`` run with the name in a run below it in the same column (a remark in brackets skipped).
    (name, its words)"""
    for w in page.words:
        m = _SELLER_LABEL.match(unicodedata.normalize("NFKC", w.text))
        if m is None:
            continue
        rest = _clean(unicodedata.normalize("NFKC", w.text)[m.end() :]).strip(" ,;")
        found: Word | None = w if rest and not rest.startswith("(") else None
        if found is None:
            below = sorted((v for v in page.words if v.bbox[1] > w.bbox[1] and abs(v.bbox[0] - w.bbox[0]) < 20),
                           key=lambda v: v.bbox[1])  # fmt: skip
            for v in below[:3]:
                t = _clean(unicodedata.normalize("NFKC", v.text)).strip(" ,;")
                if t and not (t.startswith("(") and t.endswith(")")):
                    found, rest = v, t
                    break
        if found is not None:
            return rest, [found]
    return None


def _addressy(text: str) -> bool:
    """An address word in ``text``, as printed or once OCR's look-alike glyphs are repaired (``Jaian``)."""
    return bool(_ADDRESS.search(text) or _ADDRESS.search(repair_address(text)))


def _registration(text: str) -> bool:
    return bool(_REG.search(text)) and not _POSTCODE_TOWN.match(text)


def _plain_name(text: str) -> bool:
    """Letters only (``THREE STOOGES``): no registration number, address, phone or receipt label."""
    return bool(re.fullmatch(r"[A-Za-z&'.\- ]{3,}", text)) and not (_addressy(text) or _STOP.search(text))


def _name_line(head: list[TextLine]) -> tuple[int | None, bool]:
    """The line of the seller's name, and whether a company word (``SDN BHD``, ``RESTAURANT``) marks it."""
    by_word = next((i for i, ln in enumerate(head[:6]) if _COMPANY.search(ln.folded)), None)
    if by_word is not None:
        if (
            by_word
            and _TRADES_ONLY.match(_clean(head[by_word].folded))
            and _plain_name(_clean(head[by_word - 1].folded))
        ):
            return by_word - 1, True  # ``THREE STOOGES`` above ``BISTRO & CAFE``: what it is, under who it is
        return by_word, True
    first_address = next((i for i, ln in enumerate(head) if i and _addressy(ln.folded)), None)
    if first_address is not None:
        above = next((i for i in range(first_address - 1, -1, -1) if not _registration(head[i].folded.strip())), None)
        if above is not None:
            return above, False
    return (0, False) if head else (None, False)


def _name(head: list[TextLine], i: int) -> tuple[str, list[TextLine]]:
    """The seller's name on line ``i``, with a wrapped ``Sdn Bhd`` line below a name or the second line of a
    name that its registration number follows (``RESTAURANT JIAWEI`` / ``JIAWEI HOUSE`` / ``002693074-K``)."""
    text = _clean(head[i].folded)
    if _SUFFIX_ONLY.match(text) and i > 0:  # ``Nando's Chickenland Malaysia`` | ``Sdn Bhd``
        return f"{_clean(head[i - 1].folded)} {text}", [head[i - 1], head[i]]
    if i + 2 < len(head) and not _LEGAL_SUFFIX.search(text):
        nxt = _clean(head[i + 1].folded)
        name_like = bool(re.fullmatch(r"[A-Za-z&'.\- ]{3,}", nxt)) and not (_ADDRESS.search(nxt) or _STOP.search(nxt))
        if name_like and _registration(_clean(head[i + 2].folded)):
            return f"{text} {nxt}", [head[i], head[i + 1]]
    return text, [head[i]]


def _seller(page: Page, source: Source, lines: list[TextLine], out: Extraction) -> None:
    labelled = _labelled_seller(page)
    if labelled is not None:
        out.add("seller_name", labelled[0], provenance(page, source, labelled[1], 0.8))
        return
    head = lines[:12]
    name_idx, by_word = _name_line(head)
    if name_idx is None:
        return
    if not by_word and _STREET.search(head[name_idx].folded):
        _address(page, source, lines, name_idx - 1, out)  # no name printed: the address is at the top
        return
    text, name_lines = _name(head, name_idx)
    words = [w for ln in name_lines for w in ln.words]
    out.add("seller_name", repair_name(text), provenance(page, source, words, 0.8))
    _address(page, source, lines, name_idx, out)


_NOT_BRANCH = re.compile(r"\d{1,2}[:.]\d{2}|\b(?:OPEN|HOURS?|DAILY|WELCOME|THANK)", re.I)


def _closes_address(text: str) -> bool:
    """A phone, registration, date or label line: what follows an address."""
    return bool(_STOP.search(text) or _PHONE.search(text) or _date_in(text) or _registration(text))


def _ends_before(text: str, nxt: str | None) -> bool:
    """Whether an address that has reached its postcode ends before line ``text``: after the postcode only a state
    or country, a branch in brackets, or a branch line that the phone or registration lines follow
    (``1245-DESA SRI HARTAMAS``; not opening hours or a greeting)."""
    if not (re.search(r"\d", text) or (len(text.split()) > 3 and not text.startswith("("))):
        return False
    branch = len(re.findall(r"[A-Za-z]{3,}", text)) >= 2 and not (_AMOUNT.search(text) or _NOT_BRANCH.search(text))
    return not (branch and nxt is not None and _closes_address(nxt))


def _address(page: Page, source: Source, lines: list[TextLine], name_idx: int, out: Extraction) -> None:
    """The address lines below the seller's name, up to the phone, registration or date lines."""
    address: list[TextLine] = []
    window = lines[name_idx + 1 : name_idx + 9]
    for k, ln in enumerate(window):
        t = _clean(ln.folded)
        if not t or _registration(t):
            continue
        if _closes_address(t):  # (a registration line was passed over above)
            if address:
                break
            continue
        if not address and not (_addressy(t) or re.match(r"^\d", t)):
            continue  # a second name line or a slogan before the address
        after_postcode = bool(address) and bool(POSTCODE.search(repair_postcode(_clean(address[-1].folded))))
        nxt = _clean(window[k + 1].folded) if k + 1 < len(window) else None
        if after_postcode and _ends_before(t, nxt):
            break
        address.append(ln)
        if after_postcode and t.startswith("(") and t.endswith(")"):
            break  # a branch name in brackets closes the address: ``(MR DIY TESCO TERBAU)``
    if address:
        text = repair_address(" ".join(_clean(ln.folded) for ln in address))
        words = [w for ln in address for w in ln.words]
        out.add("seller_address", text, provenance(page, source, words, 0.75))


def _date_in(text: str) -> str | None:
    for i, pattern in enumerate(_DATES):
        m = pattern.search(text)
        if not m:
            continue
        try:
            if i == 0:
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            elif i == 1:
                d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
                if mo > 12 >= d:
                    d, mo = mo, d  # month first (North America)
            elif i == 2:
                d, mo, y = int(m.group(1)), _MONTHS[m.group(2).upper()[:3]], int(m.group(3))
            else:
                mo, d, y = _MONTHS[m.group(1).upper()[:3]], int(m.group(2)), int(m.group(3))
            y = y + 2000 if y < 100 else y
            return dt.date(y, mo, d).isoformat()
        except (KeyError, ValueError):
            continue
    return None


def _date(lines: list[TextLine]) -> tuple[str, TextLine] | None:
    found = [(value, ln) for ln in lines if (value := _date_in(ln.folded))]
    if not found:
        return None
    labelled = [f for f in found if re.search(r"DATE|TARIKH", f[1].folded, re.I)]
    issued = [f for f in labelled if re.search(r"(INVOICE|BILL|ISSUE)\s*DATE|DATE\s*OF\s*ISSUE", f[1].folded, re.I)]
    return (issued or labelled or found)[0]


_WHOLE_AMOUNT = re.compile(r"(?:\bRS\.?|\bRM|\bINR|\bUSD|\$|₹|€|£)\s*(\d{1,3}(?:,\d{3})+|\d+)(?![\d.,])", re.I)


def _amount_after(lines: list[TextLine], i: int, start: int) -> str | None:
    """The last amount on line ``i`` right of character ``start``, else the first on the next line."""
    rest = lines[i].folded[start:]
    amounts = _AMOUNT.findall(rest)
    if amounts:  # the first: columns of the next printed line may have been merged onto this one
        return amounts[0].replace(",", "").replace(" ", "")
    whole = _WHOLE_AMOUNT.search(rest)
    if whole:  # ``Grand Total Rs 1939``: a whole amount, marked by its currency
        return f"{whole.group(1).replace(',', '')}.00"
    if i + 1 < len(lines) and not re.search(r"[A-Z]{3,}", lines[i + 1].folded.replace("RM", "")):
        nxt = _AMOUNT.findall(lines[i + 1].folded)
        if nxt:
            return nxt[0].replace(",", "").replace(" ", "")
    return None


_SUMMARY = re.compile(r"(GST|TAX|VAT)\s*SUMMARY|TAX\s*CODE", re.I)


def _total(lines: list[TextLine]) -> tuple[str, TextLine] | None:
    """The best-ranked total line (the last of equal rank), before a GST summary table if there is one: its
    ``Total: 106.10 6.37`` row sums the tax base, not what was paid."""
    cut = next((i for i, ln in enumerate(lines) if _SUMMARY.search(ln.folded)), len(lines))
    return _best_total(lines, cut) or (_best_total(lines, len(lines)) if cut < len(lines) else None)


def _best_total(lines: list[TextLine], cut: int) -> tuple[str, TextLine] | None:
    best: tuple[int, int, str, TextLine] | None = None
    for i, ln in enumerate(lines[:cut]):
        t = ln.folded.upper()
        if _NOT_TOTAL.search(t) and not re.search(r"ROUND|GRAND|NET", t):
            continue
        for words, rank in _TOTAL_WORDS:
            m = words.search(t)
            if m is None:
                continue
            value = _amount_after(lines, i, m.end())
            if value is not None and (best is None or (rank, i) >= (best[0], best[1])):
                best = (rank, i, value, ln)
            break
    if best is None:
        return None
    rank, i, value, ln = best
    # A rounding adjustment after the total: the amount paid is the rounded one, on the lines below it.
    for j in range(i + 1, min(i + 4, len(lines))):
        if re.search(r"ROUND", lines[j].folded, re.I):
            for k in range(j + 1, min(j + 3, len(lines))):
                if re.search(r"CASH|CHANGE|TENDER|PAID|CARD", lines[k].folded, re.I):
                    break
                amounts = _AMOUNT.findall(lines[k].folded)
                if amounts:
                    return amounts[-1].replace(",", ""), lines[k]
    return value, ln


_CASH = re.compile(r"\bCASH\b", re.I)
_CHANGE = re.compile(r"\bCHANGE\b", re.I)


def _paid(lines: list[TextLine]) -> tuple[str, TextLine] | None:
    """What the customer paid: the cash tendered (the last cash line with an amount) less the change, or the cash
    alone where no change line is printed. None where a change line is printed but its amount cannot be read."""
    cash: tuple[str, TextLine] | None = None
    change: tuple[str | None, TextLine] | None = None
    for i, ln in enumerate(lines):
        m = _CHANGE.search(ln.folded)
        if m is not None:
            change = change or (_amount_after(lines, i, m.end()), ln)
        elif (m := _CASH.search(ln.folded)) is not None and (value := _amount_after(lines, i, m.end())):
            cash = (value, ln)
    if cash is None or (change is not None and change[0] is None):
        return None
    paid = Decimal(cash[0]) - Decimal(change[0] if change is not None and change[0] else "0")
    return (f"{paid:.2f}", cash[1]) if paid > 0 else None


def _total_paid(lines: list[TextLine]) -> tuple[str, TextLine] | None:
    """The total; where none is printed (or read), what was paid; where a rounding line is printed and the cash
    paid differs from the total read by less than the 0.05 rounding step, the amount paid."""
    total, paid = _total(lines), _paid(lines)
    if total is None:
        return paid
    rounded = any(re.search(r"ROUND", ln.folded, re.I) for ln in lines)
    if rounded and paid is not None and 0 < abs(Decimal(paid[0]) - Decimal(total[0])) < Decimal("0.05"):
        return paid
    return total


_INVOICE_NO = re.compile(
    r"\b(?:INVOICE|BILL|RECEIPT)\s*(?:NO\b\.?|NUMBER|NUM\b\.?|#)\s*[:.]?\s*#?\s*([A-Z0-9][A-Z0-9_\-/]{3,})", re.I
)


def _invoice_number(lines: list[TextLine]) -> tuple[str, TextLine] | None:
    """The value after ``Invoice No`` / ``Invoice Number`` / ``Receipt #`` (on its line, or alone on the next)."""
    for i, ln in enumerate(lines):
        m = _INVOICE_NO.search(ln.folded)
        if m and re.search(r"\d", m.group(1)):
            return m.group(1), ln
        if m is None and re.search(r"\b(?:INVOICE|BILL|RECEIPT)\s*(?:NO\b\.?|NUMBER|#)\s*[:.]?\s*$", ln.folded, re.I):
            nxt = lines[i + 1].folded.strip() if i + 1 < len(lines) else ""
            if re.fullmatch(r"#?\s*[A-Z0-9][A-Z0-9_\-/]{3,}", nxt, re.I) and re.search(r"\d", nxt):
                return nxt.lstrip("# "), lines[i + 1]
    return None


def _tax(lines: list[TextLine]) -> tuple[str, TextLine] | None:
    for i, ln in enumerate(lines):
        t = ln.folded
        m = _TAX.search(t)
        if m and not re.search(r"\bID\b|REG|NO\.?\s*:", t, re.I) and re.search(r"TOTAL|AMOUNT|\d+\s*%|TAX", t, re.I):
            value = _amount_after(lines, i, m.end())
            if value is not None:
                return value, ln
    return None


def _currency(lines: list[TextLine]) -> str | None:
    text = " ".join(ln.folded for ln in lines)
    for pattern, code in _CURRENCIES:
        if pattern.search(text):
            return code
    return None
