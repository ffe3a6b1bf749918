"""The chat's features, one module (or package) each, found by walking this package.

A feature registers itself with :func:`bot.chat.feature.feature`; adding one is adding a
module here, and the conversation needs no change.
"""

from __future__ import annotations

import importlib
import pkgutil

from bot.chat.feature import REGISTERED, Feature
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog


def all_features(catalog: Catalog, calendar: WorkCalendar) -> list[Feature]:
    """One instance of every feature, in the order /help lists them."""
    for module in pkgutil.walk_packages(__path__, f"{__name__}."):
        importlib.import_module(module.name)
    return [cls(catalog, calendar) for _, cls in sorted(REGISTERED, key=lambda pair: pair[0])]
