"""The Vietnamese working calendar: working days, deadlines that move, office-hour send slots.

Which days offices work is the ``holidays`` package's answer for Vietnam (its own
``is_working_day``: Monday to Friday, the public holidays of the Labour Code with Tết and Hùng
Kings' day computed from the lunar calendar, the days off in lieu, and the swaps the Ministry of
Home Affairs announces each year, working Saturdays included), with the operator's calendar file
(:mod:`jobs.calendar.operator_file`) laid over it for a notice the package does not carry yet.

Pure: every function takes the dates it reasons about; nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PACKAGE_VERSION: str = holidays.__version__
# The package's names of days are in Vietnamese ("vi") or American English ("en_US").
_PACKAGE_LANGUAGES = {"vi": "vi", "en": "en_US"}

Origin = Literal["package", "file"]


@dataclass(frozen=True)
class Amendment:
    """A day the operator's calendar file declares off (``working=False``) or worked."""

    day: dt.date
    working: bool
    name: str
    source: str  # the notice that says so, e.g. "Thông báo 9441/TB-BNV ngày 16/10/2025"


@dataclass(frozen=True)
class Amendments:
    """What the operator's calendar file adds on top of the package, year by year."""

    days: tuple[Amendment, ...] = ()
    notices: tuple[tuple[int, str], ...] = ()  # (year, notice) for each year the file records
    file: str | None = None  # the file's name as people read it

    def of_year(self, year: int) -> tuple[Amendment, ...]:
        """The file's days of ``year``."""
        return tuple(a for a in self.days if a.day.year == year)

    def notice(self, year: int) -> str | None:
        """The notice the file records for ``year``: its own, else the source of its first day."""
        for noticed, text in self.notices:
            if noticed == year:
                return text
        return next((a.source for a in self.of_year(year)), None)


@dataclass(frozen=True)
class OfficialDay:
    """A day that breaks the Monday-Friday rule: a day off, or a day worked (mostly a weekend)."""

    day: dt.date
    working: bool
    name: str | None  # None: a working weekend day the package swapped, which it leaves unnamed
    origin: Origin
    source: str | None = None  # the notice, for a day from the operator's file


class _DaysOffByYear(dict[int, frozenset[dt.date]]):
    """Every day off of a year (weekends included), computed the first time the year is asked."""

    def __init__(self, amendments: Amendments) -> None:
        super().__init__()
        self._amendments = amendments

    def __missing__(self, year: int) -> frozenset[dt.date]:
        package = _package(year)
        off = {day for day in _days_of(year) if not package.is_working_day(day)}
        for amendment in self._amendments.of_year(year):
            if amendment.working:
                off.discard(amendment.day)
            else:
                off.add(amendment.day)
        self[year] = days = frozenset(off)
        return days


@dataclass(frozen=True)
class WorkCalendar:
    """Which days offices work, and when in the day a reminder may go out.

    ``amendments`` are the operator's calendar file: days off and working days per year, each
    with the notice that declares it, which win over the package on the same day.
    """

    office_opens: dt.time = dt.time(8, 0)
    office_closes: dt.time = dt.time(17, 0)
    tz: ZoneInfo = VIETNAM
    amendments: Amendments = field(default_factory=Amendments)

    @cached_property
    def _days_off(self) -> _DaysOffByYear:
        # The planner asks millions of times: one dict and one set lookup, each year built once.
        return _DaysOffByYear(self.amendments)

    def is_working_day(self, day: dt.date) -> bool:
        """True unless ``day`` is a weekend, a public holiday or a declared day off.

        A Saturday or Sunday that a notice makes a working day (22/08/2026) is a working day.
        """
        return day not in self._days_off[day.year]

    def official_days(self, year: int, lang: str = "vi") -> list[OfficialDay]:
        """Every day off and every working weekend day of ``year``, with where each comes from.

        Names of the package's days are in ``lang``; the file's are as the operator wrote them.
        A day the file lists replaces the package's entry for that day.
        """
        package = _package(year, _PACKAGE_LANGUAGES.get(lang, "vi"))
        days = {day: OfficialDay(day, False, name, "package")
                for day, name in package.items() if day.year == year}
        days |= {day: OfficialDay(day, True, None, "package")
                 for day in package.weekend_workdays if day.year == year}
        days |= {a.day: OfficialDay(a.day, a.working, a.name, "file", a.source)
                 for a in self.amendments.of_year(year)}
        return [days[day] for day in sorted(days)]

    def notice_recorded(self, year: int) -> Origin | None:
        """Whether the year's civil-service schedule (a notice of the Ministry) is known, and where.

        The file records it when it names the year's notice or lists a day of the year. The
        package does not say which notices it follows; what only a notice can produce is a
        working Saturday or Sunday (its ``weekend_workdays``): the Labour Code's days off and
        days in lieu are computed for any year and prove nothing about that year's notice. A
        notice that swaps no day is therefore recorded by naming it in the file.
        """
        if self.amendments.notice(year):
            return "file"
        if any(day.year == year for day in _package(year).weekend_workdays):
            return "package"
        return None

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


def _package(year: int, language: str = "vi") -> holidays.HolidayBase:
    # One year per object: its weekend_workdays then hold that year's swaps (plus the package's
    # few swaps across a new year, which it loads for every year).
    return holidays.country_holidays("VN", years=year, language=language)


def _days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


def days_in_month(year: int, month: int) -> int:
    """The number of days in ``month`` of ``year``."""
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day
