"""Telegram's Mini Apps: the account a Mini App was opened by, from the data Telegram signed.

Telegram passes a Mini App its ``initData`` in the address's fragment (``tgWebAppData``) and
signs it with a key derived from the bot's token, as core.telegram.org/bots/webapps,
"Validating data received via the Mini App", describes: the key is HMAC-SHA256 of the token
under "WebAppData"; the hash is HMAC-SHA256, under that key, of every other field as
``key=value`` sorted by key, one a line. Pure: the token and the moment are passed in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import parse_qsl

#: How old signed data may be: the Mini App asks for its link as it opens.
MAX_AGE = dt.timedelta(hours=1)
_CLOCK_SKEW = dt.timedelta(minutes=5)


def mini_app_user(fragment: str, *, bot_token: str, now: dt.datetime,
                  max_age: dt.timedelta = MAX_AGE) -> str | None:
    """The Telegram user id the Mini App's address ``fragment`` (or its bare ``initData``)
    names when Telegram signed it for this bot at most ``max_age`` before ``now``; None
    otherwise."""
    outer = _pairs(fragment)
    init_data = outer.get("tgWebAppData", fragment) if outer else fragment
    pairs = _pairs(init_data)
    if pairs is None:
        return None
    given = pairs.pop("hash", "")
    checked = "\n".join(f"{key}={pairs[key]}" for key in sorted(pairs))
    key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, checked.encode(), hashlib.sha256).hexdigest()
    if not given or not hmac.compare_digest(given, expected):
        return None
    try:
        signed_at = dt.datetime.fromtimestamp(int(pairs["auth_date"]), tz=dt.UTC)
        user_id = json.loads(pairs["user"])["id"]
    except (KeyError, ValueError, TypeError, OverflowError):
        return None
    if not -_CLOCK_SKEW <= now - signed_at <= max_age:
        return None
    return str(user_id)


def _pairs(query: str) -> dict[str, str] | None:
    try:
        return dict(parse_qsl(query, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return None
