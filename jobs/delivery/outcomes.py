"""What became of the messages a delivery worker sent, written down a batch at a time.

One transaction records every answer that came in during the last fraction of a second, in the
words of the durable queues (:mod:`jobs.queues`): finished (sent), retried (the messenger asked
us to wait, or failed), or parked (refused for good, failed every try, or the recipient is
gone — whom the worker then deactivates, telling their supervisor). A refusal that only may
mean the recipient is gone (Zalo's 403) is counted, and judged once it lasts
(:mod:`jobs.delivery.reachability`). Each message not sent is logged at WARNING with its row,
as retried (and when) or parked (and why).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from jobs.delivery import reachability
from jobs.delivery.messages import ERASE_AFTER_SENDING, Choice
from jobs.delivery.offers import remember_offer
from jobs.queues import OUTBOX, Fate, log_park, log_retry
from storage.chats import load_state, save_state
from storage.members import members_by_id
from storage.models import Member, Outbox
from storage.outbox import Taken, finish, outbox_rows, park, retry
from storage.personal_data import erase_recipient

log = logging.getLogger(__name__)


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

    taken: Taken
    result: Result
    at: dt.datetime
    message_id: str | None = None
    choices: tuple[Choice, ...] = ()
    error: str = ""
    retry_at: dt.datetime | None = None  # when to try again (LATER, FAILED)
    failure: BaseException | None = None  # an error nobody expected: logged with its traceback


def record_outcomes(session: Session, outcomes: Sequence[Outcome], *, brand: str) -> list[Fate]:
    """Write ``outcomes`` down in ``session``: each message finished, retried or parked (after
    its last try, or at once when the recipient is gone or the messenger refused it); returns
    what each came to. ``brand`` names the messenger to a supervisor whose officer is gone.
    """
    rows = outbox_rows(session, ids=[o.taken.id for o in outcomes])
    members = members_by_id(session, ids=[o.taken.member_id for o in outcomes
                                          if o.taken.member_id is not None])
    fates = []
    # One refused send of a message gathering several duties (jobs/delivery/morning.py) counts
    # once against its recipient, and its rows are tried again together, as one message.
    refused: dict[tuple[int | None, dt.datetime], dt.datetime | None] = {}
    for outcome in outcomes:
        row = rows.get(outcome.taken.id)
        if row is None:
            continue
        tries = row.attempts + 1  # this one, counted or not
        if outcome.result == Result.UNREACHABLE and _refused_again(
                session, row, members.get(row.member_id), outcome, refused):
            fates.append(Fate.RETRIED)
        elif outcome.result == Result.SENT:
            finish(session, row=row, message_id=outcome.message_id, now=outcome.at)
            _reached(session, members.get(row.member_id))
            _remember_choices(session, row, members.get(row.member_id), outcome)
            fates.append(Fate.FINISHED)
        elif outcome.result == Result.LATER:
            retry(session, row=row, at=outcome.retry_at, error=outcome.error, counts_as_try=False)
            fates.append(Fate.RETRIED)
        elif outcome.result == Result.FAILED and not OUTBOX.parks(row.attempts + 1):
            retry(session, row=row, at=outcome.retry_at, error=outcome.error)
            fates.append(Fate.RETRIED)
        else:
            park(session, row=row, error=outcome.error)
            if outcome.result in (Result.GONE, Result.UNREACHABLE):
                _recipient_gone(session, members.get(row.member_id), brand, outcome.at)
            fates.append(Fate.PARKED)
        _log_unsent(row, outcome, fates[-1], tries)
        if fates[-1] != Fate.RETRIED and row.payload.get(ERASE_AFTER_SENDING):
            erase_recipient(session, row=row)  # to someone who left isobot
    return fates


#: Why a message was parked, by what its send came to.
_PARKED_BECAUSE = {
    Result.GONE: "the recipient is gone: {error}",
    Result.UNREACHABLE: "the recipient could not be reached for too long: {error}",
    Result.REFUSED: "the messenger refused it: {error}",
    Result.FAILED: "every try failed: {error}",
}


def _log_unsent(row: Outbox, outcome: Outcome, fate: Fate, tries: int) -> None:
    """Say what became of a message not sent: retried (when), or parked (why)."""
    if fate == Fate.RETRIED:
        log_retry(log, OUTBOX, row_id=row.id, messenger=row.platform, tries=tries,
                  pause=row.next_attempt_at - outcome.at, error=outcome.error,
                  exc_info=outcome.failure)
    elif fate == Fate.PARKED:
        log_park(log, OUTBOX, row_id=row.id, messenger=row.platform,
                 reason=_PARKED_BECAUSE[outcome.result].format(error=outcome.error),
                 exc_info=outcome.failure)


def _refused_again(session: Session, row: Outbox, member: Member | None, outcome: Outcome,
                   refused: dict[tuple[int | None, dt.datetime], dt.datetime | None]) -> bool:
    """An "unreachable" refusal, counted once per send: True when ``row`` is to be tried again
    (with the rest of its message), False when its recipient now counts as gone."""
    send = (row.member_id, outcome.at)
    if send not in refused:
        hoped = _still_hoped(session, row, member, outcome)
        refused[send] = row.next_attempt_at if hoped else None
        return hoped
    if refused[send] is None:
        return False
    retry(session, row=row, at=refused[send], error=outcome.error)
    return True


def _reached(session: Session, member: Member | None) -> None:
    if member is not None and member.unreachable_failures:
        reachability.reached(member)
        session.add(member)


def _still_hoped(session: Session, row: Outbox, member: Member | None,
                 outcome: Outcome) -> bool:
    """Count an "unreachable" refusal; True (retried) until it has lasted long enough to count
    the member gone. A reply, or a message to someone already gone, is retried as any failure."""
    if member is None or not member.active:
        if not OUTBOX.parks(row.attempts + 1):
            retry(session, row=row, at=outcome.retry_at, error=outcome.error)
            return True
        return False
    if reachability.failed(member, outcome.at):
        return False
    session.add(member)
    retry(session, row=row, error=outcome.error, at=outcome.at + reachability.retry_after(
        member.unreachable_failures))  # as the worker's guess, unless other rows failed too
    return True


def _remember_choices(session: Session, row: Outbox, member: Member | None,
                      outcome: Outcome) -> None:
    """Remembered so a typed "1" or "đã nộp" answers this message, on any messenger.

    A reply's choices were remembered by the turn that wrote it (its member_id is None)."""
    if not outcome.choices or member is None:
        return
    key = dict(platform=row.platform, chat_id=row.chat_id, user_id=member.platform_user_id)
    state = load_state(session, **key)  # held until the batch commits
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

