"""The member's language: resolved for every update, and chosen with /language."""

from __future__ import annotations

from telegram import Update

from bot import LANGUAGES, callbacks, render
from bot.context import BotContext
from bot.handlers.permissions import may_change_chat
from bot.handlers.replies import send, show
from bot.i18n import resolve_language


async def resolve(update: Update, context: BotContext) -> None:
    """First handler group: the chat's stored language, else the sender's Telegram language."""
    services = context.services
    chat = update.effective_chat
    if chat is not None:
        context.chat_record = await services.store.chats.get(chat.id)
    if context.chat_record is not None:
        context.lang = context.chat_record.language
    else:
        user = update.effective_user
        code = user.language_code if user is not None else None
        context.lang = resolve_language(code, services.settings.default_language)


async def command(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.language_picker(context.tr))


async def chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    parsed = callbacks.parse(query.data)
    if parsed is None or parsed.arg not in LANGUAGES:
        await query.answer(render.stale_button(context.tr))
        return
    if not await may_change_chat(update, context):
        return
    context.chat_record = await context.services.store.chats.set_language(chat.id, parsed.arg)
    context.lang = parsed.arg
    await query.answer()
    await show(query, render.language_chosen(context.tr))
