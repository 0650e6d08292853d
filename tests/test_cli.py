"""The installed command line, as a newcomer and an operator use it (runs the installed package)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.local_api import LocalBotAPI
from tests.conftest import tr

ROOT = Path(__file__).resolve().parent.parent
FAKE_TOKEN = "4242424242:made-up-token-for-tests-only-xyz"


def _run(args: list[str], tmp_path: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    # cwd is a scratch folder, so `bot` is the installed package, not this checkout.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    environment.update({"BOT_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=120, check=False)


def test_chat_lets_a_newcomer_talk_to_the_bot_without_a_token(tmp_path: Path) -> None:
    script = "/start\n2\n/case Юсифли\n:lang ru\n:user 2002\n/start\n/cases\n1\n99\n:quit\n"
    result = _run(["chat"], tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[2] Azərbaycanca" in out  # the picker, with numbered buttons
    assert tr("az")._("Language set: {language}. Send /help to see what I can do.").format(
        language="Azərbaycanca") in out
    assert "Asif Yusifli" in out.split("/case Юсифли")[1]  # answered in az, the chosen language
    after_switch = out.split(":user 2002")[1]
    assert "Выберите язык" in after_switch  # a new user with a Russian Telegram app
    assert "Асиф Юсифли" in after_switch.split("you> 1")[1]
    assert "There is no button 99" in out
    assert "Traceback" not in out + result.stderr
    assert list((tmp_path / "data" / "tryout").glob("chats.json*"))  # the language choice was stored


def test_run_without_a_token_points_to_the_try_out(tmp_path: Path) -> None:
    result = _run(["run"], tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "campaign-bot chat" in result.stderr


def test_import_reports_what_it_added_and_changed_and_rejects_a_bad_file(tmp_path: Path) -> None:
    first = _run(["import"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "added: cases/asif-yusifli.yaml" in first.stdout and " 0 changed" in first.stdout
    again = _run(["import"], tmp_path)
    assert "0 added, 0 changed" in again.stdout

    import shutil

    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    case = content / "cases" / "asif-yusifli.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("order: 10", "order: 11"), encoding="utf-8")
    changed = _run(["import", "--content", str(content)], tmp_path)
    assert "changed: cases/asif-yusifli.yaml" in changed.stdout

    case.write_text(case.read_text(encoding="utf-8").replace("kind: person", "kind: alien"), encoding="utf-8")
    before = (tmp_path / "data" / "content.json").read_bytes()
    bad = _run(["import", "--content", str(content)], tmp_path)
    assert bad.returncode == 2
    assert "cases/asif-yusifli.yaml: kind: must be one of person, group" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert (tmp_path / "data" / "content.json").read_bytes() == before


async def test_run_talks_to_the_configured_api_and_never_logs_the_token(tmp_path: Path) -> None:
    api = LocalBotAPI()
    await api.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        env.update({"TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "BOT_API_BASE_URL": api.base_url,
                    "BOT_DATA_DIR": str(tmp_path / "data")})
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        for _ in range(300):
            if ("default", "ru") in api.commands and any(m == "getUpdates" for m, _ in api.calls):
                break
            await asyncio.sleep(0.05)
        api.user_message(777, "/start", language_code="az")
        for _ in range(200):
            if api.messages(777):
                break
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await api.stop()
    reply = api.messages(777)[0]
    assert tr("az")._("Choose your language below. You can change it at any time with /language.") in reply.text
    log = output.decode()
    assert "Application started" in log
    assert FAKE_TOKEN not in log and FAKE_TOKEN.split(":")[1] not in log
