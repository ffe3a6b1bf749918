"""The command registry refuses declarations a messenger or a person could not use."""

from __future__ import annotations

import pytest

from bot.chat.commands import ANYONE, Audience, Command, Commands


def nothing(turn, args):
    """A handler; these tests never run one."""


def test_a_word_may_name_one_command_only():
    with pytest.raises(ValueError, match="/viec"):
        Commands([Command("viec", "my duties", ANYONE, nothing),
                  Command("lich", "deadlines", ANYONE, nothing, aliases=("Việc",))])


@pytest.mark.parametrize("name", ["Viec", "việc", "lich-ics", "", "x" * 33])
def test_a_name_is_what_telegram_accepts(name):
    with pytest.raises(ValueError, match="command name"):
        Command(name, "help", ANYONE, nothing)


@pytest.mark.parametrize("text", ["", "x" * 257])
def test_a_help_line_fits_a_menu(text):
    with pytest.raises(ValueError, match="help line"):
        Command("viec", text, ANYONE, nothing)


def test_typed_words_find_their_command_and_keep_the_rest():
    language = Command("ngonngu", "language", ANYONE, nothing, aliases=("ngôn ngữ",))
    duties = Command("viec", "my duties", {Audience.EVERYONE}, nothing)
    commands = Commands([language, duties])
    assert commands.find("Ngôn Ngữ").command is language
    assert commands.find("/ngon ngu en").args == "en"
    assert commands.find("VIEC quý 4").command is duties
    assert commands.find("/khac").command is None  # a slash makes it a command, an unknown one
    assert commands.find("xin chào") is None
