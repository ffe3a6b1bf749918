"""Who receives the messages meant for a role of a unit, worked out for every unit at once. Pure.

The planner loads the unit tree and the active members once per tick (as tuples) and asks an
:class:`AddressBook` for each obligation's recipients; the answers are the same as
:func:`jobs.planner.recipients` gives one query at a time.
"""

from __future__ import annotations

from collections.abc import Iterable

from jobs.linking import preferred
from storage.members import Recipient
from storage.models import Role
from storage.units import UnitRecord


class AddressBook:
    """The unit tree and the active members, with each unit's recipients per role memoised."""

    def __init__(self, units: Iterable[UnitRecord], members: Iterable[Recipient]) -> None:
        self.units = {u.id: u for u in units}
        self._members: dict[tuple[int, str], list[Recipient]] = {}
        for member in members:  # in id order, as members_of gives them
            self._members.setdefault((member.unit_id, member.role), []).append(member)
        self._chosen: dict[tuple[int, str], list[Recipient]] = {}
        self._supervised: dict[int, list[Recipient]] = {}
        self._children: dict[int, list[int]] | None = None

    def of(self, unit_id: int, role: str) -> list[Recipient]:
        """Officers and heads are the unit's own; supervisors are those of the nearest unit,
        the unit itself or above it, that has any. A person with two messengers gets it on
        the one(s) they chose (:func:`jobs.linking.preferred`)."""
        key = (unit_id, role)
        if key not in self._chosen:
            found = (self._nearest_supervisors(unit_id) if role == Role.SUPERVISOR
                     else self._members.get(key, []))
            self._chosen[key] = preferred(found)
        return self._chosen[key]

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
            for unit in self.units.values():
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
        linked an account or chose a messenger; a unit moved or was (re)activated."""
        changed: set[int] = set()
        for unit in self.units.values():
            old = before.units.get(unit.id)
            if old is not None and old.parent_id != unit.parent_id:
                changed |= self.subtree(unit.id)  # its nearest supervisors may have changed
            elif old is not None and old.active != unit.active:
                changed.add(unit.id)
        for unit_id, role in self._members.keys() | before._members.keys():
            if _choice(self._members.get((unit_id, role))) != _choice(
                    before._members.get((unit_id, role))):
                changed |= self.subtree(unit_id) if role == Role.SUPERVISOR else {unit_id}
        return changed


def _choice(members: list[Recipient] | None) -> list[tuple[int, int | None, bool]]:
    """What decides who of ``members`` receives a message."""
    return [(m.id, m.person_id, m.receives_reminders) for m in members or []]
