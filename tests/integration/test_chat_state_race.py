"""A conversation turn and a delivery that write one chat's state at once both keep their change.

Each reads the state, changes it and writes it back: the turn (what it asked, the choices it
offered), delivery (the choices of a reminder it just sent, so that a typed "1" answers it).
Here one of them holds its transaction open after reading while the other runs; whichever
commits last must not write back what it read before the other's change.

PostgreSQL only: SQLite lets one writer in at a time for the whole transaction (a turn writes
from its first statement on), so there the two never overlap and the race cannot be staged.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, text

from bot.chat.turn import Inbound, Replies
from jobs.delivery.messages import Message
from jobs.delivery.offers import Offers
from jobs.delivery.outcomes import Outcome, Result, record_outcomes
from jobs.planning.planner import plan
from jobs.queues import Fate
from storage.db import session_scope
from storage.models import ChatState
from storage.outbox import take
from tests.support.dialogs import NOW, OFFICER, registered_chat

pytestmark = pytest.mark.postgres

SENT_AT = NOW + dt.timedelta(hours=1)
TYPED_AT = SENT_AT + dt.timedelta(seconds=20)
PATIENCE = 30.0  # seconds before a stuck test fails instead of hanging the suite


@pytest.fixture(params=["state kept", "no state yet"])
def chat(request, engine, catalog, calendar):
    """Đức Tân's officer and head, and Mộ Đức's supervisor (tests.support.dialogs); with no
    state yet the two writers are both the first to write the officer's."""
    talk = registered_chat(engine, catalog, calendar)
    if request.param == "no state yet":
        with session_scope(engine) as session:
            session.execute(delete(ChatState))
    return talk


@pytest.fixture
def reminder(chat, catalog, calendar) -> Outcome:
    """The officer's first reminder (the catalog's duties at ``NOW``), leased and just sent."""
    with session_scope(chat.engine) as session:
        plan(session, now=NOW, catalog=catalog, calendar=calendar)
    with session_scope(chat.engine) as session:
        leased = [row for row in take(session, now=SENT_AT, platform="test", limit=100,
                                      until=SENT_AT + dt.timedelta(minutes=5))
                  if row.kind == "reminder" and row.chat_id == OFFICER]
    message = Message.from_payload(leased[0].payload)
    assert message.choices
    return Outcome(leased[0], Result.SENT, SENT_AT, message_id="41", choices=message.choices)


def someone_waits_for_a_lock(engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'")).scalar())


def interleaved(engine, first: Callable[[Callable[[], None]], object],
                second: Callable[[], object]) -> None:
    """Run ``first`` until it calls the hold it is given (its transaction open); then run
    ``second`` in another thread and let ``first`` go on once ``second`` has finished or waits
    for a lock ``first`` holds."""
    holding, second_done = threading.Event(), threading.Event()

    def hold() -> None:
        holding.set()
        waited = 0.0
        while not second_done.wait(0.01):  # checks a condition; the outcome is not timing's
            if someone_waits_for_a_lock(engine):
                return
            waited += 0.01
            assert waited < PATIENCE, "the second writer neither finished nor waited"

    def then_second() -> None:
        assert holding.wait(PATIENCE), "the first writer never got to the point of holding"
        try:
            second()
        finally:
            second_done.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        running = [pool.submit(first, hold), pool.submit(then_second)]
        for future in running:
            future.result(timeout=PATIENCE)


def languages_asked(chat) -> Callable[..., Replies]:
    """The officer's turn typing "ngon ngu": the turn offers the language choices."""

    def turn(hold: Callable[[], None] | None = None) -> Replies:
        inbound = Inbound(platform="test", update_id="race-1", user_id=OFFICER, chat_id=OFFICER,
                          display_name="Officer", text="ngon ngu")
        return chat.conversation.handle(
            inbound, TYPED_AT, then=None if hold is None else lambda *_: hold())

    return turn


def delivered(engine, reminder: Outcome) -> Callable[..., None]:
    """Delivery writing down that the reminder was sent, in one transaction."""

    def record(hold: Callable[[], None] | None = None) -> None:
        with session_scope(engine) as session:
            assert record_outcomes(session, [reminder], brand="Test") == [Fate.FINISHED]
            if hold is not None:
                hold()

    return record


def offered(engine) -> set[str]:
    """The ids of every choice the officer can still answer."""
    with session_scope(engine) as session:
        row = session.get(ChatState, ("test", OFFICER, OFFICER))
        offers = Offers.load(dict(row.state), TYPED_AT)
    return {choice_id for offer in offers.items for choice_id, _ in offer.choices}


def choice_ids(choices) -> set[str]:
    return {choice.id for choice in choices}


def test_a_reminder_sent_while_a_turn_is_under_way_can_still_be_answered(chat, reminder):
    turn, replies = languages_asked(chat), []
    interleaved(chat.engine, lambda hold: replies.append(turn(hold)),
                delivered(chat.engine, reminder))
    asked = choice_ids(replies[0].messages[0].choices)
    assert asked  # the turn's change
    assert choice_ids(reminder.choices) | asked <= offered(chat.engine)


def test_a_turn_while_a_reminder_is_being_recorded_keeps_its_question(chat, reminder):
    turn, replies = languages_asked(chat), []
    interleaved(chat.engine, delivered(chat.engine, reminder),
                lambda: replies.append(turn()))
    asked = choice_ids(replies[0].messages[0].choices)
    assert asked
    assert choice_ids(reminder.choices) | asked <= offered(chat.engine)
