"""Reporting a duty as done: ``/nop``, a reminder's "Done" or "Guidance", or a free-text reply
such as "đã nộp báo cáo quý 3 số 123/BC-UBND ngày 5/10/2026".

A flow of typed steps, named as python-telegram-bot's ConversationHandler examples name their
states (examples/conversationbot.py: ``GENDER, PHOTO, LOCATION, BIO``, one handler per state,
each returning the next state). Each :class:`Step` is what the officer is asked next; one small
handler takes the answer and returns the step to ask next, or None once it has replied itself.
Which steps a duty needs comes from its evidence rules in the catalog; what the officer already
typed is never asked again; every question names the duty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import parsing
from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Edit, IncomingFile, Turn
from bot.features.my_duties import (
    duty_line,
    evidence_prompt,
    my_obligation,
    my_open,
    say_already_done,
)
from bot.features.submission.draft import KIND, OFFERS, ORDER, Draft, Step, document_problem, offer
from bot.features.submission.intake import Found, named_duties
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog, Duty
from jobs.delivery.messages import Choice, Message
from jobs.evidence.store import receive_file
from jobs.evidence.submissions import (
    MAX_NONCONFORMITIES,
    FileEvidence,
    accepts,
    describe,
    earliest_plausible,
    log_submission,
    may_log,
    missing_evidence,
)
from jobs.planning.planner import about_obligation
from jobs.text.i18n import N_, Translator
from jobs.text.labels import named_period
from jobs.text.reminder_texts import reminder
from storage.models import Event, Obligation, ObligationStatus, Unit
from storage.outbox import sent_to_chat

__all__ = ["KIND", "Draft", "Step", "SubmissionFlow"]

Answer = Callable[[Turn, Draft, Obligation, str, str | None], Step | None]


@feature(20)
class SubmissionFlow(Feature):
    """``/nop`` and the steps from an open duty to a receipt."""

    choices = ("done", "pick", "guide", "skip", "confirm", "cancel", "datekeep", "dateredo")
    flow_kind = KIND
    takes_loose_files = True

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.words = parsing.DutyWords.of(catalog.duties)
        self.commands = (
            Command("nop", N_("report a duty as done (document number, date, file)"),
                    {Audience.EVERYONE}, self.report, aliases=("nộp",)),
        )
        self._answers: dict[Step, Answer] = {
            Step.DOCUMENT: self._document, Step.DATE_CHECK: self._date_check,
            Step.NONCONFORMITIES: self._nonconformities, Step.FILE: self._file,
            Step.CONFIRM: self._confirm}
        self._questions: dict[Step, Callable[[Turn, Draft, Obligation], None]] = {
            Step.DOCUMENT: self._ask_document, Step.DATE_CHECK: self._ask_date_check,
            Step.NONCONFORMITIES: self._ask_nonconformities, Step.FILE: self._ask_file,
            Step.CONFIRM: self._ask_confirm}

    # -- ways in --------------------------------------------------------------------------

    def report(self, turn: Turn, args: str) -> None:
        """/nop, optionally followed by what was done ("/nop quý 4 số 45/BC-UBND ngày 1/12")."""
        intent = parsing.parse_intent(args, today=turn.today, duties=self.words) \
            if args.strip() else None
        self._start_from(turn, intent)

    def on_intent(self, turn: Turn, intent: parsing.Intent) -> bool:
        """A reply that says something was done, or a bare document line."""
        bare_document = intent.action is None and intent.document is not None \
            and intent.document.number is not None
        if intent.action is not parsing.Action.SUBMITTED and not bare_document:
            return False
        self._start_from(turn, intent)
        return True

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """A reminder's "Done" or "Guidance", a duty picked from the list, or a step's button."""
        if action in ("done", "pick", "guide"):
            obligation = my_obligation(turn, value)
            if obligation is not None and obligation.status != ObligationStatus.OPEN:
                say_already_done(turn, obligation, self.calendar.tz)
            elif obligation is not None and action == "guide":
                self.guide(turn, obligation)
            elif obligation is not None:
                self.start(turn, obligation, carried=self._carried(turn))
            return
        flow = turn.state.get("flow")
        if not flow or flow.get("kind", KIND) != KIND or action not in \
                _offered_at(Draft.from_flow(flow).step):
            self.say_stale_choice(turn)
            return
        self.on_flow(turn, flow, "", action)

    def _start_from(self, turn: Turn, intent: parsing.Intent | None) -> None:
        draft = Draft(None, Step.DUTY)
        if intent is not None:
            draft.take(intent.document, intent.nonconformities)
        found = named_duties(turn, self.catalog, intent, self.calendar.tz) if intent \
            else Found(my_open(turn, self.catalog), exact=False)
        if found is None:
            return  # the duty named was reported already: said so, with its receipt
        if found.exact and len(found.rows) == 1:
            self.start(turn, found.rows[0][0], carried=draft)
            return
        self._ask_duty(turn, draft, found.rows)

    def _carried(self, turn: Turn) -> Draft | None:
        """What the officer typed before picking a duty from the list, if that is under way."""
        flow = turn.state.get("flow")
        if flow and flow.get("kind") == KIND and flow.get("step") == Step.DUTY:
            return Draft.from_flow(flow)
        return None

    def start(self, turn: Turn, obligation: Obligation, *, carried: Draft | None = None) -> None:
        """Report ``obligation``, with what is already known."""
        draft = Draft(obligation.id, Step.DOCUMENT)
        if carried is not None:
            draft.number, draft.date = carried.number, carried.date
            draft.nonconformities = carried.nonconformities
        self._go(turn, draft, obligation, self._after(None, draft, obligation))

    def guide(self, turn: Turn, obligation: Obligation) -> None:
        """"Guidance": the reminder again and what to send; a document line then reports it."""
        duty = self._duty(obligation)
        about = about_obligation(obligation, turn.session.get(Unit, obligation.unit_id),
                                 self.catalog, turn.tr.lang)
        text = reminder(about, turn.today, turn.tr, choices=False).text
        turn.say(text + "\n\n" + self._how(turn, duty))
        if accepts(duty, "document") or accepts(duty, "minutes"):
            turn.state["flow"] = Draft(obligation.id, Step.DOCUMENT, guided=True).to_flow()

    # -- the steps ------------------------------------------------------------------------

    def takes_text(self, flow: dict[str, Any]) -> bool:
        """Every step but the list of duties reads typed answers itself (a count, a line)."""
        return flow.get("step") != Step.DUTY

    def repeat(self, turn: Turn, flow: dict[str, Any]) -> bool:
        draft = Draft.from_flow(flow)
        obligation = turn.session.get(Obligation, draft.obligation_id or -1)
        if obligation is None or obligation.status != ObligationStatus.OPEN:
            return False
        self._go(turn, draft, obligation, draft.step)
        return True

    def on_flow(self, turn: Turn, flow: dict[str, Any], text: str,
                action: str | None = None) -> bool:
        """The officer's answer to the step under way."""
        draft = Draft.from_flow(flow)
        obligation = turn.session.get(Obligation, draft.obligation_id or -1)
        if draft.step is Step.DUTY or obligation is None:
            return False  # the list of duties stays open: this is an ordinary reply
        if draft.guided and not parsing.parse_document_reference(text, today=turn.today).number:
            turn.end_flow()  # guidance asked for a line, but this is something else
            return False
        if obligation.status != ObligationStatus.OPEN:
            turn.end_flow()
            say_already_done(turn, obligation, self.calendar.tz)
            return True
        action = action or self._typed_choice(turn, draft, obligation, text)
        if action == "cancel":
            turn.end_flow()
            turn.say(turn.tr._("Cancelled. Nothing was recorded."))
            return True
        draft.guided = False
        self._go(turn, draft, obligation,
                 self._answers[draft.step](turn, draft, obligation, text, action))
        return True

    def _after(self, step: Step | None, draft: Draft, obligation: Obligation) -> Step:
        """The first step after ``step`` (None: the first of all) still to be answered."""
        duty = self._duty(obligation)
        needed = {
            Step.DOCUMENT: not draft.number and ("document" in duty.requires
                                                 or "minutes" in duty.requires),
            Step.DATE_CHECK: draft.date is not None and not draft.date_ok
            and draft.date < earliest_plausible(obligation),
            Step.NONCONFORMITIES: "count" in duty.requires and draft.nonconformities is None,
            Step.FILE: draft.file is None,
            Step.CONFIRM: True,
        }
        later = ORDER[ORDER.index(step) + 1:] if step is not None else ORDER
        return next(s for s in later if needed[s])

    def _document(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
                  action: str | None) -> Step | None:
        document = parsing.parse_document_reference(text, today=turn.today)
        if not document.ok:
            turn.say(document_problem(document, turn.tr) + "\n"
                     + evidence_prompt(self._duty(obligation), turn.tr, turn.today))
            return None
        draft.take(document)
        return self._after(Step.DOCUMENT, draft, obligation)

    def _date_check(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
                    action: str | None) -> Step | None:
        if action == "datekeep":
            draft.date_ok = True
            return self._after(Step.DATE_CHECK, draft, obligation)
        if action == "dateredo":
            draft.number = draft.date = None
            return Step.DOCUMENT
        document = parsing.parse_document_reference(text, today=turn.today)
        if document.ok:  # the line typed again, corrected
            draft.take(document)
            return self._after(Step.DOCUMENT, draft, obligation)
        return Step.DATE_CHECK

    def _nonconformities(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
                         action: str | None) -> Step | None:
        number = text.strip()
        if not number.isdigit() or int(number) > MAX_NONCONFORMITIES:
            turn.say(turn.tr._("Please reply with a whole number from 0 to 200."))
            return None
        draft.nonconformities = int(number)
        return self._after(Step.NONCONFORMITIES, draft, obligation)

    def _file(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
              action: str | None) -> Step | None:
        duty = self._duty(obligation)
        if action == "skip" and self._may_skip(draft, duty):
            return Step.CONFIRM
        skipping = action == "skip" or parsing.match_choice(
            text, [("skip", turn.tr._("Skip"), parsing.choice_aliases("skip"))])
        # A bare number answers a choice, never a note ("1" for an earlier message's choice).
        if text.strip() and accepts(duty, "note") and not skipping \
                and parsing.choice_number(text) is None:
            draft.note = text.strip()[:4000]
            return Step.CONFIRM
        return Step.FILE

    def _confirm(self, turn: Turn, draft: Draft, obligation: Obligation, text: str,
                 action: str | None) -> Step | None:
        if action != "confirm":
            return Step.CONFIRM  # anything else: show the summary again
        self._log(turn, draft, obligation)
        return None

    def on_file(self, turn: Turn, flow: dict[str, Any] | None, incoming: IncomingFile) -> None:
        """A file or photo as evidence, at the file step or when confirming."""
        tr = turn.tr
        too_large = incoming.content is None and not incoming.fetch_failed
        if too_large or (incoming.size or 0) > turn.messenger.max_file_bytes:
            size = (incoming.size or 0) / (1024 * 1024)
            turn.say(tr._("The file is too large ({size} MB). The limit is {limit} MB: please "
                          "send a smaller file or a photo of the first page.").format(
                size=tr.number(round(size, 1)), limit=turn.file_limit_mb()))
            return
        draft = Draft.from_flow(flow) if flow else None
        obligation = turn.session.get(Obligation, draft.obligation_id or -1) if draft else None
        if obligation is None or draft.step not in (Step.FILE, Step.CONFIRM):
            turn.say(tr._("To attach a file, first type /nop and choose the duty."))
            return
        received = receive_file(turn.session, name=incoming.name, ref=incoming.ref,
                                platform=turn.inbound.platform, content=incoming.content,
                                now=turn.now)
        draft.file = FileEvidence(incoming.name, received.sha256, incoming.ref, received.file_id)
        self._go(turn, draft, obligation, Step.CONFIRM)

    # -- questions ------------------------------------------------------------------------

    def _go(self, turn: Turn, draft: Draft, obligation: Obligation, step: Step | None) -> None:
        """Move to ``step`` and ask it; None: the handler has replied and nothing moves."""
        if step is None:
            return
        if step is Step.CONFIRM and missing_evidence(self._duty(obligation), draft.submission()):
            step = Step.FILE  # a file or a note is still required
        draft.step = step
        turn.state["flow"] = draft.to_flow()
        self._questions[step](turn, draft, obligation)

    def _ask_duty(self, turn: Turn, draft: Draft, rows: list[tuple[Obligation, Unit]]) -> None:
        if not rows:
            turn.say(turn.tr._("Your units have no open duties to report. 👍"))
            return
        turn.state["flow"] = draft.to_flow()
        choices = tuple(Choice(f"pick:{o.id}", duty_line(o, u, turn, self.catalog))
                        for o, u in rows[:10])
        turn.say(turn.tr._("Which duty are you reporting as done?"), choices)

    def _heading(self, turn: Turn, obligation: Obligation) -> str:
        return turn.tr._("Reporting “{title}” ({period}).").format(
            title=self._duty(obligation).title.get(turn.tr.lang),
            period=named_period(obligation, turn.tr))

    def _ask_document(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr = turn.tr
        turn.say("\n".join([self._heading(turn, obligation),
                            evidence_prompt(self._duty(obligation), tr, turn.today),
                            tr._("Type /huy to cancel.")]))

    def _ask_date_check(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr = turn.tr
        turn.say("\n".join([
            self._heading(turn, obligation),
            tr._("The document {number} is dated {date}, before {period}, the period it reports "
                 "on. Is the date right?").format(
                number=draft.number, date=tr.short_date(draft.date),
                period=named_period(obligation, tr))]), offer(Step.DATE_CHECK, tr))

    def _ask_nonconformities(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        turn.say("\n".join([self._heading(turn, obligation), turn.tr._(
            "How many nonconformities did the internal audit find? Reply with a number (0 if "
            "none).")]))

    def _ask_file(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr, duty = turn.tr, self._duty(obligation)
        if self._may_skip(draft, duty):
            ask = tr._("You may now send the file or a photo of the document (up to {limit} "
                       "MB), or skip this step.")
        elif accepts(duty, "note"):
            ask = tr._("This duty needs evidence: send a photo or file of the filled-in "
                       "checklist (up to {limit} MB), or type a short note of what you checked "
                       "and found.")
        else:
            ask = tr._("This duty needs a file: please send the file or a photo of the document "
                       "(up to {limit} MB).")
        ask = ask.format(limit=turn.file_limit_mb())
        turn.say("\n".join([self._heading(turn, obligation), ask]),
                 offer(Step.FILE, tr, skip=self._may_skip(draft, duty)))

    def _may_skip(self, draft: Draft, duty: Duty) -> bool:
        return not missing_evidence(duty, draft.submission())

    def _ask_confirm(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr = turn.tr
        turn.say("\n".join([tr._("Please confirm:"), *self._summary(turn, draft, obligation)]),
                 offer(Step.CONFIRM, tr))

    def _how(self, turn: Turn, duty: Duty) -> str:
        if accepts(duty, "document") or accepts(duty, "minutes"):
            return evidence_prompt(duty, turn.tr, turn.today)
        if accepts(duty, "note") or accepts(duty, "file"):
            return turn.tr._("When it is done, type /nop and send a photo of the filled-in "
                             "checklist, or a short note of what you found.")
        return turn.tr._("When it is done, choose “Done” on the reminder, or type /nop.")

    def _typed_choice(self, turn: Turn, draft: Draft, obligation: Obligation,
                      text: str) -> str | None:
        """The step's choice that typed ``text`` picks, with the words of any other choice."""
        offered = offer(draft.step, turn.tr,
                        skip=self._may_skip(draft, self._duty(obligation)))
        return parsing.match_choice(
            text, [(c.id, c.label, parsing.choice_aliases(c.id)) for c in offered]) \
            if offered and text else None

    # -- recording ------------------------------------------------------------------------

    def _summary(self, turn: Turn, draft: Draft, obligation: Obligation) -> list[str]:
        tr = turn.tr
        unit = turn.session.get(Unit, obligation.unit_id)
        evidence = Event(document_number=draft.number, document_date=draft.date,
                         nonconformities=draft.nonconformities, note=draft.note,
                         file_name=draft.file.name if draft.file else None)
        return [tr._("Duty: {title} ({period})").format(
                    title=self._duty(obligation).title.get(tr.lang),
                    period=named_period(obligation, tr)),
                tr._("Unit: {unit}").format(unit=unit.name), *describe(evidence, tr),
                *self._pending_file(draft, tr)]

    @staticmethod
    def _pending_file(draft: Draft, tr: Translator) -> list[str]:
        if draft.file is None or draft.file.sha256 is not None:
            return []
        return [tr._("⏳ The file could not be downloaded yet: isobot will try again and keep "
                     "it with this report.")]

    def _log(self, turn: Turn, draft: Draft, obligation: Obligation) -> None:
        tr = turn.tr
        member = next(m for m, _ in turn.members if may_log(m, obligation))
        logged = log_submission(turn.session, member=member, now=turn.now, catalog=self.catalog,
                                calendar=self.calendar, submission=draft.submission())
        turn.end_flow()
        if logged.problem:
            turn.say(tr._("Nothing was recorded: this duty cannot be reported by you now."))
            return
        reference = logged.event.reference
        lines = [tr._("✅ Recorded. Receipt number: {reference}").format(reference=reference),
                 *self._summary(turn, draft, obligation),
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
        self._mark_reminders_done(turn, obligation, reference)

    def _mark_reminders_done(self, turn: Turn, obligation: Obligation, reference: str) -> None:
        """Edit the reminders this chat got for ``obligation`` so they show it is done."""
        done = turn.tr._("✅ Done — receipt {reference}").format(reference=reference)
        for row in sent_to_chat(turn.session, obligation_id=obligation.id,
                                platform=turn.inbound.platform, chat_id=turn.inbound.chat_id):
            original = Message.from_payload(row.payload).text
            turn.replies.edits.append(Edit(row.sent_message_id, Message(f"{original}\n\n{done}")))

    def _duty(self, obligation: Obligation) -> Duty:
        return self.catalog.duty(obligation.duty_key)


def _offered_at(step: Step) -> tuple[str, ...]:
    return OFFERS.get(step, ())
