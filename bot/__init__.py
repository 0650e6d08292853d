"""campaign-bot: a Telegram bot that keeps a human-rights campaign's members informed."""

LANGUAGES: tuple[str, ...] = ("en", "az", "ru")
"""The languages the bot speaks, in the order they are offered. English is the source language."""
