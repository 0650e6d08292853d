"""Telegram's pace for every request, and a bound on how long one request waits out a flood wait.

PTB's `AIORateLimiter` keeps the global rate and 20 messages a minute per group, and waits out a
`RetryAfter` however long it is. During outages Telegram has answered `retry_after` of many hours, so
`PatientRateLimiter` waits out only what a request can afford (`Patience`): a reply a few seconds, a
broadcast send up to its own cap. A longer wait is raised as it came (`RetryAfter`): the reply is dropped
(the member can ask again), the broadcast pauses until Telegram's time (see bot/broadcast.py). While a
request waits one out, every other request waits too, as in PTB's limiter.

Replies come before broadcasts: while a reply to a member (a private chat) waits for its send slot, a
broadcast's sends (`Patience.background`) do not take one; the total stays within the global rate. A
reply in a group is not put ahead: it may wait for its group's 20 a minute, and the broadcast must not.
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

BURST = 5
"""Sends that may leave at once before the global rate spaces them."""
GROUP_RATE, GROUP_PERIOD = 20, 63.0
"""Telegram's 20 messages a minute per group, spread over a little more than a minute: once a group's 20 are
spent, the next leave 3.15 s apart instead of 3, so that the network bunching two of them closer together
does not cost the group a flood wait."""
REPLY_MAX_WAIT = 5.0
"""Seconds of flood wait a reply to a member may wait out: longer, and it is dropped with a log line."""


@dataclass(frozen=True)
class Patience:
    """How many flood waits one request waits out, and how long each may be at most (seconds); `background`
    requests (a broadcast's sends) give way to the others (replies to members) for the next free send slot."""

    retries: int
    max_wait: float
    background: bool = False


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that `retry_after` will become a timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PatientRateLimiter(AIORateLimiter):
    """`AIORateLimiter` whose requests wait out at most their `Patience` (the default one: a reply's)."""

    def __init__(self, *, overall_max_rate: float, patience: Patience) -> None:
        # At most BURST sends at once, then one per 1/rate seconds; not `rate` at once: a burst that leaves
        # here together can reach Telegram closer together still (the event loop and the network bunch
        # them), over its limit, and each flood wait then costs a second of everyone's sends.
        super().__init__(overall_max_rate=BURST if overall_max_rate else 0,
                         overall_time_period=BURST / overall_max_rate if overall_max_rate else 1,
                         group_max_rate=GROUP_RATE, group_time_period=GROUP_PERIOD, max_retries=patience.retries)
        self._patience = patience
        self._foreground_waiting = 0  # replies between arriving here and getting their send slot
        self._no_foreground = asyncio.Event()
        self._no_foreground.set()

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
        if patience.background:
            await self._no_foreground.wait()  # a reply waiting for a slot goes first
            return await self._paced(callback, args, kwargs, data, patience)
        if not str(data.get("chat_id", "")).isdigit():  # a group's reply may wait its 20 a minute: not ahead
            return await self._paced(callback, args, kwargs, data, patience)
        self._foreground_waiting += 1
        self._no_foreground.clear()
        taken = False

        async def slot_taken(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            nonlocal taken
            if not taken:  # through the rate limits: the broadcast may have the next slot
                taken = True
                self._foreground_done()
            return await callback(*call_args, **call_kwargs)

        try:
            return await self._paced(slot_taken, args, kwargs, data, patience)
        finally:
            if not taken:
                self._foreground_done()

    def _foreground_done(self) -> None:
        self._foreground_waiting -= 1
        if not self._foreground_waiting:
            self._no_foreground.set()

    async def _paced(self, callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
                     args: Any, kwargs: dict[str, Any], data: dict[str, Any],
                     patience: Patience) -> bool | JSONDict | list[JSONDict]:
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
