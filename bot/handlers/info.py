"""/help, /about and /privacy."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.context import BotContext
from bot.handlers.replies import send


async def help_command(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        user = update.effective_user
        admin = user is not None and user.id in context.services.settings.admin_ids
        await send(update.effective_message, render.help_text(context.tr, context.bot.username, admin=admin))


async def about(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.about(context.tr, context.content))


async def privacy(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        settings = context.services.settings
        await send(update.effective_message, render.privacy(context.tr, encrypted=bool(settings.data_key.value),
                                                            inactive_days=settings.inactive_retention_days))
