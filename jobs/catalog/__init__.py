"""The duty catalog: which QMS duties exist, when each falls due and who is reminded.

The catalog is data (``jobs/duties.yaml``) so that a province can move a date without a release:
the deployment names a province file in ``ISOBOT_CATALOG`` and the caller passes it to
:func:`load_catalog` as ``override``. :mod:`jobs.catalog.schema` says what a duty is;
:mod:`jobs.catalog.loader` reads the files and words what is wrong with them.
"""

from jobs.catalog.loader import ENV_VAR, PACKAGED_CATALOG, load_catalog
from jobs.catalog.schema import (
    SCHEDULED_CADENCES,
    Cadence,
    Catalog,
    CatalogError,
    Defaults,
    DueRule,
    Duty,
    EscalationStep,
    EventDue,
    Evidence,
    LocalizedList,
    LocalizedText,
    MonthlyDue,
    OverduePolicy,
    QuarterlyDue,
    UnknownDutyError,
    YearlyDue,
)

__all__ = [
    "ENV_VAR",
    "PACKAGED_CATALOG",
    "SCHEDULED_CADENCES",
    "Cadence",
    "Catalog",
    "CatalogError",
    "Defaults",
    "DueRule",
    "Duty",
    "EscalationStep",
    "EventDue",
    "Evidence",
    "LocalizedList",
    "LocalizedText",
    "MonthlyDue",
    "OverduePolicy",
    "QuarterlyDue",
    "UnknownDutyError",
    "YearlyDue",
    "load_catalog",
]
