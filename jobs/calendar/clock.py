"""The bot's clock: the only place that reads the wall clock.

An operator may start the clock at another moment (``isobot run --now``) to rehearse a day,
and the demo runs it faster so a week of reminders passes in minutes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from jobs.calendar.workdays import VIETNAM


class Clock:
    """Wall-clock time, optionally shifted to start at ``start`` and sped up by ``speed``."""

    def __init__(self, start: dt.datetime | None = None, speed: float = 1.0,
                 wall: Callable[[], float] = time.time) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware")
        self._wall = wall
        self._origin_wall = wall()
        self._origin = start or dt.datetime.fromtimestamp(self._origin_wall, tz=VIETNAM)
        self.speed = speed

    def now(self) -> dt.datetime:
        """The current moment, in Vietnam's time zone."""
        elapsed = (self._wall() - self._origin_wall) * self.speed
        return (self._origin + dt.timedelta(seconds=elapsed)).astimezone(VIETNAM)

    def real_seconds(self, clock_seconds: float) -> float:
        """How many real seconds ``clock_seconds`` of this clock take."""
        return clock_seconds / self.speed
