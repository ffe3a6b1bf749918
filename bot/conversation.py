"""The conversation, the same on every messenger: an :class:`Inbound` in, replies out.

Adapters turn a platform update into an ``Inbound`` and render the replies; everything a person
can do in the chat is decided here. Each update is handled in one transaction together with the
record that it was handled, so a redelivered update changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import parsing
from bot.linking import link_account
from jobs.calendar import WorkCalendar
from jobs.catalog import Catalog
from jobs.duty_events import officer_joined
from jobs.evidence import FileEvidence, Submission, log_submission, may_log
from jobs.i18n import Translator, translator
from jobs.messages import Choice, Message
from jobs.obligations import owed_between
from jobs.planner import about_obligation
from jobs.registration import looks_like_code, redeem_invite
from jobs.texts import days_left_text, period_text, reminder
from storage.chats import claim_update, load_state, save_state
from storage.db import session_scope
from storage.members import accounts, set_language
from storage.models import (
    Event,
    Member,
    Obligation,
    ObligationStatus,
    Outbox,
    OutboxState,
    Role,
    Unit,
)
from storage.obligations import open_obligations
from storage.outbox import enqueue

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a Telegram bot may download
COMMANDS = ("start", "help", "viec", "lich", "nop", "huy", "ngonngu")
_AHEAD_DAYS = 90


@dataclass(frozen=True)
class IncomingFile:
    """A file or photo a person sent; ``content`` is None when it was too big to fetch."""

    name: str
    size: int | None
    content: bytes | None
    ref: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One thing a person did in the chat: typed text, picked a choice, or sent a file."""

    platform: str
    update_id: str
    user_id: str
    chat_id: str
    display_name: str = ""
    text: str | None = None
    choice: str | None = None
    file: IncomingFile | None = None
    message_id: str | None = None  # the bot's message whose choice was picked
    unsupported: bool = False  # something the bot cannot read: a sticker, a voice message, ...


@dataclass(frozen=True)
class Edit:
    """Change an earlier bot message in this chat (e.g. mark a reminder done)."""

    message_id: str
    message: Message


@dataclass
class Replies:
    """What the adapter sends back into the chat, in order."""

    messages: list[Message] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    acknowledgement: str | None = None  # a short toast for a pressed button


@dataclass
class Turn:
    """Everything handling one update needs; lives for one transaction.

    ``state`` is the person's conversation state in this chat: ``state["flow"]`` is the
    multi-step task under way (its ``"kind"`` names the feature that owns it), and
    ``state["choices"]`` the choices last offered, so that a typed answer can pick one.
    """

    session: Session
    inbound: Inbound
    now: dt.datetime
    tr: Translator
    members: list[tuple[Member, Unit]]
    state: dict[str, Any]
    replies: Replies = field(default_factory=Replies)

    def say(self, text: str, choices: tuple[Choice, ...] = ()) -> None:
        """Reply with ``text`` and, optionally, choices to pick from."""
        self.reply(Message(text, choices))

    def reply(self, message: Message) -> None:
        """Reply with a whole message (e.g. one with an attached file)."""
        if message.lang is None:  # adapters word choices in the message's language (Zalo)
            message = dataclasses.replace(message, lang=self.tr.lang)
        self.replies.messages.append(message)
        if message.choices:
            self.state["choices"] = [[c.id, c.label] for c in message.choices]

    @property
    def today(self) -> dt.date:
        return self.now.date()


class Feature(Protocol):
    """A group of commands plugged into the conversation, e.g. the supervisors' desk.

    Each hook returns True when it handled the turn; the conversation then stops looking.
    """

    commands: tuple[str, ...]

    def on_command(self, turn: Turn, command: str, args: str) -> bool: ...

    def on_choice(self, turn: Turn, action: str, value: str) -> bool: ...

    def on_flow(self, turn: Turn, flow: dict[str, Any], text: str, action: str | None) -> bool: ...

    def help_lines(self, turn: Turn) -> list[str]:
        """The feature's commands for /help, only those this person may use."""
        ...


class Conversation:
    """Handles updates from any messenger against the database, the catalog and the calendar."""

    def __init__(self, engine: Engine, catalog: Catalog, calendar: WorkCalendar,
                 default_language: str = "vi", features: Sequence[Feature] = ()) -> None:
        self.engine = engine
        self.catalog = catalog
        self.calendar = calendar
        self.default_language = default_language
        self.features = list(features)
        self.commands = COMMANDS + tuple(c for f in self.features for c in f.commands)

    def handle(self, inbound: Inbound, now: dt.datetime) -> Replies:
        """Handle one update; an update seen before returns no replies and changes nothing."""
        now = now.astimezone(self.calendar.tz)
        with session_scope(self.engine) as session:
            if not claim_update(session, platform=inbound.platform, update_id=inbound.update_id,
                                now=now):
                return Replies()
            members = accounts(session, platform=inbound.platform, user_id=inbound.user_id)
            language = members[0][0].language if members else self.default_language
            turn = Turn(session, inbound, now, translator(language), members,
                         load_state(session, platform=inbound.platform, chat_id=inbound.chat_id,
                                    user_id=inbound.user_id))
            offered = turn.state.pop("choices", None)
            self._dispatch(turn, offered)
            save_state(session, platform=inbound.platform, chat_id=inbound.chat_id,
                       user_id=inbound.user_id, state=turn.state, now=now)
            return turn.replies

    # -- dispatch -------------------------------------------------------------------------

    def _dispatch(self, turn: Turn, offered: list[list[str]] | None) -> None:
        inbound = turn.inbound
        if inbound.choice:
            return self._on_choice(turn, inbound.choice)
        if inbound.file:
            return self._on_file(turn, inbound.file)
        if inbound.unsupported:
            if offered:  # still open: the next typed answer may pick one
                turn.state["choices"] = offered
            turn.say(turn.tr._("Sorry, I can only read text and photos. To attach a document, "
                               "send a photo of it."))
            return None
        text = (inbound.text or "").strip()
        command = parsing.parse_command(text, self.commands)
        if command and command[0] in self.commands:
            return self._on_command(turn, *command)
        if command or text.startswith("/"):
            turn.say(turn.tr._("Unknown command. Type /help to see what I can do."))
            return None
        if offered:
            picked = parsing.match_choice(
                text, [(i, label, parsing.choice_aliases(i)) for i, label in offered])
            if picked:
                return self._on_choice(turn, picked)
        if not turn.members:
            if looks_like_code(text):
                return self._register(turn, text)
            return self._say_not_registered(turn)
        flow = turn.state.get("flow")
        if flow:
            return self._continue_flow(turn, flow, text)
        return self._on_free_text(turn, text)

    def _on_command(self, turn: Turn, command: str, args: str) -> None:
        if command == "start":
            if args:
                return self._register(turn, args)
            if not turn.members:
                return self._say_not_registered(turn)
            return self._greet(turn)
        if command == "huy":
            had_flow = turn.state.pop("flow", None) is not None
            turn.say(turn.tr._("Cancelled. Nothing was recorded.") if had_flow
                     else turn.tr._("There is nothing to cancel."))
            return None
        if command == "ngonngu":
            turn.say(turn.tr._("Choose a language:"),
                     (Choice("lang:vi", "Tiếng Việt"), Choice("lang:en", "English")))
            return None
        if not turn.members:
            return self._say_not_registered(turn)
        turn.state.pop("flow", None)
        if any(f.on_command(turn, command, args) for f in self.features if command in f.commands):
            return None
        if command == "help":
            return self._help(turn)
        if command == "viec":
            return self._my_duties(turn)
        if command == "lich":
            return self._calendar(turn)
        if command == "nop":
            return self._start_submission(turn, None)
        return None

    def _on_choice(self, turn: Turn, choice: str) -> None:
        action, _, value = choice.partition(":")
        if action == "lang" and value in ("vi", "en"):
            return self._set_language(turn, value)
        if not turn.members:
            return self._say_not_registered(turn)
        if action in ("done", "pick", "later", "guide"):
            obligation = self._my_obligation(turn, value)
            if obligation is None:
                return None
            if action == "guide":
                return self._guide(turn, obligation)
            if obligation.status != ObligationStatus.OPEN:
                return self._already_done(turn, obligation)
            if action == "later":
                return self._snooze(turn, obligation)
            return self._start_submission(turn, obligation)
        if any(f.on_choice(turn, action, value) for f in self.features):
            return None
        flow = turn.state.get("flow")
        if flow and action in ("skip", "confirm", "cancel"):
            return self._continue_flow(turn, flow, "", action=action)
        turn.say(turn.tr._("This choice is no longer valid. Type /viec to see your open duties."))
        return None

    # -- registration ---------------------------------------------------------------------

    def _register(self, turn: Turn, code: str) -> None:
        inbound, tr = turn.inbound, turn.tr
        result = redeem_invite(turn.session, code=code, platform=inbound.platform,
                               user_id=inbound.user_id, chat_id=inbound.chat_id,
                               display_name=inbound.display_name, now=turn.now)
        if result.problem == "unknown" and link_account(turn, code):
            return  # a code from /lienket: this account joins the person's other one
        if result.problem:
            turn.say({
                "unknown": tr._("This invite code is not valid. Please check it, or ask the ISO "
                                "standing office for a new one."),
                "used": tr._("This invite code has already been used. Please ask the ISO "
                             "standing office for a new one."),
                "expired": tr._("This invite code has expired. Please ask the ISO standing "
                                "office for a new one."),
                "inactive_unit": tr._("The unit of this invite is no longer active. Please ask "
                                      "the ISO standing office for a new code."),
            }[result.problem])
            return
        turn.members = accounts(turn.session, platform=inbound.platform, user_id=inbound.user_id)
        name = inbound.display_name or tr._("colleague")
        turn.say("\n".join([
            tr._("Welcome, {name}!").format(name=name),
            tr._("Your account is now registered with {unit} as {role}.").format(
                unit=result.unit.name, role=role_text(result.member.role, tr)),
            "",
            tr._("isobot will:"),
            tr._("• remind you before and after each ISO 9001 deadline, with a checklist;"),
            tr._("• record the reports, audits and reviews you submit, and give you a receipt;"),
            tr._("• tell the unit head and the standing office when a duty is overdue."),
            "",
            tr._("Type /viec to see your open duties, /help for all commands."),
            *self._onboarding(turn, result.member, result.unit),
        ]))
        turn.state.clear()

    def _onboarding(self, turn: Turn, member: Member, unit: Unit) -> list[str]:
        """A new officer's first look at the unit's open duties, and their training duty."""
        if member.role != Role.OFFICER:
            return []
        officer_joined(turn.session, member=member, now=turn.now, catalog=self.catalog,
                       calendar=self.calendar)
        known = set(self.catalog.keys())
        rows = [(o, u) for o, u in open_obligations(turn.session, unit_ids=[unit.id])
                if o.duty_key in known]
        lines = ["", turn.tr.ngettext("{unit} has {n} open duty:", "{unit} has {n} open duties:",
                                      len(rows)).format(unit=unit.name, n=len(rows))]
        lines += [f"• {self._duty_line(o, u, turn)}" for o, u in rows[:8]]
        if len(rows) > 8:
            lines.append(turn.tr._("… and {n} more: type /viec.").format(n=len(rows) - 8))
        return lines

    def _say_not_registered(self, turn: Turn) -> None:
        turn.say(turn.tr._("Your account is not registered yet. Please send the invite code you "
                           "received from the ISO standing office, e.g. /start ABCD2345EFGH."))

    def _greet(self, turn: Turn) -> None:
        units = ", ".join(f"{u.name} ({role_text(m.role, turn.tr)})" for m, u in turn.members)
        turn.say(turn.tr._("Hello! Your account is registered with: {units}.").format(units=units)
                 + "\n" + turn.tr._("Type /viec to see your open duties, /help for all commands."))

    def _help(self, turn: Turn) -> None:
        tr = turn.tr
        turn.say("\n".join([
            tr._("isobot commands:"),
            "/viec — " + tr._("my open duties, overdue first"),
            "/lich — " + tr._("deadlines in the next 90 days"),
            "/nop — " + tr._("report a duty as done (document number, date, file)"),
            "/huy — " + tr._("cancel the current step"),
            "/ngonngu — " + tr._("change language (Tiếng Việt / English)"),
            *(line for feature in self.features for line in feature.help_lines(turn)),
            "",
            tr._("You can also write, for example: “đã nộp báo cáo quý 3 số 123/BC-UBND ngày "
                 "10/10/2026”."),
        ]))

    def _set_language(self, turn: Turn, lang: str) -> None:
        set_language(turn.session, platform=turn.inbound.platform, user_id=turn.inbound.user_id,
                     language=lang)
        turn.tr = translator(lang)
        turn.say(turn.tr._("Language set to English.") if lang == "en"
                 else turn.tr._("Language set to Vietnamese."))

    # -- duties ---------------------------------------------------------------------------

    def _loggable_units(self, turn: Turn) -> dict[int, Unit]:
        return {u.id: u for m, u in turn.members if m.role in (Role.OFFICER, Role.HEAD)}

    def _my_open(self, turn: Turn) -> list[tuple[Obligation, Unit]]:
        units = self._loggable_units(turn)
        known = {d.key for d in self.catalog.duties}
        return [(o, u) for o, u in open_obligations(turn.session, unit_ids=units)
                if o.duty_key in known]

    def _my_obligation(self, turn: Turn, value: str) -> Obligation | None:
        obligation = turn.session.get(Obligation, int(value)) if value.isdigit() else None
        member = next((m for m, _ in turn.members
                       if obligation is not None and may_log(m, obligation)), None)
        if obligation is None or member is None:
            turn.say(turn.tr._("This duty does not belong to your unit, so you cannot report "
                               "on it. Nothing was recorded."))
            return None
        return obligation

    def _my_duties(self, turn: Turn) -> None:
        tr, rows = turn.tr, self._my_open(turn)
        if not rows:
            turn.say(tr._("Your units have no open duties right now. 👍"))
            return
        lines = [tr._("Open duties (overdue first):")]
        for i, (o, u) in enumerate(rows, start=1):
            mark = "⚠️" if o.due < turn.today else "•"
            lines.append(f"{mark} {i}. {self._duty_line(o, u, turn)}")
        lines += ["", tr._("To report one as done, type /nop.")]
        turn.say("\n".join(lines))

    def _duty_line(self, o: Obligation, u: Unit, turn: Turn) -> str:
        tr = turn.tr
        title = self.catalog.duty(o.duty_key).title.get(tr.lang)
        unit = f" — {u.name}" if len(self._loggable_units(turn)) > 1 else ""
        return (f"{title} ({period_text(o.period, tr)}){unit}: {tr.short_date(o.due)}, "
                f"{days_left_text(o.due, turn.today, tr)}")

    def _calendar(self, turn: Turn) -> None:
        tr = turn.tr
        end = turn.today + dt.timedelta(days=_AHEAD_DAYS)
        entries: dict[tuple[int, str, str], tuple[dt.date, str]] = {}
        for o, u in self._my_open(turn):
            if o.due <= end:
                entries[(u.id, o.duty_key, o.period)] = (o.due, self._duty_line(o, u, turn))
        stored = {(o.unit_id, o.duty_key, o.period) for o in turn.session.exec(
            select(Obligation).where(Obligation.status != ObligationStatus.OPEN,
                                     col(Obligation.unit_id).in_(list(self._loggable_units(turn)))))}
        for unit in self._loggable_units(turn).values():
            for owed in owed_between(self.catalog, unit.kind, turn.today, end, self.calendar):
                key = (unit.id, owed.duty_key, owed.period)
                if key not in entries and key not in stored:
                    fake = Obligation(unit_id=unit.id, duty_key=owed.duty_key, period=owed.period,
                                      due=owed.due)
                    entries[key] = (owed.due, self._duty_line(fake, unit, turn))
        if not entries:
            turn.say(tr._("No deadlines in the next 90 days."))
            return
        lines = [tr._("Deadlines in the next 90 days:")]
        lines += [f"• {line}" for _, line in sorted(entries.values())]
        turn.say("\n".join(lines))

    def _guide(self, turn: Turn, obligation: Obligation) -> None:
        unit = turn.session.get(Unit, obligation.unit_id)
        about = about_obligation(obligation, unit, self.catalog, turn.tr.lang)
        text = reminder(about, turn.today, turn.tr, choices=False).text
        turn.say(text + "\n\n" + self._evidence_prompt(obligation, turn.tr))

    def _already_done(self, turn: Turn, obligation: Obligation) -> None:
        event = turn.session.get(Event, obligation.done_event_id) if obligation.done_event_id \
            else None
        if event is None:
            turn.say(turn.tr._("This duty is no longer open. Nothing was recorded."))
            return
        turn.say(turn.tr._("This duty was already reported done on {date} (receipt {reference}). "
                           "Nothing was changed.").format(
            date=turn.tr.short_date(event.at.astimezone(self.calendar.tz).date()),
            reference=event.reference))

    def _snooze(self, turn: Turn, obligation: Obligation) -> None:
        member = next(m for m, _ in turn.members if may_log(m, obligation))
        at = self.calendar.send_slot(self.calendar.on_or_after(turn.today + dt.timedelta(days=1)))
        unit = turn.session.get(Unit, obligation.unit_id)
        about = about_obligation(obligation, unit, self.catalog, turn.tr.lang)
        message = reminder(about, at.date(), turn.tr)
        enqueue(turn.session, key=f"later:{obligation.id}:{member.id}:{at.date().isoformat()}",
                member=member, kind="reminder", payload=message.to_payload(), now=turn.now,
                obligation_id=obligation.id, not_before=at)
        turn.replies.acknowledgement = turn.tr._("I will remind you again.")
        turn.say(turn.tr._("Understood. I will remind you again at {moment}.").format(
            moment=turn.tr.datetime(at)))

    # -- logging a submission -------------------------------------------------------------

    def _start_submission(self, turn: Turn, obligation: Obligation | None,
                          document: parsing.DocumentReference | None = None,
                          nonconformities: int | None = None) -> None:
        tr = turn.tr
        if obligation is None:
            rows = self._my_open(turn)
            if not rows:
                turn.say(tr._("Your units have no open duties to report. 👍"))
                return
            turn.state["flow"] = {"step": "pick"}
            choices = tuple(Choice(f"pick:{o.id}", self._duty_line(o, u, turn))
                            for o, u in rows[:10])
            turn.say(tr._("Which duty are you reporting as done?"), choices)
            return
        flow: dict[str, Any] = {"step": "document", "obligation_id": obligation.id}
        turn.state["flow"] = flow
        if self.catalog.duty(obligation.duty_key).evidence == "none":
            if document is not None and document.ok:  # given unasked: keep it as evidence
                flow.update(number=document.number, date=document.date.isoformat())
            flow["step"] = "file"
            return self._ask(turn, flow, obligation)
        if document is not None:
            return self._accept_document(turn, flow, obligation, document, nonconformities)
        return self._ask(turn, flow, obligation)

    def _evidence_prompt(self, obligation: Obligation, tr: Translator) -> str:
        evidence = self.catalog.duty(obligation.duty_key).evidence
        if evidence == "review":
            return tr._("Please send the number and date of the meeting minutes in one line, "
                        "e.g. 05/BB-UBND ngày 20/12/2026.")
        if evidence == "audit":
            return tr._("Please send the number and date of the internal audit report in one "
                        "line, e.g. 12/BC-ĐGNB ngày 15/10/2026.")
        return tr._("Please send the document number and date in one line, e.g. 123/BC-UBND "
                    "ngày 10/9/2026.")

    def _ask(self, turn: Turn, flow: dict[str, Any], obligation: Obligation) -> None:
        tr, step = turn.tr, flow["step"]
        title = self.catalog.duty(obligation.duty_key).title.get(tr.lang)
        if step == "document":
            heading = tr._("Reporting “{title}” ({period}).").format(
                title=title, period=period_text(obligation.period, tr))
            turn.say("\n".join([heading, self._evidence_prompt(obligation, tr),
                                tr._("Type /huy to cancel.")]))
        elif step == "nonconformities":
            turn.say(tr._("How many nonconformities did the internal audit find? Reply with a "
                          "number (0 if none)."))
        elif step == "file":
            turn.say(tr._("You may now send the file or a photo of the document (up to 20 MB), "
                          "or skip this step."), (Choice("skip", tr._("Skip")),))
        elif step == "confirm":
            turn.say(self._summary(turn, flow, obligation),
                     (Choice("confirm", tr._("Confirm")), Choice("cancel", tr._("Cancel"))))

    def _summary(self, turn: Turn, flow: dict[str, Any], obligation: Obligation) -> str:
        tr = turn.tr
        unit = turn.session.get(Unit, obligation.unit_id)
        lines = [tr._("Please confirm:"),
                 tr._("Duty: {title} ({period})").format(
                     title=self.catalog.duty(obligation.duty_key).title.get(tr.lang),
                     period=period_text(obligation.period, tr)),
                 tr._("Unit: {unit}").format(unit=unit.name)]
        if flow.get("number"):
            lines.append(tr._("Document: {number} dated {date}").format(
                number=flow["number"], date=tr.short_date(dt.date.fromisoformat(flow["date"]))))
        if flow.get("nonconformities") is not None:
            lines.append(tr._("Nonconformities found: {n}").format(n=flow["nonconformities"]))
        if flow.get("file"):
            lines.append(tr._("File: {name}").format(name=flow["file"]["name"]))
        return "\n".join(lines)

    def _continue_flow(self, turn: Turn, flow: dict[str, Any], text: str,
                       action: str | None = None) -> None:
        tr = turn.tr
        if flow.get("kind") and any(f.on_flow(turn, flow, text, action) for f in self.features):
            return None
        if flow.get("kind"):  # a flow of a feature no longer present: start afresh
            turn.state.pop("flow", None)
            return self._on_free_text(turn, text)
        obligation = turn.session.get(Obligation, flow.get("obligation_id") or -1)
        if flow["step"] == "pick" or obligation is None:
            turn.state.pop("flow", None)
            return self._on_free_text(turn, text)
        if obligation.status != ObligationStatus.OPEN:
            turn.state.pop("flow", None)
            return self._already_done(turn, obligation)
        step = flow["step"]
        if action == "cancel":
            turn.state.pop("flow", None)
            turn.say(tr._("Cancelled. Nothing was recorded."))
            return None
        if step == "document":
            document = parsing.parse_document_reference(text, today=turn.today)
            if not document.ok:
                turn.say(self._document_problem(document, tr) + "\n"
                         + self._evidence_prompt(obligation, tr))
                turn.state["flow"] = flow
                return None
            return self._accept_document(turn, flow, obligation, document, None)
        if step == "nonconformities":
            number = text.strip()
            if not number.isdigit() or int(number) > 200:
                turn.say(tr._("Please reply with a whole number from 0 to 200."))
                return None
            flow["nonconformities"] = int(number)
            flow["step"] = "file"
            return self._ask(turn, flow, obligation)
        if step == "file":
            if action == "skip" or parsing.fold(text) in ("bo qua", "skip", "khong"):
                flow["step"] = "confirm"
                return self._ask(turn, flow, obligation)
            turn.say(tr._("Please send a file or a photo, or choose “Skip”."),
                     (Choice("skip", tr._("Skip")),))
            return None
        if step == "confirm":
            if action == "confirm" or parsing.fold(text) in ("xac nhan", "dong y", "co", "ok",
                                                              "confirm", "yes"):
                return self._log(turn, flow, obligation)
            self._ask(turn, flow, obligation)
        return None

    def _document_problem(self, document: parsing.DocumentReference, tr: Translator) -> str:
        problem = document.error
        return {
            "missing_number": tr._("I could not read a document number."),
            "missing_date": tr._("I could not read the document's date."),
            "bad_date": tr._("The document's date is not a real date."),
            "future_date": tr._("The document's date is in the future."),
        }.get(problem, tr._("I could not read the document number and date."))

    def _accept_document(self, turn: Turn, flow: dict[str, Any], obligation: Obligation,
                         document: parsing.DocumentReference, nonconformities: int | None) -> None:
        flow["number"] = document.number
        flow["date"] = document.date.isoformat()
        evidence = self.catalog.duty(obligation.duty_key).evidence
        if evidence == "audit" and nonconformities is None:
            flow["step"] = "nonconformities"
        else:
            if nonconformities is not None:
                flow["nonconformities"] = nonconformities
            flow["step"] = "file"
        turn.state["flow"] = flow
        self._ask(turn, flow, obligation)

    def _on_file(self, turn: Turn, incoming: IncomingFile) -> None:
        tr = turn.tr
        if not turn.members:
            return self._say_not_registered(turn)
        flow = turn.state.get("flow")
        if flow and flow.get("kind"):
            # A feature's flow (e.g. a directive being composed) reads a forwarded document by
            # its caption, or its name when it has none.
            caption = (turn.inbound.text or "").strip() or incoming.name
            return self._continue_flow(turn, flow, caption)
        if incoming.content is None or (incoming.size or 0) > MAX_FILE_BYTES:
            size = (incoming.size or 0) / (1024 * 1024)
            turn.say(tr._("The file is too large ({size} MB). The limit is 20 MB: please send a "
                          "smaller file or a photo of the first page.").format(
                size=tr.number(round(size, 1))))
            return None
        if not flow or flow.get("step") not in ("file", "confirm"):
            turn.say(tr._("To attach a file, first type /nop and choose the duty."))
            return None
        flow["file"] = {"name": incoming.name, "ref": incoming.ref,
                        "sha256": hashlib.sha256(incoming.content).hexdigest()}
        flow["step"] = "confirm"
        obligation = turn.session.get(Obligation, flow["obligation_id"])
        self._ask(turn, flow, obligation)
        return None

    def _log(self, turn: Turn, flow: dict[str, Any], obligation: Obligation) -> None:
        tr = turn.tr
        member = next(m for m, _ in turn.members if may_log(m, obligation))
        file = flow.get("file")
        logged = log_submission(
            turn.session, member=member, now=turn.now, catalog=self.catalog,
            calendar=self.calendar,
            submission=Submission(
                obligation_id=obligation.id, document_number=flow.get("number"),
                document_date=dt.date.fromisoformat(flow["date"]) if flow.get("date") else None,
                file=FileEvidence(file["name"], file["sha256"], file.get("ref")) if file else None,
                nonconformities=flow.get("nonconformities")))
        turn.state.pop("flow", None)
        if logged.problem:
            turn.say(tr._("Nothing was recorded: this duty cannot be reported by you now."))
            return
        event = logged.event
        lines = [tr._("✅ Recorded. Receipt number: {reference}").format(reference=event.reference),
                 self._summary(turn, flow, obligation).split("\n", 1)[1],
                 tr._("Recorded at: {moment}").format(moment=tr.datetime(turn.now))]
        if logged.corrective_actions:
            due = logged.corrective_actions[0].due
            lines.append(tr.ngettext(
                "{n} corrective action was created, due {date}.",
                "{n} corrective actions were created, due {date}.",
                len(logged.corrective_actions)).format(n=len(logged.corrective_actions),
                                                       date=tr.date(due)))
        lines.append(tr._("The ISO standing office has been informed."))
        turn.say("\n".join(lines))
        self._mark_reminders_done(turn, obligation, event.reference)

    def _mark_reminders_done(self, turn: Turn, obligation: Obligation, reference: str) -> None:
        """Edit the reminders this chat got for ``obligation`` so they show it is done."""
        sent = turn.session.exec(select(Outbox).where(
            Outbox.obligation_id == obligation.id, Outbox.state == OutboxState.SENT,
            Outbox.platform == turn.inbound.platform, Outbox.chat_id == turn.inbound.chat_id,
            Outbox.sent_message_id.is_not(None)))
        done = turn.tr._("✅ Done — receipt {reference}").format(reference=reference)
        for row in sent:
            original = Message.from_payload(row.payload).text
            turn.replies.edits.append(Edit(row.sent_message_id, Message(f"{original}\n\n{done}")))

    # -- free text ------------------------------------------------------------------------

    def _on_free_text(self, turn: Turn, text: str) -> None:
        tr = turn.tr
        intent = parsing.parse_intent(text, today=turn.today,
                                      duties=parsing.DutyWords.of(self.catalog.duties))
        if intent is None or intent.action is None:
            turn.say(tr._("I did not understand. Type /viec to see your open duties, /nop to "
                          "report one as done, or /help for all commands."))
            return None
        if intent.action == "help":
            return self._help(turn)
        candidates = [(o, u) for o, u in self._my_open(turn)
                      if (intent.duty is None or o.duty_key == intent.duty)
                      and _period_matches(o.period, intent.period_hint)]
        if intent.action == "snooze":
            if len(candidates) == 1:
                return self._snooze(turn, candidates[0][0])
            turn.say(tr._("Use the “Remind me later” button on a reminder to be reminded again."))
            return None
        if len(candidates) == 1:
            document = intent.document if intent.document and intent.document.ok else None
            return self._start_submission(turn, candidates[0][0], document, intent.nonconformities)
        return self._start_submission(turn, None)


def _period_matches(period: str, hint: str | None) -> bool:
    if not hint:
        return True
    return all(part in period.split("-") for part in hint.split("-"))


def role_text(role: str, tr: Translator) -> str:
    """A role as a person reads it."""
    return {
        Role.OFFICER: tr._("ISO officer"),
        Role.HEAD: tr._("head of unit"),
        Role.SUPERVISOR: tr._("ISO standing office (supervisor)"),
        Role.OPERATOR: tr._("operator"),
    }.get(role, role)
