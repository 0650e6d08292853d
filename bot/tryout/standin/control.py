"""The stand-in's control surface over HTTP: what a user does (write, press, block, run a group and its forum
topics), what the bot did, faults."""

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
    app.router.add_post("/_control/inline", functools.partial(inline, api))
    app.router.add_post("/_control/choose", functools.partial(choose, api))
    app.router.add_get("/_control/messages", functools.partial(messages, api))
    app.router.add_get("/_control/stats", functools.partial(stats, api))
    app.router.add_post("/_control/fail", functools.partial(fail, api))
    app.router.add_post("/_control/member", functools.partial(member, api))
    app.router.add_post("/_control/forum", functools.partial(forum, api))
    app.router.add_post("/_control/topic", functools.partial(topic, api))


async def message(api: LocalBotAPI, request: web.Request) -> web.Response:
    try:
        params = await read_params(request)
        language = params.get("language_code", "en")
        chat = str_param(params, "chat_id")
        thread = str_param(params, "message_thread_id")
        return ok(
            api.user_message(int_param(params, "user_id"), str_param(params, "text"), language_code=language,
                             chat_id=int(chat) if chat else None, thread_id=int(thread) if thread else None)
        )
    except ValueError as exc:
        return ApiError(400, f"Bad Request: {exc}").response()
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

async def inline(api: LocalBotAPI, request: web.Request) -> web.Response:
    """A user types ``@bot query``: ``user_id``, ``query``, optional ``offset`` and ``language_code``; the id."""
    try:
        params = await read_params(request)
        return ok(api.inline_query(int_param(params, "user_id"), str_param(params, "query"),
                                   offset=str_param(params, "offset"),
                                   language_code=params.get("language_code", "en")))
    except ValueError as exc:
        return ApiError(400, f"Bad Request: {exc}").response()
    except ApiError as exc:
        return exc.response()

async def choose(api: LocalBotAPI, request: web.Request) -> web.Response:
    """The user picks ``result_id`` from the answer to ``inline_query_id``, in ``chat_id``: the message sent."""
    try:
        params = await read_params(request)
        message = api.choose_inline_result(int_param(params, "user_id"), str_param(params, "inline_query_id"),
                                           str_param(params, "result_id"), int_param(params, "chat_id"))
        return ok(asdict(message))
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

async def member(api: LocalBotAPI, request: web.Request) -> web.Response:
    """A user's status in a group (``status``: creator, administrator, member, left, kicked; the bot's id for
    the bot itself); answers the id of the update queued, or null."""
    try:
        params = await read_params(request)
        return ok(api.set_member_status(int_param(params, "chat_id"), int_param(params, "user_id"),
                                        str_param(params, "status")))
    except ValueError as exc:
        return ApiError(400, f"Bad Request: {exc}").response()
    except ApiError as exc:
        return exc.response()

async def forum(api: LocalBotAPI, request: web.Request) -> web.Response:
    """Turn a supergroup into a forum."""
    try:
        api.make_forum(int_param(await read_params(request), "chat_id"))
        return ok(True)
    except ValueError as exc:
        return ApiError(400, f"Bad Request: {exc}").response()
    except ApiError as exc:
        return exc.response()

async def topic(api: LocalBotAPI, request: web.Request) -> web.Response:
    """``action``: ``create`` (with ``name``; answers the topic's message_thread_id), or ``close``, ``reopen``,
    ``delete`` (with ``message_thread_id``)."""
    try:
        params = await read_params(request)
        chat_id, action = int_param(params, "chat_id"), str_param(params, "action")
        if action == "create":
            return ok(api.create_topic(chat_id, str_param(params, "name")))
        thread_id = int_param(params, "message_thread_id")
        if action in ("close", "reopen"):
            api.close_topic(chat_id, thread_id, closed=action == "close")
        elif action == "delete":
            api.delete_topic(chat_id, thread_id)
        else:
            raise ValueError(f"unknown action {action!r}: create, close, reopen or delete")
        return ok(True)
    except ValueError as exc:
        return ApiError(400, f"Bad Request: {exc}").response()
    except ApiError as exc:
        return exc.response()
