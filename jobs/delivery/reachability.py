"""When a member counts as unreachable, and when again as reachable.

Telegram says for sure when a person blocked the bot (403 "bot was blocked by the user"), and
delivery stops writing to them at once. Zalo does not: its error table (bot.zaloplatforms.com
docs, pages of 10/12/2025; docs/messengers in the project's reference) lists 403 as an internal
server error and documents no code for a user who blocked the bot. A refusal that may mean
"gone" is therefore only counted: a member is deactivated once at least :data:`FAILURES` sends
in a row failed over at least :data:`LASTING`, with none delivered in between. Until then each
message is retried, at most an hour apart. A deactivated member who writes to the bot again is
active again, and their supervisors are told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from jobs.delivery.messages import Message
from jobs.planning.planner import recipients
from jobs.text.i18n import Translator, translator
from storage.models import Member, Role, Unit
from storage.outbox import enqueue

FAILURES = 5
LASTING = dt.timedelta(hours=24)
_FIRST_RETRY, _LAST_RETRY = dt.timedelta(seconds=30), dt.timedelta(hours=1)


def failed(member: Member, now: dt.datetime) -> bool:
    """Count a send to ``member`` that may have failed for want of the person; True once the
    failures have lasted long enough to count them gone."""
    if member.unreachable_since is None or not member.unreachable_failures:
        member.unreachable_since, member.unreachable_failures = now, 0
    member.unreachable_failures += 1
    return (member.unreachable_failures >= FAILURES
            and now - member.unreachable_since >= LASTING)


def reached(member: Member) -> None:
    """A send to ``member`` went through: whatever failed before was passing."""
    if member.active:
        member.unreachable_since, member.unreachable_failures = None, 0


def retry_after(failures: int) -> dt.timedelta:
    """How long to wait before trying a message again after ``failures`` failed tries."""
    return min(_FIRST_RETRY * 2 ** max(failures - 1, 0), _LAST_RETRY)


def wrote_again(session: Session, *, members: list[Member], now: dt.datetime) -> list[Member]:
    """The account of ``members`` wrote to the bot: it is reachable. Members deactivated for
    being unreachable are active again (returned), and their supervisors are told."""
    back = []
    for member in members:
        if member.unreachable_since is None:
            continue
        if not member.active:
            member.active = True
            back.append(member)
        member.unreachable_since, member.unreachable_failures = None, 0
        session.add(member)
    for member in back:
        _tell_supervisors(session, member=member, now=now)
    return back


def tell_supervisors(session: Session, *, member: Member, key: str, now: dt.datetime,
                     words: Callable[[Translator, Unit], str]) -> None:
    """Queue a notice about ``member`` to the supervisors of their unit (``words`` writes it in
    each one's language); ``key`` makes it once per supervisor."""
    unit = session.get(Unit, member.unit_id)
    for supervisor in recipients(session, unit=unit, role=Role.SUPERVISOR):
        if supervisor.id == member.id:
            continue
        text = words(translator(supervisor.language), unit)
        enqueue(session, key=f"{key}:{supervisor.id}", member=supervisor, kind="notice",
                payload=Message(text).to_payload(), now=now)


def _tell_supervisors(session: Session, *, member: Member, now: dt.datetime) -> None:
    tell_supervisors(session, member=member, key=f"back:{member.id}:{now.isoformat()}",
                     now=now, words=lambda tr, unit: tr._(
                         "✅ {name} ({unit}) wrote to isobot again and receives its reminders "
                         "again.").format(name=member.display_name or member.platform_user_id,
                                          unit=unit.name))
