"""Privacy at rest and the operator's tools: BOT_DATA_KEY seals every data file but the content; a wrong or missing key
stops the start in one line; rotate-key survives kills; backup while the bot runs, restore with it stopped; check says
what is wrong; a corrupt file stops the start and is never written over."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, Secret, Settings, data_key_bytes
from bot.content import read_content_dir
from bot.model import ALL, SEND, ChatRecord, Target
from bot.store import BackupError, Store, backup, backups_in, check, key_id, restore
from bot.store import chats as chats_module
from bot.store.engine import datadir
from bot.store.engine.atomic import parse_tables
from bot.store.engine.errors import KeyMissing, SwapPending, WrongKey
from bot.store.engine.journal import replay_journal
from bot.store.engine.seal import Sealer, open_file
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI
from tests.conftest import Member, tr
from tests.test_actions import did_it, take_action
from tests.test_broadcast import finish_broadcasts

ROOT = Path(__file__).resolve().parent.parent
KEY = bytes(range(1, 33))
OTHER_KEY = bytes(range(101, 133))
ADMIN = 7_730_099_001
MEMBERS = [7_730_000_101 + n for n in range(9)]
"""Ids unlike any other number in the data directory, so that a scan for them means something."""
LANGUAGE_CODES = ("az", "ru", "en")
TEXTS = {"en": "The hearing was postponed again.", "az": "Məhkəmə iclası yenə təxirə salındı.",
         "ru": "Заседание снова отложено."}
TOKEN = "6161616161:made-up-token-data-at-rest"
REVEALING = (b'"language"', b'"lang"', b'"subscriptions"', b'"chat"', b'"az"', b'"ru"', b'"admin_chat"')
"""What the member and outbox files say in the clear: none of it may be in a sealed file."""


def text_of(key: bytes) -> str:
    """A key as BOT_DATA_KEY holds it (`campaign-bot keygen` prints one)."""
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def settings(key: bytes | None = KEY) -> Settings:
    return Settings(admin_ids=frozenset({ADMIN}), data_key=Secret(text_of(key) if key else ""))


def hashes(directory: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in datadir.data_files(directory)}


def state(directory: Path, key: bytes | None) -> dict[str, Any]:
    """What the data files hold, opened with `key`: each table file replayed to its end, each private file's bytes."""
    sealer = Sealer(key) if key else None
    found: dict[str, Any] = {}
    for path in datadir.data_files(directory):
        if path.name.endswith(".journal"):
            snapshot = path.with_name(path.name.removesuffix(".journal"))
            tables = found.setdefault(snapshot.name, {})
            replay_journal(path.read_bytes(), tables, path, sealer)
        elif path.name.endswith(".json"):
            found.setdefault(path.name, {}).update(parse_tables(open_file(path.read_bytes(), path, sealer), path) or {})
        else:
            found[path.name] = open_file(path.read_bytes(), path, sealer)
    return found


def run_cli(args: list[str], tmp_path: Path, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    environment.update({"BOT_DATA_DIR": str(data_dir), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=tmp_path,
                          env=environment, timeout=120, check=False)


async def admin_pushes(bot: LocalBot) -> None:
    admin = Member(bot, ADMIN, "en")
    await admin.sends("/push")
    await admin.presses(tr("en")._("General updates"))
    for code in ("en", "az", "ru"):
        await admin.sends(TEXTS[code])
    await admin.presses(tr("en")._("Confirm and send"))
    await finish_broadcasts(bot)


async def campaign_with_members(data: Path, key: bytes | None = KEY) -> None:
    """Members subscribe (each in their app's language, one chooses hers), an admin pushes an update, a member
    presses "I did it", and a backup is taken while the bot runs."""
    async with LocalBot(data, settings=settings(key)) as bot:
        for n, member_id in enumerate(MEMBERS):
            member = Member(bot, member_id, LANGUAGE_CODES[n % 3])
            await member.sends("/subscribe all")
        await Member(bot, MEMBERS[0], "az").sends("/language")
        await Member(bot, MEMBERS[0], "az").presses("Русский")
        await admin_pushes(bot)
        assert all(any(TEXTS["en"][:10] in m.text or TEXTS["az"][:10] in m.text or TEXTS["ru"][:10] in m.text
                       for m in bot.api.messages(member_id)) for member_id in MEMBERS)
        await take_action(Member(bot, MEMBERS[1], "en"), "Yusifli")
        await did_it(Member(bot, MEMBERS[1], "en"))
        backup(data)


# --- sealed at rest ------------------------------------------------------------------------------------------------


async def test_with_a_key_no_member_id_language_or_update_is_in_any_data_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await campaign_with_members(data)
    files = [path for path in data.rglob("*") if path.is_file()]
    names = {path.relative_to(data).parts[0] for path in files}
    assert {"chats.json.journal", "outbox.json.journal", "updates.json", "actions.json.journal", "actions.key",
            "content.json", "backups"} <= names, names  # the scan means something: every kind of file, a backup too
    for path in files:
        raw = path.read_bytes()
        for member_id in (*MEMBERS, ADMIN):
            assert str(member_id).encode() not in raw, f"{path.relative_to(data)} holds {member_id}"
        for text in TEXTS.values():
            assert text.encode() not in raw, f"{path.relative_to(data)} holds the update"
        if path.name not in ("content.json", "MANIFEST"):  # the campaign's content stays plain: it is public
            for clear in REVEALING:
                assert clear not in raw, f"{path.relative_to(data)} holds {clear.decode()}"
    opened = state(data, KEY)  # and with the key it is all there
    chats = {int(doc_id): doc for table in opened["chats.json"].values() for doc_id, doc in table.items()}
    assert set(chats) == set(MEMBERS)
    assert chats[MEMBERS[0]]["language"] == "ru" and chats[MEMBERS[3]]["language"] == "az"  # chosen, and the app's


async def test_without_the_key_the_data_files_cannot_be_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await campaign_with_members(data)
    with pytest.raises(KeyMissing, match="BOT_DATA_KEY is not set"):
        Store(data)
    for path in datadir.data_files(data):
        if path.name != "content.json":
            assert datadir.kind_of(path) == datadir.Kind(datadir.SEALED, Sealer(KEY).key_id), path.name
            with pytest.raises(KeyMissing):
                state(data, None)
    report = check(data, None)
    assert len(report.problems) == len(datadir.data_files(data)) - 1  # one line per sealed file
    assert all("BOT_DATA_KEY is not set" in line for line in report.problems)
    with pytest.raises(WrongKey):
        state(data, OTHER_KEY)


def test_a_wrong_or_missing_key_refuses_to_start_with_one_line_naming_the_file(tmp_path: Path) -> None:
    data = tmp_path / "data"

    async def subscribe() -> None:
        store = Store(data, KEY)
        try:
            await store.chats.subscribe(MEMBERS[0], ALL, "az")
        finally:
            store.close()

    asyncio.run(subscribe())
    before = hashes(data)
    nowhere = "http://127.0.0.1:9/bot"  # never reached: the store refuses before the Bot API is asked anything
    wrong = run_cli(["run"], tmp_path, data, TELEGRAM_BOT_TOKEN=TOKEN, BOT_API_BASE_URL=nowhere,
                    BOT_DATA_KEY=text_of(OTHER_KEY))
    assert wrong.returncode == 2
    assert wrong.stderr.splitlines() == [
        f"campaign-bot: {data / 'chats.json.journal'}: encrypted with another key (key id {key_id(KEY)}) than "
        f"BOT_DATA_KEY (key id {key_id(OTHER_KEY)}): start with the key it was written with"]
    missing = run_cli(["run"], tmp_path, data, TELEGRAM_BOT_TOKEN=TOKEN, BOT_API_BASE_URL=nowhere)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        f"campaign-bot: {data / 'chats.json.journal'}: encrypted (key id {key_id(KEY)}) and BOT_DATA_KEY is not set: "
        "set it to the key the data was written with"]
    assert hashes(data) == before  # nothing was written


async def test_a_deployment_that_turns_encryption_on_has_its_files_sealed_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data"
    await campaign_with_members(data, key=None)
    plain = state(data, None)
    assert b'"language"' in (data / "chats.json.journal").read_bytes()
    with caplog.at_level(logging.WARNING, logger="bot.store"):
        Store(data, KEY).close()
    sealed = [r.getMessage() for r in caplog.records if "encrypted" in r.getMessage()]
    private = [path.name for path in datadir.data_files(data) if path.name != "content.json"]
    assert len(sealed) == 1 and f"encrypted {len(private)} data files with BOT_DATA_KEY" in sealed[0], sealed
    assert state(data, KEY) == plain
    assert not check(data, KEY).lines
    assert datadir.kind_of(data / "content.json").state == datadir.PLAIN
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.store"):
        Store(data, KEY).close()
    assert not caplog.records  # once


def test_the_data_key_setting_is_checked_and_read_from_a_file(tmp_path: Path) -> None:
    assert data_key_bytes(Settings.from_env({"BOT_DATA_KEY": text_of(KEY)}).data_key) == KEY
    secret = tmp_path / "data_key"
    secret.write_text(text_of(KEY) + "\n")
    assert data_key_bytes(Settings.from_env({"BOT_DATA_KEY_FILE": str(secret)}).data_key) == KEY
    for bad in ("short", text_of(KEY)[:-2], text_of(KEY) + "AAAA", "!" * 43):
        with pytest.raises(ConfigError, match="BOT_DATA_KEY is not a data key") as error:
            Settings.from_env({"BOT_DATA_KEY": bad})
        assert bad not in str(error.value)
    with pytest.raises(ConfigError, match="both set"):
        Settings.from_env({"BOT_DATA_KEY": text_of(KEY), "BOT_DATA_KEY_FILE": str(secret)})
    with pytest.raises(ConfigError, match="cannot be read"):
        Settings.from_env({"BOT_DATA_KEY_FILE": str(tmp_path / "missing")})
    assert repr(Settings.from_env({"BOT_DATA_KEY": text_of(KEY)})).count(text_of(KEY)) == 0


@pytest.mark.parametrize("key", [KEY, None], ids=["sealed", "plain"])
def test_a_repositorys_small_private_file_goes_through_the_same_seam(tmp_path: Path, key: bytes | None) -> None:
    store = Store(tmp_path, key)
    try:
        secret = b"0123456789abcdef" * 4
        assert store.db.read_private_file("requests.key") is None
        store.db.write_private_file("requests.key", secret)
        assert store.db.read_private_file("requests.key") == secret
        assert (secret in (tmp_path / "requests.key").read_bytes()) is (key is None)
        for bad in ("../x.key", ".hidden.key", "notes.txt"):
            with pytest.raises(ValueError, match="a private file is named"):
                store.db.write_private_file(bad, secret)
    finally:
        store.close()
    assert check(tmp_path, key).lines == []


def test_keygen_makes_a_key_the_bot_takes(tmp_path: Path) -> None:
    made = run_cli(["keygen"], tmp_path, tmp_path / "data")
    assert made.returncode == 0
    [text] = made.stdout.split()
    key = data_key_bytes(Secret(text))
    assert key is not None and f"key id {key_id(key)}" in made.stderr
    again = run_cli(["keygen"], tmp_path, tmp_path / "data").stdout.strip()
    assert again != text


# --- rotate-key ----------------------------------------------------------------------------------------------------


def fill(data: Path, key: bytes, chats: int) -> None:
    """A data directory with `chats` members, a broadcast to all of them, an update, actions and the content."""

    async def build() -> None:
        store = Store(data, key)
        try:
            def spread() -> None:
                tinydb = store.db.open_table_file("chats", journaled=True)
                tables: dict[str, dict[str, Any]] = {}
                for chat_id in range(1, chats + 1):
                    record = ChatRecord(MEMBERS[0] + chat_id, LANGUAGE_CODES[chat_id % 3], False, (ALL,), True,
                                        "2026-01-01", "2026-01-01", True)
                    table = tables.setdefault(chats_module.shard_name(record.chat_id), {})
                    table[str(record.chat_id)] = chats_module.as_document(record)
                tinydb.storage.write(tables)
                tinydb.storage.compact()  # type: ignore[attr-defined]

            await store.db.run(spread)
            for member_id in MEMBERS:
                await store.chats.subscribe(member_id, ALL, "az")  # and a journal after the snapshot
            update = await store.updates.add(ALL, TEXTS)
            targets = [Target(MEMBERS[0] + n, "az", False) for n in range(1, chats + 1)]
            await store.outbox.create(SEND, update.id, ALL, ADMIN, targets)
            await store.actions.record("asif-yusifli", MEMBERS[0])
            await store.content.import_items(read_content_dir(ROOT / "content"))
        finally:
            store.close()

    asyncio.run(build())


@pytest.mark.slow
def test_rotate_key_killed_at_any_moment_leaves_every_file_readable_with_one_of_the_keys(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, KEY, 20_000)
    expected = state(data, KEY)
    content = (data / "content.json").read_bytes()
    private = [path.name for path in datadir.data_files(data) if path.name != "content.json"]
    rng = random.Random(1111)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def child(old: bytes, new: bytes, *mode: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, str(ROOT / "tests" / "rotate_writer.py"), str(data), old.hex(),
                                 new.hex(), *mode], stdout=subprocess.PIPE, text=True, env=env)

    # One rotation to the end, timed, so that the random kills spread over all of it.
    current = os.urandom(32)
    started = child(KEY, current)
    assert started.stdout is not None and started.stdout.readline().strip() == "ready"
    began = time.monotonic()
    assert started.wait(timeout=120) == 0
    span = time.monotonic() - began
    assert started.stdout.read().split()[-1] == "done"
    started.stdout.close()
    assert state(data, current) == expected

    modes = ["random", "after-commit", "random", "die-after-move", "random"]
    rounds, kills, checked = 30, 0, 0
    outcomes = {"old": 0, "new": 0, "finished before the kill": 0}
    for round_no in range(rounds):
        mode = modes[round_no % len(modes)]
        new = os.urandom(32)
        extra = ["die-after-move", str(rng.randint(1, len(private) - 1))] if mode == "die-after-move" else []
        process = child(current, new, *extra)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        if mode == "random":
            time.sleep(rng.uniform(0, span))
        elif mode == "after-commit":
            while process.stdout.readline().strip() not in ("committed", ""):
                pass
            time.sleep(rng.uniform(0, span / 10))
        if mode != "die-after-move":
            process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=60)
        process.stdout.close()
        kills += code == -signal.SIGKILL
        before = hashes(data)
        try:
            Store(data, current).close()  # the old key: opens if the rotation had not committed
            opened = current
            outcomes["old" if code else "finished before the kill"] += 1
        except (WrongKey, SwapPending) as error:
            # The start says which key to use: the new one, by its id; and touches nothing.
            assert key_id(new) in str(error), str(error)
            assert hashes(data) == before
            Store(data, new).close()  # finishes the renames if they were cut
            opened = new
            outcomes["new" if code else "finished before the kill"] += 1
        assert not (data / datadir.SWAP_DIR).exists()
        assert state(data, opened) == expected, f"round {round_no} ({mode}): the data changed"
        for name in private:
            assert datadir.kind_of(data / name) == datadir.Kind(datadir.SEALED, Sealer(opened).key_id), name
        assert (data / "content.json").read_bytes() == content
        checked += len(private) + 1
        current = opened
    print(f"rotate-key: {kills} kills in {rounds} rounds (outcomes {outcomes}), {checked} files checked, "
          f"one rotation of {len(private)} files takes {span * 1000:.0f} ms")
    assert kills >= rounds * 4 // 5
    assert outcomes["old"] and outcomes["new"]


def test_rotate_key_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, KEY, 50)
    expected = state(data, KEY)
    refused = run_cli(["rotate-key"], tmp_path, data, BOT_DATA_KEY=text_of(KEY))
    assert refused.returncode == 2 and "BOT_NEW_DATA_KEY is not set" in refused.stderr
    done = run_cli(["rotate-key"], tmp_path, data, BOT_DATA_KEY=text_of(KEY), BOT_NEW_DATA_KEY=text_of(OTHER_KEY))
    assert done.returncode == 0, done.stderr
    private = len(datadir.data_files(data)) - 1  # all but the content
    assert f"re-encrypted {private} data files with key id {key_id(OTHER_KEY)}" in done.stdout
    assert state(data, OTHER_KEY) == expected
    with pytest.raises(WrongKey):
        Store(data, KEY)

    store = Store(data, OTHER_KEY)  # the bot runs: rotate-key is refused
    try:
        busy = run_cli(["rotate-key"], tmp_path, data, BOT_DATA_KEY=text_of(OTHER_KEY), BOT_NEW_DATA_KEY=text_of(KEY))
    finally:
        store.close()
    assert busy.returncode == 2 and "stop the bot before rotating the key" in busy.stderr


# --- backup and restore --------------------------------------------------------------------------------------------


async def records(store: Store) -> dict[int, tuple[str, tuple[str, ...]]]:
    def everything() -> dict[int, tuple[str, tuple[str, ...]]]:
        tinydb = store.db.open_table_file("chats", journaled=True)
        found = {}
        for name in tinydb.tables():
            for doc in tinydb.table(name).all():
                record = chats_module.from_document(doc.doc_id, dict(doc))
                assert record is not None
                found[doc.doc_id] = (record.language, record.subscriptions)
        return found

    return await store.db.run(everything)


async def test_a_backup_taken_while_the_bot_runs_restores_the_same_records(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with LocalBot(data, settings=settings()) as bot:
        store = bot.services.store
        for member_id in MEMBERS[:3]:
            await Member(bot, member_id, "az").sends("/subscribe all")
        # Members keep subscribing while backups are taken: each is consistent (check finds nothing, no torn tail).
        burst = [store.chats.subscribe(9_100_000 + n, ALL, "ru") for n in range(300)]
        busy = asyncio.gather(*burst)
        during = [await asyncio.to_thread(backup, data) for _ in range(3)]
        await busy
        for made in during:
            assert check(made.path, KEY).lines == []
            backed_up = {int(doc_id) for table in state(made.path, KEY)["chats.json"].values() for doc_id in table}
            assert set(MEMBERS[:3]) <= backed_up
        at_backup = await records(store)
        made = await asyncio.to_thread(backup, data, None, 2)
        assert [p.name for p in made.removed] == [during[0].path.name, during[1].path.name]  # keeping 2
        with pytest.raises(BackupError, match="stop the bot before restoring"):
            restore(data, made.path, KEY)
        await Member(bot, MEMBERS[4], "en").sends("/subscribe all")  # after the backup
        await store.forget_chat(MEMBERS[0])
    assert backups_in(data / "backups") == [during[2].path, made.path]
    assert made.key_ids == (key_id(KEY),)

    with pytest.raises(BackupError, match="encrypted with another key"):
        restore(data, made.path, OTHER_KEY)
    done = restore(data, made.path, KEY)
    assert done.previous is not None and done.previous.name.endswith("-before-restore")
    store = Store(data, KEY)
    try:
        assert await records(store) == at_backup
        assert MEMBERS[0] in at_backup and MEMBERS[4] not in at_backup
    finally:
        store.close()
    replaced = state(done.previous, KEY)["chats.json"]  # and the data it replaced is kept
    assert MEMBERS[4] in {int(doc_id) for table in replaced.values() for doc_id in table}


def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, KEY, 50)
    expected = state(data, KEY)
    made = run_cli(["backup", "--keep", "1"], tmp_path, data)  # no key needed: the files are copied as they are
    assert made.returncode == 0, made.stderr
    files = len(datadir.data_files(data))
    assert f"backed up {files} data files (" in made.stdout and f"encrypted, key id {key_id(KEY)}) to " in made.stdout
    [path] = backups_in(data / "backups")
    for name in ("chats.json", "actions.key"):
        (data / name).unlink()
    restored = run_cli(["restore", path.name], tmp_path, data, BOT_DATA_KEY=text_of(KEY))
    assert restored.returncode == 0, restored.stderr
    assert f"restored {files} data files from {path}" in restored.stdout and "-before-restore" in restored.stdout
    assert state(data, KEY) == expected
    damaged = path / "updates.json"
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"x")
    refused = run_cli(["restore", str(path)], tmp_path, data, BOT_DATA_KEY=text_of(KEY))
    assert refused.returncode == 2 and "checksum differs" in refused.stderr
    assert state(data, KEY) == expected


# --- check, and a corrupt file at start -----------------------------------------------------------------------------


def test_check_finds_a_corrupt_file_a_torn_journal_tail_and_a_dangling_reference(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, KEY, 50)
    ok = run_cli(["check"], tmp_path, data, BOT_DATA_KEY=text_of(KEY))
    files = len(datadir.data_files(data))
    assert ok.returncode == 0 and ok.stdout.startswith(f"ok: {files} data files"), ok.stdout + ok.stderr

    async def damage() -> None:
        store = Store(data, KEY)
        try:
            update = await store.updates.add(ALL, TEXTS)
            await store.outbox.create(SEND, update.id + 1, ALL, ADMIN, [Target(MEMBERS[0], "az", False)])
            orphan = {"chat": MEMBERS[1], "lang": "az", "quiet": False, "status": "pending", "mid": None}
            await store.db.run(lambda: store.db.open_table_file("outbox", journaled=True).table(
                "r000007-00000").insert(orphan))  # deliveries whose broadcast record was never written
        finally:
            store.close()

    asyncio.run(damage())
    with (data / "chats.json.journal").open("ab") as journal:
        journal.write(Sealer(KEY).seal_line(b'{"t":"chats-0001","d":{}}', "chats.json.journal")[:-9])
    sealed = bytearray((data / "actions.key").read_bytes())
    sealed[-3] ^= 1
    (data / "actions.key").write_bytes(bytes(sealed))
    before = hashes(data)
    found = run_cli(["check"], tmp_path, data, BOT_DATA_KEY=text_of(KEY))
    assert found.returncode == 1
    lines = found.stdout.splitlines()
    assert f"{data / 'actions.key'}: does not decrypt with BOT_DATA_KEY (key id {key_id(KEY)})" in lines[0]
    assert any(f"{data / 'chats.json.journal'}: a torn last write" in line for line in lines)
    assert any(f"{data / 'outbox.json'}: deliveries of broadcast 7 but no such broadcast" in line for line in lines)
    assert any(f"{data / 'outbox.json'}: broadcast 2 sends update 3, which is not in" in line for line in lines)
    assert len(lines) == 4, lines
    assert "4 problems" in found.stderr
    assert hashes(data) == before  # check reads only

    no_key = run_cli(["check"], tmp_path, data)
    assert no_key.returncode == 1 and all("BOT_DATA_KEY is not set" in line for line in no_key.stdout.splitlines())


@pytest.mark.parametrize("key", [KEY, None], ids=["sealed", "plain"])
async def test_a_corrupt_file_stops_the_bot_naming_it_and_is_never_overwritten(tmp_path: Path,
                                                                             key: bytes | None) -> None:
    data = tmp_path / "data"
    store = Store(data, key)
    try:
        for member_id in MEMBERS[:3]:
            await store.chats.subscribe(member_id, ALL, "az")
    finally:
        store.close()
    journal = data / "chats.json.journal"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1][:25] + b"\n"  # a line in the middle, cut: complete (it ends in a newline) but broken
    journal.write_bytes(b"".join(lines))
    before = hashes(data)
    api = LocalBotAPI()
    await api.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api.base_url, "BOT_DATA_DIR": str(data),
                    **({"BOT_DATA_KEY": text_of(key)} if key else {})})
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                       stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(process.communicate(), 60)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    finally:
        await api.stop()
    assert process.returncode == 2
    last = err.decode().splitlines()[-1]
    assert last.startswith(f"campaign-bot: {journal}: line 2") and "journal is corrupt" in last, err.decode()
    assert "Traceback" not in err.decode()
    assert hashes(data) == before  # not truncated, not compacted, not sealed over


def test_restore_puts_back_a_whole_directory_after_a_kill_at_any_point(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    fill(data, KEY, 50)
    made = backup(data)
    expected = state(data, KEY)
    for path in data.glob("outbox.json*"):
        path.unlink()
    damaged = state(data, KEY)
    files = len(datadir.data_files(made.path))

    class Killed(Exception):
        pass

    real_replace = os.replace

    def cut_after(cut: int) -> Any:
        moves = 0

        def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            nonlocal moves
            real_replace(src, dst, *args, **kwargs)
            if Path(src).parent.name == datadir.SWAP_DIR and Path(dst).parent == data:
                moves += 1
                if moves == cut:
                    raise Killed  # as a kill here would leave it: some files moved, the commit on disk

        return replace

    for cut in range(1, files + 1):
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", cut_after(cut))
            with pytest.raises(Killed):
                restore(data, made.path, KEY)
        assert datadir.pending_swap(data) is not None and datadir.pending_swap(data).committed  # type: ignore[union-attr]
        Store(data, KEY).close()  # the next start finishes it
        assert state(data, KEY) == expected
        for path in datadir.data_files(data):
            if path.name.startswith("outbox"):
                path.unlink()
        assert state(data, KEY) == damaged
    shutil.rmtree(made.path)
