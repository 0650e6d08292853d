"""The one composition root: builds the Application, attaches the services, registers every handler.

Read `register` top to bottom to find any behaviour. Handler groups run in order, and within a group
the first matching handler wins, so the catch-alls come last.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import LANGUAGES, button_data, render
from bot.aiohttp_request import AiohttpRequest
from bot.broadcast import Clock
from bot.config import Settings, data_key_bytes
from bot.content import read_content_dir
from bot.context import SERVICES_KEY, BotContext, Services, UserData
from bot.desk import Desk
from bot.handlers import (
    actions,
    admin,
    admin_content,
    cases,
    desk,
    fallback,
    info,
    inline,
    language,
    permissions,
    share,
    start,
    subscriptions,
    topics,
)
from bot.i18n import Catalogs
from bot.memory import loading_for_good
from bot.publishing import Publisher
from bot.rate_limit import REPLY_MAX_WAIT, Patience, PatientRateLimiter
from bot.resources import content_dir, locales_dir
from bot.store import Store
from bot.update_processor import ChatOrderedProcessor

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

RESOLVE_GROUP = -1
"""Runs before everything else: sets the update's language on the context."""

MIGRATION_GROUP = 1
"""Runs whatever group 0 did with the update: a group's move to a supergroup is never taken for a draft's text."""

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.MY_CHAT_MEMBER,
                   Update.CHAT_MEMBER]
"""The updates the bot asks Telegram for (`getUpdates` / `setWebhook`): `chat_member`, which keeps who runs a
group fresh, comes only when asked for; edits and reactions, which it has no use for, are not asked for."""

DRAFT_TIMEOUT = 30 * 60
"""An admin's unfinished draft is dropped after this many seconds of silence."""

PRUNE_EVERY = 6 * 60 * 60
"""Seconds between two prunings of old deliveries and of chats that blocked the bot long ago (`prune`)."""

REQUEST_POOL = 64
"""Connections to the Bot API: more than the sends a broadcast keeps in flight, plus replies."""

RETRIES_AFTER_FLOOD_WAIT = 3
"""A reply that meets Telegram's flood limit waits `retry_after` and is sent again, this many times."""


def file_base_url(api_base_url: str) -> str:
    """`https://api.telegram.org/bot` → `https://api.telegram.org/file/bot` (files live beside the API)."""
    root, _, _ = api_base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot"


def build(settings: Settings, *, application_class: type[AnyApplication] = Application,
          clock: Clock | None = None) -> AnyApplication:
    """Put the bot together: `campaign-bot run`, the try-out and the tests all start here. `clock`: the time the
    sender and the scheduled pushes go by (tests give one they move on).

    The services are complete when this returns (the store is locked for this process, nothing is read
    yet); PTB's hooks do the rest: `on_startup` opens the files and resumes broadcasts, `on_stop` pauses
    them, `on_shutdown` closes the store.
    """
    base_url = settings.api_base_url
    application = (
        Application.builder()
        .application_class(application_class)
        .token(settings.token.value)
        .base_url(base_url)
        .base_file_url(file_base_url(base_url))
        # aiohttp instead of PTB's default httpx: ~2000 sends/s here instead of ~250 (see bot/aiohttp_request.py).
        .request(AiohttpRequest(connection_pool_size=REQUEST_POOL))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .context_types(ContextTypes(context=BotContext, user_data=UserData))
        # Chats side by side, each chat's updates in order (bot/update_processor.py).
        .concurrent_updates(ChatOrderedProcessor(settings.max_concurrent_updates))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(PatientRateLimiter(overall_max_rate=settings.send_rate,
                                         patience=Patience(RETRIES_AFTER_FLOOD_WAIT, REPLY_MAX_WAIT)))
        .post_init(on_startup)
        .post_stop(on_stop)
        .post_shutdown(on_shutdown)
        .build()
    )
    store = Store(settings.data_dir, key=data_key_bytes(settings.data_key))  # the key: files sealed at rest
    catalogs = Catalogs(locales_dir())
    publisher = Publisher(application.bot, store, catalogs, lambda: store.content.content, settings.default_language,
                          max_flood_wait=settings.max_flood_wait, send_timeout=settings.send_timeout, clock=clock)
    requests = Desk(application.bot, store, publisher, catalogs, settings, lambda: store.content.content, clock)
    application.bot_data[SERVICES_KEY] = Services(settings, store, catalogs, publisher, requests)
    register(application)
    return application


def services_of(application: AnyApplication) -> Services:
    services: Services = application.bot_data[SERVICES_KEY]
    return services


def register(application: AnyApplication) -> None:
    add = application.add_handler
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

    # 1. Before anything: which language this update is answered in (and the chat's record).
    add(TypeHandler(Update, language.resolve), group=RESOLVE_GROUP)

    # 2. The admins' draft (/push, /correct) comes first, so that while an admin writes an update
    #    their messages go to the draft and not to the case search below.
    add(admin_draft())
    add(rejection())  # a request rejected: its reason is the admin's next message

    # 3. Commands (in groups also as /command@botname; PTB checks the name).
    add(CommandHandler("start", start.start))
    add(CommandHandler("language", language.command))
    add(CommandHandler("cases", cases.list_cases))
    add(CommandHandler("case", cases.find_case))
    add(CommandHandler("background", topics.background))
    add(CommandHandler("concerns", topics.concerns))
    add(CommandHandler("subscribe", subscriptions.subscribe_command))
    add(CommandHandler("unsubscribe", subscriptions.unsubscribe_command))
    add(CommandHandler("subscriptions", subscriptions.subscriptions_command))
    add(CommandHandler("quiet", subscriptions.quiet_command))
    add(CommandHandler("mydata", subscriptions.mydata_command))
    add(CommandHandler("forget", subscriptions.forget_command))
    add(CommandHandler("about", info.about))
    add(CommandHandler("privacy", info.privacy))
    add(CommandHandler("help", info.help_command))
    add(CommandHandler("broadcasts", admin.broadcasts))
    add(CommandHandler("stats", admin.stats))
    add(CommandHandler("scheduled", desk.scheduled))
    add(CommandHandler("recall", desk.recall))
    add(CommandHandler("audit", desk.audit))
    add(CommandHandler("cancel", admin.nothing_to_cancel))  # in a draft, the draft's own /cancel comes first

    # 4. Buttons: each pattern accepts only the callback data shape built in bot/button_data.py.
    add(CallbackQueryHandler(language.chosen, pattern=button_data.pattern(button_data.LANGUAGE)))
    add(CallbackQueryHandler(cases.case_list_page, pattern=button_data.pattern(button_data.CASE_LIST)))
    add(CallbackQueryHandler(cases.open_case, pattern=button_data.pattern(button_data.CASE)))
    add(CallbackQueryHandler(cases.history, pattern=button_data.pattern(button_data.HISTORY)))
    add(CallbackQueryHandler(topics.background_button, pattern=button_data.pattern(button_data.BACKGROUND)))
    add(CallbackQueryHandler(topics.concerns_button, pattern=button_data.pattern(button_data.CONCERN_LIST)))
    add(CallbackQueryHandler(topics.concern_button, pattern=button_data.pattern(button_data.CONCERN)))
    add(CallbackQueryHandler(subscriptions.subscription_button, pattern=button_data.pattern(button_data.SUBSCRIBE)))
    add(CallbackQueryHandler(subscriptions.subscription_button, pattern=button_data.pattern(button_data.UNSUBSCRIBE)))
    add(CallbackQueryHandler(subscriptions.subscriptions_button,
                             pattern=button_data.pattern(button_data.SUBSCRIPTIONS)))
    add(CallbackQueryHandler(subscriptions.forget_button, pattern=button_data.pattern(button_data.FORGET)))
    add(CallbackQueryHandler(share.share, pattern=button_data.pattern(button_data.SHARE)))
    add(CallbackQueryHandler(actions.open_actions, pattern=button_data.pattern(button_data.ACTIONS)))
    add(CallbackQueryHandler(actions.acted, pattern=button_data.pattern(button_data.ACTED)))
    add(CallbackQueryHandler(admin.cancel_broadcast, pattern=button_data.pattern(button_data.CANCEL_BROADCAST)))
    add(CallbackQueryHandler(admin_content.decided, pattern=button_data.pattern(button_data.CONTENT_DECISION)))
    add(CallbackQueryHandler(desk.request_button, pattern=button_data.pattern(button_data.REQUEST)))
    add(CallbackQueryHandler(desk.recall_picked, pattern=button_data.pattern(button_data.RECALL_PICK)))
    add(CallbackQueryHandler(desk.recall_confirmed, pattern=button_data.pattern(button_data.RECALL_CONFIRM)))
    add(CallbackQueryHandler(admin.stale_draft_button, pattern=button_data.ADMIN_PATTERN))

    # 5. `@<bot> name` typed in any chat (inline mode): the matching case cards, to send there.
    add(InlineQueryHandler(inline.inline_query))

    # 6. The bot blocked, kicked or let back in: whether the chat can be sent to; a group's member promoted or
    #    demoted: who may change its settings. (A group that became a supergroup: MIGRATION_GROUP, below.)
    add(ChatMemberHandler(subscriptions.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    add(ChatMemberHandler(permissions.member_changed, ChatMemberHandler.CHAT_MEMBER))

    # 7. Private chats only: a content file from an admin; a plain message is a name to look up;
    #    anything else gets a hint. (In groups the bot stays quiet unless a command is addressed to it.)
    add(MessageHandler(private & filters.Document.ALL, admin_content.received))
    add(MessageHandler(private & filters.TEXT & ~filters.COMMAND, cases.find_case_by_text))
    add(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    add(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, fallback.not_text))

    # 8. Last: a button whose data no pattern above accepts (forged, or from an older version).
    add(CallbackQueryHandler(fallback.unknown_button))

    # After group 0, whatever it did: a group that became a supergroup keeps its record under the new id.
    add(MessageHandler(filters.StatusUpdate.MIGRATE, subscriptions.group_migrated), group=MIGRATION_GROUP)

    application.add_error_handler(fallback.on_error)


def admin_draft() -> ConversationHandler[Any]:
    """/push and /correct: topic (or update) → a text per language → preview → Confirm / Edit / Cancel."""
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that per_message=False tracks buttons per chat and user, not per message: that is
        # the intent (one draft per admin), and an old preview's button gets a "no longer open" answer.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("push", admin.push), CommandHandler("correct", admin.correct)],
            states={
                admin.CHOOSING: [CallbackQueryHandler(admin.topic_chosen,
                                                      pattern=button_data.pattern(button_data.PUSH_TOPIC))],
                admin.CHOOSING_UPDATE: [CallbackQueryHandler(admin.update_chosen,
                                                             pattern=button_data.pattern(button_data.CORRECT))],
                admin.WRITING: [CommandHandler("skip", admin.skipped), MessageHandler(text, admin.text_received),
                                MessageHandler(~filters.COMMAND, admin.text_received)],
                admin.PREVIEWING: [CallbackQueryHandler(admin.decided,
                                                        pattern=button_data.pattern(button_data.PUSH_DECISION))],
                admin.SCHEDULING: [MessageHandler(text, admin.time_received),
                                   MessageHandler(~filters.COMMAND, admin.time_received)],
            },
            fallbacks=[CommandHandler("cancel", admin.cancel_draft)],
            conversation_timeout=DRAFT_TIMEOUT,
            name="admin-draft",
            allow_reentry=True,  # /push or /correct again starts a new draft
        )


def rejection() -> ConversationHandler[Any]:
    """Reject on a request's card: the admin's next message in that chat is the reason (/cancel keeps it open)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(desk.reject_pressed, pattern=desk.REJECT_PATTERN)],
            states={desk.REASON: [MessageHandler(~filters.COMMAND, desk.reason_received)]},
            fallbacks=[CommandHandler("cancel", desk.keep_open)],
            conversation_timeout=DRAFT_TIMEOUT,
            name="request-rejection",
            allow_reentry=True,
        )


async def on_startup(application: AnyApplication) -> None:
    """After `initialize`, before updates flow: command menus and descriptions, then `on_connected`."""
    await present(application, services_of(application))
    await on_connected(application)


async def on_connected(application: AnyApplication) -> None:
    """Once the Bot API has answered (`bot/startup.py`): content, and unfinished broadcasts resumed."""
    services = services_of(application)
    with loading_for_good():  # what is loaded now lives as long as the process (see bot/memory.py)
        await services.store.open()
        await ensure_content(services)
    for update_id in await services.publisher.recover():
        log.warning("update #%d was published by a process that stopped before recording its broadcast: "
                    "it was taken out of the timeline; publish it again", update_id)
    await services.publisher.broadcaster.resume_all()
    # After the resumed broadcasts: a request carried out here starts its own, which resume_all must not start again.
    await services.desk.start(application.job_queue)
    if application.job_queue is not None:
        # At once (APScheduler would take `first=0`, past once the job queue starts, to mean one interval later).
        application.job_queue.run_repeating(prune, interval=PRUNE_EVERY, name="prune",
                                            job_kwargs={"next_run_time": datetime.now(UTC), "misfire_grace_time": None})


async def prune(context: BotContext) -> None:
    """Nothing is kept longer than it serves: who got which broadcast only while a correction may need it (see
    store/outbox.py), a chat that blocked the bot only `BOT_INACTIVE_RETENTION_DAYS`, in case it comes back."""
    services = context.services
    pruned = await services.store.outbox.prune()
    if pruned:
        log.info("outbox: dropped the deliveries of %d old broadcasts", pruned)
    gone = await services.store.chats.prune_inactive(services.settings.inactive_retention_days)
    if gone:
        log.info("chats: deleted %d that blocked the bot %d days ago or more", gone,
                 services.settings.inactive_retention_days)


async def on_stop(application: AnyApplication) -> None:
    """Before the store closes: broadcasts stop claiming, and what is in flight is recorded."""
    await services_of(application).publisher.broadcaster.stop()


async def on_shutdown(application: AnyApplication) -> None:
    """Last: the store's files are closed and its lock released."""
    services_of(application).store.close()


async def ensure_content(services: Services, root: Path | None = None) -> None:
    """Serve what the store holds; on first start, seed it from `content/`."""
    if await services.store.content.load() is None:
        report = await services.store.content.import_items(read_content_dir(root or content_dir()))
        log.info("content seeded from files: %d items", len(report.added))


async def present_in_background(application: AnyApplication) -> None:
    """`present`, without holding up the first answers (16 Bot API calls: over a second at Telegram's round
    trips). A failure costs only the menus or descriptions until the next start: one log line, no stop."""
    try:
        await present(application, services_of(application))
    except TelegramError as exc:
        log.warning("the command menus and descriptions could not be set (%s: %s); the next start tries again",
                    type(exc).__name__, exc.message)


async def present(application: AnyApplication, services: Services) -> None:
    """How the bot presents itself in each language: the command menus (`set_command_menus`), then the
    descriptions (`set_descriptions`), which a member sees before pressing Start."""
    await set_command_menus(application, services)
    await set_descriptions(application, services)


async def set_command_menus(application: AnyApplication, services: Services) -> None:
    """The command menu in each language, the default (no language_code) in the default language."""
    default = services.settings.default_language
    for lang in LANGUAGES:
        tr = services.catalogs.get(lang)
        commands = [BotCommand(name, description) for name, description in render.commands_for(tr)]
        await application.bot.set_my_commands(commands, language_code=None if lang == default else lang)


async def set_descriptions(application: AnyApplication, services: Services) -> None:
    """The bot's description (an empty chat's "What can this bot do?") and short description (its profile, and
    the preview of a link to it) in each language, and without language_code in the default language for every
    other one. Only a text that differs is set: a restart reads them and changes nothing."""
    bot = application.bot
    for code, lang in [*((lang, lang) for lang in LANGUAGES), (None, services.settings.default_language)]:
        tr = services.catalogs.get(lang)
        description, short = render.description(tr), render.short_description(tr)
        if (await bot.get_my_description(language_code=code)).description != description:
            await bot.set_my_description(description, language_code=code)
        if (await bot.get_my_short_description(language_code=code)).short_description != short:
            await bot.set_my_short_description(short, language_code=code)


@asynccontextmanager
async def running(application: AnyApplication, *, poll_timeout: int = 10) -> AsyncIterator[AnyApplication]:
    """Run `application` by long polling inside an event loop that is already running (tests, try-out)."""
    async with application:
        await on_startup(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=poll_timeout, poll_interval=0,
                                                allowed_updates=ALLOWED_UPDATES)
        try:
            yield application
        finally:
            await application.updater.stop()
            await on_stop(application)
            await application.stop()
    await on_shutdown(application)
