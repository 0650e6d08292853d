"""Inline mode: `@<bot> name` typed in any chat offers the matching case cards, to send there.

The search is /case's (any spelling or script); an empty query offers every case. The cards are in the sharer's
language (`language.resolve`) and carry a button that opens the case in the bot. Telegram must have inline
mode switched on for the bot (BotFather, /setinline: see README).
"""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.context import BotContext
from bot.handlers.cards import case_link
from bot.model import CampaignUpdate
from bot.search import MAX_QUERY

RESULTS_PER_ANSWER = 50
"""Telegram's most per answer; more cases come page by page as the member scrolls (`next_offset`)."""

CACHE_SECONDS = 60
"""How long Telegram may keep an answer and give it again without asking: a minute, so that a new update or a
changed case reaches the cards soon. Kept per user (`is_personal`): the cards are in the sharer's language."""

MAX_OFFSET_DIGITS = 6


async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    text = query.query[:MAX_QUERY]
    cases = context.services.case_index.search(text) if text.strip() else list(context.content.cases)
    start = _offset(query.offset)
    shown = cases[start : start + RESULTS_PER_ANSWER]
    latest = await _latest_updates(context) if shown else {}
    tr, content = context.tr, context.content
    results = [render.inline_result(tr, case, render.shared_card(tr, content, case, case_link(context, case),
                                                                 latest=latest.get(case.id)))
               for case in shown]
    more = start + RESULTS_PER_ANSWER < len(cases)
    # The last page has no next_offset at all: PTB 22.8's defaults turn an empty string into "[]", which a client
    # would send back to page on from.
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True,
                       next_offset=str(start + RESULTS_PER_ANSWER) if more else None)


def _offset(offset: str) -> int:
    """Where the page the client asks for starts: the `next_offset` of our previous answer, or 0 (the first
    page, and anything that is not a number we sent)."""
    if offset.isascii() and offset.isdigit() and len(offset) <= MAX_OFFSET_DIGITS:
        return int(offset)
    return 0


async def _latest_updates(context: BotContext) -> dict[str, CampaignUpdate]:
    """Each topic's latest update, as its card shows it."""
    latest: dict[str, CampaignUpdate] = {}
    for update in await context.services.store.updates.history():  # newest first
        latest.setdefault(update.topic, update)
    return latest
