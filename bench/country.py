"""A synthetic country for the benchmarks: 34 provinces, each with departments, communes and the
communes' schools, one ISO officer per unit and a standing office (supervisor) per province.

The shape follows the 2025 reform (province → commune), with about 20 departments per province
and the rest communes with a dozen or so schools each, cut to the number of units asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from storage.db import make_engine
from storage.models import Member, Role, Unit

PROVINCES = 34
DEPARTMENTS = 20
UNITS_PER_COMMUNE = 15  # the commune and its schools


def country_rows(total: int) -> list[tuple[str, str, str, str]]:
    """``total`` units as (code, name, kind, parent code), parents first."""
    rows: list[tuple[str, str, str, str]] = []
    for p in range(PROVINCES):
        budget = total // PROVINCES + (1 if p < total % PROVINCES else 0)
        province = f"P{p:02d}"
        rows.append((province, f"UBND tỉnh {p:02d}", "province", ""))
        departments = min(DEPARTMENTS, budget - 1)
        rows += [(f"{province}-S{d:02d}", f"Sở {d:02d} tỉnh {p:02d}", "department", province)
                 for d in range(departments)]
        left = budget - 1 - departments
        communes = max(1, left // UNITS_PER_COMMUNE) if left else 0
        schools = left - communes
        for c in range(communes):
            commune = f"{province}-X{c:03d}"
            rows.append((commune, f"UBND xã {c:03d} tỉnh {p:02d}", "commune", province))
            mine = schools // communes + (1 if c < schools % communes else 0)
            rows += [(f"{commune}-T{s:02d}", f"Trường {s:02d} xã {c:03d}", "school", commune)
                     for s in range(mine)]
    return rows


def write_units_file(path: Path, total: int) -> Path:
    """The units file ``isobot units import`` reads."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "kind", "parent"])
        writer.writerows(country_rows(total))
    return path


def register_people(url: str, now: dt.datetime) -> int:
    """An officer for every unit and a supervisor for every province, in bulk."""
    engine = make_engine(url)
    with Session(engine) as session:
        units = session.execute(select(Unit.id, Unit.kind)).all()
        people = [{"unit_id": uid, "role": Role.OFFICER.value, "platform": "telegram",
                   "platform_user_id": str(uid), "chat_id": str(uid), "joined_at": now}
                  for uid, _ in units]
        people += [{"unit_id": uid, "role": Role.SUPERVISOR.value, "platform": "telegram",
                    "platform_user_id": f"s{uid}", "chat_id": f"s{uid}", "joined_at": now}
                   for uid, kind in units if kind == "province"]
        session.execute(Member.__table__.insert(), people)
        session.commit()
    engine.dispose()
    return len(people)
