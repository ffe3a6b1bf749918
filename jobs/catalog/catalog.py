"""The catalog as a whole: every duty in order, looked up by key, and the province catalog
that binds a unit (:meth:`Catalog.for_unit`). What a single duty is lives in
:mod:`jobs.catalog.schema`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import PrivateAttr, ValidationError, field_validator, model_validator

from jobs.catalog.schema import INHERITED, CatalogModel, Defaults, Duty, UnknownDutyError
from jobs.text.i18n import translator


class Catalog(CatalogModel):
    """Every duty, in catalog order, plus the defaults they were resolved against.

    The deployment's catalog also knows the provinces' catalogs (``ISOBOT_PROVINCE_CATALOGS``):
    :meth:`for_unit` gives the one that binds a unit. Whatever shows a unit a duty's legal basis
    or checklist asks it; a province's catalog has the same duties, titles and dates, each duty
    with its own legal basis and checklist (:mod:`jobs.catalog.provinces`).
    """

    version: Literal[1]
    defaults: Defaults
    duties: tuple[Duty, ...]
    # (unit-code prefix, that province's catalog), longest prefix first. Set by
    # :meth:`with_provinces`, never read from a YAML file.
    _provincial: tuple[tuple[str, Catalog], ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _inherit_defaults(cls, data: Any) -> Any:
        """Copy the defaults into each duty that does not set its own values."""
        if not isinstance(data, Mapping) or not isinstance(data.get("duties"), list):
            return data
        defaults = data.get("defaults")
        if isinstance(defaults, Defaults):
            inherited = defaults.model_dump()
        else:
            try:
                inherited = Defaults.model_validate(defaults).model_dump()
            except ValidationError:
                # Reported on `defaults` itself; the duties' missing values are its echo.
                return data
        duties = []
        for entry in data["duties"]:
            if isinstance(entry, Mapping):
                entry = dict(entry)
                for name in INHERITED:
                    own = entry.get(name)
                    if name not in entry:
                        entry[name] = inherited[name]
                    elif name == "overdue" and isinstance(own, Mapping):
                        # A duty may change one number of the overdue policy and keep the other.
                        entry[name] = {**inherited[name], **own}
            duties.append(entry)
        return {**data, "duties": duties}

    @field_validator("duties")
    @classmethod
    def _unique_keys(cls, duties: tuple[Duty, ...]) -> tuple[Duty, ...]:
        t = translator()
        if not duties:
            raise ValueError(t._("the catalog needs at least one duty"))
        keys = [d.key for d in duties]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(t._("duty key {keys} is used more than once").format(
                keys=", ".join(repeated)))
        owners: dict[str, str] = {}
        for duty in duties:
            for alias in duty.aliases:
                owner = owners.setdefault(alias.casefold(), duty.key)
                if owner != duty.key:
                    # Two duties answering to one word: the bot could only guess which was meant.
                    raise ValueError(t._("the alias '{alias}' names both '{first}' and "
                                         "'{second}'").format(alias=alias, first=owner,
                                                              second=duty.key))
        return duties

    def duty(self, key: str) -> Duty:
        """The duty called ``key``; ``UnknownDutyError`` (a ``KeyError``) when there is none."""
        for duty in self.duties:
            if duty.key == key:
                return duty
        t = translator()
        raise UnknownDutyError(t._("unknown duty '{key}'; the catalog has: {keys}").format(
            key=key, keys=", ".join(self.keys())))

    def get(self, key: str) -> Duty | None:
        """The duty called ``key``, or None (e.g. a duty a province file once had)."""
        return next((duty for duty in self.duties if duty.key == key), None)

    def keys(self) -> tuple[str, ...]:
        """Every duty key, in catalog order."""
        return tuple(d.key for d in self.duties)

    def for_unit(self, unit_code: str) -> Catalog:
        """The catalog that binds the unit ``unit_code``: the province catalog whose prefix is
        the longest one the code starts with (``QNG`` for ``QNG-MD-DTAN``, as a whole part of
        the code, in any letter case), else this one."""
        code = unit_code.upper()
        for prefix, catalog in self._provincial:
            if code.startswith(prefix) and not code[len(prefix):len(prefix) + 1].isalnum():
                return catalog
        return self

    def with_provinces(self, provincial: Mapping[str, Catalog]) -> Catalog:
        """This catalog, knowing each province's catalog by its unit-code prefix."""
        copy = self.model_copy()
        copy._provincial = tuple(sorted(((prefix.upper(), catalog)
                                         for prefix, catalog in provincial.items()),
                                        key=lambda item: (-len(item[0]), item[0])))
        return copy

    def provinces(self) -> tuple[tuple[str, Catalog], ...]:
        """Each unit-code prefix with its province's catalog, longest prefix first."""
        return self._provincial


def duty_title(catalog: Catalog, key: str, lang: str) -> str:
    """The duty's title in ``lang``; a duty the catalog no longer has (a province file once had
    it, or an event created it) is named by its key, which still says what it is."""
    duty = catalog.get(key)
    return duty.title.get(lang) if duty else key
