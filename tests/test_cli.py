"""The installed command line, as a newcomer and an operator use it (runs the installed package)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.tryout.standin import LocalBotAPI
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


# --- `campaign-bot import --take-files`, and the try-out saying what it keeps ------------------------------


def _admin_edit(data_dir: Path, case_id: str, **changes: object) -> None:
    """Seed `data_dir` from the content files, then change one case as an admin from Telegram would."""
    from bot.content import RawItem, read_content_dir
    from bot.store import Store

    async def edit() -> None:
        store = Store(data_dir)
        try:
            items = read_content_dir(ROOT / "content")
            await store.content.import_items(items)
            item = next(i for i in items if i.id == case_id)
            await store.content.apply_admin_item(RawItem(item.kind, item.id, item.where, {**item.data, **changes}))
        finally:
            store.close()

    asyncio.run(edit())


def _set_order(path: Path, order: int) -> None:
    import re

    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^order: \d+$", f"order: {order}", text)
    assert changed != text or f"\norder: {order}\n" in text
    path.write_text(changed, encoding="utf-8")


def _stored_case(data_dir: Path, case_id: str) -> dict[str, object]:
    import json

    records = json.loads((data_dir / "content.json").read_text(encoding="utf-8"))["items"].values()
    record: dict[str, object] = next(r for r in records if r["id"] == case_id)
    return record


def test_import_take_files_lets_the_files_win_again_for_an_admin_edit(tmp_path: Path) -> None:
    import shutil

    _admin_edit(tmp_path / "data", "asif-yusifli", order=1)
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    case = content / "cases" / "asif-yusifli.yaml"
    _set_order(case, 11)

    kept = _run(["import"], tmp_path)  # ./content is the default
    assert kept.returncode == 0, kept.stderr
    assert "kept (edited by an admin in Telegram; the file differs): cases/asif-yusifli.yaml" in kept.stdout
    assert "campaign-bot import --take-files asif-yusifli" in kept.stdout  # says how to let the file win
    assert _stored_case(tmp_path / "data", "asif-yusifli")["data"]["order"] == 1  # type: ignore[index]

    before = (tmp_path / "data" / "content.json").read_bytes()
    unknown = _run(["import", "--take-files", "asif-yusifli", "no-such-case"], tmp_path)
    assert unknown.returncode == 2
    assert "no-such-case" in unknown.stderr and "Traceback" not in unknown.stderr
    assert (tmp_path / "data" / "content.json").read_bytes() == before  # nothing changed

    taken = _run(["import", "--take-files", "asif-yusifli"], tmp_path)
    assert taken.returncode == 0, taken.stderr
    assert "taken from the file (the admin's edit is replaced): cases/asif-yusifli.yaml" in taken.stdout
    record = _stored_case(tmp_path / "data", "asif-yusifli")
    assert record["origin"] == "file" and record["data"]["order"] == 11  # type: ignore[index]

    _set_order(case, 12)
    later = _run(["import"], tmp_path)  # from now on the file is followed again
    assert "changed: cases/asif-yusifli.yaml" in later.stdout
    assert _stored_case(tmp_path / "data", "asif-yusifli")["data"]["order"] == 12  # type: ignore[index]


def test_take_files_also_frees_an_admin_edit_equal_to_its_file(tmp_path: Path) -> None:
    import shutil

    _admin_edit(tmp_path / "data", "asif-yusifli", order=11)
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    case = content / "cases" / "asif-yusifli.yaml"
    _set_order(case, 11)
    taken = _run(["import", "--take-files", "asif-yusifli"], tmp_path)
    assert taken.returncode == 0, taken.stderr
    assert "taken from the file (the admin's edit is replaced): cases/asif-yusifli.yaml" in taken.stdout
    assert _stored_case(tmp_path / "data", "asif-yusifli")["origin"] == "file"


def test_the_try_out_says_when_it_keeps_an_admins_version_over_a_file(tmp_path: Path) -> None:
    import shutil

    _admin_edit(tmp_path / "data" / "tryout", "asif-yusifli", order=1)
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    case = content / "cases" / "asif-yusifli.yaml"
    _set_order(case, 11)
    result = _run(["chat"], tmp_path, stdin=":quit\n")
    assert result.returncode == 0, result.stderr
    assert "kept the admin's version of case asif-yusifli; " in result.stdout
    tryout = tmp_path / "data" / "tryout"  # where this try-out keeps its data (BOT_DATA_DIR/tryout)
    hint = f"`BOT_DATA_DIR={tryout} campaign-bot import --take-files asif-yusifli` takes the file"
    assert hint in result.stdout
    assert "bakhtiyar-imanov" not in result.stdout  # one line per kept record, and only those

    taken = _run(["import", "--take-files", "asif-yusifli"], tmp_path, BOT_DATA_DIR=str(Path("data") / "tryout"))
    assert taken.returncode == 0, taken.stderr
    again = _run(["chat"], tmp_path, stdin="/case asif\n:quit\n")
    assert "kept the admin's version" not in again.stdout
    assert _stored_case(tmp_path / "data" / "tryout", "asif-yusifli")["data"]["order"] == 11  # type: ignore[index]


def test_the_try_out_remembers_its_members_and_shows_a_broadcast_as_it_happens(tmp_path: Path) -> None:
    """The README's order: subscribe as members, leave, come back as an admin, /push: they get it."""
    first = _run(["chat"], tmp_path, stdin="/subscribe all\n:user 2002\n/subscribe all\n:quit\n")
    assert first.returncode == 0, first.stderr
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    environment["BOT_DATA_DIR"] = str(tmp_path / "data")
    admin = subprocess.Popen([sys.executable, "-m", "bot", "chat", "--admin"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                             env=environment)
    assert admin.stdin is not None and admin.stdout is not None
    try:
        # /push, the general topic (button 1), English, /skip the others, then Confirm (button 1); no more lines.
        admin.stdin.write("/push\n1\nThe trial was postponed.\n/skip\n/skip\n1\n")
        admin.stdin.flush()
        report = tr("en")._("#{id} done: {sent} delivered, {failed} failed, {blocked} blocked the bot, {unknown} "
                            "unknown, {pending} not sent.").format(id=1, sent=2, failed=0, blocked=0, unknown=0,
                                                                  pending=0)
        lines: queue.Queue[str] = queue.Queue()
        stdout = admin.stdout
        def read() -> None:
            for line in stdout:
                lines.put(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        seen = ""
        deadline = time.monotonic() + 60
        while report not in seen and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                seen += lines.get(timeout=1)
        assert report in seen  # shown as it happened, with no line typed after Confirm
        assert "bot (edited its message)" in seen  # the progress card, edited in place
        admin.stdin.write(":user 2002\n:quit\n")
        admin.stdin.flush()
        admin.stdin.close()
        admin.wait(timeout=60)
        reader.join(timeout=10)
        out = ""
        while not lines.empty():
            out += lines.get_nowait()
        err = admin.stderr.read() if admin.stderr else ""
    finally:
        if admin.poll() is None:
            admin.kill()
    assert "The trial was postponed." in out.split(":user 2002")[1]  # the member got it
    assert "Traceback" not in seen + out + err
