"""``/lienket`` and ``/kenh``: one person on Telegram and on Zalo, reminders where they choose.

A conversation feature (see :class:`bot.conversation.Feature`). ``/lienket`` on one messenger
gives a single-use code; ``/start CODE`` (or the bare code) sent from the other messenger gives
that account the same units and roles. ``/kenh`` then chooses where reminders go. The rules
live in :mod:`jobs.linking`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobs.i18n import translator
from jobs.linking import (
    LINK_VALID,
    choose_channel,
    create_link_code,
    linked_rows,
    redeem_link,
)
from jobs.messages import Choice
from storage.members import accounts

if TYPE_CHECKING:
    from bot.conversation import Turn

def _name(turn: Turn, platform: str) -> str:
    """The messenger's brand name (not translated), as its plug-in declares it."""
    known = turn.messengers.get(platform)
    return known.brand if known else platform.capitalize()


def _other(turn: Turn, platform: str) -> str:
    return " / ".join(c.brand for key, c in turn.messengers.items() if key != platform)


def link_account(turn: Turn, code: str) -> bool:
    """Redeem ``code`` as a link code for this account; False when it is not one."""
    inbound = turn.inbound
    result = redeem_link(turn.session, code=code, platform=inbound.platform,
                         user_id=inbound.user_id, chat_id=inbound.chat_id,
                         display_name=inbound.display_name, now=turn.now)
    if result.problem == "unknown":
        return False
    tr = turn.tr
    if result.problem:
        turn.say({
            "used": tr._("This link code has already been used. Type /lienket on your other "
                         "messenger for a new one."),
            "expired": tr._("This link code has expired. Type /lienket on your other messenger "
                            "for a new one."),
            "same_messenger": tr._("This code links your account on another messenger: please "
                                   "send it to isobot from there, not from {platform}.").format(
                platform=_name(turn, inbound.platform)),
            "inactive": tr._("The account that made this code no longer acts for any active "
                             "unit. Please ask the ISO standing office for an invite code."),
        }[result.problem])
        return True
    from bot.conversation import role_text  # the conversation imports this module

    turn.members = accounts(turn.session, platform=inbound.platform, user_id=inbound.user_id)
    turn.tr = tr = translator(result.members[0][0].language)
    units = ", ".join(f"{u.name} ({role_text(m.role, tr)})" for m, u in result.members)
    turn.state.clear()
    turn.say("\n".join([
        tr._("Linked: this {platform} account now acts for {units}, like your {other} "
             "account.").format(platform=_name(turn, inbound.platform), units=units,
                                other=_name(turn, result.other_platform or "")),
        tr._("Reminders will come on both. Type /kenh to choose where they go."),
    ]))
    return True


class AccountLinking:
    """The conversation feature behind ``/lienket`` and ``/kenh``."""

    commands = ("lienket", "kenh")

    def on_command(self, turn: Turn, command: str, args: str) -> bool:
        if command == "lienket":
            if args and link_account(turn, args):
                return True
            if args:
                turn.say(turn.tr._("This link code is not valid. Type /lienket on your other "
                                   "messenger for a new one."))
                return True
            return self._give_code(turn)
        if command == "kenh":
            return self._offer_channels(turn)
        return False

    def on_choice(self, turn: Turn, action: str, value: str) -> bool:
        if action != "channel":
            return False
        return self._choose(turn, value)

    def on_flow(self, turn: Turn, flow: dict[str, Any], text: str, action: str | None) -> bool:
        return False  # no multi-step flow: a code and a choice are enough

    def help_lines(self, turn: Turn) -> list[str]:
        """/lienket and /kenh, for everyone."""
        return [
            "/lienket — " + turn.tr._("use isobot on your other messenger too (Telegram / Zalo)"),
            "/kenh — " + turn.tr._("choose the messenger that gets your reminders"),
        ]

    def _give_code(self, turn: Turn) -> bool:
        tr, platform = turn.tr, turn.inbound.platform
        link = create_link_code(turn.session, member=turn.members[0][0], now=turn.now)
        turn.say(tr._("To get isobot's messages on {other} too, send isobot the next message "
                      "from your {other} account within {minutes} minutes. The code works "
                      "once.").format(other=_other(turn, platform),
                                      minutes=int(LINK_VALID.total_seconds() // 60)))
        turn.say(f"/start {link.code}")
        return True

    def _platforms(self, turn: Turn) -> tuple[list[str], list[str]]:
        """The person's messengers, and those that receive reminders now."""
        rows = [r for r in linked_rows(turn.session, [m for m, _ in turn.members]) if r.active]
        platforms = sorted({r.platform for r in rows})
        receiving = sorted({r.platform for r in rows if r.receives_reminders}) or platforms
        return platforms, receiving

    def _offer_channels(self, turn: Turn) -> bool:
        tr = turn.tr
        platforms, receiving = self._platforms(turn)
        if len(platforms) < 2:
            turn.say(tr._("Your {platform} account is not linked to another messenger yet. Type "
                          "/lienket to link your {other} account; then you can choose where "
                          "reminders go.").format(platform=_name(turn, turn.inbound.platform),
                                                  other=_other(turn, turn.inbound.platform)))
            return True
        now = " + ".join(_name(turn, p) for p in receiving)
        choices = tuple(Choice(f"channel:{p}", _name(turn, p)) for p in platforms)
        turn.say(tr._("Where should isobot send your reminders? Now: {now}.").format(now=now),
                 (*choices, Choice("channel:both", tr._("Both"))))
        return True

    def _choose(self, turn: Turn, value: str) -> bool:
        tr = turn.tr
        platforms, _ = self._platforms(turn)
        if value != "both" and value not in platforms:
            turn.say(tr._("This choice is no longer valid. Type /kenh to choose again."))
            return True
        wanted = platforms if value == "both" else [value]
        choose_channel(turn.session, members=[m for m, _ in turn.members],
                       platforms=None if value == "both" else wanted)
        turn.say(tr._("Done: reminders will go to {where}.").format(
            where=" + ".join(_name(turn, p) for p in wanted)))
        return True
