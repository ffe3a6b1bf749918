"""Recording a confirmed report: the receipt the officer reads, and the reminders this chat got
for the duty edited to show it is done."""

from __future__ import annotations

from bot.chat.turn import Edit, Turn
from bot.features.submission.draft import Draft
from bot.features.submission.questions import Questions
from jobs.calendar.workdays import WorkCalendar
from jobs.delivery.messages import Message
from jobs.evidence.submissions import log_submission, may_log
from storage.models import Obligation
from storage.outbox import sent_to_chat


def record(turn: Turn, draft: Draft, obligation: Obligation, questions: Questions,
           calendar: WorkCalendar) -> None:
    """Log the report of ``obligation`` and answer with its receipt."""
    tr = turn.tr
    member = next(m for m, _ in turn.members if may_log(m, obligation))
    logged = log_submission(turn.session, member=member, now=turn.now,
                            catalog=questions.catalog, calendar=calendar,
                            submission=draft.submission())
    if logged.problem:
        turn.say(tr._("Nothing was recorded: this duty cannot be reported by you now."))
        return
    reference = logged.event.reference
    lines = [tr._("✅ Recorded. Receipt number: {reference}").format(reference=reference),
             *questions.summary(turn, draft, obligation),
             tr._("Recorded at: {moment}").format(moment=tr.datetime(turn.now))]
    if draft.file and draft.file.sha256:
        lines.append(tr._("File fingerprint (SHA-256): {digest}").format(
            digest=draft.file.sha256))
    if logged.corrective_actions:
        actions = logged.corrective_actions
        lines.append(tr.ngettext("{n} corrective action was created, due {date}.",
                                 "{n} corrective actions were created, due {date}.",
                                 len(actions)).format(n=len(actions),
                                                      date=tr.date(actions[0].due)))
    lines.append(tr._("The ISO standing office has been informed. To correct this record "
                      "later, type /sua {reference}.").format(reference=reference))
    turn.say("\n".join(lines))
    _mark_reminders_done(turn, obligation, reference)


def _mark_reminders_done(turn: Turn, obligation: Obligation, reference: str) -> None:
    """Edit the reminders this chat got for ``obligation`` so they show it is done."""
    done = turn.tr._("✅ Done — receipt {reference}").format(reference=reference)
    for row in sent_to_chat(turn.session, obligation_id=obligation.id,
                            platform=turn.inbound.platform, chat_id=turn.inbound.chat_id):
        original = Message.from_payload(row.payload).text
        turn.replies.edits.append(Edit(row.sent_message_id, Message(f"{original}\n\n{done}")))
