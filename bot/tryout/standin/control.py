"""The stand-in's control surface over HTTP: what a user does (write, press, block), what the bot did, faults."""

from __future__ import annotations

import functools
from dataclasses import asdict
from typing import TYPE_CHECKING

from aiohttp import web

from bot.tryout.standin.model import ApiError
from bot.tryout.standin.params import int_param, ok, read_params, str_param

if TYPE_CHECKING:
    from bot.tryout.standin.server import LocalBotAPI


def add_routes(app: web.Application, api: LocalBotAPI) -> None:
    """`/_control/…` on the stand-in's server."""
    app.router.add_post("/_control/message", functools.partial(message, api))
    app.router.add_post("/_control/press", functools.partial(press, api))
    app.router.add_post("/_control/block", functools.partial(block, api))
    app.router.add_get("/_control/messages", functools.partial(messages, api))
    app.router.add_get("/_control/stats", functools.partial(stats, api))
    app.router.add_post("/_control/fail", functools.partial(fail, api))


async def message(api: LocalBotAPI, request: web.Request) -> web.Response:
    try:
        params = await read_params(request)
        language = params.get("language_code", "en")
        return ok(
            api.user_message(int_param(params, "user_id"), str_param(params, "text"), language_code=language)
        )
    except ApiError as exc:
        return exc.response()

async def press(api: LocalBotAPI, request: web.Request) -> web.Response:
    try:
        params = await read_params(request)
        user_id, message_id = int_param(params, "user_id"), int_param(params, "message_id")
        return ok(api.press_button(user_id, message_id, str_param(params, "data")))
    except KeyError as exc:
        return ApiError(400, f"Bad Request: {exc.args[0]}").response()
    except ApiError as exc:
        return exc.response()

async def block(api: LocalBotAPI, request: web.Request) -> web.Response:
    try:
        params = await read_params(request)
        api.set_blocked(int_param(params, "chat_id"), bool(params.get("blocked", True)))
        return ok(True)
    except ApiError as exc:
        return exc.response()

async def messages(api: LocalBotAPI, request: web.Request) -> web.Response:
    try:
        chat_id = int_param(await read_params(request), "chat_id")
    except ApiError as exc:
        return exc.response()
    return web.json_response([asdict(m) for m in api.messages(chat_id)])

async def stats(api: LocalBotAPI, request: web.Request) -> web.Response:
    return web.json_response(api.stats())

async def fail(api: LocalBotAPI, request: web.Request) -> web.Response:
    try:
        params = await read_params(request)
        code, times = int(str_param(params, "code")), int(str_param(params, "times") or 1)
        chat = str_param(params, "chat_id")
        api.fail(str_param(params, "method"), code, times, str_param(params, "description") or None,
                 chat_id=int(chat) if chat else None)
        return ok(True)
    except ValueError as exc:
        return ApiError(400, f"Bad Request: {exc}").response()
    except ApiError as exc:
        return exc.response()


