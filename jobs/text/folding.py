"""The form typed text is matched in: lowercase, no diacritics, single spaces."""

from __future__ import annotations

import unicodedata

# "đ" has no decomposition in Unicode, so NFD would keep it. "ð" (Icelandic eth) is what legacy
# Vietnamese fonts (TCVN3/VNI) often turn "đ" into after a bad conversion.
_LETTER_MAP = str.maketrans({"đ": "d", "ð": "d"})
# Marks (Vietnamese tones and hats), enclosing marks (keycap "1️⃣") and invisible format
# characters (zero-width space, ZWJ) carry no meaning for matching what was typed.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


def fold(text: str) -> str:
    """Lowercase, strip diacritics (đ -> d) and collapse whitespace: the form used for matching.

    >>> fold("Đã NỘP  báo cáo")
    'da nop bao cao'
    """
    lowered = unicodedata.normalize("NFC", text).lower().translate(_LETTER_MAP)
    decomposed = unicodedata.normalize("NFD", lowered)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    return " ".join(kept.split())

