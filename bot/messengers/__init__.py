"""The installed messengers: one package each, exporting one ``Messenger`` (see ``base``).

The runtime, the CLI, the demo, linking and delivery take the list from :func:`installed` and
name no messenger themselves (``tests/unit/test_layering.py`` keeps it so). To add one, copy
the shape of ``zalo/`` (the smaller) into ``bot/messengers/<name>/``:

- ``settings.py``: its part of the one settings object (token, base URL, rates), ``SETTINGS``;
  it imports nothing of its messenger, read by every command;
- ``messenger.py``: its facts (:class:`~jobs.delivery.transport.Capabilities`, rate limits, webhook
  path and secret header) and ``MESSENGER``, the object the runtime loops over;
- ``client.py`` if no maintained client exists; ``adapter.py``: updates to ``Inbound`` and
  ``Message`` to the platform, and the delivery transport mapping its errors to delivery's;
- ``connection.py``: connect, listen (long polling or webhook), stop;
- ``sandbox.py``: the platform on 127.0.0.1 for tests, on :mod:`bot.messengers.sandbox`;
- ``phone.py``: the person's side of the sandbox for ``isobot demo --messenger <name>``;

then name the package below, add its test support beside ``tests/support/zalo.py``, and the
translations of any text its adapter writes. ``tests/support/fake_messenger.py`` is the least
that works.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

    from bot.messengers.base import Messenger

#: The installed messengers' packages under ``bot/messengers/``, the default (the demo's) first.
_PACKAGES = ("zalo", "telegram")


@functools.cache
def installed() -> tuple[Messenger, ...]:
    """Every installed messenger, the default (the demo's) first."""
    return tuple(importlib.import_module(f"{__name__}.{package}.messenger").MESSENGER
                 for package in _PACKAGES)


def settings_models() -> tuple[type[BaseSettings], ...]:
    """Each installed messenger's settings model (its ``settings.SETTINGS``), in the order of
    :func:`installed`, read without loading the messenger: every command reads the settings,
    few send (a messenger brings its client and delivery)."""
    return tuple(importlib.import_module(f"{__name__}.{package}.settings").SETTINGS
                 for package in _PACKAGES)


def by_name(name: str) -> Messenger:
    """The installed messenger called ``name``."""
    return next(m for m in installed() if m.name == name)
