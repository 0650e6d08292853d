"""Following cases: /subscribe, /unsubscribe, /subscriptions, /quiet; and /mydata, /forget, blocking.

In a forum, each topic follows cases of its own (`context.thread_id`); /subscriptions and /mydata in a group
also show what its other topics hold, and /forget forgets the whole group.
"""

from __future__ import annotations

import logging
import time

from telegram import ChatMember, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot import button_data, render
from bot.context import BotContext
from bot.handlers.cards import card
from bot.handlers.permissions import may_change_chat
from bot.handlers.replies import acknowledge, send, show
from bot.model import ALL, DELETE_BATCH, RECALL_DELETE_HOURS, ChatRecord

ALL_WORDS = frozenset({"all", "hamısı", "hamisi", "все", "всё"})
"""What members type for "everything", in the three languages."""

log = logging.getLogger(__name__)


def _topic_from_words(context: BotContext, query: str) -> tuple[str | None, list[str]]:
    """The topic a member named ("all" or one sure match), or the ids of several (or guessed) cases."""
    if query.strip().casefold() in ALL_WORDS:
        return ALL, []
    found = context.services.case_index.lookup(query)
    if len(found.cases) == 1 and found.sure:
        return found.cases[0].id, []
    return None, [case.id for case in found.cases]


async def subscribe_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    query = " ".join(context.args or [])
    current = context.chat_record.subscriptions if context.chat_record else ()
    group = chat.type != ChatType.PRIVATE
    if not query.strip():
        await send(message, render.subscribe_menu(context.tr, context.content.cases, current, group=group))
        return
    topic, several = _topic_from_words(context, query)
    if topic is not None:
        if await may_change_chat(update, context):
            await _subscribe(message, context, chat.id, topic)
    elif several:
        cases = [case for case in context.content.cases if case.id in several]
        await send(message, render.subscribe_menu(context.tr, cases, current, offer_all=False, group=group))
    else:
        await send(message, render.subscribe_no_match(context.tr, render.shorten(query)))


async def _subscribe(message: Message, context: BotContext, chat_id: int, topic: str) -> None:
    context.chat_record = await context.services.store.chats.subscribe(chat_id, topic, context.lang,
                                                                       context.thread_id)
    await send(message, render.subscribed(context.tr, context.content, topic))


async def unsubscribe_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    query = " ".join(context.args or [])
    if not query.strip():
        await send(message, render.subscriptions(context.tr, context.content, context.chat_record))
        return
    topic, several = _topic_from_words(context, query)
    if topic is None and several:  # a guess, or several cases: the list of what is followed, to drop from
        await send(message, render.subscriptions(context.tr, context.content, context.chat_record))
        return
    if topic is None:
        await send(message, render.unsubscribe_usage(context.tr, render.shorten(query)))
        return
    if not await may_change_chat(update, context):
        return
    was_following = context.chat_record is not None and topic in context.chat_record.subscriptions
    # "all" drops the "All updates" subscription, as /subscribe all adds it; the cases followed one by one stay.
    context.chat_record = await context.services.store.chats.unsubscribe(chat.id, topic, context.thread_id)
    await send(message, render.unsubscribed(context.tr, context.content, topic, was_following=was_following,
                                            remaining=_following(context)))


def _following(context: BotContext) -> tuple[str, ...]:
    return context.chat_record.subscriptions if context.chat_record is not None else ()


async def _elsewhere(update: Update, context: BotContext) -> list[ChatRecord]:
    """In a group: the records of its other forum topics (and of its General topic, seen from a topic)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return []
    records = await context.services.store.chats.records_of(chat.id)
    return [record for record in records if record.thread_id != context.thread_id]


async def _listing(update: Update, context: BotContext) -> render.Screen:
    return render.subscriptions(context.tr, context.content, context.chat_record, await _elsewhere(update, context))


async def subscriptions_command(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, await _listing(update, context))


async def subscription_button(update: Update, context: BotContext) -> None:
    """🔔 / 🔕 on a card, in the subscribe menu or in the list of subscriptions."""
    query, chat = update.callback_query, update.effective_chat
    parsed = button_data.parse(query.data if query else None)
    if query is None or chat is None or parsed is None:
        return
    topic = parsed.arg
    if topic != ALL and context.content.case(topic) is None:
        await query.answer(render.stale_button(context.tr))
        return
    if not await may_change_chat(update, context):
        return
    chats = context.services.store.chats
    if parsed.kind == button_data.SUBSCRIBE:
        context.chat_record = await chats.subscribe(chat.id, topic, context.lang, context.thread_id)
        await query.answer(render.topic_name(context.tr, context.content, topic) + " ✓")
    else:
        context.chat_record = await chats.unsubscribe(chat.id, topic, context.thread_id)
        await query.answer("🔕 " + render.topic_name(context.tr, context.content, topic))
    # The pressed screen shows the new state: a card its toggle, the menu its ticks, a list what is left.
    case = context.content.case(topic)
    current = context.chat_record.subscriptions if context.chat_record else ()
    if parsed.qualifier == button_data.CARD and case is not None:
        await show(query, await card(context, case))
    elif parsed.qualifier == button_data.MENU:
        await show(query, render.subscribe_menu(context.tr, context.content.cases, current,
                                                group=chat.type != ChatType.PRIVATE))
    elif parsed.qualifier == button_data.SINGLE:  # the confirmation flips, so a second tap undoes the first
        if parsed.kind == button_data.SUBSCRIBE:
            await show(query, render.subscribed(context.tr, context.content, topic))
        else:
            await show(query, render.unsubscribed(context.tr, context.content, topic, remaining=_following(context)))
    else:
        await show(query, await _listing(update, context))


async def subscriptions_button(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
        await show(update.callback_query, await _listing(update, context))


async def quiet_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await may_change_chat(update, context):
        return
    on = not (context.chat_record.quiet if context.chat_record else False)
    context.chat_record = await context.services.store.chats.set_quiet(chat.id, on, context.lang, context.thread_id)
    await send(message, render.quiet(context.tr, on))


async def mydata_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is not None and chat is not None:
        await send(message, render.my_data(context.tr, context.content, context.chat_record,
                                           await _elsewhere(update, context), group=chat.type != ChatType.PRIVATE))


async def forget_command(update: Update, context: BotContext) -> None:
    if update.effective_message is None:
        return
    if context.chat_record is None and not await _elsewhere(update, context):
        await send(update.effective_message, render.forgotten(context.tr, False))
        return
    if await may_change_chat(update, context):
        await send(update.effective_message, render.forget_confirm(context.tr))


async def forget_button(update: Update, context: BotContext) -> None:
    query, chat = update.callback_query, update.effective_chat
    parsed = button_data.parse(query.data if query else None)
    if query is None or chat is None or parsed is None or not await may_change_chat(update, context):
        return
    await acknowledge(query)
    if parsed.arg != "yes":
        await show(query, render.kept(context.tr))
        return
    # The record, who got what of past broadcasts, and the updates it got in the window Telegram lets a bot delete.
    since = int(time.time()) - RECALL_DELETE_HOURS * 3600
    deleted, recent = await context.services.store.forget_chat_and_recent(chat.id, since)
    context.chat_record = None
    removed = await _delete_messages(context, chat.id, recent)
    await show(query, render.forgotten(context.tr, deleted, removed, private=chat.type == ChatType.PRIVATE))


async def _delete_messages(context: BotContext, chat_id: int, message_ids: list[int]) -> int:
    """Delete the bot's messages (Telegram takes up to 100 a call); returns how many calls' worth went."""
    removed = 0
    for start in range(0, len(message_ids), DELETE_BATCH):
        batch = message_ids[start:start + DELETE_BATCH]
        try:
            await context.bot.delete_messages(chat_id, batch)
            removed += len(batch)
        except TelegramError as exc:
            log.warning("/forget: %d messages could not be deleted (%s)", len(batch), type(exc).__name__)
    return removed


async def membership_changed(update: Update, context: BotContext) -> None:
    """The bot was blocked, kicked or left, or removed from a group (stop sending there, in any of its topics),
    or unblocked or added back (send again)."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    active = status not in (ChatMember.BANNED, ChatMember.LEFT)
    context.services.group_admins.forget_group(change.chat.id)  # its admins are asked again
    await context.services.store.chats.set_active(change.chat.id, active)


async def group_migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup (Telegram's service message, in the old group and in the new one): what it
    follows moves to the new id. Whichever message comes first moves it; the other finds nothing left to move."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        await context.services.store.chats.migrate(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id is not None:
        await context.services.store.chats.migrate(message.migrate_from_chat_id, message.chat.id)
