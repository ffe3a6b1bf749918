"""A conversation driven directly, as dialogs (who types what -> what they read), against a
real database: the style of Zulip's bot tests (zulip_bots.test_lib.BotTestCase.verify_dialog).
"""

from __future__ import annotations

import datetime as dt
import itertools

from bot.chat.commands import Audience, audiences
from bot.chat.conversation import Conversation
from bot.chat.turn import Inbound
from jobs.people.registration import create_invite
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.members import accounts
from storage.models import Role
from storage.units import unit_by_code, upsert_units
from tests.conftest import at

_vi = translator("vi")
NOW = at("2026-11-30 10:00")  # a Monday
OFFICER, HEAD, SUPERVISOR, STRANGER = "officer", "head", "supervisor", "stranger"
UNITS = [("QNG-MD", "UBND huyện Mộ Đức", "district", None),
         ("QNG-MD-DTAN", "UBND xã Đức Tân", "commune", "QNG-MD")]
ROLES = {OFFICER: ("QNG-MD-DTAN", Role.OFFICER), HEAD: ("QNG-MD-DTAN", Role.HEAD),
         SUPERVISOR: ("QNG-MD", Role.SUPERVISOR)}


class Chat:
    """People talking to one conversation; each message is a new update."""

    def __init__(self, engine, catalog, calendar) -> None:
        self.engine = engine
        self.conversation = Conversation(engine, catalog, calendar)
        self._updates = itertools.count(1)

    def send(self, who: str, text: str | None = None, **fields) -> list[str]:
        """``who`` types ``text`` (or sends ``fields``, e.g. a file); the texts of the replies."""
        inbound = Inbound(platform="test", update_id=str(next(self._updates)), user_id=who,
                          chat_id=who, display_name=who.capitalize(), text=text, **fields)
        return [m.text for m in self.conversation.handle(inbound, NOW).messages]

    def say(self, who: str, text: str) -> str:
        """The first reply to ``text``."""
        return self.send(who, text)[0]

    def audiences(self, who: str) -> frozenset[Audience]:
        with session_scope(self.engine) as session:
            return audiences(accounts(session, platform="test", user_id=who))


def registered_chat(engine, catalog, calendar) -> Chat:
    """An officer and a head of a commune, a supervisor of its district, and a stranger."""
    with session_scope(engine) as session:
        upsert_units(session, rows=UNITS, now=NOW - dt.timedelta(days=1))
        codes = {who: create_invite(session, unit=unit_by_code(session, code=unit), role=role,
                                    now=NOW, valid_days=7).code
                 for who, (unit, role) in ROLES.items()}
    talk = Chat(engine, catalog, calendar)
    for who, code in codes.items():
        assert talk.say(who, f"/start {code}").startswith(
            _vi._("Welcome, {name}!").format(name=who.capitalize()))
    return talk
