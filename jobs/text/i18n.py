"""Translations: gettext catalogs in ``locales/<lang>/LC_MESSAGES`` and Babel for dates.

A :class:`Translator` is resolved once per update (or per recipient) and passed down, so no
function below the adapters guesses the language. Message ids are English; Vietnamese is the
default language.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

import locales

LOCALES_DIR = Path(locales.__file__).parent
DOMAIN = "messages"
DEFAULT_LANG = "vi"
LANGUAGES = ("vi", "en")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


class Translator:
    """Everything that turns a message id, a date or a number into text for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANG
        self._catalog = _load(self.lang)

    def _(self, message: str) -> str:
        """Translate ``message``."""
        return self._catalog.gettext(message)

    gettext = _

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the plural form for ``n``."""
        return self._catalog.ngettext(singular, plural, n)

    def date(self, day: dt.date) -> str:
        """Write a date the local way: ``Thứ Hai, 23/11/2026``."""
        return format_date(day, "EEEE, dd/MM/yyyy", locale=self.lang)

    def short_date(self, day: dt.date) -> str:
        """Write a date without its weekday: ``23/11/2026``."""
        return format_date(day, "dd/MM/yyyy", locale=self.lang)

    def datetime(self, moment: dt.datetime) -> str:
        """Write a moment as ``08:00 Thứ Hai, 23/11/2026`` in the moment's own time zone."""
        return format_datetime(moment, "HH:mm EEEE, dd/MM/yyyy", tzinfo=moment.tzinfo,
                               locale=self.lang)

    def number(self, value: float | int) -> str:
        """Write a number with the language's separators."""
        return format_decimal(value, locale=self.lang)


@cache
def _load(lang: str) -> _gettext.NullTranslations:
    # fallback=True keeps the bot speaking (in message ids) if a catalog was not compiled.
    return _gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[lang], fallback=True)


_deployment_language = [DEFAULT_LANG]


def set_default_language(lang: str) -> None:
    """Set the deployment's language (``ISOBOT_LANG``), used where no person's language applies."""
    _deployment_language[0] = lang if lang in LANGUAGES else DEFAULT_LANG


def translator(lang: str | None = None) -> Translator:
    """The translator for ``lang`` (the deployment's language when ``None`` or unknown)."""
    return _translator(lang if lang in LANGUAGES else _deployment_language[0])


@cache
def _translator(lang: str) -> Translator:
    return Translator(lang)
