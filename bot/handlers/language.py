"""The member's language: resolved for every update, and chosen with /language."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType

from bot import LANGUAGES, button_data, render
from bot.context import BotContext
from bot.handlers.permissions import may_change_chat
from bot.handlers.replies import acknowledge, send, show
from bot.i18n import resolve_language


async def resolve(update: Update, context: BotContext) -> None:
    """First handler group: the language the chat chose, else the sender's Telegram language.

    A private chat that never chose one follows its app: when the app's language changes, so does the one
    its updates are sent in. A group's stored language stays (its members' apps may differ). In a forum, the
    record is the topic's (`context.thread_id`); a topic that has none speaks its group's language. An inline
    query is answered in the language of the sharer's own chat with the bot."""
    services = context.services
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        chat_id, private = chat.id, chat.type == ChatType.PRIVATE
    elif update.inline_query is not None and user is not None:
        # An inline query comes from no chat: the sharer's own chat with the bot (its id is theirs) has their choice.
        chat_id, private = user.id, True
    else:
        chat_id, private = None, False
    thread = context.thread_id = None if private else forum_topic(update.effective_message)
    chats = services.store.chats
    record = context.chat_record = await chats.get(chat_id, thread) if chat_id is not None else None
    app_language = resolve_language(user.language_code if user is not None else None,
                                    services.settings.default_language)
    if record is None:
        group = await chats.get(chat_id) if chat_id is not None and thread is not None else None
        context.lang = group.language if group is not None else app_language
    elif record.chose_language or not private or user is None or user.language_code is None:
        context.lang = record.language
    else:
        if record.language != app_language:
            context.chat_record = await services.store.chats.follow_app_language(record.chat_id, app_language)
        context.lang = app_language


def forum_topic(message: Message | None) -> int | None:
    """The forum topic a message is in (its `message_thread_id`); None in the General topic and outside forums,
    where a thread id only names a chain of replies."""
    return message.message_thread_id if message is not None and message.is_topic_message else None


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
    context.chat_record = await context.services.store.chats.set_language(chat.id, parsed.arg, context.thread_id)
    context.lang = parsed.arg
    await acknowledge(query)
    await show(query, render.language_chosen(context.tr))
