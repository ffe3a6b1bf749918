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
(``/roi``, ``isobot person forget``): their memberships end, and their name and accounts survive
only in the events they logged, the unit's QMS records (which the database refuses to change),
as the notice says. Everywhere else a neutral label (``#12``) takes their place or the data is
erased: their membership rows, the messages to them (address and text, sent or not) and the
notices that named them, their training duty's label, who recorded an absence, a directive or
a legal document, their conversation state and given-up updates, link codes, wrong codes; the
notice their leaving sends says "a member of the unit".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.people.handover import remove_memberships
from jobs.people.linking import linked_rows
from jobs.people.registration import role_text
from jobs.text.i18n import Translator
from jobs.text.labels import TRAINING_PREFIX
from storage.absences import absences_of
from storage.members import account_rows
from storage.models import Absence, ChatState, Member, Unit
from storage.personal_data import (
    cancel_pending,
    delete_chat_states,
    delete_failed_updates,
    delete_link_codes,
    delete_wrong_codes,
    erase_messages_to,
    events_logged,
    messages_pending,
    replace_actor,
    replace_identities,
    texts_naming,
    training_duties,
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
                 tz: dt.tzinfo, to_operator: bool = False) -> list[str]:
    """The record as the person reads it (``/dulieu``), or the operator (``isobot person
    show``: about the person, not to them); other people's data left out."""
    if not record.rows:
        return [tr._("isobot holds no membership for this account: it keeps only the "
                     "conversation under way, if any.")]
    lines = [tr._("What isobot holds about this person:") if to_operator
             else tr._("What isobot holds about you:"), tr._("Accounts:")]
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
    lines += _logged(record, tr, to_operator=to_operator)
    return lines


def _logged(record: PersonalRecord, tr: Translator, *, to_operator: bool) -> list[str]:
    """What the person logged and what waits for them, said to them or about them."""
    if to_operator:
        logged = tr.ngettext(
            "This person logged {n} report or record; it is kept as their unit's QMS records.",
            "This person logged {n} reports or records; they are kept as their unit's QMS "
            "records.", record.events)
        pending = tr.ngettext("{n} message to this person waits to be sent.",
                              "{n} messages to this person wait to be sent.", record.pending)
    else:
        logged = tr.ngettext(
            "You logged {n} report or record; it is kept as your unit's QMS records.",
            "You logged {n} reports or records; they are kept as your unit's QMS records.",
            record.events)
        pending = tr.ngettext("{n} message to you waits to be sent.",
                              "{n} messages to you wait to be sent.", record.pending)
    lines = [logged.format(n=record.events)]
    if record.pending:
        lines.append(pending.format(n=record.pending))
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
    replaced by a neutral label, and their conversation state, pending messages, link codes,
    wrong codes and failed updates are erased. The events they logged stay: they are the unit's
    records."""
    rows = person_rows(session, platform=platform, user_id=user_id)
    active = [m for m in rows if m.active]
    # The units are told that a member left, not who: the name leaves with the person.
    remove_memberships(session, members=active, by=by, now=now, calendar=calendar, named=False)
    ids = [m.id for m in rows]
    cancelled = cancel_pending(session, member_ids=ids)
    delete_link_codes(session, member_ids=ids)
    accounts = {(m.platform, m.platform_user_id) for m in rows} | {(platform, user_id)}
    chats = {(m.platform, m.chat_id) for m in rows} | {(platform, user_id)}
    delete_chat_states(session, accounts=accounts)
    delete_wrong_codes(session, accounts=accounts)
    delete_failed_updates(session, chats=chats)
    erase_messages_to(session, member_ids=ids, chats=chats)
    _unname(session, rows)
    replace_identities(session, members=rows)
    return Forgotten(memberships=len(active), messages=cancelled)


def _unname(session: Session, rows: list[Member]) -> None:
    """Put each row's label where its name or account was written outside the evidence."""
    labels = {m.display_name: f"#{m.id}" for m in reversed(rows)
              if m.display_name and not m.display_name.startswith("#")}
    for row in rows:
        replace_actor(session, actor=f"{row.platform}:{row.platform_user_id}", by=f"#{row.id}")
    for duty in training_duties(session, periods=[f"{TRAINING_PREFIX}{m.id}" for m in rows]):
        duty.label = duty.note = f"#{duty.period.removeprefix(TRAINING_PREFIX)}"
        session.add(duty)
    if not labels:
        return
    since = min((m.joined_at for m in rows if m.joined_at),
                default=dt.datetime.min.replace(tzinfo=dt.UTC))
    for found in texts_naming(session, names=labels, since=since):
        if isinstance(found, ChatState):
            found.state = without_names(found.state, labels)
        else:
            found.payload = without_names(found.payload, labels)
        session.add(found)


def without_names(value: Any, labels: dict[str, str]) -> Any:
    """``value`` (a message's or a conversation's JSON) with each name of ``labels`` written
    as its label, as a whole word: "Lan" in "Lan đã nộp", not in "Lang". File bytes (``content``)
    are left as they are."""
    pattern = re.compile(r"(?<!\w)(" + "|".join(
        re.escape(name) for name in sorted(labels, key=len, reverse=True)) + r")(?!\w)")

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return pattern.sub(lambda match: labels[match[1]], item)
        if isinstance(item, list):
            return [walk(x) for x in item]
        if isinstance(item, dict):
            return {k: v if k == "content" else walk(v) for k, v in item.items()}
        return item

    return walk(value)
