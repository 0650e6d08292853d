"""Who may do what: the campaign's admins publish; a chat's settings are changed by anyone in their own private
chat and, in a group, only by the group's admins.

A group's language, subscriptions and quiet flag (and each forum topic's) belong to the group, so one member
must not be able to unsubscribe it, switch its language or make the bot forget it. Who runs the group is asked
of Telegram (`getChatMember`) and kept a short time (`bot/group_admins.py`); a member who may not is told so
once while that answer is kept (a pressed button is always answered, privately).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot import render
from bot.context import BotContext
from bot.handlers.replies import notify

RUNS_THE_GROUP = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
REFUSED = -1
"""What a refused admin handler returns: `ConversationHandler.END`, so a refused /push opens no draft."""

log = logging.getLogger(__name__)
T = TypeVar("T")
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, T]]


def is_admin(update: Update, context: BotContext) -> bool:
    """One of the campaign's admins (`BOT_ADMIN_IDS`)."""
    user = update.effective_user
    return user is not None and user.id in context.services.settings.admin_ids


async def refuse(update: Update, context: BotContext) -> int:
    """The polite no, for every admin command and button; logged without who it was."""
    log.info("refused an admin action to a non-admin")
    await notify(update, render.refusal(context.tr))
    return REFUSED


def admins_only(handler: Handler[T]) -> Handler[T | int]:
    """Run `handler` for the campaign's admins; everyone else gets `refuse`."""

    @functools.wraps(handler)
    async def checked(update: Update, context: BotContext) -> T | int:
        if not is_admin(update, context):
            return await refuse(update, context)
        return await handler(update, context)

    return checked


async def may_change_chat(update: Update, context: BotContext) -> bool:
    """True if the sender may change this chat's settings; otherwise tells them so (a member in a group once
    while Telegram's answer is kept) and returns False."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    admins = context.services.group_admins
    allowed = admins.is_admin(chat.id, user.id)
    if allowed is None:
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:  # not kept: asked again on the next try
            log.warning("could not ask Telegram who runs a group: %s", type(exc).__name__)
            await notify(update, render.group_admins_only(context.tr))
            return False
        allowed = member.status in RUNS_THE_GROUP
        admins.remember(chat.id, user.id, allowed)
    if allowed:
        return True
    if update.callback_query is not None or admins.first_refusal(chat.id, user.id):
        await notify(update, render.group_admins_only(context.tr))
    return False


async def member_changed(update: Update, context: BotContext) -> None:
    """A `chat_member` update: the member's standing in the group is known now, for the next few minutes."""
    change = update.chat_member
    if change is not None:
        context.services.group_admins.remember(change.chat.id, change.new_chat_member.user.id,
                                               change.new_chat_member.status in RUNS_THE_GROUP)
