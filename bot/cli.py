"""`campaign-bot`: run the bot, check that it is healthy, try it in the terminal without a token, or import content."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import health, startup
from bot.app import build, services_of
from bot.config import ConfigError, Settings
from bot.content import ContentError, read_content_dir
from bot.logging_setup import MIN_SECRET_PART, protect, redact, setup_logging
from bot.resources import working_content_dir
from bot.store import DataDirInUse, ImportReport, Store


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
    store = Store(settings.data_dir)
    try:
        report = asyncio.run(store.content.import_items(items, take_files))
    finally:
        store.close()
    print_report(report)
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
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _setup_logging(logging.WARNING if args.command == "chat" else logging.INFO)  # chat: keep the dialogue clean
    try:
        settings = Settings.from_env()
        protect(settings.token.value)
        if len(settings.webhook_secret.value) >= MIN_SECRET_PART:  # a shorter one would blank out other text
            protect(settings.webhook_secret.value)
        result: int = args.handler(settings, args)
        return result
    except (ConfigError, ContentError, DataDirInUse, startup.StartupError) as exc:
        print(redact(f"campaign-bot: {exc}"), file=sys.stderr)
        failure: int = args.failure
        return failure
    except KeyboardInterrupt:
        return 130
