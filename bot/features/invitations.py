"""``/moi``: a supervisor's invitation codes for the units they supervise that have not joined.

Each unit of the supervised subtrees without an ISO officer gets a code (a code still open is
handed out again), on an Excel sheet and on cards to print (:mod:`jobs.people.invitations`):
documents on Telegram, links on isobot's web server on Zalo (the delivery of any attachment).
``/moi lai`` makes new codes for all of them; when some are open, it asks first, since the
cards already handed out then stop working.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.flow import END, Answer, Next, On, Steps, choose_again
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Attachment, Choice, Message
from jobs.people.invitations import Invitation, InvitationRequest, issue_invitations
from jobs.text.choice_ids import choice_id
from jobs.text.folding import fold
from jobs.text.i18n import N_
from storage.absences import staffed_units
from storage.invitations import open_invites
from storage.models import Role, Unit
from storage.units import all_units, below, tree_order, unit_children

KIND = "invitations"
AGAIN_WORDS = ("lai", "again")


class Step(StrEnum):
    """What is asked next. Stored in the chat state: the values never change."""

    CONFIRM = "confirm"  # revoke the open codes and make new ones?


@dataclass
class Renewal:
    """Nothing to keep between the question and the answer: the units are read again."""


@feature(75)
class Invitations(Feature):
    """``/moi``: invitation codes for the units in a supervisor's scope that have not joined."""

    choices = ("moi-ok",)

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("moi", N_("invitation codes (Excel and cards to print) for the units you "
                              "supervise that have no ISO officer yet"),
                    {Audience.SUPERVISOR}, self.begin, aliases=("mời",),
                    refusal=N_("Only the ISO standing office (supervisors) can hand out "
                               "invitation codes. Nothing was made.")),
        )
        self.steps = Steps(KIND, Renewal, {Step.CONFIRM: On(self._take_confirm,
                                                            self._ask_confirm)})
        self.flows = (self.steps,)

    def begin(self, turn: Turn, args: str) -> None:
        """/moi, or /moi lai for new codes."""
        units = self._not_joined(turn)
        if not units:
            turn.say(turn.tr._("Every unit you supervise has an ISO officer: no invitation is "
                               "needed."))
            return
        if fold(args.strip()) not in AGAIN_WORDS:
            self._send(turn, units, again=False)
        elif open_invites(turn.session, unit_ids=[u.id for u in units], role=Role.OFFICER,
                          now=turn.now):
            self.steps.start(turn, Renewal(), Step.CONFIRM)
        else:
            self._send(turn, units, again=True)

    def _ask_confirm(self, turn: Turn, draft: Renewal) -> None:
        tr = turn.tr
        units = self._not_joined(turn)
        count = len(open_invites(turn.session, unit_ids=[u.id for u in units],
                                 role=Role.OFFICER, now=turn.now))
        turn.say(tr.ngettext(
            "{n} invitation code is still open. Make new codes? The open one will stop working, "
            "printed cards included.",
            "{n} invitation codes are still open. Make new codes? The open ones will stop "
            "working, printed cards included.", count).format(n=count), (
            Choice(choice_id("moi-ok", "yes"), tr._("Make new codes")),
            Choice(choice_id("moi-ok", "no"), tr._("Cancel"))))

    def _take_confirm(self, turn: Turn, draft: Renewal, answer: Answer) -> Next:
        if answer.chose("moi-ok", "no"):
            turn.say(turn.tr._("Cancelled. The open codes still work."))
            return END
        if not answer.chose("moi-ok", "yes"):
            return choose_again(turn)
        units = self._not_joined(turn)
        if units:
            self._send(turn, units, again=True)
        return END

    def _not_joined(self, turn: Turn) -> list[Unit]:
        """The active units of the person's supervised subtrees without an ISO officer."""
        tree = unit_children(turn.session)
        scope: set[int] = set()
        for member, unit in turn.members:
            if member.role == Role.SUPERVISOR:
                scope |= below(tree, unit.id)
        staffed = staffed_units(turn.session)
        return [u for u, _ in tree_order(all_units(turn.session, active_only=True))
                if u.id in scope and u.id not in staffed]

    def _send(self, turn: Turn, units: list[Unit], *, again: bool) -> None:
        tr = turn.tr
        invitations = issue_invitations(turn.session, request=InvitationRequest(
            units, Role.OFFICER, again=again), now=turn.now)
        text = "\n".join([
            tr.ngettext("Invitation codes for {n} unit without an ISO officer: the Excel sheet "
                        "and the cards to print and cut.",
                        "Invitation codes for {n} units without an ISO officer: the Excel sheet "
                        "and the cards to print and cut.", len(invitations)).format(
                n=len(invitations)),
            tr._("Each code works once. Type /moi lai for new codes.")])
        turn.reply(Message(text, attachments=self._files(turn, invitations), lang=tr.lang))

    def _files(self, turn: Turn, invitations: list[Invitation]) -> tuple[Attachment, ...]:
        # Imported when first asked for: the PDF and QR libraries would add a second to every
        # start of the bot, for a command a supervisor uses a few times a year.
        from jobs.people.invitation_sheets import write_invitation_cards, write_invitation_sheet

        tr, day = turn.tr, f"{turn.today:%Y%m%d}"
        sheet, cards = io.BytesIO(), io.BytesIO()
        write_invitation_sheet(invitations, turn.installation.join_ways, sheet, tr)
        write_invitation_cards(invitations, turn.installation.join_ways, cards, tr)
        return (Attachment("document", f"isobot-invitations-{day}.xlsx", sheet.getvalue()),
                Attachment("document", f"isobot-invitation-cards-{day}.pdf", cards.getvalue()))
