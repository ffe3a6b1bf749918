"""Signed, expiring links to files: ``/files/<token>``. Pure: the key and the moment are passed in.

A token names a file in the store (its key), the name it is downloaded under and the moment it
stops working, and carries an HMAC-SHA256 of the three under a key only isobot knows: a token
cannot be guessed or altered, and after its moment it opens nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

_SEPARATOR = "\n"  # in no key, no moment and no file name isobot writes


@dataclass(frozen=True)
class Link:
    """What a valid token opens."""

    key: str
    filename: str
    expires: dt.datetime


def sign(key: str, filename: str, *, expires: dt.datetime, secret: bytes) -> str:
    """A token for the file stored under ``key``, valid until ``expires``."""
    name = filename.replace(_SEPARATOR, " ")
    body = _SEPARATOR.join([key, str(int(expires.timestamp())), name]).encode()
    return f"{_encode(body)}.{_encode(_mac(body, secret))}"


def verify(token: str, *, now: dt.datetime, secret: bytes) -> Link | None:
    """What ``token`` opens at ``now``; None when it is forged, altered or expired."""
    encoded, _, mac = token.partition(".")
    try:
        body, given = _decode(encoded), _decode(mac)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(given, _mac(body, secret)):
        return None
    try:
        key, moment, filename = body.decode().split(_SEPARATOR, 2)
        expires = dt.datetime.fromtimestamp(int(moment), tz=dt.UTC)
    except ValueError:
        return None
    return Link(key, filename, expires) if now < expires else None


def _mac(body: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    if not text:
        raise ValueError("empty")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
