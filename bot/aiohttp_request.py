"""An aiohttp request backend for python-telegram-bot.

:class:`AiohttpRequest` is a :class:`telegram.request.BaseRequest` that the bot uses for all its
Bot API traffic instead of PTB's default ``HTTPXRequest``: on the project's stand-in it sends
about five times as many ``sendMessage`` calls per second on the same CPU, which is what lets a
broadcast reach its sender ceiling.

It mirrors ``HTTPXRequest``'s behaviour and constructor knobs::

    Application.builder().token(token).request(AiohttpRequest()).get_updates_request(AiohttpRequest())

How the four timeouts are applied (aiohttp has no write timeout and folds the wait for a free
connection into its ``connect`` timeout, so two of them are enforced here):

* ``pool_timeout``: waiting for one of ``connection_pool_size`` request slots (a semaphore taken
  before aiohttp is asked; aiohttp's own limit is the same size, so it never queues). Running
  out gives ``TimedOut`` with HTTPXRequest's "Pool timeout" message: nothing was sent.
* ``connect_timeout``: aiohttp's ``connect`` (getting a connection, DNS and TLS included) and
  ``sock_connect``.
* ``read_timeout``: aiohttp's ``sock_read``, the longest silence from the server once the request
  has been written (per read, like httpx); there is no ``total``, so a long-polling ``getUpdates``
  with a large read timeout is never cut short.
* ``write_timeout`` (``media_write_timeout`` for uploads): for bodies larger than
  :data:`WATCHED_BODY_BYTES` a watchdog cancels the request when no byte of the body has left for
  the socket in that long (checked every quarter of the timeout, so a stall is noticed after
  1 to 1.25 times the timeout). Smaller bodies, e.g. every
  ``sendMessage``, fit into the socket buffers whole, so a write cannot stall; after the body is
  out the read timeout applies.

Errors are HTTPXRequest's: any timeout is :class:`telegram.error.TimedOut`, any other aiohttp
or socket error :class:`telegram.error.NetworkError` (``"aiohttp.<ErrorClass>: <message>"``), and a
request before :meth:`~AiohttpRequest.initialize` or after :meth:`~AiohttpRequest.shutdown`
raises :class:`RuntimeError`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput, UploadFileDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["CONNECT_TIMEOUT_MESSAGE", "POOL_TIMEOUT_MESSAGE", "WATCHED_BODY_BYTES", "AiohttpRequest", "not_sent"]

_LOGGER = logging.getLogger(__name__)

POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)
"""The message of the :class:`~telegram.error.TimedOut` for a pool timeout, as HTTPXRequest's."""

CONNECT_TIMEOUT_MESSAGE = "Connect timeout: no connection to the Bot API. Request was *not* sent to Telegram."
"""The message of the :class:`~telegram.error.TimedOut` when no connection could be made in time."""


def not_sent(error: TimedOut) -> bool:
    """Whether a timeout happened before the request left (no free connection, or none could be made): unlike a
    read timeout, Telegram cannot have acted on it, so it is safe to send again."""
    return error.message in (POOL_TIMEOUT_MESSAGE, CONNECT_TIMEOUT_MESSAGE)

WATCHED_BODY_BYTES = 64 * 1024
"""Request bodies above this size get the write-timeout watchdog (aiohttp's write buffer limit)."""

_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# httpx (and browsers) encode multipart parameter values the HTML5 way: '"' and control
# characters are percent-escaped, everything else (non-ASCII letters included) is sent as UTF-8.
# aiohttp's FormData(quote_fields=False) then only escapes backslashes as httpx does, so the
# Content-Disposition headers come out byte for byte like HTTPXRequest's.
_HTML5_ESCAPES = {'"': "%22", **{chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}}
_HTML5_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in _HTML5_ESCAPES))


def _html5_escape(value: str) -> str:
    return _HTML5_ESCAPE_RE.sub(lambda match: _HTML5_ESCAPES[match.group(0)], value)


@functools.lru_cache(maxsize=64)
def _client_timeout(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect, sock_read=read)


class AiohttpRequest(BaseRequest):
    """Implementation of :class:`telegram.request.BaseRequest` using `aiohttp`.

    Args:
        connection_pool_size: Connections (and so requests in flight) at most. Defaults to ``256``.
        read_timeout: Seconds to wait for the server to send something once the request is out.
            Used unless :meth:`do_request` is given another. Defaults to ``5``.
        write_timeout: Seconds a request body may make no progress (see the module docstring).
            Not used for uploads, which use :paramref:`media_write_timeout`. Defaults to ``5``.
        connect_timeout: Seconds to establish a connection. Defaults to ``5``.
        pool_timeout: Seconds to wait for a free connection. Defaults to ``1``.
        media_write_timeout: Like :paramref:`write_timeout`, for requests that upload files.
            Defaults to ``20``.

    ``None`` for a timeout means no limit. The ``aiohttp.ClientSession`` is created by
    :meth:`initialize` (inside the running event loop) and closed by :meth:`shutdown`; an
    instance can be initialized again after a shutdown.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_slots",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("`connection_pool_size` must be at least 1.")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds, as passed to the constructor."""
        return self._read_timeout

    @property
    def connection_pool_size(self) -> int:
        """The size of the connection pool, as passed to the constructor."""
        return self._pool_size

    async def initialize(self) -> None:
        """Create the ``aiohttp.ClientSession`` (again, after a :meth:`shutdown`)."""
        if self._session is not None and not self._session.closed:
            return
        connector = aiohttp.TCPConnector(limit=self._pool_size)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=_client_timeout(self._connect_timeout, self._read_timeout),
        )
        self._slots = asyncio.Semaphore(self._pool_size)

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """PTB's parse (which replaces bytes that are not UTF-8 by U+FFFD), and the same for a lone surrogate: JSON
        can carry one (``"\\ud800"``) where UTF-8 cannot, so a screen quoting a text or file name that held one
        could never be sent (``UnicodeEncodeError`` before the request leaves)."""
        data = BaseRequest.parse_json_payload(payload)
        return _without_lone_surrogates(data) if _SURROGATE_ESCAPE.search(payload) else data

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is None or self._session.closed:
            _LOGGER.debug("This AiohttpRequest is already shut down. Returning.")
            return
        await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`telegram.request.BaseRequest.do_request`."""
        session, slots = self._session, self._slots
        if session is None or slots is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")

        files = request_data.multipart_data if request_data else None

        # Timeouts not given for this call (e.g. in a bot method) are the instance's defaults.
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._write_timeout if not files else self._media_write_timeout

        body = _body(request_data, files)
        timeout = _client_timeout(connect_timeout, read_timeout)
        watch = (
            write_timeout is not None
            and body is not None
            and body.size is not None
            and body.size > WATCHED_BODY_BYTES
        )

        await _acquire(slots, pool_timeout)
        try:
            if watch:
                assert body is not None and body.size is not None and write_timeout is not None
                return await self._watched(session, method, url, body, body.size, timeout, write_timeout)
            return await _send(session, method, url, body, timeout, None)
        except aiohttp.ConnectionTimeoutError as err:
            raise TimedOut(message=CONNECT_TIMEOUT_MESSAGE) from err
        except TimeoutError as err:
            # aiohttp's timeouts (ServerTimeoutError and subclasses) are TimeoutErrors too.
            raise TimedOut from err
        except aiohttp.ClientPayloadError as err:
            if isinstance(err.__cause__, TimeoutError):
                raise TimedOut from err
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        except (aiohttp.ClientError, OSError) as err:
            # The class name helps when the message is empty (as it is for some socket errors).
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            slots.release()

    @staticmethod
    async def _watched(
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        body: aiohttp.Payload,
        size: int,
        timeout: aiohttp.ClientTimeout,
        write_timeout: float,
    ) -> tuple[int, bytes]:
        """:func:`_send` with a watchdog that times out a body which stops going out."""
        tracker = aiohttp.UploadTracker()
        async with asyncio.timeout(None) as deadline:
            watchdog = asyncio.create_task(_watch_upload(tracker, size, write_timeout, deadline))
            try:
                return await _send(session, method, url, body, timeout, tracker)
            finally:
                watchdog.cancel()


def _body(request_data: RequestData | None, files: UploadFileDict | None) -> aiohttp.Payload | None:
    """The request body: form fields urlencoded, or multipart/form-data with the files."""
    if request_data is None:
        return None
    if files:
        form = aiohttp.FormData(quote_fields=False)
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in files.items():
            form.add_field(name, content, filename=_html5_escape(filename), content_type=mimetype)
        return form()
    if not request_data.json_parameters:
        return None
    return aiohttp.BytesPayload(
        request_data.url_encoded_parameters().encode("ascii"), content_type=_FORM_CONTENT_TYPE
    )


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""A surrogate's escape in JSON: a pair (an emoji) is read as one character, one on its own stays a surrogate."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    return value


async def _acquire(slots: asyncio.Semaphore, pool_timeout: float | None) -> None:
    """Take a connection slot, waiting at most ``pool_timeout`` seconds for one."""
    if not slots.locked():
        await slots.acquire()  # does not suspend
        return
    try:
        async with asyncio.timeout(pool_timeout):
            await slots.acquire()
    except TimeoutError as err:
        raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from err


async def _send(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    body: aiohttp.Payload | None,
    timeout: aiohttp.ClientTimeout,
    tracker: aiohttp.UploadTracker | None,
) -> tuple[int, bytes]:
    options: dict[str, Any] = {"upload_tracker": tracker} if tracker is not None else {}
    async with session.request(
        method, url, data=body, timeout=timeout, allow_redirects=False, **options
    ) as response:
        return response.status, await response.read()


async def _watch_upload(
    tracker: aiohttp.UploadTracker, size: int, limit: float, deadline: asyncio.Timeout
) -> None:
    """Expire ``deadline`` once the body has not progressed for ``limit`` seconds."""
    loop = asyncio.get_running_loop()
    written, since = tracker.bytes_written, loop.time()
    while True:
        await asyncio.sleep(limit / 4)
        now, current = loop.time(), tracker.bytes_written
        if current >= size:
            return  # all of it is out: the read timeout takes over
        if current != written:
            written, since = current, now
        elif now - since >= limit:
            # A loop that was too busy to run the transport looks like a stalled peer: let one
            # loop iteration handle pending I/O before calling it a stall.
            await asyncio.sleep(0)
            if tracker.bytes_written == written:
                deadline.reschedule(loop.time())
                return
