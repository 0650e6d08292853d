"""Admins: /push and /correct (a guided draft), /broadcasts, /stats. Everyone else is refused politely.

A draft lives in the admin's `user_data` while it is written: topic → a text per language (each
optional but one) → a preview per language with the recipients per language → Confirm / Edit /
Cancel. Nothing is stored or sent before Confirm.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from telegram import Message, Update
from telegram.ext import ConversationHandler

from bot import LANGUAGES, callbacks, render_admin
from bot.context import BotContext
from bot.handlers.replies import notify, send, show
from bot.publishing import Publisher
from bot.render import Screen
from bot.store import GENERAL
from bot.store.outbox import PENDING

log = logging.getLogger(__name__)

CHOOSING, CHOOSING_UPDATE, WRITING, PREVIEWING = range(4)
END = ConversationHandler.END
DRAFT = "draft"


def is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.services.settings.admin_ids


async def refuse(update: Update, context: BotContext) -> int:
    """The polite no, for every admin command and button; logged without who it was."""
    log.info("refused an admin action to a non-admin")
    await notify(update, render_admin.refusal(context.tr))
    return END


def _publisher(context: BotContext) -> Publisher:
    publisher = context.services.publisher
    if publisher is None:
        raise RuntimeError("the publisher starts with the application")
    return publisher


def _draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(DRAFT, {})
    return draft


# --- /push and /correct -------------------------------------------------------------------------------


async def push(update: Update, context: BotContext) -> int:
    if not is_admin(update, context):
        return await refuse(update, context)
    if update.effective_message is None:
        return END
    _draft(context).clear()
    await send(update.effective_message, render_admin.choose_topic(context.tr, context.content))
    return CHOOSING


async def correct(update: Update, context: BotContext) -> int:
    if not is_admin(update, context):
        return await refuse(update, context)
    if update.effective_message is None:
        return END
    _draft(context).clear()
    updates = (await context.services.store.updates.history())[:10]
    await send(update.effective_message, render_admin.choose_correction(context.tr, context.content, updates))
    return CHOOSING_UPDATE if updates else END


async def topic_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    parsed = callbacks.parse(query.data if query else None)
    if query is None or parsed is None or (parsed.arg != GENERAL and context.content.case(parsed.arg) is None):
        if query is not None:
            await query.answer(render_admin.draft_gone(context.tr))
        return END
    await query.answer()
    draft = _draft(context)
    draft.update(topic=parsed.arg, base={}, texts={}, step=0, correcting=None)
    await show(query, _ask(context, draft))
    return WRITING


async def update_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    parsed = callbacks.parse(query.data if query else None)
    chosen = await context.services.store.updates.get(int(parsed.arg)) if parsed else None
    if query is None or chosen is None:
        if query is not None:
            await query.answer(render_admin.draft_gone(context.tr))
        return END
    await query.answer()
    draft = _draft(context)
    draft.update(topic=chosen.topic, base=dict(chosen.texts), texts={}, step=0, correcting=chosen.id)
    await show(query, _ask(context, draft))
    return WRITING


def _ask(context: BotContext, draft: dict[str, Any]) -> Screen:
    """The prompt for the draft's current language, with the text /skip would keep."""
    lang = LANGUAGES[draft["step"]]
    return render_admin.ask_text(context.tr, context.content, draft["topic"], lang, draft["base"].get(lang))


async def text_received(update: Update, context: BotContext) -> int:
    message = update.effective_message
    if message is None or not message.text:
        if message is not None:
            await send(message, render_admin.not_text(context.tr))
        return WRITING
    text = message.text.strip()
    if len(text) > render_admin.MAX_UPDATE_TEXT:
        await send(message, render_admin.text_too_long(context.tr, len(text)))
        return WRITING
    draft = _draft(context)
    draft["texts"][LANGUAGES[draft["step"]]] = text
    return await _next_language(update, context)


async def skipped(update: Update, context: BotContext) -> int:
    """/skip keeps the language's current text (a correction's, or the draft's before Edit), if any."""
    draft = _draft(context)
    lang = LANGUAGES[draft["step"]]
    if lang in draft["base"]:
        draft["texts"][lang] = draft["base"][lang]
    return await _next_language(update, context)


async def _next_language(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    draft["step"] += 1
    if draft["step"] < len(LANGUAGES):
        await send(message, _ask(context, draft))
        return WRITING
    if not draft["texts"]:
        draft["step"] = 0
        await send(message, render_admin.need_one_language(context.tr))
        await send(message, _ask(context, draft))
        return WRITING
    await _preview(message, context)
    return PREVIEWING


async def _preview(message: Message, context: BotContext) -> None:
    draft = _draft(context)
    publisher = _publisher(context)
    correcting = await context.services.store.updates.get(draft["correcting"]) if draft["correcting"] else None
    for preview in publisher.preview(draft["topic"], draft["texts"], correcting).values():
        await message.reply_html(preview.text, reply_markup=preview.keyboard, do_quote=False)
    if correcting is not None:
        audience = Counter(t.language for t in await publisher.delivered(correcting.id))
    else:
        audience = await publisher.audience(draft["topic"])
    await send(message, render_admin.preview_summary(context.tr, context.content, draft["topic"], draft["texts"],
                                                     audience, correcting))


async def decided(update: Update, context: BotContext) -> int:
    query = update.callback_query
    parsed = callbacks.parse(query.data if query else None)
    draft = _draft(context)
    if query is None or parsed is None or "texts" not in draft:
        if query is not None:
            await query.answer(render_admin.draft_gone(context.tr))
        return END
    await query.answer()
    if parsed.arg == "cancel":
        draft.clear()
        await show(query, render_admin.draft_cancelled(context.tr))
        return END
    if parsed.arg == "edit":
        draft.update(base=draft["texts"], texts={}, step=0)
        await show(query, _ask(context, draft))
        return WRITING
    chat = update.effective_chat
    assert chat is not None
    publisher = _publisher(context)
    if draft["correcting"]:
        broadcast = await publisher.correct(draft["correcting"], draft["texts"], chat.id)
    else:
        broadcast = await publisher.publish(draft["topic"], draft["texts"], chat.id)
    draft.clear()
    if broadcast is None:
        await query.answer(render_admin.draft_gone(context.tr))
        return END
    text = render_admin.progress_card(context.tr, context.content, broadcast, Counter({PENDING: broadcast.total}),
                                      False)
    await query.edit_message_text(text)  # the summary becomes the progress card, without buttons
    if query.message is not None:
        await context.services.store.outbox.set_progress_message(broadcast.id, query.message.message_id)
    publisher.start(broadcast)
    return END


async def cancel_draft(update: Update, context: BotContext) -> int:
    _draft(context).clear()
    if update.effective_message is not None:
        await send(update.effective_message, render_admin.draft_cancelled(context.tr))
    return END


async def stale_draft_button(update: Update, context: BotContext) -> None:
    """An admin button pressed outside its draft (an old preview, or after a restart)."""
    if not is_admin(update, context):
        await refuse(update, context)
    elif update.callback_query is not None:
        await update.callback_query.answer(render_admin.draft_gone(context.tr))


# --- running broadcasts and stats ---------------------------------------------------------------------------


async def broadcasts(update: Update, context: BotContext) -> None:
    if not is_admin(update, context):
        await refuse(update, context)
        return
    if update.effective_message is None:
        return
    publisher = _publisher(context)
    outbox = context.services.store.outbox
    running = []
    for broadcast in await outbox.running():
        counts = publisher.broadcaster.progress(broadcast.id) or await outbox.counts(broadcast.id)
        running.append((broadcast, counts))
    await send(update.effective_message, render_admin.broadcasts(context.tr, context.content, running))


async def cancel_broadcast(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    if not is_admin(update, context):
        await refuse(update, context)
        return
    parsed = callbacks.parse(query.data)
    broadcast_id = int(parsed.arg) if parsed else 0
    if _publisher(context).broadcaster.cancel(broadcast_id):
        await query.answer(render_admin.cancelling(context.tr, broadcast_id))
    else:
        await query.answer(render_admin.not_running(context.tr))


async def stats(update: Update, context: BotContext) -> None:
    if not is_admin(update, context):
        await refuse(update, context)
        return
    if update.effective_message is None:
        return
    store = context.services.store
    recent = [(b, await store.outbox.counts(b.id)) for b in await store.outbox.recent(5)]
    await send(update.effective_message, render_admin.stats(context.tr, context.content, await store.chats.stats(),
                                                            recent))
