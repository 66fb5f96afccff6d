"""Repairs of OCR letter and digit confusions in the seller's name and address of a receipt.

Thermal receipts are printed in small, faint capitals, and the recogniser confuses glyphs that look alike: ``l``,
``I`` and ``1``; ``O``, ``D`` and ``0``; ``S`` and ``5``. A mature reader repairs what it can prove from what it
knows about the field, and nothing else:

- an address word one or two such glyphs away from a word of :data:`ADDRESS_WORDS` (the street and place
  words of Malaysian and English addresses, states and large towns) is that word: ``Jaian`` → ``Jalan``,
  ``10T`` → ``LOT``, ``J0HOR`` → ``JOHOR``; a company suffix likewise (``SDN BHO`` → ``SDN BHD``);
- a capital ``I`` (or a ``1``) between small letters is a small ``l``: ``WorId`` → ``World``;
- a digit-like letter between two digits is that digit: ``1O5`` → ``105``;
- a five-character run of digits with one or two digit-like letters in it is a postcode: ``4711O`` → ``47110``;
- a postcode outside the range of the state named after it is repaired by the one digit confusion that puts it
  inside (``91750 PLENTONG, JOHOR`` → ``81750``: 91xxx is Sabah, Johor is 79000-86999), when exactly one does;
- where no state is named after the postcode, a word there one letter away from a name of the state that the
  postcode belongs to is that name (``52000 XL`` → ``52000 KL``).

Case is kept (``Jaian`` → ``Jalan``); a word of the vocabulary, a number or a word far from every vocabulary word
is left as it is; so is a word that differs from one of the vocabulary in any other way (``SUNGEI`` and
``KELANG`` are spellings of their own, ``RESTAURANTS`` a plural).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Glyphs the recogniser confuses, as sets.
_CONFUSABLE = ("IL1|!", "O0DQ", "S5", "B8", "Z2", "G6")
_GROUP = {ch: i for i, group in enumerate(_CONFUSABLE) for ch in group}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ADDRESS_WORDS = _words("""
JALAN JLN JL LORONG LRG LOT NO KL PJ JB KK SG WP LEBUH LEBUHRAYA PERSIARAN TAMAN TMN BANDAR BDR KAMPUNG KAMPONG
KG KAWASAN PERINDUSTRIAN PERUSAHAAN PUSAT PERNIAGAAN PERDAGANGAN KOMPLEKS KOMPLEK BANGUNAN WISMA MENARA PLAZA
MEDAN SUNGAI BUKIT BATU SIMPANG SEKSYEN BLOK BLOCK LEVEL TINGKAT ARAS UNIT SUITE FLOOR GROUND FIRST JAYA BARU
UTAMA INDAH SERI DESA KOTA PULAU PARK AVENUE STREET ROAD BOULEVARD BUILDING CENTRE CENTER INDUSTRIAL ESTATE SQUARE MALL
SHOPPING COMPLEX MALAYSIA SINGAPORE
JOHOR KEDAH KELANTAN MELAKA MALACCA NEGERI SEMBILAN PAHANG PERAK PERLIS PINANG PENANG SABAH SARAWAK SELANGOR
TERENGGANU KUALA LUMPUR PUTRAJAYA LABUAN WILAYAH PERSEKUTUAN
BAHRU PETALING SHAH ALAM KLANG SUBANG PUCHONG KAJANG CHERAS AMPANG SEREMBAN IPOH KUANTAN SKUDAI KEMBANGAN RAWANG
DAMANSARA KEPONG SETAPAK KINABALU KUCHING MIRI GEORGETOWN BUTTERWORTH NILAI SEPANG CYBERJAYA BANGI SENAI KULAI
""")
COMPANY_WORDS = _words("""
ENTERPRISE ENTERPRISES TRADING HOLDINGS RESTAURANT RESTORAN STORE MART MARKET LIMITED COMPANY BAKERY CAFE
HARDWARE STATIONERY PHARMACY FOOD KEDAI PERNIAGAAN SUPERMARKET MINIMARKET BOOKSTORE MALAYSIA INDUSTRIES SERVICES
""")

# Postcode ranges of the Malaysian states (Pos Malaysia), and the words that name each state in an address.
_STATE_POSTCODES: dict[str, tuple[tuple[int, int], ...]] = {
    "PERLIS": ((1000, 2999),),
    "KEDAH": ((5000, 9999),),
    "PINANG": ((10000, 14999),),
    "KELANTAN": ((15000, 18999),),
    "TERENGGANU": ((20000, 24999),),
    "PAHANG": ((25000, 28999), (39000, 39999), (49000, 49999), (69000, 69999)),
    "PERAK": ((30000, 36999),),
    "SELANGOR": ((40000, 48999), (63000, 68999)),
    "KUALA LUMPUR": ((50000, 60999),),
    "PUTRAJAYA": ((62000, 62999),),
    "NEGERI SEMBILAN": ((70000, 73999),),
    "MELAKA": ((75000, 78999),),
    "JOHOR": ((79000, 86999),),
    "LABUAN": ((87000, 87999),),
    "SABAH": ((88000, 91999),),
    "SARAWAK": ((93000, 98999),),
}
_STATE_NAMES = (
    ("PERLIS", r"PERLIS"), ("KEDAH", r"KEDAH"), ("PINANG", r"PULAU\s*PINANG|PENANG"), ("KELANTAN", r"KELANTAN"),
    ("TERENGGANU", r"TERENGGANU"), ("PAHANG", r"PAHANG"), ("PERAK", r"PERAK"), ("SELANGOR", r"SELANGOR"),
    ("KUALA LUMPUR", r"KUALA\s*LUMPUR|KL"), ("PUTRAJAYA", r"PUTRAJAYA"),
    ("NEGERI SEMBILAN", r"N(?:EGERI|\.)\s*SEMBILAN"), ("MELAKA", r"MELAKA|MALACCA"),
    ("JOHOR", r"JOHOR"), ("LABUAN", r"LABUAN"), ("SABAH", r"SABAH"),
    ("SARAWAK", r"SARAWAK"),
)  # fmt: skip
# Other names and abbreviations of a state, as printed after the postcode.
_STATE_WORDS = {"KUALA LUMPUR": ("KL",), "PINANG": ("PULAU", "PENANG"), "MELAKA": ("MALACCA",)}
# Digits a faint or broken print turns into one another.
_DIGIT_CONFUSIONS = {"0": "86", "1": "7", "3": "8", "5": "6", "6": "580", "7": "1", "8": "3690", "9": "8"}
_DIGIT_LIKE = {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1", "S": "5", "s": "5",
               "B": "8", "Z": "2"}  # fmt: skip


def lookalike_edits(a: str, b: str) -> int | None:
    """How many look-alike glyphs (case ignored) turn ``a`` into ``b``; None if any other difference does."""
    a, b = a.upper(), b.upper()
    if len(a) != len(b):
        return None
    edits = 0
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        if x not in _GROUP or _GROUP.get(y) != _GROUP[x]:
            return None
        edits += 1
    return edits


@lru_cache(maxsize=4096)
def _nearest(word: str, vocabulary: frozenset[str]) -> str | None:
    """The one vocabulary word that ``word`` is a misreading of, by look-alike glyphs only: at most two of them,
    in a word of four letters or more or one with a digit in it (``10T``). Any other difference (``SUNGEI``,
    ``KELANG``, ``RESTAURANTS``: spellings and plurals) keeps the word as printed. None if no word or two fit."""
    up = word.upper()
    if up in vocabulary or len(up) < 3 or (len(up) == 3 and up.isalpha()):
        return None  # ``JIN`` is a name as often as a misread ``JLN``
    fits = {v for v in vocabulary if (n := lookalike_edits(up, v)) is not None and n <= 2}
    return fits.pop() if len(fits) == 1 else None


def _in_case_of(model: str, word: str) -> str:
    """``word`` in the case of ``model``: ``Jaian`` + JALAN → ``Jalan``."""
    letters = [c for c in model if c.isalpha()]
    if letters and all(c.islower() for c in letters):
        return word.lower()
    if len(letters) > 1 and letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return word.capitalize()
    return word.upper()


_TOKEN = re.compile(r"[A-Za-z0-9|!]+")


def repair_words(text: str, vocabulary: frozenset[str]) -> str:
    """Each run of letters (and look-alike digits) that is a misreading of a vocabulary word becomes that word.
    A run of digits alone is a number and stays."""

    def fix(m: re.Match[str]) -> str:
        token = m.group(0)
        if not re.search(r"[A-Za-z]", token):
            return token
        found = _nearest(token, vocabulary)
        return _in_case_of(token, found) if found else token

    return _TOKEN.sub(fix, text)


def repair_small_l(text: str) -> str:
    """A capital I, or a 1 or |, between two small letters is a small l: ``WorId`` → ``World``."""
    return re.sub(r"(?<=[a-z]{2})[I1|](?=[a-z])", "l", text)


def repair_digits(text: str) -> str:
    """A digit-like letter between two digits is a digit: ``1O5`` → ``105``, ``4l3`` → ``413``."""
    return re.sub(r"(?<=\d)[OoIl|](?=\d)", lambda m: _DIGIT_LIKE[m.group(0)], text)


def repair_postcode(text: str) -> str:
    """A five-character run of digits with one or two digit-like letters in it (``4711O``) is a postcode, when
    the text has no postcode of five plain digits already."""
    if re.search(r"(?<![\dA-Za-z])\d{5}(?![\dA-Za-z])", text):
        return text

    def fix(m: re.Match[str]) -> str:
        token = m.group(0)
        letters = sum(1 for c in token if not c.isdigit())
        if letters == 0 or letters > 2 or not all(c.isdigit() or c in _DIGIT_LIKE for c in token):
            return token
        return "".join(_DIGIT_LIKE.get(c, c) for c in token)

    return re.sub(r"(?<![\w|])[\dOoDQIl|iSsBZ]{5}(?![\w|])", fix, text)


def _state(text: str) -> str | None:
    """The one state named in ``text`` (None: none, or two)."""
    up = text.upper()
    named = {s for s, pattern in _STATE_NAMES if re.search(rf"\b(?:{pattern})\b", up)}
    return named.pop() if len(named) == 1 else None


def _in_state(code: int, state: str) -> bool:
    return any(lo <= code <= hi for lo, hi in _STATE_POSTCODES[state])


POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")


def _sole_postcode(text: str) -> re.Match[str] | None:
    """The postcode of ``text`` when it holds exactly one."""
    found = list(POSTCODE.finditer(text))
    return found[0] if len(found) == 1 else None


def repair_postcode_state(text: str) -> str:
    """A postcode outside the range of the one state the address names, repaired by the one confusion of a
    single digit that puts it inside: ``91750 PLENTONG, JOHOR`` → ``81750 …``."""
    m = _sole_postcode(text)
    if m is None:
        return text
    state = _state(text[m.end() :])  # after the postcode: ``JALAN PERAK`` before it names a street
    if state is None or _in_state(int(m.group(0)), state):
        return text
    code = m.group(0)
    fits = {
        code[:i] + other + code[i + 1 :]
        for i, digit in enumerate(code)
        for other in _DIGIT_CONFUSIONS.get(digit, "")
        if _in_state(int(code[:i] + other + code[i + 1 :]), state)
    }
    if len(fits) != 1:
        return text
    return text[: m.start()] + fits.pop() + text[m.end() :]


def _postcode_state(code: int) -> str | None:
    return next((state for state in _STATE_POSTCODES if _in_state(code, state)), None)


def repair_state_name(text: str) -> str:
    """With no state named after the postcode, a word there one letter away from a name of the postcode's own
    state is that name: ``52000 XL`` → ``52000 KL`` (52xxx is Kuala Lumpur), ``81100 JOHIR`` → ``JOHOR``."""
    m = _sole_postcode(text)
    if m is None:
        return text
    after = text[m.end() :]
    state = _postcode_state(int(m.group(0)))
    if state is None or _state(after) is not None:
        return text
    names = _STATE_WORDS.get(state, ()) + tuple(state.split())

    def fix(t: re.Match[str]) -> str:
        up = t.group(0).upper()
        if up in ADDRESS_WORDS:
            return t.group(0)
        fits = {n for n in names if len(n) == len(up) and sum(a != b for a, b in zip(n, up, strict=True)) == 1}
        return _in_case_of(t.group(0), fits.pop()) if len(fits) == 1 else t.group(0)

    return text[: m.end()] + re.sub(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])", fix, after)


def repair_address(text: str) -> str:
    """Every repair of this module that applies to an address, in order."""
    text = repair_digits(repair_small_l(text))
    text = repair_postcode(text)
    text = repair_words(text, ADDRESS_WORDS)
    return repair_state_name(repair_postcode_state(text))


_SDN_BHD = re.compile(r"\b[S5][DO0]N(\.?\s*)[B8]H[DO0]\b", re.I)


def repair_name(text: str) -> str:
    """The repairs that apply to a company's name: small l, company words, ``SDN BHO`` → ``SDN BHD`` (a dot or
    space between the two words kept as printed: ``SDN. BHD.``)."""
    def fixed(m: re.Match[str]) -> str:
        return ("Sdn{}Bhd" if any(c.islower() for c in m.group(0)) else "SDN{}BHD").format(m.group(1))

    text = _SDN_BHD.sub(fixed, repair_small_l(text))
    return repair_words(text, COMPANY_WORDS)
