"""What admins see of publishing requests: scheduling a push, /scheduled, a second admin's approval, recalls and
the audit log; and the line a recalled update leaves in a member's chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton

from bot import LANGUAGES, button_data
from bot.content import Content
from bot.i18n import N_, Translator
from bot.model import (
    APPROVED,
    AWAITING,
    CANCELLED,
    CONTENT_CHANGE,
    CONTENT_CHANGED,
    CORRECTED,
    CORRECTION,
    DRAFTED,
    PUBLISHED,
    PUSH,
    RECALL,
    RECALLED,
    REJECTED,
    SCHEDULED,
    SENT_NOW,
    WITHDRAWN,
    AuditEntry,
    CampaignUpdate,
    PublishRequest,
)
from bot.render.admin import choose_update
from bot.render.base import BULLET, Screen, buttons, esc, heading, make_screen, topic_name
from bot.when import PAST, TOO_FAR

MAX_REASON = 500
"""Characters of a rejection's reason."""

RECALL_WINDOW_HOURS = 48


def _moment(tr: Translator, iso: str, zone: ZoneInfo) -> str:
    return tr.moment(datetime.fromisoformat(iso), zone)


def _who(name: str, admin_id: int) -> str:
    return f"{name} ({admin_id})" if name else str(admin_id)


# --- a member's chat ------------------------------------------------------------------------------------------


def withdrawn_message(tr: Translator) -> str:
    """What a recalled update's message says once edited (a message Telegram no longer lets the bot delete)."""
    return "<i>" + esc(tr._("This update was withdrawn by the campaign.")) + "</i>"


# --- scheduling ---------------------------------------------------------------------------------------------


def ask_time(tr: Translator, now: datetime, zone: ZoneInfo) -> Screen:
    return make_screen(esc(tr._("When should it go out? Send a date and time in the campaign's time zone, {zone} (it "
                                "is now {now}): for example “tomorrow 09:00”, “2026-12-10 18:30”, or “18:30” for "
                                "today. /cancel stops without sending.").format(zone=zone.key,
                                                                                now=tr.moment(now, zone))))


def time_refused(tr: Translator, code: str, now: datetime, zone: ZoneInfo) -> Screen:
    if code == PAST:
        text = tr._("That time has passed: it is now {now}. Please send a later time.").format(
            now=tr.moment(now, zone))
    elif code == TOO_FAR:
        text = tr._("That is more than a year ahead. Please check the date and send it again.")
    else:
        text = tr._("I could not read that time. Please send it like “tomorrow 09:00”, “2026-12-10 18:30” or "
                    "“18:30”.")
    return make_screen(esc(text))


def scheduled(tr: Translator, request: PublishRequest, zone: ZoneInfo) -> Screen:
    assert request.due is not None
    return make_screen(esc(tr._("Scheduled: request #{id} goes out on {time}. /scheduled lists the scheduled "
                                "updates, with Cancel and Send now.").format(id=request.id,
                                                                             time=_moment(tr, request.due, zone))))


def scheduled_list(tr: Translator, content: Content, requests: Sequence[PublishRequest], zone: ZoneInfo) -> Screen:
    if not requests:
        return make_screen(esc(tr._("No update is scheduled.")))
    lines = [heading(tr._("Scheduled updates"))]
    rows = []
    for request in requests:
        assert request.due is not None
        languages = ", ".join(lang for lang in LANGUAGES if lang in (request.texts or {}))
        line = (f"{BULLET} <b>#{request.id}</b> · {esc(_moment(tr, request.due, zone))}\n"
                f"{esc(topic_name(tr, content, request.topic))} · {esc(languages)} · "
                + esc(tr._("scheduled by {admin}").format(admin=_who(request.author_name, request.author))))
        if request.state == AWAITING:
            line += " · " + esc(tr._("awaiting approval"))
        lines.append(line)
        if request.state == SCHEDULED:
            rows.append([InlineKeyboardButton("✖ " + tr._("Cancel #{id}").format(id=request.id),
                                              callback_data=button_data.request("cancel", request.id)),
                         InlineKeyboardButton("▶ " + tr._("Send now #{id}").format(id=request.id),
                                              callback_data=button_data.request("now", request.id))])
    return make_screen("\n".join(lines), buttons(rows) if rows else None)


def late_notice(tr: Translator, request: PublishRequest, now: datetime, zone: ZoneInfo) -> str:
    assert request.due is not None
    return esc(tr._("Request #{id} was due on {due}, while the bot was not running: it went out late, on {now}.")
               .format(id=request.id, due=_moment(tr, request.due, zone), now=tr.moment(now, zone)))


def going_out(tr: Translator, request: PublishRequest) -> str:
    """The author's message that becomes the progress card of a scheduled push as it goes out."""
    return esc(tr._("Request #{id}: the scheduled update is going out now.").format(id=request.id))


# --- requests and their cards ---------------------------------------------------------------------------------

def _what(tr: Translator, request: PublishRequest) -> str:
    if request.action == CORRECTION:
        return tr._("a correction of update #{id}").format(id=request.update_id)
    if request.action == RECALL:
        return tr._("a recall of update #{id}").format(id=request.update_id)
    if request.action == CONTENT_CHANGE:
        return tr._("a change to {file}").format(file=(request.item or {}).get("where", "?"))
    return tr._("a new update")


def outcome(tr: Translator, request: PublishRequest, decider: str, zone: ZoneInfo) -> str:
    """What became of a request, in one line (`decider`: who decided, as shown)."""
    if request.state == PUBLISHED:
        if request.broadcast is not None:
            return tr._("Carried out: broadcast #{id}.").format(id=request.broadcast)
        return tr._("Carried out.")
    if request.state == REJECTED:
        return tr._("Rejected by {admin}: {reason}").format(admin=decider, reason=request.reason)
    if request.state == WITHDRAWN:
        return tr._("Withdrawn by its author.")
    if request.state == CANCELLED:
        return tr._("Cancelled by {admin}.").format(admin=decider)
    if request.state == SCHEDULED and request.due is not None:
        return tr._("Approved: it goes out on {time}.").format(time=_moment(tr, request.due, zone))
    return tr._("Waiting for another admin's approval.")


def request_card(tr: Translator, content: Content, request: PublishRequest, zone: ZoneInfo, *, author: bool,
                 decider: str = "") -> Screen:
    """A request as an admin sees it: under its previews with Approve and Reject, or (`author`) with Withdraw; once
    handled, what became of it, without buttons."""
    lines = [heading(tr._("Request #{id}: {what}").format(id=request.id, what=_what(tr, request))),
             esc(tr._("By {admin}").format(admin=_who(request.author_name, request.author)))]
    if request.topic:
        lines.append(esc(topic_name(tr, content, request.topic)))
    if request.due is not None:
        lines.append(esc(tr._("To go out on {time}.").format(time=_moment(tr, request.due, zone))))
    rows: list[list[InlineKeyboardButton]] = []
    if request.state == AWAITING:
        if request.action in (PUSH, CORRECTION):
            lines.append(esc(tr._("The messages above are exactly what each language's subscribers will see.")))
        lines.append(esc(tr._("It is carried out only when an admin other than its author approves it.")))
        if author:
            rows.append([InlineKeyboardButton("↩ " + tr._("Withdraw"),
                                              callback_data=button_data.request("withdraw", request.id))])
        else:
            rows.append([InlineKeyboardButton("✅ " + tr._("Approve"),
                                              callback_data=button_data.request("approve", request.id)),
                         InlineKeyboardButton("✖ " + tr._("Reject"),
                                              callback_data=button_data.request("reject", request.id))])
    else:
        lines.append("<b>" + esc(outcome(tr, request, decider, zone)) + "</b>")
    return make_screen("\n".join(lines), buttons(rows) if rows else None)


def own_request(tr: Translator) -> str:
    return tr._("You wrote this request: another admin must approve it.")


def not_author(tr: Translator) -> str:
    return tr._("Only the admin who wrote this request can withdraw it.")


def already_handled(tr: Translator, request: PublishRequest, decider: str, zone: ZoneInfo) -> str:
    return tr._("Request #{id} was handled already. {outcome}").format(id=request.id,
                                                                       outcome=outcome(tr, request, decider, zone))


def request_gone(tr: Translator) -> str:
    return tr._("That request no longer exists.")


def approved_notice(tr: Translator, request: PublishRequest, approver: str) -> str:
    return esc(tr._("Your request #{id} was approved by {admin}.").format(id=request.id, admin=approver))


def rejected_notice(tr: Translator, request: PublishRequest, admin: str) -> str:
    return esc(tr._("Your request #{id} was rejected by {admin}: {reason}").format(id=request.id, admin=admin,
                                                                                   reason=request.reason))


def ask_reason(tr: Translator, request_id: int) -> Screen:
    return make_screen(esc(tr._("Why is request #{id} rejected? Send the reason in one message, at most {limit} "
                                "characters: its author will see it. /cancel keeps the request open.").format(
                                    id=request_id, limit=MAX_REASON)))


def reason_refused(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Please send the reason as a text message of at most {limit} characters, or "
                                "/cancel.").format(limit=MAX_REASON)))


def rejection_kept_open(tr: Translator) -> Screen:
    return make_screen(esc(tr._("The request stays open.")))


def cancelled_notice(tr: Translator, request_id: int) -> str:
    return tr._("Request #{id} was cancelled: it will not be sent.").format(id=request_id)


def sending_now_notice(tr: Translator, request_id: int) -> str:
    return tr._("Request #{id} is going out now.").format(id=request_id)


def not_carried_out(tr: Translator) -> Screen:
    """A request whose update is gone (recalled, or taken out) by the time it is carried out."""
    return make_screen(esc(tr._("That update no longer exists: nothing was done.")))


# --- recall --------------------------------------------------------------------------------------------------


def choose_recall(tr: Translator, content: Content, updates: Sequence[CampaignUpdate]) -> Screen:
    return choose_update(tr, content, updates, tr._("Recall an update"), tr._("Which one?"), button_data.recall_pick)


def confirm_recall(tr: Translator, content: Content, update: CampaignUpdate, delivered: int,
                   approval: bool) -> Screen:
    lines = [heading(tr._("Recall update #{id}?").format(id=update.id)),
             esc(topic_name(tr, content, update.topic)),
             esc(tr.ngettext("{count} delivered message: those sent in the last {hours} hours are deleted, older ones "
                             "are replaced in each member's language with:",
                             "{count} delivered messages: those sent in the last {hours} hours are deleted, older "
                             "ones are replaced in each member's language with:", delivered).format(
                                 count=delivered, hours=RECALL_WINDOW_HOURS)),
             withdrawn_message(tr),
             esc(tr._("The update also leaves the case's timeline."))]
    label = tr._("Submit for approval") if approval else tr._("Recall it")
    rows = [[InlineKeyboardButton("🗑 " + label, callback_data=button_data.recall_confirm(update.id))]]
    return make_screen("\n".join(lines), buttons(rows))


# --- the audit log --------------------------------------------------------------------------------------------

ACTION_NAMES = {
    DRAFTED: N_("drafted"),
    APPROVED: N_("approved"),
    REJECTED: N_("rejected"),
    WITHDRAWN: N_("withdrawn"),
    SENT_NOW: N_("sent"),
    CORRECTED: N_("corrected"),
    RECALLED: N_("recalled"),
    SCHEDULED: N_("scheduled"),
    CANCELLED: N_("cancelled"),
    CONTENT_CHANGED: N_("content changed"),
}

NOTES = {"late": N_("late: the bot was not running at its time")}


def audit_log(tr: Translator, content: Content, entries: Sequence[AuditEntry], zone: ZoneInfo) -> Screen:
    if not entries:
        return make_screen(esc(tr._("The audit log is empty: no publishing action yet.")))
    lines = [heading(tr._("Audit log")), esc(tr._("The latest publishing actions, oldest first; admins by their "
                                                  "Telegram user id."))]
    for entry in entries:
        parts = [tr.moment(datetime.fromisoformat(entry.at), zone), tr._("admin {id}").format(id=entry.admin),
                 tr._(ACTION_NAMES.get(entry.action, entry.action))]
        if entry.request is not None:
            parts.append(tr._("request #{id}").format(id=entry.request))
        if entry.update is not None:
            parts.append(tr._("update #{id}").format(id=entry.update))
        if entry.broadcast is not None:
            parts.append(tr._("broadcast #{id}").format(id=entry.broadcast))
        if entry.topic:
            parts.append(topic_name(tr, content, entry.topic))
        if entry.note:
            parts.append(tr._(NOTES[entry.note]) if entry.note in NOTES else entry.note)
        lines.append(f"{BULLET} " + esc(" · ".join(str(p) for p in parts)))
    return make_screen("\n".join(lines))
