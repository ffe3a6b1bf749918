"""What ``/nop`` asks at each step, and the summary the officer confirms; every question names
the duty."""

from __future__ import annotations

from bot import parsing
from bot.chat.turn import Turn
from bot.chat.uploads import upload_line
from bot.features.my_duties import duty_line, evidence_prompt, my_open
from bot.features.submission.draft import Draft, Step, offer
from jobs.catalog import Catalog, Duty
from jobs.delivery.messages import Choice
from jobs.evidence.submissions import accepts, describe
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import Translator
from jobs.text.labels import named_period
from storage.models import Event, Obligation, Unit


class Questions:
    """The questions of the steps (:class:`Step`), worded for the duty under way."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def duty(self, obligation: Obligation) -> Duty:
        """The catalog's duty ``obligation`` is one of."""
        return self.catalog.duty(obligation.duty_key)

    def obligation(self, turn: Turn, draft: Draft) -> Obligation | None:
        """The duty being reported, once one is chosen."""
        return turn.session.get(Obligation, draft.obligation_id) \
            if draft.obligation_id is not None else None

    def duties(self, turn: Turn, rows: list[tuple[Obligation, Unit]]) -> None:
        """Which of ``rows`` is reported (the list at :attr:`Step.DUTY`)."""
        choices = tuple(Choice(choice_id("pick", o.id), duty_line(o, u, turn, self.catalog))
                        for o, u in rows[:10])
        turn.say(turn.tr._("Which duty are you reporting as done?"), choices)

    def open_duties(self, turn: Turn, draft: Draft) -> None:
        """The list of every open duty, asked again."""
        self.duties(turn, my_open(turn, self.catalog))

    def heading(self, turn: Turn, obligation: Obligation) -> str:
        """``Reporting “…” (quý 4/2026).``"""
        return turn.tr._("Reporting “{title}” ({period}).").format(
            title=self.duty(obligation).title.get(turn.tr.lang),
            period=named_period(obligation, turn.tr))

    def document(self, turn: Turn, draft: Draft) -> None:
        obligation = self.obligation(turn, draft)
        turn.say("\n".join([self.heading(turn, obligation),
                            evidence_prompt(self.duty(obligation), turn.tr, turn.today),
                            turn.tr._("Type /huy to cancel.")]))

    def date_check(self, turn: Turn, draft: Draft) -> None:
        tr, obligation = turn.tr, self.obligation(turn, draft)
        turn.say("\n".join([
            self.heading(turn, obligation),
            tr._("The document {number} is dated {date}, before {period}, the period it reports "
                 "on. Is the date right?").format(
                number=draft.number, date=tr.short_date(draft.date),
                period=named_period(obligation, tr))]), offer(Step.DATE_CHECK, tr))

    def nonconformities(self, turn: Turn, draft: Draft) -> None:
        turn.say("\n".join([self.heading(turn, self.obligation(turn, draft)), turn.tr._(
            "How many nonconformities did the internal audit find? Reply with a number (0 if "
            "none).")]))

    def file(self, turn: Turn, draft: Draft, *, skip_refused: bool = False) -> None:
        """The file step's question; ``skip_refused``: after a "skip" it cannot take, why."""
        tr, obligation = turn.tr, self.obligation(turn, draft)
        duty = self.duty(obligation)
        may_skip = not draft.lacks_evidence(duty)
        if may_skip:
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
        if not turn.messenger.receives_documents:  # a PDF comes through isobot's web server
            ask = f"{ask}\n{upload_line(turn)}"
        refused = [tr._("This step cannot be skipped: the duty is recorded only with its "
                        "evidence.")] if skip_refused else []
        turn.say("\n".join([self.heading(turn, obligation), *refused, ask]),
                 offer(Step.FILE, tr, skip=may_skip))

    def confirm(self, turn: Turn, draft: Draft) -> None:
        tr = turn.tr
        turn.say("\n".join([tr._("Please confirm:"),
                            *self.summary(turn, draft, self.obligation(turn, draft))]),
                 offer(Step.CONFIRM, tr))

    def typed_choice(self, turn: Turn, step: Step, draft: Draft, text: str) -> str | None:
        """The choice of ``step`` that typed ``text`` picks, with the words of any choice."""
        obligation = self.obligation(turn, draft)
        if obligation is None or not text:
            return None
        offered = offer(step, turn.tr, skip=not draft.lacks_evidence(self.duty(obligation)))
        return parsing.match_choice(
            text, [(c.id, c.label, parsing.choice_aliases(c.id)) for c in offered]) \
            if offered else None

    def how(self, turn: Turn, duty: Duty) -> str:
        """How to report ``duty`` once it is done (after "Guidance")."""
        if accepts(duty, "document") or accepts(duty, "minutes"):
            return evidence_prompt(duty, turn.tr, turn.today)
        if accepts(duty, "note") or accepts(duty, "file"):
            return turn.tr._("When it is done, type /nop and send a photo of the filled-in "
                             "checklist, or a short note of what you found.")
        return turn.tr._("When it is done, choose “Done” on the reminder, or type /nop.")

    def summary(self, turn: Turn, draft: Draft, obligation: Obligation) -> list[str]:
        """The report as it will be recorded, or was."""
        tr = turn.tr
        unit = turn.session.get(Unit, obligation.unit_id)
        evidence = Event(document_number=draft.number, document_date=draft.date,
                         nonconformities=draft.nonconformities, note=draft.note,
                         file_name=draft.file.name if draft.file else None)
        return [tr._("Duty: {title} ({period})").format(
                    title=self.duty(obligation).title.get(tr.lang),
                    period=named_period(obligation, tr)),
                tr._("Unit: {unit}").format(unit=unit.name), *describe(evidence, tr),
                *_pending_file(draft, tr)]


def _pending_file(draft: Draft, tr: Translator) -> list[str]:
    if draft.file is None or draft.file.sha256 is not None:
        return []
    return [tr._("⏳ The file could not be downloaded yet: isobot will try again and keep "
                 "it with this report.")]
