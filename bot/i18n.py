"""Interface strings, plurals and dates in the member's language, from gettext catalogs via Babel.

The `.po` catalogs under `locales/` are read at start-up and compiled in memory (fuzzy entries are left
out, as `msgfmt` would), so a fresh install needs no build step for its translations. Code that runs
outside an update (start-up, later broadcasts) asks `Catalogs.get(lang)` for an explicit language.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import LANGUAGES
from bot.content import PartialDate, Text

DOMAIN = "bot"
DATE_LOCALES = {"en": "en_GB", "az": "az", "ru": "ru"}
"""English dates as the content writes them, "11 October 2004", not the US "October 11, 2004"."""


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (it is translated where it is shown)."""
    return message


def resolve_language(language_code: str | None, default: str = "en") -> str:
    """Telegram's `language_code` ("az", "az-AZ", "ru-RU", None…) → one of the bot's languages."""
    if language_code:
        base = language_code.replace("_", "-").split("-", 1)[0].strip().lower()
        if base in LANGUAGES:
            return base
    return default


@dataclass(frozen=True)
class Translator:
    """Everything that depends on one language: messages, plurals, dates and content texts."""

    lang: str
    translations: gettext.NullTranslations
    locale: Locale

    def _(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def month(self, value: PartialDate) -> str:
        """A date as precise as it is known: "August 2020" or "18 July 2020", in this language."""
        if value.day is None:
            return format_skeleton("yMMMM", value.as_date(), locale=self.locale)
        return format_date(value.as_date(), "long", locale=self.locale)

    def day(self, iso_date: str) -> str:
        """A stored day ("2026-11-22") in this language: "22 November 2026"."""
        return format_date(date.fromisoformat(iso_date), "long", locale=self.locale)

    def moment(self, value: datetime, zone: ZoneInfo) -> str:
        """A moment in `zone`, to the minute, with the zone's name: "10 December 2026, 18:30 (Asia/Baku)"."""
        day = format_date(value.astimezone(zone), "long", locale=self.locale)
        return f"{day}, {format_datetime(value, 'HH:mm', tzinfo=zone, locale=self.locale)} ({zone.key})"

    def text(self, text: Text) -> tuple[str, bool]:
        """A text in this language, or the English one (else any) and True when the translation is missing."""
        if self.lang in text:
            return text[self.lang], False
        if "en" in text:
            return text["en"], True
        return next(iter(text.values())), True  # an admin's update may lack English too


class Catalogs:
    """The compiled catalogs of every language, loaded once from `<locales>/<lang>/LC_MESSAGES/bot.po`."""

    def __init__(self, locales_dir: Path) -> None:
        self._translators: dict[str, Translator] = {}
        for lang in LANGUAGES:
            self._translators[lang] = Translator(lang, _load(locales_dir, lang), Locale.parse(DATE_LOCALES[lang]))

    def get(self, lang: str) -> Translator:
        return self._translators.get(lang) or self._translators["en"]


def _load(locales_dir: Path, lang: str) -> gettext.NullTranslations:
    po_path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        if lang == "en":
            return gettext.NullTranslations()  # English is the source language: the msgids themselves
        raise FileNotFoundError(f"missing catalog {po_path}")
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
