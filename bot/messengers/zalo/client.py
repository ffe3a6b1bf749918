"""Async client for the Zalo Bot Platform HTTP API.

Every call is ``POST {base_url}{token}/{method}`` with a JSON body, answered by
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": int, "description": str}``.
The token sits in the URL path, so this module takes care that it never reaches an
exception message, a repr or a log line (httpx logs request URLs at INFO level).
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any, Final

import httpx

from bot.messengers.zalo.errors import (
    ZaloBadRequest,
    ZaloChatNotFound,
    ZaloConflict,
    ZaloDownloadTooLarge,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloRecipientGone,
    ZaloServerError,
    ZaloUnauthorized,
    error_code,
    error_for,
    retry_after,
)
from bot.messengers.zalo.settings import DEFAULT_BASE_URL

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "MAX_TEXT_LENGTH",
    "SECRET_TOKEN_MAX_LENGTH",
    "SECRET_TOKEN_MIN_LENGTH",
    "ZaloBadRequest",
    "ZaloChatNotFound",
    "ZaloClient",
    "ZaloConflict",
    "ZaloDownloadTooLarge",
    "ZaloError",
    "ZaloForbidden",
    "ZaloNetworkError",
    "ZaloRateLimited",
    "ZaloRecipientGone",
    "ZaloServerError",
    "ZaloUnauthorized",
    "zalo_text_length",
]

logger = logging.getLogger(__name__)

#: sendMessage ``text`` and sendPhoto ``caption`` are documented as 1–2000 characters.
MAX_TEXT_LENGTH: Final = 2000
SECRET_TOKEN_MIN_LENGTH: Final = 8
SECRET_TOKEN_MAX_LENGTH: Final = 256
DEFAULT_MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024
#: getUpdates answers this code when nothing arrived within the poll timeout.
EMPTY_POLL_CODE: Final = 408

_REDACTED: Final = "<redacted>"
# A long poll is held open by the server for `timeout` seconds: the HTTP read timeout must
# outlast it by a margin or every empty poll would turn into a client-side timeout.
_POLL_READ_MARGIN: Final = 15.0


def zalo_text_length(text: str) -> int:
    """Length of ``text`` as checked against the 2000 limit (UTF-16 code units)."""
    # The docs do not say how characters are counted. UTF-16 units are never fewer than code
    # points, so text that passes this measure also passes a code-point count on the server.
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# Token redaction
# ---------------------------------------------------------------------------------------------


def _secrets_of(token: str) -> list[str]:
    """Strings that must not leak: the token, and its secret part when long enough to be safe."""
    found = [token]
    _, _, secret = token.partition(":")
    # A short secret (test tokens like "111:secret") would also blank out ordinary words.
    if len(secret) >= 8:
        found.append(secret)
    return found


def _redact_text(text: str, secrets: list[str] | set[str]) -> str:
    """Replace every secret in ``text``, longest first so a part never splits a whole."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


class _TokenRedactingFilter(logging.Filter):
    """Blanks bot tokens out of records of the logger it is attached to."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business, not ours
            return True
        redacted = _redact_text(message, self.secrets)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


_LOG_FILTER = _TokenRedactingFilter()


def _protect_logs(token: str) -> None:
    """Make sure httpx's own request log line ("HTTP Request: POST <url>") cannot show ``token``."""
    httpx_logger = logging.getLogger("httpx")
    if _LOG_FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_LOG_FILTER)
    _LOG_FILTER.secrets.update(_secrets_of(token))


# ---------------------------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------------------------


class ZaloClient:
    """Async client for the Zalo Bot Platform; use as ``async with ZaloClient(token) as zalo``."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 20.0,
        download_timeout: float = 60.0,
    ) -> None:
        """Set up the client; ``base_url`` is everything before the token."""
        #: Whether sendMessage takes ``parse_mode``; False once the platform refused it.
        self.formats = True
        if not token or any(ch.isspace() for ch in token) or "/" in token:
            # Never echo the token back, not even a malformed one.
            raise ValueError("the Zalo bot token is empty or contains whitespace or '/'")
        self._token = token
        self._secrets = _secrets_of(token)
        self._base_url = base_url
        self._timeout = timeout
        self._download_timeout = download_timeout
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=httpx.Timeout(timeout))
        _protect_logs(token)

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self._base_url!r}, token={_REDACTED!r})"

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it (a passed-in one stays open)."""
        if self._owns_http:
            await self._http.aclose()

    # -- API methods ------------------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        """Check the token and return the bot's profile (id, account_name, ...)."""
        return await self._call("getMe")

    async def get_updates(self, timeout: int = 30) -> dict[str, Any] | None:
        """Long-poll for one update; None when nothing arrived within ``timeout`` seconds."""
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
            raise ValueError("getUpdates timeout must be a whole number of seconds >= 0")
        result = await self._call(
            "getUpdates",
            # The docs type this field as a string.
            {"timeout": str(timeout)},
            timeout=httpx.Timeout(self._timeout, read=timeout + _POLL_READ_MARGIN),
            empty_codes=(EMPTY_POLL_CODE,),
        )
        if not result:
            return None
        if isinstance(result, list):
            # Documented as one object per call; tolerate a one-element list rather than
            # silently dropping updates if the platform ever batches them.
            if len(result) == 1 and isinstance(result[0], dict):
                return result[0]
            raise ZaloError(
                None,
                f"getUpdates returned {len(result)} updates, expected one",
                method="getUpdates",
            )
        if not isinstance(result, dict):
            raise ZaloError(
                None, "getUpdates returned a result that is not an object", method="getUpdates"
            )
        return result

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        """Register ``url`` for pushed updates, signed with header X-Bot-Api-Secret-Token."""
        if not url.startswith(("https://", "http://")):
            raise ValueError("webhook url must be an http(s) URL (the platform wants https)")
        if not SECRET_TOKEN_MIN_LENGTH <= len(secret_token) <= SECRET_TOKEN_MAX_LENGTH:
            raise ValueError(
                f"webhook secret_token must be {SECRET_TOKEN_MIN_LENGTH}–"
                f"{SECRET_TOKEN_MAX_LENGTH} characters, got {len(secret_token)}"
            )
        return await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> dict[str, Any]:
        """Remove the webhook so getUpdates works again."""
        return await self._call("deleteWebhook")

    async def send_message(self, chat_id: str, text: str,
                           parse_mode: str | None = None) -> dict[str, Any]:
        """Send a text of 1–2000 characters; longer text must be split by the caller.
        ``parse_mode`` "html" or "markdown" formats it (docs v2.5.0, 2026)."""
        _check_chat_id(chat_id)
        _check_text(text, "text")
        payload = {"chat_id": chat_id, "text": text}
        if parse_mode is not None:
            payload["parse_mode"] = parse_mode
        return await self._call("sendMessage", payload)

    async def send_photo(
        self, chat_id: str, photo_url: str, caption: str | None = None
    ) -> dict[str, Any]:
        """Send the image at ``photo_url`` (a public URL) with an optional caption."""
        _check_chat_id(chat_id)
        if not photo_url.startswith(("https://", "http://")):
            raise ValueError("photo must be an http(s) URL")
        payload: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:  # an empty caption means none; the API wants 1–2000 characters when given
            _check_text(caption, "caption")
            payload["caption"] = caption
        return await self._call("sendPhoto", payload)

    async def download(self, url: str, *, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES) -> bytes:
        """Fetch a file a user sent (e.g. an update's photo URL), refusing more than max_bytes."""
        if not url.startswith(("https://", "http://")):
            raise ValueError("download url must be an http(s) URL")
        try:
            async with self._http.stream(
                "GET", url, timeout=self._download_timeout, follow_redirects=True
            ) as response:
                if response.is_error:
                    status = response.status_code
                    error_class = ZaloServerError if status >= 500 else ZaloError
                    raise error_class(status, f"download failed: HTTP {status}", method="download")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ZaloDownloadTooLarge(max_bytes, int(declared))
                buffer = bytearray()
                # Count while streaming so a huge or endless body is cut off at the limit
                # instead of being held in memory first.
                async for chunk in response.aiter_bytes():
                    buffer.extend(chunk)
                    if len(buffer) > max_bytes:
                        raise ZaloDownloadTooLarge(max_bytes, len(buffer))
                return bytes(buffer)
        except httpx.InvalidURL:
            raise ValueError("download url is not a valid URL") from None
        except httpx.HTTPError as exc:
            raise self._network_error(exc, "download") from None

    # -- plumbing ---------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        payload: dict[str, Any] | None = None,
        *,
        timeout: httpx.Timeout | float | None = None,
        empty_codes: tuple[int, ...] = (),
    ) -> Any:
        """POST one API method and return its ``result``, or raise a ZaloError."""
        url = f"{self._base_url}{self._token}/{method}"
        try:
            response = await self._http.post(
                url, json=payload or {}, timeout=timeout if timeout is not None else self._timeout
            )
        except httpx.InvalidURL:
            # httpx's message may quote the URL, and with it the token.
            raise ValueError("the Zalo base_url does not form a valid URL") from None
        except httpx.HTTPError as exc:
            raise self._network_error(exc, method) from None

        body = _json_object(response)
        if body is not None and body.get("ok") is True and response.is_success:
            logger.debug("zalo %s ok", method)
            return body.get("result")
        code = error_code(response.status_code, body)
        if code in empty_codes:
            return None
        raise self._error_from(response.status_code, body, response.headers, method)

    def _network_error(self, exc: httpx.HTTPError, method: str) -> ZaloNetworkError:
        """Wrap a transport failure; the original is dropped because it carries the URL."""
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "network failure"
        detail = self._redact(str(exc)) or type(exc).__name__
        return ZaloNetworkError(None, f"{kind}: {type(exc).__name__}: {detail}", method=method)

    def _redact(self, text: str) -> str:
        return _redact_text(text, self._secrets)

    def _error_from(
        self,
        status: int,
        body: dict[str, Any] | None,
        headers: httpx.Headers,
        method: str,
    ) -> ZaloError:
        """Map an error answer to the most specific exception class."""
        code = error_code(status, body)
        raw_description = body.get("description") if body else None
        if isinstance(raw_description, str) and raw_description:
            description = self._redact(raw_description)
        elif body is None:
            description = f"HTTP {status}, answer is not a JSON object"
        else:
            description = f"HTTP {status}"

        return error_for(code, description, method=method,
                         retry_after=retry_after(body, headers) if code == 429 else None)


def _check_chat_id(chat_id: str) -> None:
    """Zalo ids are non-empty strings."""
    if not isinstance(chat_id, str) or not chat_id:
        raise ValueError("chat_id must be a non-empty string")


def _check_text(text: str, field: str) -> None:
    """Enforce the documented 1–2000 characters before spending a request on it."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{field} must not be empty")
    length = zalo_text_length(text)
    if length > MAX_TEXT_LENGTH:
        raise ValueError(
            f"{field} is {length} characters, over the {MAX_TEXT_LENGTH} limit: split it first"
        )


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer as a JSON object, or None for anything else (an HTML error page, ...)."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
