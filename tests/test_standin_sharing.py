"""The stand-in's inline mode, photo uploads, descriptions and quotes, over real HTTP with PTB's Bot and raw httpx.

PTB changes the case of an error's description ("Results_too_much"): the checks on it ignore case.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.tryout.standin import LocalBotAPI, parse_html
from bot.tryout.standin.descriptions import DESCRIPTION, SHORT_DESCRIPTION

TOKEN = "123456:TEST-not-a-real-token"
USER = 42


@pytest_asyncio.fixture
async def api() -> AsyncIterator[LocalBotAPI]:
    api = LocalBotAPI()
    await api.start()
    api.user_message(USER, "hello")  # makes the private chat known
    try:
        yield api
    finally:
        await api.stop()


@pytest_asyncio.fixture
async def bot(api: LocalBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        yield bot


@pytest_asyncio.fixture
async def http(api: LocalBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api.port}") as client:
        yield client


def article(result_id: str = "a", text: str = "<b>Asif</b> Yusifli", **options: Any) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "Asif Yusifli",
                                    InputTextMessageContent(text, parse_mode=ParseMode.HTML), **options)


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk: all Telegram (and the stand-in) reads to size a photo."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


# ---- inline mode ----------------------------------------------------------------------------------------


async def test_an_inline_query_is_answered_once_and_a_result_is_sent_via_the_bot(api: LocalBotAPI, bot: Bot) -> None:
    assert (await bot.get_me()).supports_inline_queries
    query_id = api.inline_query(USER, "asif", language_code="ru", chat_type="supergroup")
    [update] = await bot.get_updates(offset=-1)
    query = update.inline_query
    assert query is not None and (query.id, query.query, query.offset) == (query_id, "asif", "")
    assert query.from_user.language_code == "ru" and query.chat_type == "supergroup"
    button = InlineKeyboardButton("Open", url="https://t.me/campaign_tryout_bot?start=case_asif-yusifli")
    assert await bot.answer_inline_query(query_id, [article(reply_markup=InlineKeyboardMarkup([[button]]))],
                                         cache_time=5, is_personal=True, next_offset="50")
    answer = api.inline.answers[query_id]
    assert (answer.cache_time, answer.is_personal, answer.next_offset) == (5, True, "50")
    [result] = answer.results
    assert (result.text, result.entities) == ("Asif Yusifli", [{"type": "bold", "offset": 0, "length": 4}])
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(query_id, [article()])  # answered already

    last_update = api.last_update_id
    shared = api.choose_inline_result(USER, query_id, "a", chat_id=-100777)
    assert not shared.from_bot and shared.via_bot == api.bot_user
    assert (shared.text, shared.buttons()) == ("Asif Yusifli", [button.to_dict()])
    assert api.messages(-100777) == []  # the user's message, not the bot's
    assert api.last_update_id == last_update  # and nothing reaches the bot
    for user, result_id in ((USER, "b"), (USER + 1, "a")):
        with pytest.raises(KeyError):
            api.choose_inline_result(user, query_id, result_id, chat_id=-100777)


async def test_the_default_cache_time_is_telegrams(api: LocalBotAPI, bot: Bot) -> None:
    query_id = api.inline_query(USER, "")
    await bot.answer_inline_query(query_id, [])
    answer = api.inline.answers[query_id]
    assert (answer.results, answer.cache_time, answer.is_personal, answer.next_offset) == ([], 300, False, "")


@pytest.mark.parametrize(("results", "options", "error"), [
    ([article(str(n)) for n in range(51)], {}, "RESULTS_TOO_MUCH"),
    ([article("a"), article("a")], {}, "RESULT_ID_DUPLICATE"),
    ([article("x" * 65)], {}, "RESULT_ID_INVALID"),
    ([article("é" * 33)], {}, "RESULT_ID_INVALID"),  # 66 bytes
    ([article(text="<b>unclosed")], {}, "can't parse entities"),
    ([article(text="x" * 4097)], {}, "MESSAGE_TOO_LONG"),
    ([article(text="  ")], {}, "MESSAGE_EMPTY"),
    ([article()], {"next_offset": "9" * 65}, "NEXT_OFFSET_INVALID"),
])
async def test_answer_inline_query_is_checked_like_telegram(api: LocalBotAPI, bot: Bot, results: list[Any],
                                                            options: dict[str, Any], error: str) -> None:
    query_id = api.inline_query(USER, "q")
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await bot.answer_inline_query(query_id, results, **options)
    assert query_id not in api.inline.answers
    await bot.answer_inline_query(query_id, [article()])  # a refused answer leaves the query open


@pytest.mark.parametrize(("result", "error"), [
    ({"type": "article", "title": "t", "input_message_content": {"message_text": "x"}}, 'field "id"'),
    ({"type": "article", "id": "1", "input_message_content": {"message_text": "x"}}, 'field "title"'),
    ({"type": "article", "id": "1", "title": "t"}, 'field "input_message_content"'),
    ({"type": "poster", "id": "1"}, "RESULT_TYPE_INVALID"),
    ({"type": "photo", "id": "1"}, '"article" results only'),
    ({"type": "article", "id": "1", "title": "t", "input_message_content": {"message_text": "x"},
      "reply_markup": {"keyboard": [[{"text": "k"}]]}}, "REPLY_MARKUP_INVALID"),
])
async def test_an_odd_result_is_refused(api: LocalBotAPI, http: httpx.AsyncClient, result: dict[str, Any],
                                        error: str) -> None:
    query_id = api.inline_query(USER, "q")
    response = await http.post(f"/bot{TOKEN}/answerInlineQuery",
                               json={"inline_query_id": query_id, "results": [result]})
    assert response.status_code == 400 and error in response.json()["description"]


async def test_an_unknown_query_is_too_old(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query("999", [article()])


async def test_inline_mode_must_be_on_and_a_query_is_at_most_256_characters() -> None:
    api = LocalBotAPI(inline_mode=False)
    await api.start()
    try:
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            assert not (await bot.get_me()).supports_inline_queries
        with pytest.raises(ValueError, match="setinline"):
            api.inline_query(USER, "asif")
    finally:
        await api.stop()
    with pytest.raises(ValueError, match="256"):
        LocalBotAPI().inline_query(USER, "x" * 257)


async def test_control_routes_send_a_query_and_choose_a_result(api: LocalBotAPI, bot: Bot,
                                                              http: httpx.AsyncClient) -> None:
    response = await http.post("/_control/inline", data={"user_id": USER, "query": "Юсифли", "offset": "50"})
    query_id = response.json()["result"]
    [update] = await bot.get_updates(offset=-1)
    assert update.inline_query is not None and update.inline_query.offset == "50"
    await bot.answer_inline_query(query_id, [article()])
    response = await http.post("/_control/choose", data={"user_id": USER, "inline_query_id": query_id,
                                                         "result_id": "a", "chat_id": -5})
    shared = response.json()["result"]
    assert shared["via_bot"]["username"] == "campaign_tryout_bot" and shared["text"] == "Asif Yusifli"
    response = await http.post("/_control/choose", data={"user_id": USER, "inline_query_id": query_id,
                                                         "result_id": "zzz", "chat_id": -5})
    assert response.status_code == 400


# ---- sendPhoto --------------------------------------------------------------------------------------------


async def test_a_photo_is_uploaded_kept_as_sent_and_downloadable(api: LocalBotAPI, bot: Bot) -> None:
    png = png_header(320, 240) + b"rest of the file"
    message = await bot.send_photo(USER, png, caption="<b>QR</b> code", parse_mode=ParseMode.HTML,
                                   filename="qr.png")
    [size] = message.photo
    assert (size.width, size.height, size.file_size) == (320, 240, len(png))
    assert message.caption == "QR code" and message.caption_entities[0].type == "bold"
    stored = api.last_message(USER)
    assert stored is not None and stored.photo is not None and stored.document is None
    downloaded = await (await bot.get_file(size.file_id)).download_as_bytearray()
    assert bytes(downloaded) == png
    again = await bot.send_photo(USER, size.file_id)  # by its file_id, as Telegram allows
    assert again.photo[0].file_id == size.file_id
    with pytest.raises(BadRequest, match=r"(?i)no text in the message"):
        await bot.edit_message_text("x", USER, message.message_id)


@pytest.mark.parametrize(("data", "error"), [
    (b"not an image at all", "IMAGE_PROCESS_FAILED"),
    (png_header(10, 300), "PHOTO_INVALID_DIMENSIONS"),  # more than 20 times as high as wide
    (png_header(6000, 5000), "PHOTO_INVALID_DIMENSIONS"),  # more than 10000 together
    (b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x01\x00\x40", "PHOTO_INVALID_DIMENSIONS"),  # a JPEG 64 x 1
])
async def test_a_photo_telegram_would_refuse_is_refused(api: LocalBotAPI, bot: Bot, data: bytes, error: str) -> None:
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await bot.send_photo(USER, data)
    assert api.last_message(USER) is None


async def test_a_jpeg_is_sized_and_a_long_caption_refused(bot: Bot) -> None:
    jpeg = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08\x00\xf0\x01\x40" + b"\x00" * 12
    message = await bot.send_photo(USER, jpeg)
    assert (message.photo[0].width, message.photo[0].height) == (320, 240)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(USER, jpeg, caption="x" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(USER, "no-such-file-id")


# ---- descriptions ----------------------------------------------------------------------------------------


async def test_descriptions_are_kept_per_language_within_the_limits(api: LocalBotAPI, bot: Bot) -> None:
    assert await bot.set_my_description("For everyone")
    assert await bot.set_my_description("Для всех", language_code="ru")
    assert await bot.set_my_short_description("x" * 120, language_code="az")
    assert (await bot.get_my_description()).description == "For everyone"
    assert (await bot.get_my_description(language_code="ru")).description == "Для всех"
    assert (await bot.get_my_description(language_code="az")).description == ""
    assert (await bot.get_my_short_description(language_code="az")).short_description == "x" * 120
    with pytest.raises(BadRequest, match=r"(?i)description is too long"):
        await bot.set_my_description("x" * 513, language_code="ru")
    with pytest.raises(BadRequest, match=r"(?i)short description is too long"):
        await bot.set_my_short_description("я" * 121)
    assert api.descriptions.text(DESCRIPTION, "ru") == "Для всех"
    assert await bot.set_my_description("", language_code="ru")  # an empty one removes it
    assert api.descriptions.text(DESCRIPTION, "ru") == "" and api.descriptions.text(SHORT_DESCRIPTION) == ""


# ---- quotes ------------------------------------------------------------------------------------------------


def test_a_quote_inside_a_quote_is_dropped_as_telegram_does() -> None:
    text, entities = parse_html("<blockquote expandable>a<blockquote>b</blockquote><b>c</b></blockquote>d")
    assert text == "abcd"
    assert entities == [{"type": "expandable_blockquote", "offset": 0, "length": 3},
                        {"type": "bold", "offset": 2, "length": 1}]
