"""The duty catalog: which QMS duties exist, when each falls due and who is reminded.

The catalog is data (``jobs/catalog/duties.yaml``) so that a deployment can move a date without a
release: it names its own file in ``ISOBOT_CATALOG`` and the caller passes it to
:func:`load_catalog` as ``override``. The national catalog cites national documents only; each
province's documents are in its own file, and ``ISOBOT_PROVINCE_CATALOGS`` says which units read
which (:func:`load_catalogs`, :meth:`Catalog.for_unit`). :mod:`jobs.catalog.schema` says what a
duty is; :mod:`jobs.catalog.loader` and :mod:`jobs.catalog.provinces` read the files and word
what is wrong with them.
"""

from jobs.catalog.catalog import Catalog, duty_title
from jobs.catalog.loader import ENV_VAR, PACKAGED_CATALOG, PROVINCE_FIELDS, load_catalog
from jobs.catalog.provinces import by_catalog, load_catalogs
from jobs.catalog.schema import (
    SCHEDULED_CADENCES,
    Cadence,
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
    "PROVINCE_FIELDS",
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
    "by_catalog",
    "duty_title",
    "load_catalog",
    "load_catalogs",
]
