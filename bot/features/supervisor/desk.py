"""The supervisors' desk as one feature: its commands, the directives' progress, and the
officers' "Received" on a directive.

Only members with the supervisor role may use it, and only inside the subtree of the unit they
supervise. The flows are :mod:`~bot.features.supervisor.directive` and
:mod:`~bot.features.supervisor.legal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.chat.commands import Command
from bot.chat.feature import Feature, feature
from bot.chat.flow import Flow
from bot.chat.turn import IncomingFile, Turn
from bot.features.my_duties import my_obligation
from bot.features.supervisor.addressing import SUPERVISORS, SUPERVISORS_ONLY, supervised
from bot.features.supervisor.directive import KIND as DIRECTIVE
from bot.features.supervisor.directive import DirectiveFlow
from bot.features.supervisor.directive import Step as DirectiveStep
from bot.features.supervisor.legal import KIND as LEGAL
from bot.features.supervisor.legal import LegalFlow
from bot.features.supervisor.loose_document import offer_file, offer_pasted
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.evidence.submissions import may_log
from jobs.supervision.directives import acknowledge, report
from jobs.text.i18n import N_
from storage.units import subtree_ids

#: The kind both flows were saved under before each had its own (with "what": "chidao" or
#: "vanban", and the legal document's steps named "legal-…").
_OLD_KIND = "supervisor"


@feature(90)
class SupervisorDesk(Feature):
    """Directives: compose and send, follow up; legal documents; the officers' acknowledgement."""

    choices = ("ack", "cd-issuer", "cd-number", "cd-scope", "cd-kind", "cd-due", "cd-confirm")
    old_flow_kinds = (_OLD_KIND,)

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("chidao", N_("send a directive with a deadline to units"), SUPERVISORS,
                    self.directive, refusal=SUPERVISORS_ONLY),
            Command("chidao_tinhhinh", N_("who received, did, or is overdue on each directive"),
                    SUPERVISORS, self.progress, refusal=SUPERVISORS_ONLY),
            Command("vanban", N_("register a new legal document (units update their QMS within "
                                 "3 months)"), SUPERVISORS, self.legal_document,
                    refusal=SUPERVISORS_ONLY),
        )
        self.directives = DirectiveFlow(catalog, calendar)
        self.legal = LegalFlow(catalog, calendar)
        self.flows = (self.directives.steps, self.legal.steps)

    def directive(self, turn: Turn, args: str) -> None:
        """/chidao [text]: compose a directive."""
        self.directives.begin(turn, args)

    def on_loose_text(self, turn: Turn, text: str) -> bool:
        """A directive's text pasted without /chidao: its draft, to confirm."""
        return offer_pasted(turn, self.directives, text)

    def on_loose_file(self, turn: Turn, incoming: IncomingFile) -> bool:
        """A directive's PDF, DOCX or edXML file sent without /chidao: its draft, to confirm."""
        return offer_file(turn, self.directives, incoming)

    def accepts_files(self, flow: Flow[Any, Any]) -> bool:
        """At a directive's text step: its file (PDF, DOCX, edXML) may come instead."""
        return flow.kind == DIRECTIVE and flow.step == DirectiveStep.TEXT

    def on_file(self, turn: Turn, flow: Flow[Any, Any] | None, incoming: IncomingFile) -> None:
        """A directive's file at its text step; any other file is read by its caption or
        name, as the step's answer."""
        if flow is None or not self.accepts_files(flow) \
                or not self.directives.take_file(turn, flow, incoming):
            super().on_file(turn, flow, incoming)

    def legal_document(self, turn: Turn, args: str) -> None:
        """/vanban: register a legal document."""
        self.legal.begin(turn)

    def progress(self, turn: Turn, args: str) -> None:
        """/chidao_tinhhinh: each directive's progress in the supervised subtrees."""
        ids = set().union(*(subtree_ids(turn.session, unit_id=u.id) for _, u in supervised(turn)))
        turn.say("\n".join([turn.tr._("Directives and their progress:"),
                            *report(turn.session, tr=turn.tr, today=turn.today,
                                    tz=self.calendar.tz, issuer_units=ids)]))

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """The officers' "Received", and the steps of a directive or a legal document."""
        if action == "ack":
            self._acknowledge(turn, value)
        elif not self.answer_choice(turn, action, value):
            turn.say(turn.tr._("This choice is no longer valid. Type /chidao to start again."))

    def read_flow(self, raw: Mapping[str, Any]) -> Flow[Any, Any] | None:
        """A directive or a legal document under way, also as an earlier version saved it."""
        return super().read_flow(_upgraded(raw) if raw.get("kind") == _OLD_KIND else raw)

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


def _upgraded(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A flow saved under :data:`_OLD_KIND` in the shape of the flow it is now."""
    saved = {k: v for k, v in raw.items() if k != "what"}
    saved["kind"] = LEGAL if raw.get("what") == "vanban" else DIRECTIVE
    if isinstance(saved.get("step"), str):
        saved["step"] = saved["step"].removeprefix("legal-")
    scope = saved.get("scope")
    if isinstance(scope, dict) and "all" in scope:
        saved["scope"] = {"everyone": scope["all"], "kinds": scope.get("kinds", []),
                          "codes": scope.get("codes", [])}
    return saved
