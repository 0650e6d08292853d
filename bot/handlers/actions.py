"""Acting on a case: Take action under its card opens its actions; "I did it" there counts the member who pressed it,
once per case (the store keeps a keyed fingerprint, not who: bot/store/actions.py)."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot import render
from bot.content import Case
from bot.context import BotContext
from bot.handlers.replies import acknowledge, pressed, show


async def open_actions(update: Update, context: BotContext) -> None:
    query, case = await _case_with_actions(update, context)
    if query is None or case is None:
        return
    await acknowledge(query)
    await _show_actions(query, context, case)


async def acted(update: Update, context: BotContext) -> None:
    """I did it: counted once per member (a person, whichever chat the button is in); pressed again, it only says so."""
    query, case = await _case_with_actions(update, context)
    if query is None or case is None:
        return
    if not await context.services.store.actions.record(case.id, query.from_user.id):
        await query.answer(render.already_counted(context.tr))
        return
    await query.answer(render.counted(context.tr))
    await _show_actions(query, context, case)


async def _case_with_actions(update: Update, context: BotContext) -> tuple[CallbackQuery | None, Case | None]:
    """The pressed button and the case it names; a case that is gone, or no longer has actions, is answered here
    (the button is out of date: the list of cases comes instead) and comes back as None."""
    query, case = pressed(update, context.content.case)
    if query is None:
        return None, None
    if case is None or case.actions is None:
        await query.answer(render.stale_button(context.tr))
        await show(query, render.case_list(context.tr, context.content))
        return query, None
    return query, case


async def _show_actions(query: CallbackQuery, context: BotContext, case: Case) -> None:
    count = await context.services.store.actions.count(case.id)
    await show(query, render.case_actions(context.tr, context.content, case, count))
