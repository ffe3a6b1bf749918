"""Tests for bot.parsing's short answers: numbered or named choices, and commands."""

from __future__ import annotations

import unicodedata

import pytest

from bot.parsing import Choice, choice_aliases, match_choice, parse_command

# ------------------------------------------------------------------------------------------
# match_choice
# ------------------------------------------------------------------------------------------

CHOICES = (
    Choice("done", "Đã nộp", ("xong", "rồi")),
    Choice("later", "Nhắc lại sau"),
    Choice("help", "Hướng dẫn", ("?",)),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "done"),
        ("1.", "done"),
        (" 2 ", "later"),
        ("(3)", "help"),
        ("#2", "later"),
        ("số 1", "done"),
        ("1️⃣", "done"),
        ("đã nộp", "done"),
        ("da nop", "done"),
        ("Đã nộp", "done"),
        ("ĐÃ NỘP!", "done"),
        ("  đã   nộp  ", "done"),
        (unicodedata.normalize("NFD", "Đã nộp"), "done"),
        ("xong", "done"),
        ("Rồi", "done"),
        ("nhac lai sau", "later"),
        ("?", "help"),
        # no match
        ("0", None),
        ("4", None),
        ("12", None),
        ("đã", None),  # a prefix is not a label
        ("đã nộp báo cáo", None),
        ("", None),
        ("   ", None),
        ("🙂", None),
    ],
)
def test_match_choice(text: str, expected: str | None) -> None:
    assert match_choice(text, CHOICES) == expected


def test_match_choice_accepts_plain_tuples() -> None:
    assert match_choice("da nop", [("done", "Đã nộp", ()), ("no", "Chưa", ["chua nop"])]) == "done"
    assert match_choice("chua nop", [("done", "Đã nộp", ()), ("no", "Chưa", ["chua nop"])]) == "no"


def test_match_choice_diacritics_disambiguate_before_folding() -> None:
    # Two labels that fold to the same text: typed in full they are told apart,
    # typed without diacritics the answer is ambiguous and nothing is picked.
    choices = [("a", "Nợ", ()), ("b", "Nộ", ())]
    assert match_choice("nợ", choices) == "a"
    assert match_choice("Nộ", choices) == "b"
    assert match_choice("no", choices) is None


def test_match_choice_number_out_of_range_falls_back_to_labels() -> None:
    assert match_choice("2026", [("y25", "2025", ()), ("y26", "2026", ())]) == "y26"
    assert match_choice("2", [("y25", "2025", ()), ("y26", "2026", ())]) == "y26"


# ------------------------------------------------------------------------------------------
# parse_command
# ------------------------------------------------------------------------------------------

KNOWN = frozenset({"viec", "start", "nop", "huongdan"})


@pytest.mark.parametrize(
    ("text", "known", "bot", "expected"),
    [
        ("/viec", KNOWN, None, ("viec", "")),
        ("/viec@isobot_bot", KNOWN, "isobot_bot", ("viec", "")),
        ("/viec@IsoBot_Bot", KNOWN, "@isobot_bot", ("viec", "")),
        ("/viec@otherbot", KNOWN, "isobot_bot", None),  # meant for another bot in the group
        ("/viec@otherbot", KNOWN, None, ("viec", "")),
        ("viec", KNOWN, None, ("viec", "")),
        ("Việc", KNOWN, None, ("viec", "")),
        ("/Việc", (), None, ("viec", "")),
        ("/start CODE", KNOWN, None, ("start", "CODE")),
        ("/start@isobot_bot Ab12Cd", KNOWN, "isobot_bot", ("start", "Ab12Cd")),
        ("start CODE", KNOWN, None, ("start", "CODE")),
        ("  start   CODE  ", KNOWN, None, ("start", "CODE")),
        ("/start\nCODE", KNOWN, None, ("start", "CODE")),
        ("/nop", KNOWN, None, ("nop", "")),
        ("/nop 123/BC-UBND ngày 10/9", KNOWN, None, ("nop", "123/BC-UBND ngày 10/9")),
        ("/unknown", KNOWN, None, ("unknown", "")),  # slash commands always count
        ("xong", KNOWN, None, None),  # a plain reply is not a command...
        ("xong", {"xong"}, None, ("xong", "")),  # ...unless the caller says so
        ("start", (), None, None),
        ("", KNOWN, None, None),
        ("   ", KNOWN, None, None),
        ("/", KNOWN, None, None),
        ("/ viec", KNOWN, None, None),
        ("/home/user", KNOWN, None, None),
        ("/!!!", KNOWN, None, None),
        ("🙂", KNOWN, None, None),
    ],
)
def test_parse_command(
    text: str, known: frozenset[str], bot: str | None, expected: tuple[str, str] | None
) -> None:
    assert parse_command(text, known, bot_username=bot) == expected


@pytest.mark.parametrize("text", ["có", "Co", "CÓ!", "đồng ý", "dong y", "xác nhận", "ok", "yes"])
def test_yes_confirms(text: str) -> None:
    confirm = [(i, label, choice_aliases(i)) for i, label in (("confirm", "Xác nhận"),
                                                               ("cancel", "Hủy"))]
    assert match_choice(text, confirm) == "confirm"


@pytest.mark.parametrize("text", ["không", "khong", "không có", "bỏ qua", "bo qua", "skip"])
def test_no_file_skips_the_file(text: str) -> None:
    assert match_choice(text, [("skip", "Bỏ qua", choice_aliases("skip"))]) == "skip"
