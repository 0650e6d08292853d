"""The language picker and its answer (handlers/language.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import LANGUAGES, button_data
from bot.i18n import Translator
from bot.render.base import LANGUAGE_NAMES, Screen, buttons, esc, main_menu, make_screen


def language_keyboard(current: str | None = None) -> InlineKeyboardMarkup:
    return buttons(
        [[InlineKeyboardButton(("✓ " if code == current else "") + LANGUAGE_NAMES[code],
                               callback_data=button_data.language(code))] for code in LANGUAGES]
    )


def language_picker(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Choose your language:")), language_keyboard(tr.lang))


def language_chosen(tr: Translator) -> Screen:
    text = esc(tr._("Language set: {language}. Send /help to see what I can do.").format(
        language=LANGUAGE_NAMES[tr.lang]))
    return make_screen(text, main_menu(tr))
