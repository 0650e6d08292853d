"""Sending a rendered screen: as new messages, or in place of the message whose button was pressed."""

from __future__ import annotations

from telegram import CallbackQuery, Message
from telegram.error import BadRequest

from bot.render import Screen

NOT_MODIFIED = "message is not modified"


async def send(message: Message, screen: Screen) -> None:
    """Reply to `message` with every part of `screen`."""
    for part in screen:
        await message.reply_html(part.text, reply_markup=part.keyboard, do_quote=False)


async def show(query: CallbackQuery, screen: Screen) -> None:
    """Show `screen` in place of the pressed message; a screen of several parts is sent anew."""
    message = query.message
    if not isinstance(message, Message):
        return  # the message is too old for Telegram to hand it back: nothing to edit or reply to
    if len(screen) > 1:
        await send(message, screen)
        return
    part = screen[0]
    try:
        await query.edit_message_text(part.text, reply_markup=part.keyboard)
    except BadRequest as exc:
        if NOT_MODIFIED not in exc.message.lower():
            raise
