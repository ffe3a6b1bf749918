"""What the supervisors' page shows, read for one messenger account at ``now``.

The scope is read again on every call: the subtrees of the account's active supervisor
memberships (active units only). Nothing outside it is read into the answer: a unit asked for
outside the scope is answered as one that does not exist. The rules are
:mod:`jobs.supervision.overview`; the queries :mod:`storage.overview`.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from jobs.calendar.workdays import VIETNAM
from jobs.catalog import Catalog, duty_title
from jobs.supervision.digest import DigestObligation, local_day
from jobs.supervision.directives import DUTY as DIRECTIVE_DUTY
from jobs.supervision.directives import directive_name, period_of
from jobs.supervision.overview import (
    DirectiveTarget,
    OverviewUnit,
    directive_progress,
    heat_map,
    in_progress,
    obligation_line,
    standings,
    year_of,
)
from jobs.text.i18n import Translator
from storage.members import accounts
from storage.models import Role
from storage.overview import (
    cell_tallies,
    directive_targets,
    directives_within,
    logged_events,
    open_obligations_of,
    unit_people,
)
from storage.units import below, unit_children, unit_records


def scope_of(session: Session, *, platform: str, user_id: str) -> list[OverviewUnit]:
    """The active units this account supervises, with their subtrees, by code; empty when it
    supervises none (any more)."""
    roots = [u.id for m, u in accounts(session, platform=platform, user_id=user_id)
             if m.role == Role.SUPERVISOR and u.active]
    if not roots:
        return []
    tree = unit_children(session)
    inside = set().union(*(below(tree, root) for root in roots))
    records = [r for r in unit_records(session) if r.id in inside and r.active]
    ids = {r.id for r in records}
    return sorted((OverviewUnit(r.id, r.code, r.name, r.kind,
                                r.parent_id if r.parent_id in ids else None) for r in records),
                  key=lambda u: u.code)


def page_data(session: Session, *, platform: str, user_id: str, now: dt.datetime,
              catalog: Catalog, tr: Translator) -> dict | None:
    """The heat map and the directives of the account's scope; None without a scope."""
    units = scope_of(session, platform=platform, user_id=user_id)
    if not units:
        return None
    today, ids = local_day(now), [u.id for u in units]
    year = year_of(today)
    tallies = cell_tallies(session, unit_ids=ids, year=year, today=today,
                           utc_offset=VIETNAM.utcoffset(now.replace(tzinfo=None)),
                           exclude_duty=DIRECTIVE_DUTY)
    data = heat_map(units, tallies, catalog=catalog, lang=tr.lang)
    data["year"] = today.year
    data["today"] = tr.short_date(today)
    data["standings"] = standings(tr)
    data["directives"] = _directives(session, {u.id for u in units}, today, tr)
    return data


def _directives(session: Session, unit_ids: set[int], today: dt.date,
                tr: Translator) -> list[dict]:
    directives = directives_within(session, issuer_unit_ids=unit_ids)
    by_period = {period_of(d.id): d for d in directives}
    targets = [DirectiveTarget(by_period[r.period].id, r.status, r.due, r.done_at,
                               bool(r.delivered), bool(r.acknowledged))
               for r in directive_targets(session, duty_key=DIRECTIVE_DUTY, periods=by_period)]
    tally = directive_progress(targets, today=today)
    return [{"name": directive_name(d, tr, VIETNAM), "text": " ".join(d.text.split())[:200],
             "due": tr.short_date(d.due) if d.due else "", **tally[d.id]}
            for d in directives if d.id in tally and in_progress(tally[d.id])]


def unit_data(session: Session, *, platform: str, user_id: str, unit_id: int,
              now: dt.datetime, catalog: Catalog, tr: Translator) -> dict | None:
    """One unit's drill-down: its open obligations, what it logged this year (receipt, file),
    its officer and head; None when the unit is outside the account's scope."""
    unit = next((u for u in scope_of(session, platform=platform, user_id=user_id)
                 if u.id == unit_id), None)
    if unit is None:
        return None
    today = local_day(now)
    since = dt.datetime(today.year, 1, 1, tzinfo=VIETNAM)
    return {
        "unit": {"id": unit.id, "code": unit.code, "name": unit.name},
        "open": [obligation_line(DigestObligation(
            o.unit_id, o.duty_key, o.period, o.due, o.status, o.done_at, o.id, o.label, o.note),
            today=today, catalog=catalog, tr=tr)
            for o in open_obligations_of(session, unit_id=unit.id)],
        "events": [{"reference": e.reference, "at": tr.datetime(e.at.astimezone(VIETNAM)),
                    "duty": duty_title(catalog, o.duty_key, tr.lang) if o else "",
                    "document": e.document_number or "",
                    "file": f.name if f else (e.file_name or ""),
                    "file_state": f.state if f else ""}
                   for e, o, f in logged_events(session, unit_id=unit.id, since=since)],
        "people": [{"role": tr._("Head") if m.role == Role.HEAD else tr._("Officer"),
                    "name": m.display_name} for m in unit_people(session, unit_id=unit.id)],
    }
