"""A local stand-in for the Telegram Bot API.

:class:`LocalBotAPI` is an aiohttp server on 127.0.0.1 that answers the Bot API methods a bot
built on python-telegram-bot actually uses, with Telegram's response envelope, status codes,
error descriptions, HTML parsing rules, inline keyboard validation and flood limits. The
"user side" (messages, button presses, blocking the bot) is driven from Python or over a small
``/_control`` HTTP surface, and everything the bot did can be inspected afterwards.

Faults can be injected to test how a bot copes with a failing Bot API: ``api.fail("getMe", 500,
times=2)`` (or ``POST /_control/fail`` with ``method``, ``code``, optional ``times`` (default 1;
0 stops failing) and ``description``) answers the next ``times`` calls of that method with that
error code, in Telegram's error envelope (the description defaults to the status's reason phrase,
e.g. ``Unauthorized`` for a rejected token). The failed calls are recorded in ``calls`` too. With
``chat_id`` (``api.fail("sendMessage", 409, times=5, chat_id=1002)``, or ``chat_id`` in the POST),
only that method's calls for that one chat fail, so a broadcast can meet an odd error for one member
while the others are answered as usual; a chat's fault is used before the method's fault for all chats.

It serves three purposes: the terminal try-out (``campaign-bot chat``), behaviour tests that run
the real PTB ``Application`` over real HTTP, and broadcast benchmarks. Every request is O(1) in
the number of stored messages and nothing is logged per request.

Groups (``members.py``, ``forum.py``): ``set_group_admins`` and ``set_member_status`` say who runs a
group (getChatMember, ``chat_member`` and ``my_chat_member`` updates, the bot removed from a group);
``make_forum``, ``create_topic``, ``close_topic`` and ``delete_topic`` give a supergroup forum topics,
which messages carry as ``message_thread_id``; ``migrate_group`` turns a group into a supergroup.

Deleting (``deletion.py``): ``deleteMessage`` and ``deleteMessages`` (1-100 ids, those not found skipped) refuse a
message 48 hours old or older unless the bot runs the group; ``age_messages`` makes a chat's messages older.

Run it standalone with ``python -m bot.tryout.standin --port 9000 --rate 30 --latency 0.08``.

Deliberate differences from the real Bot API:

* ``parse_mode=HTML`` is stricter about ``&``: an ampersand that does not start one of
  ``&lt; &gt; &amp; &quot; &#NN; &#xHH;`` is rejected, where Telegram keeps it literally. A bot
  that escapes everything it interpolates never notices; one that forgets is caught here.
* Only ``HTML`` is implemented as a parse mode; ``Markdown``/``MarkdownV2`` are rejected.
* Only documents and photos are supported as media (``sendDocument``, ``sendPhoto``, ``getFile``); a photo
  is kept as uploaded (PNG or JPEG, one ``PhotoSize``), where Telegram stores it recompressed in several sizes.
* Inline mode (``inline.py``): ``inline_query`` queues a user's query, ``choose_inline_result`` sends a
  result of the bot's answer into a chat as the user's message ``via_bot``. That message is not delivered to
  the bot, and no ``chosen_inline_result`` is sent (inline feedback is off until set with BotFather).
* ``user_edit`` and ``channel_post`` (``posts.py``) queue ``edited_message``, ``channel_post`` and
  ``edited_channel_post`` whatever the bot named in ``allowed_updates``, where Telegram sends them only when
  named (or created before the list was set): a test can show what a bot does with one that arrives anyway.
* ``message_thread_id`` is accepted in forum topics only (Telegram documents it for forums); elsewhere a
  send with one gets "message thread not found". Messages in a topic do not carry ``reply_to_message``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from http import HTTPStatus
from itertools import islice
from typing import Any

from aiohttp import web

from bot.tryout.standin import control, deletion, posts
from bot.tryout.standin.descriptions import Descriptions
from bot.tryout.standin.forum import Forums, in_topic
from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.images import photo_size
from bot.tryout.standin.inline import InlineMode
from bot.tryout.standin.members import GONE, RUNS_IT, Members, chat_member, forbidden
from bot.tryout.standin.model import ApiError, Chat, Fault, SentMessage, StoredFile, TokenBucket, Upload
from bot.tryout.standin.params import (
    BLOCKED,
    CHAT_NOT_FOUND,
    COMMAND_RE,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    NOT_MODIFIED,
    USER_COMMAND_RE,
    default_user,
    float_param,
    formatted_param,
    group_type,
    int_param,
    message_text,
    ok,
    read_params,
    str_param,
    validate_markup,
)
from bot.tryout.standin.webhook import Webhook

_Method = Callable[[JSONDict], Awaitable[Any]]


class LocalBotAPI:
    """A Telegram Bot API stand-in on ``host:port`` (see the module docstring).

    Point PTB at it with ``Bot(token, base_url=api.base_url, base_file_url=api.base_file_url)``;
    any token is accepted. Flood limits are token buckets: ``rate_limit`` sends at once, then
    ``rate_limit`` per second, across all chats; ``per_chat_rate`` likewise per private chat and
    ``group_per_minute`` per group chat (negative id). A request over a limit gets Telegram's 429
    with ``retry_after``; rejected requests consume nothing and create nothing.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 7000001,
        bot_username: str = "campaign_tryout_bot",
        bot_name: str = "Campaign bot",
        rate_limit: float | None = None,
        per_chat_rate: float | None = None,
        group_per_minute: int | None = None,
        latency: float = 0.0,
        inline_mode: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self._per_chat_rate = per_chat_rate
        self._group_per_minute = group_per_minute
        self._global_bucket = TokenBucket(rate_limit, rate_limit) if rate_limit else None
        self._latency = latency

        self.calls: deque[tuple[str, JSONDict]] = deque(maxlen=100_000)
        self.callback_answers: dict[str, JSONDict] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.inline_mode = inline_mode  #: switched on with BotFather's /setinline (getMe tells the bot)
        self.inline = InlineMode()  #: the users' inline queries and the bot's answers
        self.descriptions = Descriptions()  #: setMyDescription, setMyShortDescription
        self.forums = Forums()  #: forum supergroups' topics (forum.py)
        self.members = Members()  #: statuses in groups, and the updates the bot asked for (members.py)
        self.sent_count = 0
        self.downloads: list[str] = []  #: the file paths the bot downloaded, in order
        self.rejected_429 = 0
        self.rejected_403 = 0
        self.max_concurrent_requests = 0  #: the most requests (long polls aside) held at the same moment
        self._in_flight = 0

        self._chats: dict[int, Chat] = {}
        self._users: dict[int, JSONDict] = {}
        self._updates: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._poll_waiters: set[asyncio.Future[None]] = set()
        self._open_callbacks: set[str] = set()
        self._next_callback_id = 1
        self._files: dict[str, StoredFile] = {}  #: by file_id and by file_path
        self._subscribers: list[asyncio.Queue[tuple[str, SentMessage]]] = []
        self._webhook = Webhook(self._updates)  #: setWebhook's deliveries (webhook.py)
        #: by lower-cased method name and chat id (``None``: every chat), see :meth:`fail`
        self._faults: dict[tuple[str, int | None], Fault] = {}
        self._slow: dict[tuple[str, int | None], list[float]] = {}  # (method, chat) → [seconds, times]
        self._running = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, _Method] = {
            name.lower(): method
            for name, method in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "answerInlineQuery": self.inline.answer,
                "setMyDescription": self.descriptions.set_description,
                "getMyDescription": self.descriptions.get_description,
                "setMyShortDescription": self.descriptions.set_short_description,
                "getMyShortDescription": self.descriptions.get_short_description,
                "getFile": self._get_file,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "deleteMessages": self._delete_messages,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendChatAction": self._send_chat_action,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
            }.items()
        }

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and serve; with ``port=0`` a free port is picked and stored in :attr:`port`."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        control.add_routes(app, self)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        self._running = True

    async def stop(self) -> None:
        """Answer pending long polls (with no updates) and shut the server down."""
        self._running = False
        self._wake_pollers()
        await self._webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """The ``base_url`` for PTB's ``Bot`` (PTB appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The ``base_file_url`` for PTB's ``Bot``."""
        return f"http://{self.host}:{self.port}/file/bot"

    # ---- the user side ---------------------------------------------------------------------

    def user_message(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        first_name: str = "Test",
        chat_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = None,
        thread_id: int | None = None,
    ) -> int:
        """Queue a text message from a user; returns its update_id.

        A leading ``/command`` (optionally ``@botname``) gets a ``bot_command`` entity. The chat is
        the user's private chat unless ``chat_id`` names a group (negative id); ``chat_type``
        defaults to what the id implies (``-100…`` ids are supergroups). ``thread_id``: written in
        that topic of a forum (see :meth:`create_topic`).
        """
        payload: JSONDict = {"text": text}
        command = USER_COMMAND_RE.match(text)
        if command:
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return self.user_update(
            user_id,
            payload,
            language_code=language_code,
            first_name=first_name,
            chat_id=chat_id,
            chat_type=chat_type,
            username=username,
            thread_id=thread_id,
        )

    def user_update(
        self,
        user_id: int,
        payload: JSONDict,
        *,
        language_code: str | None = "en",
        first_name: str = "Test",
        chat_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = None,
        thread_id: int | None = None,
    ) -> int:
        """Queue a message from a user with ``payload`` merged into the Message dict.

        Use it for messages without text, e.g. ``{"sticker": {...}}``. Writing in a private chat
        that blocked the bot unblocks it first, as Telegram's "Restart" button does.
        Returns the update_id.
        """
        chat_id = user_id if chat_id is None else chat_id
        if chat_type is None:
            chat_type = "private" if chat_id > 0 else group_type(chat_id)
        private = chat_type == "private"
        if (private and chat_id != user_id) or (not private and chat_id > 0):
            raise ValueError(f"chat {chat_id} cannot be of type {chat_type!r} for user {user_id}")
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._chat(chat_id, chat_type)
        if chat_type == "private":
            chat.info = {"id": chat_id, "type": "private", "first_name": first_name}
            if username is not None:
                chat.info["username"] = username
            if chat.blocked:
                self.set_blocked(chat_id, False)
        if thread_id is not None:
            self.forums.topic(chat, thread_id)  # ValueError: no such topic (any more)
        chat.user = user
        message_id = chat.next_message_id
        chat.next_message_id += 1
        date = int(time.time())
        text = payload.get("text", "")
        chat.messages[message_id] = SentMessage(
            message_id=message_id,
            chat_id=chat_id,
            html=text,
            text=text,
            entities=payload.get("entities", []),
            reply_markup=None,
            disable_notification=False,
            from_bot=False,
            date=date,
            thread_id=thread_id,
        )
        message = {
            "message_id": message_id,
            "from": user,
            "chat": chat.info,
            "date": date,
            **in_topic(thread_id),
            **payload,
        }
        return self._push_update("message", message)

    def user_document(self, user_id: int, file_name: str, data: bytes, *,
                      mime_type: str = "application/octet-stream", size_known: bool = True, **options: Any) -> int:
        """Queue a message in which the user sends a file (a document); returns the update_id.

        The file is stored like an upload, so the bot can fetch it with getFile and download it (getFile refuses
        one over Telegram's 20 MB for bots). ``size_known=False``: the Document has no ``file_size``, which
        Telegram documents as optional.
        """
        stored = self._store_upload(Upload(file_name, mime_type, data))
        document = stored.document()
        if not size_known:
            del document["file_size"]
        return self.user_update(user_id, {"document": document}, **options)

    def user_edit(self, user_id: int, text: str, *, message_id: int | None = None, chat_id: int | None = None) -> int:
        """The user edits a message they sent in ``chat_id`` (their private chat if None) to ``text``: the message
        ``message_id``, else the chat's latest from a user. Queues an ``edited_message`` (see posts.py) and returns
        its update_id; ``KeyError`` if the chat has no such message from a user."""
        chat_id = user_id if chat_id is None else chat_id
        chat = self._chats.get(chat_id)
        written = [m for m in chat.messages.values() if not m.from_bot] if chat is not None else []
        message = next((m for m in reversed(written) if message_id in (None, m.message_id)), None)
        if chat is None or message is None or message.deleted:
            raise KeyError(f"no user's message {message_id or ''} in chat {chat_id}")
        posts.edit(message, text)
        user = self._users.get(user_id) or default_user(user_id)
        return self._push_update("edited_message", posts.edited_message(message, user, chat.info))

    def channel_post(self, channel_id: int, text: str, *, edit_of: int | None = None) -> int:
        """A post in the channel ``channel_id``, or (``edit_of``) an edit of its post with that id: queues a
        ``channel_post`` or ``edited_channel_post`` (see posts.py) and returns its update_id. ``KeyError`` for an
        edit of a post that is not there."""
        chat = self._chat(channel_id, "channel")
        if chat.info["type"] != "channel":
            raise ValueError(f"chat {channel_id} is a {chat.info['type']}, not a channel")
        if edit_of is None:
            message = chat.messages[chat.next_message_id] = posts.post(channel_id, chat.next_message_id, text)
            chat.next_message_id += 1
            return self._push_update("channel_post", posts.channel_post(message, chat.info))
        message = chat.messages[edit_of]
        posts.edit(message, text)
        return self._push_update("edited_channel_post", posts.channel_post(message, chat.info))

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> str:
        """Queue a callback_query for a bot message; returns the callback_query id.

        ``data`` is sent as given, whether or not a button carries it. Raises ``KeyError`` if
        the chat has no such (undeleted) bot message.
        """
        chat_id = user_id if chat_id is None else chat_id
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if chat is None or message is None or message.deleted or not message.from_bot:
            raise KeyError(f"no bot message {message_id} in chat {chat_id}")
        user = dict(self._users.get(user_id) or default_user(user_id))
        user.pop("language_code", None)
        if language_code is not None:
            user["language_code"] = language_code
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self._open_callbacks.add(query_id)
        self._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user,
                "chat_instance": str(chat_id),
                "message": self._message_dict(message, chat),
                "data": data,
            },
        )
        return query_id

    def inline_query(self, user_id: int, query: str, *, offset: str = "", language_code: str | None = "en",
                     chat_type: str | None = "sender") -> str:
        """Queue an inline query (the user typed ``@bot query`` in a chat of ``chat_type``); returns its id.

        The bot's answer is then in ``inline.answers[id]``. ``ValueError`` while inline mode is off, or for a
        query longer than Telegram sends."""
        if not self.inline_mode:
            raise ValueError("inline mode is off for this bot (BotFather: /setinline)")
        user = dict(self._users.get(user_id) or default_user(user_id))
        user.pop("language_code", None)
        if language_code is not None:
            user["language_code"] = language_code
        inline_query = self.inline.query(user, query, offset, chat_type)
        self._push_update("inline_query", inline_query)
        return str(inline_query["id"])

    def choose_inline_result(self, user_id: int, query_id: str, result_id: str, chat_id: int) -> SentMessage:
        """The user picks a result of the bot's answer to their inline query, in the chat ``chat_id`` (any chat:
        the bot need not be in it). It is sent there as the user's message, ``via_bot``, with the result's
        keyboard; returns it. ``KeyError`` if the query, its answer or the result is not there."""
        result = self.inline.chosen(user_id, query_id, result_id)
        chat = self._chat(chat_id)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = SentMessage(
            message_id=message_id,
            chat_id=chat_id,
            html=result.html,
            text=result.text,
            entities=result.entities,
            reply_markup=result.reply_markup,
            disable_notification=False,
            from_bot=False,
            date=int(time.time()),
            via_bot=self.bot_user,
        )
        chat.messages[message_id] = message
        return message

    def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """Make the chat block (or unblock) the bot, queueing the my_chat_member update.

        While blocked, sends and chat actions to the chat get 403. No-op if unchanged.
        """
        chat = self._chat(chat_id)
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        statuses: list[JSONDict] = [{"status": "member"}, {"status": "kicked", "until_date": 0}]
        old, new = statuses if blocked else statuses[::-1]
        self._push_update(
            "my_chat_member",
            {
                "chat": chat.info,
                "from": chat.user,
                "date": int(time.time()),
                "old_chat_member": {"user": self.bot_user, **old},
                "new_chat_member": {"user": self.bot_user, **new},
            },
        )

    def fail(self, method: str, code: int, times: int = 1, description: str | None = None, *,
             chat_id: int | None = None, retry_after: int | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with the error ``code`` (4xx or 5xx).

        ``times=0`` stops failing. The description defaults to the status's reason phrase
        (``Unauthorized``, ``Internal Server Error``, ``Bad Gateway``...), as Telegram sends it.
        With ``chat_id``, only the calls whose ``chat_id`` parameter is that chat fail. A 429 with
        ``retry_after`` carries it as Telegram does (``parameters.retry_after``, "Too Many Requests: retry
        after N"): a flood wait of any length, as seen during Telegram's outages.
        """
        if not method:
            raise ValueError("fail: no method given")
        if not 400 <= code <= 599:
            raise ValueError(f"fail: {code} is not an HTTP error code")
        key = (method.lower(), chat_id)
        if times <= 0:
            self._faults.pop(key, None)
            return
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        if code == HTTPStatus.TOO_MANY_REQUESTS and retry_after is not None and description is None:
            description = f"Too Many Requests: retry after {retry_after}"
        self._faults[key] = Fault(code, description or phrase, times, retry_after)

    def slow(self, method: str, seconds: float, times: int = 1, *, chat_id: int | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` ``seconds`` late, as Telegram does in bad moments: the call
        takes effect at once (a message is delivered), only its answer is late; a client that gives up waiting
        does not know whether it happened. With ``chat_id``, only calls to that chat are slow."""
        if seconds < 0 or times < 0:
            raise ValueError("slow: seconds and times must not be negative")
        key = (method.lower(), chat_id)
        if times == 0:
            self._slow.pop(key, None)
        else:
            self._slow[key] = [seconds, times]

    def _take_slow(self, method: str, params: JSONDict) -> float:
        if not self._slow:
            return 0.0
        chat = params.get("chat_id")
        if isinstance(chat, str) and chat.lstrip("-").isdigit():
            chat = int(chat)
        keys = [(method.lower(), chat)] if isinstance(chat, int) and not isinstance(chat, bool) else []
        for key in [*keys, (method.lower(), None)]:
            slow = self._slow.get(key)
            if slow is not None:
                slow[1] -= 1
                if slow[1] <= 0:
                    del self._slow[key]
                return slow[0]
        return 0.0

    def _take_fault(self, method: str, params: JSONDict) -> Fault | None:
        """The injected fault that answers this call, if any (one of its ``times`` is used up)."""
        if not self._faults:
            return None
        chat = params.get("chat_id")
        if isinstance(chat, str) and chat.lstrip("-").isdigit():
            chat = int(chat)
        keys = [(method.lower(), chat)] if isinstance(chat, int) and not isinstance(chat, bool) else []
        for key in [*keys, (method.lower(), None)]:
            fault = self._faults.get(key)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self._faults[key]
                return fault
        return None

    def set_group_admins(self, chat_id: int, user_ids: Iterable[int]) -> None:
        """Who runs the group from the start: getChatMember reports them as administrators, everyone else as
        members. No update is queued (see :meth:`set_member_status` for a change the bot is told of)."""
        self._chat(chat_id)
        for user_id in user_ids:
            self.members.set_status(chat_id, user_id, "administrator")

    def set_member_status(self, chat_id: int, user_id: int, status: str, *, by: int = 1) -> int | None:
        """A user's status in a group changes (``by``: the admin who changed it); the bot's own (its id) too:
        ``left``/``kicked`` removes it (sends get 403), ``member``/``administrator`` adds it back.

        Queues ``my_chat_member`` for the bot; for anyone else ``chat_member``, only if the bot is an admin of
        the group and asked for it in ``allowed_updates`` (as Telegram). Returns the update's id, or None if
        none was queued."""
        chat = self._chat(chat_id)
        if chat.info["type"] == "private":
            raise ValueError("a private chat has no members to change; see set_blocked")
        old = self.members.set_status(chat_id, user_id, status)
        is_bot = user_id == self.bot_user["id"]
        if is_bot:
            chat.blocked = status in GONE
        elif not (self.members.wanted("chat_member") and self.members.status(chat_id, self.bot_user["id"]) in RUNS_IT):
            return None
        if old == status:
            return None
        user = self.bot_user if is_bot else self._users.get(user_id) or default_user(user_id)
        return self._push_update("my_chat_member" if is_bot else "chat_member", {
            "chat": chat.info,
            "from": self._users.get(by) or default_user(by, "Group admin"),
            "date": int(time.time()),
            "old_chat_member": chat_member(user, old),
            "new_chat_member": chat_member(user, status),
        })

    def make_forum(self, chat_id: int) -> None:
        """Turn topics on in a supergroup (``is_forum``); then see :meth:`create_topic`."""
        self.forums.make_forum(self._chat(chat_id))

    def create_topic(self, chat_id: int, name: str, *, by: int = 1) -> int:
        """A forum topic is created (by the user ``by``); returns its ``message_thread_id``. The service
        message ``forum_topic_created`` is queued as Telegram sends it (the first message of the topic)."""
        chat = self._chat(chat_id)
        thread_id = chat.next_message_id
        created = self.forums.create(chat, thread_id, name)
        self.user_update(by, created, chat_id=chat_id, thread_id=thread_id, language_code=None)
        return thread_id

    def close_topic(self, chat_id: int, thread_id: int, *, closed: bool = True, by: int = 1) -> None:
        """Close (or reopen) a topic: the bot's sends into it get 400 TOPIC_CLOSED until reopened."""
        chat = self._chat(chat_id)
        topic = self.forums.topic(chat, thread_id)
        if topic.closed != closed:
            topic.closed = closed
            kind = "forum_topic_closed" if closed else "forum_topic_reopened"
            self.user_update(by, {kind: {}}, chat_id=chat_id, thread_id=thread_id, language_code=None)

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Delete a topic and its messages: the bot's sends into it get 400 "message thread not found"."""
        chat = self._chat(chat_id)
        self.forums.topic(chat, thread_id).deleted = True
        for message in chat.messages.values():
            if message.thread_id == thread_id and not message.deleted:
                message.deleted = True
                if message.from_bot:
                    self._publish("delete", message)

    def migrate_group(self, group_id: int, supergroup_id: int, *, announce: bool = True, by: int = 1) -> list[int]:
        """The group became a supergroup with a new id: sends to the old id get Telegram's 400 with
        ``migrate_to_chat_id``; the new chat is known and can be sent to. With ``announce``, the service
        messages Telegram sends are queued (``migrate_to_chat_id`` in the group, ``migrate_from_chat_id`` in
        the supergroup); returns their update ids."""
        self._chat(group_id).migrated_to = supergroup_id
        self._chat(supergroup_id, "supergroup")
        if not announce:
            return []
        return [self.user_update(by, {"migrate_to_chat_id": supergroup_id}, chat_id=group_id, language_code=None),
                self.user_update(by, {"migrate_from_chat_id": group_id}, chat_id=supergroup_id, language_code=None)]

    def add_chats(self, chat_ids: Iterable[int]) -> None:
        """Make chats known without a user writing first (e.g. a benchmark's audience).

        Positive ids become private chats, negative ones groups (``-100…`` supergroups).
        """
        for chat_id in chat_ids:
            self._chat(chat_id)

    def age_messages(self, chat_id: int, seconds: float) -> None:
        """The chat's messages were sent ``seconds`` earlier (``deletion.py``): past 48 hours, a bot cannot delete
        them."""
        deletion.age(self._chat(chat_id), seconds)

    def drop_history(self) -> None:
        """Forget the messages, calls, answers and files kept so far (chats, users, statuses and ids stay): over a
        long run in one process, what grows is then the bot's memory, not the stand-in's record of what it did."""
        self.calls.clear()
        self.downloads.clear()
        self.callback_answers.clear()
        self._open_callbacks.clear()
        self.inline.queries.clear()
        self.inline.answers.clear()
        self._files.clear()
        for chat in self._chats.values():
            chat.messages.clear()

    # ---- observation -----------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in the chat, oldest first, deleted ones included (flagged)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m.from_bot]

    def last_message(self, chat_id: int) -> SentMessage | None:
        """The bot's most recent message in the chat (possibly deleted), or ``None``."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return None
        return next((m for m in reversed(chat.messages.values()) if m.from_bot), None)

    def subscribe(self) -> asyncio.Queue[tuple[str, SentMessage]]:
        """A queue receiving ``("new" | "edit" | "delete", message)`` for every bot message."""
        queue: asyncio.Queue[tuple[str, SentMessage]] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[tuple[str, SentMessage]]) -> None:
        """Stop feeding a queue returned by :meth:`subscribe`."""
        self._subscribers.remove(queue)

    @property
    def last_update_id(self) -> int:
        """The update_id of the most recently queued update (0 before the first)."""
        return self._next_update_id - 1

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def stats(self) -> JSONDict:
        """Counters: sent_count, rejected_429, rejected_403, pending_updates."""
        return {
            "sent_count": self.sent_count,
            "rejected_429": self.rejected_429,
            "rejected_403": self.rejected_403,
            "pending_updates": self.pending_updates(),
        }

    # ---- internals -------------------------------------------------------------------------

    def _chat(self, chat_id: int, chat_type: str | None = None) -> Chat:
        """The chat with that id, created (private if positive, else a group) if unknown."""
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            info: JSONDict = {"id": chat_id, "type": "private", "first_name": "Test"}
            rate = self._per_chat_rate
            bucket = TokenBucket(rate, rate) if rate else None
            user = self._users.get(chat_id) or default_user(chat_id)
        else:
            info = {
                "id": chat_id,
                "type": chat_type or group_type(chat_id),
                "title": f"Test group {-chat_id}",
            }
            per_minute = self._group_per_minute
            bucket = TokenBucket(per_minute / 60, per_minute) if per_minute else None
            user = default_user(1, "Group admin")
        chat = self._chats[chat_id] = Chat(info=info, bucket=bucket, user=user)
        return chat

    def _push_update(self, kind: str, payload: JSONDict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        self._wake_pollers()
        self._webhook.queued()
        return update_id

    def _wake_pollers(self) -> None:
        for waiter in self._poll_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._poll_waiters.clear()

    def _publish(self, event: str, message: SentMessage) -> None:
        for queue in self._subscribers:
            queue.put_nowait((event, message))

    def _message_dict(self, message: SentMessage, chat: Chat) -> JSONDict:
        result: JSONDict = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": chat.info,
            "date": message.date,
            **in_topic(message.thread_id),
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.photo is not None:
            result["photo"] = message.photo
        if message.document is not None:
            result["document"] = message.document
        if message.document is not None or message.photo is not None:
            text_key, entities_key = "caption", "caption_entities"
        else:
            text_key, entities_key = "text", "entities"
        if message.text:
            result[text_key] = message.text
        if message.entities:
            result[entities_key] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    def _known_chat(self, params: JSONDict) -> Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat

    def _reachable_chat(self, params: JSONDict) -> Chat:
        """The target chat of a send; 400 if unknown (or its forum topic is), 403 if it blocked the bot or
        removed it from the group."""
        chat = self._known_chat(params)
        if chat.blocked:
            self.rejected_403 += 1
            if chat.info["type"] == "private":
                raise ApiError(403, BLOCKED)
            raise ApiError(403, forbidden(chat.info["type"], self.members.status(chat.info["id"], self.bot_user["id"])))
        if chat.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                            {"migrate_to_chat_id": chat.migrated_to})
        self.forums.thread_of_send(chat, params)
        return chat

    def _take_send_slot(self, chat: Chat) -> None:
        """Apply the flood limits to one send to ``chat`` (429 when over a limit)."""
        buckets = [b for b in (self._global_bucket, chat.bucket) if b is not None]
        if not buckets:
            return
        now = time.monotonic()
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            self.rejected_429 += 1
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        for bucket in buckets:
            bucket.take()

    def _new_bot_message(
        self,
        chat: Chat,
        params: JSONDict,
        formatted: tuple[str, str, list[JSONDict]],
        markup: JSONDict | None,
        document: JSONDict | None = None,
        photo: list[JSONDict] | None = None,
    ) -> JSONDict:
        raw, text, entities = formatted
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = SentMessage(
            message_id=message_id,
            chat_id=chat.info["id"],
            html=raw,
            text=text,
            entities=entities,
            reply_markup=markup,
            disable_notification=bool(params.get("disable_notification")),
            from_bot=True,
            date=int(time.time()),
            document=document,
            photo=photo,
            thread_id=self.forums.thread_of_send(chat, params),
        )
        chat.messages[message_id] = message
        self.sent_count += 1
        self._publish("new", message)
        return self._message_dict(message, chat)

    def _message_to_edit(self, params: JSONDict) -> tuple[Chat, SentMessage]:
        chat = self._reachable_chat(params)
        message = chat.messages.get(int_param(params, "message_id"))
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, message

    def _apply_edit(self, chat: Chat, message: SentMessage) -> JSONDict:
        message.edits += 1
        message.edit_date = int(time.time())
        self._publish("edit", message)
        return self._message_dict(message, chat)

    # ---- Bot API methods -------------------------------------------------------------------

    async def _true(self, params: JSONDict) -> bool:
        return True

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, params: JSONDict) -> bool:
        self.members.ask_for(params.get("allowed_updates"))
        self._webhook.set(params)
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook.delete(params)
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return self._webhook.info()

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self._webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        self.members.ask_for(params.get("allowed_updates"))
        offset = int_param(params, "offset", 0)
        limit = min(max(int_param(params, "limit", 100), 1), 100)
        timeout = float_param(params, "timeout", 0.0)
        updates = self._updates
        if offset > 0:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        if not updates and timeout > 0 and self._running:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._poll_waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, timeout)
            except TimeoutError:
                pass
            finally:
                self._poll_waiters.discard(waiter)
        return list(islice(updates, limit))

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._reachable_chat(params)
        formatted = message_text(params)
        markup = validate_markup(params.get("reply_markup"))
        self._take_send_slot(chat)
        return self._new_bot_message(chat, params, formatted, markup)

    async def _send_document(self, params: JSONDict) -> JSONDict:
        chat = self._reachable_chat(params)
        formatted = formatted_param(params, "caption", "caption_entities")
        if len(formatted[1]) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = validate_markup(params.get("reply_markup"))
        source = self._document_source(params)
        self._take_send_slot(chat)
        stored = source if isinstance(source, StoredFile) else self._store_upload(source)
        return self._new_bot_message(chat, params, formatted, markup, stored.document())

    def _document_source(self, params: JSONDict) -> StoredFile | Upload:
        """The ``document`` parameter: a new upload, or the file_id of a stored file."""
        document = params.get("document")
        if isinstance(document, Upload):
            if not document.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return document
        stored = self._files.get(str_param(params, "document"))
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return stored

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        chat = self._reachable_chat(params)
        formatted = formatted_param(params, "caption", "caption_entities")
        if len(formatted[1]) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = validate_markup(params.get("reply_markup"))
        photo = params.get("photo")
        if isinstance(photo, Upload):
            size = photo_size(photo.data)
            self._take_send_slot(chat)
            stored = self._store_upload(photo, size)
        else:
            known = self._files.get(str_param(params, "photo"))
            if known is None or not known.width:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            self._take_send_slot(chat)
            stored = known
        return self._new_bot_message(chat, params, formatted, markup, photo=stored.photo())

    def _store_upload(self, upload: Upload, size: tuple[int, int] | None = None) -> StoredFile:
        """Keep an uploaded file (a photo when its ``size`` is given) for getFile and downloads."""
        number = len(self._files) // 2 + 1
        kind, prefix = ("photos", "AgACAgIAAx") if size else ("documents", "BQACAgIAAx")
        width, height = size or (0, 0)
        stored = StoredFile(
            file_id=f"{prefix}{number:08d}",
            file_unique_id=f"AgAD{number:08d}",
            file_path=f"{kind}/file_{number}",
            file_name=upload.filename,
            mime_type=upload.content_type,
            data=upload.data,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = self._files[stored.file_path] = stored
        return stored

    async def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str_param(params, "file_id"))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat, message = self._message_to_edit(params)
        if message.document is not None or message.photo is not None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        raw, text, entities = message_text(params)
        markup = validate_markup(params.get("reply_markup"))
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        self._take_send_slot(chat)
        message.html, message.text, message.entities = raw, text, entities
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        chat, message = self._message_to_edit(params)
        markup = validate_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._take_send_slot(chat)
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    def _runs_the_group(self, chat: Chat) -> bool:
        return chat.info["type"] != "private" and self.members.status(chat.info["id"], self.bot_user["id"]) in RUNS_IT

    async def _delete_message(self, params: JSONDict) -> bool:
        chat = self._known_chat(params)
        message = deletion.delete_one(chat, params, self._runs_the_group(chat))
        if message.from_bot:
            self._publish("delete", message)
        return True

    async def _delete_messages(self, params: JSONDict) -> bool:
        chat = self._known_chat(params)
        for message in deletion.delete_many(chat, params, self._runs_the_group(chat)):
            if message.from_bot:
                self._publish("delete", message)
        return True

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str_param(params, "callback_query_id")
        if query_id not in self._open_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = params
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        return scope["type"], str_param(params, "language_code")

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not COMMAND_RE.fullmatch(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._reachable_chat(params)
        if not str_param(params, "action"):
            raise ApiError(400, "Bad Request: action is empty")
        return True

    async def _get_chat_member(self, params: JSONDict) -> JSONDict:
        chat = self._known_chat(params)
        user_id = int_param(params, "user_id")
        user = self.bot_user if user_id == self.bot_user["id"] else self._users.get(user_id) or default_user(user_id)
        if chat.info["type"] == "private":
            return chat_member(user, "member")
        return chat_member(user, self.members.status(chat.info["id"], user_id))

    async def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._known_chat(params)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # ---- HTTP handlers ---------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as exc:
            return exc.response()
        self.calls.append((name, params))
        polling = name.lower() == "getupdates"
        if not polling:
            self._in_flight += 1
            self.max_concurrent_requests = max(self.max_concurrent_requests, self._in_flight)
        try:
            return await self._answer(name, params)
        finally:
            if not polling:
                self._in_flight -= 1

    async def _answer(self, name: str, params: JSONDict) -> web.Response:
        if self._latency:
            await asyncio.sleep(self._latency)
        fault = self._take_fault(name, params)
        if fault is not None:
            parameters = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
            return ApiError(fault.code, fault.description, parameters).response()
        method = self._methods.get(name.lower())
        if method is None:
            return ApiError(404, "Not Found").response()
        late = self._take_slow(name, params)
        try:
            answer = ok(await method(params))
        except ApiError as exc:
            answer = exc.response()
        if late:
            await asyncio.sleep(late)
        return answer

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self._latency:
            await asyncio.sleep(self._latency)
        stored = self._files.get(request.match_info["path"])
        if stored is None:
            return ApiError(404, "Not Found").response()
        self.downloads.append(stored.file_path)
        return web.Response(body=stored.data, content_type=stored.mime_type)





async def _serve(api: LocalBotAPI) -> None:
    await api.start()
    print(api.base_url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m bot.tryout.standin``: serve until interrupted, printing the base URL first."""
    parser = argparse.ArgumentParser(description="Local stand-in for the Telegram Bot API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--rate", type=float, default=None, help="global sends per second")
    parser.add_argument("--per-chat-rate", type=float, default=None, help="sends/s per private chat")
    parser.add_argument("--group-per-minute", type=int, default=None, help="sends/min per group")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--bot-username", default="campaign_tryout_bot")
    args = parser.parse_args(argv)
    api = LocalBotAPI(
        host=args.host,
        port=args.port,
        bot_username=args.bot_username,
        rate_limit=args.rate,
        per_chat_rate=args.per_chat_rate,
        group_per_minute=args.group_per_minute,
        latency=args.latency,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(api))


if __name__ == "__main__":
    main()
