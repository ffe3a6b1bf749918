"""Who receives the messages meant for a role of a unit, worked out for every unit at once. Pure.

The planner loads the unit tree and the active members once per tick (as rows) and asks an
:class:`AddressBook` for each obligation's recipients; the answers are the same as
:func:`jobs.planning.planner.recipients` gives one query at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

from jobs.people.absence import Away, cover
from jobs.people.linking import preferred
from storage.members import Recipient
from storage.models import Role
from storage.units import UnitRecord


class AddressBook:
    """The unit tree and the active members, with each unit's recipients per role memoised."""

    def __init__(self, units: Sequence[UnitRecord], members: Sequence[Recipient],
                 away: Mapping[int, list[Away]] | None = None) -> None:
        self.unit_rows, self.member_rows = units, members
        self.away = dict(away or {})  # the absences of the day, per unit (jobs.people.absence)
        # Per role, each unit's recipients. A national heavy tick asks for 150,000 of them:
        # keyed by role then unit (no key tuples), each answer a tuple shared by every unit
        # with the same recipients (a province's units, its supervisors): 20 MB less.
        self._chosen: dict[str, dict[int, tuple[Recipient, ...]]] = {}
        self._answers: dict[tuple[Recipient, ...], tuple[Recipient, ...]] = {}
        self._supervised: dict[int, list[Recipient]] = {}
        self._children: dict[int | None, list[int]] | None = None

    # Indexed when first asked: a restarted planner whose stored memory holds (a steady tick)
    # asks nothing, and the 50,000 units' indexes were a tenth of its `isobot plan`.
    @cached_property
    def units(self) -> dict[int, UnitRecord]:
        """The units by id."""
        return {u.id: u for u in self.unit_rows}

    @cached_property
    def _members(self) -> dict[tuple[int, str], list[Recipient]]:
        members: dict[tuple[int, str], list[Recipient]] = {}
        for member in self.member_rows:  # in id order, as members_of gives them
            members.setdefault((member.unit_id, member.role), []).append(member)
        return members

    def built_from(self, units: Sequence[UnitRecord], members: Sequence[Recipient],
                   away: Mapping[int, list[Away]] | None = None) -> bool:
        """Whether the book holds exactly these units, members and absences (cheap to compare)."""
        return (self.unit_rows == units and self.member_rows == members
                and self.away == dict(away or {}))

    def of(self, unit_id: int, role: str) -> tuple[Recipient, ...]:
        """Officers and heads are the unit's own (an officer's follow
        :func:`jobs.people.absence.cover`:
        a substitute while away, the head when the unit has no officer); supervisors are those
        of the nearest unit,
        the unit itself or above it, that has any. A person with two messengers gets it on
        the one(s) they chose (:func:`jobs.people.linking.preferred`)."""
        chosen = self._chosen.setdefault(role, {})
        if unit_id not in chosen:
            key = (unit_id, role)
            if role == Role.SUPERVISOR:
                found = self._nearest_supervisors(unit_id)
            elif role == Role.OFFICER:  # away officers stand in, a unit without one: its head
                found = cover([*self._members.get(key, []),
                               *self._members.get((unit_id, Role.HEAD), [])],
                              self.away.get(unit_id, []))
            else:
                found = self._members.get(key, [])
            answer = tuple(preferred(found))
            chosen[unit_id] = self._answers.setdefault(answer, answer)
        return chosen[unit_id]

    def _nearest_supervisors(self, unit_id: int) -> list[Recipient]:
        walked: list[int] = []
        found: list[Recipient] = []
        current: int | None = unit_id
        while current is not None and current in self.units and current not in walked:
            if current in self._supervised:
                found = self._supervised[current]
                break
            walked.append(current)
            found = self._members.get((current, Role.SUPERVISOR), [])
            if found:
                break
            current = self.units[current].parent_id
        for unit in walked:  # every unit on the way has the same nearest supervisors
            self._supervised[unit] = found
        return found

    def subtree(self, unit_id: int) -> set[int]:
        """``unit_id`` and every unit below it."""
        if self._children is None:
            self._children = {}
            for unit in self.unit_rows:
                self._children.setdefault(unit.parent_id, []).append(unit.id)
        found, stack = set(), [unit_id]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self._children.get(current, []))
        return found

    def changed_since(self, before: AddressBook) -> set[int]:
        """The units whose recipients may differ from ``before``'s: a member joined, left,
        linked an account or chose a messenger; a unit moved, was (re)activated or is new (its
        obligations may have been created by another process while this one looked away)."""
        changed: set[int] = set()
        for unit in set(self.unit_rows) - set(before.unit_rows):
            old = before.units.get(unit.id)
            if old is not None and old.parent_id != unit.parent_id:
                changed |= self.subtree(unit.id)  # its nearest supervisors may have changed
            else:
                changed.add(unit.id)
        for unit_id in set(self.away) | set(before.away):
            if self.away.get(unit_id) != before.away.get(unit_id):
                changed.add(unit_id)  # an absence began or ended
        for member in set(self.member_rows) ^ set(before.member_rows):
            changed |= (self.subtree(member.unit_id) if member.role == Role.SUPERVISOR
                        else {member.unit_id})
        return changed
