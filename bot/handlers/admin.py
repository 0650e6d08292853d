"""Admins: /push and /correct (a guided draft), /broadcasts, /stats. Everyone else is refused politely.

A draft lives in the admin's `user_data`, one per chat (as PTB keeps the conversation's state), while it
is written: topic → a text per language (each optional but one) → a preview per language with the
recipients per language → Confirm / Schedule (a time in the campaign's zone) / Edit / Cancel. Each preview gets a
new id, carried by its buttons: Confirm sends exactly the draft that preview showed, and a button under an older
preview is refused. Nothing is stored or sent before Confirm (or a time for Schedule). With BOT_REQUIRE_APPROVAL,
Confirm hands the draft to the desk (`bot/desk.py`) as a request for another admin's approval.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler

from bot import LANGUAGES, button_data, render
from bot.context import BotContext, Draft
from bot.handlers.permissions import admins_only
from bot.handlers.replies import acknowledge, send, show
from bot.model import CORRECTION, GENERAL, PENDING, PUSH, SCHEDULED, Broadcast
from bot.render import Screen, make_screen
from bot.when import WhenError, parse_when

log = logging.getLogger(__name__)

CHOOSING, CHOOSING_UPDATE, WRITING, PREVIEWING, SCHEDULING = range(5)
END = ConversationHandler.END


def _drafts(context: BotContext) -> dict[int, Draft]:
    assert context.user_data is not None
    return context.user_data.drafts


def _draft(update: Update, context: BotContext) -> Draft | None:
    """The admin's draft in this chat, if one is open."""
    chat = update.effective_chat
    return _drafts(context).get(chat.id) if chat is not None else None


def _new_draft(update: Update, context: BotContext) -> Draft:
    chat = update.effective_chat
    assert chat is not None
    draft = _drafts(context)[chat.id] = Draft()
    return draft


def _drop_draft(update: Update, context: BotContext) -> Draft | None:
    chat = update.effective_chat
    return _drafts(context).pop(chat.id, None) if chat is not None else None


# --- /push and /correct -------------------------------------------------------------------------------


@admins_only
async def push(update: Update, context: BotContext) -> int:
    if update.effective_message is None or update.effective_chat is None:
        return END
    _new_draft(update, context)
    await send(update.effective_message, render.choose_topic(context.tr, context.content))
    return CHOOSING


@admins_only
async def correct(update: Update, context: BotContext) -> int:
    if update.effective_message is None or update.effective_chat is None:
        return END
    _new_draft(update, context)
    updates = (await context.services.store.updates.history())[:10]
    await send(update.effective_message, render.choose_correction(context.tr, context.content, updates))
    return CHOOSING_UPDATE if updates else END


async def topic_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    draft = _draft(update, context)
    if query is None or draft is None or parsed is None or (
            parsed.arg != GENERAL and context.content.case(parsed.arg) is None):
        if query is not None:
            await query.answer(render.draft_gone(context.tr))
        return END
    await acknowledge(query)
    draft.topic = parsed.arg
    await show(query, _ask(context, draft))
    return WRITING


async def update_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    chosen = await context.services.store.updates.get(int(parsed.arg)) if parsed else None
    draft = _draft(update, context)
    if query is None or chosen is None or draft is None:
        if query is not None:
            await query.answer(render.draft_gone(context.tr))
        return END
    await acknowledge(query)
    draft.topic, draft.base, draft.correcting = chosen.topic, dict(chosen.texts), chosen.id
    await show(query, _ask(context, draft))
    return WRITING


def _ask(context: BotContext, draft: Draft) -> Screen:
    """The prompt for the draft's current language, with the text /skip would keep."""
    return render.ask_text(context.tr, context.content, draft.topic, draft.language,
                                 draft.base.get(draft.language))


async def text_received(update: Update, context: BotContext) -> int:
    message = update.effective_message
    draft = _draft(update, context)
    if message is None or draft is None:
        return END
    if not message.text:
        await send(message, render.not_text(context.tr))
        return WRITING
    text = message.text.strip()
    if len(text) > render.MAX_UPDATE_TEXT:
        await send(message, render.text_too_long(context.tr, len(text)))
        return WRITING
    draft.texts[draft.language] = text
    return await _next_language(message, context, draft)


async def skipped(update: Update, context: BotContext) -> int:
    """/skip keeps the language's current text (a correction's, or the draft's before Edit), if any."""
    message = update.effective_message
    draft = _draft(update, context)
    if message is None or draft is None:
        return END
    if draft.language in draft.base:
        draft.texts[draft.language] = draft.base[draft.language]
    return await _next_language(message, context, draft)


async def _next_language(message: Message, context: BotContext, draft: Draft) -> int:
    draft.step += 1
    if draft.step < len(LANGUAGES):
        await send(message, _ask(context, draft))
        return WRITING
    if not draft.texts:
        draft.step = 0
        await send(message, render.need_one_language(context.tr))
        await send(message, _ask(context, draft))
        return WRITING
    await _preview(message, context, draft)
    return PREVIEWING


async def _preview(message: Message, context: BotContext, draft: Draft) -> None:
    publisher = context.services.publisher
    correcting = await context.services.store.updates.get(draft.correcting) if draft.correcting else None
    for preview in publisher.preview(draft.topic, draft.texts, correcting).values():
        await message.reply_html(preview.text, reply_markup=preview.keyboard, do_quote=False)
    if correcting is not None:
        audience = Counter(t.language for t in await publisher.delivered(correcting.id))
    else:
        audience = await publisher.audience(draft.topic)
    draft.preview = secrets.token_hex(4)
    desk = context.services.desk
    if not desk.approval_required and message.from_user is not None:
        kept = await desk.keep_preview(message.from_user.id, message.from_user.full_name, message.chat.id,
                                       draft.topic, draft.texts, draft.correcting, draft.request, draft.preview)
        draft.request, draft.preview = kept.id, kept.preview
    await send(message, render.preview_summary(context.tr, context.content, draft.topic, draft.texts,
                                                     audience, correcting, draft.preview,
                                                     context.services.desk.approval_required))


async def decided(update: Update, context: BotContext) -> int:
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    draft = _draft(update, context)
    if query is None or parsed is None or draft is None:
        if query is not None:
            await query.answer(render.draft_gone(context.tr))
        return END
    if parsed.qualifier != draft.preview:  # a button under an older preview
        await query.answer(render.stale_preview(context.tr), show_alert=True)
        return PREVIEWING
    await acknowledge(query)
    desk = context.services.desk
    if parsed.arg == "cancel":
        _drop_draft(update, context)
        await desk.unkeep_preview(draft.request)
        await show(query, render.draft_cancelled(context.tr))
        return END
    if parsed.arg == "edit":
        draft.base, draft.texts, draft.step, draft.preview = draft.texts, {}, 0, ""
        await desk.unkeep_preview(draft.request, rewriting=True)
        await show(query, _ask(context, draft))
        return WRITING
    if parsed.arg == "schedule" and not draft.correcting:
        draft.preview = ""  # its buttons are spent: the draft now waits for a time
        await desk.unkeep_preview(draft.request, rewriting=True)
        await show(query, render.ask_time(context.tr, desk.now(), desk.zone))
        return SCHEDULING
    _drop_draft(update, context)  # whatever happens next, this draft is decided: a second tap finds nothing
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    summary = query.message.message_id if query.message is not None else None
    if desk.approval_required:  # the summary becomes the author's card of the request, with Withdraw
        await desk.submit(CORRECTION if draft.correcting else PUSH, user.id, user.full_name, chat.id,
                          topic=draft.topic, texts=draft.texts, update_id=draft.correcting,
                          card=(chat.id, summary) if summary is not None else None)
        return END
    if draft.request is not None:  # the kept preview: carried out once, whatever happened to this process
        broadcast = await desk.confirm(draft.request, draft.preview, user.id, (chat.id, summary) if summary else None)
    elif draft.correcting:
        broadcast = await desk.correct_now(user.id, draft.correcting, draft.texts, chat.id, summary)
    else:
        broadcast = await desk.publish_now(user.id, draft.topic, draft.texts, chat.id, summary)
    if broadcast is None:
        await query.answer(render.draft_gone(context.tr))
        return END
    await show_progress(query, context, broadcast)
    return END


async def show_progress(query: CallbackQuery, context: BotContext, broadcast: Broadcast) -> None:
    """Sending has started; the summary becomes the progress card, without buttons. Should this edit fail, the
    broadcast goes on, and its reports edit the card later."""
    card = render.progress_card(context.tr, context.content, broadcast, Counter({PENDING: broadcast.total}), False)
    try:
        await show(query, make_screen(card))
    except TelegramError as exc:
        log.warning("could not turn the preview into the progress card: %s", type(exc).__name__)


async def time_received(update: Update, context: BotContext) -> int:
    """Schedule: the time the admin typed, read in the campaign's zone; a time that has passed is refused."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    draft = _draft(update, context)
    if message is None or chat is None or user is None or draft is None:
        return END
    desk = context.services.desk
    now = desk.now()
    try:
        due = parse_when(message.text or "", now, desk.zone)
    except WhenError as refused:
        await send(message, render.time_refused(context.tr, refused.code, now, desk.zone))
        return SCHEDULING
    _drop_draft(update, context)
    request = await desk.schedule(user.id, user.full_name, chat.id, draft.topic, draft.texts, due, kept=draft.request)
    if request.state == SCHEDULED:
        await send(message, render.scheduled(context.tr, request, desk.zone))
    return END


async def cancel_draft(update: Update, context: BotContext) -> int:
    _drop_draft(update, context)
    if update.effective_message is not None:
        await send(update.effective_message, render.draft_cancelled(context.tr))
    return END


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel outside a draft."""
    if update.effective_message is not None:
        await send(update.effective_message, render.nothing_to_cancel(context.tr))


@admins_only
async def stale_draft_button(update: Update, context: BotContext) -> None:
    """An admin button pressed outside its draft's step: an old preview while the draft is written again (it is
    still open), or a button from a draft that is gone (sent, cancelled, or before a restart)."""
    query = update.callback_query
    if query is None:
        return
    if _draft(update, context) is not None:
        await query.answer(render.draft_being_written(context.tr), show_alert=True)
        return
    parsed = button_data.parse(query.data)
    kept = _kept_preview(parsed.qualifier) if parsed is not None and parsed.arg == "ok" else None
    user, chat = update.effective_user, update.effective_chat
    if kept is not None and user is not None and chat is not None and not context.services.desk.approval_required:
        # A Confirm under a preview kept from before a restart: the draft is still there to confirm, once.
        summary = query.message.message_id if query.message is not None else None
        broadcast = await context.services.desk.confirm(kept, parsed.qualifier if parsed else "", user.id,
                                                        (chat.id, summary) if summary else None)
        if broadcast is not None:
            await acknowledge(query)
            await show_progress(query, context, broadcast)
            return
    await query.answer(render.draft_gone(context.tr))


def _kept_preview(preview: str) -> int | None:
    """The kept draft a preview's id names (`<request>.<random>`), if it is one."""
    request, _, token = preview.partition(".")
    return int(request) if request.isdigit() and len(request) <= 9 and token else None


# --- running broadcasts and stats ---------------------------------------------------------------------------


@admins_only
async def broadcasts(update: Update, context: BotContext) -> None:
    if update.effective_message is None:
        return
    publisher = context.services.publisher
    outbox = context.services.store.outbox
    running = []
    for broadcast in await outbox.running():
        counts = publisher.broadcaster.progress(broadcast.id) or await outbox.counts(broadcast.id)
        running.append((broadcast, counts))
    await send(update.effective_message, render.broadcasts(context.tr, context.content, running))


@admins_only
async def cancel_broadcast(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = button_data.parse(query.data)
    broadcast_id = int(parsed.arg) if parsed else 0
    if context.services.publisher.broadcaster.cancel(broadcast_id):
        await query.answer(render.cancelling(context.tr, broadcast_id))
    else:
        await query.answer(render.not_running(context.tr))


@admins_only
async def stats(update: Update, context: BotContext) -> None:
    if update.effective_message is None:
        return
    store = context.services.store
    recent = [(b, await store.outbox.counts(b.id)) for b in await store.outbox.recent(5)]
    await send(update.effective_message, render.stats(context.tr, context.content, await store.chats.stats(),
                                                            recent))
