"""Which of the person's duties a free-text report names, and what to say when it names a duty
or a period that is not open: the one reported already (with its receipt), or one not owed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.chat.turn import Turn
from bot.features.my_duties import (
    loggable_units,
    matching,
    my_open,
    period_matches,
    say_already_done,
)
from bot.parsing import Intent
from jobs.catalog import Catalog
from jobs.text.reminder_texts import period_text
from storage.models import Obligation, ObligationStatus, Unit
from storage.obligations import obligations_of_units


@dataclass(frozen=True)
class Found:
    """The open duties to choose from; ``exact`` when they are the ones the reply named."""

    rows: list[tuple[Obligation, Unit]]
    exact: bool


def named_duties(turn: Turn, catalog: Catalog, intent: Intent, tz: dt.tzinfo) -> Found | None:
    """The open duties ``intent`` names. When it names a duty or a period none of them is: the
    one reported already is answered with its receipt (None), else the person is told and gets
    every open duty to choose from."""
    rows = matching(turn, catalog, intent)
    if rows or (intent.duty is None and intent.period_hint is None):
        return Found(rows or my_open(turn, catalog), exact=True)
    done = _reported(turn, intent)
    if done is not None:
        if intent.document is not None and intent.document.ok:  # for "Correct this record"
            turn.carry(number=intent.document.number, date=intent.document.date.isoformat())
        say_already_done(turn, done, tz)
        return None
    turn.say(turn.tr._("{what} is not among your open duties.").format(
        what=_named(catalog, intent, turn)))
    return Found(my_open(turn, catalog), exact=False)


def _reported(turn: Turn, intent: Intent) -> Obligation | None:
    """The latest duty of the person's units the reply names that was reported done."""
    units = loggable_units(turn)
    done = [o for o in obligations_of_units(turn.session, unit_ids=units)
            if o.status == ObligationStatus.DONE
            and (intent.duty is None or o.duty_key == intent.duty)
            and period_matches(o.period, intent.period_hint)]
    return max(done, key=lambda o: (o.done_at, o.id)) if done else None


def _named(catalog: Catalog, intent: Intent, turn: Turn) -> str:
    """"Báo cáo quý … (quý 3/2026)": the duty and the period as the reply named them."""
    tr = turn.tr
    parts = []
    if intent.duty is not None:
        parts.append(f"“{catalog.duty(intent.duty).title.get(tr.lang)}”")
    if intent.quarter is not None:
        period = period_text(f"{intent.year or turn.today.year}-Q{intent.quarter}", tr)
        parts.append(f"({period})" if parts else period)
    elif intent.year is not None:
        period = period_text(str(intent.year), tr)
        parts.append(f"({period})" if parts else period)
    text = " ".join(parts)
    return text[:1].upper() + text[1:]
