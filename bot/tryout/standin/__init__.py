"""A local stand-in for the Telegram Bot API (see `server.py`): the try-out's and the tests' Telegram.

`html` parses Telegram's HTML; `params` reads and validates a request's parameters; `model` is what the
stand-in keeps; `server` answers the Bot API methods; `control` is the user's side over HTTP; `webhook`
delivers updates to a webhook, as Telegram does once `setWebhook` is called; `inline` has inline queries and
their answers, `images` checks a photo upload, `descriptions` keeps the bot's descriptions per language.
"""

from bot.tryout.standin.html import HTMLParseError as HTMLParseError
from bot.tryout.standin.html import parse_html as parse_html
from bot.tryout.standin.html import utf16_len as utf16_len
from bot.tryout.standin.model import SentMessage as SentMessage
from bot.tryout.standin.server import LocalBotAPI as LocalBotAPI
