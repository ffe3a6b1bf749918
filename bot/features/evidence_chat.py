"""Evidence in the chat: ``/xem`` sends a logged file back, ``/hoso`` a unit's inspection dossier.

``/xem ISO-2026-000123`` (or "View the file" on a supervisor's notice) sends the stored file
with its details to the person who logged it and to supervisors of its unit, and to nobody
else. ``/hoso [CODE] [YEAR]`` gives a supervisor the ZIP of a unit in their subtree
(:mod:`jobs.evidence.dossier`). The files travel as attachments that name the stored file or the
dossier to build, so whatever sends the reply fetches or builds them off the event loop.
"""

from __future__ import annotations

import re

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog, duty_title
from jobs.delivery.messages import Attachment, Message
from jobs.evidence.dossier import dossier_filename
from jobs.evidence.store import may_see
from jobs.text.i18n import N_, Translator
from jobs.text.labels import named_period
from storage.events import corrections_of, event_by_reference
from storage.models import Event, EvidenceFile, EvidenceFileState, Member, Obligation, Role, Unit
from storage.units import subtree_ids, unit_by_code

VIEW = "xem"
_YEAR = re.compile(r"^\d{4}$")
_PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


@feature(70)
class EvidenceDesk(Feature):
    """``/xem`` and ``/hoso``."""

    choices = (VIEW,)

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("xem", N_("see a logged report and its file, by its receipt number"),
                    {Audience.EVERYONE}, self.view),
            Command("hoso", N_("a unit's inspection dossier for a year (ZIP)"),
                    {Audience.SUPERVISOR}, self.dossier, aliases=("hồ sơ",),
                    refusal=N_("Only the ISO standing office (supervisors) can get a unit's "
                               "inspection dossier. Nothing was sent.")),
        )

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """"View the file" on a supervisor's notice."""
        self.view(turn, value)

    def view(self, turn: Turn, args: str) -> None:
        """/xem REFERENCE: the report's details and its file, to those who may see it."""
        tr = turn.tr
        reference = args.strip().split()[0] if args.strip() else ""
        if not reference:
            turn.say(tr._("Write the receipt number, e.g. /xem ISO-{year}-000123.").format(
                year=turn.today.year))
            return
        event = event_by_reference(turn.session, reference=reference)
        members = [member for member, _ in turn.members]
        if event is None or not may_see(turn.session, members=members, event=event):
            # The same answer whether it exists or not: a receipt number reveals nothing.
            turn.say(tr._("No report {reference} that you may see. You can see the reports you "
                          "logged yourself and those of the units you supervise.").format(
                reference=reference.upper()))
            return
        lines = self._details(turn, event)
        stored = turn.session.get(EvidenceFile, event.evidence_file_id) \
            if event.evidence_file_id else None
        lines.append(_file_state(event, stored, tr))
        attachments = ()
        if stored is not None and stored.state == EvidenceFileState.STORED:
            kind = "photo" if stored.name.lower().endswith(_PHOTO_SUFFIXES) else "document"
            attachments = (Attachment(kind, stored.name, stored=stored.blob_key),)
        turn.reply(Message("\n".join(lines), attachments=attachments, lang=tr.lang))

    def _details(self, turn: Turn, event: Event) -> list[str]:
        tr, session = turn.tr, turn.session
        unit = session.get(Unit, event.unit_id)
        obligation = session.get(Obligation, event.obligation_id) if event.obligation_id else None
        logger = session.get(Member, event.member_id) if event.member_id else None
        lines = [tr._("Report {reference}").format(reference=event.reference),
                 tr._("Unit: {unit}").format(unit=unit.name)]
        if obligation is not None:
            lines.append(tr._("Duty: {title} ({period})").format(
                title=duty_title(self.catalog, obligation.duty_key, tr.lang),
                period=named_period(obligation, tr)))
        if event.document_number:
            dated = tr._("dated {date}").format(date=tr.short_date(event.document_date)) \
                if event.document_date else ""
            lines.append(tr._("Document: {document}").format(
                document=f"{event.document_number} {dated}".strip()))
        who = logger.display_name if logger and logger.display_name else event.actor
        lines.append(tr._("Logged by {name} at {moment}").format(
            name=who, moment=tr.datetime(event.at.astimezone(self.calendar.tz))))
        lines += _corrections(turn, event)
        return lines

    def dossier(self, turn: Turn, args: str) -> None:
        """/hoso [CODE] [YEAR]: the inspection dossier of a unit the person supervises."""
        tr = turn.tr
        words = args.split()
        years = [w for w in words if _YEAR.match(w)]
        codes = [w for w in words if not _YEAR.match(w)]
        year = int(years[0]) if years else turn.today.year
        supervised = [u for m, u in turn.members if m.role == Role.SUPERVISOR]
        reachable = set().union(*(subtree_ids(turn.session, unit_id=u.id) for u in supervised))
        unit = unit_by_code(turn.session, code=codes[0]) if codes else (
            supervised[0] if len(supervised) == 1 else None)
        if len(codes) > 1 or len(years) > 1 or unit is None or unit.id not in reachable:
            turn.say(tr._("Write the code of a unit you supervise and, if you wish, the year: "
                          "e.g. /hoso {code} {year}.").format(
                code=supervised[0].code, year=turn.today.year))
            return
        spec = {"what": "dossier", "unit_id": unit.id, "year": year, "lang": tr.lang,
                "today": turn.today.isoformat()}
        text = "\n".join([
            tr._("Inspection dossier of {unit} for {year} (ZIP): the compliance sheet, the "
                 "index of every duty and report, and every file logged, by period and duty.")
            .format(unit=unit.name, year=year),
            tr._("Corrections are included and marked in the index.")])
        turn.reply(Message(text, attachments=(
            Attachment("document", dossier_filename(unit, year), build=spec),), lang=tr.lang))


def _corrections(turn: Turn, event: Event) -> list[str]:
    tr = turn.tr
    lines = []
    if event.correction_of_id:
        original = turn.session.get(Event, event.correction_of_id)
        if original is not None:
            lines.append(tr._("Corrects {reference}").format(reference=original.reference))
    for newer in corrections_of(turn.session, event_id=event.id):
        lines.append(tr._("Corrected by {reference}").format(reference=newer.reference))
    return lines


def _file_state(event: Event, stored: EvidenceFile | None, tr: Translator) -> str:
    if stored is None:
        return tr._("No file was attached to this report.") if not event.file_name else \
            tr._("File: {name} (sent before isobot kept files; SHA-256 {digest})").format(
                name=event.file_name, digest=event.file_hash or "—")
    if stored.state == EvidenceFileState.STORED:
        return tr._("File: {name}, SHA-256 {digest}").format(name=stored.name,
                                                             digest=stored.sha256)
    if stored.state == EvidenceFileState.STAGED:
        return tr._("File: {name} is being archived. Please ask again in a minute.").format(
            name=stored.name)
    if stored.state == EvidenceFileState.PENDING:
        return tr._("File: {name} could not be downloaded from the messenger yet; isobot keeps "
                    "trying.").format(name=stored.name)
    return tr._("File: {name} could not be downloaded from the messenger. Please ask the "
                "officer to send it again.").format(name=stored.name)
