"""The Zalo Bot Platform's error answers, and the exception each one becomes.

An error answer is ``{"ok": false, "error_code": int, "description": str}``; the reference
(bot.zaloplatforms.com/docs, 10/12/2025) lists 400 bad request, 401 bad token, 403, 404,
408 timeout and 429 quota exceeded, and documents no code for a user who blocked the bot.
"""

from __future__ import annotations

import re
from typing import Any, Final

# Documented descriptions are scarce, so match the wordings a "no such recipient" answer is
# known to take on this platform family (Telegram-style and Zalo OA-style).
_NOT_FOUND_RE: Final = re.compile(
    r"(chat|user|recipient|receiver)[\s_-]*(id[\s_-]*)?(is[\s_-]*)?"
    r"(not[\s_-]*found|not[\s_-]*exist|does[\s_-]*not[\s_-]*exist|invalid)"
    r"|invalid[\s_-]*(user|chat|recipient|receiver)",
    re.IGNORECASE,
)
_BLOCKED_RE: Final = re.compile(r"blocked|deactivated|not[\s_-]*a[\s_-]*follower", re.IGNORECASE)


class ZaloError(Exception):
    """An error answer from the Zalo Bot API (or a failure to get one)."""

    def __init__(self, code: int | None, description: str, *, method: str | None = None) -> None:
        super().__init__(code, description)
        self.code = code
        self.description = description
        self.method = method

    def __str__(self) -> str:
        where = f" ({self.method})" if self.method else ""
        code = f" {self.code}" if self.code is not None else ""
        return f"Zalo API error{code}{where}: {self.description}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, description={self.description!r})"


class ZaloUnauthorized(ZaloError):
    """The bot token was refused (401)."""


class ZaloRateLimited(ZaloError):
    """Too many requests (429); ``retry_after`` is in seconds when the server gave one."""

    def __init__(
        self,
        code: int | None,
        description: str,
        *,
        method: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, description, method=method)
        self.retry_after = retry_after


class ZaloRecipientGone(ZaloError):
    """The recipient cannot be reached any more: stop sending and tell a supervisor."""


class ZaloChatNotFound(ZaloRecipientGone):
    """The chat or user id is unknown or invalid."""


class ZaloForbidden(ZaloRecipientGone):
    """The user blocked the bot or may not be messaged (403)."""


class ZaloBadRequest(ZaloError):
    """The request was malformed or refused (400) for a reason other than the recipient."""


class ZaloConflict(ZaloError):
    """The call conflicts with the bot's state, e.g. getUpdates while a webhook is set (409)."""


class ZaloServerError(ZaloError):
    """The platform failed (5xx): retry later with backoff."""


class ZaloNetworkError(ZaloError):
    """No answer: timeout, refused connection, broken stream."""


class ZaloDownloadTooLarge(ZaloError):
    """A download was larger than the allowed maximum; reading stopped at the limit."""

    def __init__(self, max_bytes: int, size: int | None = None) -> None:
        seen = f" (at least {size} bytes)" if size is not None else ""
        super().__init__(None, f"file is larger than the {max_bytes}-byte limit{seen}")
        self.max_bytes = max_bytes
        self.size = size


def error_for(code: int | None, description: str, *, method: str,
              retry_after: float | None = None) -> ZaloError:
    """The most specific exception for an error answer."""
    if code == 401:
        return ZaloUnauthorized(code, description, method=method)
    if code == 429:
        return ZaloRateLimited(code, description, method=method, retry_after=retry_after)
    if code == 403:
        return ZaloForbidden(code, description, method=method)
    if code in (400, 404) and _BLOCKED_RE.search(description):
        return ZaloForbidden(code, description, method=method)
    if code in (400, 404) and _NOT_FOUND_RE.search(description):
        return ZaloChatNotFound(code, description, method=method)
    if code == 400:
        return ZaloBadRequest(code, description, method=method)
    if code == 409:
        return ZaloConflict(code, description, method=method)
    if code is not None and code >= 500:
        return ZaloServerError(code, description, method=method)
    return ZaloError(code, description, method=method)


def error_code(status: int, body: dict[str, Any] | None) -> int | None:
    """The body's error_code when it has one, else the HTTP status when that is an error."""
    # The platform may answer errors with HTTP 200 and the code only in the body, so the
    # body wins; a proxy's HTML error page leaves only the HTTP status.
    if body is not None:
        code = body.get("error_code")
        if isinstance(code, int) and not isinstance(code, bool):
            return code
        if isinstance(code, str) and code.lstrip("-").isdigit():
            return int(code)
    return status if status >= 400 else None


def retry_after(body: dict[str, Any] | None, headers: Any) -> float | None:
    """Seconds to wait, from ``parameters.retry_after``, ``retry_after`` or Retry-After."""
    candidates: list[Any] = []
    if body:
        parameters = body.get("parameters")
        if isinstance(parameters, dict):
            candidates.append(parameters.get("retry_after"))
        candidates.append(body.get("retry_after"))
    candidates.append(headers.get("retry-after"))
    for value in candidates:
        if value is None or isinstance(value, bool):
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return None
