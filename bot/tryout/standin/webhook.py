"""Outgoing webhooks, as Telegram sends them: what `setWebhook` turns on in the stand-in.

While a webhook is set, each queued update is POSTed to its URL as the Update's JSON (`Content-Type:
application/json`), with the header `X-Telegram-Bot-Api-Secret-Token` when `setWebhook` was given a
`secret_token`. A 2xx answer delivers the update; any other answer, or none, leaves it pending, shows in
`getWebhookInfo` (`last_error_date`, `last_error_message`), and the request is repeated after a pause that
doubles from :data:`RETRY_FIRST` up to :data:`RETRY_CAP` seconds. Meanwhile `getUpdates` answers 409 Conflict
(`server.py`); `deleteWebhook` hands the pending updates back to it.

Deliberate differences from Telegram:

* like a local Bot API server, it accepts ``http://`` URLs and any port (Telegram's own: HTTPS on 443, 80, 88
  or 8443);
* one request at a time, in update order (Telegram opens up to ``max_connections``);
* a failing request is repeated for as long as the webhook is set (Telegram gives up after some attempts),
  and the answer's body is not read (Telegram runs a method given there).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import deque
from urllib.parse import urlsplit

import aiohttp

from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.model import ApiError
from bot.tryout.standin.params import str_param

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]*")
MAX_SECRET_TOKEN = 256
RETRY_FIRST = 0.1
"""Seconds before a failed delivery is repeated the first time."""
RETRY_CAP = 5.0
"""The longest pause between two tries of a delivery."""
REQUEST_TIMEOUT = 10.0


class Webhook:
    """The stand-in's webhook: set, deleted, described, and delivering the updates of ``updates`` in order."""

    def __init__(self, updates: deque[JSONDict]) -> None:
        self.url = ""
        self.last_error_date: int | None = None
        self.last_error_message = ""
        self._updates = updates  #: the stand-in's queue of unconfirmed updates, shared with getUpdates
        self._queued = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def set(self, params: JSONDict) -> None:
        """`setWebhook`: validate, then deliver to the new URL (an empty one removes the webhook)."""
        url, secret = str_param(params, "url"), str_param(params, "secret_token")
        if len(secret) > MAX_SECRET_TOKEN:
            raise ApiError(400, "Bad Request: secret token is too long")
        if not SECRET_TOKEN_RE.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ApiError(400, "Bad Request: invalid webhook URL specified")
        self.delete(params)
        if url:
            self.url = url
            self._task = asyncio.get_running_loop().create_task(self._deliver(url, secret))

    def delete(self, params: JSONDict) -> None:
        """`deleteWebhook` (and the start of `setWebhook`): stop delivering; drop the queue if asked."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.url = ""
        self.last_error_date, self.last_error_message = None, ""
        if params.get("drop_pending_updates"):
            self._updates.clear()

    def info(self) -> JSONDict:
        """`getWebhookInfo`."""
        info: JSONDict = {"url": self.url, "has_custom_certificate": False,
                          "pending_update_count": len(self._updates)}
        if self.last_error_date is not None:
            info.update(last_error_date=self.last_error_date, last_error_message=self.last_error_message)
        return info

    def queued(self) -> None:
        """An update was queued: deliver it if a webhook is set."""
        self._queued.set()

    async def close(self) -> None:
        """Stop delivering and close the HTTP client (the stand-in stops)."""
        task = self._task
        self.delete({})
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _deliver(self, url: str, secret: str) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        headers = {SECRET_HEADER: secret} if secret else {}
        pause = RETRY_FIRST
        while True:
            if not self._updates:
                self._queued.clear()
                await self._queued.wait()
                continue
            update = self._updates[0]
            error = await self._post(self._session, url, update, headers)
            if error is None:
                if self._updates and self._updates[0] is update:  # not dropped meanwhile
                    self._updates.popleft()
                pause = RETRY_FIRST
                continue
            self.last_error_date, self.last_error_message = int(time.time()), error
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_CAP)

    @staticmethod
    async def _post(session: aiohttp.ClientSession, url: str, update: JSONDict,
                    headers: dict[str, str]) -> str | None:
        """POST one update; None if it was taken, else what `last_error_message` says."""
        try:
            async with session.post(url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {type(exc).__name__}"
