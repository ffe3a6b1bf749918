"""What became of the messages a delivery worker sent, written down a batch at a time.

One transaction records every answer that came in during the last fraction of a second: sent,
to be tried again (the messenger asked us to wait, or failed), refused for good, or the
recipient is gone — whom the worker then deactivates, telling their supervisor. A refusal that
only may mean the recipient is gone (Zalo's 403) is counted, and judged once it lasts
(:mod:`jobs.delivery.reachability`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from jobs.delivery import reachability
from jobs.delivery.messages import Choice
from jobs.delivery.offers import remember_offer
from storage.chats import load_state, save_state
from storage.members import members_by_id
from storage.models import Member, Outbox
from storage.outbox import Leased, mark_failed, mark_retry, mark_sent, outbox_rows

#: A message that failed this often (server errors, timeouts) is given up.
MAX_ATTEMPTS = 12
#: The first retry after a server error comes 2–4 s later; each next waits twice as long, up to
#: an hour, so twelve attempts span one to two hours of a messenger's outage.
FIRST_BACKOFF_SECONDS = 4.0
MAX_BACKOFF_SECONDS = 3600.0


#: What each send came to once written down, for the bot's metrics.
SENT, RETRIED, RATE_LIMITED, FAILED = "sent", "retried", "rate_limited", "failed"


class Result(StrEnum):
    SENT = "sent"
    LATER = "later"  # the messenger asked us to wait (HTTP 429 with retry_after)
    FAILED = "failed"  # a server error or a timeout: worth trying again
    GONE = "gone"  # the recipient blocked the bot or no longer exists
    UNREACHABLE = "unreachable"  # a refusal that may mean GONE, if it lasts
    REFUSED = "refused"  # the messenger refused this message for good


@dataclass(frozen=True)
class Outcome:
    """What one message's send came to, and when (on the bot's clock)."""

    leased: Leased
    result: Result
    at: dt.datetime
    message_id: str | None = None
    choices: tuple[Choice, ...] = ()
    error: str = ""
    retry_at: dt.datetime | None = None  # when to try again (LATER, FAILED)


def backoff(failures: int, rng: random.Random) -> dt.timedelta:
    """How long to wait after the ``failures``-th failure in a row (0 for the first).

    Exponential, with half of it random ("equal jitter"): after an outage the retries spread
    out instead of all hitting the messenger at the same moment (M. Brooker, "Exponential
    Backoff and Jitter", AWS Architecture Blog, 2015).
    """
    ceiling = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** min(failures, 30))
    return dt.timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


def record_outcomes(session: Session, outcomes: Sequence[Outcome], *, brand: str) -> list[str]:
    """Write ``outcomes`` down in ``session``; returns what each came to (:data:`SENT`, …).

    ``brand`` names the messenger to a supervisor whose officer is gone.
    """
    rows = outbox_rows(session, ids=[o.leased.id for o in outcomes])
    members = members_by_id(session, ids=[o.leased.member_id for o in outcomes
                                          if o.leased.member_id is not None])
    recorded = []
    for outcome in outcomes:
        row = rows.get(outcome.leased.id)
        if row is None:
            continue
        if outcome.result == Result.SENT:
            mark_sent(session, row=row, message_id=outcome.message_id, now=outcome.at)
            _reached(session, members.get(row.member_id))
            _remember_choices(session, row, members.get(row.member_id), outcome)
            recorded.append(SENT)
        elif outcome.result == Result.UNREACHABLE and _still_hoped(
                session, row, members.get(row.member_id), outcome):
            recorded.append(RETRIED)
        elif outcome.result == Result.LATER:
            mark_retry(session, row=row, at=outcome.retry_at, error=outcome.error,
                       count_attempt=False)
            recorded.append(RATE_LIMITED)
        elif outcome.result == Result.FAILED and row.attempts + 1 < MAX_ATTEMPTS:
            mark_retry(session, row=row, at=outcome.retry_at, error=outcome.error)
            recorded.append(RETRIED)
        else:
            mark_failed(session, row=row, error=outcome.error)
            if outcome.result in (Result.GONE, Result.UNREACHABLE):
                _recipient_gone(session, members.get(row.member_id), brand, outcome.at)
            recorded.append(FAILED)
    return recorded


def _reached(session: Session, member: Member | None) -> None:
    if member is not None and member.unreachable_failures:
        reachability.reached(member)
        session.add(member)


def _still_hoped(session: Session, row: Outbox, member: Member | None,
                 outcome: Outcome) -> bool:
    """Count an "unreachable" refusal; True (retried) until it has lasted long enough to count
    the member gone. A reply, or a message to someone already gone, is retried as any failure."""
    if member is None or not member.active:
        if row.attempts + 1 < MAX_ATTEMPTS:
            mark_retry(session, row=row, at=outcome.retry_at, error=outcome.error)
            return True
        return False
    if reachability.failed(member, outcome.at):
        return False
    session.add(member)
    mark_retry(session, row=row, error=outcome.error, at=outcome.at + reachability.retry_after(
        member.unreachable_failures))  # as the worker's guess, unless other rows failed too
    return True


def _remember_choices(session: Session, row: Outbox, member: Member | None,
                      outcome: Outcome) -> None:
    """Remembered so a typed "1" or "đã nộp" answers this message, on any messenger.

    A reply's choices were remembered by the turn that wrote it (its member_id is None)."""
    if not outcome.choices or member is None:
        return
    key = dict(platform=row.platform, chat_id=row.chat_id, user_id=member.platform_user_id)
    state = load_state(session, **key, now=outcome.at)  # held until the batch commits
    remember_offer(state, [(c.id, c.label) for c in outcome.choices], outcome.at)
    save_state(session, **key, state=state, now=outcome.at)


def _recipient_gone(session: Session, member: Member | None, brand: str,
                    now: dt.datetime) -> None:
    """Stop writing to ``member``, and ask their supervisors to find who keeps the records."""
    if member is None or not member.active:
        return
    member.active = False
    # Marked, so the account is active again when it writes (jobs/delivery/reachability.py).
    member.unreachable_since = member.unreachable_since or now
    session.add(member)
    reachability.tell_supervisors(
        session, member=member, key=f"gone:{member.id}", now=now, words=lambda tr, unit: tr._(
            "⚠️ isobot can no longer reach {name} ({unit}) on {platform}: the account blocked "
            "the bot or no longer exists. Please confirm who now keeps the unit's ISO records "
            "and ask the system operator for a new invite code.").format(
            name=member.display_name or member.platform_user_id, unit=unit.name,
            platform=brand))

