"""Start-up of `campaign-bot run`: wait for the Bot API, then hand over to PTB's run loop.

The bot runs by webhook when `BOT_WEBHOOK_URL` is set (PTB's `run_webhook`: its own web server on
`BOT_WEBHOOK_LISTEN`:`BOT_WEBHOOK_PORT`, which answers 403 to a request without Telegram's
`X-Telegram-Bot-Api-Secret-Token` header carrying `BOT_WEBHOOK_SECRET`), by long polling otherwise.
Before PTB's `run_polling` / `run_webhook` takes over, :func:`run` connects in the same event loop:

1. `getMe` with a plain request, to tell the answers apart (PTB raises the same `InvalidToken` for a
   401, a rejected token, and a 404, which may be a wrong URL);
2. `Application.initialize()` (PTB's own `getMe`), and `deleteWebhook` in polling mode or `setWebhook`
   in webhook mode: every Bot API call the start-up waits for. (The command menus and descriptions are set
   once running, beside the first answers: `app.present_in_background`.) (PTB's bootstrap sets
   the webhook again, but retries whatever fails there for ever without a word above DEBUG: a webhook
   Telegram refuses, e.g. a host it cannot resolve, is said here, in one line.)

A network error, a timeout, a 5xx or a 429 is waited out: one log line per try, then 1, 2, 4… seconds
(`Settings.startup_backoff`) up to :data:`BACKOFF_CAP`, for as long as it takes (a service manager
expects a bot to wait for the network). A rejected token, or a URL that does not answer like a Bot
API, raises :class:`StartupError` with one line for the operator. Whatever a failed try opened is
closed before the next one. SIGINT and SIGTERM end the wait at once.

Once running, the same hooks run in both modes (`app.on_connected`, `app.on_stop`), and a heartbeat
job keeps `campaign-bot health` answering (`bot/health.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import warnings
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot import health
from bot.aiohttp_request import AiohttpRequest
from bot.app import ALLOWED_UPDATES, AnyApplication, on_connected, on_stop, present_in_background, services_of
from bot.context import BotContext, Services
from bot.logging_setup import redact

__all__ = ["BACKOFF_CAP", "StartupError", "connect", "run"]

log = logging.getLogger("campaign-bot")

BACKOFF_CAP = 60.0
"""The longest wait between two tries, in seconds."""

TOKEN_REJECTED = "the token was rejected by Telegram (401): check TELEGRAM_BOT_TOKEN"

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StartupError(Exception):
    """The Bot API said no in a way that waiting will not change; the message is one line for the operator."""


class _Retry(Exception):
    """This try failed in a way that may pass: the message says why, `wait` is a lower bound on the pause."""

    def __init__(self, message: str, wait: float = 0.0) -> None:
        super().__init__(message)
        self.wait = wait


def run(application: AnyApplication, services: Services) -> bool:
    """Connect (waiting as long as it takes), then run until stopped; False if stopped before connecting."""
    settings = services.settings
    if settings.webhook_url:
        _check_can_listen(settings.webhook_listen, settings.webhook_port)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # PTB's run_* methods take the current loop
    try:
        connected = loop.run_until_complete(_connect_until_stopped(application, services))
    except BaseException:
        _close_loop(loop)
        raise
    if not connected:
        _close_loop(loop)
        return False
    # initialize() and the command menus are done: PTB's post_init only has the local work left.
    application.post_init = _started
    application.post_stop = _stopped
    # A transient error in PTB's own bootstrap (deleteWebhook / setWebhook) is retried too.
    if not settings.webhook_url:
        log.info("receiving updates by long polling")
        application.run_polling(bootstrap_retries=-1, allowed_updates=ALLOWED_UPDATES)
    else:
        log.info("receiving updates by webhook on %s:%d%s", settings.webhook_listen, settings.webhook_port,
                 settings.webhook_path)
        application.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port,
                                url_path=settings.webhook_path, webhook_url=settings.webhook_url,
                                secret_token=settings.webhook_secret.value, allowed_updates=ALLOWED_UPDATES,
                                bootstrap_retries=-1)
    return True


def _check_can_listen(host: str, port: int) -> None:
    """Bind to where the webhook server will listen, and let go: a port in use is said before anything starts."""
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                                  flags=socket.AI_PASSIVE):
            with socket.socket(family, kind, proto) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
                sock.bind(address)
    except OSError as exc:
        raise StartupError(f"the webhook server cannot listen on {host}:{port} (BOT_WEBHOOK_LISTEN, "
                           f"BOT_WEBHOOK_PORT): {exc.strerror or exc}") from None


async def _started(application: AnyApplication) -> None:
    await on_connected(application)
    assert application.job_queue is not None  # PTB's job-queue extra is a dependency
    # Both as soon as the job queue starts, however long the webhook's bootstrap takes until then (APScheduler
    # would take `first=0`, past by then, to mean one interval later, and drop a run that late). A job, not
    # `create_task`: the application is not running yet, and PTB would not await such a task at stop.
    at_once = {"next_run_time": datetime.now(UTC), "misfire_grace_time": None}
    application.job_queue.run_once(_present, when=0, name="present", job_kwargs=at_once)
    application.job_queue.run_repeating(health.beat, interval=health.HEARTBEAT_EVERY, name="heartbeat",
                                        job_kwargs=at_once)


async def _present(context: BotContext) -> None:
    await present_in_background(context.application)


async def _stopped(application: AnyApplication) -> None:
    await on_stop(application)
    await services_of(application).store.end_heartbeat()


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    loop.close()
    asyncio.set_event_loop(None)


async def _connect_until_stopped(application: AnyApplication, services: Services) -> bool:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    stopped = False

    def stop() -> None:
        nonlocal stopped
        stopped = True
        task.cancel()

    installed = []
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows' event loops
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
    try:
        await connect(application, services)
        return True
    except asyncio.CancelledError:
        if not stopped:
            raise
        task.uncancel()
        log.info("stopped before the Bot API could be reached")
        return False
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def connect(application: AnyApplication, services: Services) -> None:
    """Initialize `application` and set the command menus, retrying with backoff (see the module docstring)."""
    delay = services.settings.startup_backoff
    while True:
        try:
            await _try_once(application, services)
            return
        except _Retry as retry:
            wait = max(delay, retry.wait)
            log.warning("%s; retrying in %s s", retry, f"{wait:g}")
            await asyncio.sleep(wait)
            delay = min(delay * 2, BACKOFF_CAP)


async def _try_once(application: AnyApplication, services: Services) -> None:
    settings = services.settings
    shown = settings.api_base_url  # the URL without the token
    await _probe(f"{application.bot.base_url}/getMe", shown)
    step = "getMe"
    try:
        await application.initialize()
        if settings.webhook_url:
            step = "setWebhook"
            await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret.value,
                                              allowed_updates=ALLOWED_UPDATES)
        else:
            step = "deleteWebhook"
            await application.bot.delete_webhook()
    except BaseException as exc:
        await _close(application)
        if isinstance(exc, RetryAfter):
            raise _Retry(f"Bot API asks to wait ({step}: flood control)", _seconds(exc)) from None
        if isinstance(exc, InvalidToken):
            if step == "getMe":
                raise StartupError(TOKEN_REJECTED) from None
            raise StartupError(f"{_not_a_bot_api(shown)}: {step} answered {_one_line(exc.message)}") from None
        if isinstance(exc, BadRequest):
            raise StartupError(f"the Bot API refused {step}: {_one_line(exc.message)}") from None
        if isinstance(exc, NetworkError):  # a network error, a timeout or a 5xx answer
            raise _Retry(f"Bot API not available ({step}: {_one_line(exc.message)})") from None
        if isinstance(exc, TelegramError):
            raise StartupError(f"the Bot API refused {step}: {_one_line(exc.message)}") from None
        raise


async def _close(application: AnyApplication) -> None:
    """Close what a failed try opened: `Application.shutdown` does nothing if `initialize` did not finish."""
    await application.shutdown()
    await application.bot.shutdown()


async def _probe(url: str, shown: str) -> None:
    """`getMe` as a plain request: returns if it answered like a Bot API, else raises `_Retry`/`StartupError`."""
    try:
        async with AiohttpRequest(connection_pool_size=1) as request:
            code, body = await request.do_request(url, "POST")
    except NetworkError as exc:  # also TimedOut
        raise _Retry(f"Bot API not reachable ({_one_line(exc.message)})") from None
    except (ValueError, RuntimeError) as exc:  # e.g. a URL aiohttp cannot use
        raise StartupError(f"BOT_API_BASE_URL={shown} cannot be used: {_one_line(str(exc))}") from None
    answer = _json(body)
    error_shaped = isinstance(answer, dict) and answer.get("ok") is False and "error_code" in answer
    if code == HTTPStatus.OK:
        result = answer.get("result") if isinstance(answer, dict) and answer.get("ok") is True else None
        if isinstance(result, dict) and result.get("is_bot"):
            return
        raise StartupError(f"{_not_a_bot_api(shown)}: getMe answered 200 OK but not with a bot")
    if code == HTTPStatus.UNAUTHORIZED:
        raise StartupError(TOKEN_REJECTED)
    status = _status(code)
    if code == HTTPStatus.TOO_MANY_REQUESTS or code >= 500:
        wait = 0.0
        if isinstance(answer, dict):
            parameters = answer.get("parameters")
            if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
                wait = float(parameters["retry_after"])
        raise _Retry(f"Bot API not available (getMe: {status})", wait)
    if code == HTTPStatus.NOT_FOUND and error_shaped:
        # Telegram's answer to a malformed token, and to a path that is not /bot<token>/<method>.
        raise StartupError(f"the Bot API at {shown} answered {status} to getMe: the token is malformed "
                           f"(check TELEGRAM_BOT_TOKEN) or BOT_API_BASE_URL does not end in /bot")
    raise StartupError(f"{_not_a_bot_api(shown)}: getMe answered {status}")


def _not_a_bot_api(shown: str) -> str:
    return (f"BOT_API_BASE_URL={shown} does not look like a Bot API (it should be like "
            f"https://api.telegram.org/bot)")


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _one_line(text: str) -> str:
    """An error text as one line (aiohttp's parser errors span several), without the token."""
    return redact(" ".join(text.split()))


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that `retry_after` will become a timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
