"""What the hostile-input tests share: the registered handlers, the store's records, the bot's languages, and a
harness that feeds one running bot update after update and checks each against the properties every answer keeps.

Used by tests/test_hostile.py (generated updates) and tests/test_permissions_matrix.py (who may do what).
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from babel.messages.pofile import read_po
from telegram import Update
from telegram.ext import Application, BaseHandler, ConversationHandler

from bot import LANGUAGES
from bot.app import register
from bot.content import read_content_dir
from bot.context import BotContext
from bot.handlers.permissions import admins_only
from bot.i18n import resolve_language
from bot.model import ChatRecord
from bot.render import shorten
from bot.tryout.driver import LocalBot
from bot.tryout.standin import SentMessage
from tests.conftest import ROOT, Member

BOT_USERNAME = "campaign_tryout_bot"

# --- the handlers as app.register wires them --------------------------------------------------------------------


def conversations() -> list[ConversationHandler[Any]]:
    """The conversations `bot.app.register` adds (the admins' drafts)."""
    application = Application.builder().token("1:registered-handlers-only").build()
    register(application)
    return [h for handlers in application.handlers.values() for h in handlers if isinstance(h, ConversationHandler)]


def inside(conversation: ConversationHandler[Any]) -> list[BaseHandler[Any, Any, Any]]:
    """A conversation's handlers: its entries, those of each state, its fallbacks."""
    return [*conversation.entry_points, *(h for states in conversation.states.values() for h in states),
            *conversation.fallbacks]


def registered() -> list[BaseHandler[Any, Any, Any]]:
    """Every handler `bot.app.register` adds, those inside its conversations included."""
    application = Application.builder().token("1:registered-handlers-only").build()
    register(application)
    found: list[BaseHandler[Any, Any, Any]] = []
    for handlers in application.handlers.values():
        for handler in handlers:
            found += inside(handler) if isinstance(handler, ConversationHandler) else [handler]
    return found


def name_of(handler: BaseHandler[Any, Any, Any]) -> str:
    """`module.function` of the function a handler calls (through `admins_only`, the function it guards)."""
    callback = getattr(handler.callback, "__wrapped__", handler.callback)
    return f"{callback.__module__.removeprefix('bot.handlers.')}.{callback.__qualname__}"


async def _any_handler(update: Update, context: BotContext) -> None:
    """What `admins_only` makes of it has the code of every guarded handler."""


_GUARD = admins_only(_any_handler).__code__


def guarded(handler: BaseHandler[Any, Any, Any]) -> bool:
    """The handler's function is wrapped in `@admins_only`."""
    return getattr(handler.callback, "__code__", None) is _GUARD


def kind_of(pattern: re.Pattern[str]) -> str:
    """The kind of callback data a button handler's pattern takes (`bot/button_data.py`): `lang`, `push:topic`…"""
    found = re.match(r"\^\(\?:n:\)\?([a-z]+(?::[a-z]+)*)", pattern.pattern)
    return found.group(1) if found else ""


def calls(handler: BaseHandler[Any, Any, Any], name: str) -> bool:
    """The handler's function (the one `admins_only` guards, if it is guarded) refers to `name`."""
    callback = getattr(handler.callback, "__wrapped__", handler.callback)
    return name in callback.__code__.co_names


# --- what the store holds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """The store's records: every chat's (and its forum topics'), the timeline, the broadcasts, the content."""

    chats: dict[int, tuple[ChatRecord, ...]]
    updates: tuple[Any, ...]
    broadcasts: tuple[Any, ...]
    content: int  # the id of the Content object served: an applied content file replaces it

    def changed_chats(self, after: Stored) -> set[int]:
        chats = self.chats.keys() | after.chats.keys()
        return {chat for chat in chats if self.chats.get(chat) != after.chats.get(chat)}

    def same_but_chats(self, after: Stored) -> bool:
        return (self.updates, self.broadcasts, self.content) == (after.updates, after.broadcasts, after.content)


async def stored(bot: LocalBot) -> Stored:
    store = bot.services.store
    chats = {chat: tuple(await store.chats.records_of(chat)) for chat in await store.chats.chat_ids()}
    return Stored(chats, tuple(await store.updates.history()), tuple(await store.outbox.recent(None)),
                  id(store.content.content))


# --- languages --------------------------------------------------------------------------------------------------

_NOT_TEXT = re.compile(r"\{[^{}]*\}|<[^>]*>|&\w+;|/\w+|\n|[«»“”\"()…:;.!?]")
MIN_FRAGMENT = 12


def _catalog_texts() -> dict[str, set[str]]:
    texts: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        with (ROOT / "locales" / lang / "LC_MESSAGES" / "bot.po").open("rb") as po:
            for message in read_po(po, locale=lang):
                if not message.id or not message.string:
                    continue
                for source, target in ((message.id, "en"), (message.string, lang)):  # a plural has several
                    texts[target].update(s for s in (source if isinstance(source, tuple | list) else [source])
                                         if isinstance(s, str) and s)
    return texts


def _fragments(text: str) -> Iterator[str]:
    for piece in _NOT_TEXT.split(text):
        piece = piece.strip(" ,—–-·•✓🔔🔕")
        if len(piece) >= MIN_FRAGMENT and " " in piece:  # a phrase: a single word may be a name, or a quote
            yield piece


def scrub(text: str, echo: str) -> str:
    """`text` without what the member sent (`echo`), whole or as a reply quotes it (one line, shortened)."""
    quoted = shorten(echo)
    for piece in sorted({echo, shorten(echo, len(echo) + 1), quoted, quoted.removesuffix("…")} - {""},
                        key=len, reverse=True):
        text = text.replace(piece, " ")
    return text


def _content_texts(value: Any) -> Iterator[str]:
    """Every string in a content file's data."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _content_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _content_texts(item)
    elif isinstance(value, str):
        yield value


class Languages:
    """Tells which of the bot's languages a reply is in, from the catalogs: each language's own phrases (pieces of
    its interface texts between placeholders and tags, of `MIN_FRAGMENT` characters or more, found in no other
    language's texts, nor anywhere in the content, which quotes titles in their own language)."""

    def __init__(self) -> None:
        texts = _catalog_texts()
        content = "\n".join(t for item in read_content_dir(ROOT / "content") for t in _content_texts(item.data))
        self.own: dict[str, frozenset[str]] = {}
        for lang, strings in texts.items():
            others = [t for other, ts in texts.items() if other != lang for t in ts]
            self.own[lang] = frozenset(f for s in strings for f in _fragments(s)
                                       if f not in content and not any(f in other for other in others))

    def found(self, text: str) -> dict[str, list[str]]:
        """Each language whose own phrases `text` holds, with those phrases."""
        return {lang: hits for lang, phrases in self.own.items() if (hits := [p for p in phrases if p in text])}

    def problem(self, text: str, lang: str) -> str | None:
        """Why `text` is not a reply in `lang` (None if it is): a phrase of another language in it."""
        wrong = {other: hits for other, hits in self.found(text).items() if other != lang}
        return f"phrases in {', '.join(wrong)}: {wrong}" if wrong else None


LANGUAGE_CHECK = Languages()


async def expected_language(bot: LocalBot, member: Member) -> str:
    """The language the bot answers `member` in, as the ARCHITECTURE says: the chat's (or forum topic's) chosen
    language, else the member's app language in a private chat, the group's in a group."""
    chats = bot.services.store.chats
    app = resolve_language(member.language_code, bot.services.settings.default_language)
    private = member.chat_type == "private"
    thread = None if private else member.thread_id
    record = await chats.get(member.chat_id, thread)
    if record is None:
        group = await chats.get(member.chat_id) if thread is not None else None
        return group.language if group is not None else app
    if record.chose_language or not private or member.language_code is None:
        return record.language
    return app


# --- what must never reach a member ------------------------------------------------------------------------------

TRACEBACK = re.compile(r"Traceback \(most recent|File \"[^\"]*\", line \d|\b[A-Z]\w*(?:Error|Exception)\b|"
                       r"\btelegram\.error\b|site-packages|/bot/\w+\.py")


class ErrorLog(logging.Handler):
    """Every log record at ERROR or above, from any logger: the error handler logs each exception a handler raises
    (`handlers.fallback.on_error`), PTB logs one its error handler raises, asyncio a task's that nobody read."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = [ascii(f"{r.name}: {r.getMessage()} {self.format(r) if r.exc_info else ''}") for r in self.records]
        self.records.clear()
        return found


# --- the harness --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What one update got back: the bot's new or edited messages, a button's answer, an inline answer's texts."""

    messages: list[SentMessage]
    notices: list[str]


class Harness:
    """One running bot, fed update after update by `act`, each checked against the properties of the module
    docstring of tests/test_hostile.py."""

    def __init__(self, bot: LocalBot, errors: ErrorLog) -> None:
        self.bot = bot
        self.errors = errors
        self.events = bot.api.subscribe()
        self.updates = 0
        self.examples = 0
        self.replies = 0
        self.recognised = 0
        """Replies checked for their language, and those in which a phrase of it was found (the check has teeth)."""
        self.seen_data: deque[str] = deque(maxlen=512)
        """Callback data of buttons the bot sent anyone: a member can send it from their own chat."""

    def begin(self) -> None:
        """A new example: the stand-in's record of earlier ones is dropped (its memory is not the bot's)."""
        self.examples += 1
        self.bot.api.drop_history()

    def _drain(self) -> list[SentMessage]:
        messages = []
        while not self.events.empty():
            event, message = self.events.get_nowait()
            if event in ("new", "edit"):
                messages.append(message)
                for button in message.buttons():
                    if "callback_data" in button:
                        self.seen_data.append(button["callback_data"])
        return messages

    async def act(self, actor: Member | None, deliver: Callable[[], Awaitable[Any]], *, may_change: bool,
                  echo: str = "", notices: Callable[[Any], list[str]] = lambda _: [],
                  check_language: Callable[[SentMessage], bool] = lambda _: True, admin: bool = False,
                  quoted: tuple[str, ...] = ()) -> Reply:
        """Deliver one update from `actor` (None: from a channel) and check what followed: nothing logged at ERROR,
        no traceback in any reply, replies only in the actor's chat and language, and the store unchanged unless
        `may_change` (then only the actor's chat may change; `admin`: anything may, an admin's action publishes).
        `notices(result)`: texts of a button's or an inline query's answer, from what `deliver` returned; `quoted`:
        what the actor sent before that a reply may quote (an admin's draft, in its preview)."""
        before = await stored(self.bot)
        languages = {await expected_language(self.bot, actor)} if actor is not None else set()
        self._drain()
        result = await deliver()
        self.updates += 1
        messages = self._drain()
        after = await stored(self.bot)
        texts = notices(result)
        failures = self.errors.take()
        assert not failures, f"logged at ERROR: {failures}"
        def unquoted(text: str) -> str:
            for said in (echo, *quoted):
                text = scrub(text, said)
            return text

        for text in [m.text for m in messages] + texts:
            assert not TRACEBACK.search(unquoted(text)), f"an error's text reached a member: {text!r}"
        if actor is None:
            assert messages == [], f"the bot wrote after a channel post: {[m.text for m in messages]}"
        else:
            assert all((m.chat_id, m.thread_id) == (actor.chat_id, actor.thread_id) for m in messages), (
                f"written elsewhere than the chat of the update: {[(m.chat_id, m.thread_id) for m in messages]}")
            languages.add(await expected_language(self.bot, actor))  # a reply to a change is in the new language
            checked = [m.text for m in messages if check_language(m)]
            for text in checked + texts:
                problems = [LANGUAGE_CHECK.problem(unquoted(text), lang) for lang in sorted(languages)]
                assert None in problems, f"not in {' or '.join(sorted(languages))}: {problems}\n{text!r}"
            self.replies += len(checked)  # an inline answer's results are content: names, not the interface's phrases
            self.recognised += sum(bool(languages & LANGUAGE_CHECK.found(unquoted(text)).keys()) for text in checked)
        if admin:
            return Reply(messages, texts)
        changed = before.changed_chats(after)
        assert before.same_but_chats(after), "the timeline, the broadcasts or the content changed"
        if not may_change or actor is None:
            assert not changed, f"invalid input changed the records of chats {changed}"
        else:
            assert changed <= {actor.chat_id}, f"another chat's records changed: {changed - {actor.chat_id}}"
        return Reply(messages, texts)

    async def says(self, actor: Member, text: str, *, may_change: bool = False, **checks: Any) -> Reply:
        return await self.act(actor, lambda: self.bot.message(
            actor.user_id, text, language_code=actor.language_code, chat_id=actor.chat_id,
            chat_type=actor.chat_type, thread_id=actor.thread_id), may_change=may_change, echo=text, **checks)

    async def presses(self, actor: Member, data: str, *, may_change: bool = False, **checks: Any) -> Reply:
        """`actor` presses a button carrying `data` under the bot's latest message in their chat (after asking for
        /help if there is none): every press is answered."""
        if not [m for m in actor.replies if not m.deleted]:
            await self.says(actor, "/help" if actor.chat_type == "private" else f"/help@{BOT_USERNAME}")
        message = [m for m in actor.replies if not m.deleted][-1]

        def answer(query_id: str) -> list[str]:
            answered = self.bot.api.callback_answers.get(query_id)
            assert answered is not None, f"the press of {data!r} was never answered"
            text = answered.get("text")
            return [text] if isinstance(text, str) else []

        return await self.act(actor, lambda: self.bot.press(
            actor.user_id, message.message_id, data, language_code=actor.language_code, chat_id=actor.chat_id),
            may_change=may_change, notices=answer, **checks)
