"""Who may do what: the campaign's admins publish; a chat's settings are changed by anyone in their own private
chat and, in a group, only by the group's admins.

A group's language, subscriptions and quiet flag belong to the group, so one member must not be able to
unsubscribe it, switch its language or make the bot forget it.
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
    """True if the sender may change this chat's settings; otherwise tells them so and returns False."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
        allowed = member.status in RUNS_THE_GROUP
    except TelegramError:
        allowed = False
    if not allowed:
        await notify(update, render.group_admins_only(context.tr))
    return allowed
