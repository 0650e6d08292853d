"""Telegram's pace for every request, and a bound on how long one request waits out a flood wait.

PTB's `AIORateLimiter` keeps the global rate and 20 messages a minute per group, and waits out a
`RetryAfter` however long it is. During outages Telegram has answered `retry_after` of many hours, so
`PatientRateLimiter` waits out only what a request can afford (`Patience`): a reply a few seconds, a
broadcast send up to its own cap. A longer wait is raised as it came (`RetryAfter`): the reply is dropped
(the member can ask again), the broadcast pauses until Telegram's time (see bot/broadcast.py). While a
request waits one out, every other request waits too, as in PTB's limiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

REPLY_MAX_WAIT = 5.0
"""Seconds of flood wait a reply to a member may wait out: longer, and it is dropped with a log line."""


@dataclass(frozen=True)
class Patience:
    """How many flood waits one request waits out, and how long each may be at most (seconds)."""

    retries: int
    max_wait: float


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that `retry_after` will become a timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PatientRateLimiter(AIORateLimiter):
    """`AIORateLimiter` whose requests wait out at most their `Patience` (the default one: a reply's)."""

    def __init__(self, *, overall_max_rate: float, patience: Patience) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=patience.retries)
        self._patience = patience

    async def process_request(  # type: ignore[override]  # rate_limit_args is a Patience here, not an int
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Patience | None,
    ) -> bool | JSONDict | list[JSONDict]:
        patience = rate_limit_args or self._patience
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group: int | str | bool = chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(
            chat_id, str) else False
        attempt = 0
        while True:
            try:
                return await self._run_request(chat=chat_id is not None, group=group,
                                               allow_paid_broadcast=bool(data.get("allow_paid_broadcast")),
                                               callback=callback, args=args, kwargs=kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if attempt >= patience.retries or wait > patience.max_wait:
                    log.info("flood wait of %.1f s not waited out (at most %.0f s, %d times)", wait,
                             patience.max_wait, patience.retries)
                    raise
                log.info("flood wait of %.1f s waited out", wait)
                attempt += 1
                self._retry_after_event.clear()  # everyone waits it out, as Telegram asks
                try:
                    await asyncio.sleep(wait + 0.1)
                finally:
                    self._retry_after_event.set()
