"""What some PDF and OFD converters do to the text they write, to reproduce in generated files (with the same
truth as the clean file): a space after every character, Kangxi-radical and radical-supplement look-alikes for
common characters, full-width digits and letters."""

from __future__ import annotations

from collections.abc import Callable

# ordinary character → the look-alike converters write (U+2F00 Kangxi radicals; 长 from the U+2E80 supplement)
LOOK_ALIKES = str.maketrans(
    {"大": "⼤", "人": "⼈", "一": "⼀", "小": "⼩", "日": "⽇", "月": "⽉", "长": "⻓", "车": "⻋"}
)


def spaced(text: str) -> str:
    """``¥2129.34`` → ``¥ 2 1 2 9 . 3 4``; a space already there becomes three."""
    return " ".join("  " if c == " " else c for c in text)


def look_alikes(text: str) -> str:
    return text.translate(LOOK_ALIKES)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


CONVERTERS: dict[str, Callable[[str], str]] = {"spaced": spaced, "look_alikes": look_alikes, "full_width": full_width}
