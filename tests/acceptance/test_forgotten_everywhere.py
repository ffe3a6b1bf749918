"""After leaving isobot, a person's name and account survive only in the events they logged:
the evidence the law requires. Every text and JSON column of every table is searched."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import JSON, Text, select
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from jobs.people.absence import declare_absence
from jobs.text.i18n import translator
from storage import inbox
from storage.db import session_scope
from storage.members import account_rows
from storage.models import Outbox, Role
from tests.conftest import at
from tests.support.phone import phones

vi = translator("vi")
DUC_TAN, MO_DUC = "QNG-MD-DTAN", "QNG-MD"
START = at("2026-11-30 16:00")
NAME = "Quỳnh Xuyến"


@pytest.fixture(params=["telegram", "zalo"])
async def phone(request, engine, catalog):
    async with phones(request.param, engine, catalog, START, before_reform=True) as p:
        yield p


def where_found(engine, *needles: str) -> set[tuple[str, str]]:
    """Each (table, column) of text or JSON whose value anywhere holds one of ``needles``."""
    found = set()
    with session_scope(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, AutoString | Text | JSON)]
            if not columns:
                continue
            for row in session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    shown = json.dumps(value, ensure_ascii=False) \
                        if isinstance(value, dict | list) else str(value or "")
                    if any(needle in shown for needle in needles):
                        found.add((table.name, column.name))
    return found


async def test_after_leaving_the_name_and_account_are_only_in_the_logged_events(
        phone, calendar):
    await phone.register("Hung", MO_DUC, Role.SUPERVISOR)
    await phone.register("Minh", DUC_TAN, Role.HEAD)
    await phone.register(NAME, DUC_TAN, Role.OFFICER)  # owes a training named for her
    user = str(phone.id(NAME))
    await phone.send(NAME, "da nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026")
    confirm = await phone.send(NAME, "bo qua")
    assert "ISO-2026-000001" in await phone.choose(NAME, confirm, vi._("Confirm"))
    with session_scope(phone.engine) as session:  # as /vang records it
        (member,) = account_rows(session, platform=phone.platform, user_id=user)
        declare_absence(session, member=member, starts=dt.date(2026, 12, 21),
                        ends=dt.date(2026, 12, 23), substitute=None,
                        created_by=f"{phone.platform}:{user}", now=START, calendar=calendar)
    for day in ("2026-12-01 08:30", "2026-12-07 08:30"):  # reminders to her, notices of her
        await phone.tick(at(day))
    with session_scope(phone.engine) as session:
        sent = session.exec(select(Outbox.kind).where(Outbox.member_id == member.id,
                                                      Outbox.state == "sent")).all()
    assert "reminder" in {kind for (kind,) in sent}
    assert {("outbox", "payload"), ("member", "display_name"), ("obligation", "label"),
            ("absence", "created_by"), ("event", "actor")} <= where_found(
        phone.engine, NAME, user)

    await phone.inbox(NAME)  # read what came
    question = await phone.send(NAME, "/roi")
    await phone.choose(NAME, question, vi._("Leave isobot"))
    await phone.tick(at("2026-12-07 09:00"))  # the notices of her leaving go out

    assert where_found(phone.engine, NAME, user) == {("event", "actor")}
    # Her unit was told a member left, not who.
    notices = [m["text"] for m in await phone.inbox("Minh")]
    assert any(vi._("a member of {unit}").format(unit="UBND xã Đức Tân") in text
               for text in notices)


async def test_an_update_of_theirs_that_failed_leaves_with_them(phone):
    """A photo whose download failed waits aside for a retry, holding the sender's name: it
    goes when they leave, rather than being retried for someone who is no longer there."""
    await phone.register(NAME, DUC_TAN, Role.OFFICER)
    user = str(phone.id(NAME))
    with session_scope(phone.engine) as session:
        inbox.store(session, platform=phone.platform, now=START,
                    arrivals=[("photo-1", user, {"from": {"first_name": NAME}, "photo": "…"})])
        (row,) = inbox.take(session, now=START, until=START + dt.timedelta(minutes=2), limit=5,
                            platforms=[phone.platform])
        assert inbox.retry(session, row_id=row.id, at=START + dt.timedelta(hours=1),
                           error="the file answered 404")
    assert ("inbox", "payload") in where_found(phone.engine, NAME)

    question = await phone.send(NAME, "/roi")
    await phone.choose(NAME, question, vi._("Leave isobot"))

    assert ("inbox", "payload") not in where_found(phone.engine, NAME, user)
    with session_scope(phone.engine) as session:
        assert inbox.counts(session) == {"pending": 0, "parked": 0}
