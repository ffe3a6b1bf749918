"""A stranger who only says hello, asks for help or gets the registration prompt leaves no chat
state behind (nothing of theirs is kept); a turn that has something to remember keeps it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.db import session_scope
from storage.models import ChatState
from tests.support.dialogs import OFFICER, STRANGER, Chat, registered_chat


@pytest.fixture
def chat(engine, catalog, calendar) -> Chat:
    return registered_chat(engine, catalog, calendar)


def states_of(engine, who: str) -> list[dict]:
    with session_scope(engine) as session:
        return [row.state for row in session.exec(select(ChatState).where(
            ChatState.user_id == who))]


@pytest.mark.parametrize("typed", ["xin chào", "/start", "/help", "/viec", "ABC-123"])
def test_a_stranger_who_says_hello_leaves_no_chat_state(chat, engine, typed):
    assert chat.send(STRANGER, typed)  # answered
    assert states_of(engine, STRANGER) == []


def test_a_stranger_offered_choices_keeps_them(chat, engine):
    chat.send(STRANGER, "/ngonngu")  # the languages, as choices to pick
    [state] = states_of(engine, STRANGER)
    assert state["offers"]


def test_an_officers_numbered_duties_are_kept(chat, engine):
    chat.send(OFFICER, "/viec")
    [state] = states_of(engine, OFFICER)
    assert state["offers"]
