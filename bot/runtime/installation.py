"""What the settings make of this installation: the messengers' capabilities, the operator, the
web server's links (files sent in, the supervisors' page) and the messengers' mini apps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.chat.installation import Installation
from bot.messengers.base import Messenger
from bot.messengers.joining import join_ways
from bot.settings import Settings
from jobs.evidence.upload_links import UploadLinks
from jobs.people.personal_data import Operator
from jobs.supervision.page_access import MiniApp, PageLinks


def installation_of(settings: Settings, messengers: Sequence[Messenger]) -> Installation:
    """The conversation's view of this installation, built once at start."""
    base, key = settings.public_base_url(), settings.link_signing_key()
    linked = bool(base and key)  # without a public address, no link can be made
    return Installation(
        messengers={m.name: m.capabilities for m in messengers},
        operator=Operator(settings.operator_name, settings.operator_contact),
        uploads=UploadLinks(base, key, dt.timedelta(minutes=settings.upload_link_minutes))
        if linked else None,
        pages=PageLinks(base, key, dt.timedelta(hours=settings.page_link_hours))
        if linked else None,
        join_ways=join_ways(settings))


def mini_apps(settings: Settings, messengers: Sequence[Messenger]) -> dict[str, MiniApp]:
    """The enabled messengers that open pages inside themselves with data they sign (an
    optional part of a messenger: ``mini_app(settings)``)."""
    apps = {}
    for messenger in messengers:
        app_of = getattr(messenger, "mini_app", None)
        app = app_of(settings) if app_of and messenger.enabled(settings) else None
        if app is not None:
            apps[messenger.name] = app
    return apps
