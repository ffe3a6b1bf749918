"""The words of reminders and escalations, in the register of an official letter. Pure.

Also how the days left read, which digests, exports and the chat reuse; how a period reads is
:mod:`jobs.text.labels` (``period_text`` is re-exported here). The shape of a message (text,
choices, attachments) is :mod:`jobs.delivery.messages`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from jobs.catalog import Duty
from jobs.delivery.messages import Choice, Message
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import Translator
from jobs.text.labels import content_text, period_line, period_text

__all__ = ["DRAFTED_DUTY", "DRAFT_REPORT", "About", "days_left_text", "escalation", "for_stage",
           "in_brief", "period_text", "reminder", "reply_choices"]


#: The duty whose reminder also offers to draft the report from the records, and that choice.
DRAFTED_DUTY, DRAFT_REPORT = "annual_report", "baocao"


@dataclass(frozen=True)
class About:
    """What a message is about: the obligation as a person reads it."""

    obligation_id: int
    unit_name: str
    duty: Duty
    period: str
    due: dt.date
    detail: str | None = None  # a directive's text, a legal document's number and title
    label: str | None = None  # the official number or name people know it by (jobs.text.labels)

    def period_name(self, tr: Translator) -> str:
        """The period as a person names it: ``quý 4/2026``, ``1699/UBND-TH: …``."""
        return period_text(self.period, tr, label=self.label, note=self.detail)


def days_left_text(due: dt.date, today: dt.date, tr: Translator) -> str:
    """``còn 3 ngày``, ``hạn chót là hôm nay`` or ``đã quá hạn 2 ngày``."""
    days = (due - today).days
    if days > 0:
        return tr.ngettext("{n} day left", "{n} days left", days).format(n=days)
    if days == 0:
        return tr._("due today")
    return tr.ngettext("{n} day overdue", "{n} days overdue", -days).format(n=-days)


def reply_choices(about: About, tr: Translator) -> tuple[Choice, ...]:
    """The replies a reminder offers: done, remind me later, how to (and for the yearly
    report, a draft of it from isobot's records)."""
    done = tr._("Submitted") if about.duty.evidence == "document" else tr._("Done")
    oid = about.obligation_id
    drafting = (Choice(choice_id(DRAFT_REPORT, oid), tr._("Draft the report")),) \
        if about.duty.key == DRAFTED_DUTY else ()
    return (
        Choice(choice_id("done", oid), done),
        Choice(choice_id("later", oid), tr._("Remind me later")),
        Choice(choice_id("guide", oid), tr._("Guidance")),
        *drafting,
    )


def reminder(about: About, today: dt.date, tr: Translator, *, choices: bool = True) -> Message:
    """A reminder to the person who does the duty, with its checklist and legal basis."""
    duty = about.duty
    overdue = today > about.due
    lines = [
        (tr._("⚠️ OVERDUE ISO DUTY: {title}") if overdue else tr._("🔔 ISO DUTY REMINDER: {title}"))
        .format(title=duty.title.get(tr.lang)),
        tr._("Unit: {unit}").format(unit=about.unit_name),
        period_line(about.period, tr, label=about.label, note=about.detail),
        tr._("Deadline: {date} ({left})").format(
            date=tr.date(about.due), left=days_left_text(about.due, today, tr)),
    ]
    if detail := content_text(about.period, about.detail):
        lines.append(tr._("Content: {detail}").format(detail=detail))
    lines.append(tr._("Legal basis: {basis}").format(basis=duty.legal_basis.get(tr.lang)))
    checklist = duty.checklist.get(tr.lang)
    if checklist:
        lines += ["", tr._("Checklist:")]
        lines += [f"☐ {item}" for item in checklist]
    lines += ["", tr._("When it is done, please reply “{done}” and give the document number and "
                       "date.").format(done=reply_choices(about, tr)[0].label)]
    return Message("\n".join(lines), reply_choices(about, tr) if choices else (), lang=tr.lang)


def escalation(about: About, role: str, today: dt.date, tr: Translator) -> Message:
    """A notice to the unit head or the supervisor that a duty is overdue."""
    days = (today - about.due).days
    if role == "head":
        head = tr._("Dear Head of unit,")
        ask = tr._("Please direct the ISO officer to complete it without delay.")
    else:
        head = tr._("Dear ISO standing office,")
        ask = tr._("Please follow up with the unit.")
    lines = [
        tr._("⛔ ESCALATION: OVERDUE ISO DUTY"),
        head,
        tr.ngettext(
            "The unit {unit} has not completed “{title}” for {period}, due {date}: "
            "{n} day overdue.",
            "The unit {unit} has not completed “{title}” for {period}, due {date}: "
            "{n} days overdue.",
            days,
        ).format(unit=about.unit_name, title=about.duty.title.get(tr.lang),
                 period=about.period_name(tr), date=tr.date(about.due), n=days),
        ask,
    ]
    return Message("\n".join(lines))


def for_stage(stage_track: str, recipient_role: str, about: About, today: dt.date,
              tr: Translator) -> Message:
    """The message of a planned stage: a reminder on the officer's track, else an escalation."""
    if stage_track == "remind":
        return reminder(about, today, tr)
    return escalation(about, recipient_role, today, tr)


def in_brief(stage_track: str, about: About, today: dt.date, tr: Translator) -> str:
    """The stage as one duty of a message that gathers a morning's (two lines, no checklist):
    the title, then the unit, the period and the deadline with the days left."""
    title = about.duty.title.get(tr.lang)
    if stage_track != "remind":
        title = tr._("⛔ Overdue: {title}").format(title=title)
    elif today > about.due:
        title = tr._("⚠️ Overdue: {title}").format(title=title)
    return "\n".join([title, tr._("{unit} · {period} · deadline {date} ({left})").format(
        unit=about.unit_name, period=about.period_name(tr), date=tr.date(about.due),
        left=days_left_text(about.due, today, tr))])


# Stand-ins for what differs between the messages of one group: control characters, which
# neither a unit's name nor a translation contains.
_UNIT_NAME = "\x00unit\x00"
_OBLIGATION_ID = "\x00obligation\x00"


class RenderedOnce:
    """Stage payloads rendered once per distinct text and language, then filled in per message.

    A group's messages differ only in the unit's name and the obligation's id (in the reply
    choices): each distinct text is rendered once, with stand-ins for those two, and copied.
    """

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._rendered: dict[tuple, dict[str, Any]] = {}

    def payload(self, stage_track: str, recipient_role: str, about: About,
                tr: Translator) -> dict[str, Any]:
        """The outbox payload of :func:`for_stage` for ``about`` as of ``today``."""
        # The duty object, not its key: each province's catalog has its own (its legal basis),
        # and every catalog lives as long as the process.
        key = (stage_track, recipient_role, id(about.duty), about.period, about.due,
               about.detail, about.label, tr.lang)
        template = self._rendered.get(key)
        if template is None:
            stand_in = replace(about, obligation_id=_OBLIGATION_ID, unit_name=_UNIT_NAME)
            template = {**for_stage(stage_track, recipient_role, stand_in, self.today,
                                    tr).to_payload(),
                        "brief": in_brief(stage_track, stand_in, self.today, tr)}
            self._rendered[key] = template
        oid = str(about.obligation_id)
        return {**template,
                "text": template["text"].replace(_UNIT_NAME, about.unit_name),
                "brief": template["brief"].replace(_UNIT_NAME, about.unit_name),
                "choices": [[choice.replace(_OBLIGATION_ID, oid), label]
                            for choice, label in template["choices"]]}
