"""The bot token never reaches the logs or the data directory: `campaign-bot run` in a child process, with a fake
token that is easy to find, through everything that writes a log line or a file.

Start-up against a Bot API that answers garbage (aiohttp's error quotes the request's URL, token and all), then
against one that fails at first, members subscribing, a handler whose replies the Bot API refuses
(its error is logged with its traceback), polling that fails for a while, a broadcast with a blocked member and a
flood wait, an admin's content file, then SIGINT. Afterwards stdout, stderr and every file under the data
directory are searched for the token, for its secret part alone, and for both as a URL encodes them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.tryout.standin import LocalBotAPI, SentMessage
from tests.conftest import ROOT, tr
from tests.test_startup import BotProcess, answers_start, stand_in

TOKEN = "4242424242:FAKE-token_zq8VbNn3-secrecy"
SECRET = TOKEN.split(":")[1]
FORMS = (TOKEN, SECRET, quote(TOKEN, safe=""), quote(SECRET, safe=""))
ADMIN = 90003
MEMBERS = {9701: "en", 9702: "az", 9703: "ru"}
BLOCKED, FLOODED = 9704, 9705
CHANGED_CASE = (ROOT / "content" / "cases" / "asif-yusifli.yaml").read_bytes().replace(b"order: 10", b"order: 11")


async def until(bot: BotProcess, api: LocalBotAPI, chat_id: int, text: str) -> SentMessage:
    """The bot's first message in `chat_id` that holds `text`, once there is one."""
    found: list[SentMessage] = []

    def arrived() -> bool:
        found[:] = [m for m in api.messages(chat_id) if text in m.text]
        return bool(found)

    await bot.until(arrived, f"{text!r} in chat {chat_id}")
    return found[0]


async def admin_says(bot: BotProcess, api: LocalBotAPI, text: str) -> None:
    before = len(api.messages(ADMIN))
    api.user_message(ADMIN, text, language_code="en")
    await bot.until(lambda: len(api.messages(ADMIN)) > before, f"an answer to {text!r}")


async def admin_presses(bot: BotProcess, api: LocalBotAPI, label: str) -> None:
    message = [m for m in api.messages(ADMIN) if any(label in b["text"] for b in m.buttons())][-1]
    [data] = [b["callback_data"] for b in message.buttons() if label in b["text"]]
    edits, count = message.edits, len(api.messages(ADMIN))
    api.press_button(ADMIN, message.message_id, data, language_code="en")
    await bot.until(lambda: message.edits > edits or len(api.messages(ADMIN)) > count, f"the {label!r} button")


async def garble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Not HTTP: aiohttp's error for it quotes the request's URL, which holds the token."""
    await reader.read(1024)
    writer.write(b"NOT HTTP AT ALL\r\n\r\n")
    await writer.drain()
    writer.close()


def files_holding_the_token(top: Path) -> list[str]:
    paths = [path for path in top.rglob("*") if path.is_file()]
    assert paths, f"nothing under {top}"
    return [f"{path.relative_to(top)}: {form!r}" for path in paths for form in FORMS
            if form.encode() in path.read_bytes()]


@pytest.mark.slow
async def test_the_token_never_reaches_the_logs_or_the_data_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DATA_DIR": str(data_dir), "BOT_ADMIN_IDS": str(ADMIN),
                "BOT_STARTUP_BACKOFF": "0.05", "BOT_SEND_RATE": "0"})
    garbled = await asyncio.start_server(garble, "127.0.0.1", 0)  # first a Bot API that answers garbage
    env["BOT_API_BASE_URL"] = f"http://127.0.0.1:{garbled.sockets[0].getsockname()[1]}/bot"
    try:
        first = BotProcess(await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE))
        try:
            await first.until(lambda: len(first.retries()) >= 2, "two tries")
            assert await first.stop(signal.SIGTERM) == 0
        finally:
            first.kill()
            await first.exit_code()
    finally:
        garbled.close()
        await garbled.wait_closed()
    async with stand_in() as api:
        env["BOT_API_BASE_URL"] = api.base_url
        api.fail("getMe", 500, times=2)  # start-up: retried, one log line each
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        bot = BotProcess(process)
        try:
            await answers_start(bot, api)
            for user, lang in MEMBERS.items():
                api.user_message(user, "/subscribe all", language_code=lang)
                await until(bot, api, user, tr(lang)._("All updates"))
            for user in (BLOCKED, FLOODED):
                api.user_message(user, "/subscribe all", language_code="en")
                await until(bot, api, user, tr("en")._("All updates"))

            failing = next(iter(MEMBERS))  # a handler's reply refused, and the apology too: logged with its traceback
            api.fail("sendMessage", 500, times=2, chat_id=failing)
            api.user_message(failing, "/help", language_code="en")
            await bot.until(lambda: "handler failed" in bot.output, "the handler's failure to be logged")
            api.fail("getUpdates", 502, times=3)  # polling fails a while: PTB logs it and tries again
            answered = len(api.messages(failing))
            api.user_message(failing, "/about", language_code="en")
            await bot.until(lambda: len(api.messages(failing)) > answered, "polling to come back")

            api.set_blocked(BLOCKED)
            api.fail("sendMessage", 429, times=1, chat_id=FLOODED, retry_after=1)
            await admin_says(bot, api, "/push")
            await admin_presses(bot, api, tr("en")._("General updates"))
            for text in ("The token test's update.", "/skip", "/skip"):
                await admin_says(bot, api, text)
            await admin_presses(bot, api, tr("en")._("Confirm and send"))
            await until(bot, api, ADMIN, "#1 done")
            api.user_document(ADMIN, "asif-yusifli.yaml", CHANGED_CASE, language_code="en")
            await until(bot, api, ADMIN, tr("en")._("Apply"))
            assert await bot.stop(signal.SIGINT) == 0
        finally:
            bot.kill()
            await bot.exit_code()
    output = first.output + bot.output
    for line in ("/bot***/getMe", "retrying in", "handler failed", "Traceback", "Application started", "flood wait",
                 "broadcast 1 done"):
        assert line in output, f"no {line!r} in the output: the test did not go where it means to\n{output}"
    assert not [form for form in FORMS if form in output], output
    assert files_holding_the_token(data_dir) == []
