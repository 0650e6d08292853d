"""The bot's description and short description in the stand-in: set and read per language, within Telegram's limits.

The description is what an empty chat with the bot shows ("What can this bot do?"); the short description is on
the bot's profile and in the preview of a link to it. Each is kept per ``language_code``; the one without a
language code is for users whose language has none of its own. An empty text removes one.
"""

from __future__ import annotations

from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.model import ApiError
from bot.tryout.standin.params import str_param

DESCRIPTION, SHORT_DESCRIPTION = "description", "short_description"
MAX_LENGTHS = {DESCRIPTION: 512, SHORT_DESCRIPTION: 120}
"""Characters, as the Bot API documents them (0-512 and 0-120)."""


class Descriptions:
    def __init__(self) -> None:
        self.texts: dict[tuple[str, str], str] = {}  #: by (kind, language_code), "" the default

    def text(self, kind: str, language_code: str = "") -> str:
        """The description (``kind`` ``"description"``) or short description set for that language, or ``""``."""
        return self.texts.get((kind, language_code), "")

    async def set_description(self, params: JSONDict) -> bool:
        return self._set(DESCRIPTION, params)

    async def set_short_description(self, params: JSONDict) -> bool:
        return self._set(SHORT_DESCRIPTION, params)

    async def get_description(self, params: JSONDict) -> JSONDict:
        return {DESCRIPTION: self.text(DESCRIPTION, str_param(params, "language_code"))}

    async def get_short_description(self, params: JSONDict) -> JSONDict:
        return {SHORT_DESCRIPTION: self.text(SHORT_DESCRIPTION, str_param(params, "language_code"))}

    def _set(self, kind: str, params: JSONDict) -> bool:
        text = str_param(params, kind)
        if len(text) > MAX_LENGTHS[kind]:
            raise ApiError(400, f"Bad Request: {kind.replace('_', ' ')} is too long")
        key = (kind, str_param(params, "language_code"))
        if text:
            self.texts[key] = text
        else:
            self.texts.pop(key, None)
        return True
