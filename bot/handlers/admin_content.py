"""An admin sends a content file as a document: validated, shown as a diff, applied only on confirm (with
BOT_REQUIRE_APPROVAL, once another admin approves it: `bot/desk.py`).

A file equal to what the bot serves has nothing to apply: the admin is told so and gets no Apply button
(applying it would only make the record an admin edit that `campaign-bot import` then keeps). A new case
or concern is shown as members will see it, in each language."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError

from bot import LANGUAGES, button_data, render
from bot.content import ContentError
from bot.content_edit import MAX_FILE_BYTES, SUFFIXES, diff, read_upload, stale_translations
from bot.context import BotContext
from bot.handlers.permissions import admins_only, is_admin, refuse
from bot.handlers.replies import acknowledge, send, show
from bot.model import CONTENT_CHANGE


async def received(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or message.document is None:
        return
    document = message.document
    name = document.file_name or "?"
    if not is_admin(update, context):
        if name.lower().endswith(SUFFIXES):
            await refuse(update, context)  # a content file: that is an admin's job
        else:
            await send(message, render.text_only(context.tr))  # any other file: a member's mistake
        return
    tr = context.tr
    try:
        if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
            raise ContentError(name, "", "file_too_big", size=document.file_size, limit=MAX_FILE_BYTES)
        file = await document.get_file()
        if file.file_size is not None and file.file_size > MAX_FILE_BYTES:  # a Document need not say its size
            raise ContentError(name, "", "file_too_big", size=file.file_size, limit=MAX_FILE_BYTES)
        raw = bytes(await file.download_as_bytearray())
        item = await read_upload(name, raw)  # parsed in a worker thread, within a time bound
        old = await context.services.store.content.stored_data(item)
        if old == item.data:
            await send(message, render.content_unchanged(tr, item.where))
            return
        preview = await context.services.store.content.check_admin_item(item)
    except ContentError as error:
        await send(message, render.content_rejected(tr, error))
        return
    except TelegramError:
        await send(message, render.content_unreadable(tr))
        return
    assert context.user_data is not None
    context.user_data.pending_content = item
    screen = None
    if old is None:  # a new case or concern: as members will see it, in each language
        translators = {lang: context.services.catalogs.get(lang) for lang in LANGUAGES}
        screen = render.content_new(tr, item.where, preview, item.kind, item.id, translators)
    if screen is None:
        screen = render.content_preview(tr, item.where, diff(old or {}, item.data),
                                              stale_translations(old or {}, item.data))
    await send(message, screen)


@admins_only
async def decided(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = button_data.parse(query.data)
    assert context.user_data is not None
    pending, context.user_data.pending_content = context.user_data.pending_content, None
    if pending is None or parsed is None:
        await query.answer(render.draft_gone(context.tr))
        return
    await acknowledge(query)
    if parsed.arg != "ok":
        await show(query, render.content_cancelled(context.tr))
        return
    item = pending
    desk, chat, user = context.services.desk, update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if desk.approval_required:  # the preview's last message becomes the author's card of the request
        card = (chat.id, query.message.message_id) if query.message is not None else None
        topic = item.id if item.kind == "case" else ""
        await desk.submit(CONTENT_CHANGE, user.id, user.full_name, chat.id, topic=topic, item=item, card=card)
        return
    try:
        await desk.change_content_now(user.id, item)
    except ContentError as error:  # the content changed between preview and confirm
        await show(query, render.content_rejected(context.tr, error))
        return
    await show(query, render.content_applied(context.tr, item.where))
