"""The Vietnamese working calendar: working days, deadlines that move, office-hour send slots.

Pure: every function takes the dates it reasons about; nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class WorkCalendar:
    """Which days offices work, and when in the day a reminder may go out.

    Public holidays come from the ``holidays`` package, which computes Tết and Hùng Kings' day
    from the lunar calendar for any year, and includes the official days off in lieu.
    ``extra_days_off`` and ``extra_working_days`` let a province follow a government notice
    that swaps days (e.g. a Saturday worked to bridge a holiday).
    """

    office_opens: dt.time = dt.time(8, 0)
    office_closes: dt.time = dt.time(17, 0)
    tz: ZoneInfo = VIETNAM
    extra_days_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_working_days: frozenset[dt.date] = field(default_factory=frozenset)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays("VN", language="vi")

    def holiday_name(self, day: dt.date) -> str | None:
        """The Vietnamese name of the public holiday on ``day``, if it is one."""
        return self._holidays.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        """True on a Monday–Friday that is not a public holiday (or is declared a working day)."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return day.weekday() < 5 and day not in self._holidays

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one (Civil Code 2015, Article 148)."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the previous one."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` ≥ 0; 0 gives ``day`` itself)."""
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        return sum(
            1 for i in range(1, (end - start).days + 1)
            if self.is_working_day(start + dt.timedelta(days=i))
        )

    def deadline(self, day: dt.date) -> dt.date:
        """A due date as the law counts it: a day off moves it to the next working day."""
        return self.on_or_after(day)

    def send_slot(self, day: dt.date) -> dt.datetime:
        """The moment a reminder planned for ``day`` goes out: office opening time, local zone."""
        return dt.datetime.combine(day, self.office_opens, tzinfo=self.tz)

    def next_send_slot(self, moment: dt.datetime) -> dt.datetime:
        """The first moment at or after ``moment`` inside office hours on a working day."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and self.office_opens <= local.time() < self.office_closes:
            return local
        if self.is_working_day(day) and local.time() < self.office_opens:
            return self.send_slot(day)
        return self.send_slot(self.on_or_after(day + dt.timedelta(days=1)))

    def in_office_hours(self, moment: dt.datetime) -> bool:
        """True when ``moment`` is inside office hours on a working day."""
        return self.next_send_slot(moment) == moment.astimezone(self.tz)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


def days_in_month(year: int, month: int) -> int:
    """The number of days in ``month`` of ``year``."""
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day
