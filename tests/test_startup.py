"""Start-up of `campaign-bot run` as an operator sees it: the real command in a child process, against the
stand-in (with injected faults) or a small server on 127.0.0.1 started here.

The bot waits for a Bot API that is down or failing (one log line per try), stops with one line when the
token is rejected or the URL is not a Bot API, and the token never reaches its output. The start-up backoff
is shortened with BOT_STARTUP_BACKOFF so that the retries take a fraction of a second.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from bot.tryout.standin import LocalBotAPI
from tests.conftest import tr

TOKEN = "6060606060:not-a-token.for-start-up-tests"
SECRET = TOKEN.split(":")[1]
TIMEOUT = 60.0
TOKEN_REJECTED = "the token was rejected by Telegram (401)"
NOT_A_BOT_API = "does not look like a Bot API"
CHOOSE_LANGUAGE = tr("en")._("Choose your language below. You can change it at any time with /language.")


class BotProcess:
    """`campaign-bot run` in a child process; its stdout and stderr are collected line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.out: list[str] = []
        self.err: list[str] = []
        assert process.stdout is not None and process.stderr is not None
        self._readers = [asyncio.create_task(self._read(process.stdout, self.out)),
                         asyncio.create_task(self._read(process.stderr, self.err))]

    @staticmethod
    async def _read(stream: asyncio.StreamReader, lines: list[str]) -> None:
        async for line in stream:
            lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.out + self.err)

    def retries(self) -> list[str]:
        return [line for line in self.err if "retrying in" in line]

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Wait for `condition`; fail at once if the process ends first, or after TIMEOUT seconds."""
        async with asyncio.timeout(TIMEOUT):
            while not condition():
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot exited ({self.process.returncode}) before {what}:\n{self.output}")
                await asyncio.sleep(0.05)

    async def exit_code(self) -> int:
        async with asyncio.timeout(TIMEOUT):
            code = await self.process.wait()
            await asyncio.gather(*self._readers)
        return code

    async def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await self.exit_code()

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


@asynccontextmanager
async def campaign_bot(tmp_path: Path, base_url: str) -> AsyncIterator[BotProcess]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": base_url, "BOT_DATA_DIR": str(tmp_path / "data"),
                "BOT_STARTUP_BACKOFF": "0.05"})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    bot = BotProcess(process)
    try:
        yield bot
    finally:
        bot.kill()
        await bot.exit_code()


@asynccontextmanager
async def stand_in(port: int = 0) -> AsyncIterator[LocalBotAPI]:
    api = LocalBotAPI(port=port)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


def ready(api: LocalBotAPI) -> bool:
    return ("default", "ru") in api.commands and any(method == "getUpdates" for method, _ in api.calls)


async def answers_start(bot: BotProcess, api: LocalBotAPI, user_id: int = 777) -> None:
    await bot.until(lambda: ready(api), "it polled for updates")
    api.user_message(user_id, "/start", language_code="en")
    await bot.until(lambda: bool(api.messages(user_id)), "it answered /start")
    assert CHOOSE_LANGUAGE in api.messages(user_id)[0].text


def assert_clean(bot: BotProcess) -> None:
    """No traceback, no unclosed aiohttp session, no warning of PTB's (e.g. a task it would not await), and never
    the token."""
    output = bot.output
    assert "Traceback" not in output, output
    assert "Unclosed" not in output, output
    assert "PTBUserWarning" not in output, output
    assert TOKEN not in output and SECRET not in output, output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_transient_bot_api_errors_at_start_up_are_waited_out(tmp_path: Path) -> None:
    async with stand_in() as api:
        api.fail("getMe", 500, times=2)
        api.fail("deleteWebhook", 502)
        async with campaign_bot(tmp_path, api.base_url) as bot:
            await answers_start(bot, api)
            assert await bot.stop() == 0
    retries = bot.retries()
    assert len(retries) == 3, bot.err  # one line per try
    assert "Internal Server Error" in retries[0] and "Internal Server Error" in retries[1]
    assert "Bad Gateway" in retries[2]
    assert all(len(line) < 200 for line in retries), retries
    assert "Application started" in bot.output
    assert "receiving updates by long polling" in bot.output  # as webhook mode says where it listens
    assert_clean(bot)


async def test_menus_and_descriptions_are_set_beside_the_first_answers_and_a_failure_does_not_stop_the_bot(
        tmp_path: Path) -> None:
    async with stand_in() as api:
        api.fail("setMyCommands", 400, description="Bad Request: something odd")
        async with campaign_bot(tmp_path, api.base_url) as bot:
            await bot.until(lambda: any(method == "getUpdates" for method, _ in api.calls), "it polled for updates")
            api.user_message(777, "/start", language_code="en")
            await bot.until(lambda: bool(api.messages(777)), "it answered /start")
            await bot.until(lambda: "command menus and descriptions could not be set" in bot.output, "one warning")
            assert await bot.stop() == 0
    assert not bot.retries(), bot.output
    assert_clean(bot)


async def test_an_unreachable_bot_api_is_waited_for(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet: connections are refused
    async with campaign_bot(tmp_path, f"http://127.0.0.1:{port}/bot") as bot:
        await bot.until(lambda: len(bot.retries()) >= 2, "it retried twice")
        assert all("Bot API not reachable" in line for line in bot.retries()), bot.err
        async with stand_in(port) as api:
            await answers_start(bot, api)
            assert await bot.stop() == 0
    assert_clean(bot)


async def test_a_trailing_slash_in_the_base_url_is_accepted(tmp_path: Path) -> None:
    async with stand_in() as api, campaign_bot(tmp_path, api.base_url + "/") as bot:
        await answers_start(bot, api)
        assert await bot.stop() == 0
    assert not bot.retries(), bot.output
    assert_clean(bot)


async def test_a_rejected_token_stops_the_bot_with_one_line_and_never_shows_the_token(tmp_path: Path) -> None:
    async with stand_in() as api:
        api.fail("getMe", 401, times=100)
        async with campaign_bot(tmp_path, api.base_url) as bot:
            code = await bot.exit_code()
    assert code != 0
    assert len(bot.err) == 1 and TOKEN_REJECTED in bot.err[0], bot.err
    assert_clean(bot)


async def test_a_url_that_is_not_a_bot_api_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    runner = web.AppRunner(web.Application())  # no routes: 404 for everything
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with campaign_bot(tmp_path, f"http://127.0.0.1:{port}/bot") as bot:
            code = await bot.exit_code()
    finally:
        await runner.cleanup()
    assert code != 0
    assert len(bot.err) == 1 and NOT_A_BOT_API in bot.err[0] and "404" in bot.err[0], bot.err
    assert f"http://127.0.0.1:{port}/bot" in bot.err[0]  # says which URL
    assert_clean(bot)


async def test_a_url_in_an_error_never_shows_the_token_and_sigterm_ends_the_wait(tmp_path: Path) -> None:
    """aiohttp's error for a garbled answer quotes the request URL, which holds the token."""

    async def garble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garble, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with campaign_bot(tmp_path, f"http://127.0.0.1:{port}/bot") as bot:
            await bot.until(lambda: len(bot.retries()) >= 3, "it retried three times")
            assert await bot.stop(signal.SIGTERM) == 0
    finally:
        server.close()
        await server.wait_closed()
    assert all(f"127.0.0.1:{port}/bot***/getMe" in line for line in bot.retries()), bot.err  # redacted, one line
    assert_clean(bot)


def test_the_log_filter_covers_every_logger_and_traceback(tmp_path: Path) -> None:
    """PTB's, aiohttp's and asyncio's records, exception texts and tracebacks included."""
    script = f"""
import logging
from bot.logging_setup import protect, setup_logging
setup_logging(logging.INFO)
protect({TOKEN!r})
url = "http://127.0.0.1:1/bot{TOKEN}/getMe"
logging.getLogger("telegram.ext.Application").info("calling %s", url)
try:
    raise ValueError(f"bad answer from {{url}}")
except ValueError:
    logging.getLogger("aiohttp.client").exception("request failed: %r", url)
raise RuntimeError("uncaught: " + {TOKEN!r}.split(":")[1])
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT,
                            cwd=tmp_path, check=False)
    output = result.stdout + result.stderr
    assert "calling http://127.0.0.1:1/bot***/getMe" in output
    assert "ValueError: bad answer from http://127.0.0.1:1/bot***/getMe" in output
    assert "RuntimeError: uncaught: ***" in output
    assert TOKEN not in output and SECRET not in output, output


async def test_a_failing_poll_is_one_warning_line_and_the_bot_goes_on(tmp_path: Path) -> None:
    async with stand_in() as api, campaign_bot(tmp_path, api.base_url) as bot:
        await answers_start(bot, api)
        api.fail("getUpdates", 502, times=2)
        await bot.until(lambda: "receiving updates failed" in bot.output, "one warning line")
        await answers_start(bot, api, user_id=778)
        assert await bot.stop() == 0
    assert "handler failed" not in bot.output
    assert_clean(bot)
