"""Joining: ``/start CODE`` (or the bare code, as Zalo users send it), the welcome, and
``/ngonngu``. The rules of invite codes live in :mod:`jobs.people.registration`."""

from __future__ import annotations

import logging

from bot import parsing
from bot.chat.commands import ANYONE, Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from bot.features.linking import link_account
from bot.features.my_duties import duty_line
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.people.personal_data import notice_lines
from jobs.people.registration import (
    WRONG_CODES_ALLOWED,
    blocked_until,
    looks_like_code,
    record_wrong_code,
    redeem_invite,
    role_text,
)
from jobs.planning.duty_events import officer_joined
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_, Translator, translator
from storage.members import accounts, set_language
from storage.models import Member, Role, Unit
from storage.obligations import open_obligations

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
# What may follow /ngonngu to set the language at once (input vocabulary, folded).
_LANGUAGE_NAMES = {"vi": "vi", "tieng viet": "vi", "viet": "vi", "en": "en", "english": "en",
                   "tieng anh": "en", "anh": "en"}
_SHOWN_DUTIES = 8  # a new officer's first look at the unit; /viec lists them all


@feature(110)
class Registration(Feature):
    """Invite codes, the greeting and the language."""

    welcomes_strangers = True

    choices = ("lang",)

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("ngonngu", N_("change language (Tiếng Việt / English)"), ANYONE,
                    self.offer_languages, aliases=("ngôn ngữ", "language"), keeps_flow=True),
            Command("start", N_("register with an invite code"), ANYONE, self.start,
                    aliases=("bắt đầu",), listed_for=frozenset({Audience.UNREGISTERED})),
        )

    def start(self, turn: Turn, args: str) -> None:
        """/start CODE registers; /start alone greets a registered person."""
        if args:
            self.register(turn, args)
        elif not turn.members:
            self.say_not_registered(turn)
        else:
            units = ", ".join(f"{u.name} ({role_text(m.role, turn.tr)})" for m, u in turn.members)
            turn.say(turn.tr._("Hello! Your account is registered with: {units}.").format(
                units=units) + "\n" + turn.tr._("Type /viec to see your open duties, /help for "
                                                "all commands."))

    def on_stranger_text(self, turn: Turn, text: str) -> None:
        """Text from someone not registered: a bare invite code, or anything else."""
        if looks_like_code(text):
            self.register(turn, text)
        else:
            self.say_not_registered(turn)

    def say_not_registered(self, turn: Turn) -> None:
        """Ask a stranger for their invite code."""
        turn.say(self.not_registered_text(turn.tr))

    @staticmethod
    def not_registered_text(tr: Translator) -> str:
        """What a stranger is told: how to register."""
        return tr._("Your account is not registered yet. Please send the invite code you "
                    "received from the ISO standing office, e.g. /start ABCD2345EFGH.")

    def register(self, turn: Turn, code: str) -> None:
        """Redeem ``code``: an invite, or else a link code from the person's other messenger."""
        inbound, tr = turn.inbound, turn.tr
        account = dict(platform=inbound.platform, user_id=inbound.user_id)
        if until := blocked_until(turn.session, **account, now=turn.now):
            turn.say(tr._("Too many wrong codes were sent from this account. For your "
                          "security, codes are not accepted until {time}. If you need help, "
                          "ask the ISO standing office.").format(
                time=tr.datetime(until.astimezone(self.calendar.tz))))
            return
        result = redeem_invite(turn.session, code=code, **account, chat_id=inbound.chat_id,
                               display_name=inbound.display_name, now=turn.now)
        if result.problem == "unknown" and link_account(turn, code):
            return  # a code from /lienket: this account joins the person's other one
        if result.problem == "unknown" and record_wrong_code(turn.session, **account,
                                                             now=turn.now):
            log.warning("%s account %s sent %s wrong codes within an hour: codes refused for "
                        "an hour", inbound.platform, inbound.user_id, WRONG_CODES_ALLOWED)
        if result.problem:
            turn.say({
                "unknown": tr._("This invite code is not valid. Please check it, or ask the ISO "
                                "standing office for a new one."),
                "used": tr._("This invite code has already been used. Please ask the ISO "
                             "standing office for a new one."),
                "expired": tr._("This invite code has expired. Please ask the ISO standing "
                                "office for a new one."),
                "inactive_unit": tr._("The unit of this invite is no longer active. Please ask "
                                      "the ISO standing office for a new code."),
            }[result.problem])
            return
        turn.members = accounts(turn.session, platform=inbound.platform, user_id=inbound.user_id)
        turn.say("\n".join([*self._welcome(turn, result.member, result.unit), "",
                            *notice_lines(turn.tr, operator=turn.installation.operator,
                                          brand=turn.messenger.brand),
                            *self._onboarding(turn, result.member, result.unit)]))
        turn.state.clear()

    def _welcome(self, turn: Turn, member: Member, unit: Unit) -> list[str]:
        tr = turn.tr
        return [
            tr._("Welcome, {name}!").format(name=turn.inbound.display_name or tr._("colleague")),
            tr._("Your account is now registered with {unit} as {role}.").format(
                unit=unit.name, role=role_text(member.role, tr)),
            "",
            tr._("isobot will:"),
            tr._("• remind you before and after each ISO 9001 deadline, with a checklist;"),
            tr._("• record the reports, audits and reviews you submit, and give you a receipt;"),
            tr._("• tell the unit head and the standing office when a duty is overdue."),
            "",
            tr._("Type /viec to see your open duties, /help for all commands."),
        ]

    def _onboarding(self, turn: Turn, member: Member, unit: Unit) -> list[str]:
        """A new officer's first look at the unit's open duties, and their training duty."""
        if member.role != Role.OFFICER:
            return []
        officer_joined(turn.session, member=member, now=turn.now, catalog=self.catalog,
                       calendar=self.calendar)
        known = set(self.catalog.keys())
        rows = [(o, u) for o, u in open_obligations(turn.session, unit_ids=[unit.id])
                if o.duty_key in known]
        lines = ["", turn.tr.ngettext("{unit} has {n} open duty:", "{unit} has {n} open duties:",
                                      len(rows)).format(unit=unit.name, n=len(rows))]
        lines += [f"• {duty_line(o, u, turn, self.catalog)}" for o, u in rows[:_SHOWN_DUTIES]]
        if len(rows) > _SHOWN_DUTIES:
            lines.append(turn.tr._("… and {n} more: type /viec.").format(
                n=len(rows) - _SHOWN_DUTIES))
        return lines

    def offer_languages(self, turn: Turn, args: str) -> None:
        """/ngonngu: Vietnamese or English; "/ngonngu en" sets it at once."""
        named = _LANGUAGE_NAMES.get(parsing.fold(args).strip())
        if named is not None:
            self.on_choice(turn, "lang", named)
            return
        turn.say(turn.tr._("Choose a language:"),
                 (Choice(choice_id("lang", "vi"), "Tiếng Việt"),
                  Choice(choice_id("lang", "en"), "English")))

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """The language picked."""
        if value not in LANGUAGES:
            self.say_stale_choice(turn)
            return
        set_language(turn.session, platform=turn.inbound.platform, user_id=turn.inbound.user_id,
                     language=value)
        turn.tr = translator(value)
        turn.say(turn.tr._("Language set to English.") if value == "en"
                 else turn.tr._("Language set to Vietnamese."))
