"""A case card with what only the store knows: the latest update, its history, the chat's subscription."""

from __future__ import annotations

from bot import render
from bot.content import Case
from bot.context import BotContext
from bot.model import ALL


async def card(context: BotContext, case: Case) -> render.Screen:
    updates = await context.services.store.updates.history(case.id)
    following = context.chat_record.subscriptions if context.chat_record is not None else ()
    return render.case_card(context.tr, context.content, case, latest=updates[0] if updates else None,
                            updates=len(updates), subscribed=case.id in following, follows_all=ALL in following)
