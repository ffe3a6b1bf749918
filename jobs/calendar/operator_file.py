"""The operator's calendar file (``ISOBOT_CALENDAR``): days off and working days, year by year.

Every year the Ministry of Home Affairs announces the civil servants' schedule (the Tết break,
swapped days); a province may give a day off of its own. The ``holidays`` package carries the
notices known when it was released; this file lets an operator add one the day it appears::

    2026:
      notice: "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"
      days_off:
        - {date: 2026-08-31, name: "Nghỉ lễ Quốc khánh (hoán đổi)"}
      working_days:
        - {date: 2026-08-22, name: "Làm việc bù cho thứ Hai 31/08/2026"}

A day takes its ``source`` from the year's ``notice`` unless it names its own. A file that
cannot be used raises :class:`CalendarFileError`; each problem names the file, the year, the
day and the field, and the line, in the deployment's language: the reader is an operator
editing YAML. Pure apart from reading the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from jobs.calendar.workdays import Amendment, Amendments
from jobs.catalog.yaml_file import display_name, yaml_problem
from jobs.text.i18n import translator

ENV_VAR = "ISOBOT_CALENDAR"  # read by the deployment's settings, never here
YEAR_FIELDS = ("notice", "days_off", "working_days")
DAY_FIELDS = ("date", "name", "source")
_LISTS = {"days_off": False, "working_days": True}  # field -> whether its days are worked
_YEAR = re.compile(r"^\d{4}$")
T = TypeVar("T")


class CalendarFileError(ValueError):
    """A calendar file that cannot be used; each problem is one line naming where it is."""

    def __init__(self, problems: Sequence[str], path: Path) -> None:
        self.problems = tuple(problems)
        self.path = path
        super().__init__("\n".join(self.problems))


def load_calendar_file(path: Path) -> Amendments:
    """The days off and working days that the file at ``path`` declares; an empty file adds none."""
    name = display_name(path)
    root = _compose(path, name)
    reader = _Reader(name)
    amendments = reader.read(root)
    if reader.problems:
        # In the file's order, as the operator reads it from the top.
        raise CalendarFileError([text for _line, text in sorted(
            reader.problems, key=lambda p: p[0])], path)
    return amendments


def _compose(path: Path, name: str) -> Node | None:
    """The file's YAML node tree, which keeps each value's line."""
    t = translator()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise CalendarFileError([t._("{file}: cannot read the calendar file: {reason}").format(
            file=name, reason=reason)], path) from None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise CalendarFileError([yaml_problem(exc, name)], path) from None


class _Reader:
    """Walks the node tree, collecting every problem rather than stopping at the first."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[tuple[int, str]] = []
        self.t = translator()

    def problem(self, node: Node, where: Sequence[str], text: str) -> None:
        line = node.start_mark.line + 1
        self.problems.append((line, ": ".join([self.name, *where, text]) + " " +
                              self.t._("(line {line})").format(line=line)))

    def read(self, root: Node | None) -> Amendments:
        if root is None:
            return Amendments(file=self.name)
        if not isinstance(root, MappingNode):
            self.problem(root, [], self.t._("the calendar file must list years, each with its "
                                            "days, e.g. “2027:”"))
            return Amendments(file=self.name)
        days: list[Amendment] = []
        notices: list[tuple[int, str]] = []
        for key, value in self.fields(root, [], None):
            year = self.year(key)
            if year is None:
                continue
            notice, listed = self.year_block(year, value)
            days += listed
            if notice:
                notices.append((year, notice))
        return Amendments(tuple(sorted(days, key=lambda a: a.day)), tuple(notices), self.name)

    def fields(self, node: MappingNode, where: list[str],
               known: Sequence[str] | None) -> list[tuple[Node, Node]]:
        """The (key, value) pairs; a repeated or unknown key is a problem, and left out."""
        seen: set[str] = set()
        pairs = []
        for key, value in node.value:
            text = key.value if isinstance(key, ScalarNode) else ""
            if text in seen:
                self.problem(key, where, self.t._("key '{key}' is given twice in the same "
                                                  "mapping").format(key=text))
            elif known is not None and text not in known:
                self.unknown_field(key, where, text, known)
            else:
                pairs.append((key, value))
            seen.add(text)
        return pairs

    def given(self, node: MappingNode, where: list[str], known: Sequence[str]) -> dict[str, Node]:
        """The mapping's known fields by name."""
        return {key.value: value for key, value in self.fields(node, where, known)}

    def unknown_field(self, key: Node, where: list[str], text: str,
                      known: Sequence[str]) -> None:
        guess = difflib.get_close_matches(text, known, n=1)
        message = (self.t._("unknown field; did you mean '{name}'?").format(name=guess[0])
                   if guess else self.t._("unknown field"))
        self.problem(key, [*where, self.field(text)], message)

    def field(self, name: str) -> str:
        return self.t._("field '{field}'").format(field=name)

    def year(self, key: Node) -> int | None:
        text = key.value if isinstance(key, ScalarNode) else ""
        if not _YEAR.match(text) or not 1995 <= int(text) <= 2199:
            self.problem(key, [], self.t._("“{key}” is not a year: write each year with four "
                                           "digits, e.g. 2027:").format(key=text))
            return None
        return int(text)

    def year_block(self, year: int, node: Node) -> tuple[str | None, list[Amendment]]:
        where = [self.t._("year {year}").format(year=year)]
        if not isinstance(node, MappingNode):
            self.problem(node, where, self.t._("must be a mapping of fields"))
            return None, []
        given = self.given(node, where, YEAR_FIELDS)
        notice = self.required(node, given, where, "notice", self.text, optional=True)
        listed: list[tuple[Amendment, Node]] = []
        for name, working in _LISTS.items():
            if name in given:
                listed += self.days(year, name, working, given[name], where, notice)
        self.no_day_twice(listed, where)
        return notice, [amendment for amendment, _node in listed]

    def days(self, year: int, list_name: str, working: bool, node: Node, where: list[str],
             notice: str | None) -> list[tuple[Amendment, Node]]:
        if not isinstance(node, SequenceNode):
            self.problem(node, [*where, self.field(list_name)], self.t._("must be a list"))
            return []
        listed = []
        for index, item in enumerate(node.value):
            day_where = [*where, f"{list_name} #{index + 1}"]
            amendment = self.day(year, working, item, day_where, notice)
            if amendment is not None:
                listed.append((amendment, item))
        return listed

    def day(self, year: int, working: bool, node: Node, where: list[str],
            notice: str | None) -> Amendment | None:
        if not isinstance(node, MappingNode):
            self.problem(node, where, self.t._("must be a mapping of fields"))
            return None
        given = self.given(node, where, DAY_FIELDS)
        day = self.required(node, given, where, "date", lambda n, w: self.date(year, n, w))
        name = self.required(node, given, where, "name", self.text)
        source = self.required(node, given, where, "source", self.text, optional=True)
        if source is None and "source" not in given and notice is None:
            self.problem(node, [*where, self.field("source")], self.t._(
                "required field is missing: give the notice that declares this day, e.g. "
                "“Thông báo 9441/TB-BNV ngày 16/10/2025”, here or as the year's notice"))
        source = source or notice
        if day is None or name is None or source is None:
            return None
        return Amendment(day, working, name, source)

    def required(self, node: Node, given: dict[str, Node], where: list[str], name: str,
                 parse: Callable[[Node, list[str]], T | None], *, optional: bool = False
                 ) -> T | None:
        """The field ``name`` of ``given`` parsed, or None (a problem unless ``optional``)."""
        if name in given:
            return parse(given[name], [*where, self.field(name)])
        if not optional:
            self.problem(node, [*where, self.field(name)], self.t._("required field is missing"))
        return None

    def text(self, node: Node, where: list[str]) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, where, self.t._("must be text"))
            return None
        if not node.value.strip():
            self.problem(node, where, self.t._("must not be empty"))
            return None
        return node.value.strip()

    def date(self, year: int, node: Node, where: list[str]) -> dt.date | None:
        day = _parse_date(node.value) if isinstance(node, ScalarNode) else None
        if day is None:
            self.problem(node, where, self.t._("must be a date written 2026-08-31 or 31/08/2026"))
            return None
        if day.year != year:
            self.problem(node, where, self.t._("{date} is not in {year}: list it under its own "
                                               "year").format(date=f"{day:%d/%m/%Y}", year=year))
            return None
        return day

    def no_day_twice(self, listed: list[tuple[Amendment, Node]], where: list[str]) -> None:
        # A day both off and worked, or listed twice, is a slip the operator must resolve.
        first: dict[dt.date, Node] = {}
        for amendment, node in listed:
            if amendment.day in first:
                line = first[amendment.day].start_mark.line + 1
                self.problem(node, where, self.t._("{date} is already listed on line {line}")
                             .format(date=f"{amendment.day:%d/%m/%Y}", line=line))
            else:
                first[amendment.day] = node


def _parse_date(text: str) -> dt.date | None:
    """A day written the ISO way (2026-08-31) or the Vietnamese way (31/08/2026)."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip())
    local = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    try:
        if iso:
            return dt.date(*map(int, iso.groups()))
        if local:
            day, month, year = map(int, local.groups())
            return dt.date(year, month, day)
    except ValueError:  # 31/02
        return None
    return None
