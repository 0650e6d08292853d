"""The local Bot API stand-in, exercised over real HTTP with PTB's Bot and raw httpx."""

from __future__ import annotations

import asyncio
import datetime as dtm
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.tryout.standin import HTMLParseError, LocalBotAPI, parse_html

TOKEN = "123456:TEST-not-a-real-token"
USER = 42
ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def serving(**options: Any) -> AsyncIterator[tuple[LocalBotAPI, Bot]]:
    """A started stand-in with these options and a PTB Bot connected to it."""
    api = LocalBotAPI(**options)
    await api.start()
    try:
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            yield api, bot
    finally:
        await api.stop()


@pytest_asyncio.fixture
async def api_bot() -> AsyncIterator[tuple[LocalBotAPI, Bot]]:
    async with serving() as pair:
        pair[0].user_message(USER, "hello")  # makes the private chat known
        yield pair


@pytest_asyncio.fixture
async def api(api_bot: tuple[LocalBotAPI, Bot]) -> LocalBotAPI:
    return api_bot[0]


@pytest_asyncio.fixture
async def bot(api_bot: tuple[LocalBotAPI, Bot]) -> Bot:
    return api_bot[1]


@pytest_asyncio.fixture
async def http(api: LocalBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api.port}") as client:
        yield client


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


# ---- sending and the Message object ----------------------------------------------------------


@pytest.mark.asyncio
async def test_get_me_and_send_message_return_telegram_objects(api: LocalBotAPI, bot: Bot) -> None:
    assert bot.username == "campaign_tryout_bot"  # from getMe during initialize
    sent = await bot.send_message(
        USER,
        "<b>Hi</b> &amp; <a href='https://example.org'>welcome</a>",
        parse_mode="HTML",
        reply_markup=keyboard(InlineKeyboardButton("Go", callback_data="go")),
        disable_notification=True,
    )
    assert sent.message_id == 2  # the user's message was 1
    assert sent.chat.id == USER and sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.is_bot and sent.from_user.id == 7000001
    assert sent.text == "Hi & welcome"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2), ("text_link", 5, 7)]
    assert sent.entities[1].url == "https://example.org"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "go"

    stored = api.last_message(USER)
    assert stored is not None and stored.from_bot
    assert stored.html == "<b>Hi</b> &amp; <a href='https://example.org'>welcome</a>"
    assert stored.text == "Hi & welcome"
    assert stored.disable_notification is True
    assert stored.buttons() == [{"text": "Go", "callback_data": "go"}]
    assert [m.message_id for m in api.messages(USER)] == [2]  # user messages are not listed
    assert api.sent_count == 1

    second = await bot.send_message(USER, "plain <b> not parsed")
    assert second.message_id == 3
    assert second.text == "plain <b> not parsed" and second.entities == ()
    assert api.messages(USER)[-1].buttons() == []


@pytest.mark.asyncio
async def test_calls_are_recorded_with_typed_params(api: LocalBotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "x", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="a")))
    name, params = api.calls[-1]
    assert name == "sendMessage"
    assert params["chat_id"] == USER  # PTB sends form strings; they are normalized
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert [call[0] for call in api.calls][:1] == ["getMe"]


@pytest.mark.asyncio
async def test_unknown_chat_is_not_found_until_known(bot: Bot, api: LocalBotAPI) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(555, "hi")
    api.add_chats([555, -1001234])
    assert (await bot.send_message(555, "hi")).chat.id == 555
    group = await bot.send_message(-1001234, "hi all")
    assert group.chat.type == "supergroup"


@pytest.mark.asyncio
async def test_trimming_empty_and_too_long_text(bot: Bot) -> None:
    sent = await bot.send_message(USER, "  \n<b>hi</b> there \n", parse_mode="HTML")
    assert sent.text == "hi there"
    assert [(e.offset, e.length) for e in sent.entities] == [(0, 2)]
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    assert (await bot.send_message(USER, "x" * 4096)).text == "x" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)


@pytest.mark.asyncio
async def test_entity_offsets_are_utf16_code_units(bot: Bot) -> None:
    sent = await bot.send_message(USER, "Привет 🙂 <b>мир</b> <i>😀x</i>", parse_mode="HTML")
    assert sent.text == "Привет 🙂 мир 😀x"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 10, 3), ("italic", 14, 3)]
    assert sorted(sent.parse_entities().values()) == ["мир", "😀x"]  # PTB slices in UTF-16


# ---- HTML parse mode ---------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Tom & Jerry", 'Unescaped "&"'),
        ("&nbsp;", 'Unescaped "&"'),
        ("é<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 2'),
    ],
)
async def test_bad_html_is_rejected_like_telegram(
    api: LocalBotAPI, bot: Bot, html: str, description: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(USER, html, parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalizes the rest, lowering its case
    assert caught.value.message.lower().startswith("can't parse entities: ")
    assert description.lower() in caught.value.message.lower()
    assert api.messages(USER) == [] and api.sent_count == 0


def test_parse_html_supported_tags() -> None:
    text, entities = parse_html(
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><tg-spoiler>e</tg-spoiler>"
        '<span class="tg-spoiler">f</span><code>g</code><blockquote expandable>h</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><a href="tg://user?id=1&amp;x">i</a>'
    )
    assert text == "abcdefgh👍i"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 1},
        {"type": "italic", "offset": 1, "length": 1},
        {"type": "underline", "offset": 2, "length": 1},
        {"type": "strikethrough", "offset": 3, "length": 1},
        {"type": "spoiler", "offset": 4, "length": 1},
        {"type": "spoiler", "offset": 5, "length": 1},
        {"type": "code", "offset": 6, "length": 1},
        {"type": "expandable_blockquote", "offset": 7, "length": 1},
        {"type": "custom_emoji", "offset": 8, "length": 2, "custom_emoji_id": "5368324170671202286"},
        {"type": "text_link", "offset": 10, "length": 1, "url": "tg://user?id=1&x"},
    ]


def test_parse_html_entities_nesting_and_pre_language() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#65;&#x42;") == ('<>&"AB', [])
    assert parse_html("<b>x <i>y</i></b><b></b>") == (
        "x y",
        [{"type": "bold", "offset": 0, "length": 3}, {"type": "italic", "offset": 2, "length": 1}],
    )
    assert parse_html('<pre><code class="language-python">print(1)</code></pre>') == (
        "print(1)",
        [{"type": "pre", "offset": 0, "length": 8, "language": "python"}],
    )
    assert parse_html("<pre>x</pre>") == ("x", [{"type": "pre", "offset": 0, "length": 1}])
    assert parse_html("<B>x</>") == ("x", [{"type": "bold", "offset": 0, "length": 1}])
    with pytest.raises(HTMLParseError, match="surrogate"):
        parse_html("&#xD800;")


# ---- inline keyboards ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_callback_data_limit_is_64_utf8_bytes(bot: Bot) -> None:
    ok = await bot.send_message(
        USER, "x", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="я" * 32))
    )
    assert ok.reply_markup is not None
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=keyboard(InlineKeyboardButton("A", callback_data="я" * 32 + "x")),  # 65 bytes
        )
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="")))


@pytest.mark.asyncio
async def test_button_urls_and_text_buttons(bot: Bot, http: httpx.AsyncClient) -> None:
    for url in ("https://example.org/x?y=1", "tg://resolve?domain=telegram"):
        await bot.send_message(USER, "x", reply_markup=keyboard(InlineKeyboardButton("A", url=url)))
    for url in ("javascript:alert(1)", "example.org", "http://"):
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_URL_INVALID"):
            await bot.send_message(USER, "x", reply_markup=keyboard(InlineKeyboardButton("A", url=url)))
    response = await http.post(
        f"/bot{TOKEN}/sendMessage",
        json={"chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "only text"}]]}},
    )
    assert response.status_code == 400
    assert "Text buttons are unallowed" in response.json()["description"]


# ---- updates -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_long_poll_wakes_on_user_message(api: LocalBotAPI, bot: Bot) -> None:
    first = await bot.get_updates()
    poll = asyncio.create_task(bot.get_updates(offset=first[-1].update_id + 1, timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    api.user_message(USER, "/start@campaign_tryout_bot payload", language_code=None, username="tester")
    updates = await asyncio.wait_for(poll, 4)  # woken well before its 5 s timeout would answer empty
    [update] = updates
    message = update.message
    assert message is not None and message.text == "/start@campaign_tryout_bot payload"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 26)]
    assert message.from_user is not None and message.from_user.language_code is None
    assert message.from_user.username == "tester"
    assert update.update_id == api.last_update_id


@pytest.mark.asyncio
async def test_long_poll_times_out_empty(api: LocalBotAPI, http: httpx.AsyncClient) -> None:
    api.user_message(USER, "x")
    pending = api.pending_updates()
    started = time.monotonic()
    response = await http.post(
        f"/bot{TOKEN}/getUpdates", json={"offset": api.last_update_id + 1, "timeout": 0.3}
    )
    assert response.json() == {"ok": True, "result": []}
    assert time.monotonic() - started > 0.25  # it waited for the timeout
    assert api.pending_updates() == 0 and pending == 2


@pytest.mark.asyncio
async def test_offsets_confirm_updates(api: LocalBotAPI, bot: Bot) -> None:
    for text in ("a", "b", "c"):
        api.user_message(USER, text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["hello", "a", "b", "c"]
    assert api.pending_updates() == 4  # returned but not confirmed
    again = await bot.get_updates(offset=updates[2].update_id, limit=1)
    assert [u.update_id for u in again] == [updates[2].update_id]
    assert api.pending_updates() == 2
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert api.pending_updates() == 0


@pytest.mark.asyncio
async def test_stop_ends_pending_long_poll() -> None:
    api = LocalBotAPI()
    await api.start()
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(client.post(f"{api.base_url}{TOKEN}/getUpdates", json={"timeout": 30}))
        await asyncio.sleep(0.2)
        await api.stop()
        response = await asyncio.wait_for(poll, 10)  # answered at stop, not after its 30 s timeout
    assert response.json() == {"ok": True, "result": []}


@pytest.mark.asyncio
async def test_user_update_without_text(api: LocalBotAPI, bot: Bot) -> None:
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]
    api.user_update(USER, {"photo": photo})
    update = (await bot.get_updates())[-1]
    assert update.message is not None
    assert update.message.text is None and update.message.photo[0].file_id == "p1"
    with pytest.raises(ValueError):
        api.user_update(USER, {}, chat_id=USER + 1)


@pytest.mark.asyncio
async def test_group_messages_have_group_chats(api: LocalBotAPI, bot: Bot) -> None:
    api.user_message(USER, "hi group", chat_id=-100500)
    api.user_message(USER, "hi other group", chat_id=-7, chat_type="supergroup")
    *_, first, second = await bot.get_updates()
    assert first.message is not None and second.message is not None
    assert (first.message.chat.id, first.message.chat.type) == (-100500, "supergroup")
    assert (second.message.chat.id, second.message.chat.type) == (-7, "supergroup")
    assert first.message.chat.title
    assert (await bot.send_message(-100500, "hello")).chat.id == -100500
    with pytest.raises(ValueError):
        api.user_message(USER, "x", chat_id=-7, chat_type="private")


# ---- buttons, callbacks, edits -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_press_button_and_answer_callback(api: LocalBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(
        USER,
        "<i>Pick</i>",
        parse_mode="HTML",
        reply_markup=keyboard(InlineKeyboardButton("A", callback_data="a")),
    )
    query_id = api.press_button(USER, sent.message_id, "forged:data", language_code="ru")
    query = (await bot.get_updates())[-1].callback_query
    assert query is not None and query.id == query_id
    assert query.data == "forged:data"
    assert query.from_user.id == USER and query.from_user.language_code == "ru"
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert query.message.text == "Pick" and query.message.entities == sent.entities

    assert await bot.answer_callback_query(query_id, text="Done", show_alert=True)
    assert api.callback_answers[query_id]["text"] == "Done"
    assert api.callback_answers[query_id]["show_alert"] is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query("nope")
    with pytest.raises(KeyError):
        api.press_button(USER, 999, "a")
    with pytest.raises(KeyError):
        api.press_button(USER, 1, "a")  # the user's own message


@pytest.mark.asyncio
async def test_edit_delete_and_events(api: LocalBotAPI, bot: Bot) -> None:
    events = api.subscribe()
    markup = keyboard(InlineKeyboardButton("A", callback_data="a"))
    sent = await bot.send_message(USER, "<b>v1</b>", parse_mode="HTML", reply_markup=markup)

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<strong>v1</strong>", USER, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    edited = await bot.edit_message_text("v2", USER, sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "v2" and edited.reply_markup is None  # omitted markup removes the keyboard
    stored = api.last_message(USER)
    assert stored is not None and stored.edits == 1 and stored.html == "v2" and stored.buttons() == []

    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=markup)
    assert stored.edits == 2 and stored.buttons() == [{"text": "A", "callback_data": "a"}]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", USER, 1)

    assert await bot.delete_message(USER, sent.message_id)
    assert stored.deleted and api.messages(USER) == [stored]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, sent.message_id)

    seen = [events.get_nowait() for _ in range(events.qsize())]
    assert [(kind, m.message_id) for kind, m in seen] == [
        ("new", sent.message_id),
        ("edit", sent.message_id),
        ("edit", sent.message_id),
        ("delete", sent.message_id),
    ]
    api.unsubscribe(events)
    await bot.send_message(USER, "unseen")
    assert events.empty()


# ---- limits, blocking, latency -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_global_rate_limit_answers_429(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with serving(rate_limit=2) as (api, bot):
        api.add_chats([1, 2, 3])
        await bot.send_message(1, "a")
        await bot.send_message(2, "b")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(3, "c")
        assert caught.value.retry_after == dtm.timedelta(seconds=1)
        assert api.rejected_429 == 1 and api.sent_count == 2 and api.messages(3) == []
        async with httpx.AsyncClient() as client:
            raw = await client.post(f"{api.base_url}{TOKEN}/sendMessage", data={"chat_id": "3", "text": "c"})
        assert raw.status_code == 429
        assert raw.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        await asyncio.sleep(0.55)  # 2/s refills one send per 0.5 s
        await bot.send_message(3, "c")
        assert api.sent_count == 3


@pytest.mark.asyncio
async def test_per_chat_and_group_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with serving(per_chat_rate=1, group_per_minute=2) as (api, bot):
        api.add_chats([1, 2, -500])
        await bot.send_message(1, "a")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "again")
        await bot.send_message(2, "other chat is fine")
        await bot.send_message(-500, "g1")
        await bot.send_message(-500, "g2")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-500, "g3")
        assert caught.value.retry_after == dtm.timedelta(seconds=30)
        assert api.rejected_429 == 2


@pytest.mark.asyncio
async def test_blocked_chat_gets_403_and_member_updates(api: LocalBotAPI, bot: Bot) -> None:
    before = api.last_update_id
    api.set_blocked(USER)
    api.set_blocked(USER)  # unchanged: no second update
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "x")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER, "typing")
    assert api.rejected_403 == 2 and api.messages(USER) == []
    api.set_blocked(USER, False)
    await bot.send_message(USER, "welcome back")
    updates = [u for u in await bot.get_updates() if u.update_id > before]
    changes = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member
    ]
    assert changes == [("member", "kicked"), ("kicked", "member")]
    assert updates[0].my_chat_member is not None and updates[0].my_chat_member.chat.id == USER


@pytest.mark.asyncio
async def test_user_writing_again_unblocks(api: LocalBotAPI, bot: Bot) -> None:
    api.set_blocked(USER)
    api.user_message(USER, "/start")
    kinds = [("my_chat_member" if u.my_chat_member else "message") for u in await bot.get_updates()]
    assert kinds[-3:] == ["my_chat_member", "my_chat_member", "message"]
    assert (await bot.send_message(USER, "hi")).text == "hi"


@pytest.mark.asyncio
async def test_latency_is_added_to_every_request() -> None:
    async with serving(latency=0.2) as (_api, bot):
        started = time.monotonic()
        await bot.get_me()
        assert time.monotonic() - started >= 0.2


# ---- raw HTTP ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_transports_envelope_and_unknown_method(api: LocalBotAPI, http: httpx.AsyncClient) -> None:
    by_get = await http.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": USER, "text": "via GET"})
    by_json = await http.post(f"/bot{TOKEN}/SENDMESSAGE", json={"chat_id": USER, "text": "via JSON"})
    by_multipart = await http.post(
        f"/bot{TOKEN}/sendMessage",
        data={"chat_id": str(USER), "text": "via form"},
        files={"unused": ("a.txt", b"x")},
    )
    assert [r.status_code for r in (by_get, by_json, by_multipart)] == [200, 200, 200]
    assert by_json.json()["result"]["text"] == "via JSON"
    assert [m.text for m in api.messages(USER)] == ["via GET", "via JSON", "via form"]

    unknown = await http.post(f"/bot{TOKEN}/sendTelepathy", json={})
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    bad_json = await http.post(
        f"/bot{TOKEN}/sendMessage", data={"chat_id": str(USER), "text": "x", "reply_markup": "{not json"}
    )
    assert bad_json.status_code == 400 and bad_json.json()["ok"] is False


@pytest.mark.asyncio
async def test_document_upload_get_file_and_download(api: LocalBotAPI, bot: Bot) -> None:
    sent = await bot.send_document(
        USER, b"id,name\n1,A\n", filename="export.csv", caption="<b>Export</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "export.csv"
    assert sent.caption == "Export" and sent.caption_entities[0].type == "bold"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"id,name\n1,A\n"
    again = await bot.send_document(USER, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)no text in the message"):
        await bot.edit_message_text("x", USER, sent.message_id)
    assert api.sent_count == 2


@pytest.mark.asyncio
async def test_commands_are_stored_per_scope_and_language(api: LocalBotAPI, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(USER))
    assert api.commands == {
        ("default", ""): [{"command": "start", "description": "Start"}],
        ("default", "ru"): [{"command": "start", "description": "Начать"}],
        ("chat", ""): [{"command": "admin", "description": "Admin"}],
    }
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Начать"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start!", "x")])
    await bot.delete_my_commands(language_code="ru")
    assert ("default", "ru") not in api.commands


@pytest.mark.asyncio
async def test_webhook_blocks_get_updates(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


@pytest.mark.asyncio
async def test_control_routes(api: LocalBotAPI, http: httpx.AsyncClient, bot: Bot) -> None:
    response = await http.post(
        "/_control/message", json={"user_id": 7, "text": "/start", "language_code": "az"}
    )
    assert response.json() == {"ok": True, "result": api.last_update_id}
    update = (await bot.get_updates())[-1]
    assert update.message is not None and update.message.from_user is not None
    assert update.message.from_user.language_code == "az"

    sent = await bot.send_message(
        7, "menu", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="a"))
    )
    pressed = await http.post(
        "/_control/press", json={"user_id": 7, "message_id": sent.message_id, "data": "a"}
    )
    assert pressed.json()["ok"] is True
    missing = await http.post("/_control/press", json={"user_id": 7, "message_id": 99, "data": "a"})
    assert missing.status_code == 400

    listed = (await http.get("/_control/messages", params={"chat_id": 7})).json()
    assert [(m["message_id"], m["text"], m["from_bot"]) for m in listed] == [(sent.message_id, "menu", True)]
    assert listed[0]["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}

    assert (await http.post("/_control/block", json={"chat_id": 7, "blocked": True})).json()["ok"] is True
    with pytest.raises(Forbidden):
        await bot.send_message(7, "x")
    stats = (await http.get("/_control/stats")).json()
    assert stats == {
        "sent_count": 1,
        "rejected_429": 0,
        "rejected_403": 1,
        "pending_updates": api.pending_updates(),
    }


def test_standalone_main_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.tryout.standin", "--port", "0", "--rate", "30"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        stats = httpx.get(base_url.removesuffix("/bot") + "/_control/stats", timeout=5).json()
        assert stats["sent_count"] == 0
        me = httpx.get(f"{base_url}{TOKEN}/getMe", timeout=5).json()
        assert me["result"]["username"] == "campaign_tryout_bot"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0


@pytest.mark.asyncio
async def test_real_application_polls_commands_and_buttons() -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id,
            f"args={context.args}",
            reply_markup=keyboard(InlineKeyboardButton("Yes", callback_data="yes")),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("noted")
        await query.edit_message_text(f"you said {query.data}")

    api = LocalBotAPI()
    await api.start()
    application = Application.builder().token(TOKEN).base_url(api.base_url).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    events = api.subscribe()
    try:
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            api.user_message(USER, "/start@campaign_tryout_bot ref42")
            kind, message = await asyncio.wait_for(events.get(), 5)
            assert (kind, message.text) == ("new", "args=['ref42']")
            query_id = api.press_button(USER, message.message_id, "yes")
            kind, edited = await asyncio.wait_for(events.get(), 5)
            assert (kind, edited.text, edited.buttons()) == ("edit", "you said yes", [])
            assert api.callback_answers[query_id]["text"] == "noted"
            await application.updater.stop()
            await application.stop()
    finally:
        await api.stop()
    assert api.pending_updates() == 0  # the updater confirmed what it handled
