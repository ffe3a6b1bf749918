"""Tests for bot.chat.text_parts: long texts cut where a messenger accepts them."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat.text_parts import split_message


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


# ------------------------------------------------------------------------------------------
# split_message
# ------------------------------------------------------------------------------------------

_PARAGRAPH = (
    "Kính gửi: Ủy ban nhân dân các xã, phường; Thủ trưởng các cơ quan, đơn vị.\n"
    "Thực hiện Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ về việc "
    "áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 vào hoạt "
    "động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước, đề nghị các đơn vị "
    "tổ chức đánh giá nội bộ, họp xem xét của lãnh đạo, cập nhật thay đổi văn bản quy phạm "
    "pháp luật vào Hệ thống quản lý chất lượng và gửi báo cáo quý về Thường trực Ban chỉ đạo "
    "ISO trước ngày 15 của tháng cuối quý.\n"
)


def _vietnamese_text(length: int) -> str:
    paragraphs: list[str] = []
    while len("\n".join(paragraphs)) < length:
        paragraphs.append(_PARAGRAPH)
    return "\n".join(paragraphs)


def _words(parts: list[str]) -> list[str]:
    return [word for part in parts for word in part.split()]


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_split_long_vietnamese_text_at_2000(form: str) -> None:
    text = unicodedata.normalize(form, _vietnamese_text(3000))
    assert len(_nfc(text)) >= 3000

    parts = split_message(text, 2000)

    assert len(parts) == 2
    assert all(0 < len(part) <= 2000 for part in parts)
    assert all(part == _nfc(part) for part in parts)
    assert _words(parts) == _nfc(text).split()  # no broken word, nothing lost, same order
    assert "".join(_words(parts)) == "".join(_nfc(text).split())
    assert not any(_is_mark(part[0]) for part in parts)


def test_split_prefers_line_then_word_boundaries() -> None:
    text = "dòng một\ndòng hai dài hơn\ndòng ba"
    assert split_message(text, 20) == ["dòng một", "dòng hai dài hơn", "dòng ba"]
    assert split_message("đã nộp báo cáo quý ba", 10) == ["đã nộp báo", "cáo quý ba"]


def test_split_prefers_a_paragraph_break_in_the_second_half() -> None:
    text = "đoạn một\ndòng hai\n\nđoạn hai dòng một\ndòng hai"
    assert split_message(text, 30) == ["đoạn một\ndòng hai", "đoạn hai dòng một\ndòng hai"]


def test_split_short_text_is_one_part_and_blank_text_none() -> None:
    assert split_message("  \n\nXin chào\n\n  ", 100) == ["Xin chào"]
    assert split_message("", 10) == []
    assert split_message(" \n \n\t", 10) == []


def test_split_parts_have_no_blank_edge_lines() -> None:
    text = "một\n\n\n\nhai\n\n\n\nba"
    for part in split_message(text, 5):
        lines = part.split("\n")
        assert lines[0].strip() and lines[-1].strip()


def test_split_cuts_an_overlong_word_between_characters() -> None:
    url = "https://dichvucong.gov.vn/" + "x" * 50
    parts = split_message(f"xem {url} nhé", 20)
    assert all(len(part) <= 20 for part in parts)
    assert "".join(_words(parts)) == "".join(f"xem {url} nhé".split())


def test_split_never_separates_a_letter_from_uncomposable_marks() -> None:
    # "x" + acute + dot below has no precomposed form, so NFC keeps three code points.
    cluster = "x\u0323\u0301"
    assert _nfc(cluster) == cluster
    parts = split_message(cluster * 10, 7)
    assert "".join(parts) == cluster * 10
    assert all(part.startswith("x") and len(part) <= 7 for part in parts)


def test_split_keeps_emoji_zwj_sequences_whole() -> None:
    coder = "👩\u200d💻"
    parts = split_message(coder * 6, 5)
    assert all(part == coder for part in parts)


def test_split_rejects_a_nonsense_limit() -> None:
    with pytest.raises(ValueError):
        split_message("abc", 0)


# Text built from pieces where a combining mark always follows a letter, as typed text does.
_LETTERS = st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĐZ0123456789.,/-"))
_CLUSTERS = st.sampled_from(
    ["ệ", "ữ", "Ẫ", "e\u0302\u0301", "u\u031b\u0303", "x\u0323\u0301", "👍", "👩\u200d💻", "👍🏽"]
)
_WORD = st.lists(st.one_of(_LETTERS, _CLUSTERS), min_size=1, max_size=12).map("".join)
_SPACE = st.sampled_from([" ", " ", "  ", "\n", "\n\n", "\t", " \n ", "\u00a0"])
_TEXT = st.lists(st.tuples(_WORD, _SPACE), max_size=40).map(
    lambda pairs: "".join(word + space for word, space in pairs)
)


@settings(max_examples=300)
@given(text=_TEXT, limit=st.integers(min_value=1, max_value=60))
def test_split_properties(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    words = _nfc(text).split()

    assert all(0 < len(part) <= limit for part in parts)
    assert "".join(_words(parts)) == "".join(words)  # nothing lost, order kept
    for part in parts:
        lines = part.split("\n")
        assert lines[0].strip() and lines[-1].strip()
    if all(len(word) <= limit for word in words):
        assert _words(parts) == words  # no word was cut
    if limit >= 5:  # longer than any single character built above
        assert not any(_is_mark(part[0]) or part[0] == "\u200d" for part in parts)
        assert not any(part.endswith("\u200d") for part in parts)


@given(text=st.text(), limit=st.integers(min_value=1, max_value=30))
def test_split_any_text_keeps_every_non_space_character(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join("".join(part.split()) for part in parts) == "".join(_nfc(text).split())
