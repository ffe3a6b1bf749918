"""Text that people and files hand to isobot, cleaned before anything is stored.

PostgreSQL refuses U+0000 in text, and other control characters only garble a message or a
spreadsheet cell: they are dropped, except line breaks and tabs where text may have lines.
"""

from __future__ import annotations

import unicodedata

_KEEP_IN_TEXT = {"\n", "\t"}


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` in NFC without control characters (line breaks kept when ``multiline``), trimmed."""
    kept = (c for c in text
            if unicodedata.category(c) not in ("Cc", "Cs") or (multiline and c in _KEEP_IN_TEXT))
    return unicodedata.normalize("NFC", "".join(kept)).strip()
