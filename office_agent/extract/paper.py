"""Paper VAT invoices (增值税专用/普通发票, scanned or photographed): what they print without a label.

The invoice code is printed top left (and small, top right, beside the number), the number as ``No 87654321``
(or ``№``) beside the title, and the title itself is often half covered by the red supervision seal, so OCR
reads ``值税专用发票``. The layout extractor reads every labelled field; this adds the three unlabelled ones.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from office_agent.extract.textlines import provenance, text_lines
from office_agent.models import Extraction, Page, Source

TOP_SHARE = 0.25  # these fields sit in the top quarter of the form
_NUMBER = re.compile(r"^(?:N\s*[oO0º°]|№)\s*[.:：]?\s*(\d{8})$")
_CODE = re.compile(r"^(\d{10}|\d{12})$")
_TITLE = re.compile(r"(?:增?值?税)?(专用|普通)发票$")
_AMOUNT = re.compile(r"[¥]?(-?\d[\d,]*\.\d{2})(?!\d)")
_LABELLED = re.compile(r"代码|号码|编号|日期")


def extract_paper(page: Page, source: Source) -> Extraction | None:
    top = [w for w in page.words if w.bbox[3] <= TOP_SHARE * page.height]
    if not any("发票" in w.text for w in top):
        return None
    out = Extraction(page=page.number)
    if source == Source.OCR:
        _totals_row(page, source, out)
    digital = any("电子发票" in w.text.replace(" ", "") for w in top)  # 数电: its title is read by the layout
    for w in top:
        text = w.text.replace(" ", "")
        m = _NUMBER.match(text)
        if m:
            out.add("invoice_number", m.group(1), provenance(page, source, [w], 0.85))
            continue
        if _CODE.match(text) and not _after_label(page, w):
            out.add("invoice_code", text, provenance(page, source, [w], 0.8))
            continue
        t = _TITLE.search(text)
        if t and not digital and not _LABELLED.search(text) and "增值税" not in text and ("税" in text or "值" in text):
            # A fragment (the seal hides 增) with 税 and 专用/普通发票 names the form: ranked above the fragment.
            kind = ("电子" if "电" in text else "") + t.group(1)
            out.add("title", f"增值税{kind}发票", provenance(page, source, [w], 0.97))
    return out if out.candidates else None


def _money(text: str) -> list[Decimal]:
    out = []
    for m in _AMOUNT.finditer(unicodedata.normalize("NFKC", text).replace(" ", "")):
        try:
            out.append(Decimal(m.group(1).replace(",", "")))
        except InvalidOperation:
            continue
    return out


def _totals_row(page: Page, source: Source, out: Extraction) -> None:
    """The 合计 row (amount and tax) when OCR missed its spaced-out label: the line of amounts just above the
    total in figures (the （小写） line, else the 价税合计 line). Trusted when amount + tax = total; otherwise
    offered at a low confidence."""
    lines = text_lines(page)
    idx = next((i for i, ln in enumerate(lines) if re.search(r"小\s*写", ln.folded)), None)
    if idx is None:  # （小写） lost too (under the seal): the 价税合计 line, if it carries the total in figures
        idx = next((i for i, ln in enumerate(lines) if re.search(r"价\s*税\s*合\s*计", ln.folded)), None)
    if idx is None:
        return
    totals = _money(lines[idx].text)
    if not totals:
        return
    total = totals[-1]
    for ln in reversed(lines[max(0, idx - 3) : idx]):
        amounts = _money(ln.text)
        if len(amounts) == 1 and "*" in ln.text and amounts[0] == total:
            # Tax printed as *** (exempt or not applicable): the amount is the total, the tax is absent.
            out.add("amount_without_tax", f"{total:.2f}", provenance(page, source, list(ln.words), 0.85))
            return
        if len(amounts) >= 2 and not re.search(r"[\u4e00-\u9fff]{2,}", ln.folded):
            amount, tax = amounts[-2], amounts[-1]
            sure = 0.9 if amount + tax == total else 0.5
            words = list(ln.words)
            out.add("amount_without_tax", f"{amount:.2f}", provenance(page, source, words[:-1] or words, sure))
            out.add("tax_amount", f"{tax:.2f}", provenance(page, source, words[-1:], sure))
            return


def _after_label(page: Page, word: object) -> bool:
    """Whether a label (机器编号, 发票代码 …) sits just left of ``word`` on its line."""
    x0, top, _, bottom = word.bbox  # type: ignore[attr-defined]
    for w in page.words:
        if w is word or not _LABELLED.search(w.text):
            continue
        same_line = min(bottom, w.bbox[3]) - max(top, w.bbox[1]) > 0.4 * (bottom - top)
        if same_line and 0 <= x0 - w.bbox[2] < 3 * (bottom - top) + 2:
            return True
    return False
