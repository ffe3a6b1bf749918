"""Who may open the supervisors' page (``/tongquan``): a signed link. Pure: the key and the
moment are passed in.

A link is bound to one messenger account (platform and user id) and expires on the bot's
clock; it carries no unit: the scope is read again from the account's supervisor memberships on
every request, so a supervisor who leaves sees nothing the next time. A messenger that opens
pages inside itself with data it signed (a Mini App) reaches the same link through
``APP_PATH<platform>``: its own package checks that data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from jobs.evidence.signed import seal, unseal

_PURPOSE = b"isobot supervisor page"
PAGE_PATH = "/tongquan/"
#: Where a messenger's Mini App opens: its platform key follows.
APP_PATH = PAGE_PATH + "app/"


@dataclass(frozen=True)
class MiniApp:
    """How a messenger opens pages inside itself: ``opened_by`` reads the data it signed (the
    address's fragment) at a moment and gives the account's user id, or None when the data
    is not genuine or not fresh; ``frame_origins`` are the web clients that frame the page."""

    opened_by: Callable[[str, dt.datetime], str | None]
    frame_origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageGrant:
    """Whose page a link opens, in which language, until when."""

    platform: str
    user_id: str
    lang: str
    expires: dt.datetime


def sign_page(grant: PageGrant, *, secret: bytes) -> str:
    """A token for ``grant``."""
    return seal([grant.platform, grant.user_id, grant.lang,
                 str(int(grant.expires.timestamp()))], secret=secret, purpose=_PURPOSE)


def read_page(token: str, *, secret: bytes, now: dt.datetime) -> PageGrant | None:
    """The grant ``token`` carries; None when it is forged, altered, of another purpose or
    expired at ``now``."""
    fields = unseal(token, secret=secret, purpose=_PURPOSE)
    if fields is None or len(fields) != 4:
        return None
    platform, user_id, lang, moment = fields
    try:
        expires = dt.datetime.fromtimestamp(int(moment), tz=dt.UTC)
    except (ValueError, OverflowError):
        return None
    return PageGrant(platform, user_id, lang, expires) if now < expires else None


@dataclass(frozen=True)
class PageLinks:
    """Makes the links: isobot's public address, the signing key, how long a link works."""

    base_url: str
    secret: bytes
    validity: dt.timedelta

    def url(self, platform: str, user_id: str, lang: str, now: dt.datetime) -> str:
        """The page's address for this account, from ``now`` for :attr:`validity`."""
        token = sign_page(PageGrant(platform, user_id, lang, now + self.validity),
                          secret=self.secret)
        return f"{self.base_url.rstrip('/')}{PAGE_PATH}{token}"

    def app_url(self, platform: str) -> str:
        """Where ``platform``'s Mini App opens the page (it names nobody: the messenger's
        signed data does)."""
        return f"{self.base_url.rstrip('/')}{APP_PATH}{platform}"

    def hours(self) -> int:
        """How many hours a link works."""
        return int(self.validity.total_seconds() // 3600)

