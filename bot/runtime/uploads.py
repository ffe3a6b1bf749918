"""``/upload/<token>``: the page a person on Zalo sends a PDF, Word or Excel file through.

A plain HTML form (no script), in the person's language, usable on a phone. A file that is
accepted becomes the person's next update in the inbox (:mod:`bot.runtime.intake`), so it
joins the task under way exactly as a document sent in the chat would: hashed, kept in the
evidence store, cited by the receipt. The link's update id is its own, so it is used once.
Whatever is refused — a forged or altered link, an expired or used one, a file too large or of
a kind not taken — gets a plain page, nothing is kept, and the chat is told when the link
names the person.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import html
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web
from sqlalchemy.engine import Engine

from bot.chat.turn import Inbound, IncomingFile
from bot.messengers.base import Arrival
from jobs.delivery.messages import Message
from jobs.delivery.transport import Capabilities
from jobs.evidence.upload_links import (
    UPLOADS_PATH,
    UploadGrant,
    file_kind,
    read_upload,
    stored_name,
)
from jobs.text.i18n import Translator, translator
from storage.db import session_scope
from storage.outbox import enqueue_reply
from storage.uploads import link_used

log = logging.getLogger(__name__)

#: The key of an upload in an inbox payload: no messenger's update has it.
PAYLOAD_KEY = "isobot_upload"
_FIELD = "file"
_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                       "form-action 'self'; frame-ancestors 'none'"}


class Refused(Exception):
    """The upload is refused: ``page`` says why, ``status`` is the HTTP status; ``chat``, when
    the link names the person (``grant``), is what their chat is told."""

    def __init__(self, status: int, page: str, chat: str | None = None,
                 grant: UploadGrant | None = None) -> None:
        super().__init__(page)
        self.status, self.page, self.chat, self.grant = status, page, chat, grant


@dataclass
class UploadDesk:
    """Serves the upload pages and turns each accepted file into an update."""

    engine: Engine
    now: Callable[[], dt.datetime]
    secret: bytes | None
    messengers: Mapping[str, Capabilities]
    store: Callable[[str, list[Arrival]], Awaitable[None]]  # the inbox (Intake.store)
    replied: Callable[[str], None]  # a reply was queued for this platform: send it now

    def add_routes(self, app: web.Application) -> None:
        """The page and its form, on isobot's web server."""
        app.router.add_get(UPLOADS_PATH + "{token}", self.page)
        app.router.add_post(UPLOADS_PATH + "{token}", self.receive)

    async def page(self, request: web.Request) -> web.Response:
        """``GET``: the form, or why the link opens nothing."""
        try:
            grant, tr = await self._grant(request)
        except Refused as refused:
            return _page(refused.page, refused.status)
        return _page(tr._("Choose the document's file (PDF, Word, Excel, or a photo), at most "
                          "{limit} MB, then press Send.").format(limit=self._limit_mb(grant)),
                     200, form=_form(tr))

    async def receive(self, request: web.Request) -> web.Response:
        """``POST``: keep the file as the person's next update, or say why not."""
        try:
            grant, tr = await self._grant(request)
            name, content = await self._read_file(request, grant, tr)
            await self.store(grant.platform, [_arrival(grant, name, content)])
        except Refused as refused:
            if refused.grant is not None and refused.chat and request.method == "POST":
                await asyncio.to_thread(self._tell_chat, refused.grant, refused.chat)
            return _page(refused.page, refused.status)
        return _page(tr._("The file {name} was received. Go back to {brand} to continue.")
                     .format(name=name, brand=self._brand(grant)), 200)

    async def _grant(self, request: web.Request) -> tuple[UploadGrant, Translator]:
        grant = read_upload(request.match_info["token"], secret=self.secret) \
            if self.secret else None
        if grant is None or grant.platform not in self.messengers:
            raise Refused(404, translator(None)._("This link is not valid."))
        tr = translator(grant.lang)
        if self.now() >= grant.expires:
            gone = tr._("This link has expired. In the chat, type “gửi tệp” for a new one.")
            raise Refused(410, gone, gone, grant)
        if await asyncio.to_thread(self._used, grant):
            used = tr._("This link has been used already. In the chat, type “gửi tệp” for a "
                        "new one.")
            raise Refused(410, used, used, grant)
        return grant, tr

    def _used(self, grant: UploadGrant) -> bool:
        with session_scope(self.engine) as session:
            return link_used(session, platform=grant.platform, update_id=grant.update_id)

    async def _read_file(self, request: web.Request, grant: UploadGrant,
                         tr: Translator) -> tuple[str, bytes]:
        """The file posted in the form's one field, within the messenger's evidence limit."""
        limit = self.messengers[grant.platform].max_file_bytes
        try:
            reader = await request.multipart()
            part = await reader.next()
            while part is not None and getattr(part, "name", None) != _FIELD:
                part = await reader.next()
        except (ValueError, AssertionError, KeyError):
            part = None
        if not isinstance(part, BodyPartReader) or not part.filename:
            raise Refused(400, tr._("No file was chosen. Go back and choose one."))
        content = await _read_within(part, limit)
        if content is None:
            too_big = tr._("The file is larger than {limit} MB and was not kept. Please send "
                           "a smaller file.").format(limit=self._limit_mb(grant))
            raise Refused(413, too_big, too_big, grant)
        kind = file_kind(content)
        if kind is None:
            refused = tr._("isobot takes PDF, Word (.docx), Excel (.xlsx), JPEG and PNG files "
                           "only; {name} was not kept.").format(name=part.filename)
            raise Refused(415, refused, refused, grant)
        return stored_name(part.filename, kind), content

    def _tell_chat(self, grant: UploadGrant, text: str) -> None:
        """Say in the chat why a file sent through the link was not kept."""
        with session_scope(self.engine) as session:
            # Each refusal is its own reply: one link may be refused several times.
            enqueue_reply(session, key=f"upload:{grant.nonce}:{secrets.token_hex(6)}",
                          platform=grant.platform, chat_id=grant.chat_id, kind="reply",
                          payload=Message(f"📎 {text}", lang=grant.lang).to_payload(),
                          now=self.now())
        self.replied(grant.platform)

    def _limit_mb(self, grant: UploadGrant) -> int:
        return self.messengers[grant.platform].max_file_bytes // (1024 * 1024)

    def _brand(self, grant: UploadGrant) -> str:
        return self.messengers[grant.platform].brand


async def _read_within(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes; None as soon as they pass ``limit`` (the rest is never read)."""
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _arrival(grant: UploadGrant, name: str, content: bytes) -> Arrival:
    payload = {PAYLOAD_KEY: {"user_id": grant.user_id, "chat_id": grant.chat_id,
                             "nonce": grant.nonce, "name": name,
                             "content": base64.b64encode(content).decode("ascii")}}
    return Arrival(grant.update_id, grant.chat_id, payload)


def upload_inbound(platform: str, update_id: str, payload: dict[str, Any]) -> Inbound | None:
    """The update a file sent through a link became; None for a messenger's own update."""
    upload = payload.get(PAYLOAD_KEY)
    if not isinstance(upload, dict):
        return None
    content = base64.b64decode(upload["content"])
    return Inbound(platform=platform, update_id=update_id, user_id=upload["user_id"],
                   chat_id=upload["chat_id"], file=IncomingFile(
                       name=upload["name"], size=len(content), content=content,
                       upload=upload["nonce"]))


def _form(tr: Translator) -> str:
    return ('<form method="post" enctype="multipart/form-data">'
            f'<p><input type="file" name="{_FIELD}" required '
            'accept=".pdf,.docx,.xlsx,.jpg,.jpeg,.png"></p>'
            f'<p><button type="submit">{html.escape(tr._("Send"))}</button></p></form>')


def _page(text: str, status: int, *, form: str = "") -> web.Response:
    """A page of one paragraph (and the form): nothing in it but what it says."""
    document = ('<!doctype html><html><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>isobot</title>"
                "<style>body{font:18px/1.5 sans-serif;margin:1.5em;max-width:36em}"
                "button{font-size:1.1em;padding:.5em 1.5em}</style></head>"
                f"<body><h1>isobot</h1><p>{html.escape(text)}</p>{form}</body></html>")
    return web.Response(text=document, status=status, content_type="text/html",
                        headers=_HEADERS)
