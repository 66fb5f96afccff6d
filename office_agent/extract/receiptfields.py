"""Assembly of a receipt's fields from the lines the learned classifier (:mod:`receiptlines`) picked.

The classifier says, line by line, how likely each is the seller's name, a line of its address, the date line or
the total line; the rules here turn the winners into values: the name is the best contiguous run of name lines near
the top (a wrapped ``SDN BHD`` line joins it; a registration number in brackets is dropped), the address the best
contiguous run of address lines in reading order (below the name), the date the best-scored line that holds a
date, the total the amount on the best-scored line that holds one. The phone and the registration numbers
(company and GST/SST) are read by pattern from the lines above the items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from office_agent.extract.receiptlines import CLASSES, fold
from office_agent.extract.textlines import TextLine

_COMPANY, _ADDRESS, _DATE, _TOTAL = (CLASSES.index(c) for c in ("company", "address", "date", "total"))
HEAD = 16  # the seller's name stands among the first lines
_REG_IN_BRACKETS = re.compile(r"\((?:CO\.?\s*(?:REG|NO)[^)]*|\s*[\dA-Z]{0,3}\d{4,}\s*-?\s*[A-Z]?\s*)\)", re.I)
_TRAILING_REG = re.compile(r"\s*\(?\b(?:CO\.?\s*REG\.?\s*(?:NO\.?)?\s*:?\s*)?\d{4,}\s*-\s*[A-Z]\b\)?\s*$", re.I)


@dataclass(frozen=True)
class Pick:
    """Lines chosen for a field (indices into the page's lines, in reading order) and their mean probability."""

    lines: tuple[int, ...]
    score: float


def clean_name(text: str) -> str:
    """A name line without a registration number in brackets (``(867388-U)``) or after it, accents dropped."""
    text = _TRAILING_REG.sub("", _REG_IN_BRACKETS.sub(" ", fold_keep_case(text)))
    return re.sub(r"\s+", " ", text).strip(" ,")


def fold_keep_case(text: str) -> str:
    """NFKC and accents dropped (``Restäurants`` → ``Restaurants``), case kept."""
    import unicodedata

    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", "".join(ch for ch in text if not unicodedata.combining(ch))).strip()


def _run(p: np.ndarray, seed: int, low: float, stop: int) -> tuple[int, int]:
    """The contiguous run around ``seed`` of lines scoring at least ``low`` (within ``0..stop``)."""
    first = last = seed
    while first - 1 >= 0 and p[first - 1] >= low:
        first -= 1
    while last + 1 < stop and p[last + 1] >= low:
        last += 1
    return first, last


def pick_company(probs: np.ndarray, low: float = 0.5, least: float = 0.25) -> Pick | None:
    """The best name line among the first :data:`HEAD`, with its neighbours that are name lines too."""
    n = min(len(probs), HEAD)
    if n == 0:
        return None
    p = probs[:n, _COMPANY]
    seed = int(np.argmax(p))
    if p[seed] < least:
        return None
    first, last = _run(p, seed, low, n)
    return Pick(tuple(range(first, last + 1)), float(p[first : last + 1].mean()))


def pick_address(probs: np.ndarray, after: int = -1, low: float = 0.5) -> Pick | None:
    """The contiguous run of address lines with the largest summed probability, below line ``after``."""
    p = probs[:, _ADDRESS]
    best: tuple[float, int, int] | None = None
    i = after + 1
    while i < len(p):
        if p[i] < low:
            i += 1
            continue
        j = i
        while j + 1 < len(p) and p[j + 1] >= low:
            j += 1
        total = float(p[i : j + 1].sum())
        if best is None or total > best[0]:
            best = (total, i, j)
        i = j + 1
    if best is None:
        return None
    _, i, j = best
    return Pick(tuple(range(i, j + 1)), float(p[i : j + 1].mean()))


_BRANCH = re.compile(r"^\(\s*[A-Z][A-Z &.'/-]*\)$")  # "(MR DIY TESCO TERBAU)": a branch named in brackets, no digits


def with_branch(lines: Sequence[TextLine], pick: Pick) -> Pick:
    """The address run and, right below it, a line that only names the branch in brackets (SROIE's labels keep it
    as the address's end); a bracketed registration number has digits and is never taken."""
    nxt = pick.lines[-1] + 1
    if nxt < len(lines) and _BRANCH.match(lines[nxt].text.strip().upper()):
        return Pick((*pick.lines, nxt), pick.score)
    return pick


def ranked(probs: np.ndarray, field: str, candidates: Sequence[int]) -> list[int]:
    """``candidates`` (line indices) from the most to the least likely ``field`` line (earlier first on ties)."""
    k = CLASSES.index(field)
    return sorted(candidates, key=lambda i: (-float(probs[i, k]), i))


def name_text(lines: Sequence[TextLine], pick: Pick) -> str:
    return " ".join(t for i in pick.lines if (t := clean_name(lines[i].text)))


def address_text(lines: Sequence[TextLine], pick: Pick) -> str:
    return " ".join(fold_keep_case(lines[i].text) for i in pick.lines)


_PHONE = re.compile(
    r"(?:TEL|PHONE|H/?P|MOBILE|T)\s*(?:NO)?\s*[.:]?\s*(\+?6?0\d{1,2}\s*-?\s*\d{3,4}\s*-?\s*\d{3,5})|"
    r"(?<![\d-])(0\d{1,2}\s*-\s*\d{3,4}\s*-?\s*\d{3,5})(?!\d)",
    re.I,
)
_COMPANY_REG = re.compile(
    r"(?:CO\.?\s*(?:REG|NO)\.?\s*(?:NO\.?)?|COMPANY\s*(?:REG\.?\s*)?NO\.?|ROC\s*(?:NO\.?)?|REG\.?\s*NO\.?)\s*[:.]?\s*"
    r"([A-Z]{0,3}\d{4,}\s*-?\s*[A-Z]?)\b|\(\s*([A-Z]{0,3}\d{4,}\s*-\s*[A-Z])\s*\)|^\s*(\d{5,}\s*-\s*[A-Z])\s*$",
    re.I,
)
_TAX_REG = re.compile(
    r"\b(?:GST|SST)\s*(?:REG(?:ISTRATION)?\.?\s*)?(?:ID|NO|NUMBER)?\.?\s*[:.]?\s*([A-Z0-9][\dA-Z\-]{7,})", re.I
)


def _first(pattern: re.Pattern[str], lines: Sequence[TextLine], limit: int) -> tuple[str, TextLine] | None:
    for ln in lines[:limit]:
        m = pattern.search(fold(ln.text))
        if m is not None:
            value = next(g for g in m.groups() if g)
            return re.sub(r"\s+", "", value), ln
    return None


def phone(lines: Sequence[TextLine], limit: int = 20) -> tuple[str, TextLine] | None:
    """The seller's phone: the first ``TEL``-labelled (or phone-shaped) number among the first lines."""
    return _first(_PHONE, lines, limit)


def company_registration(lines: Sequence[TextLine], limit: int = 20) -> tuple[str, TextLine] | None:
    """The company registration number (``(867388-U)``, ``CO. REG: 933109-X``) among the first lines."""
    return _first(_COMPANY_REG, lines, limit)


def tax_registration(lines: Sequence[TextLine], limit: int = 24) -> tuple[str, TextLine] | None:
    """The GST / SST registration number (``GST ID: 000306020352``) among the first lines."""
    found = _first(_TAX_REG, lines, limit)
    if found is None or not re.search(r"\d{6,}", found[0]):
        return None
    return found
