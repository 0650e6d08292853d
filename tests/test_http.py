"""bot/aiohttp_request.py: PTB's real Bot and Application over aiohttp, against the stand-in and raw sockets.

No timing thresholds: every wait is a generous hang guard (``asyncio.wait_for``), and the
short timeouts given to the requests only decide *which* outcome a test sees.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import socket
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, Self, TypeVar

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CommandHandler, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.aiohttp_request import POOL_TIMEOUT_MESSAGE, WATCHED_BODY_BYTES, AiohttpRequest
from bot.tryout.standin import LocalBotAPI

TOKEN = "123456:TEST-made-up"
USER = 42
GUARD = 30.0
"""Seconds after which a test calls a request hung (never reached when things work)."""

T = TypeVar("T")


async def guarded(awaitable: Awaitable[T]) -> T:
    return await asyncio.wait_for(awaitable, GUARD)


@asynccontextmanager
async def serving(
    request_class: type[BaseRequest] = AiohttpRequest, **options: Any
) -> AsyncIterator[tuple[LocalBotAPI, Bot]]:
    """A started stand-in and an initialized PTB Bot talking to it through AiohttpRequest."""
    api = LocalBotAPI(**options)
    await api.start()
    try:
        bot = Bot(
            token=TOKEN,
            base_url=api.base_url,
            base_file_url=api.base_file_url,
            request=request_class(),
            get_updates_request=request_class(read_timeout=0.5),  # type: ignore[call-arg]
        )
        async with bot:
            api.user_message(USER, "hello")  # makes the private chat known
            yield api, bot
    finally:
        await api.stop()


@pytest.fixture
async def api_bot() -> AsyncIterator[tuple[LocalBotAPI, Bot]]:
    async with serving() as pair:
        yield pair


class RawServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers (nor reads)."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        self.connected.set()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()


class RecordingServer(RawServer):
    """Reads each HTTP request whole, keeps (request head, body) and answers ``{"ok": true, ...}``."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, bytes]] = []

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        while True:
            try:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            except (asyncio.IncompleteReadError, ConnectionError):
                return  # the client closed the connection
            fields = (line.split(":", 1) for line in head.split("\r\n")[1:] if ":" in line)
            length = next((int(value) for name, value in fields if name.lower() == "content-length"), 0)
            self.requests.append((head, await reader.readexactly(length)))
            body = json.dumps({"ok": True, "result": True}).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()


def raw_bot(url: str, request: AiohttpRequest) -> Bot:
    """A Bot for a raw server: not initialized (that would call getMe), its request is."""
    return Bot(token=TOKEN, base_url=url, request=request, get_updates_request=AiohttpRequest())


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# ---- construction ------------------------------------------------------------------------------


def test_defaults_mirror_httpxrequest() -> None:
    request = AiohttpRequest()
    assert isinstance(request, BaseRequest)
    assert request.read_timeout == 5.0
    assert request.connection_pool_size == 256
    assert AiohttpRequest(read_timeout=None).read_timeout is None
    assert AiohttpRequest(read_timeout=42).read_timeout == 42
    with pytest.raises(ValueError, match="connection_pool_size"):
        AiohttpRequest(connection_pool_size=0)


async def test_requests_need_an_initialized_session() -> None:
    # do_request raises RuntimeError itself; BaseRequest.post/retrieve (shared with HTTPXRequest)
    # wrap any non-Telegram exception of do_request in NetworkError, cause kept.
    api = LocalBotAPI()
    await api.start()
    try:
        request = AiohttpRequest()
        url = f"{api.base_url}{TOKEN}/getMe"
        with pytest.raises(RuntimeError, match="not initialized"):
            await request.do_request(url, "POST")
        await request.initialize()
        await request.initialize()  # idempotent
        status, body = await guarded(request.do_request(url, "POST"))
        assert status == 200 and json.loads(body)["result"]["is_bot"] is True
        await request.shutdown()
        await request.shutdown()  # idempotent
        with pytest.raises(RuntimeError, match="not initialized"):
            await request.do_request(url, "POST")
        with pytest.raises(NetworkError, match="not initialized") as caught:
            await request.post(url)
        assert isinstance(caught.value.__cause__, RuntimeError)
        await request.initialize()  # works again after a shutdown, like HTTPXRequest
        assert (await guarded(request.post(url)))["is_bot"] is True  # type: ignore[index, call-overload]
        await request.shutdown()
    finally:
        await api.stop()


@pytest.mark.parametrize("request_class", [AiohttpRequest, HTTPXRequest])
async def test_bot_shutdown_then_request_fails_like_httpxrequest(request_class: type[BaseRequest]) -> None:
    async with serving(request_class=request_class) as (_api, bot):
        await guarded(bot.send_message(USER, "before"))
    with pytest.raises(NetworkError, match=r"RuntimeError.*is not initialized") as caught:
        await bot.send_message(USER, "after shutdown")
    assert isinstance(caught.value.__cause__, RuntimeError)


# ---- the Bot API over aiohttp ------------------------------------------------------------------


async def test_send_edit_and_answer(api_bot: tuple[LocalBotAPI, Bot]) -> None:
    api, bot = api_bot
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Дальше →", callback_data="next")]])
    html = "<b>Salam</b>, dünya &amp; мир"
    sent = await guarded(bot.send_message(USER, html, parse_mode="HTML", reply_markup=markup))
    assert sent.text == "Salam, dünya & мир" and sent.chat_id == USER
    stored = api.messages(USER)[-1]
    assert stored.html == html
    assert stored.entities == [{"type": "bold", "offset": 0, "length": 5}]
    assert stored.buttons() == [{"text": "Дальше →", "callback_data": "next"}]

    edited = await guarded(bot.edit_message_text("Ещё раз", chat_id=USER, message_id=sent.message_id))
    assert isinstance(edited, type(sent)) and edited.text == "Ещё раз"
    assert api.messages(USER)[-1].text == "Ещё раз" and api.messages(USER)[-1].edits == 1

    query_id = api.press_button(USER, sent.message_id, "next")
    assert await guarded(bot.answer_callback_query(query_id, text="OK ✓")) is True
    assert api.callback_answers[query_id]["text"] == "OK ✓"


async def test_requests_are_form_encoded_with_ptb_user_agent() -> None:
    async with RecordingServer() as server, AiohttpRequest() as request:
        bot = raw_bot(server.url, request)
        assert await guarded(bot.send_chat_action(USER, "typing")) is True
        assert await guarded(bot.log_out()) is True  # no parameters at all
    (head, body), (bare_head, bare_body) = server.requests
    lines = head.lower().split("\r\n")
    assert lines[0].startswith(f"post /bot{TOKEN}/sendchataction ".lower())
    assert f"user-agent: {BaseRequest.USER_AGENT}".lower() in lines
    assert "content-type: application/x-www-form-urlencoded" in lines
    assert sorted(body.decode().split("&")) == ["action=typing", f"chat_id={USER}"]
    assert f"user-agent: {BaseRequest.USER_AGENT}".lower() in bare_head.lower().split("\r\n")
    assert bare_body == b""


async def test_long_poll_outlives_the_default_read_timeout(api_bot: tuple[LocalBotAPI, Bot]) -> None:
    api, bot = api_bot
    first = await guarded(bot.get_updates(timeout=0))  # the "hello" that made the chat known
    offset = first[-1].update_id + 1
    # The get_updates request's default read timeout is 0.5 s; PTB adds the long-poll timeout to it.
    poll = asyncio.create_task(bot.get_updates(offset=offset, timeout=10))
    await asyncio.sleep(1.5)  # the server holds the poll well past 0.5 s without sending a byte
    assert not poll.done()
    api.user_message(USER, "are you there?")
    updates = await guarded(poll)
    assert [u.message.text for u in updates if u.message] == ["are you there?"]


async def test_long_poll_with_nothing_queued_returns_empty(api_bot: tuple[LocalBotAPI, Bot]) -> None:
    api, bot = api_bot
    first = await guarded(bot.get_updates(timeout=0))
    assert await guarded(bot.get_updates(offset=first[-1].update_id + 1, timeout=2)) == ()
    assert api.pending_updates() == 0


async def test_api_errors_surface_as_ptb_exceptions(api_bot: tuple[LocalBotAPI, Bot]) -> None:
    api, bot = api_bot
    with pytest.raises(BadRequest, match="Chat not found"):
        await guarded(bot.send_message(999, "nobody"))
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await guarded(bot.send_message(USER, "<b>open", parse_mode="HTML"))
    api.set_blocked(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await guarded(bot.send_message(USER, "still there?"))


async def test_flood_limit_raises_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with serving(rate_limit=1) as (api, bot):
        await guarded(bot.send_message(USER, "one"))
        with pytest.raises(RetryAfter) as caught:
            await guarded(bot.send_message(USER, "two"))
        assert caught.value.retry_after == dtm.timedelta(seconds=1)
        assert api.rejected_429 == 1


async def test_document_upload_and_download(api_bot: tuple[LocalBotAPI, Bot]) -> None:
    api, bot = api_bot
    data = bytes(range(256)) * 40
    sent = await guarded(
        bot.send_document(
            USER, io.BytesIO(data), filename="Дело №7 (Yusifli).pdf", caption="<i>Протокол</i>", parse_mode="HTML"
        )
    )
    assert sent.document is not None and sent.caption == "Протокол"
    stored = api.messages(USER)[-1]
    assert stored.document is not None
    assert stored.document["file_name"] == "Дело №7 (Yusifli).pdf"
    assert stored.document["mime_type"] == "application/pdf"
    assert stored.document["file_size"] == len(data)
    assert stored.html == "<i>Протокол</i>" and stored.text == "Протокол"

    file = await guarded(bot.get_file(sent.document.file_id))
    assert file.file_size == len(data)
    assert bytes(await guarded(file.download_as_bytearray())) == data

    # Sending the stored file again by file_id is a plain form request.
    again = await guarded(bot.send_document(USER, sent.document.file_id))
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_large_upload_to_a_slow_server_is_not_cut_by_the_write_watchdog() -> None:
    # The body is well above the watched size and the server answers only `latency` after having
    # read it all: the write timeout covers sending the body, not waiting for the answer.
    api = LocalBotAPI(latency=1.5)
    await api.start()
    try:
        api.user_message(USER, "hello")
        async with AiohttpRequest(media_write_timeout=0.5, read_timeout=GUARD) as request:
            bot = raw_bot(api.base_url, request)
            data = b"campaign " * (WATCHED_BODY_BYTES // 2)
            sent = await guarded(bot.send_document(USER, io.BytesIO(data), filename="big.txt"))
        assert sent.document is not None and sent.document.file_size == len(data)
        stored = api.messages(USER)[-1].document
        assert stored is not None and stored["file_size"] == len(data)
    finally:
        await api.stop()


# ---- transport failures ------------------------------------------------------------------------


async def test_server_that_never_answers_times_out() -> None:
    async with RawServer() as server, AiohttpRequest(read_timeout=0.2) as request:
        bot = raw_bot(server.url, request)
        with pytest.raises(TimedOut) as caught:
            await guarded(bot.send_message(USER, "hello?"))
        assert "Pool timeout" not in caught.value.message
        assert server.connected.is_set()


async def test_per_call_read_timeout_overrides_the_default() -> None:
    async with RawServer() as server, AiohttpRequest(read_timeout=None) as request:
        bot = raw_bot(server.url, request)
        with pytest.raises(TimedOut):
            await guarded(bot.send_message(USER, "hello?", read_timeout=0.2))


async def test_pool_timeout_when_every_connection_is_busy() -> None:
    async with RawServer() as server, AiohttpRequest(
        connection_pool_size=1, read_timeout=None, pool_timeout=0.2
    ) as request:
        bot = raw_bot(server.url, request)
        stuck = asyncio.create_task(bot.send_message(USER, "takes the only connection"))
        try:
            await guarded(server.connected.wait())
            with pytest.raises(TimedOut) as caught:
                await guarded(bot.send_message(USER, "no connection left"))
            assert caught.value.message == POOL_TIMEOUT_MESSAGE
        finally:
            stuck.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
        # The slot is free again: the next request gets as far as the (silent) server.
        with pytest.raises(TimedOut) as caught:
            await guarded(bot.send_message(USER, "again", read_timeout=0.2))
        assert caught.value.message != POOL_TIMEOUT_MESSAGE


async def test_stalled_upload_times_out() -> None:
    # The server never reads: once the socket buffers are full the body stops going out, and the
    # write (media) timeout must end the request; the read timeout has not even started.
    async with RawServer() as server, AiohttpRequest(media_write_timeout=0.3, read_timeout=None) as request:
        bot = raw_bot(server.url, request)
        with pytest.raises(TimedOut):
            await guarded(bot.send_document(USER, b"\0" * (48 * 1024 * 1024), filename="huge.bin"))


async def test_refused_connection_is_a_network_error() -> None:
    async with AiohttpRequest(connect_timeout=GUARD) as request:
        bot = raw_bot(f"http://127.0.0.1:{closed_port()}/bot", request)
        with pytest.raises(NetworkError) as caught:
            await guarded(bot.send_message(USER, "anyone?"))
    assert not isinstance(caught.value, TimedOut)
    assert caught.value.message.startswith("aiohttp.ClientConnectorError: ")


async def test_get_download_goes_through_retrieve(api_bot: tuple[LocalBotAPI, Bot]) -> None:
    api, bot = api_bot
    await guarded(bot.send_document(USER, b"plain bytes", filename="note.txt"))
    assert bot.request.read_timeout == 5.0
    url = f"{api.base_file_url}{TOKEN}/documents/file_1"
    assert await guarded(bot.request.retrieve(url)) == b"plain bytes"
    with pytest.raises(InvalidToken, match="Not Found"):  # PTB's reading of any 404
        await guarded(bot.request.retrieve(url + "0"))
    raw = await guarded(bot.request.post(f"{api.base_url}{TOKEN}/getMe", RequestData()))
    assert isinstance(raw, dict) and raw["username"] == "campaign_tryout_bot"


# ---- a whole Application -----------------------------------------------------------------------


async def test_application_answers_start_over_aiohttp() -> None:
    api = LocalBotAPI()
    await api.start()
    try:
        application = (
            Application.builder()
            .token(TOKEN)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest())
            .build()
        )

        async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_message is not None and update.effective_user is not None
            await update.effective_message.reply_text(f"Привет, {update.effective_user.first_name}!")

        application.add_handler(CommandHandler("start", start))
        replies = api.subscribe()
        async with application:
            assert isinstance(application.bot.request, AiohttpRequest)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(timeout=1)
            try:
                api.user_message(USER, "/start", first_name="Leyla")
                event, message = await guarded(replies.get())
            finally:
                await application.updater.stop()
                await application.stop()
        assert event == "new" and message.chat_id == USER and message.text == "Привет, Leyla!"
    finally:
        await api.stop()
