"""Signed, expiring links to files: ``/files/<token>``. Pure: the key and the moment are passed in.

A token names a file in the store (its key), the name it is downloaded under and the moment it
stops working, and carries an HMAC-SHA256 of the three under a key only isobot knows: a token
cannot be guessed or altered, and after its moment it opens nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jobs.evidence.signed import SEPARATOR, seal, unseal
from storage.blobs import key_hash


@dataclass(frozen=True)
class Link:
    """What a valid token opens."""

    key: str
    filename: str
    expires: dt.datetime


def sign(key: str, filename: str, *, expires: dt.datetime, secret: bytes) -> str:
    """A token for the file stored under ``key``, valid until ``expires``."""
    name = filename.replace(SEPARATOR, " ")
    return seal([key, str(int(expires.timestamp())), name], secret=secret)


def verify(token: str, *, now: dt.datetime, secret: bytes) -> Link | None:
    """What ``token`` opens at ``now``; None when it is forged, altered or expired, or names
    no file of the store."""
    fields = unseal(token, secret=secret)
    if fields is None or len(fields) < 3:
        return None
    key, moment, filename = fields[0], fields[1], SEPARATOR.join(fields[2:])
    try:
        expires = dt.datetime.fromtimestamp(int(moment), tz=dt.UTC)
        key_hash(key)  # a key of the store, nothing outside it
    except (ValueError, OverflowError):
        return None
    return Link(key, filename, expires) if now < expires else None
