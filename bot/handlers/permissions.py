"""Who may change a chat's settings: anyone in their own private chat; in a group, only its admins.

A group's language, subscriptions and quiet flag belong to the group, so one member must not be able to
unsubscribe it, switch its language or make the bot forget it.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot import render
from bot.context import BotContext
from bot.handlers.replies import notify

RUNS_THE_GROUP = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


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
