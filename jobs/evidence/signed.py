"""Sealed tokens: a few fields and an HMAC-SHA256 of them, url-safe. Pure: the key is passed in.

Every link isobot hands out (a file, an upload page, a page) carries one: it cannot be guessed
or altered, and each kind of link seals with its own ``purpose``, so a token made for one kind
opens nothing of another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

SEPARATOR = "\n"  # in no field isobot seals


def seal(fields: list[str], *, secret: bytes, purpose: bytes = b"") -> str:
    """A token carrying ``fields`` (none may contain a newline)."""
    body = SEPARATOR.join(fields).encode()
    return f"{_encode(body)}.{_encode(_mac(purpose, body, secret))}"


def unseal(token: str, *, secret: bytes, purpose: bytes = b"") -> list[str] | None:
    """The fields ``token`` carries; None when it is forged, altered or of another purpose."""
    encoded, _, mac = token.partition(".")
    try:
        body, given = _decode(encoded), _decode(mac)
        fields = body.decode().split(SEPARATOR)
    except (binascii.Error, ValueError):
        return None
    return fields if hmac.compare_digest(given, _mac(purpose, body, secret)) else None


def _mac(purpose: bytes, body: bytes, secret: bytes) -> bytes:
    # A file link's token (no purpose) is signed over its body alone, as it always was.
    signed = purpose + b"\0" + body if purpose else body
    return hmac.new(secret, signed, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    if not text:
        raise ValueError("empty")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # The last character of unpadded base64 may carry bits the decoder ignores: a token with
    # them changed would still open. Only the one canonical spelling of a token counts.
    if _encode(data) != text:
        raise ValueError("not canonical")
    return data
