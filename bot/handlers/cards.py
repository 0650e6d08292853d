"""A case card with what only the store knows: the latest update, its history, the chat's subscription, how many
members acted on it; and the link that opens a case in the bot."""

from __future__ import annotations

from telegram.helpers import create_deep_linked_url

from bot import button_data, render
from bot.content import Case
from bot.context import BotContext
from bot.model import ALL


async def card(context: BotContext, case: Case) -> render.Screen:
    updates = await context.services.store.updates.history(case.id)
    following = context.chat_record.subscriptions if context.chat_record is not None else ()
    acted = await context.services.store.actions.count(case.id) if case.actions is not None else 0
    return render.case_card(context.tr, context.content, case, latest=updates[0] if updates else None,
                            updates=len(updates), subscribed=case.id in following, follows_all=ALL in following,
                            acted=acted)


def case_link(context: BotContext, case: Case) -> str:
    """`https://t.me/<bot>?start=case_<id>`: Telegram opens the bot, and Start sends `/start case_<id>`
    (handlers/start.py opens the card)."""
    return create_deep_linked_url(context.bot.username, button_data.deep_link_case(case.id))
