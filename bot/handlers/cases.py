"""Browsing and finding cases: /cases, /case <name>, a name sent as a message, and the case buttons."""

from __future__ import annotations

import re

from telegram import Message, Update

from bot import button_data, render
from bot.context import BotContext
from bot.handlers.cards import card
from bot.handlers.replies import acknowledge, pressed, send, show

MAX_RESULTS = 10


async def list_cases(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.case_list(context.tr, context.content))


async def find_case(update: Update, context: BotContext) -> None:
    """/case <name>: one sure match opens its card; several, or a guess, are offered as buttons; none explains
    how to browse."""
    message = update.effective_message
    if message is None:
        return
    await _search(message, context, " ".join(context.args or []))


async def find_case_by_text(update: Update, context: BotContext) -> None:
    """A plain message in a private chat is taken as a name to look up."""
    message = update.effective_message
    if message is not None and message.text:
        await _search(message, context, message.text)


def _without_mention(context: BotContext, query: str) -> str:
    """`@<this bot> asif` → `asif`: /help's hint for sharing (type `@<bot>` and a name in any chat), sent as a
    message in the chat with the bot, or after /case."""
    mention = re.match(rf"\s*@{re.escape(context.bot.username)}(?!\w)", query, re.IGNORECASE)
    return query[mention.end():].lstrip() if mention else query


async def _search(message: Message, context: BotContext, query: str) -> None:
    tr = context.tr
    query = _without_mention(context, query)
    if not query.strip():
        await send(message, render.case_usage(tr))
        return
    found = context.services.case_index.lookup(query)
    shown_query = render.shorten(query)
    if not found.cases:
        await send(message, render.no_match(tr, shown_query))
    elif not found.sure:
        await send(message, render.did_you_mean(tr, found.cases[:MAX_RESULTS]))
    elif len(found.cases) == 1:
        await send(message, await card(context, found.cases[0]))
    else:
        await send(message, render.search_results(tr, shown_query, found.cases[:MAX_RESULTS]))


async def case_list_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = button_data.parse(query.data)
    page = int(parsed.arg) if parsed is not None else 0
    await acknowledge(query)
    await show(query, render.case_list(context.tr, context.content, page))


async def open_case(update: Update, context: BotContext) -> None:
    query, case = pressed(update, context.content.case)
    if query is None:
        return
    if case is None:
        await query.answer(render.stale_button(context.tr))
        await show(query, render.case_list(context.tr, context.content))
        return
    await acknowledge(query)
    await show(query, await card(context, case))


async def history(update: Update, context: BotContext) -> None:
    """A case's updates, newest first."""
    query, case = pressed(update, context.content.case)
    if query is None:
        return
    if case is None:
        await query.answer(render.stale_button(context.tr))
        return
    await acknowledge(query)
    updates = await context.services.store.updates.history(case.id)
    await show(query, render.history(context.tr, context.content, case.id, updates))
