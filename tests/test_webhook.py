"""Running it for real: `campaign-bot run` by webhook, its secret token, and `campaign-bot health`.

The real command runs in a child process against the stand-in, which delivers updates to the bot's webhook
as Telegram does (bot/tryout/standin/webhook.py). Forged webhook requests are posted straight to the bot's
webhook server. The stand-in's webhook deliveries are checked on their own against a small receiver.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.app import ALLOWED_UPDATES
from bot.config import ConfigError, Settings
from bot.health import HEALTHY_WITHIN
from bot.store import Store
from bot.tryout.standin import LocalBotAPI
from tests.conftest import tr
from tests.test_startup import BotProcess, free_port, stand_in

TOKEN = "7070707070:not-a-token.for-webhook-tests"
SECRET = "w3bh00k-Secret_for-tests-only-0123456789"
TIMEOUT = 60.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHOOSE_LANGUAGE = tr("en")._("Choose your language below. You can change it at any time with /language.")
HOLDS_NOTHING = tr("en")._("The bot holds nothing about this chat.")
MAKE_A_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'  # as README.md writes it


def bot_env(tmp_path: Path, api: LocalBotAPI, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api.base_url, "BOT_DATA_DIR": str(tmp_path / "data"),
                "BOT_STARTUP_BACKOFF": "0.05", **settings})
    return env


def webhook_settings(port: int, secret: str = SECRET) -> dict[str, str]:
    return {"BOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "BOT_WEBHOOK_SECRET": secret,
            "BOT_WEBHOOK_LISTEN": "127.0.0.1", "BOT_WEBHOOK_PORT": str(port)}


@asynccontextmanager
async def campaign_bot(env: dict[str, str], cwd: Path) -> AsyncIterator[BotProcess]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    bot = BotProcess(process)
    try:
        yield bot
    finally:
        bot.kill()
        await bot.exit_code()


async def health(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """`campaign-bot health`: its exit code and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "health", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode is not None
    return process.returncode, output.decode()


def heartbeat(tmp_path: Path) -> Path:
    return tmp_path / "data" / "heartbeat"


async def until(condition: Callable[[], bool], what: str) -> None:
    try:
        async with asyncio.timeout(TIMEOUT):
            while not condition():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not within {TIMEOUT:g} s: {what}") from None


def assert_clean(bot: BotProcess) -> None:
    output = bot.output
    assert "Traceback" not in output and "Unclosed" not in output, output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output and SECRET not in output, output


def forged_update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "Mallory", "language_code": "en"}
    return {"update_id": update_id, "message": {
        "message_id": 1, "from": user, "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
        "date": int(time.time()), "text": text, "entities": [{"type": "bot_command", "offset": 0, "length": 10}]}}


async def test_by_webhook_the_bot_answers_what_telegram_posts_and_is_healthy_while_it_runs(tmp_path: Path) -> None:
    port = free_port()
    async with stand_in() as api:
        env = bot_env(tmp_path, api, **webhook_settings(port))
        async with campaign_bot(env, tmp_path) as bot:
            await bot.until(heartbeat(tmp_path).exists, "it started")
            code, output = await health(env, tmp_path)
            assert code == 0 and output.startswith("healthy: the last heartbeat is "), output
            api.user_message(777, "/start", language_code="en")
            await bot.until(lambda: bool(api.messages(777)), "it answered /start")
            assert CHOOSE_LANGUAGE in api.messages(777)[0].text
            assert await bot.stop(signal.SIGTERM) == 0
        set_webhook = [params for method, params in api.calls if method == "setWebhook"]
        assert set_webhook and all(params["url"] == f"http://127.0.0.1:{port}/telegram"
                                   and params["secret_token"] == SECRET
                                   and params["allowed_updates"] == ALLOWED_UPDATES for params in set_webhook)
        assert not [method for method, _ in api.calls if method == "getUpdates"]  # by webhook only
    assert not heartbeat(tmp_path).exists()  # a stopped bot is not healthy, at once
    code, output = await health(env, tmp_path)
    assert code == 1 and "unhealthy: no heartbeat" in output, output
    assert "receiving updates by webhook on 127.0.0.1" in bot.output
    assert_clean(bot)


async def test_webhook_requests_without_the_secret_or_with_a_wrong_one_are_refused_and_change_nothing(
        tmp_path: Path) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    async with stand_in() as api:
        env = bot_env(tmp_path, api, **webhook_settings(port))
        async with campaign_bot(env, tmp_path) as bot:
            await bot.until(heartbeat(tmp_path).exists, "it started")
            async with aiohttp.ClientSession() as http:
                for update_id, headers in ((900001, {}), (900002, {SECRET_HEADER: "not-the-secret"}),
                                           (900003, {SECRET_HEADER: SECRET[:-1]})):
                    async with http.post(hook, json=forged_update(update_id, 901, "/subscribe all"),
                                         headers=headers) as response:
                        assert response.status in (401, 403), response.status
            # The member's own next message, as Telegram delivers it: the forged ones were never taken in
            # (each chat's updates are handled in order, so they would have been answered first).
            api.user_message(901, "/mydata", language_code="en")
            await bot.until(lambda: bool(api.messages(901)), "it answered /mydata")
            replies = api.messages(901)
            assert len(replies) == 1 and HOLDS_NOTHING in replies[0].text, [m.text for m in replies]
            assert await bot.stop() == 0
    store = Store(tmp_path / "data")
    try:
        assert await store.chats.get(901) is None  # nothing stored
    finally:
        store.close()
    assert_clean(bot)


@pytest.mark.parametrize(("secret", "says"), [
    ("", "BOT_WEBHOOK_SECRET is not set"),
    ("has spaces and ! marks", "BOT_WEBHOOK_SECRET must be 1 to 256 characters"),
    ("x" * 257, "BOT_WEBHOOK_SECRET must be 1 to 256 characters"),
])
async def test_webhook_mode_without_a_valid_secret_refuses_to_start_with_one_line(
        tmp_path: Path, secret: str, says: str) -> None:
    async with stand_in() as api:
        env = bot_env(tmp_path, api, **webhook_settings(free_port(), secret))
        async with campaign_bot(env, tmp_path) as bot:
            code = await bot.exit_code()
        assert not api.calls  # refused before a word to the Bot API
    assert code == 2
    assert len(bot.err) == 1 and says in bot.err[0] and MAKE_A_SECRET in bot.err[0], bot.err
    assert not bot.out
    if secret:
        assert secret not in bot.output  # a secret, even a wrong one, is not repeated


async def test_a_webhook_telegram_refuses_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    """PTB's own bootstrap would retry a refused setWebhook for ever, saying nothing above DEBUG."""
    refusal = "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    async with stand_in() as api:
        api.fail("setWebhook", 400, times=100, description=refusal)
        async with campaign_bot(bot_env(tmp_path, api, **webhook_settings(free_port())), tmp_path) as bot:
            code = await bot.exit_code()
    assert code == 2
    assert len(bot.err) == 1 and "the Bot API refused setWebhook: " in bot.err[0], bot.err
    assert "failed to resolve host" in bot.err[0].lower()
    assert_clean(bot)


async def test_a_webhook_port_in_use_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        async with stand_in() as api:
            async with campaign_bot(bot_env(tmp_path, api, **webhook_settings(port)), tmp_path) as bot:
                code = await bot.exit_code()
            assert not api.calls  # said before a word to the Bot API
    assert code == 2
    assert len(bot.err) == 1 and f"cannot listen on 127.0.0.1:{port}" in bot.err[0], bot.err
    assert "Address already in use" in bot.err[0]
    assert_clean(bot)


@pytest.mark.parametrize(("url", "says"), [
    ("http://bot.example.org/telegram", "must start with https://"),
    ("https://bot.example.org:8080/telegram", "only to the ports 443, 80, 88, 8443, not 8080"),
    ("bot.example.org/telegram", "must be a full URL"),
])
def test_a_webhook_url_telegram_would_not_send_to_is_refused(url: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        Settings.from_env({"BOT_WEBHOOK_URL": url, "BOT_WEBHOOK_SECRET": SECRET})
    settings = Settings.from_env({"BOT_WEBHOOK_URL": "https://bot.example.org:8443/telegram",
                                  "BOT_WEBHOOK_SECRET": SECRET})
    assert (settings.webhook_path, settings.webhook_port, settings.webhook_listen) == ("/telegram", 8443, "0.0.0.0")
    assert SECRET not in repr(settings)


async def test_health_says_unhealthy_once_the_heartbeat_is_stale(tmp_path: Path) -> None:
    async with stand_in() as api:
        env = bot_env(tmp_path, api)  # long polling
        async with campaign_bot(env, tmp_path) as bot:
            await bot.until(heartbeat(tmp_path).exists, "it started")
            code, output = await health(env, tmp_path)
            assert code == 0, output
            await bot.until(lambda: any(method == "getUpdates" for method, _ in api.calls), "it polled")
            polls = [params for method, params in api.calls if method == "getUpdates"]
            assert all(params["allowed_updates"] == ALLOWED_UPDATES for params in polls)
            bot.process.send_signal(signal.SIGKILL)  # gone without a word: its heartbeat stays behind
            await bot.exit_code()
    stale = time.time() - HEALTHY_WITHIN - 60
    os.utime(heartbeat(tmp_path), (stale, stale))
    code, output = await health(env, tmp_path)
    assert code == 1 and "unhealthy: the last heartbeat is" in output, output


# --- the stand-in's webhook, as Telegram's ---------------------------------------------------------------


class Receiver:
    """A webhook endpoint that records each request and refuses them (500) until told to take them."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, object]]] = []
        self.taking = False

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        return web.Response(status=200 if self.taking else 500)


@asynccontextmanager
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    endpoint = Receiver()
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield endpoint, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def test_the_stand_in_posts_updates_to_the_webhook_with_the_secret_and_retries_until_taken() -> None:
    async with stand_in() as api, receiver() as (endpoint, url):
        bot = Bot(TOKEN, base_url=api.base_url)
        async with bot:
            with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
                await bot.set_webhook(url, secret_token="not allowed!")
            first = api.user_message(501, "/start")  # queued before the webhook: delivered by it
            await bot.set_webhook(url, secret_token=SECRET)
            with pytest.raises(Conflict):
                await bot.get_updates()
            await until(lambda: len(endpoint.requests) >= 1, "the stand-in posted the update")
            headers, body = endpoint.requests[0]
            assert headers[SECRET_HEADER] == SECRET and headers["Content-Type"] == "application/json"
            assert body["update_id"] == first and body["message"]["text"] == "/start"  # type: ignore[index]
            info = await bot.get_webhook_info()
            assert info.url == url and info.pending_update_count == 1
            assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

            endpoint.taking = True
            second = api.user_message(501, "/help")
            await until(lambda: api.pending_updates() == 0, "both updates were taken")
            taken = [body["update_id"] for _, body in endpoint.requests[-2:]]
            assert taken == [first, second]  # in order, the refused one again first

            await bot.delete_webhook()
            third = api.user_message(501, "/about")
            assert [u.update_id for u in await bot.get_updates()] == [third]  # polling again
            assert all(body["update_id"] != third for _, body in endpoint.requests)
