"""The conversation, the same on every messenger: an :class:`Inbound` in, replies out.

Adapters turn a platform update into an ``Inbound`` and render the replies. This module only
routes: a command to its declaration in the registry (:mod:`bot.chat.commands`), a picked choice,
text or a file to the feature that owns it (:mod:`bot.chat.feature`), and a free-text reply, once
understood, to the features that act on it. Each update is handled in one transaction together
with the record that it was handled, so a redelivered update changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import parsing
from bot.chat.commands import ANYONE, Audience, Command, Commands, Typed, audiences
from bot.chat.feature import Doorkeeper, Feature
from bot.chat.flow import Flow
from bot.chat.installation import Installation
from bot.chat.turn import Edit, Inbound, IncomingFile, Replies, Turn
from bot.chat.uploads import asks_to_send_a_file, upload_line, upload_matches
from bot.features import all_features
from bot.features.my_duties import document_example, offer_heading
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.delivery.offers import Offer, Offers
from jobs.delivery.reachability import wrote_again
from jobs.text.choice_ids import read_choice_id
from jobs.text.i18n import N_, translator
from storage.chats import claim_update, load_state, save_state
from storage.db import session_scope
from storage.members import account_rows, accounts

# What adapters use; they import it from here.
__all__ = ["Conversation", "Edit", "Inbound", "IncomingFile", "Replies", "Turn"]

_LAST_TURN = "turn_at"  # in the chat state: when this person's last message was handled


def _the_one(features: Iterable[Feature]) -> Any:
    """The one feature in a role; none or two is a mistake in the features."""
    found = list(features)
    if len(found) != 1:
        raise ValueError(f"expected one feature in that role, found {found!r}")
    return found[0]


def _owners(pairs: Iterable[tuple[str, Feature]]) -> dict[str, Feature]:
    """Who answers each choice action or flow kind; two features claiming one is a mistake."""
    owners: dict[str, Feature] = {}
    for name, feature in pairs:
        if owners.setdefault(name, feature) is not feature:
            raise ValueError(f"{name!r} is claimed by {type(owners[name]).__name__} and "
                             f"{type(feature).__name__}")
    return owners


class Conversation:
    """Handles updates from any messenger against the database, the catalog and the calendar."""

    def __init__(self, engine: Engine, catalog: Catalog, calendar: WorkCalendar,
                 default_language: str = "vi", installation: Installation | None = None) -> None:
        self.engine = engine
        self.installation = installation or Installation()
        self.catalog = catalog
        self.calendar = calendar
        self.default_language = default_language
        self.words = parsing.DutyWords.of(catalog.duties)
        self.features = all_features(catalog, calendar)
        self.registration: Doorkeeper = _the_one(f for f in self.features
                                                 if f.welcomes_strangers)
        self.submission: Feature = _the_one(f for f in self.features if f.takes_loose_files)
        self.commands = Commands([*(c for f in self.features for c in f.commands), *(
            Command("huy", N_("cancel the current step"), {Audience.EVERYONE}, self._cancel,
                    aliases=("hủy", "hủy bỏ", "cancel"), keeps_flow=True),
            Command("help", N_("the commands you can use"), ANYONE, self._help,
                    aliases=("trợ giúp", "giúp"), keeps_flow=True),
        )])
        self._choice_owners = _owners((a, f) for f in self.features for a in f.choices)
        self._flow_owners = _owners((kind, f) for f in self.features
                                    for kind in (*(s.kind for s in f.flows), *f.old_flow_kinds))
        # Flows saved before flows were named by kind were all submissions.
        self._unnamed_kind = self.submission.flows[0].kind

    def command_menu(self, lang: str) -> list[tuple[str, str]]:
        """The messengers' command menu in ``lang``: (command, description), menu order."""
        return self.commands.menu(translator(lang))

    def handle(self, inbound: Inbound, now: dt.datetime,
               then: Callable[[Session, Inbound, Replies], None] | None = None,
               begin: Callable[[Turn], None] | None = None) -> Replies:
        """Handle one update; an update seen before returns no replies and changes nothing.

        ``then`` runs in the same transaction once the replies are known (the intake queues
        them in the outbox there), so the update is handled and answered together or not at
        all. What people typed is cleaned of control characters first. ``begin``, when given,
        is the bot opening a task in this person's chat (``inbound`` names the chat and is its
        own update): it acts instead of the routing, and the person did not write.
        """
        now = now.astimezone(self.calendar.tz)
        inbound = inbound.cleaned()
        with session_scope(self.engine) as session:
            if not claim_update(session, platform=inbound.platform, update_id=inbound.update_id,
                                now=now):
                return Replies()
            if begin is None:
                wrote_again(session, now=now, members=account_rows(
                    session, platform=inbound.platform, user_id=inbound.user_id))
            members = accounts(session, platform=inbound.platform, user_id=inbound.user_id)
            language = members[0][0].language if members else self.default_language
            turn = Turn(session, inbound, now, translator(language), members,
                        load_state(session, platform=inbound.platform, chat_id=inbound.chat_id,
                                   user_id=inbound.user_id),
                        installation=self.installation)
            turn.offers = Offers.load(turn.state, now)
            turn.carried = turn.state.pop("carried", None) or {}
            (begin or self._dispatch)(turn)
            if turn.offers.items:  # only needed to tell a reminder's choices from a reply's
                turn.state[_LAST_TURN] = now.isoformat()
            if turn.stale_choice:
                self._show_current(turn)
            if turn.forgotten:  # the person left isobot: nothing of this chat is kept
                turn.replies.messages = [dataclasses.replace(m, erase_after_sending=True)
                                         for m in turn.replies.messages]
            else:
                turn.offers.store(turn.state)
                save_state(session, platform=inbound.platform, chat_id=inbound.chat_id,
                           user_id=inbound.user_id, state=turn.state, now=now)
            if then is not None:
                then(session, inbound, turn.replies)
            return turn.replies

    # -- routing --------------------------------------------------------------------------

    def _dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        under_way = self._under_way(turn)
        if inbound.choice:
            return self._on_choice(turn, inbound.choice)
        if inbound.file:
            return self._on_file(turn, inbound.file, under_way)
        if inbound.unsupported:  # the choices on offer stay open: a typed answer may follow
            turn.say(turn.tr._("Sorry, I can only read text and photos. To attach a document, "
                               "send a photo of it."))
            return None
        text = (inbound.text or "").strip()
        typed = self.commands.find(text)
        if typed is not None:
            return self._on_command(turn, typed)
        owner, flow = under_way if under_way is not None and turn.members else (None, None)
        if owner is not None and owner.accepts_files(flow) and asks_to_send_a_file(text):
            return turn.say(upload_line(turn))
        # A step that reads typed input (a count, a document line) answers first, unless a
        # message with choices came after its question (/viec's numbered list).
        first = owner is not None and owner.takes_text(flow) \
            and not turn.state.get("offered_last")
        if first and owner.on_flow(turn, flow, text):
            return None
        if self._pick(turn, text):
            return None
        if not turn.members:
            return self.registration.on_stranger_text(turn, text)
        if owner is not None and not first and owner.on_flow(turn, flow, text):
            return None
        return self._on_text(turn, text)

    def _pick(self, turn: Turn, text: str) -> bool:
        """Answer a choice of the last few messages: a number picks from the newest, words
        from the newest that has them. False when ``text`` picks nothing."""
        number = parsing.choice_number(text)
        newest = turn.offers.newest()
        candidates = [newest] if number is not None else turn.offers.newest_first()
        for offer in candidates:
            if offer is None:
                continue
            picked = parsing.match_choice(text, [(i, label, parsing.choice_aliases(i))
                                                 for i, label in offer.choices])
            if picked:
                if number is not None and _came_unasked(turn, offer):
                    # Two lists were open: the person learns which one a bare number answered.
                    turn.say(turn.tr._("“{number}” answers the latest message: {choice}.").format(
                        number=number, choice=dict(offer.choices)[picked]))
                self._on_choice(turn, picked, offer)
                return True
        if number is not None and newest is not None and turn.members:
            turn.say(turn.tr._("There is no choice {n}. Please reply with a number from 1 to "
                               "{count}.").format(n=number, count=len(newest.choices)),
                     tuple(Choice(i, label) for i, label in newest.choices))
            return True
        return False

    def _on_command(self, turn: Turn, typed: Typed) -> None:
        command = typed.command
        if command is None:
            turn.say(turn.tr._("Unknown command. Type /help to see what I can do."))
        elif not command.allows(audiences(turn.members)):
            if turn.members:
                turn.say(turn.tr._(command.refusal))
            else:
                self.registration.say_not_registered(turn)
        else:
            if not command.keeps_flow:
                turn.end_flow()
            command.handler(turn, typed.args)

    def _on_choice(self, turn: Turn, choice: str, offer: Offer | None = None) -> None:
        picked = read_choice_id(choice)
        owner = self._choice_owners.get(picked.action)
        if owner is None:
            Feature.say_stale_choice(turn)
        elif not turn.members and not owner.welcomes_strangers:
            self.registration.say_not_registered(turn)
        else:
            owner.on_choice(turn, picked.action, picked.value)
        if turn.stale_choice:  # that question is closed: its choices are not offered again
            offer = offer or turn.offers.containing(choice)
            if offer is not None:
                turn.offers.drop(offer)

    def _show_current(self, turn: Turn) -> None:
        """After a stale answer: the question under way, else the newest choices still open."""
        under_way = self._under_way(turn)
        if under_way is not None and under_way[0].repeat(turn, under_way[1]):
            return
        newest = turn.offers.newest()
        if newest is not None:
            heading = offer_heading(turn, self.catalog, newest)
            turn.say(heading, tuple(Choice(i, label) for i, label in newest.choices))

    def _on_file(self, turn: Turn, incoming: IncomingFile,
                 under_way: tuple[Feature, Flow[Any, Any]] | None) -> None:
        if not turn.members:
            return self.registration.say_not_registered(turn)
        if not upload_matches(turn, incoming):
            return turn.say(turn.tr._("This link was made for a task that is no longer under "
                                      "way, so the file was not kept. Start the task again and "
                                      "type “gửi tệp” for a new link."))
        if under_way is None and any(f.on_loose_file(turn, incoming) for f in self.features):
            return None
        # With no task under way a file can only be evidence.
        owner, flow = under_way or (self.submission, None)
        owner.on_file(turn, flow, incoming)
        return None

    def _under_way(self, turn: Turn) -> tuple[Feature, Flow[Any, Any]] | None:
        """The task under way and the feature that owns it, kept in this version's shape from
        now on. A task this version cannot read (a feature no longer running, a step it no
        longer has, a draft that does not fit) is dropped: the person starts afresh."""
        raw = turn.state.get("flow")
        if not raw:
            return None
        kind = raw.get("kind", self._unnamed_kind) if isinstance(raw, dict) else None
        owner = self._flow_owners.get(kind) if isinstance(kind, str) else None
        flow = owner.read_flow({**raw, "kind": kind}) if owner is not None else None
        if owner is None or flow is None:
            turn.end_flow()
            return None
        owner.steps_of(flow).save(turn, flow)
        return owner, flow

    def _on_text(self, turn: Turn, text: str) -> None:
        """A reply outside any command or task: what the officer means, in their words."""
        if any(f.on_loose_text(turn, text) for f in self.features):
            return None
        intent = parsing.parse_intent(text, today=turn.today, duties=self.words)
        if intent is not None and intent.action is parsing.Action.HELP:
            return self._help(turn, "")
        if intent is not None and intent.action is parsing.Action.GREETING:
            turn.say(turn.tr._("Hello, {name}! Type /viec to see your open duties, or /nop to "
                               "report one as done.").format(
                name=turn.members[0][0].display_name or turn.tr._("colleague")))
            return None
        if intent is None and parsing.is_courtesy(text):
            turn.say(turn.tr._("You are welcome. Type /viec whenever you need your duties."))
            return None
        if intent is not None and any(f.on_intent(turn, intent) for f in self.features):
            return None
        turn.say(turn.tr._("I did not understand. Type /viec to see your open duties, /nop to "
                           "report one as done, or /help for all commands."))
        return None

    # -- the conversation's own commands --------------------------------------------------

    def _help(self, turn: Turn, args: str) -> None:
        """/help: the commands this person may use."""
        tr = turn.tr
        lines = [tr._("isobot commands:"),
                 *self.commands.help_lines(audiences(turn.members), tr), ""]
        lines.append(tr._("You can also write, for example: “đã nộp báo cáo quý {quarter} số "
                          "{document}”.").format(
            quarter=(turn.today.month - 1) // 3 + 1,
            document=document_example("123/BC-UBND", turn.today, tr)) if turn.members
            else self.registration.not_registered_text(tr))
        turn.say("\n".join(lines))

    def _cancel(self, turn: Turn, args: str) -> None:
        """/huy: drop the task under way."""
        turn.say(turn.tr._("Cancelled. Nothing was recorded.") if turn.end_flow() is not None
                 else turn.tr._("There is nothing to cancel."))


def _came_unasked(turn: Turn, offer: Offer) -> bool:
    """Whether ``offer`` (a reminder's choices) came after the person's last message while an
    older list was still open: a bare number then may have been meant for that list."""
    last = turn.state.get(_LAST_TURN)
    try:
        last_turn = dt.datetime.fromisoformat(last) if isinstance(last, str) else None
    except ValueError:
        last_turn = None
    return len(turn.offers.newest_first()) > 1 and last_turn is not None \
        and offer.at > last_turn
