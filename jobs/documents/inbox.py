"""The folder the document system exports into (``ISOBOT_DOCUMENT_INBOX``): which files are
whole and may be taken now, who confirms a directive read from one, and where a handled file
goes. Nothing here touches the folder; the running bot does (:mod:`bot.runtime.document_inbox`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath

from sqlmodel import Session

from storage.members import members_of
from storage.models import Member, Role, Unit

#: A file modified more recently than this may still be being written.
SETTLE = dt.timedelta(seconds=10)
DONE, FAILED = "done", "failed"
#: Beside a failed file: why it failed, in the operator's language.
REASON_SUFFIX = ".reason.txt"
# What copy tools, editors and browsers name a file while they write it.
_WRITING_PREFIXES = (".", "~")
_WRITING_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp",
                     ".filepart", ".lock")


@dataclass(frozen=True)
class Entry:
    """A file in the folder as the last look saw it."""

    name: str
    size: int
    modified: dt.datetime


def being_written(name: str) -> bool:
    """Whether ``name`` is what a tool calls a file it has not finished writing."""
    lowered = name.lower()
    return lowered.startswith(_WRITING_PREFIXES) or lowered.endswith(_WRITING_SUFFIXES)


def ready(entry: Entry, *, now: dt.datetime, seen: Entry | None = None) -> bool:
    """Whether the file is whole: not named as one being written, and either unchanged since
    the last pass saw it (``seen``) or not modified for :data:`SETTLE` before ``now``. The
    second look makes a file ready even when its time comes from a clock other than ``now``."""
    if being_written(entry.name):
        return False
    if seen is not None and seen == entry:
        return True
    return now - entry.modified >= SETTLE


def confirmers(session: Session, *, issuer: Unit) -> list[Member]:
    """Who confirms a directive the issuer's document system exported: the issuer's
    supervisors (active members with the supervisor role in that unit)."""
    return members_of(session, unit_ids=[issuer.id], roles=[Role.SUPERVISOR])


def moved_name(name: str, taken: set[str]) -> str:
    """``name`` in ``done/`` or ``failed/``, numbered when a file of that name is there."""
    if name not in taken:
        return name
    path = PurePath(name)
    number = 2
    while f"{path.stem} ({number}){path.suffix}" in taken:
        number += 1
    return f"{path.stem} ({number}){path.suffix}"


__all__ = ["DONE", "FAILED", "REASON_SUFFIX", "SETTLE", "Entry", "being_written", "confirmers",
           "moved_name", "ready"]
