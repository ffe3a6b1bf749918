"""``/dulieu`` (what isobot holds about me) and ``/roi`` (leave isobot), a conversation feature.

The rules, and the law behind them, are in :mod:`jobs.people.personal_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.flow import DROP, END, Answer, Next, On, Steps
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.delivery.offers import Offers
from jobs.people.personal_data import forget_person, personal_record, record_lines
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_

KIND = "leave"  # the flow: /roi asked, the answer awaited


class Step(StrEnum):
    """What the person is asked. Stored in the chat state: the values never change."""

    ASKED = "asked"  # leave isobot, or stay?


@dataclass
class Leaving:
    """Nothing to keep but the question under way."""


@feature(100)
class PersonalData(Feature):
    """A person's own data: see it, or leave isobot."""

    choices = ("leave", "stay")

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("dulieu", N_("what isobot holds about you"), {Audience.EVERYONE},
                    self.show, aliases=("dữ liệu", "my data")),
            # "roi" alone is "rồi" (done, already) without its marks: only "/roi" or the words.
            Command("roi", N_("leave isobot (your reports stay with your unit)"),
                    {Audience.EVERYONE}, self.ask, aliases=("rời isobot", "leave isobot"),
                    needs_slash=True),
        )
        self.steps = Steps(KIND, Leaving, {Step.ASKED: On(self._answer, self._ask)})
        self.flows = (self.steps,)

    def show(self, turn: Turn, args: str) -> None:
        """/dulieu: what isobot holds about this person, on every account they linked."""
        inbound = turn.inbound
        record = personal_record(turn.session, platform=inbound.platform,
                                 user_id=inbound.user_id)
        lines = record_lines(record, turn.tr, brand=turn.brand, tz=self.calendar.tz)
        lines += ["", turn.tr._("To correct your name or your units, ask the ISO standing "
                                "office; to leave isobot, type /roi.")]
        turn.say("\n".join(lines))

    def ask(self, turn: Turn, args: str) -> None:
        """/roi: what leaving means, and a confirmation."""
        self.steps.start(turn, Leaving(), Step.ASKED)

    def _ask(self, turn: Turn, draft: Leaving) -> None:
        tr = turn.tr
        turn.say("\n".join([
            tr._("Do you want to leave isobot?"),
            tr._("isobot will no longer write to you; you will no longer act for your units "
                 "here; your name, your conversation and the messages not yet sent to you are "
                 "erased. The reports you logged stay in your unit's records. To come back, "
                 "you will need a new invite code."),
        ]), (Choice(choice_id("leave", "yes"), tr._("Leave isobot")),
             Choice(choice_id("stay", "yes"), tr._("Stay"))))

    def _answer(self, turn: Turn, draft: Leaving, answer: Answer) -> Next:
        """Leave, or stay; anything else drops the question and is read as usual."""
        if answer.chose("stay"):
            turn.say(turn.tr._("You stay registered; nothing was changed."))
            return END
        if not answer.chose("leave"):
            return DROP
        inbound = turn.inbound
        forget_person(turn.session, platform=inbound.platform, user_id=inbound.user_id,
                      by=f"{inbound.platform}:{inbound.user_id}", now=turn.now,
                      calendar=self.calendar)
        # The conversation saves this turn's state after the handler: nothing of it is kept.
        turn.state.clear()
        turn.offers = Offers()
        turn.members = []
        turn.say(turn.tr._("You have left isobot. Your reports stay in your unit's records; "
                           "the rest was erased. Thank you for your work."))
        return END
