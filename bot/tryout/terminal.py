"""`campaign-bot chat`: talk to the real bot in a terminal, with no token and no network.

The real Application runs against the local Bot API stand-in over HTTP on 127.0.0.1 (see `driver.py`).
Each line typed is a message from you; a number presses that button of the bot's last keyboard.
Lines starting with ':' steer the try-out itself (they are not sent to the bot): see `HELP`.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.i18n import resolve_language
from bot.resources import working_content_dir
from bot.tryout.driver import LocalBot
from bot.tryout.standin import SentMessage

HELP = """\
Type a message (for example /start) and press Enter. A number presses that button.
  :lang CODE   your Telegram app's language: en, az, ru, az-AZ, de… (:lang none for no language)
  :user ID     act as another user (a new member, with a new chat); what the bot sent them
               meanwhile (an update an admin pushed, say) is shown when you switch
  :file PATH   send a file, as an admin sends a content file (.yaml) to add or change a case
  :help        this help
  :quit        leave (Ctrl-D works too)"""


@dataclass
class Buttons:
    """The numbered buttons of the last keyboard shown: number → (message id, data or url)."""

    items: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def set(self, message: SentMessage) -> None:
        self.items = [(message.message_id, button) for button in message.buttons()]


def format_message(message: SentMessage, kind: str, buttons: Buttons) -> str:
    title = {"new": "bot", "edit": "bot (edited its message)", "delete": "bot (deleted a message)"}[kind]
    if kind == "new" and message.disable_notification:
        title += ", without sound"
    lines = [f"── {title} " + "─" * max(0, 40 - len(title))]
    if kind == "delete":
        return lines[0]
    if message.photo:
        size = message.photo[-1]
        lines.append(f"[a photo, {size['width']}×{size['height']} px]")
    lines.append(message.text)
    if message.buttons():
        buttons.set(message)
        for number, (_, button) in enumerate(buttons.items, 1):
            target = f"  → {button['url']}" if "url" in button else ""
            lines.append(f"  [{number}] {button['text']}{target}")
    return "\n".join(lines)


async def chat(settings: Settings, *, user_id: int = 1001, language_code: str | None = "en", admin: bool = False,
               stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    data_dir = settings.data_dir / "tryout"
    if admin:
        settings = replace(settings, admin_ids=settings.admin_ids | {user_id})
    loop = asyncio.get_running_loop()

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    async with LocalBot(data_dir, settings=settings) as bot:
        assert bot.store is not None
        # The try-out serves the content as it is in the files now (admin edits made in it are kept, and said).
        for line in await bot.reread_content(working_content_dir()):
            say(line)
        # The stand-in is new each time, the store is not: it learns the chats the store knows, so that the
        # members of an earlier try-out can still be sent to (an admin's /push reaches them).
        bot.api.add_chats(await bot.store.chats.chat_ids())
        events = bot.api.subscribe()
        buttons = Buttons()
        say(f"campaign-bot try-out: the real bot, against a local Bot API stand-in at {bot.api.base_url}")
        role = "an admin (try /push)" if user_id in settings.admin_ids else "a member"
        say(f"You are user {user_id}, {role}, Telegram language {language_code or 'none'}. Data: {data_dir}")
        say(HELP)

        backlog: dict[int, list[tuple[str, SentMessage]]] = {}
        waiting = False  # the prompt is on screen, waiting for a line

        def show(kind: str, message: SentMessage) -> None:
            if message.chat_id != user_id:
                backlog.setdefault(message.chat_id, []).append((kind, message))
            elif waiting:  # something arrived on its own (a broadcast's progress, a report): show it now
                out.write("\n")
                say(format_message(message, kind, buttons))
                out.write("you> ")
                out.flush()
            else:
                say(format_message(message, kind, buttons))

        def flush() -> None:
            while not events.empty():
                show(*events.get_nowait())

        async def show_as_it_comes() -> None:
            while True:
                show(*await events.get())

        printer = asyncio.create_task(show_as_it_comes())
        try:
            while True:
                out.write("you> ")
                out.flush()
                waiting = True
                line = await loop.run_in_executor(None, stdin.readline)
                waiting = False
                flush()  # what came while the line was typed, before the line itself
                if not line:
                    say("")
                    return 0
                if not stdin.isatty():
                    out.write(line if line.endswith("\n") else line + "\n")  # a scripted session reads as typed
                text = line.strip()
                if not text:
                    continue
                if text.startswith(":"):
                    command, _, arg = text[1:].partition(" ")
                    arg = arg.strip()
                    if command == "quit":
                        return 0
                    if command == "lang":
                        language_code = None if arg in ("", "none") else arg
                        say(f"Your Telegram language is now {language_code or 'none'} "
                            f"(the bot maps it to {resolve_language(language_code)} unless you chose one).")
                    elif command == "user" and arg.isdigit() and int(arg) > 0:
                        user_id, buttons.items = int(arg), []
                        say(f"You are now user {user_id} (Telegram language {language_code or 'none'}; "
                            f":lang to change it).")
                        for kind, message in backlog.pop(user_id, []):
                            say(format_message(message, kind, buttons))
                    elif command == "file" and arg:
                        path = Path(arg).expanduser()
                        if not path.is_file():
                            say(f"No such file: {path}")
                            continue
                        await bot.document(user_id, path.name, path.read_bytes(), language_code=language_code)
                        flush()
                    else:
                        say(HELP)
                    continue
                if text.isdigit() and buttons.items:
                    number = int(text)
                    if not 1 <= number <= len(buttons.items):
                        say(f"There is no button {number}; the last keyboard has {len(buttons.items)}.")
                        continue
                    message_id, button = buttons.items[number - 1]
                    if "url" in button:
                        say(f"(a link button: Telegram would open {button['url']})")
                        continue
                    if "copy_text" in button:
                        copied = button["copy_text"]
                        say(f"(a copy button: Telegram would copy this to the clipboard)\n{copied['text']}")
                        continue
                    query_id = await bot.press(user_id, message_id, button["callback_data"],
                                               language_code=language_code)
                    flush()
                    popup = bot.api.callback_answers.get(query_id, {}).get("text")
                    if popup:
                        alert = bot.api.callback_answers[query_id].get("show_alert")
                        say(f"({'an alert' if alert else 'a pop-up'}: {popup})")
                else:
                    await bot.message(user_id, text, language_code=language_code)
                    flush()
        finally:
            printer.cancel()
