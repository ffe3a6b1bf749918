"""Signed file links: what a token opens, and that a changed or late one opens nothing."""

import datetime as dt

from jobs.evidence.file_links import Link, sign, verify
from tests.conftest import at

SECRET = b"k" * 32
SENT = at("2026-12-07 07:31")


def token(**overrides) -> str:
    options = dict(expires=SENT + dt.timedelta(days=3), secret=SECRET) | overrides
    return sign("outgoing/ab/" + "ab" * 32, "biểu đồ tuần.png", **options)


def test_a_token_opens_its_file_until_it_expires():
    assert verify(token(), now=SENT, secret=SECRET) == Link(
        "outgoing/ab/" + "ab" * 32, "biểu đồ tuần.png", SENT + dt.timedelta(days=3))
    assert verify(token(), now=SENT + dt.timedelta(days=3), secret=SECRET) is None


def test_a_forged_or_altered_token_opens_nothing():
    good = token()
    body, mac = good.split(".")
    assert verify(token(secret=b"x" * 32), now=SENT, secret=SECRET) is None
    assert verify(body[:-2] + "AA." + mac, now=SENT, secret=SECRET) is None
    assert verify(body + "." + mac[:-1], now=SENT, secret=SECRET) is None
    for junk in ("", ".", "not-a-token", "a.b.c", good + "x"):
        assert verify(junk, now=SENT, secret=SECRET) is None


def test_a_token_altered_only_in_its_ignored_bits_opens_nothing():
    # Unpadded base64's last character carries two bits a lenient decoder drops.
    from jobs.evidence.signed import seal, unseal
    token = seal(["key", "42"], secret=b"k" * 32)
    assert unseal(token, secret=b"k" * 32) == ["key", "42"]
    body, mac = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(mac[-1])
    twin = mac[:-1] + alphabet[last ^ 1]  # the same bytes to a lenient decoder
    assert unseal(f"{body}.{twin}", secret=b"k" * 32) is None
