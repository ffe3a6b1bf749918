"""Files sent through an upload link: whether a link was used (queries; rules in jobs/)."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Inbox, ProcessedUpdate


def link_used(session: Session, *, platform: str, update_id: str) -> bool:
    """Whether the file of the link whose update is ``update_id`` came already: it waits in
    the inbox, or was handled."""
    waiting = session.exec(select(Inbox.id).where(Inbox.platform == platform,
                                                  Inbox.update_id == update_id)).first()
    return waiting is not None or session.get(ProcessedUpdate, (platform, update_id)) is not None
