"""Answers to odd input: stale buttons, unknown links and commands, non-text messages, failures."""

from __future__ import annotations

from bot.i18n import Translator
from bot.render.base import Screen, esc, main_menu, make_screen


def stale_button(tr: Translator) -> str:
    """The short notice (a callback answer, not HTML) for a button that no longer leads anywhere."""
    return tr._("This button is out of date. Here is the current list.")


def unknown_link(tr: Translator) -> Screen:
    return make_screen(esc(tr._("That link points to a case I don't have. Here is what I can show you.")))


def failure(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Sorry, something went wrong. Please try again.")))


def unknown_command(tr: Translator) -> Screen:
    return make_screen(esc(tr._("I don't know that command. Send /help to see what I can do.")), main_menu(tr))


def text_only(tr: Translator) -> Screen:
    return make_screen(esc(tr._("I can only read text messages. Send /help to see what I can do.")), main_menu(tr))
