"""Admins: /scheduled, /recall, /audit, and the buttons on a publishing request's card (Approve, Reject with a
reason, Withdraw, Cancel, Send now). The decisions are the desk's (`bot/desk.py`); these only parse and show."""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, Message, Update
from telegram.ext import ConversationHandler

from bot import button_data, render
from bot.context import BotContext
from bot.desk import DONE, GONE, HANDLED, NOT_AUTHOR, OWN
from bot.handlers.admin import show_progress
from bot.handlers.permissions import admins_only
from bot.handlers.replies import acknowledge, send, show
from bot.model import AWAITING, PUBLISHED, RECALL, SCHEDULED, PublishRequest
from bot.render import MAX_REASON, make_screen

log = logging.getLogger(__name__)

REASON = 0
END = ConversationHandler.END
REJECT_PATTERN = re.compile(rf"^{button_data.REQUEST}:reject:(\d{{1,9}})$")

AUDIT_SHOWN = 20


def _who(update: Update) -> tuple[int, str]:
    user = update.effective_user
    assert user is not None
    return user.id, user.full_name


# --- commands -------------------------------------------------------------------------------------------------


@admins_only
async def scheduled(update: Update, context: BotContext) -> None:
    if update.effective_message is None:
        return
    await send(update.effective_message, await _scheduled_list(context))


async def _scheduled_list(context: BotContext) -> render.Screen:
    requests = [r for r in await context.services.store.requests.listed({SCHEDULED, AWAITING}) if r.due is not None]
    return render.scheduled_list(context.tr, context.content, requests, context.services.desk.zone)


@admins_only
async def audit(update: Update, context: BotContext) -> None:
    if update.effective_message is None:
        return
    entries = await context.services.store.audit.latest(AUDIT_SHOWN)
    await send(update.effective_message, render.audit_log(context.tr, context.content, entries,
                                                          context.services.desk.zone))


@admins_only
async def recall(update: Update, context: BotContext) -> None:
    if update.effective_message is None:
        return
    updates = (await context.services.store.updates.history())[:10]
    await send(update.effective_message, render.choose_recall(context.tr, context.content, updates))


@admins_only
async def recall_picked(update: Update, context: BotContext) -> None:
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    if query is None or parsed is None:
        return
    chosen = await context.services.store.updates.get(int(parsed.arg))
    if chosen is None:
        await query.answer(render.not_carried_out(context.tr)[0].text, show_alert=True)
        return
    await acknowledge(query)
    delivered = len(await context.services.publisher.delivered(chosen.id))
    await show(query, render.confirm_recall(context.tr, context.content, chosen, delivered,
                                            context.services.desk.approval_required))


@admins_only
async def recall_confirmed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    chat = update.effective_chat
    if query is None or parsed is None or chat is None:
        return
    desk = context.services.desk
    chosen = await context.services.store.updates.get(int(parsed.arg))
    if chosen is None:  # recalled already, or a forged id
        await query.answer(render.not_carried_out(context.tr)[0].text, show_alert=True)
        return
    await acknowledge(query)
    admin, name = _who(update)
    card = query.message.message_id if query.message is not None else None
    if desk.approval_required:
        await desk.submit(RECALL, admin, name, chat.id, topic=chosen.topic, update_id=chosen.id,
                          card=(chat.id, card) if card is not None else None)
        return
    broadcast = await desk.recall_now(admin, chosen.id, chat.id, card)
    if broadcast is not None:
        await _progress_card(query, context, broadcast.id)


async def _progress_card(query: CallbackQuery, context: BotContext, broadcast_id: int) -> None:
    """The pressed message becomes the progress card of the broadcast that started (`admin.show_progress`)."""
    broadcast = await context.services.store.outbox.get(broadcast_id)
    if broadcast is not None:
        await show_progress(query, context, broadcast)


# --- a request's buttons ----------------------------------------------------------------------------------------


@admins_only
async def request_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    chat = update.effective_chat
    if query is None or parsed is None or chat is None:
        return
    desk = context.services.desk
    admin, name = _who(update)
    request_id = int(parsed.arg)
    card = (chat.id, query.message.message_id) if query.message is not None else None
    if parsed.qualifier == "approve":
        verdict, request = await desk.approve(request_id, admin, name, card)
    elif parsed.qualifier == "withdraw":
        verdict, request = await desk.withdraw(request_id, admin, name)
    elif parsed.qualifier == "cancel":
        verdict, request = await desk.cancel(request_id, admin, name)
    else:  # "now"
        verdict, request = await desk.send_now(request_id, admin, name, chat.id)
    if await _refused(query, context, verdict, request):
        return
    assert request is not None
    if parsed.qualifier == "approve":
        await acknowledge(query)
        if request.state == PUBLISHED and request.broadcast is not None:
            await _progress_card(query, context, request.broadcast)
    elif parsed.qualifier in ("cancel", "now"):
        notice = render.cancelled_notice if parsed.qualifier == "cancel" else render.sending_now_notice
        await query.answer(notice(context.tr, request_id))
        await show(query, await _scheduled_list(context))
    else:
        await acknowledge(query)


async def _refused(query: CallbackQuery, context: BotContext, verdict: str, request: PublishRequest | None) -> bool:
    """Answer an action the desk refused (and show a handled request's card as it now is); False if it was done."""
    tr = context.tr
    if verdict == DONE:
        return False
    if verdict == GONE or request is None:
        await query.answer(render.request_gone(tr), show_alert=True)
    elif verdict == OWN:
        await query.answer(render.own_request(tr), show_alert=True)
    elif verdict == NOT_AUTHOR:
        await query.answer(render.not_author(tr), show_alert=True)
    else:
        zone = context.services.desk.zone
        decider = str(request.decided_by) if request.decided_by is not None else ""
        await query.answer(render.already_handled(tr, request, decider, zone), show_alert=True)
        if request.state != SCHEDULED:  # a scheduled one is listed by /scheduled, with its buttons
            await show(query, render.request_card(tr, context.content, request, zone, author=False,
                                                  decider=decider))
    return True


# --- Reject: the reason is the admin's next message ---------------------------------------------------------


@admins_only
async def reject_pressed(update: Update, context: BotContext) -> int:
    query = update.callback_query
    parsed = button_data.parse(query.data if query else None)
    chat = update.effective_chat
    if query is None or parsed is None or chat is None or context.user_data is None:
        return END
    request = await context.services.store.requests.get(int(parsed.arg))
    if request is None or request.state != AWAITING:
        await _refused(query, context, GONE if request is None else HANDLED, request)
        return END
    await acknowledge(query)
    context.user_data.rejecting[chat.id] = request.id
    if isinstance(query.message, Message):
        await send(query.message, render.ask_reason(context.tr, request.id))
    return REASON


async def reason_received(update: Update, context: BotContext) -> int:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or context.user_data is None:
        return END
    request_id = context.user_data.rejecting.get(chat.id)
    if request_id is None:
        return END
    reason = " ".join((message.text or "").split())
    if not reason or len(reason) > MAX_REASON:
        await send(message, render.reason_refused(context.tr))
        return REASON
    context.user_data.rejecting.pop(chat.id, None)
    admin, name = _who(update)
    verdict, request = await context.services.desk.reject(request_id, admin, name, reason)
    zone = context.services.desk.zone
    if request is None:
        await send(message, make_screen(render.esc(render.request_gone(context.tr))))
    elif verdict == HANDLED:
        decider = str(request.decided_by) if request.decided_by is not None else ""
        await send(message, make_screen(render.esc(render.already_handled(context.tr, request, decider, zone))))
    else:
        await send(message, make_screen(render.esc(render.outcome(context.tr, request, name, zone))))
    return END


async def keep_open(update: Update, context: BotContext) -> int:
    chat = update.effective_chat
    if context.user_data is not None and chat is not None:
        context.user_data.rejecting.pop(chat.id, None)
    if update.effective_message is not None:
        await send(update.effective_message, render.rejection_kept_open(context.tr))
    return END
