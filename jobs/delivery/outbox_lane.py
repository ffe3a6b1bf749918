"""A delivery worker's reads and writes of the outbox, each in a transaction of its own.

Blocking calls, which :class:`jobs.delivery.deliverer.Deliverer` makes from a worker thread: however
busy the database (a national tick inserting 100,000 rows), the event loop goes on answering
the chat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from jobs.delivery.outcomes import Outcome, record_outcomes
from jobs.queues import Fate
from storage import queue
from storage.db import session_scope
from storage.outbox import OUTBOX, Taken, any_due, recent_sends, release, renew, take


@dataclass(frozen=True)
class OutboxLane:
    """The messages of ``platform`` one deliverer sends: replies only (``replies`` True),
    all but replies (False) or all (None), as :func:`storage.outbox.take` takes them."""

    engine: Engine
    platform: str
    replies: bool | None
    brand: str  # names the messenger to a supervisor whose officer is gone

    def any_due(self, now: dt.datetime) -> bool:
        """Whether a message may be sent at ``now``."""
        with session_scope(self.engine) as session:
            return any_due(session, now=now, platform=self.platform, replies=self.replies)

    def take(self, want: int, now: dt.datetime, until: dt.datetime) -> list[Taken]:
        """Up to ``want`` messages due at ``now``, held until ``until``."""
        with session_scope(self.engine) as session:
            return take(session, now=now, platform=self.platform, limit=want, until=until,
                        replies=self.replies)

    def renew(self, ids: set[int], until: dt.datetime) -> set[int]:
        """Hold the still-pending messages among ``ids`` until ``until``; returns their ids."""
        with session_scope(self.engine) as session:
            return renew(session, ids=ids, until=until)

    def record(self, answers: list[Outcome]) -> list[Fate]:
        """Write the answers down; returns what each came to."""
        with session_scope(self.engine) as session:
            return record_outcomes(session, answers, brand=self.brand)

    def release(self, due: dict[int, dt.datetime]) -> None:
        """Hand taken messages back untried, each due again at its moment."""
        with session_scope(self.engine) as session:
            release(session, due=due)

    def recent_sends(self, since: dt.datetime,
                     lease: dt.timedelta) -> list[tuple[str, dt.datetime]]:
        """(chat id, sent at) of the messages sent since ``since``."""
        with session_scope(self.engine) as session:
            return recent_sends(session, platform=self.platform, since=since, lease=lease)

    def release_orphans(self, now: dt.datetime, alive: Callable[[str], bool]) -> int:
        """Make due at ``now`` the messages held by processes that are gone."""
        with session_scope(self.engine) as session:
            return queue.release_orphans(session, OUTBOX, now=now, alive=alive)
