"""Reporting a duty as done: ``/nop``, a reminder's "Done" or "Guidance", or a free-text reply
such as "đã nộp báo cáo quý 3 số 123/BC-UBND ngày 5/10/2026".

A flow of typed steps (:mod:`bot.chat.flow`), named as python-telegram-bot's
ConversationHandler examples name their states (examples/conversationbot.py). Each
:class:`Step` is what the officer is asked next; one small handler takes the answer and returns
the step to ask next. Which steps a duty needs comes from its evidence rules in the catalog;
what the officer already typed is never asked again; every question names the duty
(:mod:`bot.features.submission.questions`).
"""

from __future__ import annotations

from bot import parsing
from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.flow import DROP, END, PASS, STAY, Answer, Flow, Next, On, Steps
from bot.chat.turn import IncomingFile, Turn
from bot.features.my_duties import evidence_prompt, my_obligation, my_open, say_already_done
from bot.features.submission.draft import KIND, OFFERS, ORDER, Draft, Step, document_problem
from bot.features.submission.intake import Found, named_duties
from bot.features.submission.questions import Questions
from bot.features.submission.receipt import record
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.evidence.store import receive_file
from jobs.evidence.submissions import (
    MAX_NONCONFORMITIES,
    FileEvidence,
    accepts,
    earliest_plausible,
)
from jobs.planning.planner import about_obligation
from jobs.text.choice_ids import ChoiceId, read_choice_id
from jobs.text.i18n import N_
from jobs.text.reminder_texts import reminder
from storage.models import Obligation, ObligationStatus, Unit

__all__ = ["KIND", "Draft", "Step", "SubmissionFlow"]


@feature(20)
class SubmissionFlow(Feature):
    """``/nop`` and the steps from an open duty to a receipt."""

    choices = ("done", "pick", "guide", "skip", "confirm", "cancel", "datekeep", "dateredo")
    takes_loose_files = True

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.words = parsing.DutyWords.of(catalog.duties)
        self.commands = (
            Command("nop", N_("report a duty as done (document number, date, file)"),
                    {Audience.EVERYONE}, self.report, aliases=("nộp",)),
        )
        self.ask = ask = Questions(catalog)
        self.steps = Steps(KIND, Draft, {
            Step.DUTY: On(self._listed, ask.open_duties),
            Step.DOCUMENT: On(self._document, ask.document, reads_text=True),
            Step.DATE_CHECK: On(self._date_check, ask.date_check, reads_text=True),
            Step.NONCONFORMITIES: On(self._nonconformities, ask.nonconformities,
                                     reads_text=True),
            Step.FILE: On(self._file, ask.file, reads_text=True),
            Step.CONFIRM: On(self._confirm, ask.confirm, reads_text=True),
        }, before=self._before)
        self.flows = (self.steps,)

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
        flow = self.steps.under_way(turn)
        if flow is None or action not in OFFERS.get(flow.step, ()):
            self.say_stale_choice(turn)
            return
        self.steps.answer(turn, flow, Answer(choice=ChoiceId(action, value)))

    def _start_from(self, turn: Turn, intent: parsing.Intent | None) -> None:
        draft = Draft()
        if intent is not None:
            draft.take(intent.document, intent.nonconformities)
            if intent.document is not None and not intent.document.ok:
                # Dropped, not ignored: the officer learns why the line is asked again.
                turn.say(document_problem(intent.document, turn.tr))
            elif parsing.ParseIssue.BAD_DATE in intent.issues:  # a date alone, no number
                turn.say(document_problem(parsing.DocumentReference(
                    None, issues=(parsing.ParseIssue.BAD_DATE,)), turn.tr))
        found = named_duties(turn, self.catalog, intent, self.calendar.tz) if intent \
            else Found(my_open(turn, self.catalog), exact=False)
        if found is None:
            return  # the duty named was reported already: said so, with its receipt
        if found.exact and len(found.rows) == 1:
            self.start(turn, found.rows[0][0], carried=draft)
        elif not found.rows:
            turn.say(turn.tr._("Your units have no open duties to report. 👍"))
        else:
            self.steps.open(turn, draft, Step.DUTY)
            self.ask.duties(turn, found.rows)

    def _carried(self, turn: Turn) -> Draft | None:
        """What the officer typed before picking a duty from the list, if that is under way."""
        flow = self.steps.under_way(turn)
        return flow.draft if flow is not None and flow.step is Step.DUTY else None

    def start(self, turn: Turn, obligation: Obligation, *, carried: Draft | None = None) -> None:
        """Report ``obligation``, with what is already known."""
        draft = Draft(obligation.id)
        if carried is not None:
            draft.number, draft.date = carried.number, carried.date
            draft.nonconformities = carried.nonconformities
        self.steps.start(turn, draft, self._after(None, draft, obligation))

    def guide(self, turn: Turn, obligation: Obligation) -> None:
        """"Guidance": the reminder again and what to send; a document line then reports it."""
        duty = self.ask.duty(obligation)
        about = about_obligation(obligation, turn.session.get(Unit, obligation.unit_id),
                                 self.catalog, turn.tr.lang)
        text = reminder(about, turn.today, turn.tr, choices=False).text
        turn.say(text + "\n\n" + self.ask.how(turn, duty))
        if accepts(duty, "document") or accepts(duty, "minutes"):
            self.steps.open(turn, Draft(obligation.id, guided=True), Step.DOCUMENT)

    # -- the steps ------------------------------------------------------------------------

    def repeat(self, turn: Turn, flow: Flow[Step, Draft]) -> bool:
        obligation = self.ask.obligation(turn, flow.draft)
        if obligation is None or obligation.status != ObligationStatus.OPEN:
            return False
        self.steps.move(turn, flow, self._checked(flow.step, flow.draft, obligation))
        return True

    def on_flow(self, turn: Turn, flow: Flow[Step, Draft], text: str) -> bool:
        """The officer's typed answer to the step under way; the words of a step's choice
        ("xác nhận", "bỏ qua") pick it."""
        typed = self.ask.typed_choice(turn, flow.step, flow.draft, text)
        return self.steps.answer(turn, flow, Answer(
            text, read_choice_id(typed) if typed is not None else None))

    def _before(self, turn: Turn, flow: Flow[Step, Draft], answer: Answer) -> Next | None:
        """What holds at every step: a duty chosen and still open, a cancel."""
        draft = flow.draft
        obligation = self.ask.obligation(turn, draft)
        if flow.step is Step.DUTY or obligation is None:
            return PASS  # the list of duties stays open: this is an ordinary reply
        if draft.guided and not parsing.parse_document_reference(
                answer.text, today=turn.today).number:
            return DROP  # guidance asked for a line, but this is something else
        if obligation.status != ObligationStatus.OPEN:
            say_already_done(turn, obligation, self.calendar.tz)
            return END
        if answer.chose("cancel"):
            turn.say(turn.tr._("Cancelled. Nothing was recorded."))
            return END
        draft.guided = False
        return None

    def _after(self, step: Step | None, draft: Draft, obligation: Obligation) -> Step:
        """The first step after ``step`` (None: the first of all) still to be answered."""
        duty = self.ask.duty(obligation)
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
        return self._checked(next(s for s in later if needed[s]), draft, obligation)

    def _checked(self, step: Step, draft: Draft, obligation: Obligation) -> Step:
        """``step``, but the file step while the duty still lacks required evidence."""
        if step is Step.CONFIRM and draft.lacks_evidence(self.ask.duty(obligation)):
            return Step.FILE
        return step

    def _listed(self, turn: Turn, draft: Draft, answer: Answer) -> Next:
        return PASS  # the list is answered by its choices; a typed reply is an ordinary one

    def _document(self, turn: Turn, draft: Draft, answer: Answer) -> Next:
        obligation = self.ask.obligation(turn, draft)
        if _skips(turn, answer.text):
            turn.say(turn.tr._("This step cannot be skipped: the duty is recorded with the "
                               "number and date of its document.") + "\n"
                     + evidence_prompt(self.ask.duty(obligation), turn.tr, turn.today))
            return STAY
        document = parsing.parse_document_reference(answer.text, today=turn.today)
        if not document.ok:
            turn.say(document_problem(document, turn.tr) + "\n"
                     + evidence_prompt(self.ask.duty(obligation), turn.tr, turn.today))
            return STAY
        draft.take(document)
        return self._after(Step.DOCUMENT, draft, obligation)

    def _date_check(self, turn: Turn, draft: Draft, answer: Answer) -> Next:
        obligation = self.ask.obligation(turn, draft)
        if answer.chose("datekeep"):
            draft.date_ok = True
            return self._after(Step.DATE_CHECK, draft, obligation)
        if answer.chose("dateredo"):
            draft.number = draft.date = None
            return Step.DOCUMENT
        document = parsing.parse_document_reference(answer.text, today=turn.today)
        if document.ok:  # the line typed again, corrected
            draft.take(document)
            return self._after(Step.DOCUMENT, draft, obligation)
        return Step.DATE_CHECK

    def _nonconformities(self, turn: Turn, draft: Draft, answer: Answer) -> Next:
        number = answer.text.strip()
        if not number.isdigit() or int(number) > MAX_NONCONFORMITIES:
            turn.say(turn.tr._("Please reply with a whole number from 0 to 200."))
            return STAY
        draft.nonconformities = int(number)
        return self._after(Step.NONCONFORMITIES, draft, self.ask.obligation(turn, draft))

    def _file(self, turn: Turn, draft: Draft, answer: Answer) -> Next:
        obligation = self.ask.obligation(turn, draft)
        duty = self.ask.duty(obligation)
        if answer.chose("skip") and not draft.lacks_evidence(duty):
            return Step.CONFIRM
        text = answer.text.strip()
        skipping = answer.chose("skip") or _skips(turn, text)
        # A bare number answers a choice, never a note ("1" for an earlier message's choice).
        if text and accepts(duty, "note") and not skipping \
                and parsing.choice_number(text) is None:
            draft.note = text[:4000]
            return self._checked(Step.CONFIRM, draft, obligation)
        if skipping:  # the question alone again would not say why
            self.ask.file(turn, draft, skip_refused=True)
            return STAY
        return Step.FILE

    def _confirm(self, turn: Turn, draft: Draft, answer: Answer) -> Next:
        obligation = self.ask.obligation(turn, draft)
        if not answer.chose("confirm"):
            return self._checked(Step.CONFIRM, draft, obligation)  # the summary again
        record(turn, draft, obligation, self.ask, self.calendar)
        return END

    def accepts_files(self, flow: Flow[Step, Draft]) -> bool:
        """At the file step, and when confirming (a file then replaces the one given)."""
        return flow.step in (Step.FILE, Step.CONFIRM)

    def on_file(self, turn: Turn, flow: Flow[Step, Draft] | None,
                incoming: IncomingFile) -> None:
        """A file or photo as evidence, at the file step or when confirming."""
        tr = turn.tr
        too_large = incoming.content is None and not incoming.fetch_failed
        if too_large or (incoming.size or 0) > turn.messenger.max_file_bytes:
            size = (incoming.size or 0) / (1024 * 1024)
            turn.say(tr._("The file is too large ({size} MB). The limit is {limit} MB: please "
                          "send a smaller file or a photo of the first page.").format(
                size=tr.number(round(size, 1)), limit=turn.file_limit_mb()))
            return
        obligation = self.ask.obligation(turn, flow.draft) if flow is not None else None
        if obligation is None or flow.step not in (Step.FILE, Step.CONFIRM):
            turn.say(tr._("To attach a file, first type /nop and choose the duty."))
            return
        received = receive_file(turn.session, name=incoming.name, ref=incoming.ref,
                                platform=turn.inbound.platform, content=incoming.content,
                                now=turn.now)
        flow.draft.file = FileEvidence(received.name, received.sha256, incoming.ref,
                                       received.file_id)
        if incoming.upload is not None:  # the person is back from the upload page
            turn.say(tr._("Received the file {name}.").format(name=incoming.name))
        self.steps.move(turn, flow, self._checked(Step.CONFIRM, flow.draft, obligation))


def _skips(turn: Turn, text: str) -> bool:
    """Whether typed ``text`` says "skip" ("bỏ qua"), in words: a number is not a word."""
    return parsing.choice_number(text) is None and parsing.match_choice(
        text, [("skip", turn.tr._("Skip"), parsing.choice_aliases("skip"))]) is not None
