"""How a person joins on each installed messenger, for sheets and cards of invite codes.

A messenger's invite link is made once, with a mark where the code goes, and the code put in
for each card: asking Telegram for the bot's name (when it is not configured) happens once per
sheet, not once per unit.
"""

from __future__ import annotations

from functools import cache

from bot.messengers import installed
from bot.messengers.base import Messenger
from bot.settings import Settings
from jobs.people.invitations import JoinWay

_MARK = "ISOBOTINVITECODE"


def join_ways(settings: Settings) -> tuple[JoinWay, ...]:
    """Every installed messenger's way to join, in :func:`installed` order."""
    return tuple(_join_way(m, settings) for m in installed())


def _join_way(messenger: Messenger, settings: Settings) -> JoinWay:
    @cache
    def template() -> str | None:
        if not messenger.capabilities.deep_links:
            return None
        return messenger.invite_link(settings, _MARK)

    def link(code: str) -> str | None:
        made = template()
        return made.replace(_MARK, code) if made else None

    return JoinWay(messenger.capabilities.brand, link)
