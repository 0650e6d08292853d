"""A case card with what only the store knows: the latest update, its history, the chat's subscription."""

from __future__ import annotations

from bot import render
from bot.content import Case
from bot.context import BotContext


async def card(context: BotContext, case: Case) -> render.Screen:
    updates = await context.services.store.updates.history(case.id)
    record = context.chat_record
    subscribed = record is not None and case.id in record.subscriptions
    return render.case_card(context.tr, context.content, case, latest=updates[0] if updates else None,
                            earlier=max(0, len(updates) - 1), subscribed=subscribed)
