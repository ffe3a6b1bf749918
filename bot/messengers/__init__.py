"""The installed messengers: one package each, exporting one ``Messenger`` (see ``base``).

To add a messenger, write its package (settings model, client if needed, adapter, connection,
sandbox and phone; see ``ARCHITECTURE.md``) and name it here. The runtime, the CLI, linking and
delivery take the list from :func:`installed` and name no messenger themselves.
"""

from __future__ import annotations

from bot.messengers import telegram, zalo
from bot.messengers.base import Messenger

_INSTALLED: tuple[Messenger, ...] = (telegram.MESSENGER, zalo.MESSENGER)


def installed() -> tuple[Messenger, ...]:
    """Every installed messenger, the default (the demo's) first."""
    return _INSTALLED


def by_name(name: str) -> Messenger:
    """The installed messenger called ``name``."""
    return next(m for m in _INSTALLED if m.name == name)
