"""The supervisors' desk in the chat: directives (/chidao, /chidao_tinhhinh), legal documents
(/vanban).

Only members with the supervisor role may use it, and only inside the subtree of the unit they
supervise. Officers acknowledge a directive here too ("Received").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bot import parsing
from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from bot.features.my_duties import my_obligation
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.evidence.submissions import may_log
from jobs.planning.obligations import event_due_date
from jobs.supervision.directives import MAX_TEXT as MAX_DIRECTIVE_TEXT
from jobs.supervision.directives import (
    DirectiveOrder,
    Issuer,
    acknowledge,
    directive_name,
    people_to_tell,
    report,
    send_directive,
)
from jobs.supervision.legal import MAX_NUMBER as MAX_LEGAL_NUMBER
from jobs.supervision.legal import MAX_TITLE as MAX_LEGAL_TITLE
from jobs.supervision.legal import LegalNotice, register_legal_document
from jobs.supervision.scope import Scope, Targets, resolve
from jobs.text.i18n import N_, Translator
from storage.legal import legal_document_by_number
from storage.models import Member, Role, Unit
from storage.units import subtree_ids

_CODES = re.compile(r"[\s,;]+")
SUPERVISORS_ONLY = N_("Only the ISO standing office (supervisors) can use this command. Nothing "
                      "was changed.")
_SUPERVISORS = frozenset({Audience.SUPERVISOR})


@feature(90)
class SupervisorDesk(Feature):
    """Directives: compose and send, follow up; and the officers' acknowledgement."""

    choices = ("ack", "cd-issuer", "cd-number", "cd-scope", "cd-kind", "cd-due", "cd-confirm")
    flow_kind = "supervisor"

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("chidao", N_("send a directive with a deadline to units"), _SUPERVISORS,
                    self.directive, refusal=SUPERVISORS_ONLY),
            Command("chidao_tinhhinh", N_("who received, did, or is overdue on each directive"),
                    _SUPERVISORS, self.progress, refusal=SUPERVISORS_ONLY),
            Command("vanban", N_("register a new legal document (units update their QMS within "
                                 "3 months)"), _SUPERVISORS, self.legal_document,
                    refusal=SUPERVISORS_ONLY),
        )

    # -- commands -------------------------------------------------------------------------

    def directive(self, turn: Turn, args: str) -> None:
        """/chidao [text]: compose a directive."""
        self._begin(turn, "chidao", args)

    def legal_document(self, turn: Turn, args: str) -> None:
        """/vanban: register a legal document."""
        self._begin(turn, "vanban", args)

    def progress(self, turn: Turn, args: str) -> None:
        """/chidao_tinhhinh: each directive's progress in the supervised subtrees."""
        ids = set().union(*(subtree_ids(turn.session, unit_id=u.id) for _, u in supervised(turn)))
        turn.say("\n".join([turn.tr._("Directives and their progress:"),
                            *report(turn.session, tr=turn.tr, today=turn.today,
                                    tz=self.calendar.tz, issuer_units=ids)]))

    def _begin(self, turn: Turn, what: str, args: str) -> None:
        desks = supervised(turn)
        flow: dict[str, Any] = {"kind": self.flow_kind, "step": "text", "what": what}
        turn.state["flow"] = flow
        if len(desks) > 1:
            flow["step"] = "issuer"
            turn.say(turn.tr._("On behalf of which unit?"),
                     tuple(Choice(f"cd-issuer:{u.id}", u.name) for _, u in desks))
            return
        flow["issuer"] = desks[0][1].id
        self._first_step(turn, flow, args)

    def _first_step(self, turn: Turn, flow: dict[str, Any], args: str = "") -> bool:
        if flow["what"] == "vanban":
            flow["step"] = "legal-number"
            turn.say(turn.tr._("Please send the legal document's number, e.g. 15/2026/NĐ-CP. "
                               "Type /huy to cancel."))
            return True
        if args.strip():
            return self._take_text(turn, flow, args)
        turn.say(turn.tr._("Please send the text of the directive (what units must do). "
                           "Type /huy to cancel."))
        return True

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """Handle the officers' "Received" and the steps of composing a directive."""
        if action == "ack":
            self._acknowledge(turn, value)
            return
        flow = turn.state.get("flow")
        if not flow or flow.get("kind") != self.flow_kind:
            turn.say(turn.tr._("This choice is no longer valid. Type /chidao to start again."))
            return
        self.on_flow(turn, flow, "", f"{action}:{value}")

    def on_flow(self, turn: Turn, flow: dict[str, Any], text: str,
                action: str | None = None) -> bool:
        """Advance the directive being composed."""
        tr, step = turn.tr, flow["step"]
        if not supervised(turn):
            turn.end_flow()
            turn.say(tr._(SUPERVISORS_ONLY))
            return True
        if action == "cd-confirm:no":
            turn.end_flow()
            turn.say(tr._("Cancelled. Nothing was sent."))
        elif step == "issuer" and action and action.startswith("cd-issuer:"):
            unit_id = parsing.record_id(action.partition(":")[2])
            if unit_id in {u.id for _, u in supervised(turn)}:
                flow["issuer"] = unit_id
                self._first_step(turn, flow)
        elif step.startswith("legal-"):
            self._legal_step(turn, flow, text, action)
        elif step == "text":
            return self._take_text(turn, flow, text)
        elif step == "number":
            self._take_number(turn, flow, action, text)
        elif step == "scope":
            self._take_scope(turn, flow, action, text)
        elif step == "kind" and action and action.startswith("cd-kind:"):
            self._check_scope(turn, flow, Scope(kinds=(action.split(":")[1],)))
        elif step == "codes":
            codes = tuple(c for c in _CODES.split(text.strip().upper()) if c)
            self._check_scope(turn, flow, Scope(codes=codes))
        elif step == "due":
            self._take_due(turn, flow, action, text)
        elif step == "confirm" and action == "cd-confirm:yes":
            self._send(turn, flow)
        else:
            turn.say(tr._("Please choose one of the options, or type /huy to cancel."))
        return True

    # -- steps ----------------------------------------------------------------------------

    def _take_text(self, turn: Turn, flow: dict[str, Any], text: str) -> bool:
        text = text.strip()
        if not text:
            turn.say(turn.tr._("The directive's text is empty. Please send it again."))
            return True
        if too_long(turn, text, MAX_DIRECTIVE_TEXT):
            return True
        flow.update(text=text, step="number")
        turn.say(turn.tr._("What is its official number? Send it, e.g. 1699/UBND-TH, or choose "
                           "“No number”. Officers will know the directive by it."),
                 (Choice("cd-number:none", turn.tr._("No number")),))
        return True

    def _take_number(self, turn: Turn, flow: dict[str, Any], action: str | None,
                     text: str) -> None:
        if action != "cd-number:none":
            number = parsing.parse_document_number(text)
            if number is None:
                turn.say(turn.tr._("That is not an official number. Please send it like "
                                   "1699/UBND-TH, or choose “No number”."),
                         (Choice("cd-number:none", turn.tr._("No number")),))
                return
            flow["number"] = number
        flow["step"] = "scope"
        self._ask_scope(turn, turn.tr._("Which units must carry it out?"))

    def _ask_scope(self, turn: Turn, question: str) -> None:
        tr = turn.tr
        turn.say(question, (
            Choice("cd-scope:all", tr._("All units under my unit")),
            Choice("cd-scope:kind", tr._("Units of one kind (e.g. communes, schools)")),
            Choice("cd-scope:codes", tr._("Units I list by code")),
        ))

    def _take_scope(self, turn: Turn, flow: dict[str, Any], action: str | None,
                    text: str) -> None:
        tr = turn.tr
        if action == "cd-scope:all":
            self._check_scope(turn, flow, Scope(everyone=True))
        elif action == "cd-scope:kind":
            flow["step"] = "kind"
            kinds = sorted({u.kind for u in self._reachable(turn, flow)})
            turn.say(tr._("Which kind of unit?"),
                     tuple(Choice(f"cd-kind:{k}", kind_text(k, tr)) for k in kinds))
        elif action == "cd-scope:codes":
            flow["step"] = "codes"
            turn.say(tr._("Please send the unit codes, separated by commas."))
        else:
            turn.say(tr._("Please choose one of the options, or type /huy to cancel."))

    def _reachable(self, turn: Turn, flow: dict[str, Any]) -> list[Unit]:
        return _targets(turn, flow, Scope(everyone=True)).units

    def _check_scope(self, turn: Turn, flow: dict[str, Any], scope: Scope) -> None:
        targets = _targets(turn, flow, scope)
        if targets.outside:
            turn.say(turn.tr._("These codes are unknown or outside the units you supervise: "
                               "{codes}. Please send the codes again.").format(
                codes=", ".join(targets.outside)))
            return
        if not targets.units:
            turn.say(turn.tr._("No active unit matches. Please choose again."))
            return
        flow["scope"] = scope.as_dict()
        if flow["what"] == "vanban":
            self._confirm_legal(turn, flow, len(targets.units))
        else:
            self._ask_due(turn, flow)

    def _ask_due(self, turn: Turn, flow: dict[str, Any]) -> None:
        flow["step"] = "due"
        turn.say(turn.tr._("What is the deadline? Send a date such as {example}, or choose "
                           "“No deadline” ({days} days by default).").format(
            example=_due_example(turn), days=self.catalog.duty("directive").due.days_after or 0),
            (Choice("cd-due:none", turn.tr._("No deadline")),))

    def _take_due(self, turn: Turn, flow: dict[str, Any], action: str | None,
                  text: str) -> None:
        tr = turn.tr
        if action != "cd-due:none":
            day = parsing.parse_date(text, today=turn.today)
            if day is None or day < turn.today:
                turn.say(tr._("Please send a date from today on, such as {example}.").format(
                    example=_due_example(turn)))
                return
            flow["due"] = self.calendar.deadline(day).isoformat()
        flow["step"] = "confirm"
        targets = _targets(turn, flow, _scope(flow))
        people = sum(len(people_to_tell(turn.session, unit=u, day=turn.today))
                     for u in targets.units)
        deadline = (tr.date(_date(flow["due"])) if flow.get("due")
                    else tr._("{days} days from today").format(
                        days=self.catalog.duty("directive").due.days_after or 0))
        number = flow.get("number") or tr._("none")
        turn.say("\n".join([
            tr._("Please confirm the directive:"),
            tr._("Number: {number}").format(number=number),
            f"“{flow['text']}”",
            tr._("Deadline: {date}").format(date=deadline),
            tr._("It will reach {units} units and {people} people.").format(
                units=len(targets.units), people=people),
        ]), (Choice("cd-confirm:yes", tr._("Send")), Choice("cd-confirm:no", tr._("Cancel"))))

    def _send(self, turn: Turn, flow: dict[str, Any]) -> None:
        tr = turn.tr
        issuer, member = _issuer(turn, flow)
        scope = _scope(flow)
        targets = _targets(turn, flow, scope)
        sent = send_directive(
            turn.session, order=DirectiveOrder(
                text=flow["text"], scope=scope, targets=targets,
                due=_date(flow["due"]) if flow.get("due") else None, number=flow.get("number")),
            issuer=Issuer(issuer, by=f"{member.platform}:{member.platform_user_id}",
                          member=member),
            now=turn.now, catalog=self.catalog, calendar=self.calendar)
        turn.end_flow()
        turn.say(tr._("Directive {number} is being sent to {units} units ({people} people), "
                      "due {date}. Type /chidao_tinhhinh to follow it.").format(
            number=directive_name(sent.directive, tr, self.calendar.tz), units=sent.units,
            people=sent.people, date=tr.date(sent.directive.due)))

    # -- legal documents ------------------------------------------------------------------

    def _legal_step(self, turn: Turn, flow: dict[str, Any], text: str,
                    action: str | None) -> None:
        tr, step, text = turn.tr, flow["step"], text.strip()
        if step == "legal-number":
            if not text or len(text) > MAX_LEGAL_NUMBER:
                turn.say(tr._("Please send the legal document's number, e.g. 15/2026/NĐ-CP."))
                return
            if known := legal_document_by_number(turn.session, number=text):
                turn.say(tr._("{number} is registered already (on {date}); nothing was "
                              "changed.").format(number=known.number, date=tr.short_date(
                                  known.created_at.astimezone(self.calendar.tz).date())))
                turn.state.pop("flow", None)
                return
            flow.update(number=text, step="legal-date")
            turn.say(tr._("When does it take effect? Send a date such as 01/08/2026."))
        elif step == "legal-date":
            day = parsing.parse_date(text, today=turn.today)
            if day is None:
                turn.say(tr._("Please send a date such as 01/08/2026."))
                return
            flow.update(effective=day.isoformat(), step="legal-title")
            turn.say(tr._("Please send the document's title (trích yếu)."))
        elif step == "legal-title":
            if not text:
                turn.say(tr._("Please send the document's title (trích yếu)."))
                return
            if too_long(turn, text, MAX_LEGAL_TITLE):
                return
            flow.update(title=text, step="scope")
            self._ask_scope(turn, tr._("Which units does it affect?"))
        elif step == "legal-confirm" and action == "cd-confirm:yes":
            self._register_legal(turn, flow)
        else:
            turn.say(tr._("Please choose one of the options, or type /huy to cancel."))

    def _confirm_legal(self, turn: Turn, flow: dict[str, Any], units: int) -> None:
        tr = turn.tr
        flow["step"] = "legal-confirm"
        effective = _date(flow["effective"])
        due = event_due_date(self.catalog.duty("legal_update"), effective, self.calendar)
        turn.say("\n".join([
            tr._("Please confirm the legal document:"),
            f"{flow['number']} — {flow['title']}",
            tr._("Takes effect: {date}").format(date=tr.date(effective)),
            tr._("{units} units must update their QMS by {date}.").format(
                units=units, date=tr.date(due)),
        ]), (Choice("cd-confirm:yes", tr._("Register")), Choice("cd-confirm:no", tr._("Cancel"))))

    def _register_legal(self, turn: Turn, flow: dict[str, Any]) -> None:
        _, member = _issuer(turn, flow)
        scope = _scope(flow)
        targets = _targets(turn, flow, scope)
        registered = register_legal_document(
            turn.session, notice=LegalNotice(number=flow["number"], title=flow["title"],
                                             effective=_date(flow["effective"]), scope=scope,
                                             targets=targets),
            registered_by=f"{member.platform}:{member.platform_user_id}", now=turn.now,
            catalog=self.catalog, calendar=self.calendar)
        turn.end_flow()
        turn.say(turn.tr._("Registered {number}: {units} units must update their QMS by "
                           "{date}.").format(number=flow["number"],
                                             units=len(registered.obligations),
                                             date=turn.tr.date(registered.obligations[0].due)))

    def _acknowledge(self, turn: Turn, value: str) -> None:
        tr = turn.tr
        obligation = my_obligation(turn, value)
        if obligation is None:
            return
        member = next(m for m, _ in turn.members if may_log(m, obligation))
        if acknowledge(turn.session, member=member, obligation=obligation, now=turn.now) is None:
            turn.say(tr._("Receipt of this directive was already recorded."))
            return
        turn.replies.acknowledgement = tr._("Receipt recorded.")
        turn.say(tr._("Receipt recorded. When it is done, reply “Done” on the directive or type "
                      "/nop."))


def supervised(turn: Turn) -> list[tuple[Member, Unit]]:
    """The person's supervisor memberships."""
    return [(m, u) for m, u in turn.members if m.role == Role.SUPERVISOR]


def _issuer(turn: Turn, flow: dict[str, Any]) -> tuple[Unit, Member]:
    """The unit the supervisor acts for in this flow, and their membership there."""
    return next((u, m) for m, u in supervised(turn) if u.id == flow["issuer"])


def _targets(turn: Turn, flow: dict[str, Any], scope: Scope) -> Targets:
    """The units ``scope`` reaches inside the acting unit's subtree, never outside it."""
    within = subtree_ids(turn.session, unit_id=flow["issuer"])
    return resolve(turn.session, scope=scope, within=within, sender_unit_id=flow["issuer"])


def _scope(flow: dict[str, Any]) -> Scope:
    raw = flow.get("scope") or {}
    return Scope(everyone=raw.get("all", False), kinds=tuple(raw.get("kinds", ())),
                 codes=tuple(raw.get("codes", ())))


def too_long(turn: Turn, text: str, limit: int) -> bool:
    """Say so when ``text`` is longer than ``limit`` characters (what the table keeps)."""
    if len(text) <= limit:
        return False
    turn.say(turn.tr._("That is too long: {length} characters, at most {limit}. Please shorten "
                       "it and send it again.").format(length=turn.tr.number(len(text)),
                                                       limit=turn.tr.number(limit)))
    return True


def _due_example(turn: Turn) -> str:
    """A deadline two weeks ahead: an example that is valid on the day it is shown."""
    return turn.tr.short_date(turn.today + dt.timedelta(days=14))


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def kind_text(kind: str, tr: Translator) -> str:
    """A unit kind as a person reads it."""
    return {
        "province": tr._("provinces"), "department": tr._("departments"),
        "district": tr._("districts"), "commune": tr._("communes"), "ward": tr._("wards"),
        "office": tr._("offices"), "school": tr._("schools"), "agency": tr._("agencies"),
    }.get(kind, kind)
