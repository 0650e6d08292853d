"""The Share button under a case card: a text to forward with the case's link, and a QR code for posters and
leaflets (a photo, uploaded), both in the member's language and in the chat the card is in. In a group, a card's
Share posts once a minute in each chat or topic (`bot/recent_shares.py`)."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType

from bot import qr, render
from bot.context import BotContext
from bot.handlers.cards import case_link
from bot.handlers.replies import acknowledge, pressed, send


async def share(update: Update, context: BotContext) -> None:
    query, case = pressed(update, context.content.case)
    if query is None:
        return
    if case is None:
        await query.answer(render.stale_button(context.tr))
        return
    message = query.message
    if (isinstance(message, Message) and message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
            and not context.services.recent_shares.claim(message.chat_id, context.thread_id, case.id)):
        await query.answer(render.shared_just_above(context.tr))
        return
    await acknowledge(query)
    if not isinstance(message, Message):
        return  # the card is too old for Telegram to hand it back: there is nothing to answer under
    link = case_link(context, case)
    await send(message, render.share_message(context.tr, case, link))
    await message.reply_photo(qr.png(link), caption=render.qr_caption(context.tr, case), filename=f"{case.id}.png",
                              do_quote=False)
