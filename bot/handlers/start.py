"""/start: the greeting, the language picker on first contact, and deep links to a case."""

from __future__ import annotations

from telegram import Update

from bot import button_data, render
from bot.context import BotContext
from bot.handlers.cards import card
from bot.handlers.replies import send


async def start(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    tr, content = context.tr, context.content
    chat = update.effective_chat
    if chat is not None and context.chat_record is not None and not context.chat_record.active:
        await context.services.store.chats.set_active(chat.id, True)  # back again (in all of a group's topics)
        context.chat_record = await context.services.store.chats.get(chat.id, context.thread_id)
    if context.args:
        link = button_data.DEEP_LINK_CASE.match(context.args[0])
        case = content.case(link.group(1)) if link else None
        if case is not None:
            await send(message, await card(context, case))
            return
        await send(message, render.unknown_link(tr))
    await send(message, render.greeting(tr, content, first_contact=context.chat_record is None))
