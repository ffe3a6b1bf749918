"""The weekly digest: what an officer's unit owes this week, and a supervisor's subtree at a glance.

Pure: every function takes the units, the obligations and ``now``; nothing reads the database
or the clock. :mod:`jobs.supervision.digest_job` loads the inputs and queues the messages.

The rules, all in Vietnam's time zone:

- The *week* is the Monday–Sunday containing ``now``; *last week* the one before it.
- An officer (or head) reads their unit's week: what is **overdue** (open, due before today),
  what is **due this week** (open, due from today to Sunday) and what was **done last week**
  (done during last week's Monday–Sunday).
- Nothing overdue and nothing due this week, but something done last week: a one-line
  "all done" (good news). Nothing in any of the three lists: no message.
- A supervisor reads their subtree: per duty, how many units are **on time** (everything of that
  duty due so far this year done by its due date), **overdue** (something open past its due
  date), **done late** (nothing overdue, but something done after its due date) and **not yet
  due** (nothing late, nothing done yet, something still to do) — the words of
  :mod:`jobs.planning.standing`, one meaning each; the ten most overdue obligations; and what
  changed in the last 7 days (obligations completed, and obligations whose due date passed and which
  are still open). The duties counted are those due this year, plus any older one still open
  past its due date (it is overdue now).
- A supervisor whose subtree has nothing overdue and completed nothing in the last 7 days gets
  no message (a quiet week on track). Otherwise the digest comes with the chart (PNG) and the
  table of the obligations counted (XLSX).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jobs.calendar.workdays import VIETNAM
from jobs.catalog import Catalog, UnknownDutyError
from jobs.delivery.messages import Attachment, Message
from jobs.planning.standing import STANDING_TEXT, Standing, standing_of
from jobs.reports.export import Table, write_xlsx
from jobs.supervision.charts import Chart, DutyCount, status_chart
from jobs.text.i18n import N_, Translator
from jobs.text.labels import named_period
from jobs.text.reminder_texts import days_left_text
from storage.models import ObligationStatus

MOST_OVERDUE = 10  # how many of the most overdue obligations a supervisor reads
LIST_LIMIT = 10  # at most this many items per list in a message; the rest are counted
CHANGE_WINDOW = dt.timedelta(days=7)

DIGEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("unit", N_("Unit")),
    ("unit_name", N_("Unit name")),
    ("duty", N_("Duty")),
    ("period", N_("Period")),
    ("due", N_("Due date")),
    ("status", N_("Status")),
    ("done_at", N_("Done at")),
)


@dataclass(frozen=True)
class DigestUnit:
    """A unit as the digest names it."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class DigestObligation:
    """One obligation of a unit, as the digest reads it."""

    unit_id: int
    duty_key: str
    period: str
    due: dt.date
    status: str
    done_at: dt.datetime | None = None
    id: int | None = None
    label: str | None = None  # how people name a period that is not a calendar one
    note: str | None = None


@dataclass(frozen=True)
class Week:
    """A Monday–Sunday week."""

    monday: dt.date

    @classmethod
    def containing(cls, moment: dt.datetime | dt.date) -> Week:
        """The week of ``moment`` (a moment is read in Vietnam's time)."""
        day = moment.astimezone(VIETNAM).date() if isinstance(moment, dt.datetime) else moment
        return cls(day - dt.timedelta(days=day.weekday()))

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def previous(self) -> Week:
        return Week(self.monday - dt.timedelta(days=7))

    @property
    def label(self) -> str:
        """The ISO year and week, for keys and file names: ``2026-W50``."""
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    def text(self, tr: Translator) -> str:
        """The week as people write it: ``tuần 50 năm 2026`` (no "/": it names a sheet)."""
        year, week, _ = self.monday.isocalendar()
        return tr._("week {week} of {year}").format(week=week, year=year)

    def __contains__(self, day: dt.date) -> bool:
        return self.monday <= day <= self.sunday


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VIETNAM).date()


def _is_open(o: DigestObligation) -> bool:
    return o.status == ObligationStatus.OPEN


def _is_done(o: DigestObligation) -> bool:
    return o.status == ObligationStatus.DONE and o.done_at is not None


def duty_title(catalog: Catalog, key: str, lang: str) -> str:
    """The duty's title in ``lang``; a duty the catalog no longer has is named by its key."""
    try:
        return catalog.duty(key).title.get(lang)
    except UnknownDutyError:
        return key


# ---------------------------------------------------------------------------- an officer's week


@dataclass(frozen=True)
class UnitWeek:
    """A unit's week: overdue (most overdue first), due this week, done last week."""

    overdue: tuple[DigestObligation, ...]
    due_this_week: tuple[DigestObligation, ...]
    done_last_week: tuple[DigestObligation, ...]

    @property
    def all_done(self) -> bool:
        """Nothing overdue, nothing due this week, and something done last week: good news."""
        return not self.overdue and not self.due_this_week and bool(self.done_last_week)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_this_week or self.done_last_week)


def unit_week(obligations: Iterable[DigestObligation], now: dt.datetime) -> UnitWeek:
    """Sort a unit's obligations into the three lists of its weekly digest."""
    today = _local_day(now)
    week = Week.containing(today)
    last = week.previous
    overdue, due, done = [], [], []
    for o in obligations:
        if _is_open(o) and o.due < today:
            overdue.append(o)
        elif _is_open(o) and today <= o.due <= week.sunday:
            due.append(o)
        elif _is_done(o) and _local_day(o.done_at) in last:
            done.append(o)
    return UnitWeek(
        tuple(sorted(overdue, key=lambda o: (o.due, o.duty_key, o.period))),
        tuple(sorted(due, key=lambda o: (o.due, o.duty_key, o.period))),
        tuple(sorted(done, key=lambda o: (o.done_at, o.duty_key, o.period))),
    )


def _week_line(week: Week, tr: Translator) -> str:
    return tr._("Week {start} – {end}").format(start=tr.short_date(week.monday),
                                              end=tr.short_date(week.sunday))


def _limited(items: Sequence, render, tr: Translator, limit: int = LIST_LIMIT) -> list[str]:
    lines = [render(item) for item in items[:limit]]
    if len(items) > limit:
        lines.append(tr._("… and {n} more").format(n=len(items) - limit))
    return lines


def officer_digest(unit: DigestUnit, obligations: Iterable[DigestObligation], *,
                   now: dt.datetime, catalog: Catalog, tr: Translator) -> Message | None:
    """The weekly digest of ``unit`` for its officer or head; None when there is nothing to say."""
    state = unit_week(obligations, now)
    if state.empty:
        return None
    if state.all_done:
        n = len(state.done_last_week)
        return Message(tr.ngettext(
            "✅ {unit}: all ISO duties are on track – nothing overdue, nothing due this week; "
            "{n} duty was completed last week.",
            "✅ {unit}: all ISO duties are on track – nothing overdue, nothing due this week; "
            "{n} duties were completed last week.", n).format(unit=unit.name, n=n), lang=tr.lang)
    today = _local_day(now)

    def title(o: DigestObligation) -> str:
        return duty_title(catalog, o.duty_key, tr.lang)

    lines = [tr._("📋 WEEKLY ISO DIGEST: {unit}").format(unit=unit.name),
             _week_line(Week.containing(today), tr)]
    if state.overdue:
        lines += ["", tr._("⚠️ Overdue ({n}):").format(n=len(state.overdue))]
        lines += _limited(state.overdue, lambda o: tr._("• {title} ({period}), due {date}: {left}")
                          .format(title=title(o), period=named_period(o, tr),
                                  date=tr.short_date(o.due),
                                  left=days_left_text(o.due, today, tr)), tr)
    if state.due_this_week:
        lines += ["", tr._("📅 Due this week ({n}):").format(n=len(state.due_this_week))]
        lines += _limited(state.due_this_week, lambda o: tr._("• {title} ({period}), due {date}")
                          .format(title=title(o), period=named_period(o, tr),
                                  date=tr.date(o.due)), tr)
    if state.done_last_week:
        lines += ["", tr._("✅ Done last week ({n}):").format(n=len(state.done_last_week))]
        lines += _limited(state.done_last_week, lambda o: tr._("• {title} ({period}), done {date}")
                          .format(title=title(o), period=named_period(o, tr),
                                  date=tr.short_date(_local_day(o.done_at))), tr)
    return Message("\n".join(lines), lang=tr.lang)


# ------------------------------------------------------------------------ a supervisor's subtree


@dataclass(frozen=True)
class SubtreeState:
    """What a supervisor's digest reports about a subtree."""

    counts: tuple[DutyCount, ...]  # per duty, in catalog order
    counted: tuple[DigestObligation, ...]  # the obligations behind the counts (the XLSX rows)
    overdue: tuple[DigestObligation, ...]  # every open obligation past due, most overdue first
    completed: tuple[DigestObligation, ...]  # done in the last 7 days, in the order done
    newly_overdue: tuple[DigestObligation, ...]  # due date passed in the last 7 days, still open

    @property
    def most_overdue(self) -> tuple[DigestObligation, ...]:
        return self.overdue[:MOST_OVERDUE]

    @property
    def quiet(self) -> bool:
        """Nothing overdue and nothing completed lately: no news for the supervisor."""
        return not self.overdue and not self.completed


def _counted(o: DigestObligation, today: dt.date) -> bool:
    if o.status == ObligationStatus.CANCELLED:
        return False
    return o.due.year == today.year or (_is_open(o) and o.due < today)


def unit_duty_state(obligations: Iterable[DigestObligation], today: dt.date) -> str | None:
    """``overdue``, ``late``, ``on_time`` or ``open`` (not yet due) for one unit's obligations
    of one duty, the first that fits in that order (None: none)."""
    standings = {_standing(o, today) for o in obligations} - {None}
    if not standings:
        return None
    for standing, state in ((Standing.overdue, "overdue"), (Standing.late, "late"),
                            (Standing.on_time, "on_time")):
        if standing in standings:
            return state
    return "open"


def _standing(o: DigestObligation, today: dt.date) -> Standing | None:
    return standing_of(o.status, o.done_at, o.due, today)


def subtree_state(units: Sequence[DigestUnit], obligations: Iterable[DigestObligation], *,
                  now: dt.datetime, catalog: Catalog, lang: str) -> SubtreeState:
    """Count, rank and list the obligations of ``units`` as of ``now``."""
    today = _local_day(now)
    unit_ids = {u.id for u in units}
    code_of = {u.id: u.code for u in units}
    mine = [o for o in obligations if o.unit_id in unit_ids]
    counted = [o for o in mine if _counted(o, today)]
    by_duty: dict[str, dict[int, list[DigestObligation]]] = defaultdict(lambda: defaultdict(list))
    for o in counted:
        by_duty[o.duty_key][o.unit_id].append(o)
    order = {key: i for i, key in enumerate(catalog.keys())}
    counts = []
    for key in sorted(by_duty, key=lambda k: (order.get(k, len(order)), k)):
        states = [unit_duty_state(items, today) for items in by_duty[key].values()]
        counts.append(DutyCount(key, duty_title(catalog, key, lang), states.count("on_time"),
                                states.count("late"), states.count("overdue"),
                                states.count("open")))
    overdue = sorted((o for o in mine if _is_open(o) and o.due < today),
                     key=lambda o: (o.due, code_of[o.unit_id], o.duty_key, o.period))
    since = now - CHANGE_WINDOW
    completed = sorted((o for o in mine if _is_done(o) and since < o.done_at <= now),
                       key=lambda o: (o.done_at, code_of[o.unit_id], o.duty_key))
    first_day = today - dt.timedelta(days=CHANGE_WINDOW.days)
    newly = [o for o in overdue if o.due >= first_day]
    counted.sort(key=lambda o: (code_of[o.unit_id], o.due, o.duty_key, o.period))
    return SubtreeState(tuple(counts), tuple(counted), tuple(overdue), tuple(completed),
                        tuple(newly))


def digest_table(state: SubtreeState, units: Sequence[DigestUnit], *, catalog: Catalog,
                 tr: Translator, today: dt.date) -> Table:
    """The obligations behind the counts, one row each, for the XLSX attachment: named periods
    and the standing in words (the sheet's legend says what each means)."""
    by_id = {u.id: u for u in units}
    rows = [(by_id[o.unit_id].code, by_id[o.unit_id].name, duty_title(catalog, o.duty_key, tr.lang),
             named_period(o, tr), o.due, tr._(STANDING_TEXT[_standing(o, today)]), o.done_at)
            for o in state.counted]
    return Table(keys=tuple(k for k, _ in DIGEST_COLUMNS),
                 headers=tuple(tr._(h) for _, h in DIGEST_COLUMNS), rows=rows)


def digest_xlsx(table: Table, *, title: str, tr: Translator) -> bytes:
    """``table`` as an Excel workbook with the standings' legend, in memory."""
    stream = io.BytesIO()
    write_xlsx(table, stream, title=title, tr=tr)
    return stream.getvalue()


def digest_chart(state: SubtreeState, root: DigestUnit, *, tr: Translator,
                 today: dt.date) -> Chart:
    """The per-duty bars of ``state``."""
    return status_chart(state.counts, tr, title=tr._("{unit}: units per duty, {date}").format(
        unit=root.name, date=tr.short_date(today)))


def supervisor_digest(root: DigestUnit, units: Sequence[DigestUnit],
                      obligations: Iterable[DigestObligation], *, now: dt.datetime,
                      catalog: Catalog, tr: Translator,
                      without_officer: Sequence[DigestUnit] = ()) -> Message | None:
    """The weekly digest of the subtree of ``root`` (``units``, ``root`` among them).

    ``without_officer``: the units of the subtree with no active ISO officer (their reminders
    go to the head), listed by name. None when the subtree is quiet (nothing overdue, nothing
    completed in the last 7 days).
    """
    state = subtree_state(units, obligations, now=now, catalog=catalog, lang=tr.lang)
    if state.quiet:
        return None
    today = _local_day(now)
    week = Week.containing(today)
    by_id = {u.id: u for u in units}

    def item(o: DigestObligation) -> str:
        title = duty_title(catalog, o.duty_key, tr.lang)
        return f"{by_id[o.unit_id].name} – {title} ({named_period(o, tr)})"

    late_units = len({o.unit_id for o in state.overdue})
    lines = [tr._("📊 WEEKLY ISO DIGEST: {unit} and the units below it").format(unit=root.name),
             _week_line(week, tr),
             tr._("Units followed: {n}; with overdue duties: {late}.").format(
                 n=len(units), late=late_units)]
    if state.counts:
        lines += ["", tr._("Units per duty (on time / done late / overdue / not yet due):")]
        lines += [f"• {c.title}: {c.on_time} / {c.late} / {c.overdue} / {c.open}"
                  for c in state.counts]
    lines.append("")
    if state.overdue:
        lines.append(tr._("⚠️ Most overdue ({n} overdue in all):").format(
            n=len(state.overdue)))
        lines += [f"{i}. {item(o)}: {days_left_text(o.due, today, tr)}"
                  for i, o in enumerate(state.most_overdue, start=1)]
    else:
        lines.append(tr._("✅ Nothing is overdue."))
    lines += ["", tr._("Since last week:"),
              tr._("✅ Completed in the last 7 days: {n}").format(n=len(state.completed))]
    lines += _limited(state.completed, lambda o: f"• {item(o)}", tr)
    lines.append(tr._("🔴 Newly overdue in the last 7 days: {n}").format(
        n=len(state.newly_overdue)))
    lines += _limited(state.newly_overdue, lambda o: f"• {item(o)}", tr)
    lines += _without_officer_lines(without_officer, tr)
    attachments = _attachments(state, root, units, catalog=catalog, tr=tr, today=today)
    if attachments:
        lines += ["", tr._("The chart and the table are attached.")]
    return Message("\n".join(lines), attachments=attachments, lang=tr.lang)


def _without_officer_lines(units: Sequence[DigestUnit], tr: Translator) -> list[str]:
    """The units with no active ISO officer, whose reminders go to the head."""
    if not units:
        return []
    lines = ["", tr._("👤 Units without an ISO officer ({n}); their reminders go to the "
                      "head:").format(n=len(units))]
    return lines + _limited(list(units), lambda u: f"• {u.name}", tr)


def _attachments(state: SubtreeState, root: DigestUnit, units: Sequence[DigestUnit], *,
                 catalog: Catalog, tr: Translator, today: dt.date) -> tuple[Attachment, ...]:
    """The chart and the table of a supervisor's digest; none when no duty was counted."""
    if not state.counts:
        return ()
    week = Week.containing(today)
    chart = digest_chart(state, root, tr=tr, today=today)
    table = digest_table(state, units, catalog=catalog, tr=tr, today=today)
    return (Attachment("photo", f"iso-digest-{root.code}-{week.label}.png", chart.png),
            Attachment("document", f"iso-digest-{root.code}-{week.label}.xlsx",
                       digest_xlsx(table, title=tr._("ISO digest, {week}").format(
                           week=week.text(tr)), tr=tr)))
