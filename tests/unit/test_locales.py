"""The catalogs: every message has its Vietnamese, and placeholders survive translation."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from jobs.text.i18n import LOCALES_DIR, translator

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def catalog(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


def template_ids() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_the_template_holds_every_message_of_the_code():
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    code_ids = set()
    for folder in ("bot", "jobs", "storage"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                Path(folder), method_map=[("**.py", "python")], keywords=keywords):
            code_ids.add(message if isinstance(message, str) else message[0])
    missing = code_ids - template_ids()
    assert not missing, f"run `make messages` and translate: {sorted(missing)[:5]}"


def test_every_message_is_translated_into_vietnamese():
    untranslated = [m.id for m in catalog("vi") if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,))]
    assert untranslated == []
    vi_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog("vi") if m.id}
    assert template_ids() <= vi_ids


@pytest.mark.parametrize("message", [m for m in catalog("vi") if m.id],
                         ids=lambda m: str(m.id)[:40])
def test_placeholders_survive_translation(message):
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    wanted = set(PLACEHOLDER.findall(ids[-1]))
    for string in strings:
        assert set(PLACEHOLDER.findall(string)) == wanted


def test_compiled_catalog_speaks_vietnamese_with_diacritics():
    vi = translator("vi")
    assert vi._("Deadline: {date} ({left})") != "Deadline: {date} ({left})"
    assert "hạn" in vi._("Deadline: {date} ({left})").lower()
    assert vi.ngettext("{n} day left", "{n} days left", 3).format(n=3) == "còn 3 ngày"
    assert translator("en")._("Deadline: {date} ({left})") == "Deadline: {date} ({left})"
