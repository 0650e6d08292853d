"""Content and interface strings → Telegram HTML and inline keyboards. Pure: no I/O, no Telegram calls.

One module per handler module (see handlers/), and `base` for what they share. Every value that comes from
content or from a user is escaped here; the catalog strings are trusted HTML (reviewed with the code) but the
values put into their placeholders are escaped. A screen is a list of `Reply` parts: one normally, several when
the text is longer than Telegram allows; the keyboard goes on the last part.

Handlers and services call `render.<name>`: the names below are what they use; the rest stays inside.
"""

from __future__ import annotations

from bot.render.actions import (
    already_counted as already_counted,
)
from bot.render.actions import (
    case_actions as case_actions,
)
from bot.render.actions import (
    counted as counted,
)
from bot.render.admin import (
    MAX_UPDATE_TEXT as MAX_UPDATE_TEXT,
)
from bot.render.admin import (
    ask_text as ask_text,
)
from bot.render.admin import (
    broadcasts as broadcasts,
)
from bot.render.admin import (
    cancelling as cancelling,
)
from bot.render.admin import (
    choose_correction as choose_correction,
)
from bot.render.admin import (
    choose_topic as choose_topic,
)
from bot.render.admin import (
    draft_being_written as draft_being_written,
)
from bot.render.admin import (
    draft_cancelled as draft_cancelled,
)
from bot.render.admin import (
    draft_gone as draft_gone,
)
from bot.render.admin import (
    final_report as final_report,
)
from bot.render.admin import (
    need_one_language as need_one_language,
)
from bot.render.admin import (
    not_running as not_running,
)
from bot.render.admin import (
    not_text as not_text,
)
from bot.render.admin import (
    nothing_to_cancel as nothing_to_cancel,
)
from bot.render.admin import (
    preview_summary as preview_summary,
)
from bot.render.admin import (
    progress_card as progress_card,
)
from bot.render.admin import (
    refusal as refusal,
)
from bot.render.admin import (
    stale_preview as stale_preview,
)
from bot.render.admin import (
    stats as stats,
)
from bot.render.admin import (
    text_too_long as text_too_long,
)
from bot.render.admin_content import (
    content_applied as content_applied,
)
from bot.render.admin_content import (
    content_cancelled as content_cancelled,
)
from bot.render.admin_content import (
    content_new as content_new,
)
from bot.render.admin_content import (
    content_preview as content_preview,
)
from bot.render.admin_content import (
    content_rejected as content_rejected,
)
from bot.render.admin_content import (
    content_unchanged as content_unchanged,
)
from bot.render.admin_content import (
    content_unreadable as content_unreadable,
)
from bot.render.base import (
    MAX_BUTTON as MAX_BUTTON,
)
from bot.render.base import (
    Screen as Screen,
)
from bot.render.base import (
    esc as esc,
)
from bot.render.base import (
    make_screen as make_screen,
)
from bot.render.base import (
    shorten as shorten,
)
from bot.render.base import (
    topic_name as topic_name,
)
from bot.render.cases import (
    CASES_PER_PAGE as CASES_PER_PAGE,
)
from bot.render.cases import (
    case_card as case_card,
)
from bot.render.cases import (
    case_list as case_list,
)
from bot.render.cases import (
    case_usage as case_usage,
)
from bot.render.cases import (
    did_you_mean as did_you_mean,
)
from bot.render.cases import (
    history as history,
)
from bot.render.cases import (
    no_match as no_match,
)
from bot.render.cases import (
    search_results as search_results,
)
from bot.render.cases import (
    shared_card as shared_card,
)
from bot.render.cases import (
    update_message as update_message,
)
from bot.render.desk import (
    MAX_REASON as MAX_REASON,
)
from bot.render.desk import (
    already_handled as already_handled,
)
from bot.render.desk import (
    approved_notice as approved_notice,
)
from bot.render.desk import (
    ask_reason as ask_reason,
)
from bot.render.desk import (
    ask_time as ask_time,
)
from bot.render.desk import (
    audit_log as audit_log,
)
from bot.render.desk import (
    cancelled_notice as cancelled_notice,
)
from bot.render.desk import (
    choose_recall as choose_recall,
)
from bot.render.desk import (
    confirm_recall as confirm_recall,
)
from bot.render.desk import (
    going_out as going_out,
)
from bot.render.desk import (
    late_notice as late_notice,
)
from bot.render.desk import (
    not_author as not_author,
)
from bot.render.desk import (
    not_carried_out as not_carried_out,
)
from bot.render.desk import (
    outcome as outcome,
)
from bot.render.desk import (
    own_request as own_request,
)
from bot.render.desk import (
    reason_refused as reason_refused,
)
from bot.render.desk import (
    rejected_notice as rejected_notice,
)
from bot.render.desk import (
    rejection_kept_open as rejection_kept_open,
)
from bot.render.desk import (
    request_card as request_card,
)
from bot.render.desk import (
    request_gone as request_gone,
)
from bot.render.desk import (
    scheduled as scheduled,
)
from bot.render.desk import (
    scheduled_list as scheduled_list,
)
from bot.render.desk import (
    sending_now_notice as sending_now_notice,
)
from bot.render.desk import (
    time_refused as time_refused,
)
from bot.render.desk import (
    withdrawn_message as withdrawn_message,
)
from bot.render.fallback import (
    failure as failure,
)
from bot.render.fallback import (
    stale_button as stale_button,
)
from bot.render.fallback import (
    text_only as text_only,
)
from bot.render.fallback import (
    unknown_command as unknown_command,
)
from bot.render.fallback import (
    unknown_link as unknown_link,
)
from bot.render.info import (
    MAX_DESCRIPTION as MAX_DESCRIPTION,
)
from bot.render.info import (
    MAX_SHORT_DESCRIPTION as MAX_SHORT_DESCRIPTION,
)
from bot.render.info import (
    about as about,
)
from bot.render.info import (
    commands_for as commands_for,
)
from bot.render.info import (
    description as description,
)
from bot.render.info import (
    greeting as greeting,
)
from bot.render.info import (
    help_text as help_text,
)
from bot.render.info import (
    privacy as privacy,
)
from bot.render.info import (
    short_description as short_description,
)
from bot.render.language import (
    language_chosen as language_chosen,
)
from bot.render.language import (
    language_picker as language_picker,
)
from bot.render.sharing import (
    inline_result as inline_result,
)
from bot.render.sharing import (
    qr_caption as qr_caption,
)
from bot.render.sharing import (
    share_message as share_message,
)
from bot.render.sharing import (
    shared_just_above as shared_just_above,
)
from bot.render.subscriptions import (
    forget_confirm as forget_confirm,
)
from bot.render.subscriptions import (
    forgotten as forgotten,
)
from bot.render.subscriptions import (
    group_admins_only as group_admins_only,
)
from bot.render.subscriptions import (
    kept as kept,
)
from bot.render.subscriptions import (
    my_data as my_data,
)
from bot.render.subscriptions import (
    quiet as quiet,
)
from bot.render.subscriptions import (
    subscribe_menu as subscribe_menu,
)
from bot.render.subscriptions import (
    subscribe_no_match as subscribe_no_match,
)
from bot.render.subscriptions import (
    subscribed as subscribed,
)
from bot.render.subscriptions import (
    subscriptions as subscriptions,
)
from bot.render.subscriptions import (
    topic_gone as topic_gone,
)
from bot.render.subscriptions import (
    unsubscribe_usage as unsubscribe_usage,
)
from bot.render.subscriptions import (
    unsubscribed as unsubscribed,
)
from bot.render.topics import (
    background as background,
)
from bot.render.topics import (
    concern as concern,
)
from bot.render.topics import (
    concern_list as concern_list,
)
