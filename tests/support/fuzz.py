"""Webhook bodies as an attacker, a buggy proxy or a careless platform would post them.

Each example is a :class:`Posted`: the body, the messenger it is posted to, and whether it is
an update isobot can use (built whole, with any text in it) or not (built broken on purpose:
not an object, no update id, a message without a date, text as a list, an update kind isobot
never asked for...). :func:`fuzz` posts them to a running bot and counts what came of it.
Used by ``tests/integration/test_webhook_fuzz.py`` and ``scripts/fuzz_webhook.py``.
"""

from __future__ import annotations

import itertools
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from jobs.text.text_input import storable
from storage.db import session_scope
from storage.models import Inbox, ProcessedUpdate

TELEGRAM, ZALO = "telegram", "zalo"
SECRET_HEADERS = {TELEGRAM: "X-Telegram-Bot-Api-Secret-Token", ZALO: "X-Bot-Api-Secret-Token"}
# The sandboxes' users: updates from them get replies the sandboxes accept.
TELEGRAM_USER, ZALO_USER = 4242, "m4242"


@dataclass(frozen=True)
class Posted:
    """One body to post, and whether isobot should store it (its id is set when posting)."""

    messenger: str
    body: Any
    usable: bool


# -- pieces ------------------------------------------------------------------------------------

# Any text, NUL, control characters, lone surrogates and emoji included.
texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
short_texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(short_texts, inner, max_size=4), max_leaves=12)
not_a_string = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) \
    | st.lists(json_scalars, max_size=3) | st.dictionaries(short_texts, json_scalars, max_size=3)
not_an_int = st.none() | st.booleans() | st.floats(allow_nan=False) | texts \
    | st.lists(st.integers(), max_size=2)
# Callback data as phones send it, and as forged: "done:²", "done:" and 21 nines, junk.
choice_values = st.sampled_from(["²", "999999999999999999999", "-1", "", "12", "1e3", " 7",
                                 "０１", "💥"]) | short_texts
callback_data = st.builds(lambda action, value: f"{action}:{value}",
                          st.sampled_from(["done", "pick", "later", "guide", "skip", "confirm",
                                           "cancel", "ack", "lang", "channel", "cd-issuer",
                                           "cd-scope", "nothing"]), choice_values).filter(
    lambda data: len(storable(data).encode()) <= 64)  # Telegram's limit, as stored
not_an_id = st.none() | st.booleans() | st.floats(allow_nan=False) \
    | st.lists(json_scalars, max_size=3) | st.text(min_size=65, max_size=80)


def _telegram_user(name: str) -> dict[str, Any]:
    return {"id": TELEGRAM_USER, "is_bot": False, "first_name": name}


def _telegram_message(text: str, name: str) -> dict[str, Any]:
    return {"message_id": 1, "date": 1795000000, "chat": {"id": TELEGRAM_USER, "type": "private"},
            "from": _telegram_user(name), "text": text}


telegram_usable = st.one_of(
    st.builds(lambda text, name: {"message": _telegram_message(text, name)}, texts, short_texts),
    st.builds(lambda data, name: {"callback_query": {
        "id": "1", "from": _telegram_user(name), "chat_instance": "1", "data": data,
        "message": _telegram_message("nhắc việc", "bot")}}, callback_data, short_texts),
    st.builds(lambda name, caption: {"message": {
        **_telegram_message("", "x"), "text": None, "caption": caption,
        "document": {"file_id": "nope", "file_unique_id": "nope", "file_name": name,
                     "file_size": 10}}}, short_texts, st.none() | texts),
)


def _broken_telegram(body: dict[str, Any], how: str, junk: Any) -> Any:
    """A usable update broken in one way (``how``) with ``junk``."""
    body = json.loads(json.dumps(body))  # a deep copy
    message = body.get("message") or body.get("callback_query", {}).get("message", {})
    if how == "no_update_id":
        body.pop("update_id", None)
    elif how == "update_id":
        body["update_id"] = junk
    elif how == "no_date":
        message.pop("date", None)
    elif how == "text" and "message" in body:
        body["message"]["text"] = junk
    elif how == "data" and "callback_query" in body:
        body["callback_query"]["data"] = junk
    elif how == "from":
        (body.get("message") or body.get("callback_query"))["from"] = junk
    else:  # an update kind isobot never asked for, as junk as it comes
        body = {"update_id": 1, how if how in ("edited_message", "poll") else "poll": junk}
    return body


telegram_broken = st.one_of(
    json_scalars, st.lists(json_values, max_size=3),
    st.dictionaries(short_texts, json_values, max_size=4),
    st.builds(_broken_telegram, telegram_usable.map(lambda b: {"update_id": 1, **b}),
              st.sampled_from(["no_update_id", "no_date", "edited_message", "poll"]),
              json_values),
    st.builds(_broken_telegram, telegram_usable.map(lambda b: {"update_id": 1, **b}),
              st.just("update_id"), not_an_int | st.integers(max_value=-1)
              | st.integers(min_value=2**63)),
    st.builds(_broken_telegram, telegram_usable.map(lambda b: {"update_id": 1, **b}),
              st.sampled_from(["text", "data", "from"]),
              not_a_string.filter(lambda v: v is not None)),
)


def _zalo_message(event: str, text: Any, name: Any) -> dict[str, Any]:
    message = {"message_id": "0", "date": 1795000000000,
               "chat": {"id": ZALO_USER, "chat_type": "PRIVATE"},
               "from": {"id": ZALO_USER, "display_name": name}}
    if event == "message.text.received":
        message["text"] = text
    return {"event_name": event, "message": message}


zalo_events = st.sampled_from(["message.text.received", "message.sticker.received",
                               "message.unsupported.received", "message.image.received"]) \
    | short_texts
zalo_usable = st.builds(
    lambda event, text, name, wrapped: {"ok": True, "result": _zalo_message(event, text, name)}
    if wrapped else _zalo_message(event, text, name),
    zalo_events, texts, st.none() | not_a_string | short_texts, st.booleans())


def _broken_zalo(body: dict[str, Any], how: str, junk: Any) -> Any:
    body = json.loads(json.dumps(body))
    message = body["message"]
    if how == "text":
        body["event_name"] = "message.text.received"
        message["text"] = junk
    elif how == "from":
        message["from"] = {"id": junk, "display_name": "x"}
    elif how == "message":
        body["message"] = junk
    else:
        body["event_name"] = junk
    return body


zalo_broken = st.one_of(
    json_scalars, st.lists(json_values, max_size=3),
    st.dictionaries(short_texts, json_values, max_size=4).filter(lambda d: "message" not in d),
    st.builds(_broken_zalo, zalo_usable.filter(lambda b: "message" in b),
              st.just("text"), not_a_string),
    st.builds(_broken_zalo, zalo_usable.filter(lambda b: "message" in b),
              st.sampled_from(["message", "event_name"]), not_a_string.filter(
                  lambda v: not isinstance(v, dict))),
    st.builds(_broken_zalo, zalo_usable.filter(lambda b: "message" in b),
              st.just("from"), not_an_id),
)

postings = st.one_of(
    st.builds(Posted, st.just(TELEGRAM), telegram_usable, st.just(True)),
    st.builds(Posted, st.just(TELEGRAM), telegram_broken, st.just(False)),
    st.builds(Posted, st.just(ZALO), zalo_usable, st.just(True)),
    st.builds(Posted, st.just(ZALO), zalo_broken, st.just(False)),
)


# -- posting -----------------------------------------------------------------------------------


@dataclass
class Report:
    """What came of posting: HTTP answers, rows, unhandled errors logged."""

    posted: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    usable: set[tuple[str, str]] = field(default_factory=set)
    errors_logged: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def with_fresh_id(posted: Posted, number: int) -> tuple[Any, tuple[str, str] | None]:
    """The body to post, with a new update id when it is usable, and that id."""
    if not posted.usable:
        return posted.body, None
    if posted.messenger == TELEGRAM:
        return {**posted.body, "update_id": number}, (TELEGRAM, str(number))
    message_id = f"{number:020x}"
    update = posted.body.get("result", posted.body)
    update = {**update, "message": {**update["message"], "message_id": message_id}}
    body = {"ok": True, "result": update} if "result" in posted.body else update
    # Kept as both databases can store it: a lone surrogate in the event's name is dropped.
    return body, (ZALO, f"{storable(update['event_name'])}:{message_id}")


class ErrorRecords(logging.Handler):
    """Keeps every record of an exception or at ERROR and above."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(f"{record.name}: {record.getMessage()}")


async def post_all(port: int, secret: str, examples: list[Posted], report: Report,
                   first_id: int = 1_000_000) -> None:
    """Post every example (bodies as raw JSON, so lone surrogates go through as escapes);
    usable ones get update ids from ``first_id`` on, clear of the sandboxes' own."""
    numbers = itertools.count(first_id)
    async with aiohttp.ClientSession() as http:
        for example in examples:
            body, key = with_fresh_id(example, next(numbers))
            async with http.post(
                    f"http://127.0.0.1:{port}/{example.messenger}",
                    data=json.dumps(body).encode(), headers={
                        "Content-Type": "application/json",
                        SECRET_HEADERS[example.messenger]: secret}) as response:
                await response.read()
                report.statuses[response.status] = report.statuses.get(response.status, 0) + 1
            report.posted += 1
            if key is not None:
                report.usable.add(key)


def stored_keys(engine) -> tuple[set[tuple[str, str]], int]:
    """(platform, update id) of every update handled or waiting, and how many are parked."""
    with session_scope(engine) as session:
        handled = {(p, u) for p, u in session.exec(
            select(ProcessedUpdate.platform, ProcessedUpdate.update_id))}
        waiting = {(p, u) for p, u in session.exec(select(Inbox.platform, Inbox.update_id))}
        parked = session.exec(select(func.count()).select_from(Inbox)
                              .where(Inbox.state == "parked")).one()
    return handled | waiting, parked
