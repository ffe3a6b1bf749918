"""The duty catalog's shape: which fields a duty has, and the rules each field obeys.

Every model forbids unknown fields, so a misspelt field in a YAML file is an error. The checks
here raise ``ValueError`` with a translated sentence; :mod:`jobs.catalog.loader` adds the file,
the entry, the field and the line around it. After loading, every :class:`Duty` carries its
effective lead days, overdue policy and escalation, so the engine never consults the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from jobs.text.i18n import translator

Cadence = Literal["yearly", "quarterly", "monthly", "event"]
Recipient = Literal["officer", "head"]
EscalationTarget = Literal["head", "supervisor"]
Evidence = Literal["document", "audit", "review", "none"]
# What a logged event of a duty must carry: the document's number and date, the meeting minutes'
# number and date, an attached file or photo, the number of nonconformities, a note.
Requirement = Literal["document", "minutes", "file", "count", "note"]
# What each kind of evidence requires when the duty does not say (``requires``).
DEFAULT_REQUIREMENTS: dict[str, tuple[Requirement | tuple[Requirement, ...], ...]] = {
    "document": ("document",), "audit": ("document", "count"), "review": ("minutes",),
    "none": (),
}

SCHEDULED_CADENCES: frozenset[str] = frozenset({"yearly", "quarterly", "monthly"})

# A duty inherits these from `defaults` when it does not set them itself.
INHERITED = ("lead_days", "overdue", "escalation")


class CatalogError(ValueError):
    """A catalog file that cannot be used; each problem names the file, the entry and the field."""

    def __init__(self, problems: Sequence[str], path: Path | None = None) -> None:
        self.problems = tuple(problems)
        self.path = path
        super().__init__("\n".join(self.problems))


class UnknownDutyError(KeyError):
    """No duty with that key in the catalog."""

    def __str__(self) -> str:
        # KeyError would print the message inside quotes.
        return str(self.args[0]) if self.args else ""


def _between(low: int, high: int) -> AfterValidator:
    """A check that an integer lies in [low, high], with a message that names both ends."""

    def check(value: int) -> int:
        if not low <= value <= high:
            t = translator()
            raise ValueError(t._("must be between {low} and {high}").format(low=low, high=high))
        return value

    return AfterValidator(check)


def _non_empty(items: tuple[Any, ...]) -> tuple[Any, ...]:
    # Checked after the items (not as Field(min_length=1)): pydantic would count only the valid
    # items and add a misleading "too short" to the items' own errors.
    if not items:
        raise ValueError(translator()._("must have at least one item"))
    return items


def _sorted_lead_days(days: tuple[int, ...]) -> tuple[int, ...]:
    # A repeated lead day is almost always a typo for another number (7, 7 for 14, 7).
    repeated = sorted({d for d in days if days.count(d) > 1})
    if repeated:
        t = translator()
        raise ValueError(t._("lead day {days} is listed more than once").format(
            days=", ".join(map(str, repeated))))
    return tuple(sorted(days, reverse=True))


def _ordered_escalation(steps: tuple[EscalationStep, ...]) -> tuple[EscalationStep, ...]:
    t = translator()
    targets = [s.to for s in steps]
    if len(set(targets)) != len(targets):
        raise ValueError(t._("each escalation target may appear only once"))
    days = [s.after_working_days for s in steps]
    if days != sorted(set(days)):
        # The head hears first, the supervisor later: a reversed order is a slip, not a policy.
        raise ValueError(t._("escalation steps must come in order of strictly increasing "
                             "after_working_days"))
    return steps


Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Key = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
PositiveInt = Annotated[StrictInt, Field(gt=0)]
Month = Annotated[StrictInt, _between(1, 12)]
DayOfMonth = Annotated[StrictInt, _between(1, 31)]
MonthOfQuarter = Annotated[StrictInt, _between(1, 3)]
LeadDays = Annotated[tuple[PositiveInt, ...], AfterValidator(_sorted_lead_days)]
NonEmptyTexts = Annotated[tuple[Text, ...], AfterValidator(_non_empty)]


class CatalogModel(BaseModel):
    """A part of the catalog: frozen once read, and a misspelt field is an error, never
    silently ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalizedText(CatalogModel):
    """A text in Vietnamese (required) and English (optional, falls back to Vietnamese)."""

    vi: Text
    en: Text | None = None

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang``, or the Vietnamese text when there is none in that language."""
        return self.en if lang == "en" and self.en else self.vi

    def __str__(self) -> str:
        return self.vi


class LocalizedList(CatalogModel):
    """A list of items in Vietnamese and, optionally, the same items in English."""

    vi: NonEmptyTexts
    en: tuple[Text, ...] | None = None

    @model_validator(mode="after")
    def _same_items(self) -> LocalizedList:
        # The English list is a translation item by item; a different length means they drifted.
        if self.en is not None and len(self.en) != len(self.vi):
            t = translator()
            raise ValueError(t._("the English list has {en} items but the Vietnamese one has "
                                 "{vi}").format(en=len(self.en), vi=len(self.vi)))
        return self

    def get(self, lang: str | None = None) -> tuple[str, ...]:
        """The items in ``lang``, or the Vietnamese items when there are none in that language."""
        return self.en if lang == "en" and self.en else self.vi


class DueRule(CatalogModel):
    """When a duty falls due; the subclass that matches the duty's cadence says how."""

    # Filled in from the duty's cadence while loading (it selects the subclass); never written
    # in YAML, so it is left out of dumps.
    cadence: Cadence = Field(exclude=True, repr=False)


class YearlyDue(DueRule):
    """Due on ``day``/``month`` of the period's year."""

    cadence: Literal["yearly"] = Field(default="yearly", exclude=True, repr=False)
    month: Month
    day: DayOfMonth

    @model_validator(mode="after")
    def _day_exists(self) -> YearlyDue:
        # Checked against a common year: 29/2 would silently move three years out of four.
        last = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[self.month - 1]
        if self.day > last:
            t = translator()
            raise ValueError(t._("day {day} does not exist in month {month} of every year")
                             .format(day=self.day, month=self.month))
        return self


class QuarterlyDue(DueRule):
    """Due on ``day`` of month ``month_of_quarter`` of the quarter (31 = that month's last day)."""

    cadence: Literal["quarterly"] = Field(default="quarterly", exclude=True, repr=False)
    month_of_quarter: MonthOfQuarter
    day: DayOfMonth


class MonthlyDue(DueRule):
    """Due on ``day`` of every month (31 = the month's last day)."""

    cadence: Literal["monthly"] = Field(default="monthly", exclude=True, repr=False)
    day: DayOfMonth


class EventDue(DueRule):
    """Due ``days_after`` or ``months_after`` the triggering event's date (exactly one is set)."""

    cadence: Literal["event"] = Field(default="event", exclude=True, repr=False)
    days_after: PositiveInt | None = None
    months_after: PositiveInt | None = None

    @model_validator(mode="after")
    def _one_period(self) -> EventDue:
        if (self.days_after is None) == (self.months_after is None):
            t = translator()
            raise ValueError(t._("give exactly one of days_after and months_after"))
        return self


AnyDueRule = Annotated[YearlyDue | QuarterlyDue | MonthlyDue | EventDue,
                       Field(discriminator="cadence")]
DUE_RULES: dict[str, type[DueRule]] = {
    "yearly": YearlyDue, "quarterly": QuarterlyDue, "monthly": MonthlyDue, "event": EventDue,
}
# In declaration order, so messages list them as a person writes them (month before day).
DUE_FIELDS = {c: tuple(f for f in m.model_fields if f != "cadence")
               for c, m in DUE_RULES.items()}


def _field_list(names: Any) -> str:
    return ", ".join(map(str, names))


class OverduePolicy(CatalogModel):
    """How often an overdue duty is reminded again, and how many times at most."""

    every_working_days: PositiveInt
    max_reminders: Annotated[StrictInt, Field(ge=0)]


class EscalationStep(CatalogModel):
    """Tell ``to`` once the duty is ``after_working_days`` working days past its due date."""

    to: EscalationTarget
    after_working_days: PositiveInt


Escalation = Annotated[tuple[EscalationStep, ...], AfterValidator(_ordered_escalation)]


def _distinct_alternatives(
        needs: tuple[Requirement | tuple[Requirement, ...], ...],
) -> tuple[Requirement | tuple[Requirement, ...], ...]:
    t = translator()
    for need in needs:
        if isinstance(need, tuple) and len(set(need)) < 2:
            raise ValueError(t._("a list of alternatives needs at least two different items"))
    flat = [item for need in needs for item in (need if isinstance(need, tuple) else (need,))]
    repeated = sorted({item for item in flat if flat.count(item) > 1})
    if repeated:
        raise ValueError(t._("{items} is required more than once").format(
            items=", ".join(repeated)))
    return needs


Requirements = Annotated[tuple[Requirement | tuple[Requirement, ...], ...],
                         AfterValidator(_distinct_alternatives)]


class Defaults(CatalogModel):
    """What a duty gets when it does not say otherwise."""

    lead_days: LeadDays
    overdue: OverduePolicy
    escalation: Escalation


class Duty(CatalogModel):
    """One duty with its effective (defaults-resolved) reminder settings."""

    key: Key
    title: LocalizedText
    legal_basis: LocalizedText
    cadence: Cadence  # declared before `due`: the due rule's validator reads it
    due: AnyDueRule
    lead_days: LeadDays  # calendar days before the due date, largest first
    overdue: OverduePolicy
    escalation: Escalation  # empty: never escalate
    recipient: Recipient
    applies_to: NonEmptyTexts | None = None  # None: every unit
    checklist: LocalizedList
    evidence: Evidence
    # Declared after `evidence`: when absent it is the evidence kind's default. Each item is
    # required; an item that is a list is satisfied by any one of its members.
    requires: Requirements | None = Field(default=None, validate_default=True)
    # What officers call the duty when they write to the bot ("báo cáo quý", "ĐGNB"). Matched
    # whole-word without diacritics or letter case, so one spelling serves both ways of typing.
    aliases: tuple[Text, ...] = ()

    @field_validator("due", mode="before")
    @classmethod
    def _tag_due(cls, value: Any, info: ValidationInfo) -> Any:
        """Pick the due rule's shape from the duty's cadence, and say so when it does not fit."""
        cadence = info.data.get("cadence")
        if cadence is None or not isinstance(value, Mapping):
            return value  # a bad cadence is reported on its own field
        t = translator()
        if "cadence" in value:
            raise ValueError(t._("the cadence belongs to the duty, not to its due rule"))
        keys = set(value)
        if not keys <= set(DUE_FIELDS[cadence]):
            other = next((c for c, fields in DUE_FIELDS.items()
                          if c != cadence and keys and keys <= set(fields)), None)
            if other is not None:
                raise ValueError(t._("a {cadence} duty needs a due rule with {expected}, but this "
                                     "one ({given}) is a {other} rule").format(
                    cadence=cadence, expected=_field_list(DUE_FIELDS[cadence]),
                    given=_field_list(value), other=other))
        return {**value, "cadence": cadence}

    @field_validator("requires", mode="after")
    @classmethod
    def _default_requirements(cls, value: Any, info: ValidationInfo) -> Any:
        """What the duty's kind of evidence requires, unless the duty says otherwise."""
        if value is None:
            return DEFAULT_REQUIREMENTS.get(info.data.get("evidence"), ())
        return value

    @model_validator(mode="after")
    def _due_fits_cadence(self) -> Duty:
        # A due rule built in code (not from YAML) skips the tagging above.
        if self.due.cadence != self.cadence:
            t = translator()
            raise ValueError(t._("a {cadence} duty cannot have a {other} due rule").format(
                cadence=self.cadence, other=self.due.cadence))
        return self

    @property
    def is_scheduled(self) -> bool:
        """Whether the duty recurs by the calendar (rather than being created by an event)."""
        return self.cadence in SCHEDULED_CADENCES

    def applies(self, unit_kind: str) -> bool:
        """Whether a unit of ``unit_kind`` owes this duty."""
        return self.applies_to is None or unit_kind in self.applies_to
