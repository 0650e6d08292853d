"""The member's language: resolved for every update, and chosen with /language."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot import LANGUAGES, button_data, render
from bot.context import BotContext
from bot.handlers.permissions import may_change_chat
from bot.handlers.replies import send, show
from bot.i18n import resolve_language


async def resolve(update: Update, context: BotContext) -> None:
    """First handler group: the language the chat chose, else the sender's Telegram language.

    A private chat that never chose one follows its app: when the app's language changes, so does the one
    its updates are sent in. A group's stored language stays (its members' apps may differ)."""
    services = context.services
    chat, user = update.effective_chat, update.effective_user
    record = context.chat_record = await services.store.chats.get(chat.id) if chat is not None else None
    app_language = resolve_language(user.language_code if user is not None else None,
                                    services.settings.default_language)
    if record is None:
        context.lang = app_language
    elif record.chose_language or chat is None or chat.type != ChatType.PRIVATE or user is None or \
            user.language_code is None:
        context.lang = record.language
    else:
        if record.language != app_language:
            context.chat_record = await services.store.chats.follow_app_language(record.chat_id, app_language)
        context.lang = app_language


async def command(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.language_picker(context.tr))


async def chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    parsed = button_data.parse(query.data)
    if parsed is None or parsed.arg not in LANGUAGES:
        await query.answer(render.stale_button(context.tr))
        return
    if not await may_change_chat(update, context):
        return
    context.chat_record = await context.services.store.chats.set_language(chat.id, parsed.arg)
    context.lang = parsed.arg
    await query.answer()
    await show(query, render.language_chosen(context.tr))
