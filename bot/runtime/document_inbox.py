"""``ISOBOT_DOCUMENT_INBOX``: the folder the document system exports directives into.

Each pass takes the files that are whole (:func:`jobs.documents.inbox.ready`), reads each into
a draft (:mod:`jobs.documents`) and puts it to the issuer's supervisors in their chats, at
``/chidao``'s confirmation: nothing reaches an officer until one of them presses "Send". The
file then moves to ``done/``; one that cannot be read, or that no supervisor can confirm,
moves to ``failed/`` with ``<name>.reason.txt`` saying why in the operator's language.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import parsing
from bot.chat.conversation import Conversation, Inbound, Replies, Turn
from bot.chat.replies import queue_replies
from bot.cli.documents.reading import problem_text, refusal_text
from bot.features.supervisor.desk import SupervisorDesk
from jobs.calendar.workdays import WorkCalendar
from jobs.delivery.transport import Capabilities
from jobs.documents.draft import Draft, make_draft
from jobs.documents.edxml import PackageRefused
from jobs.documents.fields import DocumentFields, Problem
from jobs.documents.inbox import (
    DONE,
    FAILED,
    REASON_SUFFIX,
    Entry,
    confirmers,
    moved_name,
    ready,
)
from jobs.documents.reading import MAX_BYTES, Unreadable, read_document
from jobs.documents.recipients import UnitTree
from jobs.text.i18n import Translator, translator
from storage.db import session_scope
from storage.units import all_units

log = logging.getLogger(__name__)

EVERY_SECONDS = 5.0


class Failed(Exception):
    """The file is not put to anyone: ``reason`` says why, for the operator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class DocumentInbox:
    """Takes the files the document system exported and puts each to its confirmers."""

    folder: Path
    engine: Engine
    conversation: Conversation
    calendar: WorkCalendar
    now: Callable[[], dt.datetime]
    replied: Callable[[str], None]  # a reply was queued for this platform: send it now
    leads: Callable[[], bool] = lambda: True  # whether this process takes the folder's files
    _seen: dict[str, Entry] = field(default_factory=dict)

    async def take_new(self) -> None:
        """One pass over the folder, off the event loop (one process: the folder is shared)."""
        if not self.leads():
            return
        try:
            await asyncio.to_thread(self.take_ready)
        except Exception:  # the folder or the database is away: the next pass tries again
            log.exception("the document inbox %s could not be read", self.folder)

    def take_ready(self) -> list[str]:
        """Handle every whole file in the folder; returns their names."""
        now = self.now()
        entries = {e.name: e for e in self._entries()}
        taken = [name for name, entry in entries.items()
                 if ready(entry, now=now, seen=self._seen.get(name))]
        self._seen = {n: e for n, e in entries.items() if n not in taken}
        for name in taken:
            self._take(self.folder / name, now)
        return taken

    def _entries(self) -> list[Entry]:
        found = []
        for path in sorted(self.folder.iterdir()):
            if path.is_file():
                stat = path.stat()
                found.append(Entry(path.name, stat.st_size, dt.datetime.fromtimestamp(
                    stat.st_mtime, tz=self.calendar.tz)))
        return found

    def _take(self, path: Path, now: dt.datetime) -> None:
        try:
            if path.stat().st_size > MAX_BYTES:
                raise Unreadable(Unreadable.TOO_LARGE)
            content = path.read_bytes()
            platforms = self._put(path.name, content, now)
        except FileNotFoundError:  # another process took it
            return
        except (Unreadable, PackageRefused) as refused:
            self._move(path, FAILED, refusal_text(refused.reason, self._tr()))
            return
        except Failed as failed:
            self._move(path, FAILED, failed.reason)
            return
        self._move(path, DONE)
        log.info("document inbox: %s put to its supervisors for confirmation", path.name)
        for platform in platforms:
            self.replied(platform)

    def _put(self, name: str, content: bytes, now: dt.datetime) -> set[str]:
        """Put the draft ``content`` holds to its confirmers; the platforms replies wait on."""
        fields = read_document(name, content)
        key = hashlib.sha256(name.encode() + b"\0" + content).hexdigest()[:24]
        with session_scope(self.engine) as session:
            made = self._draft(session, fields)
            problem = self._problem(made)
            if problem:
                raise Failed(problem)
            people = [(m.platform, m.platform_user_id, m.chat_id, m.id)
                      for m in confirmers(session, issuer=made.issuer)]
            if not people:
                raise Failed(self._tr()._(
                    "No supervisor of {unit} has joined isobot to confirm this directive: "
                    "nothing was sent.").format(unit=made.issuer.name))
        desk = next(f for f in self.conversation.features if isinstance(f, SupervisorDesk))

        def propose(turn: Turn) -> None:
            desk.directives.propose(turn, self._draft(turn.session, fields), name)

        for platform, user_id, chat_id, member_id in people:
            inbound = Inbound(platform=platform, update_id=f"document:{key}:{member_id}",
                              user_id=user_id, chat_id=chat_id)
            self.conversation.handle(inbound, now, then=self._queue, begin=propose)
        return {platform for platform, *_ in people}

    def _draft(self, session: Session, fields: DocumentFields) -> Draft:
        return make_draft(fields, tree=UnitTree(all_units(session, active_only=True)),
                          calendar=self.calendar)

    def _problem(self, made: Draft) -> str | None:
        """Why the draft cannot be put to anyone, for the operator; None when it can."""
        tr = self._tr()
        if made.fields.number and parsing.parse_document_number(made.fields.number) is None:
            return problem_text(_with(made, Problem.NO_NUMBER), tr)
        if made.fields.date is None and Problem.BAD_DATE not in made.problems:
            return tr._("The document has no date (“…, ngày … tháng … năm …”): nothing was "
                        "sent.")
        return problem_text(made, tr)

    def _queue(self, session: Session, inbound: Inbound, replies: Replies) -> None:
        queue_replies(session, inbound=inbound, replies=replies,
                      capabilities=self.conversation.installation.messengers.get(inbound.platform)
                      or Capabilities(brand=inbound.platform.capitalize()),
                      now=self.now())

    def _move(self, path: Path, where: str, reason: str | None = None) -> None:
        folder = self.folder / where
        folder.mkdir(exist_ok=True)
        name = moved_name(path.name, {p.name for p in folder.iterdir()})
        path.replace(folder / name)
        if reason is not None:
            (folder / (name + REASON_SUFFIX)).write_text(reason + "\n", encoding="utf-8")
            log.warning("document inbox: %s failed: %s", path.name, reason)

    def _tr(self) -> Translator:
        return translator(self.conversation.default_language)


def _with(made: Draft, problem: str) -> Draft:
    return Draft(made.fields, made.issuer, made.targets, made.unmatched, made.due,
                 (problem, *made.problems))


__all__ = ["EVERY_SECONDS", "DocumentInbox"]
