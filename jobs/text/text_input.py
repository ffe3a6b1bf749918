"""Text that people and files hand to isobot, cleaned before anything is stored.

PostgreSQL refuses U+0000 in text, and other control characters only garble a message or a
spreadsheet cell: they are dropped, except line breaks and tabs where text may have lines.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

_KEEP_IN_TEXT = {"\n", "\t"}


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` in NFC without control characters (line breaks kept when ``multiline``), trimmed."""
    kept = (c for c in text
            if unicodedata.category(c) not in ("Cc", "Cs") or (multiline and c in _KEEP_IN_TEXT))
    return unicodedata.normalize("NFC", "".join(kept)).strip()


def storable(value: Any) -> Any:
    """Parsed JSON as both databases store it: strings without U+0000 or lone surrogates,
    floats without NaN or infinity (PostgreSQL's ``json`` refuses both; Python reads both).

    Raises RecursionError for absurdly deep nesting, as ``json.loads`` does.
    """
    if isinstance(value, str):
        return value if value.isascii() and "\x00" not in value else _storable_text(value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _storable_text(text: str) -> str:
    return "".join(c for c in text if c != "\x00" and not "\ud800" <= c <= "\udfff")
