"""/background and /concerns, and their buttons."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.context import BotContext
from bot.handlers.replies import acknowledge, pressed, send, show


async def background(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.background(context.tr, context.content))


async def concerns(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.concern_list(context.tr, context.content))


async def background_button(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
        await show(update.callback_query, render.background(context.tr, context.content))


async def concerns_button(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
        await show(update.callback_query, render.concern_list(context.tr, context.content))


async def concern_button(update: Update, context: BotContext) -> None:
    query, item = pressed(update, context.content.concern)
    if query is None:
        return
    if item is None:
        await query.answer(render.stale_button(context.tr))
        await show(query, render.concern_list(context.tr, context.content))
        return
    await acknowledge(query)
    await show(query, render.concern(context.tr, context.content, item))
