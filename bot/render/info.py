"""The greeting, /help, /about, /privacy and the command menus (handlers/start.py, handlers/info.py)."""

from __future__ import annotations

from bot.content import Content
from bot.i18n import N_, Translator
from bot.model import RETENTION_DAYS
from bot.render.base import BULLET, Screen, Texts, esc, heading, main_menu, make_screen, source_line
from bot.render.language import language_keyboard

# (command, description) in the order of the command menu; descriptions are translated at start-up.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("cases", N_("The cases: people detained or attacked")),
    ("case", N_("Find a case by name")),
    ("background", N_("Background: the Nagorno-Karabakh conflict")),
    ("concerns", N_("Human rights concerns")),
    ("subscribe", N_("Follow a case or all updates")),
    ("subscriptions", N_("What you follow")),
    ("unsubscribe", N_("Stop following a case or everything")),
    ("quiet", N_("Updates without sound, or with")),
    ("language", N_("Change language")),
    ("mydata", N_("What the bot holds about this chat")),
    ("forget", N_("Delete everything the bot holds about this chat")),
    ("about", N_("About this campaign and its sources")),
    ("privacy", N_("What the bot stores about you")),
    ("help", N_("How to use this bot")),
)


def greeting(tr: Translator, content: Content, *, first_contact: bool) -> Screen:
    texts = Texts(tr)
    lines = [
        heading(texts(content.campaign.name)),
        esc(tr._("I share short, dated summaries of the cases of opposition activists and protesters detained in "
                 "Azerbaijan and of a human rights defender who was attacked there, the background to the "
                 "Nagorno-Karabakh conflict and the human rights concerns this campaign works on, with their "
                 "sources.")),
    ]
    if first_contact:
        lines.append(esc(tr._("Choose your language below. You can change it at any time with /language.")))
        return make_screen("\n\n".join(lines) + texts.pending_note(), language_keyboard(tr.lang))
    lines.append(esc(tr._("Start with the cases, or send /help.")))
    return make_screen("\n\n".join(lines) + texts.pending_note(), main_menu(tr))


ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("push", N_("Publish an update to its subscribers")),
    ("correct", N_("Correct a published update in place")),
    ("broadcasts", N_("Broadcasts in progress, with Cancel")),
    ("stats", N_("Members, subscriptions and the last broadcasts")),
    ("scheduled", N_("Scheduled updates, with Cancel and Send now")),
    ("recall", N_("Withdraw a published update from members' chats")),
    ("audit", N_("Who published what, and when")),
)


def help_text(tr: Translator, bot_username: str, *, admin: bool = False) -> Screen:
    commands = "\n".join(f"/{command} — {esc(tr._(description))}" for command, description in COMMANDS)
    parts = [
        heading(tr._("What I can do")) + "\n" + commands,
        esc(tr._("You can also send a name, in any spelling or script, to find a case.")),
        esc(tr._("In a group, add @{bot} to a command, for example /cases@{bot}.").format(bot=bot_username)),
        esc(tr._("To share a case in any chat, type @{bot} and a name there, then pick its card.").format(
            bot=bot_username)),
    ]
    if admin:
        admin_commands = "\n".join(f"/{command} — {esc(tr._(text))}" for command, text in ADMIN_COMMANDS)
        parts.append(heading(tr._("For admins")) + "\n" + admin_commands + "\n" + esc(
            tr._("To add or change a case or topic, send its file (.yaml, as in content/) to me as a document: "
                 "you see the changes and apply them with a button. /cancel stops a draft.")))
    return make_screen("\n\n".join(parts), main_menu(tr))


def about(tr: Translator, content: Content) -> Screen:
    texts = Texts(tr)
    sources = "\n".join(f"{BULLET} {source_line(tr, content, s)}" for s in content.sources)
    parts = [heading(texts(content.campaign.name)), texts.paragraphs(content.campaign.about),
             heading(tr._("Sources")) + "\n" + sources]
    return make_screen("\n\n".join(parts) + texts.pending_note(), main_menu(tr))


def privacy(tr: Translator, *, encrypted: bool, inactive_days: int) -> Screen:
    """What the bot stores and for how long; `encrypted`: the operator set BOT_DATA_KEY (the files are sealed)."""
    parts = [
        heading(tr._("What this bot stores")),
        esc(tr._("If you only read, the bot stores nothing about you: it answers in the language your "
                 "Telegram app uses.")),
        esc(tr._("When you choose a language, subscribe or turn on quiet delivery, the bot stores for this "
                 "chat: its id, the language, what it follows, whether updates arrive without sound, whether "
                 "it can still be sent to, and the day the record was created and last changed. Nothing "
                 "else: not your name, username, phone number or messages.")),
        esc(tr._("Why: to send you the updates you asked for, in your language. The bot does not share these "
                 "data with anyone. /mydata shows exactly what it holds; /forget deletes it.")),
        esc(tr._("When it sends an update, the bot keeps for {days} days which chats got it and the message "
                 "numbers, so that a correction can fix those messages; then only the totals. /forget removes "
                 "this chat from them at once.").format(days=RETENTION_DAYS)),
        esc(tr._("When you press “I did it” under a case's actions, the bot counts you once for that case. To know "
                 "that it counted you, it keeps a fingerprint of the case and your Telegram account made with a secret "
                 "key: not your chat id, your name or when you pressed. /forget does not remove it, as it names no "
                 "one; but whoever holds the bot's server, where the key is kept, could check whether a given account "
                 "pressed it.")),
        esc(tr._("If this chat blocks the bot, its record is deleted after {days} days.").format(days=inactive_days)),
        esc(tr._("Chats with bots are not end-to-end encrypted: Telegram itself sees your messages to the bot and "
                 "the bot's to you, as it does every cloud chat. If you are at risk, think about who can see your "
                 "phone and this chat, and delete the chat when you no longer need it.")),
        esc(tr._("On the bot's server, the files that hold these records are encrypted: a copy of the disk or of a "
                 "backup without the key reveals no member. This does not protect against someone who controls "
                 "the running server, which must read the records to send you updates.") if encrypted else
            tr._("On the bot's server, these records are kept in plain files: whoever can read the server's disk "
                 "or its backups can read them. The campaign can turn on encryption of these files.")),
    ]
    return make_screen("\n\n".join(parts))


def commands_for(tr: Translator) -> list[tuple[str, str]]:
    return [(command, tr._(description)) for command, description in COMMANDS]


MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
"""Telegram's limits for the bot's description (the empty chat's "What can this bot do?") and its short
description (the profile, and the preview of a shared link to the bot), in characters."""


def description(tr: Translator) -> str:
    """Plain text, seen before Start: what the bot is, and that it stores almost nothing."""
    return tr._("Short, dated summaries of the cases of opposition activists and protesters detained in "
                "Azerbaijan and of a human rights defender attacked there, with their sources, in English, "
                "Azerbaijani and Russian. Follow a case to get its updates.\n\n"
                "The bot keeps almost nothing: mainly your chat's language and what it follows, never names or "
                "messages. /privacy says exactly what; /forget deletes what it keeps about your chat.")


def short_description(tr: Translator) -> str:
    return tr._("Cases of activists detained in Azerbaijan, with sources. Keeps almost nothing about you.")
