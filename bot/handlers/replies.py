"""Sending a rendered screen: as new messages, or in place of the message whose button was pressed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, TelegramError

from bot import button_data
from bot.render import Screen

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"

T = TypeVar("T")


async def send(message: Message, screen: Screen) -> None:
    """Reply to `message` with every part of `screen`."""
    for part in screen:
        await message.reply_html(part.text, reply_markup=part.keyboard, do_quote=False)


async def show(query: CallbackQuery, screen: Screen) -> None:
    """Show `screen` in place of the pressed message; a screen of several parts, the answer to a button that
    must leave its message as it is (`button_data.FRESH`, under a delivered update), or one pressed under a
    message without text (a photo: forged data, as no photo of the bot's has buttons) is sent anew."""
    message = query.message
    if not isinstance(message, Message):
        return  # the message is too old for Telegram to hand it back: nothing to edit or reply to
    parsed = button_data.parse(query.data)
    if len(screen) > 1 or (parsed is not None and parsed.fresh) or message.text is None:
        await send(message, screen)
        return
    part = screen[0]
    try:
        await query.edit_message_text(part.text, reply_markup=part.keyboard)
    except BadRequest as exc:
        if NOT_MODIFIED not in exc.message.lower():
            raise


async def acknowledge(query: CallbackQuery) -> None:
    """Tell Telegram the press was received (the button stops spinning). It changes nothing for the member, so a
    failure of it must not stop what the press asked for (a Confirm that sends, a Subscribe that subscribes)."""
    try:
        await query.answer()
    except TelegramError as exc:
        log.warning("a button press could not be acknowledged (%s); handling it anyway", type(exc).__name__)


async def notify(update: Update, text: str) -> None:
    """A short notice (plain text): an alert on a pressed button, else a reply to the message."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def pressed(update: Update, find: Callable[[str], T | None]) -> tuple[CallbackQuery | None, T | None]:
    """The pressed button and what its callback data names (None when forged or no longer there)."""
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    return query, (find(parsed.arg) if parsed is not None else None)
