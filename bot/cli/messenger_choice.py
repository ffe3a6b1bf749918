"""``--messenger NAME``: one of the installed messengers, by name.

Apart from :mod:`bot.cli.context` because naming them loads them (their clients, delivery):
only the commands that take the option pay for it.
"""

from __future__ import annotations

from enum import StrEnum

from bot.messengers import installed

# The installed messengers, by name (`--messenger NAME`).
MessengerName = StrEnum("MessengerName", {m.name: m.name for m in installed()})
