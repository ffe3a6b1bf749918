"""``/tongquan``: a supervisor's link to the page of their units at a glance.

The link is the person's own (their messenger account, signed), in their language, and works
for ``ISOBOT_PAGE_LINK_HOURS`` on the bot's clock; what it shows is read again from their
supervisor memberships each time it is opened (:mod:`bot.runtime.supervisor_page`).
"""

from __future__ import annotations

from bot.chat.commands import Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from bot.features.supervisor.addressing import SUPERVISORS, SUPERVISORS_ONLY
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Message
from jobs.text.i18n import N_


@feature(95)
class Overview(Feature):
    """The supervisors' page, opened from the chat."""

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("tongquan", N_("a page with every unit you supervise against this year's "
                                   "duties"), SUPERVISORS, self.link,
                    aliases=("tong quan", "tổng quan"), refusal=SUPERVISORS_ONLY),
        )

    def link(self, turn: Turn, args: str) -> None:
        """/tongquan: the person's link to the page."""
        tr = turn.tr
        if turn.installation.pages is None:
            turn.say(tr._("The page is not available: isobot has no public web address. "
                          "Please tell the operator."))
            return
        inbound = turn.inbound
        url = turn.installation.pages.url(inbound.platform, inbound.user_id, tr.lang, turn.now)
        text = tr._("Your units at a glance (works for {hours} hours, for you only; do not "
                    "pass it on): {url}").format(hours=turn.installation.pages.hours(), url=url)
        turn.reply(Message(text, page_button=self._app_button(turn)))

    @staticmethod
    def _app_button(turn: Turn) -> tuple[str, str]:
        """The page as a Mini App, in a private chat: messengers open only HTTPS ones."""
        inbound, app = turn.inbound, turn.installation.pages.app_url(turn.inbound.platform)
        capabilities = turn.installation.messengers.get(inbound.platform)
        if not app.startswith("https://") or (capabilities and
                                              capabilities.is_group(inbound.chat_id)):
            return ()
        return turn.tr._("Open the page"), app
