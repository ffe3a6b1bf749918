"""Which units a directive or a legal document is for: all, some kinds, or listed codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from storage.models import Unit
from storage.units import all_units


@dataclass(frozen=True)
class Scope:
    """The target of a broadcast, always inside the sender's subtree."""

    everyone: bool = False
    kinds: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """JSON-safe, to keep with the directive or legal document."""
        return {"all": self.everyone, "kinds": list(self.kinds), "codes": list(self.codes)}

    def is_empty(self) -> bool:
        """True when nothing was chosen."""
        return not (self.everyone or self.kinds or self.codes)


@dataclass(frozen=True)
class Targets:
    """The units a scope reaches, and the codes it named that it may not or cannot reach."""

    units: list[Unit] = field(default_factory=list)
    outside: tuple[str, ...] = ()  # unknown codes, or units outside the sender's subtree


def resolve(session: Session, *, scope: Scope, within: set[int] | None,
            sender_unit_id: int | None = None) -> Targets:
    """The active units of ``scope`` inside ``within`` (None: the whole tree, for operators).

    "All" means every unit below the sender, not the sender's own unit.
    """
    units = [u for u in all_units(session, active_only=True)
             if within is None or u.id in within]
    by_code = {u.code: u for u in units}
    outside = tuple(c for c in scope.codes if c not in by_code)
    chosen: dict[int, Unit] = {}
    if scope.everyone:
        chosen.update({u.id: u for u in units if u.id != sender_unit_id})
    if scope.kinds:
        chosen.update({u.id: u for u in units if u.kind in scope.kinds and u.id != sender_unit_id})
    chosen.update({by_code[c].id: by_code[c] for c in scope.codes if c in by_code})
    return Targets(sorted(chosen.values(), key=lambda u: u.code), outside)


def common_ancestor(unit_ids: list[int], parent_of: dict[int, int | None]) -> int | None:
    """The nearest unit that is ``unit_ids``' own or an ancestor of each; None across trees."""
    if not unit_ids:
        return None
    chains = [_lineage(unit_id, parent_of) for unit_id in unit_ids]
    shared = set(chains[0]).intersection(*chains[1:])
    return next((unit_id for unit_id in chains[0] if unit_id in shared), None)


def _lineage(unit_id: int, parent_of: dict[int, int | None]) -> list[int]:
    chain, current = [], unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parent_of.get(current)
    return chain
