"""Process-wide logging for the command line, with the bot token redacted from every line.

The token is part of every Bot API URL, so it can turn up anywhere: in PTB's ``InvalidToken``
message, in an aiohttp error that quotes the request URL, in a traceback. :func:`setup_logging`
puts a :class:`Redactor` on every handler of the root logger (a filter on a logger would not see
the records of its child loggers; a handler sees every record that reaches it, whichever logger it
came from), routes warnings and uncaught exceptions through logging, and :func:`protect` tells
the redactor the token once the settings are read.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

__all__ = ["REDACTED", "Redactor", "protect", "redact", "setup_logging"]

REDACTED = "***"
MIN_SECRET_PART = 6
"""The part of a token after its ``:`` is redacted on its own too (e.g. in a URL that encoded the ``:``),
unless it is shorter than this: a very short string would blank out unrelated text."""

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("campaign-bot")


class Redactor(logging.Filter):
    """Replaces the registered secrets in a record's message, exception text and stack by ``***``.

    Attach it to handlers: it rewrites the record in place (message formatted with its arguments,
    traceback formatted) and never drops one.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = ()

    def add(self, secret: str) -> None:
        after_colon = secret.partition(":")[2]
        parts = {secret, after_colon} if len(after_colon) >= MIN_SECRET_PART else {secret}
        # Longest first, so that the whole token goes before its secret part.
        self._secrets = tuple(sorted({*self._secrets, *parts}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: keep both, redacted
            message = f"{record.msg} (log arguments: {record.args!r})"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()
REDACTOR = Redactor()


def protect(secret: str) -> None:
    """From now on, `secret` (the bot token) is redacted from every log line."""
    if secret:
        REDACTOR.add(secret)


def redact(text: str) -> str:
    """`text` without the protected secrets, for what is printed rather than logged."""
    return REDACTOR.redact(text)


def setup_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(format=LOG_FORMAT, level=level)
    for handler in logging.getLogger().handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)
    # httpx logs every request URL at INFO, and the Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.captureWarnings(True)  # a warning's text goes through the handlers, so through the redactor
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log.critical("uncaught exception", exc_info=(kind, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    log.critical("uncaught exception in thread %s", name,
                 exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
