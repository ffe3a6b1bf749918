"""A document's issuer and recipients matched to units by name.

Names compare in one form (:func:`name_key`): lower case, no diacritics, no punctuation, and
the common short forms ("Ủy ban nhân dân" ↔ "UBND", "Trung học phổ thông" ↔ "THPT",
"Khoa học và Công nghệ" ↔ "KH&CN"). A unit is also known without its province's or
district's name ("Sở Tư pháp" for "Sở Tư pháp tỉnh An Giang"). Recipients are looked for only
inside the issuer's province; a group phrase ("các sở, ban, ngành tỉnh", "UBND các xã, phường")
names the units of its kinds below the issuer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jobs.text.folding import fold
from storage.models import Unit, UnitKind

_SHORT_FORMS = (
    ("uy ban nhan dan", "ubnd"), ("hoi dong nhan dan", "hdnd"),
    ("trung hoc pho thong", "thpt"), ("trung hoc co so", "thcs"),
    ("khoa hoc va cong nghe", "khcn"), ("kh va cn", "khcn"), ("thanh pho", "tp"),
)
_LEVELS = ("tinh", "tp", "huyen", "thi xa", "quan", "xa", "phuong", "thi tran")
_TITLES = re.compile(r"^(?:ong|ba|dong chi|giam doc|thu truong|chu tich|hieu truong|"
                     r"lanh dao|ban giam hieu)\s+")
_QUALIFIER = re.compile(r"\b(?:thuoc|truc thuoc|tren dia ban|cua)\b.*$")
#: Recipients kept for the record only: "Như trên" (the "Kính gửi" list), the archive, the
#: steering committee, the document system's website.
_NOT_TARGETS = re.compile(r"^(?:nhu tren|nhu dieu|luu\b|vp\b)|\bbcd\b|ban chi dao|website|"
                          r"cong thong tin|thanh vien")
#: A parenthesis saying the recipient is told, not asked: "(báo cáo)", "(để biết)".
_FOR_INFORMATION = re.compile(r"\((?:de )?(?:bao cao|b c|biet|d b|phoi hop)\)")
_GROUP_WORDS = (
    (r"so|ban nganh|nganh", (UnitKind.DEPARTMENT,)),
    (r"phong|chi cuc|phong ban", (UnitKind.OFFICE,)),
    (r"huyen|thi xa|tp|quan", (UnitKind.DISTRICT,)),
    (r"xa|thi tran", (UnitKind.COMMUNE,)),
    (r"phuong", (UnitKind.WARD,)),
    (r"truong|thpt|thcs", (UnitKind.SCHOOL,)),
    (r"don vi su nghiep|trung tam|ban quan ly", (UnitKind.AGENCY,)),
)


def name_key(text: str) -> str:
    """The form names are compared in: "Ủy ban nhân dân tỉnh An Giang" → "ubnd tinh an giang"."""
    key = fold(text.replace("&", " va "))
    key = re.sub(r"[^\w\s]", " ", key)
    key = " ".join(key.split())
    for long, short in _SHORT_FORMS:
        key = re.sub(rf"\b{long}\b", short, key)
    return key


def place_of(unit: Unit) -> str | None:
    """The place a unit's name ends with: "ubnd tinh an giang" → "an giang"."""
    key = name_key(unit.name)
    for level in _LEVELS:
        found = re.search(rf"\b{level} (.+)$", key)
        if found:
            return found.group(1)
    return None


@dataclass(frozen=True)
class UnitTree:
    """The active units and who is above whom, for matching names to them."""

    units: Sequence[Unit]

    def by_id(self) -> dict[int, Unit]:
        return {u.id: u for u in self.units}

    def ancestors(self, unit: Unit) -> list[Unit]:
        """The units above ``unit``, nearest first."""
        known, found, parent = self.by_id(), [], unit.parent_id
        while parent is not None and parent in known and len(found) < 50:
            found.append(known[parent])
            parent = known[parent].parent_id
        return found

    def province(self, unit: Unit) -> Unit:
        """The top of ``unit``'s tree (its province)."""
        above = self.ancestors(unit)
        return above[-1] if above else unit

    def below(self, unit: Unit) -> list[Unit]:
        """The units under ``unit`` at any depth."""
        return [u for u in self.units if u.id != unit.id and unit in self.ancestors(u)]

    def keys(self, unit: Unit) -> set[str]:
        """The names ``unit`` is known by: its own, and without the places above it."""
        key = name_key(unit.name)
        known = {key}
        for above in self.ancestors(unit):
            place = place_of(above)
            if place:
                for level in ("", *(f"{level} " for level in _LEVELS)):
                    suffix = f" {level}{place}"
                    known |= {k[: -len(suffix)] for k in known
                              if k.endswith(suffix) and len(k) > len(suffix)}
        return known

    def named(self, text: str, among: Iterable[Unit] | None = None) -> list[Unit]:
        """The units among ``among`` (default: all) known by the name ``text``."""
        key = _TITLES.sub("", name_key(text))
        return [u for u in (self.units if among is None else among) if key in self.keys(u)]


def match_issuer(tree: UnitTree, heading: Sequence[str], place: str | None,
                 number: str | None) -> Unit | None:
    """The unit a document comes from: its organ heading (the lowest organ, else the lines
    joined), else the organ of its number in the place it was signed ("UBND" in "An Giang")."""
    candidates = [heading[-1], " ".join(heading[-2:]), " ".join(heading)] if heading else []
    if number and "/" in number and place:
        organ = number.rsplit("/", 1)[-1].split("-")[0]  # "UBND" of "1699/UBND-TH"
        candidates += [f"{organ} {level} {place}" for level in _LEVELS]
    context = [name_key(line) for line in heading] + ([name_key(place)] if place else [])
    for candidate in candidates:
        found = tree.named(candidate)
        if len(found) > 1:  # "Sở Tư pháp": the one of the province the heading or place names
            found = [u for u in found if any(
                p and re.search(rf"\b{p}\b", " ".join(context))
                for p in (place_of(a) for a in [u, *tree.ancestors(u)]))]
        if len(found) == 1:
            return found[0]
    return None


@dataclass(frozen=True)
class Recipients:
    """What a document's recipient lines reach: units, and the lines that reach none."""

    units: list[Unit]
    unmatched: list[str]


def match_recipients(tree: UnitTree, issuer: Unit, lines: Sequence[str]) -> Recipients:
    """The units ``lines`` name inside the issuer's province: named units, and the units of
    a group phrase's kinds below the issuer; the issuer itself and lines kept for the record
    ("Như trên", "Lưu: VT", "(báo cáo)") reach nobody and are not reported."""
    province = tree.province(issuer)
    inside = [province, *tree.below(province)]
    below_issuer = tree.below(issuer)
    own = _own_names(issuer)
    reached: dict[int, Unit] = {}
    unmatched: list[str] = []
    for line in lines:
        key = name_key(line)
        told = _FOR_INFORMATION.search(fold(line).replace("/", " "))
        if not key or told or _NOT_TARGETS.search(key):
            continue
        named = tree.named(line, inside)
        if named:
            reached.update((u.id, u) for u in named if u.id != issuer.id)
            continue
        kinds = group_kinds(key, issuer)
        if kinds is None:
            if not any(name in key for name in own):
                unmatched.append(line)
            continue
        # A group below the issuer ("UBND các xã" of a district), else in its province
        # (the schools a department writes to sit under the province, not under it).
        members = ([u for u in below_issuer if not kinds or u.kind in kinds]
                   or [u for u in inside if u.kind in kinds and u.id != issuer.id])
        reached.update((u.id, u) for u in members)
        if not members:
            unmatched.append(line)
    return Recipients(sorted(reached.values(), key=lambda u: u.code), unmatched)


def _own_names(issuer: Unit) -> set[str]:
    """How a document names its issuer's own people ("TT UBND tỉnh", "CT, PCT UBND huyện"):
    its name, and its name without its place ("ubnd tinh")."""
    key, place = name_key(issuer.name), place_of(issuer)
    return {key, key[: -len(place) - 1]} if place and key.endswith(" " + place) else {key}


def group_kinds(key: str, issuer: Unit) -> tuple[str, ...] | None:
    """The unit kinds a group phrase names ("cac so ban nganh tinh" → departments); () for
    every unit ("các cơ quan, đơn vị"); None when ``key`` is not a group phrase."""
    if not re.search(r"\bcac\b", key):
        return None
    key = _QUALIFIER.sub("", key.split("cac", 1)[1])
    if re.search(r"\bco quan (?:chuyen mon|hanh chinh)\b", key):
        above_offices = issuer.kind == UnitKind.PROVINCE
        key += " so" if above_offices else " phong"
    kinds: list[str] = []
    key = re.sub(r"\bthi xa\b", "huyen", key)
    for words, named in _GROUP_WORDS:
        if re.search(rf"\b(?:{words})\b", key):
            kinds.extend(k.value for k in named)
    if kinds:
        return tuple(dict.fromkeys(kinds))
    return () if re.search(r"\b(?:co quan|don vi)\b", key) else None
