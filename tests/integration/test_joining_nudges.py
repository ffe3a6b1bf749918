"""Nudges for units that have not joined: a head is reminded once, 14 days after the unit's
invitation, while it has no ISO officer; the supervisor's digest names them and says /moi."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from jobs.catalog import load_catalog
from jobs.delivery.messages import Message
from jobs.people.handover import HEAD_UNTIL_AN_OFFICER
from jobs.people.joining import remind_heads_of_unjoined
from jobs.people.registration import create_invite
from jobs.supervision.digest import DigestObligation, DigestUnit
from jobs.supervision.subtree_digest import supervisor_digest
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Member, Outbox, Role
from storage.units import unit_by_code
from tests.conftest import at
from tests.support.records import member
from tests.support.telegram import load_sample_units

vi = translator("vi")
INVITED = at("2026-12-01 09:00")


def nudges(engine) -> dict[str, str]:
    """Each reminder queued, by the head's user id: its text."""
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox, Member).join(Member, Member.id == Outbox.member_id)
                            .where(Outbox.unique_key.like("invite-nudge:%"))).all()
        return {m.platform_user_id: Message.from_payload(o.payload).text for o, m in rows}


def test_a_head_hears_once_two_weeks_after_the_invitation_while_nobody_joined(engine):
    load_sample_units(engine, at("2026-11-30 07:00"))
    with session_scope(engine) as session:
        member(session, "AGG-STP", Role.HEAD, 501, "Thủ trưởng")
        member(session, "AGG-SKHCN", Role.HEAD, 502, "Giám đốc")
        member(session, "AGG-SKHCN", Role.OFFICER, 503, "Lan")  # joined: no reminder
        for code in ("AGG-STP", "AGG-SKHCN"):
            create_invite(session, unit=unit_by_code(session, code=code), role=Role.OFFICER,
                          now=INVITED, valid_days=14)
    with session_scope(engine) as session:
        assert remind_heads_of_unjoined(session, now=INVITED + dt.timedelta(days=13)) == 0
    with session_scope(engine) as session:
        assert remind_heads_of_unjoined(session, now=INVITED + dt.timedelta(days=14)) == 1
    with session_scope(engine) as session:
        assert remind_heads_of_unjoined(session, now=INVITED + dt.timedelta(days=15)) == 0
    assert nudges(engine) == {"501": "\n".join([
        vi._("⚠️ {unit} has no ISO officer on isobot yet, {days} days after its "
             "invitation.").format(unit="Sở Tư pháp tỉnh An Giang", days=14),
        vi._(HEAD_UNTIL_AN_OFFICER)])}


def test_the_supervisors_digest_names_the_units_not_joined_and_says_moi():
    root = DigestUnit(1, "AGG", "UBND tỉnh An Giang")
    units = [root, *(DigestUnit(i, f"AGG-{i}", f"Trường {i}") for i in range(2, 15))]
    overdue = [DigestObligation(2, "quarterly_report", "2026-Q3", dt.date(2026, 10, 15), "open")]
    text = supervisor_digest(root, units, overdue, now=at("2026-12-07 07:30"),
                             catalog=load_catalog(), tr=vi, without_officer=units[1:]).text
    assert vi._("👤 Units without an ISO officer ({n}); their reminders go to the head:").format(
        n=13) in text
    assert "• Trường 2" in text and "• Trường 11" in text and "• Trường 12" not in text
    assert vi._("… and {n} more").format(n=3) in text
    assert text.endswith(vi._("Type /moi for their invitation codes: an Excel sheet and cards "
                              "to print.") + "\n\n" + vi._("The chart and the table are attached."))
