"""Files isobot sends, for every messenger: their bytes, or a signed link to them.

A message's attachment carries its bytes, or names a stored file (evidence sent back with
``/xem``) or a file to build when sent (a dossier). A messenger that uploads files asks for
:meth:`OutgoingFiles.content`; one that only takes a URL (``Capabilities.files_by_url``) asks
for :meth:`OutgoingFiles.url`, which keeps the file in the store and signs an expiring link to
isobot's own web server (``/files/<token>``, :func:`jobs.evidence.file_links.sign`). Fetching,
building and storing run off the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from aiohttp import web

from jobs.delivery.messages import Attachment, Message
from jobs.evidence.file_links import sign, verify
from jobs.text.i18n import Translator, translator
from storage.blobs import OUTGOING, BlobAltered, BlobMissing, BlobStore, StoreUnavailable

log = logging.getLogger(__name__)

FILES_PATH = "/files/"
#: ``build(spec)``: the bytes of a file made when it is sent, by the name in ``spec["what"]``.
Builder = Callable[[dict[str, Any]], bytes]


class FileUnavailable(Exception):
    """The file cannot be had now: the store is unreachable, or building it failed."""


class FileAltered(FileUnavailable):
    """The stored file is no longer what was received (:class:`storage.blobs.BlobAltered`)."""


@dataclass
class OutgoingFiles:
    """Bytes and links for the files in messages; links only with a public base URL."""

    store: BlobStore
    now: Callable[[], dt.datetime]
    builders: Mapping[str, Builder]
    base_url: str | None = None
    secret: bytes | None = None
    validity: dt.timedelta = dt.timedelta(days=3)

    @property
    def link_days(self) -> int:
        """How many days a link works."""
        return max(1, self.validity.days)

    @property
    def links(self) -> bool:
        """Whether files can be handed out as links (isobot has a public address)."""
        return bool(self.base_url and self.secret)

    async def content(self, attachment: Attachment) -> bytes:
        """The attachment's bytes: carried, fetched from the store, or built now."""
        if attachment.stored:
            return await self._off_loop(self.store.get, attachment.stored)
        if attachment.build:
            return await self._off_loop(self._build, attachment.build)
        return attachment.content

    async def made(self, message: Message) -> Message:
        """``message`` with the files it names to build built (their bytes carried); one that
        cannot be built stays named, so that sending it tries again and says why."""
        attachments = []
        for attachment in message.attachments:
            if attachment.build:
                try:
                    content = await self._off_loop(self._build, attachment.build)
                    attachment = Attachment(attachment.kind, attachment.filename, content)
                except FileUnavailable:
                    pass
            attachments.append(attachment)
        return replace(message, attachments=tuple(attachments))

    async def url(self, attachment: Attachment) -> str | None:
        """A link that downloads the attachment until it expires; None without a public URL."""
        if not self.links:
            return None
        key = attachment.stored or await self._off_loop(self._keep, attachment)
        token = sign(key, attachment.filename, expires=self.now() + self.validity,
                     secret=self.secret)
        return f"{self.base_url.rstrip('/')}{FILES_PATH}{token}"

    def _keep(self, attachment: Attachment) -> str:
        content = self._build(attachment.build) if attachment.build else attachment.content
        return self.store.put(content, OUTGOING)

    def _build(self, spec: dict[str, Any]) -> bytes:
        builder = self.builders.get(spec.get("what", ""))
        if builder is None:
            raise FileUnavailable(f"nothing builds {spec.get('what')!r}")
        return builder(spec)

    @staticmethod
    async def _off_loop(call: Callable[..., Any], *args: Any) -> Any:
        try:
            return await asyncio.to_thread(call, *args)
        except FileUnavailable:
            raise
        except BlobAltered as error:
            raise FileAltered(str(error)) from None
        except (BlobMissing, StoreUnavailable, OSError, ValueError) as error:
            raise FileUnavailable(str(error)) from None

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """``GET /files/<token>``: the file, or 404 for a token forged, altered or expired."""
        if not self.secret:
            raise web.HTTPNotFound()
        link = verify(request.match_info["token"], now=self.now(), secret=self.secret)
        if link is None:
            raise web.HTTPNotFound()
        try:
            content = await asyncio.to_thread(self.store.get, link.key)
        except BlobMissing:
            raise web.HTTPNotFound() from None
        except BlobAltered:  # logged and counted by the store
            raise web.HTTPConflict(text=translator()._(
                "This file could not be verified: the stored file is no longer the one that was "
                "received. The system operator has been told.")) from None
        except StoreUnavailable as error:
            log.warning("a linked file could not be read: %s", error)
            raise web.HTTPServiceUnavailable() from None
        kind = mimetypes.guess_type(link.filename)[0] or "application/octet-stream"
        shown = "inline" if kind.startswith("image/") else "attachment"
        return web.Response(body=content, content_type=kind, headers={
            # RFC 6266 / RFC 5987: the name as Vietnamese write it, for any browser.
            "Content-Disposition": f"{shown}; filename*=UTF-8''{quote(link.filename)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff"})

    def add_routes(self, app: web.Application) -> None:
        """Serve the links from the web server isobot already runs in webhook mode."""
        app.router.add_get(FILES_PATH + "{token}", self.serve)


def link_line(attachment: Attachment, url: str, tr: Translator, days: int) -> str:
    """"📎 name: URL (valid N days)" for a file handed out as a link."""
    return tr.ngettext("📎 {name}: {url} (the link works for {n} day)",
                       "📎 {name}: {url} (the link works for {n} days)", days).format(
        name=attachment.filename, url=url, n=days)


def unavailable_line(attachment: Attachment, tr: Translator,
                     error: FileUnavailable | None = None) -> str:
    """The file could not be fetched or built now, or (``error`` a FileAltered) it was refused."""
    if isinstance(error, FileAltered):
        return tr._("📎 {name} could not be verified: the stored file is no longer the one "
                    "that was received, so it was not sent. The system operator has been "
                    "told.").format(name=attachment.filename)
    return tr._("📎 {name} could not be prepared just now. Please ask again in a few "
                "minutes.").format(name=attachment.filename)


def too_large_line(attachment: Attachment, tr: Translator) -> str:
    """The file is over what the messenger lets a bot send, and no link can be made."""
    return tr._("📎 {name} is too large to send in the chat. The system operator can give it "
                "to you (isobot dossier).").format(name=attachment.filename)
