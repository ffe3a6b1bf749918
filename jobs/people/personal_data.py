"""A person's data: the notice when they register, what isobot holds about them, and leaving.

What the law asks, and how isobot answers it:

- The Personal Data Protection Law 2025 (Law 91/2025/QH15, in force 1 January 2026, which
  takes over from Decree 13/2023/NĐ-CP) holds consent valid only when the person knows the type
  of data processed and the purpose, who controls it, and their own rights and duties (Art.
  9(2)); among those rights, to be informed, to see their data, and to ask for it to be erased
  or its processing restricted (Art. 4(1)). Decree 13/2023/NĐ-CP, Art. 13(2), listed for the
  notice: the purpose, the types of data, how it is processed, the other parties involved, and
  when processing starts and ends. (Law text as quoted by thuvienphapluat.vn and kenh14.vn,
  dblegal.vn for Art. 4.) The notice (:func:`notice_lines`) says each in a few lines.
- Zalo's terms for bots make the developer tell users they talk to an automated system (see
  shared/reference/messengers.md): the notice's first line.

A person sees what isobot holds (``/dulieu``, ``isobot person show``) and leaves
(``/roi``, ``isobot person forget``): their memberships end, their name is replaced by a
neutral label, and what is not evidence is erased — their conversation state, messages not yet
sent to them, link codes, wrong codes. The events they logged stay: they are the unit's QMS
records (and the database refuses to change them), as the notice says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.people.handover import remove_memberships
from jobs.people.linking import linked_rows
from jobs.people.registration import role_text
from jobs.text.i18n import Translator
from storage.absences import absences_of
from storage.members import account_rows
from storage.models import Absence, Member, Unit
from storage.personal_data import (
    cancel_pending,
    delete_chat_states,
    delete_link_codes,
    delete_wrong_codes,
    events_logged,
    messages_pending,
    replace_names,
)

_LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language


@dataclass(frozen=True)
class Operator:
    """Who runs isobot, the controller of the data (``ISOBOT_OPERATOR_NAME`` / ``_CONTACT``)."""

    name: str = ""
    contact: str = ""


def notice_lines(tr: Translator, *, operator: Operator, brand: str) -> list[str]:
    """The notice a person reads when they register: an automated system, who runs it, what it
    keeps and why, for how long, and how to see it or leave."""
    lines = [tr._("ℹ️ isobot is an automated system (a chatbot), not a person; it is run by "
                  "{operator}.").format(operator=operator.name) if operator.name else
             tr._("ℹ️ isobot is an automated system (a chatbot), not a person; it is run for "
                  "your province by the ISO standing office that gave you the invite code.")]
    if operator.contact:
        lines.append(tr._("Contact: {contact}.").format(contact=operator.contact))
    lines += [
        tr._("To do its work it keeps your name, your {brand} account and chat id, your unit "
             "and role, your language, and what you report (documents, files, notes) as your "
             "unit's ISO 9001 quality-management records; your unit's head and the ISO "
             "standing office see your reports.").format(brand=brand),
        tr._("What you report stays in the unit's records; the rest is kept only while you use "
             "isobot."),
        tr._("Type /dulieu to see what isobot holds about you, /roi to leave isobot."),
    ]
    return lines


@dataclass(frozen=True)
class PersonalRecord:
    """What isobot holds about one person, on every account they linked."""

    rows: list[Member]  # every membership of every account, ended ones too
    units: dict[int, Unit]
    absences: list[Absence] = field(default_factory=list)
    events: int = 0  # what they logged: the unit's records
    pending: int = 0  # messages to them not sent yet


def person_rows(session: Session, *, platform: str, user_id: str) -> list[Member]:
    """Every membership of the person behind an account, on all their linked accounts."""
    own = account_rows(session, platform=platform, user_id=user_id)
    return linked_rows(session, own) if own else []


def personal_record(session: Session, *, platform: str, user_id: str) -> PersonalRecord:
    """What isobot holds about the person behind the account ``platform``/``user_id``."""
    rows = person_rows(session, platform=platform, user_id=user_id)
    ids = [m.id for m in rows]
    return PersonalRecord(
        rows=rows, units={m.unit_id: session.get(Unit, m.unit_id) for m in rows},
        absences=absences_of(session, member_ids=ids, ending_from=dt.date.min),
        events=events_logged(session, member_ids=ids),
        pending=messages_pending(session, member_ids=ids))


def record_lines(record: PersonalRecord, tr: Translator, *, brand: Callable[[str], str],
                 tz: dt.tzinfo) -> list[str]:
    """The record as the person (or the operator) reads it; other people's data left out."""
    if not record.rows:
        return [tr._("isobot holds no membership for this account: it keeps only the "
                     "conversation under way, if any.")]
    lines = [tr._("What isobot holds about you:"), tr._("Accounts:")]
    accounts: dict[tuple[str, str], Member] = {}
    for member in record.rows:
        accounts[(member.platform, member.platform_user_id)] = member  # the newest row wins
    for (platform, user_id), member in accounts.items():
        lines.append("• " + tr._("{brand}: account {account}, chat {chat}, name “{name}”, "
                                 "language {language}").format(
            brand=brand(platform), account=user_id, chat=member.chat_id,
            name=member.display_name, language=_LANGUAGE_NAMES.get(member.language,
                                                                   member.language)))
    lines.append(tr._("Memberships:"))
    for member in record.rows:
        unit = record.units[member.unit_id]
        since = (tr.date(member.joined_at.astimezone(tz).date()) if member.joined_at
                 else "—")
        state = (tr._("since {date}").format(date=since) if member.active
                 else tr._("ended"))
        lines.append(f"• {unit.name} — {role_text(member.role, tr)} ({brand(member.platform)}, "
                     f"{state})")
    if record.absences:
        lines.append(tr._("Absences recorded:"))
        lines += [f"• {tr.date(a.starts)} – {tr.date(a.ends)}" for a in record.absences]
    lines.append(tr.ngettext(
        "You logged {n} report or record; it is kept as your unit's QMS records.",
        "You logged {n} reports or records; they are kept as your unit's QMS records.",
        record.events).format(n=record.events))
    if record.pending:
        lines.append(tr.ngettext("{n} message to you waits to be sent.",
                                 "{n} messages to you wait to be sent.",
                                 record.pending).format(n=record.pending))
    return lines


@dataclass(frozen=True)
class Forgotten:
    """What leaving did: memberships ended, messages cancelled."""

    memberships: int
    messages: int


def forget_person(session: Session, *, platform: str, user_id: str, by: str, now: dt.datetime,
                  calendar: WorkCalendar) -> Forgotten:
    """The person behind the account leaves isobot, on every account they linked: their
    memberships end (their units are told, as for ``isobot members remove``), their name is
    replaced by a neutral label, and their conversation state, pending messages, link codes and
    wrong codes are erased. The events they logged stay: they are the unit's records."""
    rows = person_rows(session, platform=platform, user_id=user_id)
    active = [m for m in rows if m.active]
    # First: the units are told who left by the name they know.
    remove_memberships(session, members=active, by=by, now=now, calendar=calendar)
    ids = [m.id for m in rows]
    cancelled = cancel_pending(session, member_ids=ids)
    delete_link_codes(session, member_ids=ids)
    accounts = {(m.platform, m.platform_user_id) for m in rows} | {(platform, user_id)}
    delete_chat_states(session, accounts=accounts)
    delete_wrong_codes(session, accounts=accounts)
    replace_names(session, members=rows)
    return Forgotten(memberships=len(active), messages=cancelled)
