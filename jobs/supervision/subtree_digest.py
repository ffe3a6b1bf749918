"""A supervisor's weekly digest: their subtree at a glance, with a chart and a table.

The rules are those of :mod:`jobs.supervision.digest` (a supervisor reads their subtree); pure
like it: the units, the obligations and ``now`` come in, a message goes out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jobs.catalog import Catalog, duty_title
from jobs.delivery.messages import Attachment, Message
from jobs.planning.standing import STANDING_TEXT, Standing, standing_of
from jobs.reports.export import Table, write_xlsx
from jobs.supervision.charts import Chart, DutyCount, status_chart
from jobs.supervision.digest import (
    DigestObligation,
    DigestUnit,
    Week,
    at_most,
    local_day,
)
from jobs.text.i18n import N_, Translator
from jobs.text.labels import named_period
from jobs.text.reminder_texts import days_left_text
from storage.models import ObligationStatus

MOST_OVERDUE = 10  # how many of the most overdue obligations a supervisor reads
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
    return o.due.year == today.year or (o.is_open and o.due < today)


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
    today = local_day(now)
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
    overdue = sorted((o for o in mine if o.is_open and o.due < today),
                     key=lambda o: (o.due, code_of[o.unit_id], o.duty_key, o.period))
    since = now - CHANGE_WINDOW
    completed = sorted((o for o in mine if o.is_done and since < o.done_at <= now),
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
    today = local_day(now)
    week = Week.containing(today)
    by_id = {u.id: u for u in units}

    def item(o: DigestObligation) -> str:
        title = duty_title(catalog, o.duty_key, tr.lang)
        return f"{by_id[o.unit_id].name} – {title} ({named_period(o, tr)})"

    late_units = len({o.unit_id for o in state.overdue})
    lines = [tr._("📊 WEEKLY ISO DIGEST: {unit} and the units below it").format(unit=root.name),
             week.span_text(tr),
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
    lines += at_most(state.completed, lambda o: f"• {item(o)}", tr)
    lines.append(tr._("🔴 Newly overdue in the last 7 days: {n}").format(
        n=len(state.newly_overdue)))
    lines += at_most(state.newly_overdue, lambda o: f"• {item(o)}", tr)
    lines += _without_officer_lines(without_officer, tr)
    attachments = _attachments(state, root, units, catalog=catalog, tr=tr, today=today)
    if attachments:
        lines += ["", tr._("The chart and the table are attached.")]
    return Message("\n".join(lines), attachments=attachments, lang=tr.lang)


def _without_officer_lines(units: Sequence[DigestUnit], tr: Translator) -> list[str]:
    """The units with no active ISO officer, whose reminders go to the head, and how to invite
    them (the units that have not joined, :mod:`jobs.people.joining`)."""
    if not units:
        return []
    lines = ["", tr._("👤 Units without an ISO officer ({n}); their reminders go to the "
                      "head:").format(n=len(units))]
    return [*lines, *at_most(list(units), lambda u: f"• {u.name}", tr),
            tr._("Type /moi for their invitation codes: an Excel sheet and cards to print.")]


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
