"""``/lienket`` and ``/kenh``: one person on Telegram and on Zalo, reminders where they choose.

A conversation feature (see :class:`bot.chat.feature.Feature`). ``/lienket`` on one messenger
gives a single-use code; ``/start CODE`` (or the bare code) sent from the other messenger gives
that account the same units and roles. ``/kenh`` then chooses where reminders go. The rules
live in :mod:`jobs.people.linking`.
"""

from __future__ import annotations

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.people.linking import (
    LINK_VALID,
    choose_channel,
    create_link_code,
    linked_rows,
    redeem_link,
)
from jobs.people.personal_data import notice_lines
from jobs.people.registration import role_text
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_, translator
from storage.members import accounts


def _other(turn: Turn, platform: str) -> str:
    """The other installed messengers' names, e.g. for "link your ... account"."""
    return " / ".join(turn.brand(p) for p in turn.installation.messengers if p != platform)


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
                platform=turn.brand(inbound.platform)),
            "inactive": tr._("The account that made this code no longer acts for any active "
                             "unit. Please ask the ISO standing office for an invite code."),
        }[result.problem])
        return True
    turn.members = accounts(turn.session, platform=inbound.platform, user_id=inbound.user_id)
    turn.tr = tr = translator(result.members[0][0].language)
    units = ", ".join(f"{u.name} ({role_text(m.role, tr)})" for m, u in result.members)
    turn.state.clear()
    turn.say("\n".join([
        tr._("Linked: this {platform} account now acts for {units}, like your {other} "
             "account.").format(platform=turn.brand(inbound.platform), units=units,
                                other=turn.brand(result.other_platform or "")),
        tr._("Reminders will come on both. Type /kenh to choose where they go."), "",
        *notice_lines(tr, operator=turn.installation.operator, brand=turn.brand(inbound.platform)),
    ]))
    return True


@feature(80)
class AccountLinking(Feature):
    """The conversation feature behind ``/lienket`` and ``/kenh``."""

    choices = ("channel",)

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("lienket", N_("use isobot on your other messenger too (Telegram / Zalo)"),
                    {Audience.EVERYONE}, self.link, aliases=("liên kết",)),
            Command("kenh", N_("choose the messenger that gets your reminders"),
                    {Audience.EVERYONE}, self.offer_channels, aliases=("kênh",)),
        )

    def link(self, turn: Turn, args: str) -> None:
        """/lienket gives a code; /lienket CODE redeems one."""
        if args and link_account(turn, args):
            return
        if args:
            turn.say(turn.tr._("This link code is not valid. Type /lienket on your other "
                               "messenger for a new one."))
            return
        self._give_code(turn)

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """The messenger picked for reminders."""
        self._choose(turn, value)

    def _give_code(self, turn: Turn) -> None:
        tr, platform = turn.tr, turn.inbound.platform
        link = create_link_code(turn.session, member=turn.members[0][0], now=turn.now)
        turn.say(tr._("To get isobot's messages on {other} too, send isobot the next message "
                      "from your {other} account within {minutes} minutes. The code works "
                      "once.").format(other=_other(turn, platform),
                                      minutes=int(LINK_VALID.total_seconds() // 60)))
        turn.say(f"/start {link.code}")

    def _platforms(self, turn: Turn) -> tuple[list[str], list[str]]:
        """The person's messengers, and those that receive reminders now."""
        rows = [r for r in linked_rows(turn.session, [m for m, _ in turn.members]) if r.active]
        platforms = sorted({r.platform for r in rows})
        receiving = sorted({r.platform for r in rows if r.receives_reminders}) or platforms
        return platforms, receiving

    def offer_channels(self, turn: Turn, args: str) -> None:
        """/kenh: where reminders go."""
        tr = turn.tr
        platforms, receiving = self._platforms(turn)
        if len(platforms) < 2:
            turn.say(tr._("Your {platform} account is not linked to another messenger yet. Type "
                          "/lienket to link your {other} account; then you can choose where "
                          "reminders go.").format(platform=turn.brand(turn.inbound.platform),
                                                  other=_other(turn, turn.inbound.platform)))
            return
        now = " + ".join(turn.brand(p) for p in receiving)
        choices = tuple(Choice(choice_id("channel", p), turn.brand(p)) for p in platforms)
        turn.say(tr._("Where should isobot send your reminders? Now: {now}.").format(now=now),
                 (*choices, Choice(choice_id("channel", "both"), tr._("Both"))))

    def _choose(self, turn: Turn, value: str) -> None:
        tr = turn.tr
        platforms, _ = self._platforms(turn)
        if value != "both" and value not in platforms:
            turn.say(tr._("This choice is no longer valid. Type /kenh to choose again."))
            return
        wanted = platforms if value == "both" else [value]
        choose_channel(turn.session, members=[m for m, _ in turn.members],
                       platforms=None if value == "both" else wanted)
        turn.say(tr._("Done: reminders will go to {where}.").format(
            where=" + ".join(turn.brand(p) for p in wanted)))
