"""`campaign-bot`: run the bot, check that it is healthy, try it in the terminal without a token, import content, or
look after its data (keygen, check, backup, restore, rotate-key)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
import secrets
import sys
from pathlib import Path

from bot import health, startup
from bot.app import build, services_of
from bot.config import DATA_KEY_BYTES, ConfigError, Settings, data_key_bytes, parse_data_key
from bot.content import ContentError, read_content_dir
from bot.logging_setup import MIN_SECRET_PART, protect, redact, setup_logging
from bot.resources import working_content_dir
from bot.store import (
    DEFAULT_KEEP,
    DataDirInUse,
    DataFileError,
    ImportReport,
    Store,
    backup,
    check,
    default_dir,
    key_id,
    restore,
    rotate_key,
)


def _setup_logging(level: int = logging.INFO) -> None:
    setup_logging(level)  # every handler redacts the token (bot/logging_setup.py)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.token:
        print("TELEGRAM_BOT_TOKEN is not set. To try the bot without a token, run: campaign-bot chat",
              file=sys.stderr)
        return 2
    application = build(settings)
    services = services_of(application)
    try:
        startup.run(application, services)  # waits for the Bot API first; polling or webhook (bot/startup.py)
    finally:
        services.store.close()  # closed by PTB's shutdown hook once running; here if start-up ended before
    return 0


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    healthy, line = health.check(settings.data_dir)
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.tryout.terminal import chat

    return asyncio.run(chat(settings, user_id=args.user, language_code=args.language, admin=args.admin))


def print_report(report: ImportReport) -> None:
    for label, names in (("added", report.added), ("changed", report.changed),
                         ("taken from the file (the admin's edit is replaced)", report.taken),
                         ("kept (edited by an admin in Telegram; the file differs)", report.kept_admin_edits),
                         ("kept (in the store, no file)", report.only_in_store)):
        for name in names:
            print(f"{label}: {name}")
    if report.kept_records:
        ids = " ".join(sorted({item_id for _, item_id in report.kept_records}))
        print(f"to let the files win for these: campaign-bot import --take-files {ids}")
    print(f"{len(report.added)} added, {len(report.changed)} changed, {len(report.unchanged)} unchanged, "
          f"{len(report.kept_admin_edits)} admin edits kept, {len(report.taken)} taken from files, "
          f"{len(report.only_in_store)} only in the store")


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    root = args.content or working_content_dir()
    items = read_content_dir(root)
    take_files = list(dict.fromkeys(args.take_files or ()))
    unknown = [item_id for item_id in take_files if item_id not in {item.id for item in items}]
    if unknown:
        print(f"campaign-bot: --take-files: no content file in {root} has the id {', '.join(unknown)}; "
              f"nothing was imported", file=sys.stderr)
        return 2
    print(f"importing {root} into {settings.data_dir}")
    store = Store(settings.data_dir, key=data_key_bytes(settings.data_key))
    try:
        report = asyncio.run(store.content.import_items(items, take_files))
    finally:
        store.close()
    print_report(report)
    return 0


def cmd_keygen(settings: Settings, args: argparse.Namespace) -> int:
    key = secrets.token_bytes(DATA_KEY_BYTES)
    print(base64.urlsafe_b64encode(key).decode().rstrip("="))
    print(f"key id {key_id(key)}. Keep the key secret, and apart from the data and its backups: set it as "
          "BOT_DATA_KEY, or put it in a file (a Docker secret) named by BOT_DATA_KEY_FILE.", file=sys.stderr)
    return 0


def _encryption(key: bytes | None) -> str:
    return f"encrypted, key id {key_id(key)}" if key else "not encrypted: BOT_DATA_KEY is not set"


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    directory = args.dir or settings.data_dir
    key = data_key_bytes(settings.data_key)
    report = check(directory, key)
    for line in report.lines:
        print(line)
    if report.lines:
        print(f"{len(report.lines)} problems in {directory} ({report.files} data files; "
              f"{len(report.next_start_fixes)} of them the next start puts right)", file=sys.stderr)
        return 1
    print(f"ok: {report.files} data files in {directory} ({_encryption(key)})")
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    made = backup(settings.data_dir, args.to, args.keep)
    sealed = f"encrypted, key id {', '.join(made.key_ids)}" if made.key_ids else "not encrypted"
    print(f"backed up {made.files} data files ({made.size:,} bytes, {sealed}) to {made.path}")
    for old in made.removed:
        print(f"removed the older backup {old} (keeping {args.keep})")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    source = args.backup
    if not source.exists() and (default_dir(settings.data_dir) / source).is_dir():
        source = default_dir(settings.data_dir) / source
    done = restore(settings.data_dir, source, data_key_bytes(settings.data_key), args.to)
    print(f"restored {done.files} data files from {source} into {settings.data_dir}")
    for name in done.removed:
        print(f"removed {name} (not in the backup)")
    if done.previous is not None:
        print(f"the data it replaced is in {done.previous}")
    return 0


def cmd_rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    new_secret = parse_data_key(os.environ, "BOT_NEW_DATA_KEY")
    new_key = data_key_bytes(new_secret)
    if new_key is None:
        print("campaign-bot: BOT_NEW_DATA_KEY is not set: make a new key with campaign-bot keygen and set it as "
              "BOT_NEW_DATA_KEY (or BOT_NEW_DATA_KEY_FILE), with the current key in BOT_DATA_KEY", file=sys.stderr)
        return 2
    protect(new_secret.value)
    old_key = data_key_bytes(settings.data_key)
    count = rotate_key(settings.data_dir, old_key, new_key)
    if count is None:
        print(f"finished the interrupted rotation: the data is encrypted with key id {key_id(new_key)}")
    else:
        before = f" (backups made before keep key id {key_id(old_key)}: keep that key while they are kept)" \
            if old_key else ""
        print(f"re-encrypted {count} data files with key id {key_id(new_key)}{before}")
    print("set BOT_DATA_KEY to the new key before the bot starts again")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="campaign-bot", description=__doc__)
    top.set_defaults(failure=2)
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot for real (needs TELEGRAM_BOT_TOKEN); by webhook when "
                                     "BOT_WEBHOOK_URL is set, else by long polling")
    run.set_defaults(handler=cmd_run)
    check = sub.add_parser("health", help="exit 0 if the bot running on BOT_DATA_DIR is healthy, 1 if not "
                                          "(the Docker image's HEALTHCHECK)")
    check.set_defaults(handler=cmd_health, failure=1)  # Docker reserves exit code 2
    chat = sub.add_parser("chat", help="talk to the bot in this terminal, no token needed")
    chat.add_argument("--user", type=int, default=1001, help="the Telegram user id you act as")
    chat.add_argument("--language", default="en", help="your Telegram app's language code (en, az, ru…)")
    chat.add_argument("--admin", action="store_true", help="act as one of the campaign's admins (/push, /stats…)")
    chat.set_defaults(handler=cmd_chat)
    imp = sub.add_parser("import", help="re-sync the content files into the store and say what changed")
    imp.add_argument("--content", type=Path,
                     help="content directory (default: ./content if there is one, else the bundled copy)")
    imp.add_argument("--take-files", nargs="+", metavar="ID", default=[],
                     help="ids of records (a case or concern id, or background, campaign, sources) whose file "
                          "replaces an admin's edit from Telegram; the file is followed again from then on")
    imp.set_defaults(handler=cmd_import)
    keygen = sub.add_parser("keygen", help="print a new data key for BOT_DATA_KEY (32 random bytes, base64url)")
    keygen.set_defaults(handler=cmd_keygen)
    verify = sub.add_parser("check", help="check the data files (decrypt, parse, journal tails, fields, references): "
                                          "one line per problem, exit 1 if any; safe while the bot runs")
    verify.add_argument("--dir", type=Path, help="the directory to check, e.g. a backup (default: BOT_DATA_DIR)")
    verify.set_defaults(handler=cmd_check, failure=1)
    save = sub.add_parser("backup", help="copy the data files, consistently, while the bot runs or not; encrypted "
                                         "files stay encrypted")
    save.add_argument("--to", type=Path, help="the backups directory (default: BOT_DATA_DIR/backups)")
    save.add_argument("--keep", type=int, default=DEFAULT_KEEP, help="how many backups to keep (default: %(default)s)")
    save.set_defaults(handler=cmd_backup)
    back = sub.add_parser("restore", help="put a backup in place of the data files (stop the bot first); the files "
                                          "it replaces are kept as a backup")
    back.add_argument("backup", type=Path, help="the backup's directory, or its name in BOT_DATA_DIR/backups")
    back.add_argument("--to", type=Path, help="where the replaced files are kept (default: BOT_DATA_DIR/backups)")
    back.set_defaults(handler=cmd_restore)
    rotate = sub.add_parser("rotate-key", help="re-encrypt the data files from BOT_DATA_KEY to BOT_NEW_DATA_KEY "
                                               "(stop the bot first); crash-safe")
    rotate.set_defaults(handler=cmd_rotate_key)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _setup_logging(logging.WARNING if args.command == "chat" else logging.INFO)  # chat: keep the dialogue clean
    try:
        settings = Settings.from_env()
        protect(settings.token.value)
        protect(settings.data_key.value)
        if len(settings.webhook_secret.value) >= MIN_SECRET_PART:  # a shorter one would blank out other text
            protect(settings.webhook_secret.value)
        result: int = args.handler(settings, args)
        return result
    except (ConfigError, ContentError, DataDirInUse, DataFileError, startup.StartupError) as exc:
        print(redact(f"campaign-bot: {exc}"), file=sys.stderr)
        failure: int = args.failure
        return failure
    except KeyboardInterrupt:
        return 130
