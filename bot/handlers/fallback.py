"""What is left after every other handler: unknown commands, non-text messages, unknown buttons, errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot import render
from bot.context import BotContext
from bot.forum_errors import topic_gone
from bot.handlers.language import forum_topic, resolve
from bot.handlers.replies import send
from bot.rate_limit import retry_after_seconds

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.unknown_command(context.tr))


async def not_text(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await send(update.effective_message, render.text_only(context.tr))


async def unknown_button(update: Update, context: BotContext) -> None:
    """Callback data that no handler's pattern accepts: forged, or from a retired version of the bot."""
    if update.callback_query is not None:
        await update.callback_query.answer(render.stale_button(context.tr))


async def on_error(update: object, context: BotContext) -> None:
    """Log without personal data (no text, no names, no ids) and tell the member something went wrong."""
    error = context.error
    if isinstance(error, RetryAfter):  # a flood wait longer than a reply may wait (bot/rate_limit.py)
        log.warning("a reply was dropped: Telegram asked to wait %.0f s", retry_after_seconds(error))
        return
    if isinstance(update, Update) and forum_topic(update.effective_message) is not None and topic_gone(error):
        # Asked in a forum topic that is closed (its admins may still post there, the bot may not) or deleted since:
        # nothing the bot sends reaches it, so there is nobody to tell. (A broadcast into it drops its subscriptions.)
        log.info("a reply was dropped: its forum topic is closed or deleted")
        return
    if update is None and isinstance(error, NetworkError):  # PTB's polling met a network error or a 5xx: it retries
        log.warning("receiving updates failed (%s: %s); retrying", type(error).__name__, error.message)
        return
    log.error("handler failed: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        await resolve(update, context)  # an error context is new: find the member's language again
        if update.callback_query is not None:
            await update.callback_query.answer(context.tr._("Sorry, something went wrong. Please try again."))
        elif update.effective_message is not None:
            await send(update.effective_message, render.failure(context.tr))
    except TelegramError:
        log.warning("could not tell the member about the failure")
